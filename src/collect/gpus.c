#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "collect/gpu_parse.h"
#include "collect/hosts.h"
#include "collect/http.h"
#include "collect/source.h"
#include "util/util.h"
#include "util/text.h"

/* The GPU source: one poller per [host] whose `gpus` is not `none`.
 *
 *   nvidia     gpu_nvidia_script() over the host's shell (SSH or local):
 *              both nvidia-smi queries under `timeout`.
 *   auto       the same script; it answers @@NOSMI when nvidia-smi is not
 *              installed, and the host then simply has no GPUs.
 *   http-json  gpu_url: from this machine through the http engine for a
 *              local host, else with curl (or wget) on the host over its SSH
 *              session, since such endpoints usually listen on the host's
 *              loopback only (StoryForge's Tinybox).
 *
 * Each poller keeps its own copy of the host's GPUs (with the history rings
 * the sparklines need) and publishes it whole after every attempt. */

struct gpu_poller {
	struct gpus *owner;
	size_t host;
	const struct fleet_host *fh;
	enum gpus_mode mode;
	const char *url, *fields;
	char *fetch_script;          /* http-json over SSH */
	double next;                 /* monotonic time of the next poll */
	bool busy;
	bool attempted;              /* --once: has a result */
	struct host_gpus work;
};

struct gpus {
	struct collect_env env;
	struct gpu_poller *p;
	size_t n;
};

/* A shell command fetching url with curl, else wget, bounded by timeout. */
static char *fetch_script_new(const char *url, double timeout)
{
	char *q = sh_quote(url);
	int t = (int)(timeout + 0.999);
	char *s = xasprintf(
		"if command -v curl >/dev/null 2>&1; then curl -fsS --max-time %d -- %s\n"
		"elif command -v wget >/dev/null 2>&1; then wget -q -T %d -O - -- %s\n"
		"else echo 'neither curl nor wget is installed on this host (needed for gpu_url)' >&2; false; fi\n",
		t, q, t, q);
	free(q);
	return s;
}

static void *gpus_create(const struct collect_env *env)
{
	struct gpus *g;
	size_t n = 0;

	for (size_t i = 0; i < env->f->nhosts; i++)
		n += env->f->hosts[i].gpus != GPUS_NONE && env->f->hosts[i].prometheus < 0;
	if (n == 0 || !env->hosts)
		return NULL;
	g = xcalloc(1, sizeof(*g));
	g->env = *env;
	g->p = xcalloc(n, sizeof(*g->p));
	for (size_t i = 0; i < env->f->nhosts; i++) {
		const struct fleet_host *fh = &env->f->hosts[i];
		struct gpu_poller *p;

		/* a [prometheus] host's come from the DCGM exporter (prom_exporters.c) */
		if (fh->gpus == GPUS_NONE || fh->prometheus >= 0)
			continue;
		p = &g->p[g->n++];
		p->owner = g;
		p->host = i;
		p->fh = fh;
		p->mode = fh->gpus;
		p->work.interval = fh->interval;
		p->work.source = fh->gpus == GPUS_HTTP_JSON ? GPU_SRC_HTTP_JSON : GPU_SRC_NVIDIA;
		if (fh->gpus == GPUS_HTTP_JSON && fh->sec) {
			p->url = fleet_section_value(fh->sec, "gpu_url");
			p->fields = fleet_section_value(fh->sec, "gpu_fields");
			if (p->url)
				p->fetch_script = fetch_script_new(p->url, fh->timeout);
		}
	}
	return g;
}

/* nvidia-smi costs the host a process and ~50 ms of CPU: at most every
 * GPU_MIN_PERIOD s, and on a host where it was not found (gpus = auto) it
 * is looked for again only every GPU_ABSENT_RECHECK s. */
#define GPU_MIN_PERIOD 5.0
#define GPU_ABSENT_RECHECK 300.0

static double poller_period(const struct gpu_poller *p)
{
	double iv = p->fh->interval > 0 ? p->fh->interval : 2;

	if (p->mode != GPUS_NVIDIA && p->mode != GPUS_AUTO)
		return iv;
	if (p->work.absent && p->mode == GPUS_AUTO)
		return iv > GPU_ABSENT_RECHECK ? iv : GPU_ABSENT_RECHECK;
	return iv > GPU_MIN_PERIOD ? iv : GPU_MIN_PERIOD;
}

static void poller_publish(struct gpu_poller *p)
{
	struct gpus *g = p->owner;

	p->busy = false;
	p->attempted = true;
	p->work.collected = true;
	/* the staleness rules judge the data by the period it is read at */
	p->work.interval = poller_period(p);
	p->next = now_mono() + p->work.interval;
	collect_publish(&g->env, DOM_GPU, p->host, &p->work, host_gpus_size(&p->work));
}

/* A reading replaces the GPUs (the parser fills a scratch copy first, so
 * history survives a failed read). */
