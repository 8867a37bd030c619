#define _GNU_SOURCE 1  /* memmem, strcasestr */
#include "config.h"
#include "collect/container_parse.h"
#include "collect/hosts.h"
#include "collect/http.h"
#include "collect/source.h"
#include "collect/ssh.h"
#include "util/text.h"
#include "util/util.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The containers collector (SPEC §3 container rows, doc/containers.md).
 *
 * One round per host per interval, over the Docker Engine API (which
 * Podman serves too) through the shared curl engine: list, inspect each
 * container that is new or changed since the last round (struct
 * ctr_known: a steady host costs one list request per round), then the
 * running containers' memory and CPU:
 *   ssh = local  on the engine's unix socket here; one-shot stats;
 *   over SSH     on the engine's socket on the host, each request on an
 *                OpenSSH direct-streamlocal channel of the host's session
 *                (as `docker -H ssh://` reaches the daemon, but nothing
 *                runs on the host for it), as a plain HTTP/1.0 GET (see
 *                struct api_stream); the socket is looked for with
 *                shell builtins at the first round and after a failure;
 *                then the running containers' cgroup files (v2, or v1) by
 *                main pid, read by builtins on the host's shell.
 *                Fallback, when the host has no engine socket the SSH user
 *                can use, or its sshd refuses streams to sockets
 *                (AllowStreamLocalForwarding; then for STREAM_RETRY): the
 *                engine's CLI (`ps -aq` + `inspect`, JSON), at most every
 *                CLI_MIN_PERIOD.
 * Every request has its own timeout and a round publishes once all of them
 * answered or timed out, so one slow container costs only its own timeout.
 * CPU % is computed here from two cumulative readings. */

#define API_VERSION "v1.41"
#define NO_ENGINE_RECHECK 30.0   /* seconds between looks for an engine that is not there */
/* Over SSH every round runs the engine's CLI twice (~100 ms of CPU on the
 * host each): not more often than this. The API rounds follow the interval. */
#define CLI_MIN_PERIOD 5.0
/* Inspects of one host's round in flight at once. Each request's deadline
 * runs from its start, and over SSH the channels open one at a time per
 * session: 120 new containers started at once would wait for each other's
 * channels within their own deadlines (a failed inspect shows the list's
 * name and state, unknown with the reason: ctrp_unread), and the engine
 * would get 120 connections at once. */
#define INSPECT_PARALLEL 8
/* After a host's sshd refused a stream to the engine's socket
 * (AllowStreamLocalForwarding off, or nothing listening): the CLI, and the
 * API tried again after this long. */
#define STREAM_RETRY 300.0
/* A steady container (the list shows it unchanged) is inspected again
 * after this long, a few per round (REINSPECT_S spread over the rounds):
 * what changes without a change of state or name, e.g. `docker update
 * --memory` on a stopped container, or on any over the local API. A
 * running container's limit over SSH comes from its cgroup every round. */
#define REINSPECT_S 300.0

struct cpu_prev {
	char id[16];
	uint64_t ns;
	double at;
};

/* What inspect said of a container, kept for the next round: one the list
 * shows with the same id and signature (state, names, image) is not
 * inspected again. A running one whose memory and CPU could not be read
 * (its main pid is gone: it restarted) or whose CPU counter went back is
 * inspected again at the next round, so a restart between two rounds still
 * shows its new restart count and pid. A failed round keeps what was known
 * (ids are the engine's, never reused); a CLI round forgets it. */
struct ctr_known {
	char id[CTR_ID_MAX];
	uint64_t sig;
	long pid;
	double at;                   /* mono time of its inspect */
	bool ok;                     /* inspected (or reused) and fine: reusable */
	struct container_sample c;   /* as inspect gave it: no usage */
};

struct ctr_host;

/* The argument of one HTTP request: which host and which container slot. */
struct ctr_req {
	struct ctr_host *h;
	int slot;                    /* -1: the list */
	struct ssh_tunnel *tun;      /* over SSH: the request's channel */
};

struct ctr_src;

