/* The [prometheus] collector: the hosts discovered at start
 * (prom_discover.c) are read from the query API instead of over SSH.
 *
 * Every interval, one round per section: a handful of instant queries, each
 * answering for ALL of the section's hosts at once (so a round costs the
 * same 10 requests for 3 hosts or 3000), started together on the shared
 * curl multi engine. When the last answer is in, every host of the section
 * gets a whole new sample. A series missing for a host leaves that value
 * invalid, never 0. See doc/prometheus.md for the queries and the limits. */
#include "config.h"
#include "collect/http.h"
#include "collect/prometheus.h"
#include "collect/prom_parse.h"
#include "collect/source.h"
#include "util/util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum query {
	Q_UP, Q_LOAD, Q_CPU, Q_CORES, Q_MEM, Q_PSI_SOME, Q_PSI_FULL, Q_MISC, Q_FS, Q_UNAME,
	Q__N
};

/* What one host got from this round's answers. */
enum have {
	A_UP = 1u << 0, A_LOAD1 = 1u << 1, A_LOAD5 = 1u << 2, A_LOAD15 = 1u << 3,
	A_CPU = 1u << 4, A_CORES = 1u << 5, A_MEMTOTAL = 1u << 6, A_MEMAVAIL = 1u << 7,
	A_SWAPTOTAL = 1u << 8, A_SWAPFREE = 1u << 9, A_PSISOME = 1u << 10,
	A_PSIFULL = 1u << 11, A_BOOT = 1u << 12, A_OOM = 1u << 13, A_RELEASE = 1u << 14,
};
enum fs_have { F_SIZE = 1, F_FREE = 2, F_AVAIL = 4 };

struct acc {
	unsigned have;
	double up, load[3], cpu, cores, mem_total, mem_avail, swap_total, swap_free;
	double psi_some, psi_full, boot, oom;
	char release[64];
	unsigned fs_have[FLEET_MAX_DISKS];
	double fs_size[FLEET_MAX_DISKS], fs_free[FLEET_MAX_DISKS], fs_avail[FLEET_MAX_DISKS];
};

struct phost {
	size_t index;                  /* into fleet.hosts and the model */
	const struct fleet_host *fh;
	struct host_sample work;       /* our copy, published whole */
	struct acc acc;                /* this round's values */
};

struct psrc;

struct pquery {
	struct psrc *src;
	enum query q;
	char *url;
	bool in_flight;
	bool ok;
	double ms;                     /* HTTP round trip */
	struct prom_vector vec;
	char err[256];
};

/* One [prometheus] section. */
struct psrc {
	const struct collect_env *env;
	const struct fleet_section *sec;
	char *base, *label, *auth;
	char setup_err[256];           /* the section cannot be queried at all */
	struct phost **hosts;          /* sorted by name, for lookups */
	size_t nhosts;
	struct pquery q[Q__N];
	int pending;
	double interval, timeout;
	double next_poll;              /* monotonic */
	double round_started;
	int rounds;                    /* finished rounds, good or not */
};

struct prom {
	struct collect_env env;
	struct psrc *s;
	size_t n;
	struct phost *all;
	size_t nall;
};

static const char *const query_extra_label[Q__N] = {
	[Q_FS] = "mountpoint", [Q_UNAME] = "release",
};

/* ---- building the queries ---- */

/* The mountpoint matcher for every watched mount of the section's hosts. */
static char *fs_matcher(const struct psrc *ps)
{
	size_t cap = 64, len = 0;
	char *re = xcalloc(1, cap), *q, *m;

	for (size_t i = 0; i < ps->nhosts; i++) {
		const struct fleet_host *fh = ps->hosts[i]->fh;
		for (int d = 0; d < fh->ndisks; d++) {
			char *lit = prom_regex_literal(fh->disks[d]);
			size_t n = strlen(lit);
			/* a mount watched by many hosts goes in once */
			char *pat = xasprintf("|%s|", lit);
			char *have = xasprintf("|%s|", re);
			if (!strstr(have, pat)) {
				if (len + n + 2 > cap) {
					cap = 2 * (len + n + 2);
					re = xrealloc(re, cap);
				}
				len += (size_t)sprintf(re + len, "%s%s", len ? "|" : "", lit);
			}
			free(have);
			free(pat);
			free(lit);
		}
	}
	q = prom_quote(re);
	m = xasprintf("__name__=~\"node_filesystem_(size|free|avail)_bytes\",mountpoint=~%s", q);
	free(q);
	free(re);
	return m;
}

