/* Model: [runners] fleets and [key] credentials (issue: actions). */
#ifndef FLEETDECK_MODEL_ACTIONS_H
#define FLEETDECK_MODEL_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX_RUNNERS 64

struct runner_item {
	char name[64];
	char state[16];              /* busy, idle, offline, starting */
	double created_at;
};

struct runners_sample {
	bool collected;
	double sampled_at;
	double interval;             /* seconds between listings (staleness) */
	char error[256];
	int count, busy, idle, offline, queued;   /* -1: unknown */
	double cost_hourly;          /* the fleet's running cost per hour (USD); < 0 unknown */
	int n;
	struct runner_item r[MODEL_MAX_RUNNERS];   /* keep last: only n are stored */
};

/* The bytes of s the model stores: the header and the n runners listed. */
static inline size_t runners_sample_size(const struct runners_sample *s)
{
	int n = s->n < 0 ? 0 : s->n > MODEL_MAX_RUNNERS ? MODEL_MAX_RUNNERS : s->n;

	return offsetof(struct runners_sample, r) + (size_t)n * sizeof(s->r[0]);
}

struct key_sample {
	bool collected;
	double sampled_at;
	double interval;
	char error[256];
	double created_at;           /* 0: unknown */
	char id[64];                 /* shown id or prefix, never the secret */
};

#endif
