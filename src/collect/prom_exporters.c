/* Containers from cAdvisor and GPUs from the DCGM exporter, through the
 * [prometheus] source (see prom_exporters.h). Metric names and labels as
 * cAdvisor 0.47 and dcgm-exporter 3.3 (default-counters.csv) expose them;
 * doc/prometheus.md "Containers and GPUs" lists the queries. */
#include "config.h"
#include "collect/prom_exporters.h"
#include "collect/prom_hosts.h"
#include "collect/prom_query.h"
#include "util/text.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum xq {
	X_CTR_MEM, X_CTR_LIMIT, X_CTR_CPU, X_CTR_UP,
	X_GPU_UTIL, X_GPU_FB_USED, X_GPU_FB_FREE, X_GPU_TEMP, X_GPU_POWER, X_GPU_POWER_LIMIT,
	X_GPU_UP,
	X__N
};

static const struct xdef {
	const char *key;           /* the [prometheus] key naming the exporter's series */
	const char *metric;
	const char *by;            /* labels kept besides the host label, or NULL */
	const char *label2, *label3, *label4;   /* ... their names, for the reader */
	const char *extra;         /* more matchers */
	bool rate;                 /* rate() * 100, summed over cpus */
	bool optional;             /* a missing series is not a failure */
} xdefs[X__N] = {
	/* cAdvisor: the working set is what docker stats shows as used */
	[X_CTR_MEM] = { "cadvisor", "container_memory_working_set_bytes", "name, image, id",
			"name", "image", "id", "name!=\"\"", false, false },
	[X_CTR_LIMIT] = { "cadvisor", "container_spec_memory_limit_bytes", "name",
			  "name", NULL, NULL, "name!=\"\"", false, false },
	[X_CTR_CPU] = { "cadvisor", "container_cpu_usage_seconds_total", "name",
			"name", NULL, NULL, "name!=\"\"", true, false },
	/* the exporter's own target: up == 0 is "does not answer", not "none" */
	[X_CTR_UP] = { "cadvisor", "up", NULL, NULL, NULL, NULL, NULL, false, true },
	/* DCGM exporter: one series per GPU, label gpu = its index */
	[X_GPU_UTIL] = { "dcgm", "DCGM_FI_DEV_GPU_UTIL", "gpu, UUID, modelName",
			 "gpu", "UUID", "modelName", NULL, false, false },
	[X_GPU_FB_USED] = { "dcgm", "DCGM_FI_DEV_FB_USED", "gpu", "gpu", NULL, NULL, NULL, false, false },
	[X_GPU_FB_FREE] = { "dcgm", "DCGM_FI_DEV_FB_FREE", "gpu", "gpu", NULL, NULL, NULL, false, false },
	[X_GPU_TEMP] = { "dcgm", "DCGM_FI_DEV_GPU_TEMP", "gpu", "gpu", NULL, NULL, NULL, false, false },
	[X_GPU_POWER] = { "dcgm", "DCGM_FI_DEV_POWER_USAGE", "gpu", "gpu", NULL, NULL, NULL, false, false },
	[X_GPU_POWER_LIMIT] = { "dcgm", "DCGM_FI_DEV_POWER_MGMT_LIMIT", "gpu", "gpu", NULL, NULL, NULL,
				false, true },
	[X_GPU_UP] = { "dcgm", "up", NULL, NULL, NULL, NULL, NULL, false, true },
};

struct prom_exp;

struct xcall {
	struct prom_roundq rq;     /* first: the call's arg */
	struct prom_exp *e;
	enum xq q;
};

/* One host's lists while a round's answers come in (allocated on its first
 * sample, freed when published). */
struct xhost {
	struct host_containers *ctr;
	struct host_gpus *gpu;
	double fb_free[MODEL_MAX_GPUS];
	bool fb_free_ok[MODEL_MAX_GPUS];
	bool ctr_down, gpu_down;   /* the exporter's target has up == 0 */
};

struct prom_exp {
	struct prom_conn *conn;
	bool want_ctr, want_gpu;
	char **keys;               /* host keys (names without :port) */
	const size_t *index;       /* model index of each host */
	size_t n;
	struct prom_hostset hs;    /* by key */
	struct xhost *h;           /* n */
	struct xcall q[X__N];
};

