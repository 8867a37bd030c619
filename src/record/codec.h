/* The recording's codec (doc/history.md): the model's samples as JSON
 * objects, field by field, by name. A table per sample struct says which
 * fields are recorded (never a DSN, never the history rings, never raw
 * counters), so one pair of functions encodes a change and applies it:
 *
 *   rec_delta(domain, prev, cur)  -> {"cpu_pct":12.5,"sampled_at":-0.12}
 *   rec_apply(domain, prev, json) -> prev is now what the reader will see
 *
 * A keyframe is a delta from a zeroed sample. Fields are matched by name,
 * so a reader ignores fields it does not know and leaves missing ones
 * zero: a recording survives changes of the structs. */
#ifndef FLEETDECK_RECORD_CODEC_H
#define FLEETDECK_RECORD_CODEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "fleet/fleet.h"
#include "model/model.h"

struct rec_desc;

/* One domain of the model as the recording names it: "hosts",
 * "containers", "databases", ... (its section, per-host-ness and sample
 * size come from the domain table, domain/domain.h). */
struct rec_domain {
	enum domain_id id;
	const char *name;            /* key in round and keyframe records */
	const struct rec_desc *desc;
};

extern const struct rec_domain rec_domains[];
extern const size_t rec_ndomains;

/* The whole sample struct of domain d (what a delta compares), and the
 * largest of them. */
size_t rec_elem_size(const struct rec_domain *d);
size_t rec_scratch_size(void);
/* Target i of s copied whole into out (rec_elem_size bytes; the model
 * stores only the used part of a list, the rest reads as zeros). */
void rec_elem_read(const struct rec_domain *d, const struct snapshot *s, size_t i, void *out);
/* Target i of a hand-made snapshot (recorder, replay), writable and whole. */
void *rec_elem_edit(const struct rec_domain *d, struct snapshot *s, size_t i);

/* The changed fields of cur against prev (NULL: a zeroed sample) as a new
 * JSON object, or NULL when nothing changed. Times are written relative to
 * t (the record's time), numbers rounded to 1/1000. */
json_t *rec_delta(const struct rec_domain *d, const void *prev, const void *cur, double t);

/* Applies a delta onto dst. Unknown fields are ignored; values of the
 * wrong type or out of range are refused field by field (counted in
 * *refused when not NULL). */
void rec_apply(const struct rec_domain *d, void *dst, json_t *obj, double t, int *refused);

/* The name that keys target i of domain d in fleet f ("black",
 * "platform.db"), or NULL; the number of targets the fleet gives it. */
const char *rec_elem_name(const struct rec_domain *d, const struct fleet *f, size_t i);
size_t rec_elem_count(const struct rec_domain *d, const struct fleet *f);
/* Index of the target named name, -1 if none. */
int rec_elem_index(const struct rec_domain *d, const struct fleet *f, const char *name);

/* Rounds to the recording's precision (1/1000). */
double rec_round(double v);

#endif
