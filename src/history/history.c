#include "config.h"
#include "history/history.h"
#include "domain/domain.h"
#include "util/util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A tier: a ring of buckets of `step` seconds covering n buckets (its
 * span); bucket b (floor(t / step)) lives at v[b % cap]. The ring holds
 * only what the series has lived through: cap starts at TIER_MIN buckets
 * and doubles, up to n, as the points reach further back than it holds,
 * so a series an hour old keeps an hour of its day tier, not a day (a
 * 10,000-host dashboard's minute-old trends: ~30 KB instead of ~100 MB). Values are kept as the top 16 bits of a float (8 bits
 * of exponent, 7 of mantissa: any magnitude, within 1 %), half the bytes of
 * a float and more than a sparkline's eight levels need. NaN: no point in
 * that bucket. */
struct tier {
	uint16_t *v;
	uint32_t n;                  /* buckets the span holds at most */
	uint32_t cap;                /* buckets allocated (<= n) */
	int64_t first;               /* oldest bucket since the tier (re)started */
	uint32_t count;              /* points averaged into the newest bucket ... */
	float acc;                   /* ... and their mean, at full precision */
	double step;
	int64_t head;                /* newest bucket, INT64_MIN: empty */
};

static uint16_t f2h(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	if (isnan(f))
		return 0x7fc0;
	u += 0x7fff + ((u >> 16) & 1);     /* round to nearest even */
	return (uint16_t)(u >> 16);
}

static float h2f(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

_Static_assert(HIST_METRICS <= 256, "a series' metric is one byte");

struct series {
	uint8_t metric;
	uint32_t index;
	double last_t;               /* time of the newest point */
	float last_v;
	float fine_want;             /* the fine step its interval asks (fine_want()) */
	struct tier fine, coarse;
	struct series *next;         /* hash chain */
	char sub[];                  /* a part of the target (a name, an index), "" */
};

#define TIER_MIN 8u

#define HASH_MIN 256

struct hist_store {
	struct series **tab;
	size_t cap, n;
	size_t bytes;                /* all but the tiers' buckets ... */
	size_t fine_bytes, day_bytes; /* ... which are these */
	double fine_min;             /* the fine tiers' shortest step (fine_min_for()) */
	double day_step;             /* every day tier's step (day_step_for()) */
	double rate, rate_t0;        /* hist_time_rate(), benchmarks only */
	double clock;                /* the newest point's time: the store's clock ... */
	double now;                  /* ... at most this + HIST_AHEAD (hist_set_now()), 0: none */
	double swept;                /* the clock at the last sweep() */
};

static uint64_t key_hash(int m, size_t index, const char *sub)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)m;

	h = (h ^ (uint64_t)index) * 1099511628211ull;
	for (; *sub; sub++)
		h = (h ^ (unsigned char)*sub) * 1099511628211ull;
	return h;
}

struct hist_store *hist_new(void)
{
	struct hist_store *h = xcalloc(1, sizeof(*h));

	h->cap = HASH_MIN;
	h->tab = xcalloc(h->cap, sizeof(*h->tab));
	h->fine_min = 1;
	h->day_step = HIST_COARSE_STEP;
	h->rate = 1;
	return h;
}

void hist_set_now(struct hist_store *h, double now)
{
	h->now = now > 0 && isfinite(now) ? now : 0;
}

void hist_time_rate(struct hist_store *h, double rate)
{
	h->rate = rate > 1 && isfinite(rate) ? rate : 1;
	h->rate_t0 = 0;
}

static void series_free(struct series *s)
{
	free(s->fine.v);
	free(s->coarse.v);
	free(s);
}

void hist_clear(struct hist_store *h)
{
	for (size_t i = 0; i < h->cap; i++)
		while (h->tab[i]) {
			struct series *s = h->tab[i];
			h->tab[i] = s->next;
			series_free(s);
		}
	h->n = 0;
	h->bytes = 0;
	h->fine_bytes = 0;
	h->day_bytes = 0;
	h->fine_min = 1;
	h->day_step = HIST_COARSE_STEP;
	h->clock = 0;
	h->swept = 0;
}

void hist_free(struct hist_store *h)
{
	if (!h)
		return;
	hist_clear(h);
	free(h->tab);
	free(h);
}

