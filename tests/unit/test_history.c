/* History sized by time (issue 15): an hour at the poll interval, a day
 * at one-minute means (coarser for a fleet beyond the store's day budget,
 * issue 11), memory bounded per series whatever the run's
 * length, gaps shown as gaps, points from snapshots by their own time. */
#include "config.h"
#include "history/history.h"
#include "domain/domain.h"
#include "util/util.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1795392000.0   /* a multiple of 60 and of 2 */

static bool near(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

START_TEST(test_fine_hour)
{
	struct hist_store *h = hist_new();
	struct history out;

	/* two hours of a ramp, one point every 2 s */
	for (int k = 0; k < 3600; k++)
		hist_add(h, HM_HOST_CPU, 3, "", T0 + 2 * k, 2, k % 100 == 0 ? 50 : 10);
	double now = T0 + 2 * 3599;
	/* the last hour in 60 slices of a minute: every slice has 30 points, one
	 * of them 50 when the slice holds a multiple of 100 */
	ck_assert(hist_series(h, HM_HOST_CPU, 3, "", now, 3600, 60, &out));
	ck_assert_int_eq(out.len, 60);
	for (int i = 0; i < 60; i++)
		ck_assert(!isnan(history_get(&out, i)));
	ck_assert(near(history_get(&out, 0), 10, 1.5) || near(history_get(&out, 0), 11.3, 1.5));
	/* no such series */
	ck_assert(!hist_series(h, HM_HOST_CPU, 4, "", now, 3600, 60, &out));
	ck_assert(!hist_series(h, HM_HOST_MEM, 3, "", now, 3600, 60, &out));
	hist_free(h);
}
END_TEST

START_TEST(test_coarse_day)
{
	struct hist_store *h = hist_new();
	struct history out;
	double now = T0 + 3 * 3600;

	/* three hours at 2 s, value = the hour it was in */
	for (double t = T0; t <= now; t += 2)
		hist_add(h, HM_HOST_MEM, 0, "", t, 2, floor((t - T0) / 3600));
	/* a day in 24 slices: the oldest 21 have nothing (before the run), the
	 * newest 3 hold hours 0, 1, 2 (one-minute means, beyond the fine tier) */
	ck_assert(hist_series(h, HM_HOST_MEM, 0, "", now, 86400, 24, &out));
	ck_assert(isnan(history_get(&out, 4)));
	ck_assert(near(history_get(&out, 0), 2, 0.05));
	ck_assert(near(history_get(&out, 1), 1, 0.05));
	ck_assert(near(history_get(&out, 2), 0, 0.05));
	hist_free(h);
}
END_TEST

START_TEST(test_gap_and_bounds)
{
	struct hist_store *h = hist_new();
	struct history out;
	size_t bytes = 0, first, empty = hist_bytes(h);

	hist_add(h, HM_DB_CONNECTIONS, 1, "", T0, 2, 5);
	first = hist_bytes(h);
	/* a day and a half of points: the memory grows while the first day
	 * fills the tiers, then does not move */
	for (int k = 1; k < 65000; k++) {
		hist_add(h, HM_DB_CONNECTIONS, 1, "", T0 + 2 * k, 2, 5);
		if (k == 43200)
			bytes = hist_bytes(h);
	}
	ck_assert_uint_eq(hist_bytes(h), bytes);
	/* a new series holds what it lived through, not a day of empty buckets */
	ck_assert_uint_lt(first - empty, (bytes - empty) / 8);
	ck_assert_uint_eq(hist_nseries(h), 1);
	/* fine tier at 2 s: 1800 buckets of 2 bytes, coarse: 1440 */
	ck_assert_uint_le(bytes, 1800 * 2 + 1440 * 2 + 4096);
	/* ten minutes without a point (the database down), then points again */
	double t = T0 + 2 * 65000 + 600;
	for (int k = 0; k < 300; k++)
		hist_add(h, HM_DB_CONNECTIONS, 1, "", t + 2 * k, 2, 9);
	ck_assert(hist_series(h, HM_DB_CONNECTIONS, 1, "", t + 598, 1800, 30, &out));
	ck_assert(near(history_get(&out, 0), 9, 0.1));      /* newest minute */
	ck_assert(isnan(history_get(&out, 12)));             /* the gap */
	ck_assert(near(history_get(&out, 29), 5, 0.1));     /* before it */
	hist_free(h);
}
END_TEST

/* The rings grow as a series ages: a gap (the target down for 20 minutes)
 * while they are still small keeps the points before and after it. */
START_TEST(test_young_series_gap)
{
	struct hist_store *h = hist_new();
	struct history out;
	double t = T0;

	for (int k = 0; k < 150; k++, t += 2)      /* 5 minutes of 1 */
		hist_add(h, HM_HOST_CPU, 3, "", t, 2, 1);
	t += 1200;
	for (int k = 0; k < 150; k++, t += 2)      /* 20 minutes later, 5 minutes of 7 */
		hist_add(h, HM_HOST_CPU, 3, "", t, 2, 7);
	t -= 2;
	/* the last 30 minutes in 30 slices: 7 in the newest 5, nothing in the
	 * 20 before, 1 in the 5 before those */
	ck_assert(hist_series(h, HM_HOST_CPU, 3, "", t, 1800, 30, &out));
	ck_assert(near(history_get(&out, 0), 7, 0.1));
	ck_assert(near(history_get(&out, 4), 7, 0.1));
	ck_assert(isnan(history_get(&out, 6)));
	ck_assert(isnan(history_get(&out, 23)));
	ck_assert(near(history_get(&out, 26), 1, 0.1));
	ck_assert(near(history_get(&out, 29), 1, 0.1));
	/* and the day tier: the same in one-minute means */
	ck_assert(hist_series(h, HM_HOST_CPU, 3, "", t, 7200, 120, &out));
	ck_assert(near(history_get(&out, 1), 7, 0.1));
	ck_assert(isnan(history_get(&out, 15)));
	ck_assert(near(history_get(&out, 27), 1, 0.1));
	ck_assert(isnan(history_get(&out, 40)));
	hist_free(h);
}
END_TEST

START_TEST(test_same_sample_and_back_in_time)
{
	struct hist_store *h = hist_new();
	double v, t;

	hist_add(h, HM_HOST_PSI, 0, "", T0, 2, 4);
	hist_add(h, HM_HOST_PSI, 0, "", T0, 2, 4);     /* republished, same time: once */
	hist_add(h, HM_HOST_PSI, 0, "", T0 + 1, 2, 8); /* same 2 s bucket: averaged */
	ck_assert(hist_last(h, HM_HOST_PSI, 0, "", &v, &t));
	ck_assert(v == 8 && t == T0 + 1);
	struct history out;
	ck_assert(hist_series(h, HM_HOST_PSI, 0, "", T0 + 1, 2, 1, &out));
	ck_assert(near(history_get(&out, 0), 6, 0.05));
	/* a replay that jumps back: the series starts over there */
	hist_add(h, HM_HOST_PSI, 0, "", T0 - 1000, 2, 1);
	ck_assert(hist_series(h, HM_HOST_PSI, 0, "", T0 + 1, 1200, 10, &out));
	ck_assert(near(history_get(&out, 8), 1, 0.05));   /* T0 - 1000: the second oldest slice */
	ck_assert(isnan(history_get(&out, 0)));
	/* large values keep two significant digits and more */
	hist_add(h, HM_CONTAINER_MEM, 0, "web", T0, 5, 123456789.0);
	ck_assert(hist_series(h, HM_CONTAINER_MEM, 0, "web", T0, 10, 1, &out));
	ck_assert(near(history_get(&out, 0), 123456789.0, 123456789.0 * 0.01));
	hist_free(h);
}
END_TEST

START_TEST(test_from_snapshots)
{
	struct hist_store *h = hist_new();
	struct snapshot snap = { 0 };
	struct host_sample hs;
	struct host_containers *hc = xcalloc(1, sizeof(*hc));
	struct host_gpus *hg = xcalloc(1, sizeof(*hg));
	struct backup_sample b;
	struct db_sample d;
	struct runners_sample r;
	double v, t;

	memset(&hs, 0, sizeof(hs));
	hs.conn = HC_OK;
	hs.sampled_at = T0;
	hs.interval = 2;
	hs.valid = HV_CPU | HV_MEM | HV_PSI;
	hs.cpu_pct = 42;
	hs.psi_some10 = 3.5;
	hs.mem_total = 1000;
	hs.mem_available = 250;
	snapshot_put(&snap, DOM_HOST, 0, &hs, sizeof(hs));
	hc->collected = true;
	hc->sampled_at = T0;
	hc->interval = 5;
	hc->n = 1;
	str_copy(hc->c[0].name, "toneforge-server", sizeof(hc->c[0].name));
	hc->c[0].valid = CV_MEM;
	hc->c[0].mem_used = 1 << 20;
	snapshot_put(&snap, DOM_CONTAINER, 0, hc, sizeof(*hc));
	hg->collected = true;
	hg->sampled_at = T0;
	hg->n = 1;
	hg->g[0].index = 1;
	hg->g[0].valid = GV_UTIL | GV_MEM_USED | GV_MEM_TOTAL;
	hg->g[0].util_pct = 77;
	hg->g[0].mem_used = 20;
	hg->g[0].mem_total = 80;
	snapshot_put(&snap, DOM_GPU, 0, hg, sizeof(*hg));
	memset(&b, 0, sizeof(b));
	b.collected = b.known = true;
	b.sampled_at = T0;
	b.last_at = T0 - 600;
	snapshot_put(&snap, DOM_BACKUP, 0, &b, sizeof(b));
	memset(&d, 0, sizeof(d));
	d.up = true;
	d.sampled_at = T0;
	d.interval = 5;
	d.valid = DBV_CONNECTIONS | DBV_LAG_S;
	d.connections = 17;
	d.replication_lag_s = 2.5;
	snapshot_put(&snap, DOM_DATABASE, 0, &d, sizeof(d));
	memset(&r, 0, sizeof(r));
	r.collected = true;
	r.sampled_at = T0;
	r.interval = 10;
	r.queued = 4;
	snapshot_put(&snap, DOM_RUNNERS, 0, &r, sizeof(r));

	hist_update(h, &snap, true);
	ck_assert(hist_last(h, HM_HOST_CPU, 0, "", &v, &t) && v == 42 && t == T0);
	ck_assert(hist_last(h, HM_HOST_MEM, 0, "", &v, &t) && v == 75);
	ck_assert(hist_last(h, HM_CONTAINER_MEM, 0, "toneforge-server", &v, &t) && v == 1 << 20);
	ck_assert(hist_last(h, HM_GPU_UTIL, 0, "1", &v, &t) && v == 77);
	ck_assert(hist_last(h, HM_BACKUP_AGE, 0, "", &v, &t) && v == 600);
	/* every metric with a trend has its series (doc/history.md's table) */
	ck_assert(hist_last(h, HM_HOST_PSI, 0, "", &v, &t) && v == 3.5);
	ck_assert(hist_last(h, HM_GPU_MEM, 0, "1", &v, &t) && v == 25);
	ck_assert(hist_last(h, HM_DB_CONNECTIONS, 0, "", &v, &t) && v == 17);
	ck_assert(hist_last(h, HM_DB_LAG, 0, "", &v, &t) && v == 2.5);
	ck_assert(hist_last(h, HM_RUNNERS_QUEUED, 0, "", &v, &t) && v == 4 && t == T0);
	/* a sample not taken (unknown CPU) adds nothing */
	ck_assert(!hist_last(h, HM_HOST_CPU, 1, "", &v, &t));
	snapshot_free(&snap);
	free(hc);
	free(hg);
	hist_free(h);
}
END_TEST

/* A database found through [prometheus] lives in a model row that the
 * next target found after it goes takes over: that target starts with no
 * trend of its own, never the gone one's, which a [database] (name "")
 * keeps as before. */
START_TEST(test_found_database_row_reused)
{
	struct snapshot snap = { 0 };
	struct db_sample d;
	double v, t;
	struct hist_store *h = hist_new();

	memset(&d, 0, sizeof(d));
	d.up = true;
	d.interval = 2;
	d.valid = DBV_CONNECTIONS;
	str_copy(d.name, "pg-old:9187", sizeof(d.name));
	for (int k = 0; k < 10; k++) {
		d.sampled_at = T0 + 2 * k;
		d.connections = 40;
		snapshot_put(&snap, DOM_DATABASE, 1, &d, sizeof(d));
		hist_update(h, &snap, true);
	}
	/* the old target goes, a new one takes its row */
	str_copy(d.name, "pg-new:9187", sizeof(d.name));
	d.sampled_at = T0 + 20;
	d.connections = 3;
	snapshot_put(&snap, DOM_DATABASE, 1, &d, sizeof(d));
	hist_update(h, &snap, true);
	struct history out;
	ck_assert(hist_series(h, HM_DB_CONNECTIONS, 1, "pg-new:9187", T0 + 20, 3600, 30, &out));
	for (int k = 0; k < out.len; k++) {
		double x = history_get(&out, k);
		ck_assert_msg(isnan(x) || x == 3, "the new target shows the old one's %g", x);
	}
	ck_assert(hist_last(h, HM_DB_CONNECTIONS, 1, "pg-new:9187", &v, &t) && v == 3);
	ck_assert(hist_last(h, HM_DB_CONNECTIONS, 1, "pg-old:9187", &v, &t) && v == 40);
	snapshot_free(&snap);
	hist_free(h);
}
END_TEST

/* Each series is its domain's own: the row's .trends feeds it and the
 * store names no domain, so a row without its part would lose its
 * trends. A target not yet sampled (read as zeros) adds nothing. */
START_TEST(test_every_trend_has_its_row)
{
	static const enum hist_metric all[] = {
		HM_HOST_CPU, HM_HOST_MEM, HM_HOST_PSI, HM_CONTAINER_MEM, HM_DB_CONNECTIONS,
		HM_DB_LAG, HM_BACKUP_AGE, HM_GPU_UTIL, HM_GPU_MEM, HM_RUNNERS_QUEUED,
	};
	void *zero = xcalloc(1, MODEL_SAMPLE_MAX);
	struct hist_store *h = hist_new();

	for (size_t k = 0; k < ARRAY_LEN(all); k++) {
		const struct domain *d = &domains[HIST_DOMAIN(all[k])];
		ck_assert_int_lt(all[k], HIST_METRICS);
		ck_assert_msg(d->trends != NULL, "%s has trend series but no .trends in its row",
			      d->name);
	}
	DOMAINS_FOREACH(d) {
		if (!d->trends)
			continue;
		d->trends(h, 0, zero);
		ck_assert_msg(hist_nseries(h) == 0, "%s: an unsampled target has a trend", d->name);
	}
	hist_free(h);
	free(zero);
}
END_TEST

/* The day tiers within the store's budget (issue 11: 10,000 hosts within
 * 128 MiB): a 10,000-host fleet's 30,000 series after a day of points hold
 * at most HIST_DAY_BUDGET of day buckets (one-minute buckets would be
 * 86 MB); the whole store at most that plus a full fine tier per series. */
START_TEST(test_day_budget_large_fleet)
{
	struct hist_store *h = hist_new();
	const size_t hosts = 10000;
	static const enum hist_metric m[] = { HM_HOST_CPU, HM_HOST_MEM, HM_HOST_PSI };

	/* a day (and a bit) of points every 20 minutes at a 15 s interval:
	 * enough for every ring to reach its full size */
	for (double t = T0; t <= T0 + 86400 + 1200; t += 1200)
		for (size_t i = 0; i < hosts; i++)
			for (size_t k = 0; k < ARRAY_LEN(m); k++)
				hist_add(h, m[k], i, "", t, 15, 40 + (double)k);
	ck_assert_uint_eq(hist_nseries(h), 3 * hosts);
	ck_assert(hist_day_step(h) > HIST_COARSE_STEP);
	ck_assert_double_eq(hist_day_step(h), 300);
	ck_assert_uint_le(hist_day_bytes(h), HIST_DAY_BUDGET);
	ck_assert_uint_le(hist_day_bytes(h) / hist_nseries(h), HIST_DAY_BUDGET / (3 * hosts));
	/* fine tier 240 buckets at 15 s, and the series' own struct */
	ck_assert_uint_le(hist_bytes(h), HIST_DAY_BUDGET + 3 * hosts * (240 * 2 + 160) + (1u << 20));
	hist_free(h);
}
END_TEST

/* Expected sparkline value, from the points themselves: slice j of w over
 * [now - span, now] is the mean of the step-long buckets it touches, each
 * the mean of the points (one a minute from `from` to `to`) in it. */
static double slice_mean(double (*f)(double), double from, double to, double now, double span,
			 int w, int j, double step)
{
	double a = now + 1e-6 - span + span * j / w, b = now + 1e-6 - span + span * (j + 1) / w;
	double sum = 0;
	int n = 0;

	for (double bk = floor(a / step); bk <= ceil(b / step) - 1; bk++) {
		double bs = 0;
		int bn = 0;
		for (double t = from; t <= to; t += 60)
			if (floor(t / step) == bk) {
				bs += f(t);
				bn++;
			}
		if (bn) {
			sum += bs / bn;
			n++;
		}
	}
	return n ? sum / n : NAN;
}

static double wave(double t)
{
	return 20 + fmod((t - T0) / 60, 37) + 10 * sin((t - T0) / 5000);
}

/* Series 0's day sparkline at `end` (its newest point) is the mean of the
 * wave's points in each slice, at 5-minute buckets. */
static void check_day(const struct hist_store *h, double end, int w)
{
	struct history out;

	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", end, 86400, w, &out));
	for (int j = 0; j < w; j++) {
		double want = slice_mean(wave, T0, end, end, 86400, w, j, 300);
		double got = history_get(&out, w - 1 - j);
		ck_assert_msg(isnan(want) ? isnan(got) : near(got, want, 0.02 * want),
			      "slice %d at %.0f: %g, expected %g", j, end - T0, got, want);
	}
}

/* A fleet that grows past the budget once its series hold a day: the day
 * tier's buckets are merged, and a day sparkline still shows the mean of
 * what fell in each slice; a small fleet keeps one-minute buckets. */
START_TEST(test_day_step_grows_with_fleet)
{
	struct hist_store *h = hist_new();
	struct history out;
	double end = T0 + 86400 - 60;
	const int w = 48;

	/* ~1,000 hosts' 3,000 series: one-minute buckets */
	for (size_t i = 0; i < 3000; i++)
		hist_add(h, HM_HOST_CPU, i + 1, "", T0, 60, 1);
	for (double t = T0; t <= end; t += 60)
		hist_add(h, HM_HOST_CPU, 0, "", t, 60, wave(t));
	ck_assert_double_eq(hist_day_step(h), HIST_COARSE_STEP);
	/* two hours in one-minute slices: every minute its own value */
	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", end, 7200, 120, &out));
	for (int j = 0; j < 120; j++) {
		double want = slice_mean(wave, T0, end, end, 7200, 120, j, 60);
		ck_assert_msg(near(history_get(&out, 119 - j), want, 0.01 * want),
			      "minute %d: %g, expected %g", j, history_get(&out, 119 - j), want);
	}
	/* the fleet grows to 10,000 hosts: 5-minute buckets, merged */
	for (size_t i = 3000; i < 30000; i++)
		hist_add(h, HM_HOST_CPU, i + 1, "", end, 60, 1);
	ck_assert_double_eq(hist_day_step(h), 300);
	check_day(h, end, w);
	/* and points go on into the merged newest bucket */
	for (double t = end + 60; t <= end + 3600; t += 60)
		hist_add(h, HM_HOST_CPU, 0, "", t, 60, wave(t));
	end += 3600;
	check_day(h, end, w);
	hist_free(h);
}
END_TEST

/* The fine tiers within the store's budget (issue 11): 10,000 hosts' 30,000
 * series, polled over SSH every 2 s (an hour at 2 s: 108 MB) or read from
 * [prometheus] every 15 s (14.4 MB), hold at most HIST_FINE_BUDGET of
 * hour buckets once they hold an hour: 30 s buckets, the finest slice a
 * sparkline draws. */
START_TEST(test_fine_budget_large_fleet)
{
	static const double intervals[] = { 2, 15 };
	static const enum hist_metric m[] = { HM_HOST_CPU, HM_HOST_MEM, HM_HOST_PSI };
	const size_t hosts = 10000;

	for (size_t iv = 0; iv < ARRAY_LEN(intervals); iv++) {
		struct hist_store *h = hist_new();

		/* an hour (and a bit) of points every 10 minutes: enough for
		 * every fine ring to reach its full size */
		for (double t = T0; t <= T0 + 3600 + 600; t += 600)
			for (size_t i = 0; i < hosts; i++)
				for (size_t k = 0; k < ARRAY_LEN(m); k++)
					hist_add(h, m[k], i, "", t, intervals[iv], 40 + (double)k);
		ck_assert_uint_eq(hist_nseries(h), 3 * hosts);
		/* all but the day tiers: the fine tiers within their budget, plus
		 * each series' own struct and the hash table */
		ck_assert_msg(hist_bytes(h) - hist_day_bytes(h) <=
			      HIST_FINE_BUDGET + 3 * hosts * 160 + (1u << 20),
			      "%g s: %zu bytes", intervals[iv], hist_bytes(h) - hist_day_bytes(h));
		ck_assert_double_eq(hist_fine_min(h), 30);
		ck_assert_uint_le(hist_fine_bytes(h), HIST_FINE_BUDGET);
		ck_assert_uint_eq(hist_fine_bytes(h), 3 * hosts * 120 * 2);
		hist_free(h);
	}
}
END_TEST

static double smooth(double t)
{
	return 50 + 30 * sin((t - T0) / 600);
}

/* Series 0's hour sparkline (the host detail's: 120 slices of 30 s) at
 * `now` against the same series in a store of its own (2 s buckets). */
static void check_hour(const struct hist_store *h, const struct hist_store *ref, double now)
{
	struct history got, want;

	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", now, 3600, 120, &got));
	ck_assert(hist_series(ref, HM_HOST_CPU, 0, "", now, 3600, 120, &want));
	/* (the oldest slice also touches the bucket an hour back, which
	 * neither ring keeps whole) */
	for (int j = 0; j < 119; j++)
		ck_assert_msg(near(history_get(&got, j), history_get(&want, j), 1.5),
			      "slice %d at %.0f: %g, expected %g", j, now - T0,
			      history_get(&got, j), history_get(&want, j));
}

/* A fleet polled every 2 s that grows past the fine budget once its series
 * hold an hour: the fine tiers move through 5, 10, 15 to 30 s, merged in
 * place (2 -> 5 and 10 -> 15 place each old bucket by its start), and the
 * hour sparkline still shows what the points said; a small fleet keeps
 * 2 s buckets. */
START_TEST(test_fine_step_grows_with_fleet)
{
	struct hist_store *h = hist_new(), *ref = hist_new();
	double now = T0 + 3600;

	for (size_t i = 0; i < 2000; i++)
		hist_add(h, HM_HOST_CPU, i + 1, "", T0, 2, 1);
	for (double t = T0; t <= now; t += 2) {
		hist_add(h, HM_HOST_CPU, 0, "", t, 2, smooth(t));
		hist_add(ref, HM_HOST_CPU, 0, "", t, 2, smooth(t));
	}
	ck_assert(hist_fine_min(h) <= 2);     /* 2 s buckets kept */
	check_hour(h, ref, now);
	/* the fleet grows to 10,000 hosts */
	for (size_t i = 2000; i < 30000; i++)
		hist_add(h, HM_HOST_CPU, i + 1, "", now, 2, 1);
	ck_assert_double_eq(hist_fine_min(h), 30);
	check_hour(h, ref, now);
	/* points go on into the merged newest bucket, and a new series starts
	 * at 30 s */
	for (double t = now + 2; t <= now + 1200; t += 2) {
		hist_add(h, HM_HOST_CPU, 0, "", t, 2, smooth(t));
		hist_add(ref, HM_HOST_CPU, 0, "", t, 2, smooth(t));
	}
	now += 1200;
	check_hour(h, ref, now);
	hist_free(h);
	hist_free(ref);
}
END_TEST

/* The benchmarks' time rate (hist_time_rate): points a quarter of a
 * minute apart, dated 60 times faster, fill the store as a day of points
 * at their own time does; without it the store holds only the minutes. */
START_TEST(test_time_rate)
{
	struct hist_store *day = hist_new(), *fast = hist_new(), *plain = hist_new();

	for (double t = T0; t <= T0 + 86400 + 1800; t += 900)
		hist_add(day, HM_HOST_CPU, 0, "", t, 15, 1);
	hist_time_rate(fast, 60);
	for (double t = T0; t <= T0 + (86400 + 1800) / 60; t += 15) {
		hist_add(fast, HM_HOST_CPU, 0, "", t, 15, 1);
		hist_add(plain, HM_HOST_CPU, 0, "", t, 15, 1);
	}
	ck_assert_uint_eq(hist_bytes(fast), hist_bytes(day));
	ck_assert_uint_lt(hist_bytes(plain), hist_bytes(day) / 2);
	hist_free(day);
	hist_free(fast);
	hist_free(plain);
}
END_TEST

/* A series without a point for a day (by the store's clock: the newest
 * point it took) is dropped: a CI host's build-1234 container that is gone
 * does not stay in the store for the whole run; one that kept getting
 * points stays. */
START_TEST(test_dead_series_dropped)
{
	struct hist_store *h = hist_new();
	struct history out;
	double v, t, last = T0 + 600;

	for (double tt = T0; tt <= last; tt += 60) {
		hist_add(h, HM_HOST_CPU, 0, "", tt, 60, 10);
		hist_add(h, HM_CONTAINER_MEM, 0, "build-1234", tt, 60, 5);
	}
	ck_assert_uint_eq(hist_nseries(h), 2);
	/* the host goes on, the container is gone: still there a minute short
	 * of a day after its last point */
	for (double tt = last + 60; tt <= last + 86400 - 60; tt += 60)
		hist_add(h, HM_HOST_CPU, 0, "", tt, 60, 10);
	ck_assert_uint_eq(hist_nseries(h), 2);
	ck_assert(hist_last(h, HM_CONTAINER_MEM, 0, "build-1234", &v, &t) && t == last);
	/* and gone a day and two minutes after it */
	for (double tt = last + 86400; tt <= last + 86400 + 120; tt += 60)
		hist_add(h, HM_HOST_CPU, 0, "", tt, 60, 10);
	ck_assert_uint_eq(hist_nseries(h), 1);
	ck_assert(!hist_last(h, HM_CONTAINER_MEM, 0, "build-1234", &v, &t));
	ck_assert(!hist_series(h, HM_CONTAINER_MEM, 0, "build-1234", last + 86400 + 120, 86400,
			       24, &out));
	ck_assert(hist_last(h, HM_HOST_CPU, 0, "", &v, &t) && t == last + 86400 + 120);
	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", last + 86400 + 120, 86400, 24, &out));
	for (int k = 0; k < out.len; k++)
		ck_assert(near(history_get(&out, k), 10, 0.1));
	hist_free(h);
}
END_TEST

/* Distinct values among the newest `w` slices of a `span` window. */
static int distinct(const struct history *out, int w)
{
	int n = 0;

	for (int k = 0; k < w; k++) {
		double x = history_get(out, k);
		bool seen = isnan(x);
		for (int j = 0; j < k && !seen; j++)
			seen = history_get(out, j) == x;
		n += !seen;
	}
	return n;
}

/* Series 0 over the last half hour: a minute ramp (v: the minute, 0..29)
 * then a minute of a 2 s ramp (v: the second, 0..58), ending at *t; how many
 * distinct values its day tier shows in the ramp's newest 20 minutes
 * (60 s slices) and its fine tier in the last minute (2 s slices). */
static void ramps(struct hist_store *h, double *t, int *day, int *fine)
{
	struct history out;
	double r0 = *t;

	for (; *t < r0 + 1800; *t += 2)
		hist_add(h, HM_HOST_CPU, 0, "", *t, 2, floor((*t - r0) / 60));
	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", *t - 2, 7200, 120, &out));
	*day = distinct(&out, 20);
	r0 = *t;
	for (; *t < r0 + 60; *t += 2)
		hist_add(h, HM_HOST_CPU, 0, "", *t, 2, *t - r0);
	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", *t - 2, 60, 30, &out));
	*fine = distinct(&out, 30);
	/* (slice k but the oldest touches the buckets of 2k - 2 and 2k) */
	for (int k = 0; k < 29 && *fine == 30; k++)
		ck_assert(near(history_get(&out, k), 57 - 2 * k, 0.5));
}

/* Dead series no longer weigh on the budget: 10,000 containers of a CI
 * host that came and went merged every tier (10 s hour buckets, 5-minute
 * day buckets); a day after they went the store's steps are the finer
 * ones again, the live host's new points go into 2 s and one-minute
 * buckets, and what it held before stays (at the step it had). */
START_TEST(test_dead_series_free_budget)
{
	struct hist_store *h = hist_new();
	struct history out;
	double t = T0;
	int day, fine;
	char name[32];

	for (size_t i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "build-%zu", i);
		hist_add(h, HM_CONTAINER_MEM, 1, name, T0, 2, 1);
	}
	for (; t <= T0 + 3600; t += 2)
		hist_add(h, HM_HOST_CPU, 0, "", t, 2, smooth(t));
	ck_assert_double_eq(hist_fine_min(h), 10);
	ck_assert_double_eq(hist_day_step(h), 300);
	ramps(h, &t, &day, &fine);
	ck_assert_int_le(day, 10);     /* 5-minute buckets */
	ck_assert_int_le(fine, 14);    /* 10 s buckets (a slice may touch two) */
	/* a day after the builds went: the steps of a one-series store */
	for (; t <= T0 + 86400 + 120; t += 2)
		hist_add(h, HM_HOST_CPU, 0, "", t, 2, smooth(t));
	ck_assert_uint_eq(hist_nseries(h), 1);
	ck_assert_double_eq(hist_fine_min(h), 1);
	ck_assert_double_eq(hist_day_step(h), HIST_COARSE_STEP);
	ck_assert_uint_le(hist_fine_bytes(h), 1800 * 2);
	ck_assert_uint_le(hist_day_bytes(h), 1440 * 2);
	/* the day before is still there */
	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", t - 2, 86400, 24, &out));
	for (int k = 0; k < out.len; k++)
		ck_assert(!isnan(history_get(&out, k)));
	ramps(h, &t, &day, &fine);
	ck_assert_int_eq(day, 20);     /* one-minute buckets */
	ck_assert_int_eq(fine, 30);    /* 2 s buckets */
	hist_free(h);
}
END_TEST

