/* One libcurl multi engine for every HTTP(S) request of the collector
 * (service checks, container engine sockets, metrics endpoints, vendor APIs),
 * driven by the collector's poll loop: no thread per request, and a slow or
 * hanging endpoint costs only its own timeout. */
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
};

struct http_result {
	CURLcode code;               /* CURLE_OK: got an HTTP answer (any status) */
	const char *error;           /* what went wrong, when code != CURLE_OK */
	long status;                 /* HTTP status, 0 without an answer */
	const char *body;            /* NUL-terminated */
	size_t len;
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

void http_prepare(struct http *h, struct pollset *ps, double now, double *deadline);
void http_dispatch(struct http *h, const struct pollset *ps, double now);

/* Days until the leaf certificate of a finished transfer expires (needs
 * want_certinfo); -1 when unknown. */
double http_cert_days_left(CURL *easy, double now_wall);
/* Days until an OpenSSL-printed date ("Jan  1 00:00:00 2027 GMT"); -1 when
 * it cannot be read. */
double http_cert_days_from_date(const char *date, double now_wall);

#endif