static struct series *find(const struct hist_store *h, int m, size_t index, const char *sub)
{
	for (struct series *s = h->tab[key_hash(m, index, sub) % h->cap]; s; s = s->next)
		if (s->metric == m && s->index == index && strcmp(s->sub, sub) == 0)
			return s;
	return NULL;
}

static void grow(struct hist_store *h)
{
	size_t cap = h->cap * 2;
	struct series **tab = xcalloc(cap, sizeof(*tab));

	for (size_t i = 0; i < h->cap; i++)
		while (h->tab[i]) {
			struct series *s = h->tab[i];
			size_t k = key_hash(s->metric, s->index, s->sub) % cap;
			h->tab[i] = s->next;
			s->next = tab[k];
			tab[k] = s;
		}
	free(h->tab);
	h->tab = tab;
	h->cap = cap;
}

static uint32_t ring_at(int64_t b, uint32_t cap)
{
	return (uint32_t)(((b % cap) + cap) % cap);
}

static void tier_init(struct tier *t, double step, double span)
{
	t->step = step;
	t->n = (uint32_t)ceil(span / step);
	t->cap = 0;
	t->v = NULL;
	t->head = INT64_MIN;
}

/* Makes room for bucket b as the newest: the ring must hold every bucket
 * from the tier's first one (at most n back) to b. It grows by doubling,
 * moving what it holds to the new places. */
static void tier_fit(struct tier *t, int64_t b, size_t *bytes)
{
	int64_t need = t->head == INT64_MIN ? 1 : b - t->first + 1;
	uint32_t cap = t->cap ? t->cap : TIER_MIN;
	uint16_t *v;

	if (need > (int64_t)t->n)
		need = t->n;
	if (t->v && need <= (int64_t)t->cap)
		return;
	while ((int64_t)cap < need)
		cap *= 2;
	if (cap > t->n)
		cap = t->n;
	v = xmalloc(cap * sizeof(*v));
	for (uint32_t i = 0; i < cap; i++)
		v[i] = f2h(NAN);
	if (t->v && t->head != INT64_MIN)
		for (int64_t k = t->head - t->cap + 1; k <= t->head; k++)
			v[ring_at(k, cap)] = t->v[ring_at(k, t->cap)];
	free(t->v);
	*bytes += (cap - t->cap) * sizeof(*v);
	t->v = v;
	t->cap = cap;
}

/* The first step of the ladder (then doubling) at which n full tiers of
 * `span` fit `budget`; at most the span. */
static double budget_step(size_t n, const double *ladder, size_t nladder, double span,
			  double budget)
{
	double step = 0;

	for (size_t k = 0; step < span; k++) {
		step = k < nladder ? ladder[k] : step * 2;
		if ((double)n * ceil(span / step) * sizeof(uint16_t) <= budget)
			break;
	}
	return step < span ? step : span;
}

/* The share of a budget a step must leave to spare for the steps to go
 * back down to it (budget_refit()): only when the live series would fit it
 * with a fifth to spare, so a count that hovers at a boundary does not
 * shrink every tier at one sweep and grow them all at the next series. */
#define REFIT_SHARE 0.8

/* The fine tiers' shortest step for n series: 1, 2, 5, 10, 15, 30, 60 s
 * (then doubling) at which n of them, full, fit `share` of
 * HIST_FINE_BUDGET. */
static double fine_min_for(size_t n, double share)
{
	static const double ladder[] = { 1, 2, 5, 10, 15, 30, 60 };

	return budget_step(n, ladder, ARRAY_LEN(ladder), HIST_FINE_SPAN,
			   share * HIST_FINE_BUDGET);
}

/* The fine step a series' poll interval asks: the interval, at most a
 * minute (so an hour is 60..3600 buckets). */
static float fine_want(double interval)
{
	return (float)(interval > 60 ? 60 : interval);
}

/* The fine tier's step: what the series asks, at least the store's
 * shortest. */
static double fine_step(const struct hist_store *h, double want)
{
	return want >= h->fine_min ? want : h->fine_min;      /* and when NaN */
}