/* A key that comes back after its series was dropped starts a fresh
 * series: its new interval, none of the old points. */
START_TEST(test_dropped_key_returns_fresh)
{
	struct hist_store *h = hist_new();
	struct history out;
	double v, t, back = T0 + 86400 + 600;

	hist_add(h, HM_DB_CONNECTIONS, 2, "pg-a:9187", T0, 60, 40);
	for (double tt = T0; tt <= back; tt += 60)
		hist_add(h, HM_HOST_CPU, 0, "", tt, 60, 10);
	ck_assert_uint_eq(hist_nseries(h), 1);
	/* back, polled every 2 s now */
	for (int k = 0; k < 30; k++)
		hist_add(h, HM_DB_CONNECTIONS, 2, "pg-a:9187", back + 2 * k, 2, k);
	ck_assert_uint_eq(hist_nseries(h), 2);
	ck_assert(hist_last(h, HM_DB_CONNECTIONS, 2, "pg-a:9187", &v, &t) && v == 29);
	ck_assert(hist_series(h, HM_DB_CONNECTIONS, 2, "pg-a:9187", back + 58, 60, 30, &out));
	ck_assert_int_eq(distinct(&out, 30), 30);
	ck_assert(hist_series(h, HM_DB_CONNECTIONS, 2, "pg-a:9187", back + 58, 2 * 86400, 48, &out));
	for (int k = 1; k < out.len; k++)
		ck_assert(isnan(history_get(&out, k)));
	hist_free(h);
}
END_TEST

