#include "config.h"
#include "rules/rules.h"
#include "domain/domain.h"
#include "util/util.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* SPEC §3 defaults; the fleet parser fills th with these, but a host built
 * by hand (tests, the built-in default fleet) may leave th zeroed. */
#define DEF_PSI_WARN 10.0
#define DEF_PSI_CRIT 40.0
#define DEF_DISK_WARN 90.0
#define DEF_DISK_CRIT 95.0
#define DEF_OOM_HOLD 600.0
#define DEF_INTERVAL 2.0

/* last_status of a host that has not been judged yet. Its first real status
 * is recorded without an event when it is ok, so that start-up does not
 * flood the event log with "unknown -> ok" for every host. */
#define ST_NONE ((enum status)4)

static struct fleet_thresholds rules_thresholds(const struct fleet_host *h)
{
	struct fleet_thresholds t = {
		DEF_PSI_WARN, DEF_PSI_CRIT, DEF_DISK_WARN, DEF_DISK_CRIT, DEF_OOM_HOLD
	};
	const struct fleet_thresholds *in;

	if (!h)
		return t;
	in = &h->th;
	/* all zero: nobody filled them in (a zero threshold alone is honoured) */
	if (in->psi_warn == 0 && in->psi_crit == 0 && in->disk_warn == 0 &&
	    in->disk_crit == 0 && in->oom_hold == 0)
		return t;
	t = *in;
	if (t.oom_hold <= 0)
		t.oom_hold = DEF_OOM_HOLD;
	return t;
}

/* Index of the least severe problem (the last one among equals). */
static int problem_weakest(const struct host_eval *ev)
{
	int w = 0;

	for (int i = 1; i < ev->nproblems; i++)
		if (ev->problems[i].severity <= ev->problems[w].severity)
			w = i;
	return w;
}

/* Adds a problem; when the list is full, it replaces the least severe one
 * if the new problem is worse, so the worst problems are never lost. */
static void problem_vadd(struct host_eval *ev, enum status sev, const char *code,
			 const char *fmt, va_list ap)
{
	struct problem *p;

	if (ev->nproblems < RULES_MAX_PROBLEMS) {
		p = &ev->problems[ev->nproblems++];
	} else {
		p = &ev->problems[problem_weakest(ev)];
		if (p->severity >= sev)
			return;
	}
	p->severity = sev;
	str_copy(p->code, code, sizeof(p->code));
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
}

__attribute__((format(printf, 4, 5)))
static void problem_add(struct host_eval *ev, enum status sev, const char *code,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_vadd(ev, sev, code, fmt, ap);
	va_end(ap);
}

void rules_problem_add(struct host_eval *ev, enum status sev, const char *code,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_vadd(ev, sev, code, fmt, ap);
	va_end(ap);
}

/* Stable sort, worst first: the first problem is the one a summary shows. */
static void problems_sort(struct host_eval *ev)
{
	for (int i = 1; i < ev->nproblems; i++) {
		struct problem p = ev->problems[i];
		int j = i;

		while (j > 0 && ev->problems[j - 1].severity < p.severity) {
			ev->problems[j] = ev->problems[j - 1];
			j--;
		}
		ev->problems[j] = p;
	}
}

static bool str_icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* "what: error", unless the collector's error already says what. */
static void conn_text(char *buf, size_t size, const char *what, const char *keyword,
		      const char *error)
{
	if (!error[0])
		str_copy(buf, what, size);
	else if (str_icontains(error, keyword))
		str_copy(buf, error, size);
	else
		str_fmt(buf, size, "%s: %s", what, error);
}

static void conn_problem(struct host_eval *ev, enum status sev, const char *code,
			 const char *what, const char *keyword, const char *error)
{
	char text[RULES_TEXT_LEN];

	conn_text(text, sizeof(text), what, keyword, error);
	problem_add(ev, sev, code, "%s", text);
}

/* A refused host key must show its fingerprint, so the error text is cut
 * (never the fingerprint) when both do not fit. */
static void hostkey_problem(struct host_eval *ev, const struct host_sample *s)
{
	char text[RULES_TEXT_LEN];
	size_t fp = strlen(s->fingerprint);

	conn_text(text, sizeof(text), "host key refused", "host key", s->error);
	if (!fp || strstr(s->error, s->fingerprint)) {
		problem_add(ev, ST_CRIT, "hostkey", "%s", text);
		return;
	}
	if (fp + 3 < sizeof(text) && strlen(text) > sizeof(text) - 1 - fp - 3)
		text[sizeof(text) - 1 - fp - 3] = '\0';
	problem_add(ev, ST_CRIT, "hostkey", "%s (%s)", text, s->fingerprint);
}

static bool has_data(const struct host_sample *s)
{
	return s->sampled_at > 0;
}

static void check_conn(const struct host_sample *s, struct host_eval *ev)
{
	switch (s->conn) {
	case HC_NEVER:
	case HC_OK:
		if (!has_data(s))
			problem_add(ev, ST_UNKNOWN, "waiting", "waiting for first sample");
		return;
	case HC_UNREACHABLE:
		conn_problem(ev, ST_CRIT, "unreachable", "unreachable", "unreachable", s->error);
		return;
	case HC_HOSTKEY:
		hostkey_problem(ev, s);
		return;
	case HC_AUTH:
		conn_problem(ev, ST_CRIT, "auth", "authentication failed", "auth", s->error);
		return;
	case HC_PROBE:
		/* a host that printed garbage is unknown, never green */
		conn_problem(ev, ST_UNKNOWN, "probe", "probe failed", "probe", s->error);
		return;
	}
	problem_add(ev, ST_UNKNOWN, "conn", "unknown connection state");
}

