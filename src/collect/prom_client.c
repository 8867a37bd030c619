/* Requests to a Prometheus-compatible query API (see prom_client.h). */
#include "config.h"
#include "collect/prom_client.h"
#include "collect/prometheus.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Longer query strings go in a POST form: proxies cut long URLs. */
#define PROM_GET_MAX 2048

void prom_conn_init(struct prom_conn *c, const struct fleet_section *sec, double dflt_timeout)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	c->sec = sec;
	c->base = prom_base_url(sec);
	c->label = xstrdup(fleet_section_value(sec, "host_label"));
	c->timeout = fleet_section_duration(sec, "timeout", dflt_timeout > 0 ? dflt_timeout : 5);
	c->ca = prom_ca_file(sec);
	c->auth = prom_auth_header(sec, err, sizeof(err));
	if (!c->auth && err[0])
		str_copy(c->setup_err, err, sizeof(c->setup_err));
	if (!prom_label_name_ok(c->label))
		str_fmt(c->setup_err, sizeof(c->setup_err), "host_label \"%s\" is not a label name",
			c->label);
}

void prom_conn_free(struct prom_conn *c)
{
	if (c->auth)
		explicit_bzero(c->auth, strlen(c->auth));
	free(c->auth);
	free(c->ca);
	free(c->base);
	free(c->label);
	memset(c, 0, sizeof(*c));
}

char *prom_query_args(const char *promql, size_t limit)
{
	char *enc = prom_url_encode(promql), *a;

	/* limit: servers that know it stop there (and warn); the caller asks
	 * for one more than it accepts, to tell an over-full answer */
	a = limit ? xasprintf("query=%s&limit=%zu", enc, limit) : xasprintf("query=%s", enc);
	free(enc);
	return a;
}

int prom_roundq_start(struct prom_roundq *q, struct http *h, void (*done)(void *), void *arg)
{
	q->call.ok = false;
	if (!q->args)
		return 0;
	q->done = done;
	q->done_arg = arg;
	return prom_call_start(&q->call, h, "query", q->args) == 0;
}

void prom_roundq_done(struct prom_call *c)
{
	struct prom_roundq *q = c->arg;

	q->done(q->done_arg);
}

static bool call_data(void *arg, const char *data, size_t n)
{
	struct prom_call *c = arg;

	/* over the cap: stop reading; the caller says why */
	if (c->reader.samples > c->cap) {
		c->over = true;
		return false;
	}
	return prom_reader_feed(&c->reader, data, n) == 0;
}

static void queue_run(struct prom_conn *pc);

static void call_result(void *arg, const struct http_result *r)
{
	struct prom_call *c = arg;
	struct prom_conn *pc = c->conn;

	c->in_flight = false;
	pc->inflight--;
	c->ms = r->total_ms;
	c->bytes = r->len;
	c->status = r->status;
	c->timed_out = r->code == CURLE_OPERATION_TIMEDOUT;
	c->over = c->over || c->reader.samples > c->cap;
	if (c->over) {
		str_fmt(c->err, sizeof(c->err), "more than %zu series in the answer", c->cap);
	} else if (r->too_big) {
		str_fmt(c->err, sizeof(c->err), "the answer was too large");
	} else if (r->status == 401 || r->status == 403) {
		str_fmt(c->err, sizeof(c->err), "HTTP %ld: check the credentials (bearer_token_file "
			"or basic_auth_*)", r->status);
	} else if (r->status == 0 && r->code != CURLE_OK) {
		str_fmt(c->err, sizeof(c->err), "%s", r->error ? r->error : "request failed");
	} else if (prom_reader_finish(&c->reader, c->err, sizeof(c->err)) == 0) {
		c->ok = true;
	} else if (r->status != 200 && !strstr(c->err, "refused")) {
		/* the API's JSON error said it; otherwise the status does */
		str_fmt(c->err, sizeof(c->err), "HTTP %ld from %s", r->status, pc->base);
	}
	if (c->done)
		c->done(c);
	if (pc->http)
		queue_run(pc);
}

