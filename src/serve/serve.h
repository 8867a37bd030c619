/* --serve-metrics ADDR:PORT: the live model over HTTP in the OpenMetrics
 * text format, so that a Prometheus can scrape what fleetdeck sees over SSH
 * (an agentless bridge for hosts that run no exporter).
 *
 * A reader like the UI: its own thread, its own snapshot and rules state,
 * one poll() loop; it never writes to the model and never blocks the
 * collector or the UI. Loopback addresses only, unless allow_remote. */
#ifndef FLEETDECK_SERVE_H
#define FLEETDECK_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "fleet/fleet.h"
#include "model/model.h"

struct metrics_server;

/* Parses "ADDR:PORT" ("127.0.0.1:9187", "[::1]:9187", "localhost:9187").
 * Returns 0, or -1 with a sentence in err. */
int serve_parse_addr(const char *spec, bool allow_remote, char *host, size_t hostlen,
		     char *port, size_t portlen, char *err, size_t errlen);

/* Binds and listens now (so a port in use is reported before anything else
 * starts), then serves from a thread of its own. NULL with a sentence in
 * err on failure. */
struct metrics_server *serve_start(const char *spec, bool allow_remote,
				   const struct fleet *f, struct model *m,
				   char *err, size_t errlen);
/* The address actually bound ("127.0.0.1:9187"). */
const char *serve_address(const struct metrics_server *s);
/* Stops the thread, closes every socket, frees s (NULL is fine). */
void serve_stop(struct metrics_server *s);

#endif