static double host_interval(const struct fleet_host *h, const struct host_sample *s)
{
	if (s->interval > 0)
		return s->interval;
	if (h && h->interval > 0)
		return h->interval;
	return DEF_INTERVAL;
}

static void check_stale(const struct fleet_host *h, const struct host_sample *s,
			struct host_eval *ev)
{
	char age[16];

	ev->stale_at = s->sampled_at + RULES_STALE_FACTOR * host_interval(h, s);
	if (ev->age <= RULES_STALE_FACTOR * host_interval(h, s))
		return;
	ev->stale = true;
	problem_add(ev, ST_UNKNOWN, "stale", "stale: no data for %s",
		    fmt_age(age, sizeof(age), ev->age));
}

static void check_reserve(const struct fleet_host *h, const struct host_sample *s,
			  struct host_eval *ev)
{
	char avail[16], reserve[16];

	if (!h || h->ram_reserve < 0 || !(s->valid & HV_MEM))
		return;
	if (s->mem_available >= (uint64_t)h->ram_reserve)
		return;
	problem_add(ev, ST_CRIT, "reserve", "reserve breached: %s available < %s reserve",
		    fmt_bytes(avail, sizeof(avail), (double)s->mem_available),
		    fmt_bytes(reserve, sizeof(reserve), (double)h->ram_reserve));
}

static void check_psi(const struct fleet_thresholds *th, const struct host_sample *s,
		      struct host_eval *ev)
{
	if (!(s->valid & HV_PSI))
		return;
	if (s->psi_some10 > th->psi_crit)
		problem_add(ev, ST_CRIT, "psi", "memory pressure: PSI some avg10 %.1f > %g",
			    s->psi_some10, th->psi_crit);
	else if (s->psi_some10 > th->psi_warn)
		problem_add(ev, ST_WARN, "psi", "memory pressure: PSI some avg10 %.1f > %g",
			    s->psi_some10, th->psi_warn);
}

/* "93%", but "95.4%" when rounding would hide why 95.4 is over 95. */
static void pct_text(char *buf, size_t size, double pct, double limit)
{
	str_fmt(buf, size, "%.0f%%", pct);
	if (atof(buf) <= limit)
		str_fmt(buf, size, "%.1f%%", pct);
}

static void check_disk(const struct fleet_thresholds *th, const struct disk_sample *d,
		       struct host_eval *ev)
{
	char code[32], pct[16];

	str_fmt(code, sizeof(code), "disk:%s", d->mount);
	if (!d->valid) {
		problem_add(ev, ST_UNKNOWN, code, d->hung ? "disk %s: df hung (killed on the host "
			    "at its deadline; a dead mount?)" : "disk %s: cannot read", d->mount);
		return;
	}
	if (d->used_pct > th->disk_crit) {
		pct_text(pct, sizeof(pct), d->used_pct, th->disk_crit);
		problem_add(ev, ST_CRIT, code, "disk %s %s used", d->mount, pct);
	} else if (d->used_pct > th->disk_warn) {
		pct_text(pct, sizeof(pct), d->used_pct, th->disk_warn);
		problem_add(ev, ST_WARN, code, "disk %s %s used", d->mount, pct);
	}
}

static bool sample_has_mount(const struct host_sample *s, const char *mount)
{
	for (int i = 0; i < s->ndisks && i < MODEL_MAX_DISKS; i++)
		if (strncmp(s->disks[i].mount, mount, sizeof(s->disks[i].mount) - 1) == 0)
			return true;
	return false;
}

/* Every watched mount is judged: one the probe did not report is as
 * unreadable as one it reported as invalid. */
static void check_disks(const struct fleet_host *h, const struct fleet_thresholds *th,
			const struct host_sample *s, struct host_eval *ev)
{
	char code[32];

	if (!(s->valid & HV_DISKS))
		return;
	for (int i = 0; i < s->ndisks && i < MODEL_MAX_DISKS; i++)
		check_disk(th, &s->disks[i], ev);
	for (int i = 0; h && i < h->ndisks && i < FLEET_MAX_DISKS; i++) {
		if (!h->disks[i] || sample_has_mount(s, h->disks[i]))
			continue;
		str_fmt(code, sizeof(code), "disk:%s", h->disks[i]);
		problem_add(ev, ST_UNKNOWN, code, "disk %s: cannot read", h->disks[i]);
	}
}

static void check_oom(const struct fleet_thresholds *th, double now, double oom_at,
		      struct host_eval *ev)
{
	char age[16];
	double ago;

	if (oom_at <= 0)
		return;
	ago = now - oom_at;
	if (ago < 0)
		ago = 0;
	if (ago >= th->oom_hold)
		return;
	problem_add(ev, ST_CRIT, "oom", "OOM kill %s ago", fmt_age(age, sizeof(age), ago));
}

void rules_eval_host(const struct fleet_host *h, const struct host_sample *s, double now,
		     double oom_at, struct host_eval *out)
{
	struct fleet_thresholds th = rules_thresholds(h);

	host_eval_clear(out);
	if (has_data(s))
		out->age = now > s->sampled_at ? now - s->sampled_at : 0;
	check_conn(s, out);
	/* a hung command on the host: its poll still runs, the next was skipped */
	if (s->poll_running_since > 0 && now - s->poll_running_since >= host_interval(h, s)) {
		char age[16];
		problem_add(out, ST_WARN, "overdue", "previous poll still running for %s",
			    fmt_age(age, sizeof(age), now - s->poll_running_since));
	}
	/* a login that succeeded, but slowly: every reconnect pays it, and a
	 * little more load makes it time out */
	if (s->conn == HC_OK && s->slow_login > 0)
		problem_add(out, ST_WARN, "slow-login", "the login shell took %.1f s to answer: "
			    "a slow ~/.bashrc, ~/.profile or /etc/profile?", s->slow_login);
	/* the last good sample is still judged when the host fails now: its
	 * problems do not vanish (and restart their clock) on one bad probe */
	if (has_data(s)) {
		check_stale(h, s, out);
		/* a value the probe refused is n/a, and said (collect/plausible.h) */
		if (s->implausible[0])
			problem_add(out, ST_UNKNOWN, "implausible", "%s", s->implausible);
		check_reserve(h, s, out);
		check_psi(&th, s, out);
		check_disks(h, &th, s, out);
	}
	check_oom(&th, now, oom_at, out);
	problems_sort(out);
	out->status = ST_OK;
	for (int i = 0; i < out->nproblems; i++)
		out->status = status_worst(out->status, out->problems[i].severity);
}

