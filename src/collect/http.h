/* The one HTTP client: a libcurl multi engine for every request of the
 * collector (service checks, container engine sockets, metrics endpoints,
 * vendor APIs), driven by the collector's poll loop (no thread per request,
 * and a slow or hanging endpoint costs only its own timeout), and
 * http_run() with the same setup for action worker threads.
 *
 * It is the only way a credential leaves fleetdeck over HTTP: credential
 * headers go in `secret_headers` with the `origin` they belong to (the
 * configured API base), and a request whose URL is not on that origin
 * (scheme, host and port) is refused. A URL taken from an answer (a
 * pagination `next` link) can therefore never carry a token elsewhere. */
#ifndef FLEETDECK_HTTP_H
#define FLEETDECK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>
#include "loop/pollset.h"

struct http;

struct http_request {
	const char *url;
	const char *unix_socket;     /* Docker/Podman API: path of the socket, or NULL */
	const char *method;          /* NULL: GET (or POST with a body) */
	const char *body;            /* NULL: none */
	const char *const *headers;  /* NULL-terminated "Name: value" list, or NULL */
	double timeout;              /* seconds, whole transfer */
	double connect_timeout;      /* seconds, 0: same as timeout */
	size_t max_body;             /* 0: 8 MiB */
	bool want_certinfo;          /* ask curl for the peer's certificate chain */
	const char *cainfo;          /* CA bundle to trust, NULL: system */
	/* "Authorization: ..." and the like, sent only when url is on origin
	 * (http_same_origin); with secret_headers and a url elsewhere (or no
	 * origin) the request is refused: http_start() returns -1, http_run()
	 * answers CURLE_LOGIN_DENIED with the reason */
	const char *const *secret_headers;
	const char *origin;          /* e.g. the configured "https://api.x/v2" */
	/* Streaming: the body goes to on_data(arg, ...) in pieces as it arrives
	 * and is never buffered (the result's body is then ""). Returning false
	 * stops the transfer (the reader found garbage). max_body still bounds
	 * the total. */
	bool (*on_data)(void *arg, const char *data, size_t n);
};

struct http_result {
	CURLcode code;               /* CURLE_OK: got an HTTP answer (any status) */
	const char *error;           /* what went wrong, when code != CURLE_OK */
	long status;                 /* HTTP status, 0 without an answer */
	const char *body;            /* NUL-terminated ("" when streamed) */
	size_t len;                  /* bytes received (streamed or not) */
	bool too_big;                /* stopped at max_body */
	double total_ms;
	CURL *easy;                  /* valid during the callback only (CURLINFO_*) */
};

typedef void (*http_cb)(void *arg, const struct http_result *r);

struct http *http_new(void);
void http_free(struct http *h);

/* Starts a request; cb runs later from http_dispatch(), never from here.
 * Returns 0, or -1 if curl refused the request (then cb is not called). */
int http_start(struct http *h, const struct http_request *req, http_cb cb, void *arg);
size_t http_active(const struct http *h);

/* The same request, blocking (action worker threads): cb runs before this
 * returns. Returns 0, or -1 if curl could not start (cb is not called). */
int http_run(const struct http_request *req, http_cb cb, void *arg);

/* Whether url is on origin's scheme, host and port (default ports filled
 * in; host case-insensitive). A URL that does not parse is on no origin. */
bool http_same_origin(const char *url, const char *origin);

void http_prepare(struct http *h, struct pollset *ps, double now, double *deadline);
void http_dispatch(struct http *h, const struct pollset *ps, double now);

/* Days until the leaf certificate of a finished transfer expires (needs
 * want_certinfo); -1 when unknown. */
double http_cert_days_left(CURL *easy, double now_wall);
/* Days until an OpenSSL-printed date ("Jan  1 00:00:00 2027 GMT"); -1 when
 * it cannot be read. */
double http_cert_days_from_date(const char *date, double now_wall);

#endif
