#include "config.h"
#include "serve/serve.h"
#include "loop/wake.h"
#include "out/out.h"
#include "rules/rules.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* A scrape is small and rare (every 15 s or so): one request per
 * connection, answered whole, then closed. Bounded in every way: clients,
 * request size, time per connection. */
#define SERVE_MAX_LISTEN 4
#define SERVE_MAX_CLIENTS 16
#define SERVE_REQ_MAX 8192
#define SERVE_CLIENT_TIMEOUT 10.0

struct client {
	int fd;                      /* -1: free slot */
	char req[SERVE_REQ_MAX + 1];
	size_t nreq;
	char *out;                   /* the whole response, once built */
	size_t nout, sent;
	double deadline;             /* monotonic */
};

struct metrics_server {
	const struct fleet *f;
	struct model *m;
	int lfd[SERVE_MAX_LISTEN];
	int nlfd;
	struct wake stop;
	pthread_t thread;
	bool started;
	char addr[128];
	struct client cl[SERVE_MAX_CLIENTS];
	/* the reader's side, owned by the thread */
	struct snapshot snap;
	struct rules_state st;
	struct evaluation ev;
	double evaluated_at;
};

static bool sockaddr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return memcmp(b, mapped, 12) == 0 && b[12] == 127;
	}
	return false;
}

int serve_parse_addr(const char *spec, bool allow_remote, char *host, size_t hostlen,
		     char *port, size_t portlen, char *err, size_t errlen)
{
	const char *colon, *h = spec;
	size_t hl;
	char *end;
	long p;

	(void)allow_remote;
	if (!spec || !*spec) {
		str_fmt(err, errlen, "an address is needed, e.g. 127.0.0.1:9187");
		return -1;
	}
	if (*spec == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':') {
			str_fmt(err, errlen, "'%s' is not [IPv6]:PORT", spec);
			return -1;
		}
		h = spec + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || strchr(spec, ':') != colon) {
			str_fmt(err, errlen, "'%s' is not ADDR:PORT (e.g. 127.0.0.1:9187)", spec);
			return -1;
		}
		hl = (size_t)(colon - spec);
	}
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 1 || p > 65535) {
		str_fmt(err, errlen, "'%s': the port must be 1..65535", spec);
		return -1;
	}
	if (hl == 0 || hl >= hostlen) {
		str_fmt(err, errlen, "'%s': the address is missing (use 127.0.0.1:%ld for this machine only)",
			spec, p);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	str_fmt(port, portlen, "%ld", p);
	return 0;
}

static void set_nonblock_cloexec(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Binds every address the name resolves to (localhost: 127.0.0.1 and ::1).
 * Names are resolved once, here, before any thread starts. */
static int bind_all(struct metrics_server *s, const char *spec, bool allow_remote,
		    char *err, size_t errlen)
{
	char host[96], port[8];
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	int rc, one = 1;

	if (serve_parse_addr(spec, allow_remote, host, sizeof(host), port, sizeof(port),
			     err, errlen) < 0)
		return -1;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		str_fmt(err, errlen, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next)
		if (!allow_remote && !sockaddr_is_loopback(ai->ai_addr)) {
			str_fmt(err, errlen, "%s is not a loopback address: the metrics would be open to "
				"the network (add --serve-metrics-remote if that is what you want)", host);
			freeaddrinfo(res);
			return -1;
		}
	for (ai = res; ai && s->nlfd < SERVE_MAX_LISTEN; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0) {
			str_fmt(err, errlen, "cannot listen on %s: %s", spec, strerror(errno));
			close(fd);
			/* localhost's ::1 may be missing: one address bound is enough */
			continue;
		}
		set_nonblock_cloexec(fd);
		s->lfd[s->nlfd++] = fd;
	}
	freeaddrinfo(res);
	if (s->nlfd == 0)
		return -1;
	err[0] = '\0';
	str_copy(s->addr, spec, sizeof(s->addr));
	return 0;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->nreq = c->nout = c->sent = 0;
}