/* ---- state ---- */

struct host_book;
static void book_free(struct host_book *b);

/* rules_hosts_visit(): per domain, what each host's last visit said */
struct host_visits {
	size_t n;                 /* hosts described */
	double *until;            /* quiet until then; 0: visit every time */
	size_t *list, *prev;      /* this evaluation's visits, the last one's */
	size_t nlist, nprev;
	unsigned char *mark;
	double min_until;         /* at most the earliest quiet host's until */
	double last_now;
	uint64_t eval;            /* st->evals of the last visit */
};

static void visits_free(struct host_visits *v)
{
	if (!v)
		return;
	free(v->until);
	free(v->list);
	free(v->prev);
	free(v->mark);
	free(v);
}

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void visit_add(struct host_visits *v, size_t i)
{
	if (i < v->n && !v->mark[i]) {
		v->mark[i] = 1;
		v->list[v->nlist++] = i;
	}
}

size_t rules_hosts_visit(struct rules_state *st, const struct snapshot *snap, enum domain_id d,
			 size_t n, double now, const size_t **hosts)
{
	struct host_visits *v = st->visits[d];
	bool full;
	size_t *t;

	if (!v) {
		v = xcalloc(1, sizeof(*v));
		st->visits[d] = v;
	}
	full = !st->since_seen || !snap || v->n != n || !v->until || v->eval + 1 != st->evals ||
	       now < v->last_now || now >= v->min_until;
	if (v->n != n || !v->until) {
		v->until = xrealloc(v->until, (n ? n : 1) * sizeof(*v->until));
		v->list = xrealloc(v->list, (n ? n : 1) * sizeof(*v->list));
		v->prev = xrealloc(v->prev, (n ? n : 1) * sizeof(*v->prev));
		v->mark = xrealloc(v->mark, n ? n : 1);
		memset(v->mark, 0, n ? n : 1);
		v->n = n;
		v->nlist = 0;
	}
	t = v->prev;
	v->prev = v->list;
	v->nprev = v->nlist;
	v->list = t;
	v->nlist = 0;
	if (full) {
		for (size_t i = 0; i < n; i++)
			v->list[i] = i;
		v->nlist = n;
		v->min_until = INFINITY;
	} else {
		for (size_t k = 0; k < v->nprev; k++)
			if (v->until[v->prev[k]] <= 0)
				visit_add(v, v->prev[k]);
		for (size_t k = 0; k < snap->nchanged; k++)
			if (snap->changed[k].dom == DOM_HOST || snap->changed[k].dom == (uint32_t)d)
				visit_add(v, snap->changed[k].index);
		for (size_t k = 0; k < v->nlist; k++)
			v->mark[v->list[k]] = 0;
		qsort(v->list, v->nlist, sizeof(*v->list), size_cmp);
	}
	for (size_t k = 0; k < v->nlist; k++)
		v->until[v->list[k]] = 0;   /* visited every time unless it says */
	v->eval = st->evals;
	v->last_now = now;
	st->visited += v->nlist;
	*hosts = v->list;
	return v->nlist;
}

void rules_host_quiet(struct rules_state *st, enum domain_id d, size_t i, double until)
{
	struct host_visits *v = st->visits[d];

	if (!v || i >= v->n || !(until > 0))
		return;
	v->until[i] = until;
	v->min_until = fmin(v->min_until, until);
}

void rules_state_init(struct rules_state *st, size_t nhosts)
{
	memset(st, 0, sizeof(*st));
	st->nhosts = nhosts;
	st->oom_seen = xcalloc(nhosts ? nhosts : 1, sizeof(*st->oom_seen));
	st->oom_known = xcalloc(nhosts ? nhosts : 1, sizeof(*st->oom_known));
	st->oom_at = xcalloc(nhosts ? nhosts : 1, sizeof(*st->oom_at));
	st->last_status = xcalloc(nhosts ? nhosts : 1, sizeof(*st->last_status));
	for (size_t i = 0; i < nhosts; i++)
		st->last_status[i] = ST_NONE;
}

void rules_state_free(struct rules_state *st)
{
	free(st->judged_gen);
	free(st->judged_at);
	free(st->judged_until);
	free(st->oom_seen);
	free(st->oom_known);
	free(st->oom_at);
	free(st->last_status);
	free(st->prev);
	book_free(st->book);
	target_states_free(&st->tstatus);
	for (int k = 0; k < DOM__COUNT; k++) {
		if (st->dom[k] && st->dom_free[k])
			st->dom_free[k](st->dom[k]);
		visits_free(st->visits[k]);
	}
	memset(st, 0, sizeof(*st));
}

/* A zeroed state, or one sized for another snapshot, is made to fit; hosts
 * beyond the old size start with no memory. */
