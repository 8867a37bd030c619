#include "config.h"
#include "out/out.h"
#include "out/flat.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --once --format openmetrics and --serve-metrics: the §4 document as
 * OpenMetrics 1.0 text (or, for a scraper that does not ask for
 * OpenMetrics, the classic Prometheus text format 0.0.4, which is the same
 * without "# UNIT" and "# EOF"). Every family comes from out/flat.c's
 * table; an unknown value has no sample at all. */

static const char *jstr(json_t *j)
{
	return json_is_string(j) ? json_string_value(j) : "";
}

struct om_ctx {
	FILE *fp;
	const struct flat_family *fam;
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
static void put_fleet(FILE *fp, json_t *doc, bool om)
{
	const char *worst = json_string_value(json_object_get(doc, "status"));
	json_t *alerts = json_object_get(doc, "alerts"), *a;
	struct flat_elem e = { 0 };
	size_t i;

	put_header(fp, "fleetdeck_fleet_status", "", "Worst status of the whole fleet (1 for the current one).", om);
	for (int k = 0; worst && k < 4; k++) {
		fputs("fleetdeck_fleet_status", fp);
		put_labels(fp, &e, "status", flat_statuses[k]);
		fprintf(fp, " %d\n", strcmp(worst, flat_statuses[k]) == 0);
	}
	put_header(fp, "fleetdeck_alerts", "", "Open alerts per severity.", om);
	for (int k = 1; k < 4; k++) {
		int n = 0;
		json_array_foreach(alerts, i, a)
			n += strcmp(jstr(json_object_get(a, "severity")), flat_statuses[k]) == 0;
		fputs("fleetdeck_alerts", fp);
		put_labels(fp, &e, "severity", flat_statuses[k]);
		fprintf(fp, " %d\n", n);
	}
	put_header(fp, "fleetdeck_alert_since_timestamp_seconds", "seconds",
		   "Unix time each open alert started (labels: target, code, severity).", om);
	json_array_foreach(alerts, i, a) {
		json_t *since = json_object_get(a, "since");
		if (!json_is_number(since))
			continue;
		e.nlabels = 0;
		static const char *const keys[] = { "target", "code", "severity" };
		for (int l = 0; l < 3; l++) {
			e.lname[e.nlabels] = keys[l];
			str_copy(e.lvalue[e.nlabels++], jstr(json_object_get(a, keys[l])),
				 sizeof(e.lvalue[0]));
		}
		fputs("fleetdeck_alert_since_timestamp_seconds", fp);
		put_labels(fp, &e, NULL, NULL);
		put_value(fp, json_number_value(since));
	}
}

int out_metrics_doc(FILE *fp, json_t *doc, bool openmetrics)
{
	put_fleet(fp, doc, openmetrics);
	FLAT_KINDS_FOREACH(k)
		for (size_t i = 0; i < (*k)->nfam; i++) {
			struct om_ctx c = { fp, &(*k)->fam[i] };

			put_header(fp, c.fam->name, c.fam->unit, c.fam->help, openmetrics);
			flat_each(doc, *k, put_sample, &c);
		}
	if (openmetrics)
		fputs("# EOF\n", fp);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}

int out_openmetrics(FILE *fp, const struct fleet *f, const struct snapshot *s,
		    const struct evaluation *ev, double now)
{
	json_t *doc = out_json_document(f, s, ev, now);
	int rc = out_metrics_doc(fp, doc, true);

	json_decref(doc);
	return rc;
}
