#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collect/hosts.h"
#include "collect/http.h"
#include "collect/source.h"
#include "collect/svc_check.h"
#include "util/util.h"
#include "util/text.h"

/* The services source: every [service] and [link] that has a `check`.
 *
 * Where a check runs:
 *   [service] without `from`  this machine: http(s) through the shared curl
 *                             multi engine (status, latency, body, TLS
 *                             certificate), tcp as a non-blocking connect()
 *                             in this file's own fds;
 *   [service] with `from`     that host's shell over SSH (svc_remote_script);
 *   [link A -> B]             A's shell over SSH (A a [host], or the host of
 *                             the [service]/[database] named A), so a
 *                             LAN- or Tailscale-only path is verified from
 *                             where it matters.
 * Names in `tcp NAME:PORT` checks run here are resolved once at start (the
 * resolver blocks; addresses and /etc/hosts names cost nothing) and again
 * only after a failed check. */

struct check_job {
	struct services *owner;
	bool is_link;
	size_t index;                /* in services[] or links[] */
	const char *name;
	struct svc_check ck;
	const char *expect;
	char *cainfo;
	int from;                    /* host index running it, -1 this machine */
	char *script;                /* remote checks */
	double interval, timeout;
	double next;                 /* monotonic */
	bool busy, attempted;
	/* local tcp */
	struct addrinfo *ai;
	int fd;
	int ps_idx;
	double started, deadline;    /* monotonic */
	struct service_sample work;
};

struct services {
	struct collect_env env;
	struct check_job *j;
	size_t n;
};

/* The host a link's first end stands for: a [host], or where the
 * [service]/[database] of that name runs; -1 if none. */
static int link_from_host(const struct fleet *f, const char *name)
{
	char a[128];
	const char *arrow = strstr(name, " -> ");
	const struct fleet_section *s;
	int i;

	str_copy(a, name, arrow && (size_t)(arrow - name) + 1 < sizeof(a) ?
		 (size_t)(arrow - name) + 1 : sizeof(a));
	str_trim(a);
	if ((i = fleet_host_index(f, a)) >= 0)
		return i;
	s = fleet_find_section(f, SEC_SERVICE, a);
	if (!s)
		s = fleet_find_section(f, SEC_DATABASE, a);
	return s && fleet_section_get(s, "host") ? fleet_host_index(f, fleet_section_get(s, "host")) : -1;
}

static void job_resolve(struct check_job *j)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	char port[8];

	if (j->ai)
		return;
	str_fmt(port, sizeof(port), "%d", j->ck.port);
	if (getaddrinfo(j->ck.host, port, &hints, &j->ai) != 0)
		j->ai = NULL;
}

static bool job_init(struct services *sv, struct check_job *j, const struct fleet_section *sec,
		     bool is_link, size_t index)
{
	const struct fleet *f = sv->env.f;
	const char *check = fleet_section_get(sec, "check"), *from;
	char err[128];

	if (!check || svc_check_parse(check, &j->ck, err, sizeof(err)) != 0)
		return false;
	memset(&j->work, 0, sizeof(j->work));
	j->owner = sv;
	j->is_link = is_link;
	j->index = index;
	j->name = sec->name;
	j->fd = -1;
	j->expect = fleet_section_get(sec, "expect");
	j->cainfo = fleet_section_path(sec, "ca_file");
	j->interval = fleet_section_duration(sec, "interval", f->interval);
	j->timeout = fleet_section_duration(sec, "timeout", f->timeout);
	from = is_link ? NULL : fleet_section_get(sec, "from");
	j->from = is_link ? link_from_host(f, sec->name) : from ? fleet_host_index(f, from) : -1;
	if (j->from >= 0)
		j->script = svc_remote_script(&j->ck, j->timeout, j->cainfo);
	else if (j->ck.kind == CHECK_TCP)
		job_resolve(j);
	j->work.kind = j->ck.kind;
	j->work.interval = j->interval;
	j->work.timeout = j->timeout;
	j->work.remote = j->from >= 0;
	j->work.cert_days_left = -1;
	return true;
}

static void *services_create(const struct collect_env *env)
{
	size_t ns = fleet_count(env->f, SEC_SERVICE), nl = fleet_count(env->f, SEC_LINK);
	struct services *sv;

	if (ns + nl == 0)
		return NULL;
	sv = xcalloc(1, sizeof(*sv));
	sv->env = *env;
	sv->j = xcalloc(ns + nl, sizeof(*sv->j));
	for (size_t i = 0; i < ns; i++)
		if (job_init(sv, &sv->j[sv->n], fleet_nth(env->f, SEC_SERVICE, i), false, i))
			sv->n++;
	for (size_t i = 0; i < nl; i++)
		if (job_init(sv, &sv->j[sv->n], fleet_nth(env->f, SEC_LINK, i), true, i))
			sv->n++;
	if (sv->n == 0) {
		free(sv->j);
		free(sv);
		return NULL;
	}
	return sv;
}

static void job_publish(struct check_job *j)
{
	struct services *sv = j->owner;

	j->busy = false;
	j->attempted = true;
	j->work.collected = true;
	j->work.sampled_at = now_wall();
	j->next = now_mono() + j->interval;
	/* a link's sample is its check's (struct link_sample's only member) */
	collect_publish(&sv->env, j->is_link ? DOM_LINK : DOM_SERVICE, j->index, &j->work,
			sizeof(j->work));
}

static void job_reset(struct check_job *j)
{
	j->work.ok = false;
	j->work.http_status = 0;
	j->work.latency_valid = false;
	j->work.cert_days_left = -1;
	j->work.error[0] = '\0';
}