static void state_fit(struct rules_state *st, size_t n)
{
	size_t old = st->nhosts;

	if (n == old && st->last_status && st->judged_gen)
		return;
	if (!st->last_status)
		old = 0;
	st->oom_seen = xrealloc(st->oom_seen, (n ? n : 1) * sizeof(*st->oom_seen));
	st->oom_known = xrealloc(st->oom_known, (n ? n : 1) * sizeof(*st->oom_known));
	st->oom_at = xrealloc(st->oom_at, (n ? n : 1) * sizeof(*st->oom_at));
	st->last_status = xrealloc(st->last_status, (n ? n : 1) * sizeof(*st->last_status));
	st->judged_gen = xrealloc(st->judged_gen, (n ? n : 1) * sizeof(*st->judged_gen));
	st->judged_at = xrealloc(st->judged_at, (n ? n : 1) * sizeof(*st->judged_at));
	st->judged_until = xrealloc(st->judged_until, (n ? n : 1) * sizeof(*st->judged_until));
	st->cache_id = 0;            /* a new size: every host is judged again */
	for (size_t i = old; i < n; i++) {
		st->oom_seen[i] = 0;
		st->oom_known[i] = false;
		st->oom_at[i] = 0;
		st->last_status[i] = ST_NONE;
	}
	st->nhosts = n;
}

/* The first sample only sets the baseline; a counter that went down (a
 * reboot) sets a new one. The kill is dated when the probe saw it. */
static void oom_track(struct rules_state *st, size_t i, const struct host_sample *s,
		      double now)
{
	if (!(s->valid & HV_OOM) || !has_data(s))
		return;
	if (st->oom_known[i] && s->oom_kills > st->oom_seen[i])
		st->oom_at[i] = s->sampled_at < now ? s->sampled_at : now;
	st->oom_seen[i] = s->oom_kills;
	st->oom_known[i] = true;
}

static void event_add(struct rules_state *st, double at, enum status from, enum status to,
		      const char *target, const char *message)
{
	struct event *e = &st->events[st->event_pos];

	e->at = at;
	e->from = from;
	e->to = to;
	str_copy(e->target, target, sizeof(e->target));
	str_copy(e->message, message, sizeof(e->message));
	st->event_pos = (st->event_pos + 1) % RULES_MAX_EVENTS;
	if (st->nevents < RULES_MAX_EVENTS)
		st->nevents++;
}

/* One rule for every target's log line: a change of status is logged, but
 * unknown before anything was ever known is no change worth a line (the
 * first real status decides), and a first status of ok is quiet. */
static void event_transition(struct rules_state *st, enum status *last, const struct host_eval *ev,
			     const char *target, double now)
{
	enum status from = *last;

	if (from == ST_NONE && ev->status == ST_UNKNOWN)
		return;
	*last = ev->status;
	if (from == ev->status || (from == ST_NONE && ev->status == ST_OK))
		return;
	event_add(st, now, from == ST_NONE ? ST_UNKNOWN : from, ev->status, target,
		  ev->nproblems ? ev->problems[0].text : "recovered");
}

static void event_note(struct rules_state *st, size_t i, const char *target,
		       const struct host_sample *s, const struct host_eval *ev, double now)
{
	if (!has_data(s) && s->conn == HC_NEVER)
		return;    /* still waiting: not judged yet */
	event_transition(st, &st->last_status[i], ev, target, now);
}

/* ---- alerts ---- */

static int alert_key_cmp(const void *a, const void *b)
{
	const struct alert *x = a, *y = b;
	int c = strcmp(x->target, y->target);

	return c ? c : strcmp(x->code, y->code);
}

/* Worst first, then oldest first; target and code keep the order stable. */
static int alert_order_cmp(const void *a, const void *b)
{
	const struct alert *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return alert_key_cmp(a, b);
}

/* st->prev is kept sorted by target and code for this lookup. */
static double alert_since(const struct rules_state *st, const struct alert *a, double now)
{
	const struct alert *p;

	if (!st->nprev)
		return now;
	p = bsearch(a, st->prev, st->nprev, sizeof(*st->prev), alert_key_cmp);
	return p ? p->since : now;
}

static void alerts_add_host(struct evaluation *out, const struct rules_state *st,
			    const char *target, const struct host_eval *ev, double now)
{
	for (int k = 0; k < ev->nproblems; k++) {
		const struct problem *p = &ev->problems[k];
		struct alert *a;

		if (p->severity == ST_OK)
			continue;
		a = &out->alerts[out->nalerts++];
		memset(a, 0, sizeof(*a));
		a->severity = p->severity;
		str_copy(a->target, target, sizeof(a->target));
		str_copy(a->code, p->code, sizeof(a->code));
		str_copy(a->message, p->text, sizeof(a->message));
		a->since = alert_since(st, a, now);
	}
}

static void alerts_remember(struct rules_state *st, const struct evaluation *out)
{
	free(st->prev);
	st->prev = NULL;
	st->nprev = out->nalerts;
	if (!out->nalerts)
		return;
	st->prev = xmalloc(out->nalerts * sizeof(*st->prev));
	memcpy(st->prev, out->alerts, out->nalerts * sizeof(*st->prev));
	qsort(st->prev, st->nprev, sizeof(*st->prev), alert_key_cmp);
}

/* ---- evaluation ---- */

static void host_target(char *buf, size_t size, const struct fleet *f, size_t i)
{
	if (f && i < f->nhosts && f->hosts[i].name)
		str_fmt(buf, size, "host/%s", f->hosts[i].name);
	else
		str_fmt(buf, size, "host/#%zu", i);
}

struct target_eval *rules_target_add(struct evaluation *out, enum domain_id kind,
				     int index, int sub, const char *fmt, ...)
{
	struct target_eval *t;
	va_list ap;

	if (out->ntargets == out->captargets) {
		out->captargets = out->captargets ? out->captargets * 2 : 16;
		out->targets = xrealloc(out->targets, out->captargets * sizeof(*out->targets));
	}
	t = &out->targets[out->ntargets++];
	memset(t, 0, offsetof(struct target_eval, ev));
	host_eval_clear(&t->ev);
	t->verdict = -1;
	t->host = false;
	t->kind = kind;
	t->index = index;
	t->sub = sub;
	t->ev.age = -1;
	va_start(ap, fmt);
	vsnprintf(t->target, sizeof(t->target), fmt, ap);
	va_end(ap);
	return t;
}

