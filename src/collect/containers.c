#include "config.h"
#include "collect/container_parse.h"
#include "collect/hosts.h"
#include "collect/http.h"
#include "collect/source.h"
#include "util/util.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The containers collector (SPEC §3 container rows, doc/containers.md).
 *
 * One round per host per interval, two transports:
 *   ssh = local  the Docker Engine API on its unix socket (Docker or Podman)
 *                through the shared curl engine: list, inspect each
 *                container, and one-shot stats for the running ones;
 *   over SSH     one script on the host's shell runs the engine's CLI
 *                (`ps -aq` + `inspect`, JSON), then a second one reads the
 *                running containers' cgroup files (v2, or v1) by main pid.
 * Every request has its own timeout and a round publishes once all of them
 * answered or timed out, so one slow container costs only its own timeout.
 * CPU % is computed here from two cumulative readings. */

#define API_VERSION "v1.41"
#define NO_ENGINE_RECHECK 30.0   /* seconds between looks for an engine that is not there */
/* Over SSH every round runs the engine's CLI twice (~100 ms of CPU on the
 * host each): not more often than this. The API rounds follow the interval. */
#define CLI_MIN_PERIOD 5.0

struct cpu_prev {
	char id[16];
	uint64_t ns;
	double at;
};

struct ctr_host;

/* The argument of one HTTP request: which host and which container slot. */
struct ctr_req {
	struct ctr_host *h;
	int slot;                    /* -1: the list */
};

struct ctr_src;

struct ctr_host {
	struct ctr_src *src;
	size_t i;
	const struct fleet_host *fh;
	bool api;                    /* local: read the Engine API */
	char *socket_cfg;            /* container_socket, expanded, or NULL */
	double next;                 /* mono time of the next round */
	bool busy;
	int rounds;                  /* rounds finished */
	int pending;                 /* requests of this round still out */
	double started;              /* wall time the round started */
	struct host_containers pub;  /* as last published */
	struct host_containers w;    /* the round being built */
	long pids[MODEL_MAX_CONTAINERS];
	char ids[MODEL_MAX_CONTAINERS][CTR_ID_MAX];
	struct ctr_usage use[MODEL_MAX_CONTAINERS];
	struct ctr_req req[MODEL_MAX_CONTAINERS + 1];
	char sock[108];              /* api: the socket in use */
	struct cpu_prev prev[MODEL_MAX_CONTAINERS];
	int nprev;
};

struct ctr_src {
	struct collect_env env;
	struct ctr_host *h;
	size_t n;
};

static const char *engine_name(enum containers_mode m)
{
	return m == CONT_DOCKER ? "docker" : m == CONT_PODMAN ? "podman" : "";
}

static double round_period(const struct ctr_host *h)
{
	double iv = h->fh->interval > 0 ? h->fh->interval : 2;

	return !h->api && iv < CLI_MIN_PERIOD ? CLI_MIN_PERIOD : iv;
}

static double round_timeout(const struct ctr_host *h)
{
	return h->fh->timeout > 0 ? h->fh->timeout : 5;
}

/* --- finishing a round ------------------------------------------------------ */

static void cpu_update(struct ctr_host *h, double now)
{
	struct cpu_prev next[MODEL_MAX_CONTAINERS];
	int nn = 0;

	for (int k = 0; k < h->w.n; k++) {
		struct container_sample *c = &h->w.c[k];
		const struct ctr_usage *u = &h->use[k];

		if (!u->cpu_ok)
			continue;
		for (int j = 0; j < h->nprev; j++) {
			double pct;
			if (strcmp(h->prev[j].id, c->id))
				continue;
			pct = ctrp_cpu_pct(h->prev[j].ns, u->cpu_ns, now - h->prev[j].at);
			if (pct >= 0) {
				c->cpu_pct = pct;
				c->valid |= CV_CPU;
			}
			break;
		}
		str_copy(next[nn].id, c->id, sizeof(next[nn].id));
		next[nn].ns = u->cpu_ns;
		next[nn++].at = now;
	}
	memcpy(h->prev, next, sizeof(next[0]) * (size_t)nn);
	h->nprev = nn;
}

