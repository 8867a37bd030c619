/* The large-fleet collector: a [prometheus] section whose hosts are not
 * model hosts (more than server_rules_above of them, or a server that did
 * not answer at start) is judged on the server.
 *
 * A round is two steps, whatever the fleet's size:
 *   1. the counts per status and the problem hosts, from the rules'
 *      thresholds written as PromQL (prom_query.c, prom_check_query) and
 *      evaluated by the server: the number of hosts up, and one list per
 *      kind of problem of only the hosts that have it (no answer holds
 *      every host), merged by name to each host's worst reason; the worst
 *      PROM_PROBLEMS of them are kept as rows;
 *   2. the rows: those problem hosts and the hosts the overview has on
 *      screen (model_prom_wanted(): offset, count and filter), their status
 *      and the values the overview shows, by queries restricted to exactly
 *      those host names.
 * Scrolling or filtering runs step 2 alone, at once. The first step 1's
 * counts and problem hosts are published as soon as it answers; the names
 * (for paging and the filter) come from discovery, here in the collector,
 * only after it (the longest answer: every host), retried with backoff
 * while the server does not answer, and refreshed every PF_REDISCOVER
 * rounds. --once also fetches every host's values
 * (step 3) so that --once --json is complete. See doc/prometheus.md. */
#include "config.h"
#include "collect/http.h"
#include "collect/prometheus.h"
#include "collect/prom_client.h"
#include "collect/prom_hosts.h"
#include "collect/prom_query.h"
#include "collect/source.h"
#include "util/util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PF_REDISCOVER 30           /* rounds between discoveries */
#define PF_BACKOFF_MIN 1.0
#define PF_BACKOFF_MAX 60.0
#define PF_DEFAULT_WINDOW 40       /* rows fetched before the UI asks */
#define PF_CHECK_RETRIES 2         /* a busy server's check asked again alone */
#define PF_CHECK_RETRY 1.0         /* s before the first retry, doubling */
#define PF_NARROW_MAX 1000         /* a prefilter's hosts kept to be asked by name */

/* What step 2 reads for each row: what the overview shows. */
static const enum prom_value row_values[] = {
	PV_UP, PV_LOAD1, PV_CPU, PV_MEMTOTAL, PV_MEMAVAIL, PV_PSI_SOME,
	PV_FS_SIZE, PV_FS_FREE, PV_FS_AVAIL,
};
#define NROWV ARRAY_LEN(row_values)

enum step { S_IDLE, S_DISCOVER, S_SUMMARY, S_ROWS, S_FULL };

struct pfl;

struct pcall {
	struct prom_call call;
	struct pfl *pf;
	enum prom_value v;
};

struct problem {
	char name[PROM_NAME_MAX];
	uint16_t reason;
	bool down;                     /* tagged down (up == 0): not counted up */
	float value;                   /* the check's value for that reason (PSI %, disk %) */
};

struct pfl {
	const struct collect_env *env;
	size_t index;                  /* among the [prometheus] sections */
	const struct fleet_section *sec;
	struct prom_conn conn;
	char **mounts;
	size_t nmounts;
	struct fleet_thresholds th;
	double interval, rate_window;
	bool once;
	struct prom_scrape scrape;     /* the server's scrape interval */
	bool scrape_started;

	enum step step;
	int pending;
	double next_poll, next_discover, backoff;
	int rounds, since_discover;
	uint64_t want_gen;             /* of the ask the rows answer */
	bool rows_stale;               /* the ask changed: step 2 again */

	/* discovery */
	struct prom_names names, fresh;
	bool have_names;
	bool summarized;               /* a step 1 answered: the counts are shown */
	bool names_then_rows;          /* the first discovery runs between steps 1 and 2 */
	size_t njudged;                /* hosts the last step 1 judged */
	size_t unknown_judged;         /* of them unknown */

	/* step 1 */
	struct pcheck {
		struct prom_call call;
		struct pfl *pf;
		enum prom_check k;
		int tries;             /* retries so far this round */
		bool waits_window;     /* PSI: started once the rate window is known */
		double retry_at;       /* > 0: asked again alone then */
		bool narrowing;        /* its prefilter is asked: hosts, not problems */
		char **cand;           /* the prefilter's hosts (PF_NARROW_MAX kept) */
		size_t ncand;          /* how many it answered */
	} checks[PC__N];
	double upcount;
	struct problem *all_prob;      /* every problem host this round (worst reason) */
	size_t nall_prob, capall_prob;
	uint32_t *prob_slots;          /* hash of all_prob by name */
	size_t nprob_slots;
	struct problem prob[PROM_PROBLEMS];
	int nprob;
	double eval_time;

	/* step 2 */
	struct prom_want want;
	const char *rowname[PROM_ROWS];
	int nrows;
	struct prom_hostset rows;
	uint16_t reason[PROM_ROWS];
	bool judged[PROM_ROWS];
	struct prom_call status;
	struct pcall rowq[NROWV];
	int chunk_at, chunk_end;       /* the rows asked now: [at, end) of rowname[] */
	uint32_t rows_ok;              /* the values every chunk so far answered */
	size_t win_offset, nmatch;

	/* filter cache: indices into names.v that match it */
	char match_filter[PROM_FILTER_MAX];
	bool match_valid;
	uint32_t *match;
	size_t nmatched;

	/* step 3 (--once) */
	struct prom_hostset all;
	struct pcall fullq[PV__N];
	struct prom_values *full;   /* the values of names.v[i], kept (--once) */
	bool full_done;

	struct prom_fleet pub;
};

struct pfls {
	struct collect_env env;
	struct pfl *v;
	size_t n;
};