struct ctr_host {
	struct ctr_src *src;
	size_t i;
	const struct fleet_host *fh;
	bool api;                    /* local: read the Engine API here */
	bool cli;                    /* over SSH: no usable API socket (CLI rounds) */
	bool had_engine;             /* a list came from its engine once */
	double no_stream_until;      /* mono: its sshd refused a stream to the socket */
	char *socket_cfg;            /* container_socket, expanded, or NULL */
	double next;                 /* mono time of the next round */
	bool busy;
	int rounds;                  /* rounds finished */
	int pending;                 /* requests of this round still out */
	int todo[MODEL_MAX_CONTAINERS];   /* slots to inspect this round (ntodo), */
	int ntodo, todo_next, inspecting; /* the next to start, how many are out */
	double started;              /* wall time the round started */
	struct host_containers pub;  /* as last published */
	struct host_containers w;    /* the round being built */
	long pids[MODEL_MAX_CONTAINERS];
	struct ctr_listed listed[MODEL_MAX_CONTAINERS];   /* the round's list */
	struct ctr_known *known;     /* the last good round's containers (nknown) */
	struct ctr_known *fresh;     /* this round's, w.n of them (API rounds only) */
	int nknown;
	struct ctr_usage use[MODEL_MAX_CONTAINERS];
	struct ctr_req req[MODEL_MAX_CONTAINERS + 1];
	char sock[108];              /* the API socket in use ("" over SSH: look for it) */
	struct cpu_prev prev[MODEL_MAX_CONTAINERS];
	int nprev;
};

struct api_stream;

struct ctr_src {
	struct collect_env env;
	struct ctr_host *h;
	size_t n;
	struct api_stream *streams;  /* API requests over SSH in flight */
};

static const char *engine_name(enum containers_mode m)
{
	return m == CONT_DOCKER ? "docker" : m == CONT_PODMAN ? "podman" : "";
}

static double round_period(const struct ctr_host *h)
{
	double iv = h->fh->interval > 0 ? h->fh->interval : 2;

	return h->cli && iv < CLI_MIN_PERIOD ? CLI_MIN_PERIOD : iv;
}

static double round_timeout(const struct ctr_host *h)
{
	return h->fh->timeout > 0 ? h->fh->timeout : 5;
}

/* --- finishing a round ------------------------------------------------------ */

static void known_forget(struct ctr_host *h)
{
	free(h->known);
	free(h->fresh);
	h->known = h->fresh = NULL;
	h->nknown = 0;
}

/* The round is good: its containers are what the next round compares with. */
static void known_keep(struct ctr_host *h)
{
	free(h->known);
	h->known = h->fresh;
	h->nknown = h->fresh ? h->w.n : 0;
	h->fresh = NULL;
}