/* The day tier's step for n series: the first of 1, 5, 15, 30, 60
 * minutes, then doubling, at which n full day tiers fit `share` of
 * HIST_DAY_BUDGET. Each step divides the next, so a tier moves to a later
 * one by merging whole buckets. */
static double day_step_for(size_t n, double share)
{
	static const double ladder[] = { 60, 300, 900, 1800, 3600 };

	return budget_step(n, ladder, ARRAY_LEN(ladder), HIST_COARSE_SPAN,
			   share * HIST_DAY_BUDGET);
}

/* Old bucket o's place at a longer step: the new bucket its start falls in. */
static int64_t rebucket(int64_t o, double from, double to)
{
	return (int64_t)floor((double)o * from / to + 1e-9);
}

/* Moves a tier to a longer step (over `span`): each new bucket is the mean
 * of the old buckets that start in it and hold a value (the newest one at
 * full precision, its running mean carried on as if each of those old
 * buckets had as many points as the newest has so far). A step that is a
 * multiple of the old merges whole buckets; one that is not (a 7 s poll
 * moving to 10 s) places each old bucket by its start. */
static void tier_restep(struct tier *t, double step, double span, size_t *bytes)
{
	uint32_t n = (uint32_t)ceil(span / step), cap = TIER_MIN, nv = 0;
	int64_t lo, head, first, cur;
	double sum = 0;
	uint16_t *v;

	if (!(step > t->step))
		return;
	if (t->head == INT64_MIN) {
		*bytes -= t->cap * sizeof(*t->v);
		free(t->v);
		tier_init(t, step, span);
		return;
	}
	lo = t->head - t->cap + 1 > t->first ? t->head - t->cap + 1 : t->first;
	head = rebucket(t->head, t->step, step);
	first = rebucket(t->first, t->step, step);
	while ((int64_t)cap < head - first + 1 && cap < n)
		cap *= 2;
	if (cap > n)
		cap = n;
	v = xmalloc(cap * sizeof(*v));
	for (uint32_t i = 0; i < cap; i++)
		v[i] = f2h(NAN);
	cur = rebucket(lo, t->step, step);
	for (int64_t o = lo; o <= t->head + 1; o++) {
		int64_t b = o > t->head ? INT64_MAX : rebucket(o, t->step, step);
		float x;
		if (b != cur) {          /* new bucket cur is complete */
			if (nv && cur > head - (int64_t)cap)
				v[ring_at(cur, cap)] = f2h((float)(sum / nv));
			if (nv && cur == head) {
				t->acc = (float)(sum / nv);
				t->count *= nv;
			}
			cur = b;
			sum = 0;
			nv = 0;
		}
		if (o > t->head)
			break;
		x = o == t->head ? t->acc : h2f(t->v[ring_at(o, t->cap)]);
		if (!isnan(x)) {
			sum += x;
			nv++;
		}
	}
	*bytes += (size_t)cap * sizeof(*v);
	*bytes -= (size_t)t->cap * sizeof(*t->v);
	free(t->v);
	t->v = v;
	t->cap = cap;
	t->n = n;
	t->step = step;
	t->head = head;
	t->first = first;
}

/* Moves a tier to a shorter step (the store's budget freed by dropped
 * series, budget_refit()): each new bucket takes the value of the old
 * bucket its start falls in, so what the tier held keeps the resolution it
 * had (a 30 s mean shows as fifteen equal 2 s buckets) and only the points
 * that come get the shorter step. The newest bucket is the one of the
 * series' newest point (last_t), within the old newest; it and every new
 * bucket that overlaps the old newest (the first may start in the old one
 * before, when the new step does not divide the old) hold its running
 * mean, which goes on as one point. */