bool prom_call_retryable(const struct prom_call *c)
{
	if (c->ok || c->over)
		return false;
	return c->timed_out || c->status == 429 || c->status == 502 || c->status == 503 ||
	       c->status == 504;
}

void prom_call_clear(struct prom_call *c)
{
	free(c->body);
	c->body = NULL;
	free(c->url);
	c->url = NULL;
}

/* The request of a call whose url and body are set. */
static struct http_request call_request(struct prom_call *c, const char **hdr)
{
	struct prom_conn *pc = c->conn;

	hdr[0] = pc->auth;
	hdr[1] = NULL;
	return (struct http_request){
		.url = c->url, .timeout = pc->timeout, .cainfo = pc->ca, .body = c->body,
		/* the credentials go only to url's origin (http.c checks) */
		.secret_headers = pc->auth ? hdr : NULL, .origin = pc->base,
		/* 64 KiB plus 512 bytes a series bounds what a reader is fed */
		.max_body = (64u << 10) + 512 * (c->cap + 1),
		.on_data = call_data,
	};
}

static void call_setup(struct prom_call *c, const char *path, const char *args)
{
	struct prom_conn *pc = c->conn;
	bool post;
	char *full = NULL;

	/* a query says how long fleetdeck waits for it: the server stops
	 * there instead of computing an answer nobody reads (VictoriaMetrics
	 * 1.79 went on for minutes with an abandoned 100,000-host query,
	 * beside the round's own); seconds, as Prometheus and VM both read */
	if (strncmp(path, "query", 5) == 0 && pc->timeout > 0)
		args = full = xasprintf("%s&timeout=%.3f", args, pc->timeout);
	post = strlen(args) > PROM_GET_MAX;
	prom_call_clear(c);
	/* curl reads a POST form during the transfer: it lives in the call */
	c->body = post ? xstrdup(args) : NULL;
	c->url = post ? xasprintf("%s/api/v1/%s", pc->base, path)
		      : xasprintf("%s/api/v1/%s?%s", pc->base, path, args);
	free(full);
	c->ok = c->over = c->timed_out = false;
	c->status = 0;
	c->ms = 0;
	c->bytes = 0;
	c->err[0] = '\0';
	c->queue_next = NULL;
	prom_reader_init(&c->reader, c->doc, c->want, c->fn, c->arg);
}

/* Starts queued calls while the section has room. A call curl refuses
 * ends at once, with its reason. */
static void queue_run(struct prom_conn *pc)
{
	while (pc->queue_head && pc->inflight < PROM_MAX_INFLIGHT) {
		struct prom_call *c = pc->queue_head;
		const char *hdr[2];
		struct http_request req = call_request(c, hdr);

		pc->queue_head = c->queue_next;
		if (!pc->queue_head)
			pc->queue_tail = NULL;
		c->in_flight = true;
		pc->inflight++;
		if (http_start(pc->http, &req, call_result, c) < 0) {
			c->in_flight = false;
			pc->inflight--;
			str_copy(c->err, "libcurl refused the request", sizeof(c->err));
			if (c->done)
				c->done(c);
		}
	}
}

int prom_call_start(struct prom_call *c, struct http *h, const char *path, const char *args)
{
	struct prom_conn *pc = c->conn;

	if (pc->setup_err[0]) {
		str_copy(c->err, pc->setup_err, sizeof(c->err));
		return -1;
	}
	call_setup(c, path, args);
	pc->http = h;
	c->in_flight = true;  /* from the caller's view: its done() will run */
	if (pc->queue_tail)
		pc->queue_tail->queue_next = c;
	else
		pc->queue_head = c;
	pc->queue_tail = c;
	queue_run(pc);
	return 0;
}

