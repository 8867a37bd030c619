/* The collector: one thread running one poll() loop over every source
 * (SSH sessions, local probe shells, ...), publishing into the model.
 *
 * The UI thread talks to it only through these calls; none of them blocks on
 * the network (they take a mutex for a few instructions at most). */
#ifndef FLEETDECK_COLLECTOR_H
#define FLEETDECK_COLLECTOR_H

#include <stdbool.h>
#include "fleet/fleet.h"
#include "model/model.h"

struct collector;

/* Creates the collector for fleet f publishing into m (already sized with
 * model_init(m, f->nhosts)). Does not start a thread. */
struct collector *collector_new(const struct fleet *f, struct model *m);

/* Starts the collector thread (TUI and wall modes). */
int collector_start(struct collector *c);

/* Runs the loop on the calling thread until every target has produced a
 * usable result (two probes, for CPU deltas) or failed, or `limit` seconds
 * passed (--once, --check). */
void collector_run_once(struct collector *c, double limit);

/* Stops the thread (if started) and frees everything. */
void collector_free(struct collector *c);

/* A file descriptor that becomes readable whenever the model changed; the
 * reader calls collector_drain_wake() after waking up. */
int collector_wake_fd(const struct collector *c);
void collector_drain_wake(struct collector *c);

void collector_set_paused(struct collector *c, bool paused);
bool collector_paused(const struct collector *c);
/* Looks at the model's requests now (the rows the UI asks of a large
 * [prometheus] section: model_prom_want()), not at its next wake-up. */
void collector_wake(struct collector *c);
/* Polls every target now, not at its next interval. */
void collector_poll_now(struct collector *c);

#endif
