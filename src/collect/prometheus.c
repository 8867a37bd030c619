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
#include "collect/prom_parse.h"
#include "collect/source.h"
#include "util/util.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum query {
	Q_UP, Q_LOAD1, Q_LOAD5, Q_LOAD15, Q_CPU, Q_CORES, Q_MEMTOTAL, Q_MEMAVAIL,
	Q_SWAPTOTAL, Q_SWAPFREE, Q_PSI_SOME, Q_PSI_FULL, Q_BOOT, Q_OOM,
	Q_FS_SIZE, Q_FS_FREE, Q_FS_AVAIL, Q_UNAME,
	Q__N
};

/* File systems that are never a watched disk (node_exporter's own default
 * exclusions cover most; a mount point can still show up twice, as rootfs). */
#define PSEUDO_FSTYPES "rootfs|tmpfs|ramfs|devtmpfs|squashfs|nsfs|proc|sysfs|autofs|fuse\\\\.lxcfs"

/* What one value query is: its PromQL (see query_text()) and where it goes. */
static const struct qdef {
	const char *metric;        /* NULL: built by hand in query_text() */
	const char *by;            /* a second label kept besides the host label */
} qdefs[Q__N] = {
	[Q_UP] = { "up", NULL },
	[Q_LOAD1] = { "node_load1", NULL },
	[Q_LOAD5] = { "node_load5", NULL },
	[Q_LOAD15] = { "node_load15", NULL },
	[Q_CPU] = { NULL, NULL },
	[Q_CORES] = { NULL, NULL },
	[Q_MEMTOTAL] = { "node_memory_MemTotal_bytes", NULL },
	[Q_MEMAVAIL] = { "node_memory_MemAvailable_bytes", NULL },
	[Q_SWAPTOTAL] = { "node_memory_SwapTotal_bytes", NULL },
	[Q_SWAPFREE] = { "node_memory_SwapFree_bytes", NULL },
	[Q_PSI_SOME] = { NULL, NULL },
	[Q_PSI_FULL] = { NULL, NULL },
	[Q_BOOT] = { "node_boot_time_seconds", NULL },
	[Q_OOM] = { "node_vmstat_oom_kill", NULL },
	[Q_FS_SIZE] = { "node_filesystem_size_bytes", "mountpoint" },
	[Q_FS_FREE] = { "node_filesystem_free_bytes", "mountpoint" },
	[Q_FS_AVAIL] = { "node_filesystem_avail_bytes", "mountpoint" },
	[Q_UNAME] = { "node_uname_info", "release" },
};

#define FS_SIZE 0
#define FS_FREE 1
#define FS_AVAIL 2

/* What one host got from this round's answers: a fixed size, whatever the
 * server holds for it. */
struct acc {
	uint32_t have;                       /* 1u << enum query */
	uint8_t fs_have[FLEET_MAX_DISKS];    /* 1u << FS_* */
	double v[Q__N];
	double fs[FLEET_MAX_DISKS][3];
	char release[64];
};

struct phost {
	size_t index;                  /* into fleet.hosts and the model */
	const struct fleet_host *fh;
	struct acc acc;                /* this round's values */
};

struct psrc;

struct pquery {
	struct psrc *src;
	enum query q;
	char *url;
	size_t cap;                    /* most series an answer may hold */
	bool in_flight, ok;
	double ms;                     /* HTTP round trip */
	struct prom_reader reader;
	char err[256];
};

/* One [prometheus] section. */
struct psrc {
	const struct collect_env *env;
	const struct fleet_section *sec;
	char *base, *label, *auth, *ca;
	char setup_err[256];           /* the section cannot be queried at all */
	struct phost **hosts;
	size_t nhosts;
	uint32_t *slots;               /* open-addressing index by name: phost + 1, 0 empty */
	size_t nslots;
	const struct fleet_host *proto; /* the first host: the section's mounts */
	struct pquery q[Q__N];
	int pending;
	double interval, timeout;
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

/* ---- the host index ---- */

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;  /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void index_build(struct psrc *ps)
{
	ps->nslots = 16;
	while (ps->nslots < 2 * ps->nhosts)
		ps->nslots *= 2;
	ps->slots = xcalloc(ps->nslots, sizeof(*ps->slots));
	for (size_t i = 0; i < ps->nhosts; i++) {
		size_t k = name_hash(ps->hosts[i]->fh->name) & (ps->nslots - 1);
		while (ps->slots[k])
			k = (k + 1) & (ps->nslots - 1);
		ps->slots[k] = (uint32_t)i + 1;
	}
}

static struct phost *phost_find(const struct psrc *ps, const char *name)
{
	size_t k;