static void remote_done(void *arg, const struct shell_result *r)
{
	struct check_job *j = arg;

	job_reset(j);
	if (!r->ok) {
		str_fmt(j->work.error, sizeof(j->work.error), "not checked: %s",
			r->message ? r->message : "the host did not answer");
		str_sanitize(j->work.error);
	} else {
		svc_remote_parse(&j->ck, j->expect, r->out, r->outlen, r->err, r->latency_ms,
				 &j->work);
	}
	job_publish(j);
}

static void http_done(void *arg, const struct http_result *r)
{
	struct check_job *j = arg;

	job_reset(j);
	j->work.latency_ms = r->total_ms;
	j->work.latency_valid = r->code == CURLE_OK;
	if (r->code != CURLE_OK) {
		str_fmt(j->work.error, sizeof(j->work.error), "%s", r->error ? r->error : "failed");
		str_sanitize(j->work.error);
	} else {
		if (j->ck.https && r->easy)
			j->work.cert_days_left = http_cert_days_left(r->easy, now_wall());
		svc_http_judge(r->status, r->body, r->len, j->expect, &j->work);
	}
	job_publish(j);
}

static void tcp_finish(struct check_job *j, const char *error)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	job_reset(j);
	if (error) {
		text_clean(j->work.error, sizeof(j->work.error), error);
	} else {
		j->work.ok = true;
		j->work.latency_ms = (now_mono() - j->started) * 1000;
		j->work.latency_valid = true;
	}
	job_publish(j);
}

static void tcp_start(struct check_job *j, double now)
{
	char msg[300];
	int fd;

	job_resolve(j);
	j->started = now;
	j->deadline = now + j->timeout;
	if (!j->ai) {
		str_fmt(msg, sizeof(msg), "cannot resolve %s", j->ck.host);
		tcp_finish(j, msg);
		return;
	}
	fd = socket(j->ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		str_fmt(msg, sizeof(msg), "socket: %s", strerror(errno));
		tcp_finish(j, msg);
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	j->fd = fd;
	if (connect(fd, j->ai->ai_addr, j->ai->ai_addrlen) == 0) {
		tcp_finish(j, NULL);
	} else if (errno != EINPROGRESS) {
		str_fmt(msg, sizeof(msg), "cannot connect to %s:%d: %s", j->ck.host, j->ck.port,
			strerror(errno));
		freeaddrinfo(j->ai);   /* resolve again next time */
		j->ai = NULL;
		tcp_finish(j, msg);
	}
}

static void job_start(struct services *sv, struct check_job *j, double now)
{
	j->busy = true;
	if (j->from >= 0) {
		hosts_submit(sv->env.hosts, (size_t)j->from, j->script, j->timeout + 2,
			     remote_done, j);
	} else if (j->ck.kind == CHECK_TCP) {
		tcp_start(j, now);
	} else {
		struct http_request req = {
			.url = j->ck.url, .timeout = j->timeout, .max_body = 1u << 20,
			.want_certinfo = j->ck.https, .cainfo = j->cainfo,
		};
		if (!sv->env.http || http_start(sv->env.http, &req, http_done, j) != 0) {
			job_reset(j);
			str_copy(j->work.error, "the HTTP engine refused the request", sizeof(j->work.error));
			job_publish(j);
		}
	}
}

static void services_prepare(void *s, struct pollset *ps, double now, double *deadline,
			     const struct collect_flags *fl)
{
	struct services *sv = s;

	for (size_t i = 0; i < sv->n; i++) {
		struct check_job *j = &sv->j[i];

		j->ps_idx = -1;
		if (!j->busy && !(fl->once && j->attempted)) {
			if (fl->poll_now)
				j->next = now;
			if (!fl->paused && now >= j->next)
				job_start(sv, j, now);
			if (!j->busy)
				deadline_min(deadline, j->next);
		}
		if (j->busy && j->fd >= 0) {
			j->ps_idx = pollset_add(ps, j->fd, POLLOUT);
			deadline_min(deadline, j->deadline);
		}
	}
}

static void tcp_dispatch(struct check_job *j, const struct pollset *ps, double now)
{
	char msg[300];
	int err = 0;
	socklen_t len = sizeof(err);

	if (j->ps_idx >= 0 && pollset_revents(ps, j->ps_idx)) {
		if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0) {
			tcp_finish(j, NULL);
			return;
		}
		str_fmt(msg, sizeof(msg), "cannot connect to %s:%d: %s", j->ck.host, j->ck.port,
			strerror(err));
		tcp_finish(j, msg);
		return;
	}
	if (now >= j->deadline) {
		str_fmt(msg, sizeof(msg), "connecting to %s:%d timed out after %.0f s",
			j->ck.host, j->ck.port, j->timeout);
		tcp_finish(j, msg);
	}
}

static void services_dispatch(void *s, const struct pollset *ps, double now)
{
	struct services *sv = s;

	for (size_t i = 0; i < sv->n; i++)
		if (sv->j[i].busy && sv->j[i].fd >= 0)
			tcp_dispatch(&sv->j[i], ps, now);
}

static bool services_round_done(void *s)
{
	struct services *sv = s;

	for (size_t i = 0; i < sv->n; i++)
		if (!sv->j[i].attempted)
			return false;
	return true;
}

static void services_destroy(void *s)
{
	struct services *sv = s;

	if (!sv)
		return;
	for (size_t i = 0; i < sv->n; i++) {
		if (sv->j[i].fd >= 0)
			close(sv->j[i].fd);
		if (sv->j[i].ai)
			freeaddrinfo(sv->j[i].ai);
		free(sv->j[i].script);
		free(sv->j[i].cainfo);
	}
	free(sv->j);
	free(sv);
}

const struct source_ops source_services = {
	.name = "services",
	.create = services_create,
	.prepare = services_prepare,
	.dispatch = services_dispatch,
	.round_done = services_round_done,
	.destroy = services_destroy,
};