const char *prom_host_key(const char *value, char *buf, size_t size)
{
	const char *colon = strrchr(value, ':');
	size_t len = strlen(value);

	/* "web-1:9100" -> "web-1"; "[::1]:9100" -> "[::1]"; a bare IPv6 stays */
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
	    (colon == strchr(value, ':') || (value[0] == '[' && colon[-1] == ']')))
		len = (size_t)(colon - value);
	if (len >= size)
		len = size - 1;
	memcpy(buf, value, len);
	buf[len] = '\0';
	return buf;
}

struct prom_exp *prom_exp_new(struct prom_conn *conn, const char *const *names,
			      const size_t *index, size_t n)
{
	const struct fleet_section *sec = conn->sec;
	struct prom_exp *e;
	char buf[PROM_LABEL_MAX];

	/* n == 0: a large section (judged on the server) reads hosts only */
	if (n == 0 || (!fleet_section_get(sec, "cadvisor") && !fleet_section_get(sec, "dcgm")))
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->conn = conn;
	e->want_ctr = fleet_section_get(sec, "cadvisor") != NULL;
	e->want_gpu = fleet_section_get(sec, "dcgm") != NULL;
	e->n = n;
	e->index = index;
	e->keys = xcalloc(n + 1, sizeof(*e->keys));
	for (size_t i = 0; i < n; i++)
		e->keys[i] = xstrdup(prom_host_key(names[i], buf, sizeof(buf)));
	prom_hostset_init(&e->hs, (const char *const *)e->keys, n, NULL, 0);
	e->h = xcalloc(n ? n : 1, sizeof(*e->h));
	return e;
}

static void xhost_clear(struct xhost *h)
{
	free(h->ctr);
	free(h->gpu);
	memset(h, 0, sizeof(*h));
}

void prom_exp_free(struct prom_exp *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		free(e->keys[i]);
		xhost_clear(&e->h[i]);
	}
	for (int q = 0; q < X__N; q++) {
		free(e->q[q].rq.args);
		prom_call_clear(&e->q[q].rq.call);
	}
	prom_hostset_free(&e->hs);
	free(e->keys);
	free(e->h);
	free(e);
}

static bool wanted(const struct prom_exp *e, enum xq q)
{
	return strcmp(xdefs[q].key, "cadvisor") == 0 ? e->want_ctr : e->want_gpu;
}

static void on_sample(void *arg, const struct prom_sample *s);

void prom_exp_build(struct prom_exp *e, double window)
{
	const char *L = e->conn->label;

	for (int q = 0; q < X__N; q++) {
		const struct xdef *d = &xdefs[q];
		struct xcall *x = &e->q[q];
		char err[256], *sel, *text;
		size_t cap = e->n * (q < X_GPU_UTIL ? MODEL_MAX_CONTAINERS : MODEL_MAX_GPUS);


		free(x->rq.args);
		x->rq.args = NULL;
		if (!wanted(e, (enum xq)q))
			continue;
		sel = prom_selector(d->metric, fleet_section_get(e->conn->sec, d->key), d->extra,
				    err, sizeof(err));
		if (!sel)
			continue;
		if (d->rate)
			text = xasprintf("sum by (%s, %s) (rate(%s[%.0fs])) * 100", L, d->by, sel,
					 window > 0 ? window : 60);
		else if (d->by)
			text = xasprintf("max by (%s, %s) (%s)", L, d->by, sel);
		else   /* up: the worst of the host's exporter targets */
			text = xasprintf("min by (%s) (%s)", L, sel);
		x->e = e;
		x->q = (enum xq)q;
		x->rq.args = prom_query_args(text, cap + 1);
		x->rq.call = (struct prom_call){
			.conn = e->conn, .doc = PROM_DOC_VECTOR,
			.want = { L, d->label2, d->label3, d->label4, NULL },
			.fn = on_sample, .arg = x, .cap = cap, .done = prom_roundq_done,
		};
		free(text);
		free(sel);
	}
}

/* ---- samples into the lists ---- */

static struct container_sample *ctr_find(struct xhost *h, const char *name)
{
	struct host_containers *hc;