static void step_done(struct pfl *pf);

/* ---- helpers ---- */

static struct prom_qctx qctx(const struct pfl *pf, const char *const *names, size_t n)
{
	return (struct prom_qctx){
		.label = pf->conn.label, .match = fleet_section_get(pf->sec, "match"),
		.mounts = pf->mounts, .nmounts = (int)pf->nmounts, .names = names, .nnames = n,
		.oom_hold = pf->th.oom_hold, .rate_window = pf->rate_window,
	};
}

static void call_done(struct prom_call *c)
{
	struct pfl *pf = c->arg;

	if (--pf->pending == 0)
		step_done(pf);
}

static void pcall_done(struct prom_call *c)
{
	struct pcall *pc = c->arg;

	if (--pc->pf->pending == 0)
		step_done(pc->pf);
}

/* Starts one instant query; false (with its error kept) when it could not. */
static bool start_query(struct pfl *pf, struct prom_call *c, const char *promql, size_t cap)
{
	char *args = prom_query_args(promql, cap + 1);
	bool ok;

	c->cap = cap;
	pf->pending++;
	ok = prom_call_start(c, pf->env->http, "query", args) == 0;
	if (!ok)
		pf->pending--;
	free(args);
	return ok;
}

static void publish(struct pfl *pf)
{
	pf->pub.interval = pf->interval;
	/* only the rows in use are stored */
	collect_publish(pf->env, DOM_PROMFLEET, pf->index, &pf->pub, prom_fleet_size(&pf->pub));
}

static void fail(struct pfl *pf, const char *what, const char *why)
{
	str_fmt(pf->pub.error, sizeof(pf->pub.error), "Prometheus %s (%s) %s: %s", pf->sec->name,
		pf->conn.base, what, why);
	str_sanitize(pf->pub.error);
	pf->pub.attempted_at = now_wall();
}

/* ---- discovery ---- */

/* The names' call keeps its own arg (the names); its pfl is around it. */
static void discover_call_done(struct prom_call *c)
{
	struct prom_names *nm = (struct prom_names *)((char *)c - offsetof(struct prom_names, call));
	struct pfl *pf = (struct pfl *)((char *)nm - offsetof(struct pfl, fresh));

	if (--pf->pending == 0)
		step_done(pf);
}

static void discover_start(struct pfl *pf, double now)
{
	char *args, err[256];

	pf->step = S_DISCOVER;
	prom_names_init(&pf->fresh, &pf->conn);
	if (prom_names_args(&pf->fresh, &args, err, sizeof(err)) < 0) {
		fail(pf, "cannot be asked", err);
		pf->step = S_IDLE;
		pf->next_discover = now + PF_BACKOFF_MAX;
		if (pf->names_then_rows) {
			pf->names_then_rows = false;
			pf->rounds++;  /* the round ends with step 1's counts */
			publish(pf);
		}
		return;
	}
	pf->fresh.call.done = discover_call_done;
	pf->pending = 1;
	if (prom_call_start(&pf->fresh.call, pf->env->http, "query", args) < 0) {
		pf->pending = 0;
		free(args);
		step_done(pf);
		return;
	}
	free(args);
}

static double jitter(double s)
{
	/* +-20 %, so many fleetdecks do not retry in step */
	return s * (0.8 + 0.4 * ((double)rand() / RAND_MAX));
}

/* The server did not answer (pub.error says how): the moment to ask again,
 * after a backoff (1 s doubling to 60 s, +-20 %), added to the error. */
static double backoff_next(struct pfl *pf, double now)
{
	char *e = pf->pub.error + strlen(pf->pub.error), at[16];
	double next;
	time_t t;

	pf->backoff = pf->backoff > 0 ? pf->backoff * 2 : PF_BACKOFF_MIN;
	if (pf->backoff > PF_BACKOFF_MAX)
		pf->backoff = PF_BACKOFF_MAX;
	next = now + jitter(pf->backoff);
	t = (time_t)(now_wall() + (next - now));
	strftime(at, sizeof(at), "%H:%M:%S", localtime(&t));
	str_fmt(e, sizeof(pf->pub.error) - (size_t)(e - pf->pub.error), "; asking again at %s", at);
	return next;
}

static void counts_settle(struct pfl *pf);
static void rows_start(struct pfl *pf);

static void discover_done(struct pfl *pf)
{
	char err[256];
	double now = now_mono();
	bool then_rows = pf->names_then_rows;

	pf->names_then_rows = false;
	pf->step = S_IDLE;
	if (prom_names_finish(&pf->fresh, err, sizeof(err)) < 0 || !pf->fresh.n) {
		if (pf->fresh.call.ok)
			str_copy(err, "no host matches", sizeof(err));
		prom_names_free(&pf->fresh);
		fail(pf, pf->fresh.call.ok ? "gave no hosts" : "did not answer", err);
		pf->next_discover = backoff_next(pf, now);
		/* the round ends with step 1's counts and problems (and their
		 * error); --once: that is the answer */
		if (then_rows)
			pf->rounds++;
		publish(pf);
		return;
	}
	prom_names_free(&pf->names);
	pf->names = pf->fresh;
	memset(&pf->fresh, 0, sizeof(pf->fresh));
	pf->have_names = true;
	pf->match_valid = false;
	pf->backoff = 0;
	pf->since_discover = 0;
	if (then_rows) {
		/* the round goes on: the hosts without a current `up` are known now */
		counts_settle(pf);
		rows_start(pf);
		return;
	}
	pf->pub.nhosts = pf->names.n;
	pf->next_poll = 0;  /* a round now */
}

