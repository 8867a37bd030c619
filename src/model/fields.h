/* A sample struct described field by field: what a recording keeps of it
 * (record/codec.c encodes and applies these; doc/history.md).
 *
 * Each domain describes its own sample next to its writers (out/out_*.c)
 * and names the description in its row of the domain table (.record), so
 * the codec names no domain. A table lists the recorded fields only: never
 * a DSN, never raw counters a reader cannot use. Fields are matched by
 * name in the recording, so renaming one makes older recordings lose it.
 *
 *   static const struct rec_field queue_fields[] = {
 *           R_BOO(struct queue_sample, collected), R_TIM(struct queue_sample, sampled_at),
 *           R_INT(struct queue_sample, depth),
 *   };
 *   R_DESC(rec_queues, queue_fields);       (declared in out/domains.h) */
#ifndef FLEETDECK_MODEL_FIELDS_H
#define FLEETDECK_MODEL_FIELDS_H

#include <stddef.h>

#include "util/util.h"

enum rf_type {
	RF_DBL,       /* double, rounded to 1/1000 */
	RF_TIME,      /* Unix time: written relative to the record's time, 0 = null */
	RF_U64,
	RF_INT,       /* int or enum (sizeof(int)) */
	RF_UINT,      /* unsigned (valid bits) */
	RF_BOOL,
	RF_STR,       /* char array */
	RF_ARR,       /* array of sub-structs with an int count */
};

struct rec_desc;

struct rec_field {
	const char *name;
	enum rf_type type;
	size_t off;
	size_t size;                 /* RF_STR: buffer; RF_ARR: element; else the member's size */
	int n;                       /* fixed numeric arrays (load[3]); 0 = one value */
	const struct rec_desc *sub;  /* RF_ARR */
	size_t count_off;            /* RF_ARR: offset of its int count */
	int max;                     /* RF_ARR: capacity */
};

struct rec_desc {
	const struct rec_field *f;
	size_t n;
};

#define R_MSIZE(S, m) sizeof(((S *)0)->m)
#define R_NUM(S, m, T) { #m, T, offsetof(S, m), R_MSIZE(S, m), 0, NULL, 0, 0 }
#define R_DBL(S, m) R_NUM(S, m, RF_DBL)
#define R_TIM(S, m) R_NUM(S, m, RF_TIME)
#define R_U64(S, m) R_NUM(S, m, RF_U64)
#define R_INT(S, m) R_NUM(S, m, RF_INT)
#define R_UNS(S, m) R_NUM(S, m, RF_UINT)
#define R_BOO(S, m) R_NUM(S, m, RF_BOOL)
#define R_STR(S, m) R_NUM(S, m, RF_STR)
#define R_VEC(S, m, k) { #m, RF_DBL, offsetof(S, m), sizeof(double), k, NULL, 0, 0 }
#define R_ARR(S, m, E, cnt, desc) \
	{ #m, RF_ARR, offsetof(S, m), sizeof(E), 0, &desc, offsetof(S, cnt), \
	  (int)(R_MSIZE(S, m) / sizeof(E)) }
/* A description (write `static R_DESC(...)` for an element's) */
#define R_DESC(name, fields) const struct rec_desc name = { fields, ARRAY_LEN(fields) }

#endif