	if (!h->ctr)
		h->ctr = xcalloc(1, sizeof(*h->ctr));
	hc = h->ctr;
	for (int i = 0; i < hc->n; i++)
		if (strcmp(hc->c[i].name, name) == 0)
			return &hc->c[i];
	hc->total++;
	if (hc->n >= MODEL_MAX_CONTAINERS)
		return NULL;
	text_clean(hc->c[hc->n].name, sizeof(hc->c[0].name), name);
	/* cAdvisor lists the containers whose cgroup exists: running (or paused) */
	str_copy(hc->c[hc->n].state, "running", sizeof(hc->c[0].state));
	return &hc->c[hc->n++];
}

static struct gpu_sample *gpu_find(struct xhost *h, const char *index, int *slot)
{
	struct host_gpus *hg;
	char *end;
	long idx = strtol(index, &end, 10);

	if (!*index || *end || idx < 0 || idx > 1024)
		return NULL;
	if (!h->gpu)
		h->gpu = xcalloc(1, sizeof(*h->gpu));
	hg = h->gpu;
	for (int i = 0; i < hg->n; i++)
		if (hg->g[i].index == idx) {
			*slot = i;
			return &hg->g[i];
		}
	if (hg->n >= MODEL_MAX_GPUS)
		return NULL;
	hg->g[hg->n].index = (int)idx;
	*slot = hg->n;
	return &hg->g[hg->n++];
}

/* "/docker/3f2a..." or ".../libpod-3f2a....scope": the first 12 hex digits */
static void short_id(const char *cgroup, char *out, size_t size)
{
	const char *p = strrchr(cgroup, '/'), *h;
	size_t k = 0;

	p = p ? p + 1 : cgroup;
	if ((h = strchr(p, '-')))
		p = h + 1;
	while (p[k] && k < 12 && strchr("0123456789abcdef", p[k]))
		k++;
	if (k == 12 && k < size) {
		memcpy(out, p, k);
		out[k] = '\0';
	}
}

static void on_sample(void *arg, const struct prom_sample *s)
{
	struct xcall *x = arg;
	struct prom_exp *e = x->e;
	char key[PROM_LABEL_MAX];
	struct xhost *h;
	struct container_sample *c;
	struct gpu_sample *g;
	long i;
	int slot;
	double v = s->value;

	if (s->cut || !isfinite(v) || v < 0 ||
	    (i = prom_hostset_find(&e->hs, prom_host_key(s->label[0], key, sizeof(key)))) < 0)
		return;
	h = &e->h[i];
	if (x->q == X_CTR_UP || x->q == X_GPU_UP) {
		*(x->q == X_CTR_UP ? &h->ctr_down : &h->gpu_down) = v < 1;
		return;
	}
	if (x->q <= X_CTR_CPU) {
		if (!s->label[1][0] || !(c = ctr_find(h, s->label[1])))
			return;
		switch (x->q) {
		case X_CTR_MEM:
			text_clean(c->image, sizeof(c->image), s->label[2]);
			short_id(s->label[3], c->id, sizeof(c->id));
			c->mem_used = (uint64_t)v;
			c->valid |= CV_MEM;
			break;
		case X_CTR_LIMIT:
			/* cAdvisor's 0 is "no limit", as fleetdeck's */
			c->mem_limit = v >= 9.2e18 ? 0 : (uint64_t)v;
			c->valid |= CV_LIMIT;
			break;
		default:
			c->cpu_pct = v;
			c->valid |= CV_CPU;
			break;
		}
		return;
	}
	if (!(g = gpu_find(h, s->label[1], &slot)))
		return;
	switch (x->q) {
	case X_GPU_UTIL:
		text_clean(g->uuid, sizeof(g->uuid), s->label[2]);
		text_clean(g->name, sizeof(g->name), s->label[3]);
		g->valid |= g->name[0] ? GV_NAME : 0;
		g->util_pct = v > 100 ? 100 : v;
		g->valid |= GV_UTIL;
		break;
	case X_GPU_FB_USED:
		g->mem_used = (uint64_t)(v * 1048576.0);   /* MiB */
		g->valid |= GV_MEM_USED;
		break;
	case X_GPU_FB_FREE:
		h->fb_free[slot] = v * 1048576.0;
		h->fb_free_ok[slot] = true;
		break;
	case X_GPU_TEMP:
		g->temp_c = v;
		g->valid |= GV_TEMP;
		break;
	case X_GPU_POWER:
		g->power_w = v;
		g->valid |= GV_POWER;
		break;
	case X_GPU_POWER_LIMIT:
		g->power_limit_w = v;
		g->valid |= GV_POWER_LIMIT;
		break;
	default:
		break;
	}
}