/* ---- step 1: counts and problems ---- */

/* A problem host of this round: its worst reason so far. The lists are
 * small (only the hosts over a threshold), merged by name. */
static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void prob_rehash(struct pfl *pf)
{
	size_t n = 64;

	while (n < 2 * (pf->nall_prob + 1))
		n *= 2;
	free(pf->prob_slots);
	pf->prob_slots = xcalloc(n, sizeof(*pf->prob_slots));
	pf->nprob_slots = n;
	for (size_t i = 0; i < pf->nall_prob; i++) {
		size_t k = hash_name(pf->all_prob[i].name) & (n - 1);
		while (pf->prob_slots[k])
			k = (k + 1) & (n - 1);
		pf->prob_slots[k] = (uint32_t)i + 1;
	}
}

static void prob_merge(struct pfl *pf, const char *name, uint16_t reason, double value)
{
	struct problem *p;
	size_t k;

	if (2 * (pf->nall_prob + 1) > pf->nprob_slots)
		prob_rehash(pf);
	for (k = hash_name(name) & (pf->nprob_slots - 1); pf->prob_slots[k];
	     k = (k + 1) & (pf->nprob_slots - 1)) {
		p = &pf->all_prob[pf->prob_slots[k] - 1];
		if (strcmp(p->name, name) == 0) {
			/* the worst, as the rows' max by host of the reasons; a
			 * host down is down whatever its last values said (the
			 * checks are not joined with up == 1 on the server) */
			if (p->down)
				return;
			if (reason == PR_DOWN || reason > p->reason) {
				p->reason = reason;
				p->value = (float)value;
			}
			p->down |= reason == PR_DOWN;
			return;
		}
	}
	if (pf->nall_prob == pf->capall_prob) {
		pf->capall_prob = pf->capall_prob ? 2 * pf->capall_prob : 64;
		pf->all_prob = xrealloc(pf->all_prob, pf->capall_prob * sizeof(*pf->all_prob));
	}
	p = &pf->all_prob[pf->nall_prob];
	str_copy(p->name, name, sizeof(p->name));
	p->reason = reason;
	p->value = (float)value;
	p->down = reason == PR_DOWN;
	pf->prob_slots[k] = (uint32_t)++pf->nall_prob;
}

static void on_check(void *arg, const struct prom_sample *s)
{
	struct pcheck *pc = arg;
	struct pfl *pf = pc->pf;
	enum prom_problem kind = prom_check_problem(pc->k);

	if (!isfinite(s->value) || s->value < 0)
		return;
	if (s->ts > pf->eval_time)
		pf->eval_time = s->ts;
	if (pc->k == PC_UP) {
		pf->upcount = s->value;
		return;
	}
	if (s->cut || !s->label[0][0] || kind == PP__N)
		return;
	if (pc->narrowing) {
		if (pc->ncand < PF_NARROW_MAX)
			pc->cand[pc->ncand] = xstrdup(s->label[0]);
		pc->ncand++;
		return;
	}
	prob_merge(pf, s->label[0], (uint16_t)prom_check_reason(kind, s->value, &pf->th), s->value);
}

static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->reason / 100 != y->reason / 100)
		return y->reason / 100 - x->reason / 100;   /* worst first */
	return strcmp(x->name, y->name);
}

static void cand_clear(struct pcheck *pc)
{
	for (size_t i = 0; i < pc->ncand && i < PF_NARROW_MAX; i++)
		free(pc->cand[i]);
	free(pc->cand);
	pc->cand = NULL;
	pc->ncand = 0;
}

static bool checks_answered(const struct pfl *pf)
{
	for (int k = 0; k < PC__N; k++)
		if (pf->checks[k].call.ok)
			return true;
	return false;
}

/* A check the server was too busy for (or that timed out while another
 * answered: not a server that answers nothing) is asked again alone after
 * a short backoff, the others' answers kept: one 503 does not cost the
 * round (pfl_prepare starts it, checks_retry). */
static void check_done(struct prom_call *c)
{
	struct pcheck *pc = c->arg;

	if (prom_call_retryable(c) && pc->tries < PF_CHECK_RETRIES &&
	    (!c->timed_out || checks_answered(pc->pf))) {
		pc->retry_at = now_mono() + jitter(PF_CHECK_RETRY * (1 << pc->tries));
		pc->tries++;
		return;
	}
	if (c->ok && pc->narrowing) {
		/* the superset is known: the check's own query, for those
		 * hosts only, is started at once by pfl_prepare; none, no
		 * problem of that kind */
		pc->narrowing = false;
		pc->tries = 0;
		if (pc->ncand) {
			pc->retry_at = now_mono();
			return;
		}
	}
	if (--pc->pf->pending == 0)
		step_done(pc->pf);
}

/* Starts check pc's query (its prefilter first, when it has one: then
 * only the hosts that one answered, or every host when they were more
 * than PF_NARROW_MAX); false (its error kept) when it could not. */