static double judge_time(double fresh_since, double sampled_at, double now)
{
	/* a sample of this --once run is current, not stale */
	if (fresh_since > 0 && sampled_at >= fresh_since && sampled_at < now)
		return sampled_at;
	return now;
}

double rules_judge_time(const struct rules_state *st, double sampled_at, double now)
{
	return judge_time(st ? st->fresh_since : 0, sampled_at, now);
}

double rules_eval_judge_time(const struct evaluation *ev, double sampled_at, double now)
{
	return judge_time(ev ? ev->fresh_since : 0, sampled_at, now);
}

bool rules_check_stale(struct host_eval *ev, double sampled_at, double interval, double now)
{
	char age[32];

	if (sampled_at <= 0)
		return false;
	ev->age = now - sampled_at;
	if (interval > 0)
		ev->stale_at = sampled_at + RULES_STALE_FACTOR * interval;
	if (interval <= 0 || ev->age <= RULES_STALE_FACTOR * interval)
		return false;
	ev->stale = true;
	rules_problem_add(ev, ST_UNKNOWN, "stale", "stale: no data for %s",
			  fmt_age(age, sizeof(age), ev->age));
	return true;
}

static uint32_t tkey_hash(int kind, int index, int sub)
{
	uint32_t h = (uint32_t)kind * 2654435761u;

	h ^= (uint32_t)index * 2246822519u;
	h ^= (uint32_t)(sub + 1) * 3266489917u;
	return h ^ (h >> 15);
}

/* Indexes the targets by (kind, index, sub); the first of equal keys wins,
 * as the search in order did. */
void rules_target_index(struct evaluation *out)
{
	size_t cap = 16, mask;

	while (cap < out->ntargets * 2)
		cap *= 2;
	if (cap > out->tindex_cap) {
		free(out->tindex);
		out->tindex = xmalloc(cap * sizeof(*out->tindex));
		out->tindex_cap = cap;
	}
	memset(out->tindex, 0, out->tindex_cap * sizeof(*out->tindex));
	mask = out->tindex_cap - 1;
	for (size_t i = 0; i < out->ntargets; i++) {
		const struct target_eval *t = &out->targets[i];
		size_t k = tkey_hash(t->kind, t->index, t->sub) & mask;

		for (;; k = (k + 1) & mask) {
			const struct target_eval *o;

			if (!out->tindex[k]) {
				out->tindex[k] = (uint32_t)(i + 1);
				break;
			}
			o = &out->targets[out->tindex[k] - 1];
			if (o->kind == t->kind && o->index == t->index && o->sub == t->sub)
				break;
		}
	}
}

const struct target_eval *rules_target_find(const struct evaluation *ev, enum domain_id kind,
					    int index, int sub)
{
	size_t mask;

	if (!ev->tindex) {
		for (size_t i = 0; i < ev->ntargets; i++) {
			const struct target_eval *t = &ev->targets[i];
			if (t->kind == kind && t->index == index && t->sub == sub)
				return t;
		}
		return NULL;
	}
	mask = ev->tindex_cap - 1;
	for (size_t k = tkey_hash(kind, index, sub) & mask; ev->tindex[k]; k = (k + 1) & mask) {
		const struct target_eval *t = &ev->targets[ev->tindex[k] - 1];

		if (t->kind == kind && t->index == index && t->sub == sub)
			return t;
	}
	return NULL;
}

/* Status from problems, events on change; every target's alerts are added
 * after the hosts'. */
static void evaluate_targets(const struct fleet *f, const struct snapshot *snap, double now,
			     struct rules_state *st, struct evaluation *out)
{
	DOMAINS_FOREACH(d)
		if (d->rules)
			d->rules(f, snap, now, st, out);
	for (size_t i = 0; i < out->ntargets; i++) {
		struct target_eval *t = &out->targets[i];
		enum status *last = &target_state_get(&st->tstatus, t->target, ST_NONE, now)->status;

		for (int p = 0; p < t->ev.nproblems; p++)
			t->ev.status = status_worst(t->ev.status, t->ev.problems[p].severity);
		problems_sort(&t->ev);
		out->worst = status_worst(out->worst, t->ev.status);
		if (!t->host)  /* its domain counted it with the hosts */
			out->target_counts[t->ev.status]++;
		event_transition(st, last, &t->ev, t->target, now);
	}
	target_state_prune(&st->tstatus, now);
	rules_target_index(out);
}

void evaluation_free(struct evaluation *ev)
{
	free(ev->host_sampled);
	free(ev->tindex);
	free(ev->targets);
	free(ev->hosts);
	free(ev->alerts);
	memset(ev, 0, sizeof(*ev));
}

/* The first moment after now at which a host's judgement changes without
 * a new sample: its poll turns overdue, its data stale (INFINITY if
 * neither is ahead). *past: one of them has come already (its problem
 * counts seconds). */
static double host_next_change(const struct fleet_host *h, const struct host_sample *s,
			       double now, bool *past)
{
	double next = INFINITY, d[2];
	int n = 0;

	if (s->poll_running_since > 0)
		d[n++] = s->poll_running_since + host_interval(h, s);
	if (has_data(s))
		d[n++] = s->sampled_at + RULES_STALE_FACTOR * host_interval(h, s);
	*past = false;
	for (int k = 0; k < n; k++) {
		if (now >= d[k])
			*past = true;
		else
			next = fmin(next, d[k]);
	}
	return next;
}

