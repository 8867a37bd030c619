#include "config.h"
#include "out/out.h"
#include "out/flat.h"
#include "out/spool.h"
#include "util/util.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* --once --format csv: the §4 document as one long table (RFC 4180), one
 * row per target and number, plus one row per problem, so that rows from
 * many moments (a replay) stack into one sheet and a pivot table does the
 * rest:
 *
 *   time_utc,time,target,status,metric,value
 *   2026-11-27 03:12:09,1795392729.2,host/black,crit,cpu_pct,12.5
 *   2026-11-27 03:12:09,1795392729.2,host/black,crit,problem,unreachable: ...
 *
 * Metric names and values are the JSON document's (same field, same
 * unit); an unknown value has no row. Text cells that a spreadsheet would
 * run as a formula (= + - @ first) get a leading quote.
 *
 * The rows are grouped by kind (every host's, then every disk's, ...)
 * while the document comes host by host (out_json_parts): each kind's
 * rows go to a section of a spool (out/spool.h), written in order at the
 * end. */

struct csv_ctx {
	FILE *fp;                  /* the current kind's section */
	char time_utc[32];
	char time[32];
	const struct flat_kind *kind;
	struct spool *sp;
	size_t nkind;              /* the current kind's section */
};

static void put_cell(FILE *fp, const char *s, bool text)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', fp);
	if (text && (*s == '=' || *s == '+' || *s == '-' || *s == '@'))
		fputc('\'', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"')
			fputs("\"\"", fp);
		else if (c < 0x20 && c != '\n' && c != '\r')
			fputc('?', fp);
		else
			fputc(c, fp);
	}
	if (quote)
		fputc('"', fp);
}

static void put_row(const struct csv_ctx *c, const struct flat_elem *e, const char *status,
		    const char *metric, const char *value, bool text)
{
	fprintf(c->fp, "%s,%s,", c->time_utc, c->time);
	put_cell(c->fp, e->target, true);
	fprintf(c->fp, ",%s,", status);
	put_cell(c->fp, metric, false);
	fputc(',', c->fp);
	put_cell(c->fp, value, text);
	fputs("\r\n", c->fp);
}

static void number_text(char *buf, size_t size, json_t *j)
{
	double v = json_number_value(j);

	if (json_is_integer(j))
		str_fmt(buf, size, "%lld", (long long)json_integer_value(j));
	else if (v == floor(v) && fabs(v) < 1e15)
		str_fmt(buf, size, "%.0f", v);
	else
		str_fmt(buf, size, "%.15g", v);
}

static void put_elem(void *ctx, const struct flat_elem *e)
{
	struct csv_ctx *c = ctx;
	json_t *st = json_object_get(e->obj, "status"), *problems, *p;
	const char *status = json_is_string(st) ? json_string_value(st) : "";
	char value[64];
	size_t i;

	c->fp = spool_fp(c->sp, c->nkind);
	for (size_t k = 0; k < c->kind->nfam; k++) {
		const struct flat_family *fam = &c->kind->fam[k];
		json_t *j;

		if (fam->how == FH_STATUS)
			continue;
		j = flat_get(e->obj, fam->field);
		if (json_is_boolean(j))
			str_copy(value, json_is_true(j) ? "true" : "false", sizeof(value));
		else if (json_is_number(j) && isfinite(json_number_value(j)))
			number_text(value, sizeof(value), j);
		else
			continue;
		put_row(c, e, status, fam->csv ? fam->csv : fam->field, value, false);
	}
	problems = json_object_get(e->obj, "problems");
	json_array_foreach(problems, i, p)
		if (json_is_string(p))
			put_row(c, e, status, "problem", json_string_value(p), true);
}

static void csv_time(struct csv_ctx *c, double t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(c->time_utc, sizeof(c->time_utc), "%Y-%m-%d %H:%M:%S", &tm);
	str_fmt(c->time, sizeof(c->time), "%.3f", t);
}

/* One part of the document (out_part_fn): its rows, kind by kind. */
static void csv_part(void *arg, const char *key, json_t *v)
{
	struct csv_ctx *c = arg;

	if (strcmp(key, "generated_at") == 0) {
		csv_time(c, json_number_value(v));
		return;
	}
	c->nkind = 0;
	FLAT_KINDS_FOREACH(k) {
		c->kind = *k;
		flat_part(*k, key, v, put_elem, c);
		c->nkind++;
	}
	spool_part_done(c->sp);
}

static void csv_begin(struct csv_ctx *c, FILE *fp, bool header)
{
	size_t n = 0;

	FLAT_KINDS_FOREACH(k)
		n++;
	memset(c, 0, sizeof(*c));
	c->sp = spool_new(n);
	csv_time(c, 0);
	if (header)
		fputs("time_utc,time,target,status,metric,value\r\n", fp);
}

static int csv_end(struct csv_ctx *c, FILE *fp)
{
	int rc = spool_finish(c->sp, fp);

	return rc < 0 || fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}

int out_csv_doc(FILE *fp, json_t *doc, bool header)
{
	struct csv_ctx c;

	csv_begin(&c, fp, header);
	out_json_doc_parts(doc, csv_part, &c);
	return csv_end(&c, fp);
}

int out_csv(FILE *fp, const struct fleet *f, const struct snapshot *s,
	    const struct evaluation *ev, double now)
{
	struct csv_ctx c;

	csv_begin(&c, fp, true);
	out_json_parts(f, s, ev, now, csv_part, &c);
	return csv_end(&c, fp);
}