/* The PromQL of query q, or NULL with setup_err set (a bad match). */
static char *query_text(struct psrc *ps, enum query q)
{
	const char *m = fleet_section_get(ps->sec, "match"), *L = ps->label;
	char *sel = NULL, *out = NULL, *fs;
	char *e = ps->setup_err;
	size_t el = sizeof(ps->setup_err);

	switch (q) {
	case Q_UP:
		return prom_selector("up", m, NULL, e, el);
	case Q_LOAD:
		return prom_selector(NULL, m, "__name__=~\"node_load1|node_load5|node_load15\"", e, el);
	case Q_CPU:
	case Q_CORES:
		sel = prom_selector("node_cpu_seconds_total", m, "mode=\"idle\"", e, el);
		if (sel && q == Q_CPU)
			out = xasprintf("100 - avg by (%s) (rate(%s[1m])) * 100", L, sel);
		else if (sel)
			out = xasprintf("count by (%s) (%s)", L, sel);
		break;
	case Q_MEM:
		return prom_selector(NULL, m, "__name__=~\"node_memory_(MemTotal|MemAvailable|"
				     "SwapTotal|SwapFree)_bytes\"", e, el);
	case Q_PSI_SOME:
	case Q_PSI_FULL:
		sel = prom_selector(q == Q_PSI_SOME ? "node_pressure_memory_waiting_seconds_total"
				    : "node_pressure_memory_stalled_seconds_total", m, NULL, e, el);
		if (sel)
			out = xasprintf("rate(%s[1m]) * 100", sel);
		break;
	case Q_MISC:
		return prom_selector(NULL, m, "__name__=~\"node_boot_time_seconds|node_vmstat_oom_kill\"",
				     e, el);
	case Q_FS:
		fs = fs_matcher(ps);
		out = prom_selector(NULL, m, fs, e, el);
		free(fs);
		return out;
	case Q_UNAME:
		return prom_selector("node_uname_info", m, NULL, e, el);
	case Q__N:
		break;
	}
	free(sel);
	return out;
}

static int phost_cmp(const void *a, const void *b)
{
	return strcmp((*(struct phost *const *)a)->fh->name, (*(struct phost *const *)b)->fh->name);
}

static struct phost *phost_find(const struct psrc *ps, const char *name)
{
	size_t lo = 0, hi = ps->nhosts;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, ps->hosts[mid]->fh->name);
		if (c == 0)
			return ps->hosts[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void psrc_setup(struct prom *p, struct psrc *ps, const struct fleet_section *sec)
{
	const struct fleet *f = p->env.f;
	char err[256];

	ps->env = &p->env;
	ps->sec = sec;
	ps->base = prom_base_url(sec);
	ps->label = xstrdup(fleet_section_value(sec, "host_label"));
	ps->interval = fleet_section_duration(sec, "interval", f->interval > 0 ? f->interval : 2);
	ps->timeout = fleet_section_duration(sec, "timeout", f->timeout > 0 ? f->timeout : 5);
	if (ps->nhosts)
		ps->interval = ps->hosts[0]->fh->interval;  /* -i applies, as for [host]s */
	qsort(ps->hosts, ps->nhosts, sizeof(*ps->hosts), phost_cmp);
	ps->auth = prom_auth_header(sec, err, sizeof(err));
	if (!ps->auth && err[0])
		str_fmt(ps->setup_err, sizeof(ps->setup_err), "bearer_token_file: %s", err);
	if (!prom_label_name_ok(ps->label))
		str_fmt(ps->setup_err, sizeof(ps->setup_err), "host_label \"%s\" is not a label name",
			ps->label);
	for (int q = 0; q < Q__N && !ps->setup_err[0]; q++) {
		char *text = query_text(ps, (enum query)q), *enc;
		if (!text)
			break;
		enc = prom_url_encode(text);
		ps->q[q].url = xasprintf("%s/api/v1/query?query=%s", ps->base, enc);
		ps->q[q].src = ps;
		ps->q[q].q = (enum query)q;
		free(enc);
		free(text);
	}
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
		h->work.interval = fh->interval;
		ps = &p->s[fh->prometheus];
		ps->hosts = xrealloc(ps->hosts, (ps->nhosts + 1) * sizeof(*ps->hosts));
		ps->hosts[ps->nhosts++] = h;
	}
	for (size_t i = 0; i < nsec; i++)
		psrc_setup(p, &p->s[i], fleet_nth(f, SEC_PROMETHEUS, i));
	return p;
}