/* Memory from stats or cgroups; the limit from inspect unless it had none
 * (a cgroup limit set by other means still counts). */
static void usage_apply(struct ctr_host *h)
{
	for (int k = 0; k < h->w.n; k++) {
		struct container_sample *c = &h->w.c[k];
		const struct ctr_usage *u = &h->use[k];

		if (u->mem_ok) {
			c->mem_used = u->mem_used;
			c->valid |= CV_MEM;
		}
		if (u->limit_ok && (!(c->valid & CV_LIMIT) || c->mem_limit == 0)) {
			c->mem_limit = u->limit;
			c->valid |= CV_LIMIT;
		}
		if (u->implausible[0] && !c->implausible[0])
			str_copy(c->implausible, u->implausible, sizeof(c->implausible));
	}
}

static void publish(struct ctr_host *h)
{
	h->pub = h->w;
	collect_publish(&h->src->env, DOM_CONTAINER, h->i, &h->pub, host_containers_size(&h->pub));
}

/* A good list: publish it whole. */
static void round_ok(struct ctr_host *h)
{
	double now = now_wall();

	usage_apply(h);
	cpu_update(h, now);
	h->w.collected = true;
	h->w.sampled_at = now;
	h->w.err = CE_NONE;
	h->w.error[0] = 0;
	publish(h);
	h->busy = false;
	h->rounds++;
	h->next = now_mono() + round_period(h);
}

/* No list this round: keep the last good one (it turns stale by itself),
 * say why. No engine is looked for again only every NO_ENGINE_RECHECK s,
 * so a host without one costs nothing and logs nothing. */