/* Until when host i's judgement holds without a new sample: the moment it
 * turns stale or its poll overdue; now when its problems count seconds
 * (stale, overdue, a recent OOM kill): then it is judged every time. */
static double judged_until(const struct fleet_host *h, const struct host_sample *s,
			   double now, double oom_at)
{
	struct fleet_thresholds th = rules_thresholds(h);
	bool past;
	double until = host_next_change(h, s, now, &past);

	if (past || (oom_at > 0 && now - oom_at < th.oom_hold))
		until = now;
	return until;
}

static bool judged_still(const struct rules_state *st, size_t i, uint64_t gen, double now)
{
	return st->cache_id && st->fresh_since <= 0 && gen && st->judged_gen[i] == gen &&
	       now >= st->judged_at[i] && now < st->judged_until[i];
}

/* ---- the hosts' running totals (struct host_book) ----
 *
 * An evaluation that follows on from the last one (same model, fleet and
 * hosts array, snap->changed all that changed, time not gone back, not a
 * --once run) judges only the hosts whose sample changed, the hosts judged
 * every time (their problems count seconds: stale, overdue, a recent OOM
 * kill) and the hosts whose moment came (a min-heap by judged_until); the
 * counts per status, the stale hosts, the oldest data (a min-heap by
 * sampled_at) and the hosts with problems (for alerts and events) follow
 * from what those hosts were and are. Any other evaluation passes every
 * host and builds the totals again. */

struct ixheap {                   /* min-heap of hosts by key, with positions */
	double *key;
	uint32_t *idx;                /* slot -> host */
	uint32_t *pos;                /* host -> slot + 1, 0 absent */
	size_t n;
};

struct host_book {
	size_t n;                     /* hosts described */
	int counts[4];
	size_t nstale;
	struct ixheap until, oldest;
	uint32_t *every, *every_next; /* judged every time */
	size_t nevery;
	uint32_t *probs, *probpos;    /* hosts with problems; host -> slot + 1 */
	size_t nprobs;
	uint32_t *visit;              /* this evaluation's judged hosts */
	size_t nvisit;
	unsigned char *mark;
	double last_now;
	bool ready;                   /* describes the hosts array of st->cache_id */
};

static void ixheap_swap(struct ixheap *h, size_t a, size_t b)
{
	double k = h->key[a];
	uint32_t i = h->idx[a];

	h->key[a] = h->key[b];
	h->idx[a] = h->idx[b];
	h->key[b] = k;
	h->idx[b] = i;
	h->pos[h->idx[a]] = (uint32_t)a + 1;
	h->pos[h->idx[b]] = (uint32_t)b + 1;
}

