/* History sized by time (issue 15): for every metric that has a trend, the
 * last hour at the target's poll interval and the last day at one-minute
 * averages (each coarser when the fleet's tiers would outgrow
 * HIST_FINE_BUDGET or HIST_DAY_BUDGET), in memory bounded per series and
 * for the whole store (doc/performance.md, "History (H)", "Memory at 10,000 hosts").
 *
 * A reader's store, fed from its snapshots: hist_update() takes the samples
 * that model_snapshot() just brought (snapshot.changed), so the collector
 * and the model carry no history and every reader that wants trends keeps
 * its own (the dashboard does; --once and the recorder do not). Points are
 * dated by the sample's own time, never by when the reader looked. */
#ifndef FLEETDECK_HISTORY_H
#define FLEETDECK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

/* The series (enum hist_metric, HM_*) are each domain's own, named in
 * model/model.h and fed by its row of the domain table (.trends); this
 * store keys them by (metric, target index, sub) and names no domain. */

#define HIST_FINE_SPAN 3600.0        /* the fine tier: one hour at the poll interval ... */
/* ... within a budget for the whole store's fine tiers: once its series
 * would need more at their intervals, no fine tier's step is shorter than
 * the first of 1, 2, 5, 10, 15, 30, 60 s (then doubling) that fits, its
 * buckets merged (a 10,000-host fleet's 30,000 series: 30 s buckets, the
 * finest slice any sparkline draws; doc/history.md). */
#define HIST_FINE_BUDGET (8.0 * 1024 * 1024)
#define HIST_COARSE_STEP 60.0        /* the coarse tier: one-minute averages ... */
#define HIST_COARSE_SPAN 86400.0     /* ... over a day */
/* ... within a budget for the whole store's day tiers: once its series
 * would need more at one-minute buckets, every day tier's step becomes the
 * next of 5, 15, 30, 60 minutes (then doubling) that fits, its buckets
 * merged (a 10,000-host fleet's 30,000 series: 5-minute buckets). */
#define HIST_DAY_BUDGET (24.0 * 1024 * 1024)
/* A series that took no point for a day of the store's clock (the newest
 * point's time the store took, so a replay or a test drives it) is
 * dropped and its memory freed: a CI host's build-1234 container or a
 * database found through [prometheus] that went do not stay for the whole
 * run. The budgets above then count only the live series, so the steps
 * they forced go back down for the points that come (what a tier holds
 * keeps its step). A key that comes back starts a fresh series. Dead series
 * are swept at most once per HIST_SWEEP_EVERY of the store's clock (readers
 * no longer see them from their day on). */
#define HIST_DROP_AGE 86400.0
#define HIST_SWEEP_EVERY 60.0
/* The store's clock is also the reader's: it never moves more than
 * HIST_AHEAD past the now the reader last gave hist_set_now() (live: the
 * wall clock; a replay: its moment). A source whose clock runs ahead (a
 * database found through [prometheus] carries the server's evaluation
 * time) keeps its points at their own times, but cannot move the clock a
 * day on and so age, drop and then refuse every other series
 * (doc/history.md). A store never given a now (tests) is driven by the
 * points' times alone. */
#define HIST_AHEAD 300.0

struct hist_store;

struct hist_store *hist_new(void);
void hist_free(struct hist_store *h);
/* Forgets everything (a replay that jumped back in time). */
void hist_clear(struct hist_store *h);
/* The reader's now before it adds points (HIST_AHEAD); 0: none. Kept by
 * hist_clear(). */
void hist_set_now(struct hist_store *h, double now);

/* Takes the trend values of every target the last model_snapshot() took
 * (all of them after snapshot.changed_all, or when all is true). */
void hist_update(struct hist_store *h, const struct snapshot *snap, bool all);

/* Adds one point (what hist_update does per value): metric m of target
 * `index` (a host, database, ... index), sub naming a container or a GPU
 * ("" otherwise), at time t, with the target's poll interval. A point more
 * than HIST_DROP_AGE older than the store's clock is ignored; a newer one
 * moves the store's clock (up to HIST_AHEAD past the reader's now) and may
 * drop series (HIST_DROP_AGE), so the store hands out no pointer to a
 * series. */
void hist_add(struct hist_store *h, enum hist_metric m, size_t index, const char *sub,
	      double t, double interval, double v);

/* The series resampled for a sparkline: w points covering [now - span,
 * now], each the mean of what fell in its slice (NaN where nothing did),
 * newest first as struct history keeps them (history_get(out, 0) is the
 * newest). The fine tier serves spans up to an hour, the coarse one beyond.
 * False when the series has no point in the window. */
bool hist_series(const struct hist_store *h, enum hist_metric m, size_t index, const char *sub,
		 double now, double span, int w, struct history *out);
/* The newest value and its time; false when there is none (or its series
 * is a day old by the store's clock: dropped). */
bool hist_last(const struct hist_store *h, enum hist_metric m, size_t index, const char *sub,
	       double *v, double *t);

/* For benchmarks only ($FLEETDECK_BENCH_HIST_RATE, read by the dashboard
 * at start; never set otherwise): every point is dated as if time since the
 * store's first point ran `rate` times faster, so a real run of minutes
 * fills the store's rings as a day would (doc/performance.md, "Memory at
 * 10,000 hosts"). 1 (the default): points keep their own time. */
void hist_time_rate(struct hist_store *h, double rate);

/* Bytes the store holds (make bench), and its series count. */
size_t hist_bytes(const struct hist_store *h);
size_t hist_nseries(const struct hist_store *h);
/* The fine tiers' shortest step (seconds) and the bytes their buckets hold
 * in the whole store; the day tier's step and its buckets' bytes. */
double hist_fine_min(const struct hist_store *h);
size_t hist_fine_bytes(const struct hist_store *h);
double hist_day_step(const struct hist_store *h);
size_t hist_day_bytes(const struct hist_store *h);

#endif
