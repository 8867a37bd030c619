#define _GNU_SOURCE 1  /* strptime, timegm */
#include "config.h"
#include "collect/http.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HTTP_MAX_BODY (8u << 20)

struct http_sock {
	curl_socket_t fd;
	int what;                    /* CURL_POLL_IN/OUT/INOUT */
	int idx;                     /* in the pollset this iteration */
};

struct http_xfer {
	struct http *owner;
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	size_t len, cap, max;
	bool too_big, stopped;
	bool (*on_data)(void *arg, const char *data, size_t n);
	char errbuf[CURL_ERROR_SIZE];
	http_cb cb;
	void *arg;
	struct http_xfer *prev, *next;   /* every transfer in flight */
};

struct http {
	CURLM *multi;
	struct http_sock *socks;
	size_t nsocks, capsocks;
	double timer_at;             /* monotonic; 0: none */
	size_t active;
	struct http_xfer *xfers;
};

static void xfer_link(struct http *h, struct http_xfer *x)
{
	x->next = h->xfers;
	if (h->xfers)
		h->xfers->prev = x;
	h->xfers = x;
}

static void xfer_unlink(struct http *h, struct http_xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		h->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
}

static struct http_sock *sock_find(struct http *h, curl_socket_t fd)
{
	for (size_t i = 0; i < h->nsocks; i++)
		if (h->socks[i].fd == fd)
			return &h->socks[i];
	return NULL;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct http *h = userp;
	struct http_sock *s = sock_find(h, fd);

	(void)easy;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		if (s)
			*s = h->socks[--h->nsocks];
		return 0;
	}
	if (!s) {
		if (h->nsocks == h->capsocks) {
			h->capsocks = h->capsocks ? h->capsocks * 2 : 16;
			h->socks = xrealloc(h->socks, h->capsocks * sizeof(*h->socks));
		}
		s = &h->socks[h->nsocks++];
		s->fd = fd;
	}
	s->what = what;
	s->idx = -1;
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;

	(void)multi;
	h->timer_at = timeout_ms < 0 ? 0 : now_mono() + (double)timeout_ms / 1000.0;
	return 0;
}

struct http *http_new(void)
{
	struct http *h = xcalloc(1, sizeof(*h));
	static bool global_done;

	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = true;
	}
	h->multi = curl_multi_init();
	if (!h->multi)
		fatal("curl_multi_init failed");
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_xfer *x = userp;
	size_t n = size * nmemb;

	if (x->len + n > x->max) {
		x->too_big = true;
		return 0;  /* aborts the transfer */
	}
	if (x->on_data) {
		x->len += n;
		if (!x->on_data(x->arg, data, n)) {
			x->stopped = true;
			return 0;
		}
		return n;
	}
	if (x->len + n + 1 > x->cap) {
		x->cap = (x->len + n + 1) * 2;
		x->body = xrealloc(x->body, x->cap);
	}
	memcpy(x->body + x->len, data, n);
	x->len += n;
	x->body[x->len] = '\0';
	return n;
}

static void slist_wipe(struct curl_slist *l)
{
	for (; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
}

static void xfer_free(struct http_xfer *x)
{
	slist_wipe(x->headers);
	curl_slist_free_all(x->headers);
	curl_easy_cleanup(x->easy);
	free(x->body);
	free(x);
}

static char *url_part(CURLU *u, CURLUPart what)
{
	char *v = NULL;

	if (curl_url_get(u, what, &v, CURLU_DEFAULT_PORT) != CURLUE_OK)
		return NULL;
	return v;
}

bool http_same_origin(const char *url, const char *origin)
{
	CURLU *a = curl_url(), *b = curl_url();
	char *pa[3] = { NULL }, *pb[3] = { NULL };
	const CURLUPart parts[3] = { CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT };
	bool same = a && b && url && origin &&
		    curl_url_set(a, CURLUPART_URL, url, 0) == CURLUE_OK &&
		    curl_url_set(b, CURLUPART_URL, origin, 0) == CURLUE_OK;

	for (int i = 0; i < 3 && same; i++) {
		pa[i] = url_part(a, parts[i]);
		pb[i] = url_part(b, parts[i]);
		same = pa[i] && pb[i] && strcasecmp(pa[i], pb[i]) == 0;
	}
	for (int i = 0; i < 3; i++) {
		curl_free(pa[i]);
		curl_free(pb[i]);
	}
	curl_url_cleanup(a);
	curl_url_cleanup(b);
	return same;
}

/* The one easy-handle setup of every request, blocking or not. NULL when
 * curl cannot, or the request would send credentials off their origin. */
static struct http_xfer *xfer_new(const struct http_request *req, http_cb cb, void *arg)
{
	struct http_xfer *x;
	CURL *e;
	double ct = req->connect_timeout > 0 ? req->connect_timeout : req->timeout;

	if (req->secret_headers && req->secret_headers[0] &&
	    !http_same_origin(req->url, req->origin))
		return NULL;
	e = curl_easy_init();
	if (!e)
		return NULL;
	x = xcalloc(1, sizeof(*x));
	x->easy = e;
	x->cb = cb;
	x->arg = arg;
	x->max = req->max_body ? req->max_body : HTTP_MAX_BODY;
	x->on_data = req->on_data;
	for (const char *const *hd = req->headers; hd && *hd; hd++)
		x->headers = curl_slist_append(x->headers, *hd);
	for (const char *const *hd = req->secret_headers; hd && *hd; hd++)
		x->headers = curl_slist_append(x->headers, *hd);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(req->timeout * 1000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(ct * 1000));
	curl_easy_setopt(e, CURLOPT_USERAGENT, "fleetdeck/" PACKAGE_VERSION);
	/* only http(s), and no redirects to anywhere else */
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (x->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	if (req->unix_socket)
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, req->unix_socket);
	if (req->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
	}
	if (req->method)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->want_certinfo)
		curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
	if (req->cainfo)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->cainfo);
	return x;
}