static void tier_refine(struct tier *t, double step, double span, double last_t,
			size_t *bytes)
{
	uint32_t n = (uint32_t)ceil(span / step), cap = TIER_MIN;
	int64_t lo, head, first, hs, he, nlo;
	uint16_t *v;

	if (!(step < t->step))
		return;
	if (t->head == INT64_MIN) {
		*bytes -= t->cap * sizeof(*t->v);
		free(t->v);
		tier_init(t, step, span);
		return;
	}
	lo = t->head - t->cap + 1 > t->first ? t->head - t->cap + 1 : t->first;
	hs = rebucket(t->head, t->step, step);
	he = (int64_t)ceil((double)(t->head + 1) * t->step / step - 1e-9) - 1;
	head = (int64_t)floor(last_t / step);
	if (!(head >= hs && head <= he))     /* (last_t not in the newest bucket) */
		head = hs;
	first = rebucket(t->first, t->step, step);
	while ((int64_t)cap < head - first + 1 && cap < n)
		cap *= 2;
	if (cap > n)
		cap = n;
	nlo = rebucket(lo, t->step, step);
	if (nlo < head - (int64_t)cap + 1)
		nlo = head - (int64_t)cap + 1;
	v = xmalloc(cap * sizeof(*v));
	for (uint32_t i = 0; i < cap; i++)
		v[i] = f2h(NAN);
	for (int64_t b = nlo; b <= head; b++) {
		int64_t o = rebucket(b, step, t->step);
		/* from hs on a bucket overlaps the old newest, and may start
		 * in the one before it (5 s to 2 s: 14..16 against 15..20): the
		 * running mean, which the points that come go on averaging */
		if (b >= hs)
			v[ring_at(b, cap)] = f2h(t->acc);
		else if (o >= lo && o < t->head)
			v[ring_at(b, cap)] = t->v[ring_at(o, t->cap)];
	}
	*bytes += (size_t)cap * sizeof(*v);
	*bytes -= (size_t)t->cap * sizeof(*t->v);
	free(t->v);
	t->v = v;
	t->cap = cap;
	t->n = n;
	t->step = step;
	t->head = head;
	t->first = first < head ? first : head;
	t->count = 1;
}

/* After a new series: when the fine or the day tiers of this many series
 * would outgrow their budget, every one shorter moves to the step that
 * fits (at most a few times in a store's life: the steps only grow,
 * but for a sweep() that dropped series, budget_refit()). */
static void budget_fit(struct hist_store *h)
{
	double fine = fine_min_for(h->n, 1), day = day_step_for(h->n, 1);

	if (fine <= h->fine_min && day <= h->day_step)
		return;
	for (size_t i = 0; i < h->cap; i++)
		for (struct series *s = h->tab[i]; s; s = s->next) {
			tier_restep(&s->fine, fine, HIST_FINE_SPAN, &h->fine_bytes);
			tier_restep(&s->coarse, day, HIST_COARSE_SPAN, &h->day_bytes);
		}
	h->fine_min = fmax(h->fine_min, fine);
	h->day_step = fmax(h->day_step, day);
}

/* After series were dropped: when the live ones' tiers would fit the
 * budgets at shorter steps with a fifth to spare (REFIT_SHARE), the
 * store's steps go back down and every tier longer than its series now
 * gets moves to it (tier_refine()). Like budget_fit(), this visits every
 * series, but only when a step changes; the margin means a step that went
 * down goes up again only after the live count grew by a quarter. */
static void budget_refit(struct hist_store *h)
{
	double fine = fine_min_for(h->n, REFIT_SHARE), day = day_step_for(h->n, REFIT_SHARE);

	if (fine >= h->fine_min && day >= h->day_step)
		return;
	h->fine_min = fmin(h->fine_min, fine);
	h->day_step = fmin(h->day_step, day);
	for (size_t i = 0; i < h->cap; i++)
		for (struct series *s = h->tab[i]; s; s = s->next) {
			tier_refine(&s->fine, fine_step(h, s->fine_want), HIST_FINE_SPAN,
				    s->last_t, &h->fine_bytes);
			tier_refine(&s->coarse, h->day_step, HIST_COARSE_SPAN, s->last_t,
				    &h->day_bytes);
		}
}

/* A series with no point for HIST_DROP_AGE of the store's clock: dropped
 * at the next sweep(), gone for readers already. */
static bool stale(const struct hist_store *h, const struct series *s)
{
	return h->clock - s->last_t > HIST_DROP_AGE;
}

/* Takes series s out of its chain (at *link) and frees it. */
static void unlink_free(struct hist_store *h, struct series **link)
{
	struct series *s = *link;

	*link = s->next;
	h->bytes -= sizeof(*s) + strlen(s->sub) + 1;
	h->fine_bytes -= s->fine.cap * sizeof(*s->fine.v);
	h->day_bytes -= s->coarse.cap * sizeof(*s->coarse.v);
	series_free(s);
	h->n--;
}

