/* The [prometheus] collector: the hosts discovered at start
 * (prom_discover.c) are read from the query API instead of over SSH.
 *
 * Every interval, one round per section: one instant query per value, each
 * aggregated on the server by the host label, so every answer holds one
 * series per host (per watched mount for the disks) whatever the exporters
 * expose, and the round costs the same ~18 requests for 3 hosts or 3000.
 * The answers are read as they arrive (prom_parse.h): each sample goes
 * straight into its host's accumulator, nothing of an answer is kept, and a
 * host costs the same few hundred bytes however many series the server
 * holds for it. When the last answer is in, every host of the section gets
 * a whole new sample. A series missing for a host leaves that value
 * invalid, never 0. See doc/prometheus.md for the queries and the limits. */
#include "config.h"
#include "collect/http.h"
#include "collect/prometheus.h"
#include "collect/prom_client.h"
#include "collect/prom_exporters.h"
#include "collect/prom_hosts.h"
#include "collect/prom_query.h"
#include "collect/source.h"
#include "util/util.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct phost {
	size_t index;                  /* into fleet.hosts and the model */
	const struct fleet_host *fh;
};

struct psrc;

struct pquery {
	struct prom_call call;
	struct psrc *src;
	enum prom_value q;
	char *args;                    /* query=...&limit=... */
};

/* One [prometheus] section. */
struct psrc {
	const struct collect_env *env;
	const struct fleet_section *sec;
	struct prom_conn conn;
	char setup_err[256];           /* the section cannot be queried at all */
	struct phost **hosts;
	size_t nhosts;
	const char **names;            /* the hosts' names, for hs */
	size_t *model_index;           /* the hosts' model indexes */
	struct prom_hostset hs;        /* this round's values, hs.vals[i] for hosts[i] */
	struct prom_exp *exp;          /* containers and GPUs (cAdvisor, DCGM), or NULL */
	const struct fleet_host *proto; /* the first host: the section's mounts */
	struct pquery q[PV__N];
	int pending;
	struct prom_scrape scrape;
	bool scrape_started;
	double window_next;            /* > 0: rebuild the queries for this rate window */
	double interval;
	double next_poll;              /* monotonic */
	int rounds;                    /* finished rounds, good or not */
};

struct prom {
	struct collect_env env;
	struct psrc *s;
	size_t n;
	struct phost *all;
	size_t nall;
};

static void on_sample(void *arg, const struct prom_sample *s);
static void query_done(struct prom_call *c);

/* The value queries, for the rate window in force. */
static void queries_build(struct psrc *ps, double window)
{
	int nmounts = ps->proto ? ps->proto->ndisks : 0;
	struct prom_qctx qc = {
		.label = ps->conn.label, .match = fleet_section_get(ps->sec, "match"),
		.mounts = ps->proto ? ps->proto->disks : NULL, .nmounts = nmounts,
		.oom_hold = ps->env->f->th.oom_hold, .rate_window = window,
	};

	for (int q = 0; q < PV__N && !ps->setup_err[0]; q++) {
		struct pquery *pq = &ps->q[q];
		char *text = prom_value_query((enum prom_value)q, &qc, ps->setup_err,
					      sizeof(ps->setup_err));
		size_t cap;
		if (!text)
			break;
		/* one series per host (per watched mount): a quarter more, for
		 * hosts that appeared since discovery, and no more */
		cap = ps->nhosts * (size_t)prom_value_per_host((enum prom_value)q, nmounts);
		cap += cap / 4 + 64;
		pq->src = ps;
		pq->q = (enum prom_value)q;
		free(pq->args);
		pq->args = prom_query_args(text, cap + 1);
		pq->call = (struct prom_call){
			.conn = &ps->conn, .doc = PROM_DOC_VECTOR,
			.want = { ps->conn.label, prom_value_by((enum prom_value)q), NULL },
			.fn = on_sample, .arg = pq, .cap = cap, .done = query_done,
		};
		free(text);
	}
	if (ps->exp)
		prom_exp_build(ps->exp, window);
}

static void psrc_setup(struct prom *p, struct psrc *ps, const struct fleet_section *sec)
{
	const struct fleet *f = p->env.f;
	int nmounts;

	ps->env = &p->env;
	ps->sec = sec;
	prom_conn_init(&ps->conn, sec, f->timeout);
	str_copy(ps->setup_err, ps->conn.setup_err, sizeof(ps->setup_err));
	ps->interval = fleet_section_duration(sec, "interval", f->interval > 0 ? f->interval : 2);
	ps->proto = ps->nhosts ? ps->hosts[0]->fh : NULL;
	if (ps->nhosts)
		ps->interval = ps->hosts[0]->fh->interval;  /* -i applies, as for [host]s */
	nmounts = ps->proto ? ps->proto->ndisks : 0;
	ps->names = xcalloc(ps->nhosts + 1, sizeof(*ps->names));
	ps->model_index = xcalloc(ps->nhosts + 1, sizeof(*ps->model_index));
	for (size_t i = 0; i < ps->nhosts; i++) {
		ps->names[i] = ps->hosts[i]->fh->name;
		ps->model_index[i] = ps->hosts[i]->index;
	}
	prom_hostset_init(&ps->hs, ps->names, ps->nhosts, ps->proto ? ps->proto->disks : NULL,
			  nmounts);
	ps->exp = prom_exp_new(&ps->conn, ps->names, ps->model_index, ps->nhosts);
	queries_build(ps, prom_rate_window(sec, 0));
}