/* A source whose clock runs two days ahead (a database found through
 * [prometheus] dated by the server's evaluation time) while the reader
 * says its now, as the dashboard does: the point is kept at its time but
 * moves the store's clock no more than HIST_AHEAD past that now, so the
 * next sweeps drop none of the other series and their later points are
 * still taken. */
START_TEST(test_future_point_keeps_clock)
{
	struct hist_store *h = hist_new();
	struct history out;
	double v, t, ahead = T0 + 100 + 2 * 86400;

	for (double tt = T0; tt <= T0 + 300; tt += 2) {
		hist_set_now(h, tt + 0.5);
		hist_add(h, HM_HOST_CPU, 0, "", tt, 2, 10);
		hist_add(h, HM_CONTAINER_MEM, 0, "web", tt, 2, 5);
		if (tt == T0 + 100)
			hist_add(h, HM_DB_CONNECTIONS, 1, "pg-a:9187", ahead, 30, 40);
	}
	ck_assert_uint_eq(hist_nseries(h), 3);
	ck_assert(hist_last(h, HM_HOST_CPU, 0, "", &v, &t) && t == T0 + 300 && v == 10);
	ck_assert(hist_last(h, HM_CONTAINER_MEM, 0, "web", &v, &t) && t == T0 + 300);
	ck_assert(hist_last(h, HM_DB_CONNECTIONS, 1, "pg-a:9187", &v, &t) && t == ahead);
	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", T0 + 300, 300, 30, &out));
	for (int k = 0; k < out.len; k++)
		ck_assert(near(history_get(&out, k), 10, 0.1));
	ck_assert(hist_series(h, HM_CONTAINER_MEM, 0, "web", T0 + 300, 3600, 12, &out));
	ck_assert(near(history_get(&out, 0), 5, 0.1));
	/* without a now (a test driving the store), the points' times alone
	 * move the clock: the same point two days ahead ages the others out */
	hist_set_now(h, 0);
	hist_add(h, HM_DB_CONNECTIONS, 1, "pg-a:9187", ahead + 30, 30, 40);
	hist_add(h, HM_HOST_CPU, 0, "", T0 + 302, 2, 10);
	ck_assert(!hist_last(h, HM_HOST_CPU, 0, "", &v, &t));
	hist_free(h);
}
END_TEST

