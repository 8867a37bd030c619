#include "config.h"
#include "out/out.h"
#include "out/flat.h"
#include "out/spool.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --once --format openmetrics and --serve-metrics: the §4 document as
 * OpenMetrics 1.0 text (or, for a scraper that does not ask for
 * OpenMetrics, the classic Prometheus text format 0.0.4, which is the same
 * without "# UNIT" and "# EOF"). Every family comes from out/flat.c's
 * table; an unknown value has no sample at all.
 *
 * A family's samples must come together (both formats) while the document
 * comes host by host (out_json_parts): each family's lines go to a
 * section of a spool (out/spool.h), written in order at the end. */

static const char *jstr(json_t *j)
{
	return json_is_string(j) ? json_string_value(j) : "";
}

/* The sections before the families' */
enum { OM_FLEET_STATUS, OM_ALERTS, OM_ALERT_SINCE, OM__FIRST_FAMILY };

struct om_ctx {
	FILE *fp;                  /* the current family's section */
	const struct flat_family *fam;
	size_t nfam;               /* its section */
	struct spool *sp;
	bool om;
	int alerts[4];             /* per severity (flat_statuses) */
};

/* Label values: backslash, double quote and newline are escaped (both
 * formats); other control bytes become '?' (remote names are inert). */
static void put_label_value(FILE *fp, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\')
			fputs("\\\\", fp);
		else if (c == '"')
			fputs("\\\"", fp);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', fp);
		else
			fputc(c, fp);
	}
}

static void put_labels(FILE *fp, const struct flat_elem *e, const char *extra_name,
		       const char *extra_value)
{
	int n = 0;

	fputc('{', fp);
	for (int l = 0; l < e->nlabels; l++, n++) {
		fprintf(fp, "%s%s=\"", n ? "," : "", e->lname[l]);
		put_label_value(fp, e->lvalue[l]);
		fputc('"', fp);
	}
	if (extra_name) {
		fprintf(fp, "%s%s=\"", n ? "," : "", extra_name);
		put_label_value(fp, extra_value);
		fputc('"', fp);
	}
	fputc('}', fp);
}

/* Shortest text that reads back as the same double. */
static void put_value(FILE *fp, double v)
{
	char buf[32];

	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(fp, " %.0f\n", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fprintf(fp, " %s\n", buf);
}

static void put_sample(void *ctx, const struct flat_elem *e)
{
	struct om_ctx *c = ctx;
	const struct flat_family *fam = c->fam;
	double v;

	c->fp = spool_fp(c->sp, c->nfam);
	if (fam->how == FH_STATUS) {
		const char *st = json_string_value(flat_get(e->obj, fam->field));
		if (!st)
			return;
		for (int k = 0; k < 4; k++) {
			fputs(fam->name, c->fp);
			put_labels(c->fp, e, "status", flat_statuses[k]);
			fprintf(c->fp, " %d\n", strcmp(st, flat_statuses[k]) == 0);
		}
		return;
	}
	if (!flat_value(fam, e->obj, &v))
		return;
	fputs(fam->name, c->fp);
	put_labels(c->fp, e, NULL, NULL);
	put_value(c->fp, v);
}

static void put_header(FILE *fp, const char *name, const char *unit, const char *help,
		       bool openmetrics)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	if (openmetrics && unit && *unit)
		fprintf(fp, "# UNIT %s %s\n", name, unit);
}

/* Fleet-wide families: the worst status, alerts per severity and when each
 * open alert started. */
static void put_fleet_status(struct om_ctx *c, json_t *status)
{
	FILE *fp = spool_fp(c->sp, OM_FLEET_STATUS);
	const char *worst = json_string_value(status);
	struct flat_elem e = { 0 };

	for (int k = 0; worst && k < 4; k++) {
		fputs("fleetdeck_fleet_status", fp);
		put_labels(fp, &e, "status", flat_statuses[k]);
		fprintf(fp, " %d\n", strcmp(worst, flat_statuses[k]) == 0);
	}
}