static void ixheap_fix(struct ixheap *h, size_t k)
{
	while (k > 0 && h->key[(k - 1) / 2] > h->key[k]) {
		ixheap_swap(h, k, (k - 1) / 2);
		k = (k - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * k + 1, m = k;

		if (l < h->n && h->key[l] < h->key[m])
			m = l;
		if (l + 1 < h->n && h->key[l + 1] < h->key[m])
			m = l + 1;
		if (m == k)
			return;
		ixheap_swap(h, k, m);
		k = m;
	}
}

static void ixheap_del(struct ixheap *h, uint32_t i)
{
	size_t k;

	if (!h->pos[i])
		return;
	k = h->pos[i] - 1;
	h->pos[i] = 0;
	if (k == --h->n)
		return;
	h->key[k] = h->key[h->n];
	h->idx[k] = h->idx[h->n];
	h->pos[h->idx[k]] = (uint32_t)k + 1;
	ixheap_fix(h, k);
}

static void ixheap_set(struct ixheap *h, uint32_t i, double key)
{
	size_t k;

	if (h->pos[i]) {
		k = h->pos[i] - 1;
	} else {
		k = h->n++;
		h->idx[k] = i;
		h->pos[i] = (uint32_t)k + 1;
	}
	h->key[k] = key;
	ixheap_fix(h, k);
}

static void book_free(struct host_book *b)
{
	if (!b)
		return;
	free(b->until.key);
	free(b->until.idx);
	free(b->until.pos);
	free(b->oldest.key);
	free(b->oldest.idx);
	free(b->oldest.pos);
	free(b->every);
	free(b->every_next);
	free(b->probs);
	free(b->probpos);
	free(b->visit);
	free(b->mark);
	free(b);
}

/* An empty book for n hosts (kept when it has that size). */
static struct host_book *book_fit(struct rules_state *st, size_t n)
{
	struct host_book *b = st->book;
	size_t m = n ? n : 1;

	if (b && b->n == n)
		return b;
	book_free(b);
	b = st->book = xcalloc(1, sizeof(*b));
	b->n = n;
	b->until.key = xmalloc(m * sizeof(double));
	b->until.idx = xmalloc(m * sizeof(uint32_t));
	b->until.pos = xcalloc(m, sizeof(uint32_t));
	b->oldest.key = xmalloc(m * sizeof(double));
	b->oldest.idx = xmalloc(m * sizeof(uint32_t));
	b->oldest.pos = xcalloc(m, sizeof(uint32_t));
	b->every = xmalloc(m * sizeof(uint32_t));
	b->every_next = xmalloc(m * sizeof(uint32_t));
	b->probs = xmalloc(m * sizeof(uint32_t));
	b->probpos = xcalloc(m, sizeof(uint32_t));
	b->visit = xmalloc(m * sizeof(uint32_t));
	b->mark = xcalloc(m, 1);
	return b;
}

static void book_clear(struct host_book *b)
{
	size_t m = b->n ? b->n : 1;

	memset(b->counts, 0, sizeof(b->counts));
	b->nstale = 0;
	b->until.n = b->oldest.n = 0;
	memset(b->until.pos, 0, m * sizeof(uint32_t));
	memset(b->oldest.pos, 0, m * sizeof(uint32_t));
	memset(b->probpos, 0, m * sizeof(uint32_t));
	b->nevery = b->nprobs = 0;
}

/* Host i as judged now enters the totals (book_leave() took it out). */
static void book_enter(struct host_book *b, struct rules_state *st, size_t i,
		       const struct host_eval *ev, double sampled, double now)
{
	uint32_t u = (uint32_t)i;

	b->counts[ev->status]++;
	b->nstale += ev->stale;
	if (sampled > 0)
		ixheap_set(&b->oldest, u, sampled);
	else
		ixheap_del(&b->oldest, u);
	if (st->judged_until[i] <= now)
		b->every_next[b->nevery++] = u;
	else if (isfinite(st->judged_until[i]))
		ixheap_set(&b->until, u, st->judged_until[i]);
	else
		ixheap_del(&b->until, u);
	if (ev->nproblems && !b->probpos[i]) {
		b->probs[b->nprobs++] = u;
		b->probpos[i] = (uint32_t)b->nprobs;
	} else if (!ev->nproblems && b->probpos[i]) {
		size_t k = b->probpos[i] - 1;

		b->probpos[i] = 0;
		if (k != --b->nprobs) {
			b->probs[k] = b->probs[b->nprobs];
			b->probpos[b->probs[k]] = (uint32_t)k + 1;
		}
	}
}

static void book_leave(struct host_book *b, const struct host_eval *ev)
{
	b->counts[ev->status]--;
	b->nstale -= ev->stale;
}

/* Judges host i (it changed or its moment came); returns the next moment
 * its judgement changes by itself (host_next_change). */
static double host_judge(const struct fleet *f, const struct snapshot *snap, double now,
			 struct rules_state *st, struct evaluation *out, size_t i)
{
	const struct fleet_host *h = f && i < f->nhosts ? &f->hosts[i] : NULL;
	const struct host_sample *s = snap_host(snap, i);
	struct host_eval *ev = &out->hosts[i];
	uint64_t gen = snapshot_gen(snap, DOM_HOST, i);
	double t = now;
	bool past;

	if (judged_still(st, i, gen, now)) {
		/* nothing new and nothing due: only the age moves */
		if (has_data(s))
			ev->age = now > s->sampled_at ? now - s->sampled_at : 0;
	} else {
		t = rules_judge_time(st, s->sampled_at, now);
		oom_track(st, i, s, now);
		rules_eval_host(h, s, t, st->oom_at[i], ev);
		st->judged_gen[i] = gen;
		st->judged_at[i] = now;
		st->judged_until[i] = judged_until(h, s, t, st->oom_at[i]);
	}
	out->host_sampled[i] = has_data(s) ? s->sampled_at : 0;
	return host_next_change(h, s, now, &past);
}

static void visit_host(struct host_book *b, uint32_t i)
{
	if (i < b->n && !b->mark[i]) {
		b->mark[i] = 1;
		b->visit[b->nvisit++] = i;
	}
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Every host: what an evaluation that cannot follow on from the last does. */
static void hosts_all(const struct fleet *f, const struct snapshot *snap, double now,
		      struct rules_state *st, struct evaluation *out, struct host_book *b)
{
	book_clear(b);
	b->nvisit = 0;
	for (size_t i = 0; i < out->nhosts; i++) {
		struct host_eval *ev = &out->hosts[i];

		out->next_change = fmin(out->next_change, host_judge(f, snap, now, st, out, i));
		if (ev->age > out->oldest_age)
			out->oldest_age = ev->age;
		book_enter(b, st, i, ev, out->host_sampled[i], now);
		b->visit[b->nvisit++] = (uint32_t)i;
	}
}

/* The hosts that changed or whose moment came; the others hold. */
static void hosts_changed(const struct fleet *f, const struct snapshot *snap, double now,
			  struct rules_state *st, struct evaluation *out, struct host_book *b)
{
	size_t nevery = b->nevery;

	b->nvisit = 0;
	for (size_t k = 0; k < snap->nchanged; k++)
		if (snap->changed[k].dom == DOM_HOST)
			visit_host(b, snap->changed[k].index);
	for (size_t k = 0; k < nevery; k++)
		visit_host(b, b->every[k]);
	while (b->until.n && b->until.key[0] <= now) {
		uint32_t i = b->until.idx[0];

		ixheap_del(&b->until, i);
		visit_host(b, i);
	}
	b->nevery = 0;
	for (size_t k = 0; k < b->nvisit; k++) {
		size_t i = b->visit[k];

		b->mark[i] = 0;
		book_leave(b, &out->hosts[i]);
		out->next_change = fmin(out->next_change, host_judge(f, snap, now, st, out, i));
		book_enter(b, st, i, &out->hosts[i], out->host_sampled[i], now);
	}
	if (b->until.n)
		out->next_change = fmin(out->next_change, b->until.key[0]);
	if (b->oldest.n)
		out->oldest_age = now > b->oldest.key[0] ? now - b->oldest.key[0] : 0;
	/* the ages of the hosts not judged again: counted when read
	 * (rules_host_age()), or here for a reader that reads the field */
	for (size_t i = 0; !out->ages_on_read && i < out->nhosts; i++) {
		double at = out->host_sampled[i];

		if (at > 0)
			out->hosts[i].age = now > at ? now - at : 0;
	}
	qsort(b->visit, b->nvisit, sizeof(*b->visit), u32_cmp);
}

static void evaluate_hosts(const struct fleet *f, const struct snapshot *snap, double now,
			   struct rules_state *st, struct evaluation *out)
{
	struct host_book *b = book_fit(st, out->nhosts);
	bool follow = b->ready && st->cache_id && st->cache_id == out->hosts_id &&
		      st->since_seen && st->fresh_since <= 0 && now >= b->last_now;
	uint32_t *t;

	if (follow)
		hosts_changed(f, snap, now, st, out, b);
	else
		hosts_all(f, snap, now, st, out, b);
	t = b->every;
	b->every = b->every_next;
	b->every_next = t;
	b->last_now = now;
	b->ready = true;
	memcpy(out->counts, b->counts, sizeof(out->counts));
	out->nstale = b->nstale;
	for (int k = 0; k < 4; k++)
		if (out->counts[k])
			out->worst = status_worst(out->worst, (enum status)k);
	st->judged += b->nvisit;
}

/* Empties *out for a new evaluation; the hosts' array stays when it is the
 * one st's judgements describe (same size), so unchanged hosts keep theirs. */
static void evaluation_reset(struct evaluation *out, struct rules_state *st, size_t nhosts)
{
	static uint64_t next_id;
	struct host_eval *hosts = out->hosts;
	double *sampled = out->host_sampled;
	uint64_t id = out->hosts_id;
	bool ages_on_read = out->ages_on_read;

	if (!hosts || !sampled || out->nhosts != nhosts || !id || id != st->cache_id) {
		free(hosts);
		free(sampled);
		hosts = xcalloc(nhosts ? nhosts : 1, sizeof(*hosts));
		sampled = xcalloc(nhosts ? nhosts : 1, sizeof(*sampled));
		id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
		st->cache_id = 0;
	}
	out->hosts = NULL;
	out->host_sampled = NULL;
	evaluation_free(out);
	out->hosts = hosts;
	out->host_sampled = sampled;
	out->hosts_id = id;
	out->nhosts = nhosts;
	out->ages_on_read = ages_on_read;
	out->worst = ST_OK;
	out->oldest_age = -1;
	out->next_change = INFINITY;
}

bool rules_any_stale(const struct evaluation *ev, size_t n)
{
	if (!ev)
		return false;
	if (ev->hosts_id && n >= ev->nhosts)
		return ev->nstale > 0;     /* counted by rules_evaluate() */
	for (size_t i = 0; i < n && i < ev->nhosts; i++)
		if (ev->hosts[i].stale)
			return true;
	return false;
}

static size_t count_alerts(const struct evaluation *out, const struct host_book *b)
{
	size_t n = 0;

	for (size_t j = 0; j < b->nprobs; j++)
		for (int k = 0; k < out->hosts[b->probs[j]].nproblems; k++)
			n += out->hosts[b->probs[j]].problems[k].severity != ST_OK;
	for (size_t i = 0; i < out->ntargets; i++)
		for (int k = 0; k < out->targets[i].ev.nproblems; k++)
			n += out->targets[i].ev.problems[k].severity != ST_OK;
	return n;
}

/* The hosts an evaluation's alerts and events look at, ascending: those
 * with problems and those judged now (a change of status is an event);
 * every other host has no alert and its last status is its status. */
static size_t hosts_noted(struct host_book *b, uint32_t **list)
{
	size_t n = b->nvisit;

	if (n == b->n) {
		*list = b->visit;     /* every host */
		return n;
	}
	for (size_t k = 0; k < n; k++)
		b->mark[b->visit[k]] = 1;
	for (size_t k = 0; k < b->nprobs; k++)
		if (!b->mark[b->probs[k]])
			b->visit[n++] = b->probs[k];
	for (size_t k = 0; k < b->nvisit; k++)
		b->mark[b->visit[k]] = 0;
	qsort(b->visit, n, sizeof(*b->visit), u32_cmp);
	*list = b->visit;
	return n;
}

void rules_evaluate(const struct fleet *f, const struct snapshot *snap, double now,
		    struct rules_state *st, struct evaluation *out)
{
	char target[96];
	size_t n = snap ? snap->nhosts : 0, nnoted;
	uint32_t *noted;

	state_fit(st, n);
	evaluation_reset(out, st, n);
	out->fresh_since = st->fresh_since;
	out->now = now;
	/* snap->changed is all that changed since the last evaluation: the
	 * same model followed on from where that one was */
	st->evals++;
	st->visited = 0;
	st->judged = 0;
	st->since_seen = snap && snap->src && snap->src == st->seen_src && f == st->seen_fleet &&
			 !snap->changed_all &&
			 (st->seen_jpos == snap->jprev || st->seen_jpos == snap->jpos);
	evaluate_hosts(f, snap, now, st, out);
	st->cache_id = out->hosts_id;
	if (snap)
		evaluate_targets(f, snap, now, st, out);
	st->seen_src = snap ? snap->src : NULL;
	st->seen_fleet = f;
	st->seen_jpos = snap ? snap->jpos : 0;
	for (size_t i = 0; i < out->ntargets; i++)
		if (out->targets[i].ev.stale_at > now)
			out->next_change = fmin(out->next_change, out->targets[i].ev.stale_at);

	out->alerts = xcalloc(count_alerts(out, st->book) + 1, sizeof(*out->alerts));
	nnoted = hosts_noted(st->book, &noted);
	for (size_t k = 0; k < nnoted; k++) {
		size_t i = noted[k];
		const struct host_eval *ev = &out->hosts[i];

		/* the host's name only where it is needed: an alert or an event */
		if (!ev->nproblems && st->last_status[i] == ev->status)
			continue;
		host_target(target, sizeof(target), f, i);
		alerts_add_host(out, st, target, ev, now);
		event_note(st, i, target, snap_host(snap, i), ev, now);
	}
	for (size_t i = 0; i < out->ntargets; i++)
		alerts_add_host(out, st, out->targets[i].target, &out->targets[i].ev, now);
	qsort(out->alerts, out->nalerts, sizeof(*out->alerts), alert_order_cmp);
	alerts_remember(st, out);
}