/* A live count at a budget's boundary: 1,165 long-lived series fit 1 s
 * fine buckets, one more (a CI host's container, a new one each day) needs
 * 2 s. When the day's container is dropped the steps stay put (the live
 * series would fit the shorter step without a fifth to spare), so the
 * store does not shrink every tier at one sweep and grow them all again
 * at the next container. */
START_TEST(test_refit_hysteresis)
{
	struct hist_store *h = hist_new();
	char name[32];
	double t = T0;

	for (int day = 0; day < 4; day++) {
		for (size_t i = 0; i < 1165; i++)
			hist_add(h, HM_HOST_CPU, i, "", t, 1, 1);
		/* (the first point of the day swept the day-old container) */
		ck_assert_uint_eq(hist_nseries(h), 1165);
		ck_assert_double_eq(hist_fine_min(h), (day ? 2.0 : 1.0));
		snprintf(name, sizeof(name), "build-%d", day);
		hist_add(h, HM_CONTAINER_MEM, 0, name, t, 1, 1);
		ck_assert_uint_eq(hist_nseries(h), 1166);
		ck_assert_double_eq(hist_fine_min(h), 2);
		for (size_t i = 0; i < 1165; i++)
			hist_add(h, HM_HOST_CPU, i, "", t + 43200, 1, 1);
		ck_assert_uint_eq(hist_nseries(h), 1166);
		t += 86400 + 60;
	}
	hist_free(h);
}
END_TEST

