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
#include "rules/target_state.h"

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
	/* wall time the data turns stale (sampled_at + 3 x interval), 0 if
	 * unknown: the screen redraws then, not at its next clock second */
	double stale_at;
	int nproblems;
	struct problem problems[RULES_MAX_PROBLEMS];
};

/* Empties ev: no problems, ok, never sampled. Only the header is written
 * (the problems past nproblems are never read), so clearing one costs a
 * few bytes, not the 1.8 KB of the problem slots: rules do it for every
 * host on every evaluation. */
static inline void host_eval_clear(struct host_eval *ev)
{
	ev->status = ST_OK;
	ev->stale = false;
	ev->age = -1;
	ev->stale_at = 0;
	ev->nproblems = 0;
}

/* Every target that is not a host: containers and GPUs (per host),
 * services, links, databases, backups, runner fleets, keys, and a large
 * [prometheus] section or one of its hosts. Its kind is its domain
 * (enum domain_id, model.h; never DOM_HOST: hosts are not targets). */
struct target_eval {
	enum domain_id kind;
	int index;                   /* in its snapshot array (host index for containers, GPUs) */
	int sub;                     /* container or GPU index within the host, else -1 */
	char target[96];             /* "database/platform.db", "container/black/web" */
	struct host_eval ev;         /* status, staleness, problems: same shape as a host's */
	/* the domain's own verdict beside the status, for views and outputs
	 * to show, never to compute again (backups: enum rpo_status); -1 none */
	int verdict;
	/* a host judged outside the model's hosts (a large [prometheus]
	 * section): counted in counts[], not target_counts[] */
	bool host;
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

struct host_visits;

struct rules_state {
	size_t nhosts;
	/* --once/--check: samples taken at or after this wall time belong to
	 * the run and are never stale, however long its slowest target took
	 * (0: judge every sample by its age, as the dashboard does) */
	double fresh_since;
	/* last status of every other target, for the event log: a hash table
	 * by target name, forgetting targets gone for TARGET_FORGET_S */
	struct target_states tstatus;
	/* memory a domain's rules keep between evaluations (e.g. GPUs seen),
	 * owned by that domain: freed with dom_free[k] */
	void *dom[DOM__COUNT];
	void (*dom_free[DOM__COUNT])(void *);
	/* per host, what the last evaluation into hosts_id's array holds: the
	 * sample's generation it judged, and until when that judgement holds
	 * without a new sample (the next stale or overdue moment); a host
	 * that did not change is not judged again, only its age moves */
	uint64_t cache_id;
	uint64_t *judged_gen;
	double *judged_at, *judged_until;
	uint64_t *oom_seen;          /* last oom_kills seen per host */
	bool *oom_known;
	double *oom_at;              /* wall time of the newest OOM kill seen */
	enum status *last_status;    /* for the event log */
	struct alert *prev;          /* alerts of the previous evaluation */
	size_t nprev;
	struct event events[RULES_MAX_EVENTS];  /* ring */
	size_t nevents, event_pos;
	/* what the last evaluation saw (rules_hosts_visit()): the model it
	 * followed, how far, and the fleet; since_seen: snap->changed is all
	 * that changed since then */
	const void *seen_src;
	const struct fleet *seen_fleet;
	uint64_t seen_jpos, evals;
	bool since_seen;
	struct host_visits *visits[DOM__COUNT];
	size_t visited;              /* hosts the last evaluation's per-host domains visited */
	/* evaluate_hosts()' running totals for the hosts array it keeps
	 * (cache_id): counts per status, the hosts in time order of their next
	 * change and of their data's age, the hosts with problems; an
	 * evaluation that follows on from the last one judges only the hosts
	 * that changed or whose moment came (rules.c) */
	struct host_book *book;
	size_t judged;               /* hosts the last evaluation judged or looked at */
};

struct evaluation {
	enum status worst;
	size_t nhosts;
	struct host_eval *hosts;     /* index matches the snapshot */
	uint64_t hosts_id;           /* which array this is (rules_state.cache_id) */
	struct alert *alerts;        /* worst first, then oldest first */
	size_t nalerts;
	double oldest_age;           /* seconds; age of the oldest host data shown */
	int counts[4];               /* hosts per status, stale counted unknown */
	struct target_eval *targets; /* every other target, in domain order */
	size_t ntargets, captargets;
	/* rules_target_find()'s index of targets by (kind, index, sub): open
	 * addressing, slot = target index + 1, 0 empty (NULL: built by hand,
	 * searched in order) */
	uint32_t *tindex;
	size_t tindex_cap;
	int target_counts[4];        /* other targets per status */
	/* the next moment, after the evaluation's now, at which a judgement
	 * changes with no new data (a host or target turns stale, a poll
	 * becomes overdue): a screen showing it is drawn again then;
	 * INFINITY when nothing is due */
	double next_change;
	/* rules_state.fresh_since of the run that made it (0: the dashboard),
	 * for what judges a sample outside the rules (rules_eval_judge_time) */
	double fresh_since;
	/* set by the caller (the dashboard) before evaluating: a host that was
	 * not judged again keeps the age of its last judgement in hosts[i].age;
	 * read ages with rules_host_age(), which counts them from `now` (no
	 * pass over every host per evaluation). false: every age is current. */
	bool ages_on_read;
	double now;                  /* the evaluation's now */
	double *host_sampled;        /* per host: sampled_at judged, 0 never (rules_evaluate) */
	size_t nstale;               /* hosts whose data is stale (rules_evaluate) */
};

/* Host i's data age at the evaluation's now, -1 if never sampled. */
static inline double rules_host_age(const struct evaluation *ev, size_t i)
{
	double at;

	if (!ev->ages_on_read || !ev->host_sampled || ev->fresh_since > 0)
		return ev->hosts[i].age;
	at = ev->host_sampled[i];
	if (at <= 0)
		return ev->hosts[i].age;
	return ev->now > at ? ev->now - at : 0;
}

/* Whether any of the first n hosts is stale. */
bool rules_any_stale(const struct evaluation *ev, size_t n);

/* For the domains' rules (rules/<domain>.c): add a target, then its problems.
 * The evaluation derives the target's status (worst problem, at least the
 * status the domain set), alerts with their `since` and the event log. */
struct target_eval *rules_target_add(struct evaluation *out, enum domain_id kind,
				     int index, int sub, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void rules_problem_add(struct host_eval *ev, enum status sev, const char *code,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* For a per-host domain's rules (d: containers, GPUs): the hosts to visit
 * now, ascending, below n. Every host, unless the last evaluation's result
 * is known to hold for the others: then only the hosts whose host or
 * domain-d sample changed since (snap->changed), the hosts that produced
 * targets last time, and every host once a quiet moment has come. A
 * visited host that produces no target tells until when that holds
 * without a new sample with rules_host_quiet() (it is visited again then,
 * or when a sample changes); one that does not is visited every time. */
size_t rules_hosts_visit(struct rules_state *st, const struct snapshot *snap, enum domain_id d,
			 size_t n, double now, const size_t **hosts);
void rules_host_quiet(struct rules_state *st, enum domain_id d, size_t i, double until);
/* Data older than this many intervals is stale: shown dimmed, counted unknown. */
#define RULES_STALE_FACTOR 3.0
/* Marks ev stale (with an unknown "stale: no data for …" problem) when
 * sampled_at is older than RULES_STALE_FACTOR x interval; sets ev->age.
 * Returns true when stale (the caller then stops judging the values). */
bool rules_check_stale(struct host_eval *ev, double sampled_at, double interval, double now);
/* The moment to judge a sample at: its own sampling moment when it was
 * taken during this --once/--check run (st->fresh_since), so that what a
 * target answered early in a long round is not stale at the round's end;
 * now otherwise (the dashboard). Every domain judges its samples at it. */
double rules_judge_time(const struct rules_state *st, double sampled_at, double now);
/* The same for code that has the evaluation but not the state (outputs). */
double rules_eval_judge_time(const struct evaluation *ev, double sampled_at, double now);

/* Indexes out's targets for rules_target_find() (rules_evaluate() does;
 * an evaluation built by hand is searched in order without it). */
void rules_target_index(struct evaluation *out);
/* Finds the evaluation of a target, NULL if it has none. */
const struct target_eval *rules_target_find(const struct evaluation *ev, enum domain_id kind,
					    int index, int sub);

/* One function per domain, listed in rules.c's table. */
typedef void (*rules_domain_fn)(const struct fleet *f, const struct snapshot *snap, double now,
				struct rules_state *st, struct evaluation *out);

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
