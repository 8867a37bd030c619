#include "config.h"
#include "rules/target_state.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;     /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static struct target_state *slot_of(const struct target_states *ts, const char *name, uint32_t h)
{
	size_t mask = ts->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct target_state *e = &ts->v[i];

		if (!e->used || (e->hash == h && strcmp(e->name, name) == 0))
			return e;
	}
}

/* Rebuilds the table with room for `want` entries, keeping only those
 * seen since `keep_since`. */
static void rebuild(struct target_states *ts, size_t want, double keep_since)
{
	struct target_state *old = ts->v;
	size_t oldcap = ts->cap, cap = 16;

	while (cap < want * 2)
		cap *= 2;
	ts->v = xcalloc(cap, sizeof(*ts->v));
	ts->cap = cap;
	ts->n = 0;
	for (size_t i = 0; i < oldcap; i++) {
		struct target_state *e;

		if (!old[i].used || old[i].seen_at < keep_since)
			continue;
		e = slot_of(ts, old[i].name, old[i].hash);
		*e = old[i];
		ts->n++;
	}
	free(old);
}

struct target_state *target_state_find(const struct target_states *ts, const char *name)
{
	struct target_state *e;

	if (!ts->cap)
		return NULL;
	e = slot_of(ts, name, name_hash(name));
	return e->used ? e : NULL;
}

struct target_state *target_state_get(struct target_states *ts, const char *name,
				      enum status initial, double now)
{
	uint32_t h = name_hash(name);
	struct target_state *e;

	if ((ts->n + 1) * 2 > ts->cap)
		rebuild(ts, ts->n + 1, -1);
	e = slot_of(ts, name, h);
	if (!e->used) {
		e->used = true;
		e->hash = h;
		str_copy(e->name, name, sizeof(e->name));
		e->status = initial;
		ts->n++;
	}
	e->seen_at = now;
	return e;
}

/* Empties slot i and moves later entries of its probe run back into the
 * gap (backward-shift deletion: no tombstones, every lookup stays exact). */
static void remove_at(struct target_states *ts, size_t i)
{
	size_t mask = ts->cap - 1, j = i;

	for (;;) {
		j = (j + 1) & mask;
		if (!ts->v[j].used)
			break;
		size_t home = ts->v[j].hash & mask;
		/* an entry may fill the gap at i only if its home is not in (i, j] */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			ts->v[i] = ts->v[j];
			i = j;
		}
	}
	ts->v[i].used = false;
	ts->n--;
}

/* Removes expired entries in place: no allocation, one sweep (a rebuild
 * per expiry allocated and copied the whole table every second). */
void target_state_prune(struct target_states *ts, double now)
{
	double keep_since = now - TARGET_FORGET_S;

	if (now - ts->pruned_at < 1.0 && now >= ts->pruned_at)
		return;
	ts->pruned_at = now;
	for (size_t i = 0; i < ts->cap; i++)
		while (ts->v[i].used && ts->v[i].seen_at < keep_since)
			remove_at(ts, i);   /* slot i may hold a moved entry now */
	/* give memory back once the table is mostly empty */
	if (ts->cap > 64 && ts->n * 8 < ts->cap)
		rebuild(ts, ts->n, keep_since);
}

void target_states_free(struct target_states *ts)
{
	free(ts->v);
	memset(ts, 0, sizeof(*ts));
}