static void evaluate(struct metrics_server *s)
{
	double now = now_wall();

	model_snapshot(s->m, &s->snap);
	rules_evaluate(s->f, &s->snap, now, &s->st, &s->ev);
	s->evaluated_at = now;
}

/* The body for a scrape: the model as it is now, written as the document
 * is walked (no tree of it is built). The text itself is held until sent:
 * the answer has a Content-Length and a slow scraper must not stop the
 * loop. */
static char *render(struct metrics_server *s, bool openmetrics, size_t *len)
{
	char *buf = NULL;
	FILE *fp;

	evaluate(s);
	fp = open_memstream(&buf, len);
	if (!fp)
		return NULL;
	out_metrics(fp, s->f, &s->snap, &s->ev, s->evaluated_at, openmetrics);
	fclose(fp);
	return buf;
}

static void respond(struct client *c, int code, const char *reason, const char *type,
		    const char *extra, const char *body, size_t blen, bool head)
{
	char *hdr = xasprintf("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			      "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
			      code, reason, type, blen, extra ? extra : "");
	size_t hl = strlen(hdr);

	c->nout = hl + (head ? 0 : blen);
	c->out = xmalloc(c->nout + 1);
	memcpy(c->out, hdr, hl);
	if (!head && blen)
		memcpy(c->out + hl, body, blen);
	c->sent = 0;
	free(hdr);
}

static void respond_text(struct client *c, int code, const char *reason, const char *extra,
			 const char *text)
{
	respond(c, code, reason, "text/plain; charset=utf-8", extra, text, strlen(text), false);
}

/* Prometheus asks for OpenMetrics in Accept; anyone else gets the classic
 * text format, which every scraper reads. */