/* ---- one round's answers into the hosts ---- */

static bool good(double v)
{
	return isfinite(v) && v >= 0;
}

static void acc_name(struct acc *a, const char *name, double v)
{
	static const struct { const char *name; unsigned bit; size_t off; } tbl[] = {
		{ "node_load1", A_LOAD1, offsetof(struct acc, load[0]) },
		{ "node_load5", A_LOAD5, offsetof(struct acc, load[1]) },
		{ "node_load15", A_LOAD15, offsetof(struct acc, load[2]) },
		{ "node_memory_MemTotal_bytes", A_MEMTOTAL, offsetof(struct acc, mem_total) },
		{ "node_memory_MemAvailable_bytes", A_MEMAVAIL, offsetof(struct acc, mem_avail) },
		{ "node_memory_SwapTotal_bytes", A_SWAPTOTAL, offsetof(struct acc, swap_total) },
		{ "node_memory_SwapFree_bytes", A_SWAPFREE, offsetof(struct acc, swap_free) },
		{ "node_boot_time_seconds", A_BOOT, offsetof(struct acc, boot) },
		{ "node_vmstat_oom_kill", A_OOM, offsetof(struct acc, oom) },
	};
	for (size_t i = 0; i < ARRAY_LEN(tbl); i++) {
		if (strcmp(name, tbl[i].name) != 0)
			continue;
		*(double *)((char *)a + tbl[i].off) = v;
		a->have |= tbl[i].bit;
		return;
	}
}

static void acc_fs(struct acc *a, const struct fleet_host *fh, const struct prom_entry *e)
{
	static const struct { const char *name; unsigned bit; } tbl[] = {
		{ "node_filesystem_size_bytes", F_SIZE },
		{ "node_filesystem_free_bytes", F_FREE },
		{ "node_filesystem_avail_bytes", F_AVAIL },
	};
	for (int d = 0; d < fh->ndisks && d < FLEET_MAX_DISKS; d++) {
		if (strcmp(fh->disks[d], e->extra) != 0)
			continue;
		for (size_t i = 0; i < ARRAY_LEN(tbl); i++) {
			/* the same mount from two devices: the first one counts */
			if (strcmp(e->name, tbl[i].name) != 0 || (a->fs_have[d] & tbl[i].bit))
				continue;
			a->fs_have[d] |= tbl[i].bit;
			if (tbl[i].bit == F_SIZE)
				a->fs_size[d] = e->value;
			else if (tbl[i].bit == F_FREE)
				a->fs_free[d] = e->value;
			else
				a->fs_avail[d] = e->value;
		}
	}
}

static void acc_entry(struct acc *a, const struct fleet_host *fh, enum query q,
		      const struct prom_entry *e)
{
	if (!good(e->value))
		return;  /* NaN, Inf, negative: that value is unknown */
	switch (q) {
	case Q_UP: a->up = e->value; a->have |= A_UP; break;
	case Q_CPU: a->cpu = e->value > 100 ? 100 : e->value; a->have |= A_CPU; break;
	case Q_CORES: a->cores = e->value; a->have |= A_CORES; break;
	case Q_PSI_SOME: a->psi_some = e->value > 100 ? 100 : e->value; a->have |= A_PSISOME; break;
	case Q_PSI_FULL: a->psi_full = e->value > 100 ? 100 : e->value; a->have |= A_PSIFULL; break;
	case Q_FS: acc_fs(a, fh, e); break;
	case Q_UNAME:
		if (!e->extra[0])
			break;
		str_copy(a->release, e->extra, sizeof(a->release));
		str_sanitize(a->release);
		a->have |= A_RELEASE;
		break;
	case Q_LOAD:
	case Q_MEM:
	case Q_MISC:
		acc_name(a, e->name, e->value);
		break;
	case Q__N:
		break;
	}
}

