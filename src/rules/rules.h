/* Rules: pure functions from (fleet, snapshot, now) to statuses and alerts.
 *
 * They run on the reader's side (UI thread, --once, --check), not in the
 * collector, so that staleness is judged against the reader's clock: if the
 * collector ever froze, data would turn stale and unknown on screen instead of
 * staying green. The only memory between evaluations is rules_state (when an
 * alert started, the last OOM count seen, the event log). */
#ifndef FLEETDECK_RULES_H
#define FLEETDECK_RULES_H

#include "fleet/fleet.h"
#include "model/model.h"

#define RULES_MAX_PROBLEMS 8
#define RULES_TEXT_LEN 192

struct problem {
	enum status severity;
	char code[32];               /* stable key, e.g. "psi", "disk:/", "reserve" */
	char text[RULES_TEXT_LEN];   /* what a user reads */
};

struct host_eval {
	enum status status;
	bool stale;                  /* sample older than 3 x interval */
	double age;                  /* seconds since sampled_at, -1 if never */
	int nproblems;
	struct problem problems[RULES_MAX_PROBLEMS];
};

struct alert {
	enum status severity;
	char target[96];             /* "host/black" */
	char code[32];
	char message[RULES_TEXT_LEN];
	double since;                /* wall time the alert first appeared */
};

struct event {
	double at;
	enum status from, to;
	char target[96];
	char message[RULES_TEXT_LEN];
};

#define RULES_MAX_EVENTS 512

struct rules_state {
	size_t nhosts;
	uint64_t *oom_seen;          /* last oom_kills seen per host */
	bool *oom_known;
	double *oom_at;              /* wall time of the newest OOM kill seen */
	enum status *last_status;    /* for the event log */
	struct alert *prev;          /* alerts of the previous evaluation */
	size_t nprev;
	struct event events[RULES_MAX_EVENTS];  /* ring */
	size_t nevents, event_pos;
};

struct evaluation {
	enum status worst;
	size_t nhosts;
	struct host_eval *hosts;     /* index matches the snapshot */
	struct alert *alerts;        /* worst first, then oldest first */
	size_t nalerts;
	double oldest_age;           /* seconds; age of the oldest host data shown */
	int counts[4];               /* targets per status, stale counted unknown */
};

void rules_state_init(struct rules_state *st, size_t nhosts);
void rules_state_free(struct rules_state *st);

/* Evaluates every host; *out is (re)filled and owned by the caller. */
void rules_evaluate(const struct fleet *f, const struct snapshot *snap, double now,
		    struct rules_state *st, struct evaluation *out);
void evaluation_free(struct evaluation *ev);

/* Evaluates one host sample (no memory between calls except oom_at). */
void rules_eval_host(const struct fleet_host *h, const struct host_sample *s, double now,
		     double oom_at, struct host_eval *out);

#endif