/* The server's scrape interval is the section's default interval (polling
 * faster fetches the same samples again), and sets the rate window. */
static void scrape_found(struct prom_scrape *sc, void *arg)
{
	struct psrc *ps = arg;

	if (!prom_scrape_adopt(sc, ps->sec, &ps->interval, &ps->next_poll))
		return;
	/* the queries change between rounds, never under one in flight */
	if (!fleet_section_get(ps->sec, "rate_window"))
		ps->window_next = prom_rate_window(ps->sec, sc->interval);
}

static void *prom_create(const struct collect_env *env)
{
	const struct fleet *f = env->f;
	struct prom *p;
	size_t nsec = fleet_count(f, SEC_PROMETHEUS), k = 0;

	for (size_t i = 0; i < f->nhosts; i++)
		k += f->hosts[i].prometheus >= 0 && (size_t)f->hosts[i].prometheus < nsec;
	if (!k)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->env = *env;
	p->n = nsec;
	p->s = xcalloc(nsec, sizeof(*p->s));
	p->all = xcalloc(k, sizeof(*p->all));
	for (size_t i = 0; i < f->nhosts; i++) {
		const struct fleet_host *fh = &f->hosts[i];
		struct phost *h;
		struct psrc *ps;
		if (fh->prometheus < 0 || (size_t)fh->prometheus >= nsec)
			continue;
		h = &p->all[p->nall++];
		h->index = i;
		h->fh = fh;
		ps = &p->s[fh->prometheus];
		ps->hosts = xrealloc(ps->hosts, (ps->nhosts + 1) * sizeof(*ps->hosts));
		ps->hosts[ps->nhosts++] = h;
	}
	for (size_t i = 0; i < nsec; i++)
		psrc_setup(p, &p->s[i], fleet_nth(f, SEC_PROMETHEUS, i));
	return p;
}

/* ---- samples into the hosts, as the answers arrive ---- */

static void on_sample(void *arg, const struct prom_sample *s)
{
	struct pquery *pq = arg;

	prom_hostset_sample(&pq->src->hs, pq->q, s);
}

/* ---- one round's values into the hosts ---- */

#define B(q) (1u << (q))

static void host_fail(struct host_sample *s, enum host_conn conn, const char *msg)
{
	s->conn = conn;
	str_copy(s->error, msg, sizeof(s->error));
	str_sanitize(s->error);
}

/* One host from this round: reachable per `up`, values per the answers. */
static void host_finish(struct psrc *ps, struct phost *h, const struct prom_values *a,
			struct host_sample *s)
{
	double eval = ps->q[PV_UP].call.reader.eval_time > 0 ? ps->q[PV_UP].call.reader.eval_time
							      : now_wall();

	if (!prom_values_host(a, h->fh->disks, h->fh->ndisks, eval, ps->sec->name, s))
		return;
	s->valid |= HV_LATENCY;
	s->latency_ms = ps->q[PV_UP].call.ms;
	s->rounds++;
}

/* The section failed as a whole this round: why, or NULL. An answer over
 * its cap fails it too: a partial fleet must never look like a whole one. */
static const char *round_error(struct psrc *ps, char *buf, size_t size)
{
	if (!ps->q[PV_UP].call.ok && !ps->q[PV_UP].call.over) {
		str_fmt(buf, size, "Prometheus %s (%s) did not answer: %s", ps->sec->name,
			ps->conn.base, ps->q[PV_UP].call.err);
		return buf;
	}
	for (int q = 0; q < PV__N; q++) {
		const struct prom_call *c = &ps->q[q].call;
		if (!c->over && !strstr(c->err, "too large"))
			continue;
		str_fmt(buf, size, "Prometheus %s: the answer for %s is larger than %zu series for "
			"%zu hosts: is host_label (%s) one label per host, and match narrow enough?",
			ps->sec->name, prom_value_metric((enum prom_value)q), c->cap, ps->nhosts,
			ps->conn.label);
		return buf;
	}
	return NULL;
}