static bool check_start(struct pfl *pf, struct pcheck *pc)
{
	bool few = !pc->narrowing && pc->ncand > 0 && pc->ncand <= PF_NARROW_MAX;
	struct prom_qctx c = qctx(pf, few ? (const char *const *)pc->cand : NULL, few ? pc->ncand : 0);
	/* before the first discovery (step 1 does not wait for it) the lists
	 * are bounded as discovery is */
	size_t cap = pf->have_names ? pf->names.n + pf->names.n / 4 + 64 : PROM_DISCOVER_MAX;
	char err[256] = "", *q = NULL;
	bool ok = false;

	if (pc->narrowing) {
		cand_clear(pc);  /* a retry's earlier answer */
		q = prom_check_prefilter(pc->k, &c, &pf->th, err, sizeof(err));
		if (q)
			pc->cand = xcalloc(PF_NARROW_MAX, sizeof(*pc->cand));
		else if (!err[0])
			pc->narrowing = false;  /* none: the check itself */
	}
	if (!q && !err[0])
		q = prom_check_query(pc->k, &c, &pf->th, err, sizeof(err));
	if (q && few && strlen(q) > PROM_QUERY_MAX) {
		/* too many names for one query: every host, as without the
		 * prefilter (one read more, the answer the same) */
		free(q);
		c = qctx(pf, NULL, 0);
		q = prom_check_query(pc->k, &c, &pf->th, err, sizeof(err));
	}

	prom_call_clear(&pc->call);  /* a retry's earlier request */
	pc->call = (struct prom_call){ .conn = &pf->conn, .doc = PROM_DOC_VECTOR,
		.want = { pf->conn.label, NULL }, .fn = on_check, .arg = pc, .done = check_done };
	if (q)
		ok = start_query(pf, &pc->call, q, pc->k == PC_UP ? 1 : cap);
	else
		str_copy(pc->call.err, err, sizeof(pc->call.err));
	free(q);
	return ok;
}

/* A check held out of the round's count (a retry due, PSI once the rate
 * window is known) is started: counted again by start_query, or the round
 * ends here when it could not start and was the last. */
static void check_start_held(struct pfl *pf, struct pcheck *pc)
{
	pf->pending--;
	if (!check_start(pf, pc) && pf->pending == 0)
		step_done(pf);
}

/* The checks due to be asked again: started now, or the deadline. */
static void checks_retry(struct pfl *pf, double now, double *deadline)
{
	for (int k = 0; k < PC__N; k++) {
		struct pcheck *pc = &pf->checks[k];
		if (pc->retry_at <= 0)
			continue;
		if (now < pc->retry_at) {
			deadline_min(deadline, pc->retry_at);
			continue;
		}
		pc->retry_at = 0;
		check_start_held(pf, pc);
	}
}

static void summary_start(struct pfl *pf, double now)
{
	/* the rates' window comes from the scrape interval's lookup (a read
	 * of every host's `up`): only the PSI check waits for it */
	bool wait_window = pf->scrape.busy && !fleet_section_get(pf->sec, "rate_window");

	pf->step = S_SUMMARY;
	pf->next_poll = now + pf->interval;
	pf->upcount = 0;
	pf->nall_prob = 0;
	if (pf->prob_slots)
		memset(pf->prob_slots, 0, pf->nprob_slots * sizeof(*pf->prob_slots));
	pf->nprob = 0;
	pf->eval_time = 0;
	pf->pending = 1;  /* held until all are started */
	for (int k = 0; k < PC__N; k++) {
		struct pcheck *pc = &pf->checks[k];
		pc->pf = pf;
		pc->k = (enum prom_check)k;
		pc->tries = 0;
		pc->retry_at = 0;
		cand_clear(pc);
		pc->narrowing = true;
		pc->waits_window = wait_window && k == PC_PSI;
		if (pc->waits_window)
			pf->pending++;  /* started by scrape_found */
		else
			check_start(pf, pc);
	}
	if (--pf->pending == 0)
		step_done(pf);
}

/* ---- step 2: the rows ---- */

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static bool is_problem(const struct pfl *pf, const char *name)
{
	for (int i = 0; i < pf->nprob; i++)
		if (strcmp(pf->prob[i].name, name) == 0)
			return true;
	return false;
}

/* The names matching the filter (by name, or all of them by the role
 * "via prometheus NAME" the overview matches too), cached per filter. */
static void match_update(struct pfl *pf, const char *filter)
{
	char role[128];
	bool all;

	if (pf->match_valid && strcmp(pf->match_filter, filter) == 0)
		return;
	str_copy(pf->match_filter, filter, sizeof(pf->match_filter));
	str_fmt(role, sizeof(role), "via prometheus %s", pf->sec->name);
	all = contains_nocase(role, filter);
	pf->match = xrealloc(pf->match, (pf->names.n ? pf->names.n : 1) * sizeof(*pf->match));
	pf->nmatched = 0;
	for (size_t i = 0; i < pf->names.n; i++)
		if (all || contains_nocase(pf->names.v[i], filter))
			pf->match[pf->nmatched++] = (uint32_t)i;
	pf->match_valid = true;
}

/* rowname[]: the problems, then the asked window of the others. */
static void rows_choose(struct pfl *pf)
{
	size_t k = 0, room;
	int count;

	pf->nrows = 0;
	for (int i = 0; i < pf->nprob; i++)
		pf->rowname[pf->nrows++] = pf->prob[i].name;
	model_prom_wanted(pf->env->m, pf->index, &pf->want);
	if (pf->want.count <= 0 && pf->want.offset == 0 && !pf->want.filter[0])
		pf->want.count = PF_DEFAULT_WINDOW;
	room = PROM_ROWS - (size_t)pf->nrows;
	count = pf->want.count < (int)room ? pf->want.count : (int)room;
	match_update(pf, pf->want.filter);
	pf->nmatch = 0;
	pf->win_offset = pf->want.offset;
	for (size_t i = 0; i < pf->nmatched; i++) {
		const char *name = pf->names.v[pf->match[i]];
		if (is_problem(pf, name))
			continue;
		if (k >= pf->win_offset && pf->nrows < pf->nprob + count)
			pf->rowname[pf->nrows++] = name;
		k++;
	}
	pf->nmatch = k;
}