static bool wants_openmetrics(const char *req)
{
	for (const char *p = strchr(req, '\n'); p; p = strchr(p + 1, '\n')) {
		if (strncasecmp(p + 1, "accept:", 7) != 0)
			continue;
		const char *eol = strchr(p + 1, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		for (size_t i = 0; i + 28 <= n; i++)
			if (strncasecmp(p + i, "application/openmetrics-text", 28) == 0)
				return true;
	}
	return false;
}

static void handle_request(struct metrics_server *s, struct client *c)
{
	char method[8], path[256];
	bool head;

	if (sscanf(c->req, "%7s %255s HTTP/1.", method, path) != 2) {
		respond_text(c, 400, "Bad Request", NULL, "bad request\n");
		return;
	}
	head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0) {
		respond_text(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", "GET /metrics\n");
		return;
	}
	path[strcspn(path, "?#")] = '\0';
	if (strcmp(path, "/") == 0) {
		respond_text(c, 200, "OK", NULL,
			     "fleetdeck: the fleet's state in the OpenMetrics text format is at /metrics\n");
		return;
	}
	if (strcmp(path, "/metrics") != 0) {
		respond_text(c, 404, "Not Found", NULL, "not found: try /metrics\n");
		return;
	}
	bool om = wants_openmetrics(c->req);
	size_t len = 0;
	char *body = render(s, om, &len);
	if (!body) {
		respond_text(c, 500, "Internal Server Error", NULL, "out of memory\n");
		return;
	}
	respond(c, 200, "OK", om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
		: "text/plain; version=0.0.4; charset=utf-8", NULL, body, len, head);
	free(body);
}

static void client_read(struct metrics_server *s, struct client *c)
{
	ssize_t n = recv(c->fd, c->req + c->nreq, SERVE_REQ_MAX - c->nreq, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->nreq += (size_t)n;
	c->req[c->nreq] = '\0';
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		handle_request(s, c);
	else if (c->nreq == SERVE_REQ_MAX)
		respond_text(c, 431, "Request Header Fields Too Large", NULL, "request too large\n");
}

static void client_write(struct client *c)
{
	ssize_t n = send(c->fd, c->out + c->sent, c->nout - c->sent, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent == c->nout) {
		shutdown(c->fd, SHUT_WR);
		client_close(c);
	}
}

static void accept_one(struct metrics_server *s, int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	struct client *c = NULL;

	if (fd < 0)
		return;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	for (int i = 0; i < SERVE_MAX_CLIENTS && !c; i++)
		if (s->cl[i].fd < 0)
			c = &s->cl[i];
	if (!c) {
		close(fd);       /* full: the scraper retries at its next interval */
		return;
	}
	set_nonblock_cloexec(fd);
	c->fd = fd;
	c->nreq = 0;
	c->deadline = now_mono() + SERVE_CLIENT_TIMEOUT;
}

static void *serve_thread(void *arg)
{
	struct metrics_server *s = arg;
	struct pollfd pfd[1 + SERVE_MAX_LISTEN + SERVE_MAX_CLIENTS];
	int map[SERVE_MAX_CLIENTS];
	double period = s->f && s->f->interval > 0 ? s->f->interval : 2.0;

	thread_quiet("fd-metrics");
	for (;;) {
		int n = 0, nc = 0;
		double now = now_mono();

		pfd[n++] = (struct pollfd){ wake_fd(&s->stop), POLLIN, 0 };
		for (int i = 0; i < s->nlfd; i++)
			pfd[n++] = (struct pollfd){ s->lfd[i], POLLIN, 0 };
		for (int i = 0; i < SERVE_MAX_CLIENTS; i++) {
			struct client *c = &s->cl[i];
			if (c->fd < 0)
				continue;
			if (now > c->deadline) {
				client_close(c);
				continue;
			}
			map[nc++] = i;
			pfd[n++] = (struct pollfd){ c->fd, c->out ? POLLOUT : POLLIN, 0 };
		}
		if (poll(pfd, (nfds_t)n, (int)(period * 1000)) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		/* evaluated between scrapes too, so an alert's "since" is when it
		 * started, not when the next scrape came */
		if (now_wall() - s->evaluated_at >= period)
			evaluate(s);
		for (int i = 0; i < s->nlfd; i++)
			if (pfd[1 + i].revents & POLLIN)
				accept_one(s, s->lfd[i]);
		for (int k = 0; k < nc; k++) {
			struct client *c = &s->cl[map[k]];
			short re = pfd[1 + s->nlfd + k].revents;
			if (c->fd < 0 || !re)
				continue;
			if (c->out)
				client_write(c);
			else
				client_read(s, c);
			if (c->fd >= 0 && c->out && c->sent == 0)
				client_write(c);
		}
	}
	return NULL;
}

struct metrics_server *serve_start(const char *spec, bool allow_remote,
				   const struct fleet *f, struct model *m,
				   char *err, size_t errlen)
{
	struct metrics_server *s = xcalloc(1, sizeof(*s));

	s->f = f;
	s->m = m;
	s->stop.fd[0] = s->stop.fd[1] = -1;
	for (int i = 0; i < SERVE_MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	rules_state_init(&s->st, f ? f->nhosts : 0);
	if (bind_all(s, spec, allow_remote, err, errlen) < 0) {
		serve_stop(s);
		return NULL;
	}
	if (wake_open(&s->stop) < 0) {
		str_fmt(err, errlen, "pipe: %s", strerror(errno));
		serve_stop(s);
		return NULL;
	}
	if (pthread_create(&s->thread, NULL, serve_thread, s) != 0) {
		str_fmt(err, errlen, "cannot start the metrics thread");
		serve_stop(s);
		return NULL;
	}
	s->started = true;
	return s;
}

const char *serve_address(const struct metrics_server *s)
{
	return s ? s->addr : "";
}

void serve_stop(struct metrics_server *s)
{
	if (!s)
		return;
	if (s->started) {
		wake_poke(&s->stop);
		pthread_join(s->thread, NULL);
	}
	for (int i = 0; i < SERVE_MAX_CLIENTS; i++)
		client_close(&s->cl[i]);
	for (int i = 0; i < s->nlfd; i++)
		close(s->lfd[i]);
	wake_close(&s->stop);
	evaluation_free(&s->ev);
	rules_state_free(&s->st);
	snapshot_free(&s->snap);
	free(s);
}