void prom_call_run(struct prom_call *c, const char *path, const char *args)
{
	struct http_request req;
	const char *hdr[2];

	if (c->conn->setup_err[0]) {
		str_copy(c->err, c->conn->setup_err, sizeof(c->err));
		if (c->done)
			c->done(c);
		return;
	}
	call_setup(c, path, args);
	req = call_request(c, hdr);
	c->in_flight = true;
	c->conn->inflight++;
	if (http_run(&req, call_result, c) < 0) {
		c->in_flight = false;
		c->conn->inflight--;
		str_copy(c->err, "libcurl refused the request", sizeof(c->err));
		if (c->done)
			c->done(c);
	}
}

/* ---- the scrape interval ---- */

static void on_job(void *arg, const struct prom_sample *s)
{
	struct prom_scrape *ps = arg;

	if (!ps->job[0] && !s->cut && s->label[0][0])
		str_copy(ps->job, s->label[0], sizeof(ps->job));
}

static void on_target(void *arg, const struct prom_sample *s)
{
	struct prom_scrape *ps = arg;

	if (ps->interval <= 0 && s->value > 0)
		ps->interval = s->value;
}

static void scrape_end(struct prom_scrape *ps)
{
	ps->busy = false;
	ps->done = true;
	prom_call_clear(&ps->jobs);
	prom_call_clear(&ps->targets);
	if (ps->finished)
		ps->finished(ps, ps->arg);
}

static void targets_done(struct prom_call *c)
{
	/* the list is cut after its first target on purpose */
	scrape_end(c->arg);
}

static void jobs_done(struct prom_call *c)
{
	struct prom_scrape *ps = c->arg;
	char *enc, *args;

	if (!ps->job[0]) {
		scrape_end(ps);
		return;
	}
	enc = prom_url_encode(ps->job);
	args = xasprintf("state=active&scrapePool=%s", enc);
	ps->targets = (struct prom_call){ .conn = c->conn, .doc = PROM_DOC_TARGETS,
		.want = { "job", NULL }, .fn = on_target, .arg = ps, .cap = 1, .done = targets_done };
	if (prom_call_start(&ps->targets, c->conn->http, "targets", args) < 0)
		scrape_end(ps);
	free(args);
	free(enc);
}

void prom_scrape_start(struct prom_scrape *ps, struct prom_conn *conn, struct http *h,
		       const char *match, void (*finished)(struct prom_scrape *, void *), void *arg)
{
	char err[256], *sel = prom_selector("up", match, NULL, err, sizeof(err)), *q, *args;

	memset(ps, 0, sizeof(*ps));
	ps->finished = finished;
	ps->arg = arg;
	ps->busy = true;
	if (!sel) {
		scrape_end(ps);
		return;
	}
	q = xasprintf("count by (job) (%s)", sel);
	args = prom_query_args(q, 17);
	ps->jobs = (struct prom_call){ .conn = conn, .doc = PROM_DOC_VECTOR, .want = { "job", NULL },
		.fn = on_job, .arg = ps, .cap = 16, .done = jobs_done };
	if (prom_call_start(&ps->jobs, h, "query", args) < 0)
		scrape_end(ps);
	free(args);
	free(q);
	free(sel);
}

void prom_scrape_free(struct prom_scrape *ps)
{
	prom_call_clear(&ps->jobs);
	prom_call_clear(&ps->targets);
}

bool prom_scrape_adopt(const struct prom_scrape *sc, const struct fleet_section *sec,
		       double *interval, double *next_poll)
{
	if (sc->interval <= 0)
		return false;
	if (!fleet_section_get(sec, "interval")) {
		*next_poll += sc->interval - *interval;
		*interval = sc->interval;
	}
	return true;
}

double prom_rate_window(const struct fleet_section *sec, double scrape_interval)
{
	double w = 4 * scrape_interval;

	if (fleet_section_get(sec, "rate_window"))
		return fleet_section_duration(sec, "rate_window", 60);
	return w > 60 ? w : 60;
}