static void on_row_status(void *arg, const struct prom_sample *s)
{
	struct pfl *pf = arg;
	long i;

	if (s->cut || !isfinite(s->value) || s->value < 0 || s->value >= 400 ||
	    (i = prom_hostset_find(&pf->rows, s->label[0])) < 0)
		return;
	pf->reason[i] = (uint16_t)s->value;
	pf->judged[i] = true;
	if (s->ts > pf->eval_time)
		pf->eval_time = s->ts;
}

static void on_value(void *arg, const struct prom_sample *s)
{
	struct pcall *pc = arg;

	prom_hostset_sample(pc->pf->step == S_FULL ? &pc->pf->all : &pc->pf->rows, pc->v, s);
}

/* The rows from chunk_at on that one status query can name (the longest
 * of step 2's queries: every selector names them) within PROM_QUERY_MAX;
 * its text, malloc'd, or NULL with err set. */
static char *chunk_status_query(struct pfl *pf, char *err, size_t errlen)
{
	int n = pf->nrows - pf->chunk_at;

	for (;;) {
		struct prom_qctx c = qctx(pf, pf->rowname + pf->chunk_at, (size_t)n);
		char *q = prom_status_query(&c, &pf->th, err, errlen);
		size_t len = q ? strlen(q) : 0;
		if (!q || len <= PROM_QUERY_MAX || n == 1) {
			pf->chunk_end = pf->chunk_at + n;
			return q;
		}
		free(q);
		/* the names are most of it: shrink in proportion, a tenth more */
		n = (int)((double)n * PROM_QUERY_MAX / (double)len * 0.9);
		if (n < 1)
			n = 1;
	}
}

/* Step 2's queries for the next chunk of rows (one chunk but for many
 * problem hosts or long names). */
static void rows_chunk_start(struct pfl *pf)
{
	struct prom_qctx c;
	char err[256], *q;
	size_t n;

	/* the previous chunk's requests (their url and form) */
	prom_call_clear(&pf->status);
	for (size_t i = 0; i < NROWV; i++)
		prom_call_clear(&pf->rowq[i].call);
	pf->pending = 1;
	q = chunk_status_query(pf, err, sizeof(err));
	n = (size_t)(pf->chunk_end - pf->chunk_at);
	if (q) {
		pf->status = (struct prom_call){ .conn = &pf->conn, .doc = PROM_DOC_VECTOR,
			.want = { pf->conn.label, NULL }, .fn = on_row_status, .arg = pf,
			.done = call_done };
		start_query(pf, &pf->status, q, n);
		free(q);
	} else {
		pf->chunk_end = pf->nrows;  /* match is not a {...}: nothing can be asked */
	}
	c = qctx(pf, pf->rowname + pf->chunk_at, n);
	for (size_t i = 0; i < NROWV; i++) {
		struct pcall *pc = &pf->rowq[i];
		enum prom_value v = row_values[i];
		if (!(q = prom_value_query(v, &c, err, sizeof(err))))
			continue;
		pc->pf = pf;
		pc->v = v;
		pc->call = (struct prom_call){ .conn = &pf->conn, .doc = PROM_DOC_VECTOR,
			.want = { pf->conn.label, prom_value_by(v), NULL }, .fn = on_value,
			.arg = pc, .done = pcall_done };
		start_query(pf, &pc->call, q, n * (size_t)prom_value_per_host(v, (int)pf->nmounts));
		free(q);
	}
	if (--pf->pending == 0)
		step_done(pf);
}

/* A chunk answered: the values it did not get count for nothing; true
 * when rows are left to ask. */
static bool rows_chunk_done(struct pfl *pf)
{
	uint32_t ok = 0;

	for (size_t i = 0; i < NROWV; i++)
		if (pf->rowq[i].call.ok)
			ok |= 1u << pf->rowq[i].v;
	pf->rows_ok &= ok;
	if (pf->chunk_end >= pf->nrows)
		return false;
	pf->chunk_at = pf->chunk_end;
	return true;
}

static void rows_start(struct pfl *pf)
{
	pf->step = S_ROWS;
	pf->rows_stale = false;
	pf->want_gen = model_prom_wanted(pf->env->m, pf->index, &pf->want);
	rows_choose(pf);
	prom_hostset_free(&pf->rows);
	prom_hostset_init(&pf->rows, pf->rowname, (size_t)pf->nrows, pf->mounts, (int)pf->nmounts);
	memset(pf->reason, 0, sizeof(pf->reason));
	memset(pf->judged, 0, sizeof(pf->judged));
	pf->chunk_at = pf->chunk_end = 0;
	pf->rows_ok = ~0u;
	if (!pf->nrows) {
		step_done(pf);
		return;
	}
	rows_chunk_start(pf);
}

