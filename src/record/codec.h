/* The recording's codec (doc/history.md): the model's samples as JSON
 * objects, field by field, by name. Each domain's row names a table of its
 * sample's recorded fields (.record, model/fields.h: never a DSN, never raw
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
#include "domain/domain.h"

/* The recorded domains: the rows of the domain table (domain/domain.h)
 * that have a .record, in its order; each is keyed by its json_key
 * ("hosts", "containers", "databases", ...) in round and keyframe records,
 * its section, per-host-ness and sample size are its row's. */
#define REC_DOMAINS_FOREACH(d) DOMAINS_FOREACH(d) if ((d)->record)

/* The recorded domain keyed by name, or NULL. */
const struct domain *rec_domain_by_name(const char *name);

/* The largest sample struct of a recorded domain (a delta compares whole
 * structs: d->sample_size bytes). */
size_t rec_scratch_size(void);
/* Target i of s copied whole into out (d->sample_size bytes; the model
 * stores only the used part of a list, the rest reads as zeros). */
void rec_elem_read(const struct domain *d, const struct snapshot *s, size_t i, void *out);
/* Target i of a hand-made snapshot (recorder, replay), writable and whole. */
void *rec_elem_edit(const struct domain *d, struct snapshot *s, size_t i);

/* The changed fields of cur against prev (NULL: a zeroed sample) as a new
 * JSON object, or NULL when nothing changed. Times are written relative to
 * t (the record's time), numbers rounded to 1/1000. */
json_t *rec_delta(const struct domain *d, const void *prev, const void *cur, double t);

/* Applies a delta onto dst. Unknown fields are ignored; values of the
 * wrong type or out of range are refused field by field (counted in
 * *refused when not NULL). */
void rec_apply(const struct domain *d, void *dst, json_t *obj, double t, int *refused);

/* The name that keys target i of domain d in fleet f ("black",
 * "platform.db"), or NULL; past the fleet's targets, the name a found
 * target has in snapshot s (domain.found_name; NULL s: none). The number
 * of targets the fleet gives the domain. */
const char *rec_elem_name(const struct domain *d, const struct fleet *f, const struct snapshot *s,
			  size_t i);
size_t rec_elem_count(const struct domain *d, const struct fleet *f);
/* Index of the target named name (a found one: in s), -1 if none; a
 * domain with found targets gives an unknown name the next index past
 * them (replay: it is found now). */
int rec_elem_index(const struct domain *d, const struct fleet *f, const struct snapshot *s,
		   const char *name);

/* Rounds to the recording's precision (1/1000). */
double rec_round(double v);

#endif