static void round_finish(struct psrc *ps)
{
	uint32_t ok = 0;
	char buf[MODEL_ERR_LEN];
	const char *fail = round_error(ps, buf, sizeof(buf));
	struct host_sample s;
	double now = now_wall();

	for (int q = 0; q < PV__N; q++) {
		if (ps->q[q].call.ok)
			ok |= B(q);
		prom_call_clear(&ps->q[q].call);
	}
	prom_hostset_keep(&ps->hs, ok);  /* a failed answer's samples count for nothing */
	for (size_t i = 0; i < ps->nhosts; i++) {
		struct phost *h = ps->hosts[i];
		/* our last sample: history and counters go on from there */
		model_get_host(ps->env->m, h->index, &s);
		s.interval = ps->interval;
		s.attempted_at = now;
		if (fail)
			host_fail(&s, HC_PROBE, fail);
		else
			host_finish(ps, h, &ps->hs.vals[i], &s);
		model_publish_host(ps->env->m, h->index, &s);
	}
	prom_hostset_clear(&ps->hs);
	if (ps->exp)
		prom_exp_publish(ps->exp, ps->env, ps->interval);
	ps->rounds++;
	if (ps->env->notify)
		ps->env->notify(ps->env->notify_arg);
}

/* ---- the requests ---- */

static void psrc_done(void *arg)
{
	struct psrc *ps = arg;

	if (--ps->pending == 0)
		round_finish(ps);
}

static void query_done(struct prom_call *c)
{
	struct pquery *pq = c->arg;

	psrc_done(pq->src);
}

static void round_start(struct psrc *ps, double now)
{
	if (ps->window_next > 0) {
		queries_build(ps, ps->window_next);
		ps->window_next = 0;
	}
	ps->next_poll = now + ps->interval;
	ps->pending = 1;  /* held until every request is started */
	for (int q = 0; q < PV__N; q++) {
		struct pquery *pq = &ps->q[q];
		if (ps->setup_err[0] || !pq->args) {
			pq->call.ok = false;
			str_copy(pq->call.err, ps->setup_err, sizeof(pq->call.err));
			continue;
		}
		ps->pending++;
		if (prom_call_start(&pq->call, ps->env->http, "query", pq->args) < 0)
			ps->pending--;
	}
	if (ps->exp && !ps->setup_err[0])
		ps->pending += prom_exp_start(ps->exp, ps->env->http, psrc_done, ps);
	if (--ps->pending == 0)
		round_finish(ps);
}

static bool psrc_wants_round(const struct psrc *ps, double now, const struct collect_flags *fl)
{
	/* the first round waits for the scrape interval (two small requests):
	 * it sets the rate window and the hosts' interval */
	if (ps->pending || !ps->nhosts || ps->scrape.busy)
		return false;
	if (fl->once)
		return ps->rounds == 0;
	/* paused means no new polls, even on R (as for the SSH hosts) */
	if (fl->paused)
		return false;
	return fl->poll_now || now >= ps->next_poll;
}

static void prom_prepare(void *arg, struct pollset *ps, double now, double *deadline,
			 const struct collect_flags *fl)
{
	struct prom *p = arg;

	(void)ps;
	for (size_t i = 0; i < p->n; i++) {
		struct psrc *s = &p->s[i];
		if (!s->scrape_started && s->nhosts && !s->setup_err[0]) {
			s->scrape_started = true;
			prom_scrape_start(&s->scrape, &s->conn, s->env->http,
					  fleet_section_get(s->sec, "match"), scrape_found, s);
		}
		if (psrc_wants_round(s, now, fl))
			round_start(s, now);
		if (!s->pending && s->nhosts && !fl->paused && !fl->once)
			deadline_min(deadline, s->next_poll);
	}
}

static void prom_dispatch(void *arg, const struct pollset *ps, double now)
{
	/* everything arrives through the http callbacks */
	(void)arg;
	(void)ps;
	(void)now;
}

static bool prom_round_done(void *arg)
{
	struct prom *p = arg;

	for (size_t i = 0; i < p->n; i++)
		if (p->s[i].nhosts && p->s[i].rounds == 0)
			return false;
	return true;
}

static void prom_destroy(void *arg)
{
	struct prom *p = arg;

	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct psrc *s = &p->s[i];
		for (int q = 0; q < PV__N; q++) {
			free(s->q[q].args);
			prom_call_clear(&s->q[q].call);
		}
		prom_scrape_free(&s->scrape);
		prom_conn_free(&s->conn);
		prom_hostset_free(&s->hs);
		prom_exp_free(s->exp);
		free(s->model_index);
		free(s->names);
		free(s->hosts);
	}
	free(p->s);
	free(p->all);
	free(p);
}

const struct source_ops source_prometheus = {
	.name = "prometheus",
	.create = prom_create,
	.prepare = prom_prepare,
	.dispatch = prom_dispatch,
	.round_done = prom_round_done,
	.destroy = prom_destroy,
};