static void known_distrust(struct ctr_host *h, int k)
{
	if (h->fresh && k < h->w.n)
		h->fresh[k].ok = false;
}

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
			} else if (u->cpu_ns < h->prev[j].ns) {
				known_distrust(h, k);   /* a new process: restarted */
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

/* Memory from stats or cgroups; the limit from the cgroup when it was read
 * (ctrp_apply_limit), else from inspect. */
static void usage_apply(struct ctr_host *h)
{
	for (int k = 0; k < h->w.n; k++) {
		struct container_sample *c = &h->w.c[k];
		const struct ctr_usage *u = &h->use[k];

		if (u->mem_ok) {
			c->mem_used = u->mem_used;
			c->valid |= CV_MEM;
		}
		if (!u->mem_ok && !u->cpu_ok && !strcmp(c->state, "running"))
			known_distrust(h, k);
		ctrp_apply_limit(c, u);
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
	known_keep(h);
	h->w.collected = true;
	h->w.sampled_at = now;
	h->w.err = CE_NONE;
	h->w.error[0] = 0;
	h->had_engine = true;
	publish(h);
	h->busy = false;
	h->rounds++;
	h->next = now_mono() + round_period(h);
}

/* No list this round: keep the last good one (it turns stale by itself),
 * say why. No engine is looked for again only every NO_ENGINE_RECHECK s,
 * so a host without one costs nothing and logs nothing. An engine that
 * answered before and is gone now (stopped, its socket removed) is a fault
 * of that host's containers, not a host without any: said as such, and
 * looked for again every round. */
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
	if (e == CE_NO_ENGINE && h->had_engine) {
		char why[sizeof(w.error)];

		str_copy(why, w.error, sizeof(why));
		str_fmt(w.error, sizeof(w.error), "container engine gone (it answered before): %s", why);
		w.err = e = CE_FAILED;
	}
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
	/* what was known stays: the next list is compared with it all the same */
	free(h->fresh);
	h->fresh = NULL;
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

/* --- the Docker Engine API ------------------------------------------------------ */

/* Names the engine and the way to it once h->sock is chosen (every round:
 * round_begin clears them). */
static void socket_describe(struct ctr_host *h)
{
	char via[8 + sizeof(h->sock)];

	snprintf(via, sizeof(via), "%s%s", h->api ? "" : "ssh: ", h->sock);
	text_clean(h->w.via, sizeof(h->w.via), via);
	str_copy(h->w.engine, strstr(h->sock, "podman") ? "podman"
		 : *engine_name(h->fh->containers) ? engine_name(h->fh->containers) : "docker",
		 sizeof(h->w.engine));
}

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
		socket_describe(h);
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
static void cli_cgroups(struct ctr_host *h);
static void cli_round(struct ctr_host *h);

/* Every request of the round answered: here the stats came with them; over
 * SSH the running containers' cgroups are read next. */
static void api_done_one(struct ctr_host *h)
{
	if (--h->pending > 0)
		return;
	if (h->api)
		round_ok(h);
	else
		cli_cgroups(h);
}

/* Ends q's request: over SSH its channel is let go. Returns why it failed
 * (NULL: an HTTP answer came), the channel's own reason when it has one (the
 * host's sshd refused the stream, the session is gone: curl saw only a
 * closed stream then), in buf. */
static const char *req_end(struct ctr_req *q, const struct http_result *r, char *buf, size_t n)
{
	const char *why = r->code == CURLE_OK ? NULL : r->error ? r->error : curl_easy_strerror(r->code);

	if (why)
		str_copy(buf, why, n);
	if (q->tun) {
		const char *te = ssh_tunnel_error(q->tun);
		/* the client closing it is curl being done, not a reason */
		if (why && te[0] && !strstr(te, "client"))
			str_copy(buf, te, n);
		if (ssh_tunnel_refused(q->tun))
			q->h->no_stream_until = now_mono() + STREAM_RETRY;
		ssh_tunnel_release(q->tun);
		q->tun = NULL;
	}
	return why ? buf : NULL;
}

static void on_stats(void *arg, const struct http_result *r)
{
	struct ctr_req *q = arg;
	struct ctr_host *h = q->h;
	char err[160];

	/* a missing reading is only that container's numbers being n/a */
	if (!req_end(q, r, err, sizeof(err)) && r->status == 200)
		ctrp_stats(r->body, r->len, &h->use[q->slot], err, sizeof(err));
	api_done_one(h);
}

/* Container k is known (inspected now, or unchanged since): its memory and
 * CPU from the engine's stats here, from its cgroup (by main pid) over SSH
 * after the round. */
static void container_usage(struct ctr_host *h, int k, const struct container_sample *c, long pid)
{
	h->w.c[k] = *c;
	if (!h->api)
		h->pids[k] = pid;
	else if (!strcmp(c->state, "running")) {
		char path[160];
		snprintf(path, sizeof(path), "/containers/%s/stats?stream=false&one-shot=true",
			 h->listed[k].id);
		api_get(h, path, k, on_stats);
	}
}

/* What the last rounds knew of container k, unless it changed since, or
 * its inspect is older than REINSPECT_S and this round still may inspect
 * one more of those (*again: how many). */
static const struct ctr_known *known_find(const struct ctr_host *h, int k, double now, int *again)
{
	for (int j = 0; j < h->nknown; j++) {
		const struct ctr_known *o = &h->known[j];
		if (!o->ok || o->sig != h->listed[k].sig || strcmp(o->id, h->listed[k].id))
			continue;
		if (now - o->at >= REINSPECT_S && *again > 0) {
			--*again;
			return NULL;
		}
		return o;
	}
	return NULL;
}

static void inspect_more(struct ctr_host *h);

static void on_inspect(void *arg, const struct http_result *r)
{
	struct ctr_req *q = arg;
	struct ctr_host *h = q->h;
	struct container_sample c;
	long pid = 0;
	int n = 0;
	char err[160] = "", why[200];
	const char *fail = req_end(q, r, err, sizeof(err));

	h->inspecting--;
	if (!fail && r->status == 200 &&
	    ctrp_inspect(r->body, r->len, &c, &pid, 1, &n, err, sizeof(err)) == 0 && n == 1) {
		struct ctr_known *f = &h->fresh[q->slot];

		str_copy(f->id, h->listed[q->slot].id, sizeof(f->id));
		f->sig = h->listed[q->slot].sig;
		f->pid = pid;
		f->at = now_mono();
		f->c = c;
		f->ok = true;
		container_usage(h, q->slot, &c, pid);
	} else {
		/* gone between list and inspect, or unreadable: the list's name
		 * and state, why, and unknown (not reused: inspected again at
		 * the next round) */
		if (fail && r->code == CURLE_OPERATION_TIMEDOUT)
			str_fmt(why, sizeof(why), "inspect timed out after %g s", round_timeout(h));
		else if (fail)
			str_fmt(why, sizeof(why), "inspect failed: %s", fail);
		else if (r->status == 404)
			str_copy(why, "inspect: no such container (removed since the list)", sizeof(why));
		else if (r->status != 200)
			str_fmt(why, sizeof(why), "inspect answered HTTP %ld", r->status);
		else
			str_fmt(why, sizeof(why), "inspect: %s", err);
		ctrp_unread(&h->w.c[q->slot], &h->listed[q->slot], why);
	}
	/* the next one starts before this one counts as done: the round
	 * cannot end in between */
	inspect_more(h);
	api_done_one(h);
}

static void inspect_more(struct ctr_host *h)
{
	while (h->inspecting < INSPECT_PARALLEL && h->todo_next < h->ntodo) {
		int k = h->todo[h->todo_next++];
		char path[160];

		snprintf(path, sizeof(path), "/containers/%s/json", h->listed[k].id);
		h->inspecting++;
		api_get(h, path, k, on_inspect);
	}
}

static void on_list(void *arg, const struct http_result *r)
{
	struct ctr_req *q = arg;
	struct ctr_host *h = q->h;
	char err[200];
	const char *why = req_end(q, r, err, sizeof(err));
	int n, again;
	double now, share;

	h->pending--;
	if (why && h->no_stream_until > now_mono()) {
		/* its sshd carries no stream to the socket: the CLI for a while */
		h->sock[0] = 0;
		cli_round(h);
		return;
	}
	n = -1;
	if (why)
		round_fail(h, CE_FAILED, "container engine at %s: %s", h->sock, why);
	else if (r->status != 200)
		round_fail(h, CE_FAILED, "container engine at %s answered HTTP %ld", h->sock, r->status);
	else if ((n = ctrp_list_info(r->body, r->len, h->listed, MODEL_MAX_CONTAINERS,
				     &h->w.total, err, sizeof(err))) < 0)
		round_fail(h, CE_FAILED, "container engine at %s: %s", h->sock, err);
	if (n < 0) {
		/* over SSH the socket is looked for again at the next round */
		if (!h->api)
			h->sock[0] = 0;
		return;
	}
	h->w.n = n;
	free(h->fresh);
	h->fresh = xcalloc((size_t)n + 1, sizeof(*h->fresh));
	/* held while starting, so a request refused at once cannot end the round early */
	h->pending++;
	h->ntodo = h->todo_next = h->inspecting = 0;
	/* steady ones inspected again this round: n per REINSPECT_S, spread */
	share = (double)n * round_period(h) / REINSPECT_S;
	again = (int)share + ((double)(int)share < share);
	now = now_mono();
	for (int k = 0; k < n; k++) {
		const struct ctr_known *o = known_find(h, k, now, &again);

		if (o) {
			h->fresh[k] = *o;
			container_usage(h, k, &o->c, o->pid);
			continue;
		}
		h->todo[h->ntodo++] = k;
	}
	inspect_more(h);
	api_done_one(h);
}

/* --- over SSH: one HTTP/1.0 GET on a stream to the socket ----------------------- */

/* curl cannot be handed a stream that is already connected (libcurl 7.88
 * ignores CURL_SOCKOPT_ALREADY_CONNECTED and connects it again: curl
 * issue 10626), so a request over SSH is a plain HTTP/1.0 GET written to
 * the tunnel's socket pair: the engines (Go's net/http) answer it without
 * chunking and close; a Content-Length ends the answer sooner, and a
 * chunked answer is decoded all the same. The answer goes to the same
 * callbacks as curl's. */
#define STREAM_MAX_BODY (8u << 20)

struct api_stream {
	struct ctr_req *q;
	http_cb cb;
	int fd;                      /* our end of the tunnel */
	char *buf;                   /* the answer so far, NUL-terminated */
	size_t len, cap;
	double deadline;             /* mono */
	int poll_idx;
	struct http_result res;      /* once done: the answer (body in buf) */
	struct api_stream *next;
};

/* Decodes a chunked body in place; its length, or -1 when incomplete. */
static long dechunk(char *b, size_t n)
{
	size_t in = 0, out = 0;

	for (;;) {
		char *nl = memchr(b + in, '\n', n - in);
		unsigned long sz = strtoul(b + in, NULL, 16);

		if (!nl)
			return -1;
		in = (size_t)(nl - b) + 1;
		if (sz == 0)
			return (long)out;
		if (sz > n - in)
			return -1;
		memmove(b + out, b + in, sz);
		out += sz;
		in += sz;
		in += in < n && b[in] == '\r';
		in += in < n && b[in] == '\n';
	}
}

/* Whether s holds a whole answer (at EOF: whatever came); fills r. */
static bool stream_answer(struct api_stream *s, bool eof, struct http_result *r)
{
	char *body = memmem(s->buf, s->len, "\r\n\r\n", 4);
	const char *cl, *te;
	size_t blen;

	if (!body)
		return false;
	*body = 0;   /* the headers end here; the body starts 4 bytes on */
	body += 4;
	blen = s->len - (size_t)(body - s->buf);
	cl = strcasestr(s->buf, "\ncontent-length:");
	te = strcasestr(s->buf, "\ntransfer-encoding: chunked");
	if (!eof && !(cl && blen >= strtoul(cl + 16, NULL, 10)) &&
	    !(te && blen >= 5 && !memcmp(body + blen - 5, "0\r\n\r\n", 5))) {
		body[-4] = '\r';
		return false;
	}
	r->code = CURLE_OK;
	if (sscanf(s->buf, "HTTP/%*d.%*d %ld", &r->status) != 1) {
		r->code = CURLE_WEIRD_SERVER_REPLY;
		r->error = "the engine's answer is not HTTP";
	}
	if (te) {
		long n = dechunk(body, blen);
		if (n < 0) {
			r->code = CURLE_PARTIAL_FILE;
			r->error = "the engine's answer ended early";
			n = 0;
		}
		blen = (size_t)n;
	} else if (cl && blen < strtoul(cl + 16, NULL, 10)) {
		r->code = CURLE_PARTIAL_FILE;
		r->error = "the engine's answer ended early";
	}
	body[blen] = 0;
	r->body = body;
	r->len = blen;
	return true;
}

/* Reads what came; true when s is done (r filled). */
static bool stream_read(struct api_stream *s, double now, struct http_result *r)
{
	for (;;) {
		ssize_t n;

		if (s->cap - s->len < 4096) {
			if (s->cap > STREAM_MAX_BODY) {
				r->code = CURLE_FILESIZE_EXCEEDED;
				r->error = "the answer was too large";
				r->too_big = true;
				return true;
			}
			s->cap = s->cap ? 2 * s->cap : 16384;
			s->buf = xrealloc(s->buf, s->cap + 1);
		}
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n > 0) {
			s->len += (size_t)n;
			s->buf[s->len] = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			r->code = CURLE_RECV_ERROR;
			r->error = "the stream to the engine failed";
			return true;
		}
		if (stream_answer(s, n == 0, r))
			return true;
		if (n == 0) {
			r->code = CURLE_GOT_NOTHING;
			r->error = "the engine closed the stream without an answer";
			return true;
		}
		if (now >= s->deadline) {
			r->code = CURLE_OPERATION_TIMEDOUT;
			r->error = "no answer in time";
			return true;
		}
		return false;
	}
}

static int stream_start(struct ctr_host *h, struct ctr_req *q, const char *path, http_cb cb)
{
	struct api_stream *s;
	int fd = -1;
	char *req;
	ssize_t n;
	size_t len;

	q->tun = hosts_open_socket(h->src->env.hosts, h->i, h->sock, &fd);
	if (!q->tun)
		return -1;
	req = xasprintf("GET /" API_VERSION "%s HTTP/1.0\r\nHost: docker\r\n"
			"User-Agent: fleetdeck/" PACKAGE_VERSION "\r\n\r\n", path);
	len = strlen(req);
	/* a few hundred bytes: the socket pair holds them until the channel opens */
	n = send(fd, req, len, MSG_NOSIGNAL);
	free(req);
	if (n != (ssize_t)len) {
		close(fd);
		return -1;
	}
	s = xcalloc(1, sizeof(*s));
	s->q = q;
	s->cb = cb;
	s->fd = fd;
	s->poll_idx = -1;
	s->deadline = now_mono() + round_timeout(h);
	s->next = h->src->streams;
	h->src->streams = s;
	return 0;
}

static void streams_prepare(struct ctr_src *src, struct pollset *ps, double *deadline)
{
	for (struct api_stream *s = src->streams; s; s = s->next) {
		s->poll_idx = pollset_add(ps, s->fd, POLLIN);
		deadline_min(deadline, s->deadline);
	}
}

static void stream_free(struct api_stream *s)
{
	close(s->fd);
	free(s->buf);
	free(s);
}

/* Finished streams are taken out first, then answered: an answer starts
 * new requests (the list's inspects). */
static void streams_dispatch(struct ctr_src *src, const struct pollset *ps, double now)
{
	struct api_stream **pp = &src->streams, *done = NULL;

	while (*pp) {
		struct api_stream *s = *pp;

		s->res = (struct http_result){ .body = "" };
		if (((s->poll_idx >= 0 && pollset_revents(ps, s->poll_idx)) || now >= s->deadline) &&
		    stream_read(s, now, &s->res)) {
			*pp = s->next;
			s->next = done;
			done = s;
			continue;
		}
		pp = &s->next;
	}
	while (done) {
		struct api_stream *s = done;
		done = s->next;
		s->cb(s->q, &s->res);
		stream_free(s);
	}
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
	q->tun = NULL;
	h->pending++;
	/* over SSH: a stream to the socket on the host, on its session */
	if (!h->api) {
		if (stream_start(h, q, path, cb) < 0) {
			struct http_result r = { .code = CURLE_COULDNT_CONNECT, .body = "",
						 .error = "no stream to the socket could be opened over SSH" };
			cb(q, &r);
		}
		return;
	}
	if (http_start(h->src->env.http, &req, cb, q) < 0) {
		struct http_result r = { .code = CURLE_FAILED_INIT, .error = "could not start a request",
					 .body = "" };
		cb(q, &r);
	}
}

static void api_list(struct ctr_host *h)
{
	socket_describe(h);
	api_get(h, "/containers/json?all=1", -1, on_list);
}

static void api_round(struct ctr_host *h)
{
	if (api_socket(h) == 0)
		api_list(h);
}

/* --- over SSH: the engine's socket on the host ------------------------------- */

static void on_find(void *arg, const struct shell_result *r)
{
	struct ctr_host *h = arg;
	const char *m;

	if (!r->ok) {
		round_fail(h, CE_FAILED, "containers not read: %s", r->message ? r->message : "no answer");
		return;
	}
	if (!(m = strstr(r->out, "@@sock "))) {
		/* none the SSH user can use: the CLI says why (no engine, not
		 * running, permission denied), or lists through podman's own
		 * process when no API service runs */
		cli_round(h);
		return;
	}
	snprintf(h->sock, sizeof(h->sock), "%.*s", (int)strcspn(m + 7, "\n"), m + 7);
	h->cli = false;
	h->w.interval = round_period(h);
	api_list(h);
}

/* Looks for the socket as the SSH user (the one sshd connects to it as):
 * container_socket, else $DOCKER_HOST (unix://) and the engines' usual
 * system and rootless paths. Shell builtins only: nothing is started. */
static void find_round(struct ctr_host *h)
{
	enum containers_mode m = h->fh->containers;
	char *cand = h->socket_cfg ? sh_quote(h->socket_cfg) : xasprintf(
		"\"${DOCKER_HOST#unix://}\"%s%s",
		m != CONT_PODMAN ? " /var/run/docker.sock \"${XDG_RUNTIME_DIR:-/nonexistent}/docker.sock\"" : "",
		m != CONT_DOCKER ? " /run/podman/podman.sock"
		" \"${XDG_RUNTIME_DIR:-/nonexistent}/podman/podman.sock\"" : "");
	char *script = xasprintf(
		"for __fds in %s; do\n"
		" if [ -S \"$__fds\" ] && [ -r \"$__fds\" ] && [ -w \"$__fds\" ]; then\n"
		"  printf '@@sock %%s\\n' \"$__fds\"; break\n"
		" fi\n"
		"done\n", cand);
	struct shell_limits lim = { .timeout = round_timeout(h), .builtins = true };

	hosts_submit_limited(h->src->env.hosts, h->i, script, &lim, on_find, h);
	free(script);
	free(cand);
}

/* The API over SSH; the CLI when the host has no usable socket or its sshd
 * carries no streams to one. */
static void remote_round(struct ctr_host *h)
{
	if (h->no_stream_until > now_mono())
		cli_round(h);
	else if (h->sock[0])
		api_list(h);
	else
		find_round(h);
}

/* --- over SSH: the engine's CLI and cgroup files ------------------------------- */

/* Reads each pid's cgroup (v1 memory/cpuacct controllers, else the v2
 * unified one) and prints the files the parser knows, framed. Shell
 * builtins only, in the session's long-lived shell: no process is started
 * (variables are __fd-prefixed; a file that vanished is skipped). */
static const char cgroup_script[] =
	"for __fdp in %s; do\n"
	" printf '@@pid %%s\\n' \"$__fdp\"\n"
	" __fdm= __fda= __fdv=\n"
	" [ -r \"/proc/$__fdp/cgroup\" ] || continue\n"
	" while IFS=: read -r __fdn __fdc __fdg; do\n"
	"  case \",$__fdc,\" in *,memory,*) __fdm=/sys/fs/cgroup/memory$__fdg;; esac\n"
	"  case \",$__fdc,\" in *,cpuacct,*) __fda=/sys/fs/cgroup/$__fdc$__fdg;; esac\n"
	"  if [ \"$__fdn\" = 0 ] && [ -z \"$__fdc\" ]; then __fdv=/sys/fs/cgroup$__fdg; fi\n"
	" done 2>/dev/null <\"/proc/$__fdp/cgroup\"\n"
	" if [ -n \"$__fdm\" ]; then\n"
	"  __fdd=$__fdm __fdf='memory.usage_in_bytes memory.limit_in_bytes memory.stat'\n"
	"  [ -n \"$__fda\" ] && __fdf=\"$__fdf $__fda/cpuacct.usage\"\n"
	" elif [ -n \"$__fdv\" ]; then\n"
	"  __fdd=$__fdv __fdf='memory.current memory.max memory.stat cpu.stat'\n"
	" else continue; fi\n"
	" for __fdx in $__fdf; do\n"
	"  case $__fdx in /*) __fdy=$__fdx;; *) __fdy=$__fdd/$__fdx;; esac\n"
	"  printf '@@file %%s\\n' \"${__fdx##*/}\"\n"
	"  [ -r \"$__fdy\" ] && while IFS= read -r __fdl; do printf '%%s\\n' \"$__fdl\"; done 2>/dev/null <\"$__fdy\"\n"
	" done\n"
	"done\n";

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
	struct shell_limits lim = { .timeout = round_timeout(h), .builtins = true };

	script = xasprintf(cgroup_script, pids);
	hosts_submit_limited(h->src->env.hosts, h->i, script, &lim, on_cgroups, h);
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
	char *eq;

	/* the CLI inspects all: what the API knew may be old once it is back */
	known_forget(h);
	h->cli = true;
	h->w.interval = round_period(h);
	eq = *want ? sh_quote(want) : xstrdup("docker podman");
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
				remote_round(h);
		}
		if (!h->busy && h->next < *deadline)
			*deadline = h->next;
	}
	streams_prepare(s, ps, deadline);
}

static void containers_dispatch(void *sp, const struct pollset *ps, double now)
{
	/* the rest arrives through the http and hosts callbacks */
	streams_dispatch(sp, ps, now);
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
	while (s->streams) {
		struct api_stream *t = s->streams;
		s->streams = t->next;
		if (t->q->tun)
			ssh_tunnel_release(t->q->tun);
		stream_free(t);
	}
	for (size_t k = 0; k < s->n; k++) {
		free(s->h[k].socket_cfg);
		known_forget(&s->h[k]);
	}
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