/* Drops every stale series and gives the live ones the steps their count
 * allows. It visits every series, so hist_add() runs it at most once per
 * HIST_SWEEP_EVERY of the store's clock rather than per point: between two
 * sweeps the store took a minute of points, typically one or more from
 * every live series, so a sweep costs less than the adds did, and a dead
 * series outlives its day by at most a minute (readers already treat it as
 * gone: stale()). The hash table keeps its size. */
static void sweep(struct hist_store *h)
{
	size_t n = h->n;

	for (size_t i = 0; i < h->cap; i++)
		for (struct series **link = &h->tab[i]; *link;)
			if (stale(h, *link))
				unlink_free(h, link);
			else
				link = &(*link)->next;
	if (h->n < n)
		budget_refit(h);
}

/* The series of the key, a new one if it has none or only a stale one (a
 * key back after a day without points starts over, as after its drop). */
static struct series *get(struct hist_store *h, int m, size_t index, const char *sub,
			  double interval)
{
	struct series *s = find(h, m, index, sub);
	size_t k;

	if (s && !stale(h, s))
		return s;
	if (s) {
		struct series **link = &h->tab[key_hash(m, index, sub) % h->cap];
		while (*link != s)
			link = &(*link)->next;
		unlink_free(h, link);      /* (no budget_refit(): n is back at once) */
	}
	if (h->n >= h->cap)
		grow(h);
	s = xcalloc(1, sizeof(*s) + strlen(sub) + 1);
	s->metric = (uint8_t)m;
	s->index = (uint32_t)index;
	strcpy(s->sub, sub);
	s->fine_want = fine_want(interval);
	tier_init(&s->fine, fine_step(h, s->fine_want), HIST_FINE_SPAN);
	tier_init(&s->coarse, h->day_step, HIST_COARSE_SPAN);
	h->bytes += sizeof(*s) + strlen(sub) + 1;
	k = key_hash(m, index, s->sub) % h->cap;
	s->next = h->tab[k];
	h->tab[k] = s;
	h->n++;
	budget_fit(h);
	return s;
}

/* One point into a tier: the buckets skipped since the newest become
 * empty; points in the same bucket are averaged; a point older than the
 * newest bucket (a replay stepping back) restarts the tier there. */
static void tier_add(struct tier *t, double when, double v, size_t *bytes)
{
	int64_t b = (int64_t)floor(when / t->step);

	if (t->head != INT64_MIN && b < t->head) {
		for (uint32_t i = 0; i < t->cap; i++)
			t->v[i] = f2h(NAN);
		t->head = INT64_MIN;
	}
	if (t->head == INT64_MIN || b > t->head) {
		int64_t from;
		if (t->head == INT64_MIN)
			t->first = b;
		tier_fit(t, b, bytes);
		from = t->head == INT64_MIN || b - t->head > t->cap ? b - t->cap + 1 : t->head + 1;
		for (int64_t k = from; k < b; k++)
			t->v[ring_at(k, t->cap)] = f2h(NAN);
		t->head = b;
		t->count = 0;
	}
	t->count++;
	t->acc = t->count == 1 ? (float)v : t->acc + (float)((v - t->acc) / t->count);
	t->v[ring_at(b, t->cap)] = f2h(t->acc);
}

void hist_add(struct hist_store *h, enum hist_metric m, size_t index, const char *sub,
	      double t, double interval, double v)
{
	struct series *s;
	double lim;

	if ((unsigned)m >= HIST_METRICS || !(t > 0) || !isfinite(t) || !isfinite(v))
		return;
	lim = h->now > 0 ? h->now + HIST_AHEAD : INFINITY;
	if (h->rate > 1) {
		if (!(h->rate_t0 > 0))
			h->rate_t0 = t;
		t = h->rate_t0 + (t - h->rate_t0) * h->rate;
		lim = h->rate_t0 + (lim - h->rate_t0) * h->rate;
	}
	/* a point from a source whose clock runs ahead (a Prometheus's
	 * evaluation time) is kept at its time but moves the clock no further
	 * than the reader's now allows: it cannot age every other series */
	if (t > h->clock && h->clock < lim)
		h->clock = fmin(t, lim);
	else if (h->clock - t > HIST_DROP_AGE)
		return;      /* it would be dropped at once */
	if (h->clock - h->swept >= HIST_SWEEP_EVERY) {
		h->swept = h->clock;
		sweep(h);
	}
	s = get(h, m, index, sub ? sub : "", interval);
	if (s->last_t > 0 && t == s->last_t)
		return;      /* the same sample again (republished with an error) */
	tier_add(&s->fine, t, v, &h->fine_bytes);
	tier_add(&s->coarse, t, v, &h->day_bytes);
	s->last_t = t;
	s->last_v = (float)v;
}

