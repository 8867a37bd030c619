/* The §4 JSON document seen as flat numbers: one table of metric families
 * (which array, which field, which unit) drives both OpenMetrics and CSV,
 * so the three export formats can never disagree about a value, and every
 * "unknown" (a JSON null) stays absent instead of turning into a zero. */
#ifndef FLEETDECK_OUT_FLAT_H
#define FLEETDECK_OUT_FLAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What a family's numbers belong to: an array of the document (hosts,
 * databases, ...) or an array inside each host (containers, gpus, disks). */
struct flat_kind {
	const char *kind;            /* "host", "container", ... (metric name part) */
	const char *array;           /* JSON array holding the elements */
	int parent;                  /* index of the enclosing kind, -1: top level */
	/* labels naming one element: label name and the element's field */
	const char *label[2], *field[2];
	const char *sep;             /* before this kind's last label in the target ("/" if NULL) */
};

enum flat_how {
	FH_NUMBER,                   /* the field's number x scale */
	FH_BOOL,                     /* true 1, false 0 */
	FH_STATUS,                   /* a status string: one 0/1 sample per status */
};

struct flat_family {
	int kind;                    /* index into flat_kinds */
	const char *name;            /* the OpenMetrics family name */
	const char *unit;            /* OpenMetrics UNIT, "" for none */
	const char *field;           /* path in the element: "cpu_pct", "load.0", "archiver.failed_count" */
	double scale;                /* JSON value x scale = metric value */
	enum flat_how how;
	const char *help;
	const char *csv;             /* the CSV metric name, NULL: field */
};

extern const struct flat_kind flat_kinds[];
extern const size_t flat_nkinds;
extern const struct flat_family flat_families[];
extern const size_t flat_nfamilies;
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

/* Calls fn for every element of kind k in the document, in document order. */
void flat_each(json_t *doc, int k, flat_elem_fn fn, void *ctx);

/* The field at `path` ("a.b", "load.0") of obj, or NULL. */
json_t *flat_get(json_t *obj, const char *path);

/* The family's value for an element; false when unknown (null or absent). */
bool flat_value(const struct flat_family *fam, json_t *obj, double *v);

#endif