/* A tier that goes back down to a step that does not divide its old one
 * (5 s to 2 s): the new newest bucket starts in the old bucket before the
 * newest (at 2 s, 86,394 lies in 86,390..86,395) but holds the running mean
 * of the newest (the point at 86,395), not the bucket before's. */
START_TEST(test_refine_head_keeps_acc)
{
	struct hist_store *h = hist_new();
	struct history out;
	char name[32];
	bool seen = false;

	for (size_t i = 0; i < 2400; i++) {
		snprintf(name, sizeof(name), "build-%zu", i);
		hist_add(h, HM_CONTAINER_MEM, 1, name, T0, 2, 1);
	}
	ck_assert_double_eq(hist_fine_min(h), 5);
	for (double t = T0 + 1; t < T0 + 86395; t += 2)
		hist_add(h, HM_HOST_CPU, 0, "", t, 2, 10);
	hist_add(h, HM_HOST_CPU, 0, "", T0 + 86395, 2, 100);
	/* the sweep that drops the builds: 2 s buckets from here */
	hist_add(h, HM_HOST_CPU, 0, "", T0 + 86401, 2, 10);
	ck_assert_uint_eq(hist_nseries(h), 1);
	ck_assert_double_eq(hist_fine_min(h), 1);
	ck_assert(hist_series(h, HM_HOST_CPU, 0, "", T0 + 86401, 20, 10, &out));
	for (int k = 0; k < out.len; k++)
		seen |= history_get(&out, k) > 50;
	ck_assert(seen);
	hist_free(h);
}
END_TEST