int http_start(struct http *h, const struct http_request *req, http_cb cb, void *arg)
{
	struct http_xfer *x = xfer_new(req, cb, arg);

	if (!x)
		return -1;
	x->owner = h;
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
		xfer_free(x);
		return -1;
	}
	xfer_link(h, x);
	h->active++;
	return 0;
}

size_t http_active(const struct http *h)
{
	return h->active;
}

void http_prepare(struct http *h, struct pollset *ps, double now, double *deadline)
{
	(void)now;
	for (size_t i = 0; i < h->nsocks; i++) {
		struct http_sock *s = &h->socks[i];
		short ev = 0;
		if (s->what == CURL_POLL_IN || s->what == CURL_POLL_INOUT)
			ev |= POLLIN;
		if (s->what == CURL_POLL_OUT || s->what == CURL_POLL_INOUT)
			ev |= POLLOUT;
		s->idx = pollset_add(ps, s->fd, ev);
	}
	deadline_min(deadline, h->timer_at);
}

/* Hands the answer to the callback, then frees the transfer. */
static void xfer_finish(struct http_xfer *x, CURLcode code)
{
	struct http_result r = { 0 };
	double total = 0;

	r.code = code;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &total);
	r.total_ms = total * 1000.0;
	r.body = x->body ? x->body : "";
	r.len = x->len;
	r.easy = x->easy;
	r.too_big = x->too_big;
	if (x->too_big)
		r.error = "the answer was too large";
	else if (x->stopped)
		r.error = "the answer was not what was asked for";
	else if (r.code != CURLE_OK)
		r.error = x->errbuf[0] ? x->errbuf : curl_easy_strerror(r.code);
	x->cb(x->arg, &r);
	xfer_free(x);
}

int http_run(const struct http_request *req, http_cb cb, void *arg)
{
	struct http_xfer *x;

	if (req->secret_headers && req->secret_headers[0] &&
	    !http_same_origin(req->url, req->origin)) {
		struct http_result r = { .code = CURLE_LOGIN_DENIED, .body = "" };
		r.error = "the URL is not on the API's configured origin: its credentials are not sent there";
		cb(arg, &r);
		return 0;
	}
	x = xfer_new(req, cb, arg);
	if (!x)
		return -1;
	xfer_finish(x, curl_easy_perform(x->easy));
	return 0;
}

static void finish_done(struct http *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left))) {
		struct http_xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(h->multi, x->easy);
		xfer_unlink(h, x);
		h->active--;
		xfer_finish(x, msg->data.result);
	}
}

void http_dispatch(struct http *h, const struct pollset *ps, double now)
{
	int running = 0;
	/* copy: callbacks may change the socket list while we walk it */
	size_t n = h->nsocks;
	struct http_sock *ready = xcalloc(n ? n : 1, sizeof(*ready));
	size_t nready = 0;

	for (size_t i = 0; i < n; i++) {
		short rev = pollset_revents(ps, h->socks[i].idx);
		if (!rev)
			continue;
		ready[nready] = h->socks[i];
		ready[nready++].what = (rev & POLLIN ? CURL_CSELECT_IN : 0) |
			(rev & POLLOUT ? CURL_CSELECT_OUT : 0) |
			(rev & (POLLERR | POLLHUP) ? CURL_CSELECT_ERR : 0);
	}
	for (size_t i = 0; i < nready; i++)
		curl_multi_socket_action(h->multi, ready[i].fd, ready[i].what, &running);
	free(ready);
	if (h->timer_at > 0 && now >= h->timer_at) {
		h->timer_at = 0;
		curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	finish_done(h);
}

void http_free(struct http *h)
{
	if (!h)
		return;
	while (h->xfers) {
		struct http_xfer *x = h->xfers;
		xfer_unlink(h, x);
		curl_multi_remove_handle(h->multi, x->easy);
		xfer_free(x);
	}
	curl_multi_cleanup(h->multi);
	free(h->socks);
	free(h);
}

double http_cert_days_left(CURL *easy, double now_wall)
{
	struct curl_certinfo *ci = NULL;

	if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
		return -1;
	for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next)
		if (str_starts(l->data, "Expire date:"))
			return http_cert_days_from_date(l->data + strlen("Expire date:"), now_wall);
	return -1;
}

double http_cert_days_from_date(const char *date, double now_wall)
{
	struct tm tm = { 0 };

	/* OpenSSL prints "Jan  1 00:00:00 2027 GMT" */
	if (!date || !strptime(date, " %b %d %H:%M:%S %Y", &tm))
		return -1;
	return ((double)timegm(&tm) - now_wall) / 86400.0;
}