bool hist_last(const struct hist_store *h, enum hist_metric m, size_t index, const char *sub,
	       double *v, double *t)
{
	const struct series *s = find(h, m, index, sub ? sub : "");

	if (!s || s->last_t <= 0 || stale(h, s))
		return false;
	*v = s->last_v;
	*t = s->last_t;
	return true;
}

bool hist_series(const struct hist_store *h, enum hist_metric m, size_t index, const char *sub,
		 double now, double span, int w, struct history *out)
{
	const struct series *s = find(h, m, index, sub ? sub : "");
	const struct tier *t;
	bool any = false;

	memset(out, 0, sizeof(*out));
	if (!s || stale(h, s) || w <= 0 || !(span > 0))
		return false;
	if (w > MODEL_HIST)
		w = MODEL_HIST;
	t = span <= HIST_FINE_SPAN + 1e-9 ? &s->fine : &s->coarse;
	if (t->head == INT64_MIN)
		return false;
	/* oldest slice first, so that history_push leaves the newest at 0; a
	 * point at `now` itself belongs to the newest slice */
	now += 1e-6;
	for (int k = 0; k < w; k++) {
		double a = now - span + span * k / w, b = now - span + span * (k + 1) / w;
		int64_t b0 = (int64_t)floor(a / t->step), b1 = (int64_t)ceil(b / t->step) - 1;
		double sum = 0;
		int n = 0;

		if (b1 < b0)
			b1 = b0;
		for (int64_t bk = b0; bk <= b1; bk++) {
			float v;
			if (bk > t->head || bk <= t->head - t->cap)
				continue;
			v = h2f(t->v[ring_at(bk, t->cap)]);
			if (!isnan(v)) {
				sum += v;
				n++;
			}
		}
		history_push(out, n ? (float)(sum / n) : NAN);
		any |= n > 0;
	}
	return any;
}

size_t hist_bytes(const struct hist_store *h)
{
	return h ? h->bytes + h->fine_bytes + h->day_bytes + h->cap * sizeof(*h->tab) + sizeof(*h)
		 : 0;
}

double hist_fine_min(const struct hist_store *h)
{
	return h ? h->fine_min : 1;
}

size_t hist_fine_bytes(const struct hist_store *h)
{
	return h ? h->fine_bytes : 0;
}

double hist_day_step(const struct hist_store *h)
{
	return h ? h->day_step : HIST_COARSE_STEP;
}

size_t hist_day_bytes(const struct hist_store *h)
{
	return h ? h->day_bytes : 0;
}

size_t hist_nseries(const struct hist_store *h)
{
	return h ? h->n : 0;
}

/* ---- from samples ---- */

/* Target i of domain d: its row's .trends adds what the sample has. */
static void from_target(struct hist_store *h, const struct snapshot *snap, enum domain_id d, size_t i)
{
	if (domains[d].trends)
		domains[d].trends(h, i, snapshot_get(snap, d, i));
}

void hist_update(struct hist_store *h, const struct snapshot *snap, bool all)
{
	if (!h || !snap)
		return;
	if (all || snap->changed_all) {
		for (int d = 0; d < DOM__COUNT; d++)
			for (size_t i = 0; i < snapshot_count(snap, (enum domain_id)d); i++)
				from_target(h, snap, (enum domain_id)d, i);
		return;
	}
	for (size_t k = 0; k < snap->nchanged; k++)
		from_target(h, snap, (enum domain_id)snap->changed[k].dom, snap->changed[k].index);
}
