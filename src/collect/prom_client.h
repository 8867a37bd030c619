/* The one way fleetdeck talks to a Prometheus-compatible query API: a
 * section's connection (base URL, credentials bound to its origin, CA file,
 * timeout) and calls whose answers are read as they arrive (prom_parse.h)
 * and bounded. Used by discovery (blocking, at start), the classic
 * collector (prometheus.c) and the large-fleet collector (prom_fleet.c). */
#ifndef FLEETDECK_PROM_CLIENT_H
#define FLEETDECK_PROM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include "collect/http.h"
#include "collect/prom_parse.h"
#include "fleet/fleet.h"

struct prom_conn {
	const struct fleet_section *sec;
	char *base;                  /* url without trailing slashes */
	char *auth;                  /* "Authorization: ..." or NULL; wiped when freed */
	char *ca;                    /* ca_file or NULL */
	char *label;                 /* host_label */
	double timeout;
	char setup_err[256];         /* the section cannot be queried at all: why */
	/* at most PROM_MAX_INFLIGHT requests at once per section (servers
	 * refuse more: VictoriaMetrics answers 503 past its
	 * -search.maxConcurrentRequests); the others wait here, in order */
	int inflight;
	struct prom_call *queue_head, *queue_tail;
	struct http *http;
};

#define PROM_MAX_INFLIGHT 4

/* Fills c from a [prometheus] section (timeout: the section's, else dflt). */
void prom_conn_init(struct prom_conn *c, const struct fleet_section *sec, double dflt_timeout);
void prom_conn_free(struct prom_conn *c);

struct prom_call;
typedef void (*prom_call_done)(struct prom_call *call);

/* One request. The caller sets the fields above the line, then starts it;
 * done() runs once, from the collector's loop. */
struct prom_call {
	struct prom_conn *conn;
	enum prom_doc doc;
	const char *want[PROM_MAX_LABELS + 1];   /* labels kept, NULL-terminated */
	prom_sample_fn fn;
	void *arg;                   /* for fn and done */
	size_t cap;                  /* most elements accepted; more fails the call */
	prom_call_done done;
	/* ---- */
	struct prom_reader reader;
	bool in_flight, ok, over;
	long status;                 /* HTTP status, 0: no answer */
	bool timed_out;              /* no answer within the timeout */
	double ms;                   /* HTTP round trip */
	size_t bytes;                /* answer size */
	char *body;                  /* a POST form, kept for the transfer */
	char *url;                   /* while queued */
	struct prom_call *queue_next;
	char err[256];               /* why !ok */
};

/* Starts GET base/api/v1/PATH?ARGS (POST with ARGS as the form when long),
 * or queues it behind the section's PROM_MAX_INFLIGHT requests in flight.
 * args is already URL-encoded. Returns 0, or -1 with call->err set (then
 * done is not called). */
int prom_call_start(struct prom_call *call, struct http *h, const char *path, const char *args);
/* The same, blocking (start-up only): done has run when it returns. */
void prom_call_run(struct prom_call *call, const char *path, const char *args);
/* A failed call worth asking again alone, soon: the server was busy (HTTP
 * 429, 503, a proxy's 502/504) or did not answer within the timeout. */
bool prom_call_retryable(const struct prom_call *call);
/* Frees what a finished call still holds (its POST form). */
void prom_call_clear(struct prom_call *call);
/* "query=ENC&limit=N" for an instant query. malloc'd. */
char *prom_query_args(const char *promql, size_t limit);

/* One instant query of a section's round beside the host values (the
 * exporters: prom_exporters.c, prom_postgres.c): the call, its arguments,
 * and whom to tell when it is done. First in the caller's struct, whose
 * address is call.arg; call.done = prom_roundq_done. */
struct prom_roundq {
	struct prom_call call;
	char *args;                  /* query=...&limit=..., NULL: not asked */
	void (*done)(void *);
	void *done_arg;
};
/* Starts q when it is asked (args); returns 1 when it started: done(arg)
 * then runs once when it finishes. */
int prom_roundq_start(struct prom_roundq *q, struct http *h, void (*done)(void *), void *arg);
void prom_roundq_done(struct prom_call *c);

/* The server's scrape interval for a section's targets (its default poll
 * interval: polling faster fetches the same samples again): the job of
 * `up{match}`, then that scrape pool's first active target in
 * /api/v1/targets (only it is read; the rest of the list is not).
 * Servers without that endpoint (VictoriaMetrics without -promscrape,
 * Thanos, Mimir) leave interval at 0: the caller keeps its default. */
struct prom_scrape {
	struct prom_call jobs, targets;
	char job[PROM_LABEL_MAX];
	double interval;             /* seconds, 0: not known */
	bool busy, done;
	void (*finished)(struct prom_scrape *ps, void *arg);
	void *arg;
};

/* Starts the lookup; finished(ps, arg) runs once at the end, found or not. */
void prom_scrape_start(struct prom_scrape *ps, struct prom_conn *conn, struct http *h,
		       const char *match, void (*finished)(struct prom_scrape *, void *), void *arg);
void prom_scrape_free(struct prom_scrape *ps);

/* The found interval becomes *interval (and moves *next_poll by the
 * difference) unless the section sets `interval` itself. False when
 * nothing was found. */
bool prom_scrape_adopt(const struct prom_scrape *sc, const struct fleet_section *sec,
		       double *interval, double *next_poll);

/* The range of rate(): rate_window when set, else 4 scrape intervals
 * (rate() needs two samples in it), at least 60 s. */
double prom_rate_window(const struct fleet_section *sec, double scrape_interval);

#endif
