/* The §4 JSON document seen as flat numbers: one table of metric families
 * (which array, which field, which unit) drives both OpenMetrics and CSV,
 * so the three export formats can never disagree about a value, and every
 * "unknown" (a JSON null) stays absent instead of turning into a zero. */
#ifndef FLEETDECK_OUT_FLAT_H
#define FLEETDECK_OUT_FLAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/domain.h"
#include "util/util.h"

enum flat_how {
	FH_NUMBER,                   /* the field's number x scale */
	FH_BOOL,                     /* true 1, false 0 */
	FH_STATUS,                   /* a status string: one 0/1 sample per status */
};

struct flat_family {
	const char *name;            /* the OpenMetrics family name */
	const char *unit;            /* OpenMetrics UNIT, "" for none */
	const char *field;           /* path in the element: "cpu_pct", "load.0", "archiver.failed_count" */
	double scale;                /* JSON value x scale = metric value */
	enum flat_how how;
	const char *help;
	const char *csv;             /* the CSV metric name, NULL: field */
};

/* What a family's numbers belong to: an array of the document (hosts,
 * databases, ...) or an array inside each host (containers, gpus, disks),
 * with its families. Each domain defines its kinds beside its writers
 * (out/out_*.c; the host's and its disks' in flat.c), declares them in
 * out/domains.h and lists them in its row of the domain table (.export),
 * so the export formats name no domain. */
struct flat_kind {
	const char *kind;            /* "host", "container", ... (metric name part) */
	const char *array;           /* JSON array holding the elements */
	const struct flat_kind *parent;  /* the enclosing kind (&flat_host), NULL: top level */
	/* labels naming one element: label name and the element's field */
	const char *label[2], *field[2];
	const char *sep;             /* before this kind's last label in the target ("/" if NULL) */
	const struct flat_family *fam;   /* its families, in output order */
	size_t nfam;
};

/* A family row: FLAT("host_cores", "", "cores", 1, FH_NUMBER, "CPU cores.");
 * names follow the Prometheus conventions: base units (seconds, bytes),
 * ratios 0..1 instead of percent (scale FLAT_PCT), and gauges only (a
 * counter's OpenMetrics "_total" sample name differs from its family name,
 * which the classic text format and promtool read as two families; the few
 * cumulative numbers are gauges whose HELP says so). */
#define FLAT(name, unit, field, scale, how, help) \
	{ "fleetdeck_" name, unit, field, scale, how, help, NULL }
#define FLAT_PCT 0.01
#define FLAT_MS 0.001
/* a kind's families in its initializer: FLAT_FAMILIES(gpu_families) */
#define FLAT_FAMILIES(a) a, ARRAY_LEN(a)

/* Every exported kind: the domain table's rows' .export, in table order. */
#define FLAT_KINDS_FOREACH(k) \
	for (const struct domain *flat_d_ = domains; flat_d_ < domains + DOM__COUNT; flat_d_++) \
		for (const struct flat_kind *const *k = flat_d_->export; k && *k; k++)

extern const char *const flat_statuses[4];   /* ok warn crit unknown */

/* One element of a kind, with the labels that name it (parents first). */
struct flat_elem {
	json_t *obj;
	int nlabels;
	const char *lname[4];
	char lvalue[4][128];         /* label values as text (numbers printed) */
	char target[200];            /* "host/black", "container/black/web": as in alerts */
};

typedef void (*flat_elem_fn)(void *ctx, const struct flat_elem *e);

/* Calls fn for every element of kind k in one part of the document (see
 * out_part_fn in out/out.h: a top-level member's key and value, or an
 * element of a top-level array), in document order. */
void flat_part(const struct flat_kind *k, const char *key, json_t *v, flat_elem_fn fn,
	       void *ctx);

/* The field at `path` ("a.b", "load.0") of obj, or NULL. */
json_t *flat_get(json_t *obj, const char *path);

/* The family's value for an element; false when unknown (null or absent). */
bool flat_value(const struct flat_family *fam, json_t *obj, double *v);

#endif