/* One row as the overview shows it. */
static void row_fill(struct pfl *pf, int i, struct prom_row *r)
{
	const struct prom_values *v = &pf->rows.vals[i];
	uint16_t reason = pf->reason[i];

	memset(r, 0, sizeof(*r));
	str_copy(r->name, pf->rowname[i], sizeof(r->name));
	r->sampled_at = pf->eval_time;
	if (!pf->judged[i]) {
		/* no current `up`: the server does not scrape it now */
		r->status = ST_UNKNOWN;
		r->conn = HC_PROBE;
		return;
	}
	r->reason = reason;
	r->status = (uint8_t)(reason / 100);
	r->conn = reason == PR_DOWN ? HC_UNREACHABLE : HC_OK;
	if (v->have & (1u << PV_LOAD1)) {
		r->load1 = (float)v->v[PV_LOAD1];
		r->valid |= HV_LOAD;
	}
	if (v->have & (1u << PV_CPU)) {
		r->cpu_pct = (float)(v->v[PV_CPU] > 100 ? 100 : v->v[PV_CPU]);
		r->valid |= HV_CPU;
	}
	if ((v->have & (1u << PV_MEMTOTAL)) && (v->have & (1u << PV_MEMAVAIL)) &&
	    v->v[PV_MEMAVAIL] <= v->v[PV_MEMTOTAL]) {
		r->mem_total = (uint64_t)v->v[PV_MEMTOTAL];
		r->mem_available = (uint64_t)v->v[PV_MEMAVAIL];
		r->valid |= HV_MEM;
	}
	if (v->have & (1u << PV_PSI_SOME)) {
		r->psi_some = (float)(v->v[PV_PSI_SOME] > 100 ? 100 : v->v[PV_PSI_SOME]);
		r->valid |= HV_PSI;
	}
	for (size_t d = 0; d < pf->nmounts && d < PROM_ROW_DISKS; d++) {
		const double *fs = v->fs[d];
		r->ndisks++;
		double used = fs[PROM_FS_SIZE] - fs[PROM_FS_FREE];
		r->disk_pct[d] = v->fs_have[d] == 7 && used >= 0 && used + fs[PROM_FS_AVAIL] > 0 ?
			(float)(100.0 * used / (used + fs[PROM_FS_AVAIL])) : -1;
		r->valid |= HV_DISKS;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct prom_row *x = a, *y = b;

	if (x->status != y->status)   /* worst first: crit, warn, unknown */
		return y->status - x->status;
	return strcmp(x->name, y->name);
}

static void rows_finish(struct pfl *pf)
{
	int nprob = 0;
	struct prom_fleet *p = &pf->pub;

	prom_hostset_keep(&pf->rows, pf->nrows ? pf->rows_ok : 0);
	for (int i = 0; i < pf->nrows; i++) {
		row_fill(pf, i, &p->rows[i]);
		if (i < pf->nprob)
			nprob++;
	}
	/* the problems worst first (the status now, which may have moved
	 * since step 1), then the window in name order */
	qsort(p->rows, (size_t)nprob, sizeof(p->rows[0]), row_cmp);
	p->nproblems = nprob;
	p->nwindow = pf->nrows - nprob;
	p->win_offset = pf->win_offset;
	p->nmatch = pf->nmatch;
	str_copy(p->win_filter, pf->want.filter, sizeof(p->win_filter));
	for (size_t i = 0; i < NROWV; i++)
		prom_call_clear(&pf->rowq[i].call);
	prom_call_clear(&pf->status);
}

/* ---- step 3 (--once): every host's values ---- */

static void full_start(struct pfl *pf)
{
	struct prom_qctx c = qctx(pf, NULL, 0);
	char err[256], *q;

	pf->step = S_FULL;
	prom_hostset_init(&pf->all, (const char *const *)pf->names.v, pf->names.n, pf->mounts,
			  (int)pf->nmounts);
	pf->pending = 1;
	for (int v = 0; v < PV__N; v++) {
		struct pcall *pc = &pf->fullq[v];
		size_t cap = pf->names.n * (size_t)prom_value_per_host((enum prom_value)v,
								     (int)pf->nmounts);
		if (!(q = prom_value_query((enum prom_value)v, &c, err, sizeof(err))))
			continue;
		pc->pf = pf;
		pc->v = (enum prom_value)v;
		pc->call = (struct prom_call){ .conn = &pf->conn, .doc = PROM_DOC_VECTOR,
			.want = { pf->conn.label, prom_value_by((enum prom_value)v), NULL },
			.fn = on_value, .arg = pc, .done = pcall_done };
		start_query(pf, &pc->call, q, cap + cap / 4 + 64);
		free(q);
	}
	if (--pf->pending == 0)
		step_done(pf);
}

static void full_finish(struct pfl *pf)
{
	uint32_t ok = 0;
	const char *why = NULL;

	for (int v = 0; v < PV__N; v++) {
		if (pf->fullq[v].call.ok)
			ok |= 1u << v;
		else if (!why)
			why = pf->fullq[v].call.err;
	}
	/* every host or none: a partial answer would look like hosts going
	 * unknown; the server's counts and problems stand, and say why */
	if (why) {
		fail(pf, "could not give every host's values", why);
	} else {
		/* kept as they came, not copied: at 100,000 hosts that
		 * copy was another 50 MB beside these 42 */
		free(pf->full);
		pf->pub.nall = pf->all.n;
		pf->pub.all_names = (const char *const *)pf->names.v;
		pf->pub.all = pf->full = prom_hostset_take(&pf->all);
		/* the values are as of now, the end of the run's last step */
		pf->pub.sampled_at = now_wall();
	}
	for (int v = 0; v < PV__N; v++)
		prom_call_clear(&pf->fullq[v].call);
	prom_hostset_free(&pf->all);
	pf->full_done = true;
}

/* ---- the steps ---- */

/* The counts with the hosts discovery found but step 1 did not judge (no
 * current `up`): unknown. Before the first discovery, the judged ones. */
static void counts_settle(struct pfl *pf)
{
	struct prom_fleet *p = &pf->pub;

	p->counts[ST_UNKNOWN] = pf->unknown_judged;
	if (pf->names.n > pf->njudged)
		p->counts[ST_UNKNOWN] += pf->names.n - pf->njudged;
	p->nproblems_total = p->counts[ST_UNKNOWN] + p->counts[ST_WARN] + p->counts[ST_CRIT];
	p->nhosts = pf->names.n > pf->njudged ? pf->names.n : pf->njudged;
}

/* The first counts are shown at once, with the problem hosts as step 1
 * judged them (status, reason, its value); step 2 fills in their values
 * and the window of other hosts. */
static void rows_prefill(struct pfl *pf)
{
	struct prom_fleet *p = &pf->pub;

	for (int i = 0; i < pf->nprob; i++) {
		const struct problem *pr = &pf->prob[i];
		struct prom_row *r = &p->rows[i];
		memset(r, 0, sizeof(*r));
		str_copy(r->name, pr->name, sizeof(r->name));
		r->sampled_at = pf->eval_time;
		r->reason = pr->reason;
		r->status = (uint8_t)(pr->reason / 100);
		r->conn = pr->down ? HC_UNREACHABLE : HC_OK;
		if (pr->reason == PR_PSI_WARN || pr->reason == PR_PSI_CRIT) {
			r->psi_some = pr->value > 100 ? 100 : pr->value;
			r->valid |= HV_PSI;
		} else if ((pr->reason == PR_DISK_WARN || pr->reason == PR_DISK_CRIT) &&
			   pf->nmounts == 1) {
			r->ndisks = 1;
			r->disk_pct[0] = pr->value;
			r->valid |= HV_DISKS;
		}
	}
	p->nproblems = pf->nprob;
	p->nwindow = 0;
	p->win_offset = 0;
	p->nmatch = 0;
}

static void summary_finish(struct pfl *pf)
{
	struct prom_fleet *p = &pf->pub;
	size_t judged = 0, up_problems = 0;

	p->attempted_at = now_wall();
	for (int k = 0; k < PC__N; k++) {
		struct prom_call *c = &pf->checks[k].call;
		if (c->ok)
			continue;
		/* a summary missing one check would show a partial fleet as fine */
		fail(pf, c->over ? "gave more series than it has hosts" : "did not answer", c->err);
		for (k = 0; k < PC__N; k++)
			prom_call_clear(&pf->checks[k].call);
		return;
	}
	memset(p->counts, 0, sizeof(p->counts));
	for (size_t i = 0; i < pf->nall_prob; i++) {
		p->counts[pf->all_prob[i].reason / 100]++;
		up_problems += !pf->all_prob[i].down;
	}
	/* every host up without a problem is ok */
	p->counts[ST_OK] = pf->upcount > (double)up_problems ? (size_t)pf->upcount - up_problems : 0;
	for (int st = 0; st < 4; st++)
		judged += p->counts[st];
	pf->njudged = judged;
	pf->unknown_judged = p->counts[ST_UNKNOWN];
	counts_settle(pf);
	pf->backoff = 0;
	p->state = PF_READY;
	p->sampled_at = p->attempted_at;
	p->error[0] = '\0';
	/* the worst PROM_PROBLEMS become rows */
	pf->nprob = pf->nall_prob < PROM_PROBLEMS ? (int)pf->nall_prob : PROM_PROBLEMS;
	if (pf->nprob) {  /* no problem yet: all_prob is NULL (qsort/memcpy of NULL is UB) */
		qsort(pf->all_prob, pf->nall_prob, sizeof(*pf->all_prob), problem_cmp);
		memcpy(pf->prob, pf->all_prob, (size_t)pf->nprob * sizeof(*pf->prob));
	}
	for (int i = 0; i < pf->nprob; i++)
		str_sanitize(pf->prob[i].name);
	/* the hash points into all_prob, which the sort moved: rebuilt next round */
	pf->nall_prob = 0;
	if (pf->prob_slots)
		memset(pf->prob_slots, 0, pf->nprob_slots * sizeof(*pf->prob_slots));
	for (int k = 0; k < PC__N; k++) {
		prom_call_clear(&pf->checks[k].call);
		cand_clear(&pf->checks[k]);
	}
}

static void step_done(struct pfl *pf)
{
	enum step was = pf->step;

	pf->step = S_IDLE;
	switch (was) {
	case S_DISCOVER:
		discover_done(pf);
		return;
	case S_SUMMARY:
		summary_finish(pf);
		if (pf->pub.state != PF_READY || pf->pub.error[0]) {
			/* a server that never answered yet: asked again with backoff */
			if (!pf->summarized)
				pf->next_poll = backoff_next(pf, now_mono());
			publish(pf);
			pf->rounds++;
			return;
		}
		if (!pf->summarized) {
			/* the counts and the problem hosts now, not after the
			 * names and the rows */
			pf->summarized = true;
			rows_prefill(pf);
			publish(pf);
		}
		if (!pf->have_names) {
			/* every name (for paging and /): only now, so that the
			 * first counts do not wait for the longest answer */
			pf->names_then_rows = true;
			discover_start(pf, now_mono());
			return;
		}
		rows_start(pf);
		return;
	case S_ROWS:
		if (pf->nrows && rows_chunk_done(pf)) {
			pf->step = S_ROWS;
			rows_chunk_start(pf);
			return;
		}
		rows_finish(pf);
		if (pf->once && !pf->full_done) {
			publish(pf);
			full_start(pf);
			return;
		}
		publish(pf);
		pf->rounds++;
		pf->since_discover++;
		return;
	case S_FULL:
		full_finish(pf);
		publish(pf);
		pf->rounds++;
		return;
	case S_IDLE:
		return;
	}
}

/* ---- the source ---- */

static void pfl_setup(struct pfls *ps, struct pfl *pf, size_t index)
{
	const struct fleet *f = ps->env.f;

	pf->env = &ps->env;
	pf->index = index;
	pf->sec = fleet_nth(f, SEC_PROMETHEUS, index);
	prom_conn_init(&pf->conn, pf->sec, f->timeout);
	pf->mounts = fleet_list_split(fleet_section_value(pf->sec, "disk"), &pf->nmounts);
	if (pf->nmounts > PROM_MOUNTS)
		pf->nmounts = PROM_MOUNTS;
	pf->th = f->th;
	pf->interval = fleet_section_duration(pf->sec, "interval", f->interval > 0 ? f->interval : 2);
	pf->rate_window = prom_rate_window(pf->sec, 0);
	pf->pub.state = PF_DISCOVERING;
	pf->pub.interval = pf->interval;
	str_fmt(pf->pub.error, sizeof(pf->pub.error), "discovering the hosts of %s ...",
		pf->conn.base);
	str_sanitize(pf->pub.error);
	publish(pf);
}

/* A section is judged on the server when discovery at start added no host
 * of it (too many, or no answer): see prom_discover(). */
static bool section_is_large(const struct fleet *f, size_t index)
{
	for (size_t i = 0; i < f->nhosts; i++)
		if (f->hosts[i].prometheus == (int)index)
			return false;
	return true;
}

static void *pfls_create(const struct collect_env *env)
{
	const struct fleet *f = env->f;
	size_t nsec = fleet_count(f, SEC_PROMETHEUS), k = 0;
	struct pfls *ps;

	for (size_t i = 0; i < nsec; i++)
		k += section_is_large(f, i);
	if (!k)
		return NULL;
	ps = xcalloc(1, sizeof(*ps));
	ps->env = *env;
	ps->v = xcalloc(k, sizeof(*ps->v));
	for (size_t i = 0; i < nsec; i++)
		if (section_is_large(f, i))
			pfl_setup(ps, &ps->v[ps->n++], i);
	return ps;
}

/* The server's scrape interval is the section's default interval, and
 * sets the rate window (between steps: queries are built per step). */
static void scrape_found(struct prom_scrape *sc, void *arg)
{
	struct pfl *pf = arg;
	struct pcheck *psi = &pf->checks[PC_PSI];

	if (prom_scrape_adopt(sc, pf->sec, &pf->interval, &pf->next_poll))
		pf->rate_window = prom_rate_window(pf->sec, sc->interval);
	if (pf->step != S_SUMMARY || !psi->waits_window)
		return;
	psi->waits_window = false;
	check_start_held(pf, psi);
}

static void pfl_prepare(struct pfl *pf, double now, double *deadline,
			const struct collect_flags *fl)
{
	struct prom_want w;

	bool need_window = !fleet_section_get(pf->sec, "rate_window");

	pf->once = fl->once;
	if (pf->step == S_SUMMARY)
		checks_retry(pf, now, deadline);
	if (pf->step != S_IDLE || (fl->once && pf->rounds > 0))
		return;
	if (!pf->scrape_started && (need_window || !fleet_section_get(pf->sec, "interval"))) {
		pf->scrape_started = true;
		prom_scrape_start(&pf->scrape, &pf->conn, pf->env->http,
				  fleet_section_get(pf->sec, "match"), scrape_found, pf);
	}
	/* step 1 comes first; the names only after it answered once */
	if ((!pf->have_names && pf->summarized) ||
	    (pf->have_names && pf->since_discover >= PF_REDISCOVER && !fl->once)) {
		if (now >= pf->next_discover)
			discover_start(pf, now);
		else
			deadline_min(deadline, pf->next_discover);
		return;
	}
	if (fl->paused && !fl->once)
		return;
	if (fl->poll_now || fl->once || now >= pf->next_poll) {
		summary_start(pf, now);
		return;
	}
	if (model_prom_wanted(pf->env->m, pf->index, &w) != pf->want_gen) {
		rows_start(pf);  /* scrolled or filtered: the new rows now */
		return;
	}
	deadline_min(deadline, pf->next_poll);
}

static void pfls_prepare(void *arg, struct pollset *ps, double now, double *deadline,
			 const struct collect_flags *fl)
{
	struct pfls *p = arg;

	(void)ps;
	for (size_t i = 0; i < p->n; i++)
		pfl_prepare(&p->v[i], now, deadline, fl);
}

static void pfls_dispatch(void *arg, const struct pollset *ps, double now)
{
	(void)arg;
	(void)ps;
	(void)now;
}

static bool pfls_round_done(void *arg)
{
	struct pfls *p = arg;

	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].rounds == 0)
			return false;
	return true;
}

static void pfls_destroy(void *arg)
{
	struct pfls *p = arg;

	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct pfl *pf = &p->v[i];
		prom_names_free(&pf->names);
		prom_names_free(&pf->fresh);
		prom_hostset_free(&pf->rows);
		prom_hostset_free(&pf->all);
		for (int k = 0; k < PC__N; k++) {
			prom_call_clear(&pf->checks[k].call);
			cand_clear(&pf->checks[k]);
		}
		free(pf->all_prob);
		free(pf->prob_slots);
		prom_call_clear(&pf->status);
		for (size_t q = 0; q < NROWV; q++)
			prom_call_clear(&pf->rowq[q].call);
		for (int q = 0; q < PV__N; q++)
			prom_call_clear(&pf->fullq[q].call);
		prom_scrape_free(&pf->scrape);
		free(pf->match);
		free(pf->full);
		fleet_list_free(pf->mounts);
		prom_conn_free(&pf->conn);
	}
	free(p->v);
	free(p);
}

const struct source_ops source_promfleet = {
	.name = "promfleet",
	.create = pfls_create,
	.prepare = pfls_prepare,
	.dispatch = pfls_dispatch,
	.round_done = pfls_round_done,
	.destroy = pfls_destroy,
};