	if (!ps->nslots)
		return NULL;
	for (k = name_hash(name) & (ps->nslots - 1); ps->slots[k]; k = (k + 1) & (ps->nslots - 1)) {
		struct phost *h = ps->hosts[ps->slots[k] - 1];
		if (strcmp(h->fh->name, name) == 0)
			return h;
	}
	return NULL;
}

/* ---- building the queries ---- */

/* mountpoint=~"/|/data" for the section's watched mounts. */
static char *mount_matcher(const struct fleet_host *fh)
{
	size_t len = 0;
	char *re = xstrdup(""), *q, *m;

	for (int d = 0; fh && d < fh->ndisks; d++) {
		char *lit = prom_regex_literal(fh->disks[d]);
		re = xrealloc(re, len + strlen(lit) + 2);
		len += (size_t)sprintf(re + len, "%s%s", len ? "|" : "", lit);
		free(lit);
	}
	q = prom_quote(re);
	m = xasprintf("mountpoint=~%s,fstype!~\"" PSEUDO_FSTYPES "\"", q);
	free(q);
	free(re);
	return m;
}

/* The PromQL of query q, or NULL with setup_err set (a bad match). */
static char *query_text(struct psrc *ps, enum query q)
{
	const char *m = fleet_section_get(ps->sec, "match"), *L = ps->label;
	const struct qdef *d = &qdefs[q];
	char *e = ps->setup_err, *sel = NULL, *out = NULL, *extra = NULL;
	size_t el = sizeof(ps->setup_err);
	const char *win = "1m";

	switch (q) {
	case Q_CPU:
	case Q_CORES:
		sel = prom_selector("node_cpu_seconds_total", m, "mode=\"idle\"", e, el);
		if (sel && q == Q_CPU)
			out = xasprintf("100 - avg by (%s) (rate(%s[%s])) * 100", L, sel, win);
		else if (sel)
			out = xasprintf("count by (%s) (%s)", L, sel);
		break;
	case Q_PSI_SOME:
	case Q_PSI_FULL:
		sel = prom_selector(q == Q_PSI_SOME ? "node_pressure_memory_waiting_seconds_total"
				    : "node_pressure_memory_stalled_seconds_total", m, NULL, e, el);
		if (sel)
			out = xasprintf("max by (%s) (rate(%s[%s])) * 100", L, sel, win);
		break;
	case Q_FS_SIZE:
	case Q_FS_FREE:
	case Q_FS_AVAIL:
		extra = mount_matcher(ps->proto);
		/* fall through */
	default:
		sel = prom_selector(d->metric, m, extra, e, el);
		if (sel && d->by)
			out = xasprintf("max by (%s, %s) (%s)", L, d->by, sel);
		else if (sel)
			out = xasprintf("max by (%s) (%s)", L, sel);
		break;
	}
	free(extra);
	free(sel);
	return out;
}

static void psrc_setup(struct prom *p, struct psrc *ps, const struct fleet_section *sec)
{
	const struct fleet *f = p->env.f;
	char err[256];
	int nmounts;

	ps->env = &p->env;
	ps->sec = sec;
	ps->base = prom_base_url(sec);
	ps->label = xstrdup(fleet_section_value(sec, "host_label"));
	ps->interval = fleet_section_duration(sec, "interval", f->interval > 0 ? f->interval : 2);
	ps->timeout = fleet_section_duration(sec, "timeout", f->timeout > 0 ? f->timeout : 5);
	ps->proto = ps->nhosts ? ps->hosts[0]->fh : NULL;
	if (ps->nhosts)
		ps->interval = ps->hosts[0]->fh->interval;  /* -i applies, as for [host]s */
	index_build(ps);
	nmounts = ps->proto && ps->proto->ndisks > 0 ? ps->proto->ndisks : 1;
	ps->auth = prom_auth_header(sec, err, sizeof(err));
	if (!ps->auth && err[0])
		str_copy(ps->setup_err, err, sizeof(ps->setup_err));
	ps->ca = prom_ca_file(sec);
	if (!prom_label_name_ok(ps->label))
		str_fmt(ps->setup_err, sizeof(ps->setup_err), "host_label \"%s\" is not a label name",
			ps->label);
	for (int q = 0; q < Q__N && !ps->setup_err[0]; q++) {
		struct pquery *pq = &ps->q[q];
		char *text = query_text(ps, (enum query)q), *enc;
		if (!text)
			break;
		/* one series per host (per watched mount): a quarter more, for
		 * hosts that appeared since discovery, and no more */
		pq->cap = ps->nhosts * (size_t)(qdefs[q].by && q != Q_UNAME ? nmounts : 1);
		pq->cap += pq->cap / 4 + 64;
		enc = prom_url_encode(text);
		/* limit: servers that know it stop there (and warn); one over
		 * the cap tells an over-full answer from a full one */
		pq->url = xasprintf("%s/api/v1/query?query=%s&limit=%zu", ps->base, enc, pq->cap + 1);
		pq->src = ps;
		pq->q = (enum query)q;
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
		ps = &p->s[fh->prometheus];
		ps->hosts = xrealloc(ps->hosts, (ps->nhosts + 1) * sizeof(*ps->hosts));
		ps->hosts[ps->nhosts++] = h;
	}
	for (size_t i = 0; i < nsec; i++)
		psrc_setup(p, &p->s[i], fleet_nth(f, SEC_PROMETHEUS, i));
	return p;
}

/* ---- samples into the hosts, as the answers arrive ---- */

static bool good(double v)
{
	return isfinite(v) && v >= 0;
}

static void acc_fs(struct acc *a, const struct fleet_host *fh, int which, const char *mount,
		   double v)
{
	for (int d = 0; d < fh->ndisks && d < FLEET_MAX_DISKS; d++) {
		if (strcmp(fh->disks[d], mount) != 0)
			continue;
		a->fs[d][which] = v;
		a->fs_have[d] |= (uint8_t)(1u << which);
	}
}

static void on_sample(void *arg, const struct prom_sample *s)
{
	struct pquery *pq = arg;
	struct phost *h;
	struct acc *a;

	if (s->cut || !good(s->value) || !(h = phost_find(pq->src, s->label[0])))
		return;  /* NaN, Inf, negative: that value is unknown */
	a = &h->acc;
	switch (pq->q) {
	case Q_FS_SIZE:
	case Q_FS_FREE:
	case Q_FS_AVAIL:
		acc_fs(a, h->fh, pq->q - Q_FS_SIZE, s->label[1], s->value);
		return;
	case Q_UNAME:
		if (!s->label[1][0])
			return;
		str_copy(a->release, s->label[1], sizeof(a->release));
		str_sanitize(a->release);
		break;
	default:
		a->v[pq->q] = s->value;
		break;
	}
	a->have |= 1u << pq->q;
}

/* ---- one round's values into the hosts ---- */

static bool have_all(uint32_t have, uint32_t bits)
{
	return (have & bits) == bits;
}

#define B(q) (1u << (q))

static void fill_disks(struct host_sample *s, const struct fleet_host *fh, const struct acc *a)
{
	s->ndisks = 0;
	for (int d = 0; d < fh->ndisks && d < MODEL_MAX_DISKS; d++) {
		struct disk_sample *ds = &s->disks[s->ndisks++];
		const double *fs = a->fs[d];
		double used;
		memset(ds, 0, sizeof(*ds));
		str_copy(ds->mount, fh->disks[d], sizeof(ds->mount));
		if (a->fs_have[d] != 7 || fs[FS_FREE] > fs[FS_SIZE])
			continue;
		/* as df: used = size - free, percent of what non-root can use */
		used = fs[FS_SIZE] - fs[FS_FREE];
		ds->size = (uint64_t)fs[FS_SIZE];
		ds->used = (uint64_t)used;
		ds->used_pct = used + fs[FS_AVAIL] > 0 ? 100.0 * used / (used + fs[FS_AVAIL]) : 0;
		ds->valid = true;
	}
	if (s->ndisks)
		s->valid |= HV_DISKS;
}

static double pct(double v)
{
	return v > 100 ? 100 : v;
}

static void fill_values(struct host_sample *s, const struct fleet_host *fh, const struct acc *a,
			double eval_time)
{
	uint32_t h = a->have;
	const double *v = a->v;

	if (have_all(h, B(Q_LOAD1) | B(Q_LOAD5) | B(Q_LOAD15))) {
		s->load[0] = v[Q_LOAD1];
		s->load[1] = v[Q_LOAD5];
		s->load[2] = v[Q_LOAD15];
		s->valid |= HV_LOAD;
	}
	if (h & B(Q_CPU)) {
		s->cpu_pct = pct(v[Q_CPU]);
		s->valid |= HV_CPU;
	}
	if ((h & B(Q_CORES)) && v[Q_CORES] >= 1 && v[Q_CORES] < 1e6) {
		s->cores = (int)v[Q_CORES];
		s->valid |= HV_CORES;
	}
	if (have_all(h, B(Q_MEMTOTAL) | B(Q_MEMAVAIL)) && v[Q_MEMAVAIL] <= v[Q_MEMTOTAL]) {
		s->mem_total = (uint64_t)v[Q_MEMTOTAL];
		s->mem_available = (uint64_t)v[Q_MEMAVAIL];
		s->valid |= HV_MEM;
	}
	if (have_all(h, B(Q_SWAPTOTAL) | B(Q_SWAPFREE)) && v[Q_SWAPFREE] <= v[Q_SWAPTOTAL]) {
		s->swap_total = (uint64_t)v[Q_SWAPTOTAL];
		s->swap_used = (uint64_t)(v[Q_SWAPTOTAL] - v[Q_SWAPFREE]);
		s->valid |= HV_SWAP;
	}
	if (have_all(h, B(Q_PSI_SOME) | B(Q_PSI_FULL))) {
		s->psi_some10 = pct(v[Q_PSI_SOME]);
		s->psi_full10 = pct(v[Q_PSI_FULL]);
		s->valid |= HV_PSI;
	}
	if (h & B(Q_OOM)) {
		s->oom_kills = (uint64_t)v[Q_OOM];
		s->valid |= HV_OOM;
	}
	if ((h & B(Q_BOOT)) && v[Q_BOOT] > 0 && v[Q_BOOT] <= eval_time) {
		s->boot_time = v[Q_BOOT];
		s->uptime_s = eval_time - v[Q_BOOT];
		s->valid |= HV_UPTIME;
	}
	if (h & B(Q_UNAME)) {
		str_copy(s->kernel, a->release, sizeof(s->kernel));
		s->valid |= HV_KERNEL;
	}
	fill_disks(s, fh, a);
}

static void host_fail(struct host_sample *s, enum host_conn conn, const char *msg)
{
	s->conn = conn;
	str_copy(s->error, msg, sizeof(s->error));
	str_sanitize(s->error);
}

/* One host from this round: reachable per `up`, values per the answers. */
static void host_finish(struct psrc *ps, struct phost *h, struct host_sample *s)
{
	const struct acc *a = &h->acc;
	double eval = ps->q[Q_UP].reader.eval_time > 0 ? ps->q[Q_UP].reader.eval_time : now_wall();
	char msg[MODEL_ERR_LEN];

	if (prom_is_placeholder(h->fh)) {
		str_fmt(msg, sizeof(msg), "Prometheus %s answers now but gave no hosts when fleetdeck "
			"started: restart fleetdeck to watch its hosts", ps->sec->name);
		host_fail(s, HC_PROBE, msg);
		return;
	}
	if ((a->have & B(Q_UP)) && a->v[Q_UP] == 0) {
		str_fmt(msg, sizeof(msg), "Prometheus %s cannot scrape it (up == 0): the host or its "
			"node_exporter is down or unreachable from Prometheus", ps->sec->name);
		host_fail(s, HC_UNREACHABLE, msg);
		return;
	}
	if (!(a->have & ~B(Q_UNAME))) {
		str_fmt(msg, sizeof(msg), "Prometheus %s has no current series for it (no longer "
			"scraped, or match/host_label changed)", ps->sec->name);
		host_fail(s, HC_PROBE, msg);
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

/* The section failed as a whole this round: why, or NULL. An answer over
 * its cap fails it too: a partial fleet must never look like a whole one. */
static const char *round_error(struct psrc *ps, char *buf, size_t size)
{
	if (!ps->q[Q_UP].ok) {
		str_fmt(buf, size, "Prometheus %s (%s) did not answer: %s", ps->sec->name, ps->base,
			ps->q[Q_UP].err);
		return buf;
	}
	for (int q = 0; q < Q__N; q++) {
		if (ps->q[q].reader.samples <= ps->q[q].cap && !strstr(ps->q[q].err, "too large"))
			continue;
		str_fmt(buf, size, "Prometheus %s: the answer for %s is larger than %zu series for "
			"%zu hosts: is host_label (%s) one label per host, and match narrow enough?",
			ps->sec->name, qdefs[q].metric ? qdefs[q].metric : "a value", ps->q[q].cap,
			ps->nhosts, ps->label);
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

	for (int q = 0; q < Q__N; q++)
		if (ps->q[q].ok)
			ok |= B(q);
	for (size_t i = 0; i < ps->nhosts; i++) {
		struct phost *h = ps->hosts[i];
		/* our last sample: history and counters go on from there */
		model_get_host(ps->env->m, h->index, &s);
		s.interval = h->fh->interval;
		s.attempted_at = now;
		h->acc.have &= ok;  /* a failed answer's samples count for nothing */
		if (fail)
			host_fail(&s, HC_PROBE, fail);
		else
			host_finish(ps, h, &s);
		model_publish_host(ps->env->m, h->index, &s);
		memset(&h->acc, 0, sizeof(h->acc));
	}
	ps->rounds++;
	if (ps->env->notify)
		ps->env->notify(ps->env->notify_arg);
}

/* ---- the requests ---- */

static bool query_data(void *arg, const char *data, size_t n)
{
	struct pquery *pq = arg;

	/* over the cap: stop reading, the round fails with a clear reason */
	return prom_reader_feed(&pq->reader, data, n) == 0 && pq->reader.samples <= pq->cap;
}

static void query_done(void *arg, const struct http_result *r)
{
	struct pquery *pq = arg;
	struct psrc *ps = pq->src;

	pq->in_flight = false;
	pq->ms = r->total_ms;
	if (r->too_big) {
		str_fmt(pq->err, sizeof(pq->err), "the answer was too large");
	} else if (r->status == 401 || r->status == 403) {
		str_fmt(pq->err, sizeof(pq->err), "HTTP %ld: check the credentials (bearer_token_file "
			"or basic_auth_*)", r->status);
	} else if (r->status == 0 && r->code != CURLE_OK) {
		str_fmt(pq->err, sizeof(pq->err), "%s", r->error ? r->error : "request failed");
	} else if (prom_reader_finish(&pq->reader, pq->err, sizeof(pq->err)) == 0 &&
		   pq->reader.samples <= pq->cap) {
		pq->ok = true;
	} else if (r->status != 200 && !strstr(pq->err, "refused")) {
		/* the API's JSON error said it; otherwise the status does */
		str_fmt(pq->err, sizeof(pq->err), "HTTP %ld from %s", r->status, ps->base);
	}
	if (--ps->pending == 0)
		round_finish(ps);
}

static void round_start(struct psrc *ps, double now)
{
	const char *hdr[] = { ps->auth, NULL };

	ps->next_poll = now + ps->interval;
	ps->pending = 1;  /* held until every request is started */
	for (int q = 0; q < Q__N; q++) {
		struct pquery *pq = &ps->q[q];
		/* 64 KiB plus 512 bytes a series bounds what a reader is fed */
		struct http_request req = {
			.url = pq->url, .timeout = ps->timeout, .cainfo = ps->ca,
			/* the credentials go only to url's origin (http.c checks) */
			.secret_headers = ps->auth ? hdr : NULL, .origin = ps->base,
			.max_body = (64u << 10) + 512 * pq->cap, .on_data = query_data,
		};
		pq->ok = false;
		pq->ms = 0;
		if (ps->setup_err[0] || !pq->url) {
			str_copy(pq->err, ps->setup_err, sizeof(pq->err));
			continue;
		}
		pq->err[0] = '\0';
		prom_reader_init(&pq->reader, PROM_DOC_VECTOR,
				 (const char *const[]){ ps->label, qdefs[q].by, NULL }, on_sample, pq);
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
		for (int q = 0; q < Q__N; q++)
			free(s->q[q].url);
		if (s->auth)
			explicit_bzero(s->auth, strlen(s->auth));
		free(s->auth);
		free(s->ca);
		free(s->base);
		free(s->label);
		free(s->hosts);
		free(s->slots);
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