static void round_fail(struct ctr_host *h, enum containers_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void round_fail(struct ctr_host *h, enum containers_err e, const char *fmt, ...)
{
	va_list ap;
	struct host_containers w = h->pub;

	w.collected = true;
	w.interval = round_period(h);
	w.err = e;
	str_copy(w.engine, h->w.engine, sizeof(w.engine));
	str_copy(w.via, h->w.via, sizeof(w.via));
	va_start(ap, fmt);
	vsnprintf(w.error, sizeof(w.error), fmt, ap);
	va_end(ap);
	/* a CLI's trailing newline is not part of the message (it would show
	 * as '?' once sanitized) */
	str_trim(w.error);
	str_sanitize(w.error);
	if (e == CE_NO_ENGINE || e == CE_PERMISSION) {
		/* a definite answer: there is nothing to list */
		w.n = w.total = 0;
		w.sampled_at = now_wall();
	}
	/* the next look is further away: the staleness rule must know */
	if ((e == CE_NO_ENGINE || e == CE_PERMISSION) && w.interval < NO_ENGINE_RECHECK)
		w.interval = NO_ENGINE_RECHECK;
	h->w = w;
	publish(h);
	h->busy = false;
	h->rounds++;
	h->next = now_mono() + w.interval;
}

static void round_begin(struct ctr_host *h)
{
	memset(&h->w, 0, sizeof(h->w));
	memset(h->use, 0, sizeof(h->use));
	memset(h->pids, 0, sizeof(h->pids));
	h->w.interval = round_period(h);
	h->busy = true;
	h->pending = 0;
	h->started = now_wall();
}

/* --- local: the Docker Engine API ---------------------------------------------- */

/* Picks the socket: container_socket, $DOCKER_HOST (unix://), then the
 * engines' usual paths. Returns 0, or -1 after failing the round. */
static int api_socket(struct ctr_host *h)
{
	const char *cand[5];
	const char *dh = getenv("DOCKER_HOST");
	char tried[200] = "";
	int n = 0;
	struct stat st;

	if (h->socket_cfg) {
		cand[n++] = h->socket_cfg;
	} else {
		if (dh && str_starts(dh, "unix://"))
			cand[n++] = dh + 7;
		if (h->fh->containers != CONT_PODMAN)
			cand[n++] = "/var/run/docker.sock";
		if (h->fh->containers != CONT_DOCKER)
			cand[n++] = "/run/podman/podman.sock";
	}
	for (int k = 0; k < n; k++) {
		if (stat(cand[k], &st) < 0 || !S_ISSOCK(st.st_mode)) {
			size_t l = strlen(tried);
			snprintf(tried + l, sizeof(tried) - l, "%s%s", l ? ", " : "", cand[k]);
			continue;
		}
		str_copy(h->sock, cand[k], sizeof(h->sock));
		str_copy(h->w.via, cand[k], sizeof(h->w.via));
		str_copy(h->w.engine, strstr(cand[k], "podman") ? "podman"
			 : *engine_name(h->fh->containers) ? engine_name(h->fh->containers) : "docker",
			 sizeof(h->w.engine));
		if (access(cand[k], R_OK | W_OK) < 0 && errno == EACCES) {
			struct group *g = getgrgid(st.st_gid);
			round_fail(h, CE_PERMISSION,
				   "permission denied on %s: join its group %s (usermod -aG %s USER, "
				   "then log in again) or run fleetdeck as a user who can use it",
				   cand[k], g ? g->gr_name : "(unknown)", g ? g->gr_name : "GROUP");
			return -1;
		}
		return 0;
	}
	round_fail(h, CE_NO_ENGINE, "no container engine (no socket at %s)", tried);
	return -1;
}

static void api_get(struct ctr_host *h, const char *path, int slot, http_cb cb);

static void api_done_one(struct ctr_host *h)
{
	if (--h->pending == 0)
		round_ok(h);
}

static void on_stats(void *arg, const struct http_result *r)
{
	struct ctr_req *q = arg;
	struct ctr_host *h = q->h;
	char err[160];

	/* a missing reading is only that container's numbers being n/a */
	if (r->code == CURLE_OK && r->status == 200)
		ctrp_stats(r->body, r->len, &h->use[q->slot], err, sizeof(err));
	api_done_one(h);
}

static void on_inspect(void *arg, const struct http_result *r)
{
	struct ctr_req *q = arg;
	struct ctr_host *h = q->h;
	struct container_sample c;
	long pid = 0;
	int n = 0;
	char err[160];

	if (r->code == CURLE_OK && r->status == 200 &&
	    ctrp_inspect(r->body, r->len, &c, &pid, 1, &n, err, sizeof(err)) == 0 && n == 1) {
		h->w.c[q->slot] = c;
		if (!strcmp(c.state, "running")) {
			char path[160];
			snprintf(path, sizeof(path), "/containers/%s/stats?stream=false&one-shot=true",
				 h->ids[q->slot]);
			api_get(h, path, q->slot, on_stats);
		}
	} else {
		/* gone between list and inspect, or unreadable: keep the id visible */
		memset(&h->w.c[q->slot], 0, sizeof(h->w.c[0]));
		str_copy(h->w.c[q->slot].id, h->ids[q->slot], 13);
		str_copy(h->w.c[q->slot].name, h->ids[q->slot], 13);
		str_copy(h->w.c[q->slot].state, "unknown", sizeof(h->w.c[0].state));
	}
	api_done_one(h);
}

static void on_list(void *arg, const struct http_result *r)
{
	struct ctr_req *q = arg;
	struct ctr_host *h = q->h;
	char err[200];
	int n;

	h->pending--;
	if (r->code != CURLE_OK) {
		round_fail(h, CE_FAILED, "container engine at %s: %s", h->sock,
			   r->error ? r->error : curl_easy_strerror(r->code));
		return;
	}
	if (r->status != 200) {
		round_fail(h, CE_FAILED, "container engine at %s answered HTTP %ld", h->sock, r->status);
		return;
	}
	n = ctrp_list(r->body, r->len, h->ids, MODEL_MAX_CONTAINERS, &h->w.total, err, sizeof(err));
	if (n < 0) {
		round_fail(h, CE_FAILED, "container engine at %s: %s", h->sock, err);
		return;
	}
	h->w.n = n;
	/* held while starting, so a request refused at once cannot end the round early */
	h->pending++;
	for (int k = 0; k < n; k++) {
		char path[160];
		snprintf(path, sizeof(path), "/containers/%s/json", h->ids[k]);
		api_get(h, path, k, on_inspect);
	}
	api_done_one(h);
}

static void api_get(struct ctr_host *h, const char *path, int slot, http_cb cb)
{
	char url[256];
	struct http_request req = { 0 };
	struct ctr_req *q = &h->req[slot + 1];

	snprintf(url, sizeof(url), "http://localhost/" API_VERSION "%s", path);
	req.url = url;
	req.unix_socket = h->sock;
	req.timeout = round_timeout(h);
	q->h = h;
	q->slot = slot;
	h->pending++;
	if (http_start(h->src->env.http, &req, cb, q) < 0) {
		struct http_result r = { .code = CURLE_FAILED_INIT, .error = "could not start a request",
					 .body = "" };
		cb(q, &r);
	}
}

static void api_round(struct ctr_host *h)
{
	if (api_socket(h) < 0)
		return;
	api_get(h, "/containers/json?all=1", -1, on_list);
}

/* --- over SSH: the engine's CLI and cgroup files ------------------------------- */

/* Reads each pid's cgroup (v1 memory/cpuacct controllers, else the v2
 * unified one) and prints the files the parser knows, framed. */
static const char cgroup_script[] =
	"(\n"
	"for p in %s; do\n"
	" printf '@@pid %%s\\n' \"$p\"\n"
	" c=$(cat \"/proc/$p/cgroup\" 2>/dev/null) || continue\n"
	" m1=$(printf '%%s\\n' \"$c\" | awk -F: '$2 ~ /(^|,)memory(,|$)/ {print \"/sys/fs/cgroup/memory\" $3; exit}')\n"
	" a1=$(printf '%%s\\n' \"$c\" | awk -F: '$2 ~ /(^|,)cpuacct(,|$)/ {print \"/sys/fs/cgroup/\" $2 $3; exit}')\n"
	" if [ -n \"$m1\" ]; then\n"
	"  for f in memory.usage_in_bytes memory.limit_in_bytes memory.stat; do printf '@@file %%s\\n' $f; cat \"$m1/$f\" 2>/dev/null; done\n"
	"  if [ -n \"$a1\" ]; then printf '@@file cpuacct.usage\\n'; cat \"$a1/cpuacct.usage\" 2>/dev/null; fi\n"
	" else\n"
	"  d=/sys/fs/cgroup$(printf '%%s\\n' \"$c\" | sed -n 's/^0:://p')\n"
	"  for f in memory.current memory.max memory.stat cpu.stat; do printf '@@file %%s\\n' $f; cat \"$d/$f\" 2>/dev/null; done\n"
	" fi\n"
	"done\n"
	")\n";

static void on_cgroups(void *arg, const struct shell_result *r)
{
	struct ctr_host *h = arg;

	if (r->ok)
		for (int k = 0; k < h->w.n; k++)
			if (h->pids[k] > 0)
				ctrp_cgroup(r->out, r->outlen, h->pids[k], &h->use[k]);
	/* without cgroups the list is still good: numbers stay n/a */
	round_ok(h);
}

static void cli_cgroups(struct ctr_host *h)
{
	char pids[MODEL_MAX_CONTAINERS * 12 + 1] = "";
	size_t len = 0;
	char *script;

	for (int k = 0; k < h->w.n; k++)
		if (h->pids[k] > 0)
			len += (size_t)snprintf(pids + len, sizeof(pids) - len, "%s%ld",
						len ? " " : "", h->pids[k]);
	if (!len) {
		round_ok(h);
		return;
	}
	script = xasprintf(cgroup_script, pids);
	hosts_submit(h->src->env.hosts, h->i, script, round_timeout(h), on_cgroups, h);
	free(script);
}

/* Turns the CLI's failure text into a problem a user can act on. */
static void cli_error(struct ctr_host *h, const char *text)
{
	const char *sock = strstr(text, "unix://");
	char path[108] = "";

	if (!strstr(text, "ermission denied")) {
		round_fail(h, CE_FAILED, "%s CLI failed: %.180s", h->w.engine, text);
		return;
	}
	if (sock) {
		size_t n = strcspn(sock + 7, ": \n\"");
		snprintf(path, sizeof(path), "%.*s", (int)(n < 100 ? n : 100), sock + 7);
	}
	const char *grp = strstr(text, "@@group ");
	char g[40] = "docker";
	if (grp)
		snprintf(g, sizeof(g), "%.*s", (int)strcspn(grp + 8, "\n"), grp + 8);
	round_fail(h, CE_PERMISSION,
		   "permission denied on %s: add the SSH user to group %s on the host "
		   "(usermod -aG %s USER)", path[0] ? path : "the engine's socket", g, g);
}

static void on_cli(void *arg, const struct shell_result *r)
{
	struct ctr_host *h = arg;
	const char *json, *eng;
	char err[200], head[1024];
	int n = 0;

	if (!r->ok) {
		round_fail(h, CE_FAILED, "containers not read: %s", r->message ? r->message : "no answer");
		return;
	}
	/* markers are looked for only before the JSON: a container's own text
	 * (labels, names) can never pose as one */
	json = strstr(r->out, "@@json\n");
	snprintf(head, sizeof(head), "%.*s", (int)(json ? json - r->out : (long)r->outlen) < 1023
		 ? (int)(json ? json - r->out : (long)r->outlen) : 1023, r->out);
	if (strstr(head, "@@noengine")) {
		round_fail(h, CE_NO_ENGINE, "no container engine (%s not found on the host)",
			   *engine_name(h->fh->containers) ? engine_name(h->fh->containers)
			   : "neither docker nor podman");
		return;
	}
	if ((eng = strstr(head, "@@engine ")) != NULL)
		snprintf(h->w.engine, sizeof(h->w.engine), "%.*s", (int)strcspn(eng + 9, "\n"), eng + 9);
	snprintf(h->w.via, sizeof(h->w.via), "ssh: %s CLI", h->w.engine);
	if ((eng = strstr(head, "@@nodaemon ")) != NULL) {
		round_fail(h, CE_NO_ENGINE, "no container engine running (%s: %.150s)", h->w.engine,
			   eng + 11);
		return;
	}
	if ((eng = strstr(head, "@@error ")) != NULL) {
		cli_error(h, eng + 8);
		return;
	}
	if (!json) {
		round_fail(h, CE_FAILED, "unexpected answer from the %s CLI: %.120s", h->w.engine, r->out);
		return;
	}
	json += 7;
	if (ctrp_inspect(json, strlen(json), h->w.c, h->pids, MODEL_MAX_CONTAINERS, &n,
			 err, sizeof(err)) < 0) {
		round_fail(h, CE_FAILED, "%s", err);
		return;
	}
	h->w.n = n;
	h->w.total = n;
	cli_cgroups(h);
}

/* Tries the engine asked for (auto: docker, then podman); an engine whose
 * CLI is installed but whose daemon is not running counts as no engine. */
static void cli_round(struct ctr_host *h)
{
	const char *want = engine_name(h->fh->containers);
	char *eq = *want ? sh_quote(want) : xstrdup("docker podman");
	char *sq = sh_quote(h->socket_cfg ? h->socket_cfg : "");
	int t = (int)(round_timeout(h) + 0.999);
	/* a subshell: exit and set -f must not reach the long-lived shell */
	char *script = xasprintf(
		"(\n"
		"set -f\n"
		"DH=%s\n"
		"t=; if command -v timeout >/dev/null 2>&1; then t='timeout %d'; fi\n"
		"run() { e=$1; shift; if [ -n \"$DH\" ]; then if [ \"$e\" = podman ]; then"
		" $t podman --remote --url \"unix://$DH\" \"$@\"; return; fi;"
		" DOCKER_HOST=\"unix://$DH\"; export DOCKER_HOST; fi; $t \"$e\" \"$@\"; }\n"
		"found= err= last=\n"
		"for e in %s; do\n"
		" command -v \"$e\" >/dev/null 2>&1 || continue\n"
		" found=1\n"
		" if ids=$(run \"$e\" ps -aq --no-trunc 2>&1); then\n"
		"  echo \"@@engine $e\"; echo @@json\n"
		/* only as many as the model keeps: the answer stays within its cap */
		"  ids=$(printf '%%s\\n' $ids | head -n %d)\n"
		"  if [ -z \"$ids\" ]; then echo '[]'; else run \"$e\" inspect $ids 2>/dev/null; fi\n"
		"  exit 0\n"
		" fi\n"
		" err=$ids last=$e\n"
		"done\n"
		"[ -n \"$found\" ] || { echo @@noengine; exit 0; }\n"
		"echo \"@@engine $last\"\n"
		"case $err in *'Cannot connect'*|*'daemon running'*|*'connection refused'*)"
		" printf '@@nodaemon %%s\\n' \"$err\" | head -n 2; exit 0;; esac\n"
		"printf '@@error %%s\\n' \"$err\" | head -n 4\n"
		"s=${DH:-/var/run/docker.sock}; [ -S \"$s\" ] && printf '@@group %%s\\n' \"$(stat -c %%G \"$s\" 2>/dev/null)\"\n"
		"exit 0\n"
		")\n", sq, t, eq, MODEL_MAX_CONTAINERS);
	/* a container's inspect is 2-50 KiB (labels, env, mounts): room for
	 * every one the model keeps at 128 KiB each */
	struct shell_limits lim = {
		.timeout = 2 * round_timeout(h) + 3,
		.max_output = (size_t)MODEL_MAX_CONTAINERS * (128 << 10) + (64 << 10),
	};

	hosts_submit_limited(h->src->env.hosts, h->i, script, &lim, on_cli, h);
	free(script);
	free(eq);
	free(sq);
}

/* --- the source ------------------------------------------------------------------ */

static void *containers_create(const struct collect_env *env)
{
	struct ctr_src *s;
	size_t n = 0;

	for (size_t i = 0; i < env->f->nhosts; i++)
		if (env->f->hosts[i].containers != CONT_NONE && env->f->hosts[i].prometheus < 0)
			n++;
	if (!n || env->m->dom[DOM_CONTAINER].n < env->f->nhosts)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->env = *env;
	s->h = xcalloc(n, sizeof(*s->h));
	for (size_t i = 0; i < env->f->nhosts; i++) {
		const struct fleet_host *fh = &env->f->hosts[i];
		struct ctr_host *h;

		/* a [prometheus] host's come from cAdvisor (prom_exporters.c) */
		if (fh->containers == CONT_NONE || fh->prometheus >= 0)
			continue;
		h = &s->h[s->n++];
		h->src = s;
		h->i = i;
		h->fh = fh;
		h->api = hosts_is_local(env->hosts, i);
		h->socket_cfg = fh->sec ? fleet_section_path(fh->sec, "container_socket") : NULL;
	}
	return s;
}

static void containers_prepare(void *sp, struct pollset *ps, double now, double *deadline,
			       const struct collect_flags *fl)
{
	struct ctr_src *s = sp;

	(void)ps;
	for (size_t k = 0; k < s->n; k++) {
		struct ctr_host *h = &s->h[k];

		if (h->busy || fl->paused || (fl->once && h->rounds > 0))
			continue;
		if (fl->poll_now)
			h->next = now;
		if (now >= h->next) {
			round_begin(h);
			if (h->api)
				api_round(h);
			else
				cli_round(h);
		}
		if (!h->busy && h->next < *deadline)
			*deadline = h->next;
	}
}

static void containers_dispatch(void *s, const struct pollset *ps, double now)
{
	/* everything arrives through the http and hosts callbacks */
	(void)s; (void)ps; (void)now;
}

static bool containers_round_done(void *sp)
{
	struct ctr_src *s = sp;

	for (size_t k = 0; k < s->n; k++)
		if (s->h[k].rounds == 0)
			return false;
	return true;
}

static void containers_destroy(void *sp)
{
	struct ctr_src *s = sp;

	if (!s)
		return;
	for (size_t k = 0; k < s->n; k++)
		free(s->h[k].socket_cfg);
	free(s->h);
	free(s);
}

const struct source_ops source_containers = {
	.name = "containers",
	.create = containers_create,
	.prepare = containers_prepare,
	.dispatch = containers_dispatch,
	.round_done = containers_round_done,
	.destroy = containers_destroy,
};