int prom_exp_start(struct prom_exp *e, struct http *h, void (*done)(void *), void *arg)
{
	int started = 0;

	for (int q = 0; q < X__N; q++)
		started += prom_roundq_start(&e->q[q].rq, h, done, arg);
	return started;
}

/* The first failed answer of an exporter, or NULL. */
static const char *failed(const struct prom_exp *e, bool gpu)
{
	for (int q = gpu ? X_GPU_UTIL : 0; q < (gpu ? X__N : X_GPU_UTIL); q++)
		if (e->q[q].rq.args && !e->q[q].rq.call.ok && !xdefs[q].optional)
			return e->q[q].rq.call.err[0] ? e->q[q].rq.call.err : "no answer";
	return NULL;
}

/* Why a host's containers (GPUs) are unknown: the section's answer failed
 * (why), or that host's exporter target has up == 0. */
static void exp_error(char *buf, size_t size, const struct prom_exp *e, const char *who,
		      const char *why)
{
	if (why)
		str_fmt(buf, size, "Prometheus %s: %s's series: %s", e->conn->sec->name, who, why);
	else
		str_fmt(buf, size, "Prometheus %s: %s on this host does not answer (up == 0)",
			e->conn->sec->name, who);
}

static void publish_ctr(const struct prom_exp *e, struct xhost *h, size_t i,
			const struct collect_env *env, double now, double interval, const char *why)
{
	struct host_containers hc = { 0 };

	if (h->ctr)
		hc = *h->ctr;
	hc.collected = true;
	hc.interval = interval;
	str_copy(hc.engine, "cadvisor", sizeof(hc.engine));
	str_fmt(hc.via, sizeof(hc.via), "prometheus %s", e->conn->sec->name);
	if (why || h->ctr_down) {
		hc.err = CE_FAILED;
		exp_error(hc.error, sizeof(hc.error), e, "cAdvisor", why);
		hc.n = hc.total = 0;
	} else {
		/* no series at all: no containers (or no cAdvisor) on that host */
		hc.err = CE_NONE;
		hc.sampled_at = now;
	}
	collect_publish(env, DOM_CONTAINER, e->index[i], &hc, host_containers_size(&hc));
}

static void publish_gpu(const struct prom_exp *e, struct xhost *h, size_t i,
			const struct collect_env *env, double now, double interval, const char *why)
{
	struct host_gpus hg = { 0 };

	if (h->gpu)
		hg = *h->gpu;
	hg.collected = true;
	hg.interval = interval;
	hg.attempted_at = now;
	hg.source = GPU_SRC_HTTP_JSON;
	if (why || h->gpu_down) {
		exp_error(hg.error, sizeof(hg.error), e, "the DCGM exporter", why);
		hg.n = 0;
	} else {
		hg.absent = hg.n == 0;
		hg.sampled_at = now;
	}
	for (int k = 0; k < hg.n; k++) {
		struct gpu_sample *g = &hg.g[k];
		if ((g->valid & GV_MEM_USED) && h->fb_free_ok[k]) {
			g->mem_total = g->mem_used + (uint64_t)h->fb_free[k];
			g->valid |= GV_MEM_TOTAL;
		}
	}
	collect_publish(env, DOM_GPU, e->index[i], &hg, host_gpus_size(&hg));
}

void prom_exp_publish(struct prom_exp *e, const struct collect_env *env, double interval)
{
	const char *ctr_why = failed(e, false), *gpu_why = failed(e, true);
	double now = now_wall();

	for (size_t i = 0; i < e->n; i++) {
		struct xhost *h = &e->h[i];
		if (e->want_ctr)
			publish_ctr(e, h, i, env, now, interval, ctr_why);
		if (e->want_gpu)
			publish_gpu(e, h, i, env, now, interval, gpu_why);
		xhost_clear(h);
	}
	for (int q = 0; q < X__N; q++)
		prom_call_clear(&e->q[q].rq.call);
}