static Suite *history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *c = tcase_create("store");

	/* a watchdog, not a measure: the fleet-sized tests add 30,000 series,
	 * slow in a sanitizer build on a loaded machine */
	tcase_set_timeout(c, 60);

	tcase_add_test(c, test_fine_hour);
	tcase_add_test(c, test_coarse_day);
	tcase_add_test(c, test_gap_and_bounds);
	tcase_add_test(c, test_young_series_gap);
	tcase_add_test(c, test_same_sample_and_back_in_time);
	tcase_add_test(c, test_from_snapshots);
	tcase_add_test(c, test_every_trend_has_its_row);
	tcase_add_test(c, test_found_database_row_reused);
	tcase_add_test(c, test_day_budget_large_fleet);
	tcase_add_test(c, test_day_step_grows_with_fleet);
	tcase_add_test(c, test_fine_budget_large_fleet);
	tcase_add_test(c, test_fine_step_grows_with_fleet);
	tcase_add_test(c, test_time_rate);
	tcase_add_test(c, test_dead_series_dropped);
	tcase_add_test(c, test_dead_series_free_budget);
	tcase_add_test(c, test_dropped_key_returns_fresh);
	tcase_add_test(c, test_future_point_keeps_clock);
	tcase_add_test(c, test_refit_hysteresis);
	tcase_add_test(c, test_refine_head_keeps_acc);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(history_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