static void fill_disks(struct host_sample *s, const struct fleet_host *fh, const struct acc *a)
{
	s->ndisks = 0;
	for (int d = 0; d < fh->ndisks && d < MODEL_MAX_DISKS; d++) {
		struct disk_sample *ds = &s->disks[s->ndisks++];
		double used;
		memset(ds, 0, sizeof(*ds));
		str_copy(ds->mount, fh->disks[d], sizeof(ds->mount));
		if (a->fs_have[d] != (F_SIZE | F_FREE | F_AVAIL) || a->fs_free[d] > a->fs_size[d])
			continue;
		/* as df: used = size - free, percent of what non-root can use */
		used = a->fs_size[d] - a->fs_free[d];
		ds->size = (uint64_t)a->fs_size[d];
		ds->used = (uint64_t)used;
		ds->used_pct = used + a->fs_avail[d] > 0 ? 100.0 * used / (used + a->fs_avail[d]) : 0;
		ds->valid = true;
	}
	if (s->ndisks)
		s->valid |= HV_DISKS;
}

static void fill_values(struct host_sample *s, const struct fleet_host *fh, const struct acc *a,
			double eval_time)
{
	unsigned h = a->have;

	if ((h & (A_LOAD1 | A_LOAD5 | A_LOAD15)) == (A_LOAD1 | A_LOAD5 | A_LOAD15)) {
		memcpy(s->load, a->load, sizeof(s->load));
		s->valid |= HV_LOAD;
	}
	if (h & A_CPU) {
		s->cpu_pct = a->cpu;
		s->valid |= HV_CPU;
	}
	if ((h & A_CORES) && a->cores >= 1) {
		s->cores = (int)a->cores;
		s->valid |= HV_CORES;
	}
	if ((h & (A_MEMTOTAL | A_MEMAVAIL)) == (A_MEMTOTAL | A_MEMAVAIL) && a->mem_avail <= a->mem_total) {
		s->mem_total = (uint64_t)a->mem_total;
		s->mem_available = (uint64_t)a->mem_avail;
		s->valid |= HV_MEM;
	}
	if ((h & (A_SWAPTOTAL | A_SWAPFREE)) == (A_SWAPTOTAL | A_SWAPFREE) && a->swap_free <= a->swap_total) {
		s->swap_total = (uint64_t)a->swap_total;
		s->swap_used = (uint64_t)(a->swap_total - a->swap_free);
		s->valid |= HV_SWAP;
	}
	if ((h & (A_PSISOME | A_PSIFULL)) == (A_PSISOME | A_PSIFULL)) {
		s->psi_some10 = a->psi_some;
		s->psi_full10 = a->psi_full;
		s->valid |= HV_PSI;
	}
	if (h & A_OOM) {
		s->oom_kills = (uint64_t)a->oom;
		s->valid |= HV_OOM;
	}
	if ((h & A_BOOT) && a->boot > 0 && a->boot <= eval_time) {
		s->boot_time = a->boot;
		s->uptime_s = eval_time - a->boot;
		s->valid |= HV_UPTIME;
	}
	if (h & A_RELEASE) {
		str_copy(s->kernel, a->release, sizeof(s->kernel));
		s->valid |= HV_KERNEL;
	}
	fill_disks(s, fh, a);
}

static void host_fail(struct phost *h, enum host_conn conn, const char *msg)
{
	h->work.conn = conn;
	str_copy(h->work.error, msg, sizeof(h->work.error));
	str_sanitize(h->work.error);
}

/* One host from this round: reachable per `up`, values per the answers. */
static void host_finish(struct psrc *ps, struct phost *h)
{
	struct host_sample *s = &h->work;
	const struct acc *a = &h->acc;
	double eval = ps->q[Q_UP].vec.eval_time > 0 ? ps->q[Q_UP].vec.eval_time : now_wall();
	char msg[MODEL_ERR_LEN];

	if (prom_is_placeholder(h->fh)) {
		str_fmt(msg, sizeof(msg), "Prometheus %s answers now but gave no hosts when fleetdeck "
			"started: restart fleetdeck to watch its hosts", ps->sec->name);
		host_fail(h, HC_PROBE, msg);
		return;
	}
	if ((a->have & A_UP) && a->up == 0) {
		str_fmt(msg, sizeof(msg), "Prometheus %s cannot scrape it (up == 0): the host or its "
			"node_exporter is down or unreachable from Prometheus", ps->sec->name);
		host_fail(h, HC_UNREACHABLE, msg);
		return;
	}
	if (!(a->have & ~(unsigned)A_RELEASE)) {
		str_fmt(msg, sizeof(msg), "Prometheus %s has no current series for it (no longer "
			"scraped, or match/host_label changed)", ps->sec->name);
		host_fail(h, HC_PROBE, msg);
		return;
	}
	s->valid = HV_LATENCY;
	s->latency_ms = ps->q[Q_UP].ms;
	s->conn = HC_OK;
	s->error[0] = '\0';
	s->sampled_at = eval;
	s->rounds++;
	fill_values(s, h->fh, a, eval);
	host_sample_push_history(s);
}