static void poller_reading(struct gpu_poller *p, struct host_gpus *fresh, int rc)
{
	double now = now_wall();

	p->work.attempted_at = now;
	if (fresh->absent && p->mode == GPUS_NVIDIA) {
		/* configured as a GPU host: a missing nvidia-smi is a failure */
		fresh->absent = false;
		str_copy(fresh->error, "nvidia-smi is not installed on this host (gpus = nvidia)",
			 sizeof(fresh->error));
	}
	if (rc == 0 || fresh->n > 0 || fresh->error[0]) {
		p->work.n = fresh->n;
		memcpy(p->work.g, fresh->g, sizeof(p->work.g));
		p->work.absent = fresh->absent;
		str_copy(p->work.error, fresh->error, sizeof(p->work.error));
		p->work.sampled_at = now;
	}
}

static void transport_failed(struct gpu_poller *p, const char *why)
{
	p->work.attempted_at = now_wall();
	str_fmt(p->work.error, sizeof(p->work.error), "no GPU data: %s", why);
	str_sanitize(p->work.error);
}

static void nvidia_done(void *arg, const struct shell_result *r)
{
	struct gpu_poller *p = arg;
	struct host_gpus *fresh;

	if (!r->ok) {
		transport_failed(p, r->message ? r->message : "the host did not answer");
		poller_publish(p);
		return;
	}
	fresh = xcalloc(1, sizeof(*fresh));
	poller_reading(p, fresh, gpu_parse_nvidia_output(r->out, fresh));
	free(fresh);
	poller_publish(p);
}

static void json_reading(struct gpu_poller *p, const char *body, size_t len)
{
	struct host_gpus *fresh = xcalloc(1, sizeof(*fresh));
	int rc = gpu_parse_json(body, len, p->fields, fresh);

	poller_reading(p, fresh, rc);
	free(fresh);
}

/* The metrics endpoint answered, but not with metrics: no GPUs, and why
 * (an answer, so it is fresh: the reason is the news, not staleness). */
static void json_failed(struct gpu_poller *p, const char *why)
{
	p->work.attempted_at = now_wall();
	p->work.sampled_at = p->work.attempted_at;
	p->work.n = 0;
	text_clean(p->work.error, sizeof(p->work.error), why);
}

static void json_shell_done(void *arg, const struct shell_result *r)
{
	struct gpu_poller *p = arg;
	char why[200];

	if (!r->ok) {
		transport_failed(p, r->message ? r->message : "the host did not answer");
	} else if (r->status != 0) {
		str_fmt(why, sizeof(why), "fetching %s on the host failed: %.120s", p->url,
			r->errlen ? r->err : "no message");
		json_failed(p, why);
	} else {
		json_reading(p, r->out, r->outlen);
	}
	poller_publish(p);
}

static void json_http_done(void *arg, const struct http_result *r)
{
	struct gpu_poller *p = arg;
	char why[200];

	if (r->code != CURLE_OK || r->status < 200 || r->status > 299) {
		if (r->code != CURLE_OK)
			str_fmt(why, sizeof(why), "%s: %s", p->url, r->error ? r->error : "failed");
		else
			str_fmt(why, sizeof(why), "%s answered HTTP %ld", p->url, r->status);
		json_failed(p, why);
	} else {
		json_reading(p, r->body, r->len);
	}
	poller_publish(p);
}

static void poller_start(struct gpus *g, struct gpu_poller *p)
{
	double timeout = p->fh->timeout;

	p->busy = true;
	if (p->mode != GPUS_HTTP_JSON) {
		/* two nvidia-smi runs, each bounded by `timeout`, plus the round trip */
		hosts_submit(g->env.hosts, p->host, gpu_nvidia_script(),
			     2 * GPU_SMI_TIMEOUT + timeout, nvidia_done, p);
		return;
	}
	if (!p->url) {
		p->busy = false;
		transport_failed(p, "gpus = http-json needs gpu_url");
		poller_publish(p);
		return;
	}
	if (hosts_is_local(g->env.hosts, p->host) && g->env.http) {
		struct http_request req = { .url = p->url, .timeout = timeout };
		if (http_start(g->env.http, &req, json_http_done, p) == 0)
			return;
	}
	hosts_submit(g->env.hosts, p->host, p->fetch_script, timeout + 2, json_shell_done, p);
}

static void gpus_prepare(void *s, struct pollset *ps, double now, double *deadline,
			 const struct collect_flags *fl)
{
	struct gpus *g = s;

	(void)ps;
	for (size_t i = 0; i < g->n; i++) {
		struct gpu_poller *p = &g->p[i];

		if (p->busy || (fl->once && p->attempted))
			continue;
		if (fl->poll_now)
			p->next = now;
		if (!fl->paused && now >= p->next)
			poller_start(g, p);
		if (!p->busy)
			deadline_min(deadline, p->next);
	}
}

static void gpus_dispatch(void *s, const struct pollset *ps, double now)
{
	/* everything arrives through hosts_submit and http callbacks */
	(void)s; (void)ps; (void)now;
}

static bool gpus_round_done(void *s)
{
	struct gpus *g = s;

	for (size_t i = 0; i < g->n; i++)
		if (!g->p[i].attempted)
			return false;
	return true;
}

static void gpus_destroy(void *s)
{
	struct gpus *g = s;

	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->p[i].fetch_script);
	free(g->p);
	free(g);
}

const struct source_ops source_gpus = {
	.name = "gpus",
	.create = gpus_create,
	.prepare = gpus_prepare,
	.dispatch = gpus_dispatch,
	.round_done = gpus_round_done,
	.destroy = gpus_destroy,
};