static void put_alert(struct om_ctx *c, json_t *a)
{
	static const char *const keys[] = { "target", "code", "severity" };
	FILE *fp = spool_fp(c->sp, OM_ALERT_SINCE);
	json_t *since = json_object_get(a, "since");
	struct flat_elem e = { 0 };

	for (int k = 1; k < 4; k++)
		c->alerts[k] += strcmp(jstr(json_object_get(a, "severity")), flat_statuses[k]) == 0;
	if (!json_is_number(since))
		return;
	for (int l = 0; l < 3; l++) {
		e.lname[e.nlabels] = keys[l];
		str_copy(e.lvalue[e.nlabels++], jstr(json_object_get(a, keys[l])), sizeof(e.lvalue[0]));
	}
	fputs("fleetdeck_alert_since_timestamp_seconds", fp);
	put_labels(fp, &e, NULL, NULL);
	put_value(fp, json_number_value(since));
}

static void put_alert_counts(struct om_ctx *c)
{
	FILE *fp = spool_fp(c->sp, OM_ALERTS);
	struct flat_elem e = { 0 };

	put_header(fp, "fleetdeck_alerts", "", "Open alerts per severity.", c->om);
	for (int k = 1; k < 4; k++) {
		fputs("fleetdeck_alerts", fp);
		put_labels(fp, &e, "severity", flat_statuses[k]);
		fprintf(fp, " %d\n", c->alerts[k]);
	}
}

/* One part of the document (out_part_fn): its samples, family by family. */
static void om_part(void *arg, const char *key, json_t *v)
{
	struct om_ctx *c = arg;

	if (strcmp(key, "status") == 0) {
		put_fleet_status(c, v);
		return;
	}
	if (strcmp(key, "alerts") == 0) {
		put_alert(c, v);
		return;
	}
	c->nfam = OM__FIRST_FAMILY;
	FLAT_KINDS_FOREACH(k)
		for (size_t i = 0; i < (*k)->nfam; i++, c->nfam++) {
			c->fam = &(*k)->fam[i];
			flat_part(*k, key, v, put_sample, c);
		}
	spool_part_done(c->sp);
}

static void om_begin(struct om_ctx *c, bool openmetrics)
{
	size_t n = OM__FIRST_FAMILY;

	FLAT_KINDS_FOREACH(k)
		n += (*k)->nfam;
	memset(c, 0, sizeof(*c));
	c->om = openmetrics;
	c->sp = spool_new(n);
	put_header(spool_fp(c->sp, OM_FLEET_STATUS), "fleetdeck_fleet_status", "",
		   "Worst status of the whole fleet (1 for the current one).", openmetrics);
	put_header(spool_fp(c->sp, OM_ALERT_SINCE), "fleetdeck_alert_since_timestamp_seconds",
		   "seconds", "Unix time each open alert started (labels: target, code, severity).",
		   openmetrics);
	n = OM__FIRST_FAMILY;
	FLAT_KINDS_FOREACH(k)
		for (size_t i = 0; i < (*k)->nfam; i++) {
			const struct flat_family *fam = &(*k)->fam[i];
			put_header(spool_fp(c->sp, n++), fam->name, fam->unit, fam->help, openmetrics);
		}
}

static int om_end(struct om_ctx *c, FILE *fp)
{
	int rc;

	put_alert_counts(c);
	rc = spool_finish(c->sp, fp);
	if (c->om)
		fputs("# EOF\n", fp);
	return rc < 0 || fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}

int out_metrics_doc(FILE *fp, json_t *doc, bool openmetrics)
{
	struct om_ctx c;

	om_begin(&c, openmetrics);
	out_json_doc_parts(doc, om_part, &c);
	return om_end(&c, fp);
}

int out_metrics(FILE *fp, const struct fleet *f, const struct snapshot *s,
		const struct evaluation *ev, double now, bool openmetrics)
{
	struct om_ctx c;

	om_begin(&c, openmetrics);
	out_json_parts(f, s, ev, now, om_part, &c);
	return om_end(&c, fp);
}

int out_openmetrics(FILE *fp, const struct fleet *f, const struct snapshot *s,
		    const struct evaluation *ev, double now)
{
	return out_metrics(fp, f, s, ev, now, true);
}