static void round_finish(struct psrc *ps)
{
	struct pquery *up = &ps->q[Q_UP];
	char msg[MODEL_ERR_LEN];

	for (int q = 0; q < Q__N; q++)
		for (size_t i = 0; ps->q[q].ok && i < ps->q[q].vec.n; i++) {
			const struct prom_entry *e = &ps->q[q].vec.v[i];
			struct phost *h = phost_find(ps, e->host);
			if (h)
				acc_entry(&h->acc, h->fh, (enum query)q, e);
		}
	if (!up->ok)
		str_fmt(msg, sizeof(msg), "Prometheus %s (%s) did not answer: %s", ps->sec->name,
			ps->base, up->err);
	for (size_t i = 0; i < ps->nhosts; i++) {
		struct phost *h = ps->hosts[i];
		h->work.attempted_at = now_wall();
		if (up->ok)
			host_finish(ps, h);
		else
			host_fail(h, HC_PROBE, msg);
		model_publish_host(ps->env->m, h->index, &h->work);
		memset(&h->acc, 0, sizeof(h->acc));
	}
	for (int q = 0; q < Q__N; q++)
		prom_vector_free(&ps->q[q].vec);
	ps->rounds++;
	if (ps->env->notify)
		ps->env->notify(ps->env->notify_arg);
}

/* ---- the requests ---- */

static void query_done(void *arg, const struct http_result *r)
{
	struct pquery *pq = arg;
	struct psrc *ps = pq->src;

	pq->in_flight = false;
	pq->ms = r->total_ms;
	if (r->code != CURLE_OK) {
		str_fmt(pq->err, sizeof(pq->err), "%s", r->error ? r->error : "request failed");
	} else if (r->status == 401 || r->status == 403) {
		str_fmt(pq->err, sizeof(pq->err), "HTTP %ld: check bearer_token_file", r->status);
	} else if (prom_parse_vector(r->body, r->len, ps->label, query_extra_label[pq->q], &pq->vec,
				     pq->err, sizeof(pq->err)) == 0) {
		pq->ok = true;
	} else if (r->status != 200) {
		/* the API's JSON error said it; otherwise the status does */
		if (!strstr(pq->err, "refused"))
			str_fmt(pq->err, sizeof(pq->err), "HTTP %ld from %s", r->status, ps->base);
	}
	if (--ps->pending == 0)
		round_finish(ps);
}

static void round_fail(struct psrc *ps, const char *why)
{
	str_copy(ps->q[Q_UP].err, why, sizeof(ps->q[Q_UP].err));
	ps->q[Q_UP].ok = false;
	round_finish(ps);
}

static void round_start(struct psrc *ps, double now)
{
	const char *hdr[] = { ps->auth, NULL };

	ps->next_poll = now + ps->interval;
	ps->round_started = now;
	if (ps->setup_err[0]) {
		round_fail(ps, ps->setup_err);
		return;
	}
	ps->pending = 1;  /* held until every request is started */
	for (int q = 0; q < Q__N; q++) {
		struct pquery *pq = &ps->q[q];
		struct http_request req = { .url = pq->url, .timeout = ps->timeout,
					    .headers = ps->auth ? hdr : NULL, .max_body = 64u << 20 };
		pq->ok = false;
		pq->err[0] = '\0';
		pq->ms = 0;
		ps->pending++;
		pq->in_flight = true;
		if (http_start(ps->env->http, &req, query_done, pq) < 0) {
			pq->in_flight = false;
			str_copy(pq->err, "libcurl refused the request", sizeof(pq->err));
			ps->pending--;
		}
	}
	if (--ps->pending == 0)
		round_finish(ps);
}

static bool psrc_wants_round(const struct psrc *ps, double now, const struct collect_flags *fl)
{
	if (ps->pending || !ps->nhosts)
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
		for (int q = 0; q < Q__N; q++) {
			free(s->q[q].url);
			prom_vector_free(&s->q[q].vec);
		}
		if (s->auth)
			explicit_bzero(s->auth, strlen(s->auth));
		free(s->auth);
		free(s->base);
		free(s->label);
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
