/* What the rules remember per target between evaluations (its last status,
 * for the event log), keyed by the target's name ("container/black/web") in
 * a hash table, so a lookup costs the same for ten targets or a hundred
 * thousand, and forgotten once the target has not been seen for a while
 * (ephemeral container names come and go; nothing grows forever). */
#ifndef FLEETDECK_RULES_TARGET_STATE_H
#define FLEETDECK_RULES_TARGET_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

#define TARGET_NAME_LEN 96
/* A target unseen this long is forgotten: its next status is a first one. */
#define TARGET_FORGET_S 600.0

struct target_state {
	char name[TARGET_NAME_LEN];
	enum status status;          /* last status; 4 (ST_NONE in rules.c): none yet */
	double seen_at;              /* wall time of the newest evaluation that had it */
	uint32_t hash;
	bool used;
};

struct target_states {
	struct target_state *v;      /* open addressing, linear probing */
	size_t cap, n;
	double pruned_at;
};

/* The state of target `name`, added (status `initial`) if it has none;
 * marks it seen at `now`. Never NULL. */
struct target_state *target_state_get(struct target_states *ts, const char *name,
				      enum status initial, double now);
/* The state of `name`, or NULL (nothing added). */
struct target_state *target_state_find(const struct target_states *ts, const char *name);
/* Forgets targets unseen for TARGET_FORGET_S (at most one sweep a second). */
void target_state_prune(struct target_states *ts, double now);
void target_states_free(struct target_states *ts);

#endif
