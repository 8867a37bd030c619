/* View 1, Overview: one row per host, then the open alerts, worst first. */
#include "config.h"
#include "ui/views.h"
#include "history/history.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col {
	C_STATUS, C_NAME, C_ROLE, C_LOAD, C_CPU, C_TREND, C_MEMBAR, C_MEM, C_PSI, C_DISK,
	C_DOM,                        /* C_DOM + d: domain d's column (domain_views[d].overview) */
	C_LAT = C_DOM + DOM__COUNT, C_AGE,
	C_COUNT
};

/* Every column once. When the row does not fit, the column with the
 * highest `drop` goes first (role, then the bar, ...); 0 is never dropped. */
static const struct col_def {
	const char *header;
	int min, max;
	int drop;
	bool right;
} col_defs[C_COUNT] = {
	[C_STATUS] = { "STATUS", 7, 7, 0, false },
	[C_NAME]   = { "HOST", 8, 24, 0, false },
	[C_ROLE]   = { "ROLE", 10, 60, 12, false },
	[C_LOAD]   = { "LOAD", 5, 5, 6, true },
	[C_CPU]    = { "CPU", 4, 4, 0, true },
	/* the last 15 minutes of CPU: only when the terminal is wide */
	[C_TREND]  = { "CPU 15m", 12, 12, 13, false },
	[C_MEMBAR] = { "MEMORY", 10, 30, 11, false },
	[C_MEM]    = { "USED/TOTAL", 11, 11, 3, true },
	[C_PSI]    = { "PSI", 5, 5, 5, true },
	[C_DISK]   = { "DISK", 4, 4, 2, true },
	/* C_DOM...: the domains' own (views.h, struct host_column) */
	[C_LAT]    = { "LAT", 6, 6, 7, true },
	[C_AGE]    = { "AGE", 5, 5, 4, true },
};

/* Column i's definition; a domain without a column has none (NULL header). */
static struct col_def col_def(int i)
{
	const struct host_column *hc;

	if (i < C_DOM || i >= C_LAT)
		return col_defs[i];
	hc = domain_views[i - C_DOM].overview;
	return hc ? (struct col_def){ hc->header, hc->width, hc->width, hc->drop, true }
		  : (struct col_def){ 0 };
}

struct layout {
	bool on[C_COUNT];
	int x[C_COUNT], w[C_COUNT];
};

/* Width the memory bar gets before the role column grows. */
#define MEMBAR_GOOD 16

/* Lowest row count for the host table before alerts take the rest. */
#define MIN_HOST_ROWS 3

static int layout_total(const struct layout *l)
{
	int total = -1;

	for (int i = 0; i < C_COUNT; i++)
		if (l->on[i])
			total += l->w[i] + 1;
	return total < 0 ? 0 : total;
}

static void layout_drop_one(struct layout *l)
{
	int victim = -1;

	for (int i = 0; i < C_COUNT; i++)
		if (l->on[i] && col_def(i).drop > 0 &&
		    (victim < 0 || col_def(i).drop > col_def(victim).drop))
			victim = i;
	if (victim >= 0)
		l->on[victim] = false;
}

static int layout_grow(struct layout *l, int col, int want, int extra)
{
	int add;

	if (!l->on[col] || extra <= 0)
		return extra;
	if (want > col_def(col).max)
		want = col_def(col).max;
	add = want - l->w[col];
	if (add <= 0)
		return extra;
	if (add > extra)
		add = extra;
	l->w[col] += add;
	return extra - add;
}

/* Chooses columns for `width` and places them from x. */
static void layout_compute(struct layout *l, int x, int width, int name_need, int role_need)
{
	int extra;

	for (int i = 0; i < C_COUNT; i++) {
		l->on[i] = col_def(i).header != NULL;
		l->w[i] = col_def(i).min;
	}
	l->on[C_TREND] = false;     /* only with room to spare, below */
	while (layout_total(l) > width) {
		int before = layout_total(l);
		layout_drop_one(l);
		if (layout_total(l) == before)
			break;
	}
	extra = width - layout_total(l);
	/* names whole first, then a readable bar, then the role, then more bar */
	extra = layout_grow(l, C_NAME, name_need, extra);
	extra = layout_grow(l, C_MEMBAR, MEMBAR_GOOD, extra);
	extra = layout_grow(l, C_ROLE, role_need, extra);
	/* a wide terminal: the CPU trend, once everything else is whole */
	if (extra >= col_defs[C_TREND].min + 1 + MEMBAR_GOOD / 2) {
		l->on[C_TREND] = true;
		extra -= col_defs[C_TREND].min + 1;
	}
	layout_grow(l, C_MEMBAR, col_defs[C_MEMBAR].max, extra);
	for (int i = 0; i < C_COUNT; i++) {
		if (!l->on[i])
			continue;
		l->x[i] = x;
		x += l->w[i] + 1;
	}
}

static void col_text(struct cells *c, const struct layout *l, int col, int y, int role,
		     const char *s)
{
	if (!l->on[col])
		return;
	if (col_def(col).right)
		cells_text_right(c, l->x[col], y, l->w[col], role, s);
	else
		cells_text_ellipsis(c, l->x[col], y, l->w[col], role, s);
}

static void header_row(struct cells *c, const struct layout *l, struct rect body, int y)
{
	cells_fill(c, (struct rect){ body.x, y, body.w, 1 }, ' ', ROLE_HEADER);
	for (int i = 0; i < C_COUNT; i++)
		col_text(c, l, i, y, ROLE_HEADER, col_def(i).header);
}

/* Worst used percentage of the watched disks that could be read, or -1. */
static double worst_disk(const struct host_sample *s)
{
	double worst = -1;

	if (!(s->valid & HV_DISKS))
		return -1;
	for (int i = 0; i < s->ndisks && i < MODEL_MAX_DISKS; i++)
		if (s->disks[i].valid && s->disks[i].used_pct > worst)
			worst = s->disks[i].used_pct;
	return worst;
}

static void fmt_load(char *buf, size_t size, double v)
{
	if (v < 10)
		str_fmt(buf, size, "%.2f", v);
	else if (v < 100)
		str_fmt(buf, size, "%.1f", v);
	else
		str_fmt(buf, size, "%.0f", v);
}

static void fmt_latency(char *buf, size_t size, double ms)
{
	if (ms < 10)
		str_fmt(buf, size, "%.1fms", ms);
	else if (ms < 10000)
		str_fmt(buf, size, "%.0fms", ms);
	else
		str_fmt(buf, size, "%.0fs", ms / 1000);
}

/* The role; a host that is not answering says why first (the full error
 * is in the alerts and the detail). */
static void role_cell(struct cells *c, const struct layout *l, int y, int vrole,
		      const struct fleet_host *fh, const struct host_sample *s)
{
	const char *role = fh->role ? fh->role : "";
	int used;

	if (!l->on[C_ROLE])
		return;
	if (s->conn == HC_OK) {
		col_text(c, l, C_ROLE, y, vrole, role);
		return;
	}
	if (s->conn == HC_NEVER) {
		col_text(c, l, C_ROLE, y, ROLE_DIM, "waiting for the first poll");
		return;
	}
	used = cells_text_ellipsis(c, l->x[C_ROLE], y, l->w[C_ROLE], ROLE_CRIT,
				   host_conn_name(s->conn));
	if (used + 2 < l->w[C_ROLE])
		cells_text_ellipsis(c, l->x[C_ROLE] + used + 2, y, l->w[C_ROLE] - used - 2,
				    vrole, role);
}

static void mem_cells(struct cells *c, const struct layout *l, int y, int vrole, bool stale,
		      const struct fleet_host *fh, const struct host_sample *s)
{
	char used[16], total[16], buf[40];
	double frac, reserve_at = -1;
	struct bar_marker mark;
	uint64_t used_b;
	bool short_of_reserve;

	if (!(s->valid & HV_MEM) || s->mem_total == 0) {
		col_text(c, l, C_MEMBAR, y, vrole, "n/a");
		col_text(c, l, C_MEM, y, vrole, "n/a");
		return;
	}
	used_b = s->mem_total > s->mem_available ? s->mem_total - s->mem_available : 0;
	frac = (double)used_b / (double)s->mem_total;
	short_of_reserve = fh->ram_reserve >= 0 && s->mem_available < (uint64_t)fh->ram_reserve;
	if (fh->ram_reserve > 0)
		reserve_at = 1.0 - (double)fh->ram_reserve / (double)s->mem_total;
	mark = (struct bar_marker){ reserve_at, ROLE_BAR_RESERVE };
	if (l->on[C_MEMBAR])
		cells_bar(c, l->x[C_MEMBAR], y, l->w[C_MEMBAR], frac,
			  stale ? ROLE_STALE : short_of_reserve ? ROLE_CRIT : ROLE_BAR_USED,
			  &mark, reserve_at >= 0 ? 1 : 0);
	str_fmt(buf, sizeof(buf), "%s/%s", fmt_bytes(used, sizeof(used), (double)used_b),
		fmt_bytes(total, sizeof(total), (double)s->mem_total));
	col_text(c, l, C_MEM, y, stale ? vrole : short_of_reserve ? ROLE_CRIT : vrole, buf);
}

/* The status word; a stale row that is not warn/crit says STALE. */
static void status_cell(struct cells *c, const struct layout *l, int y,
			const struct host_eval *he)
{
	if (he->stale && he->status != ST_WARN && he->status != ST_CRIT) {
		col_text(c, l, C_STATUS, y, ROLE_STALE, "STALE");
		return;
	}
	col_text(c, l, C_STATUS, y, view_status_role(he->status), view_status_word(he->status));
}

static void value_cells(struct cells *c, const struct layout *l, int y, int vrole,
			const struct host_sample *s, const struct host_eval *he, double age)
{
	char buf[32];
	double disk = worst_disk(s);

	if (s->valid & HV_LOAD)
		fmt_load(buf, sizeof(buf), s->load[0]);
	col_text(c, l, C_LOAD, y, vrole, s->valid & HV_LOAD ? buf : "n/a");
	str_fmt(buf, sizeof(buf), "%.0f%%", s->cpu_pct);
	col_text(c, l, C_CPU, y, vrole, s->valid & HV_CPU ? buf : "n/a");
	str_fmt(buf, sizeof(buf), "%.1f", s->psi_some10);
	col_text(c, l, C_PSI, y, vrole, s->valid & HV_PSI ? buf : "n/a");
	str_fmt(buf, sizeof(buf), "%.0f%%", disk);
	col_text(c, l, C_DISK, y, vrole, disk >= 0 ? buf : "n/a");
	if (s->valid & HV_LATENCY)
		fmt_latency(buf, sizeof(buf), s->latency_ms);
	col_text(c, l, C_LAT, y, vrole, s->valid & HV_LATENCY ? buf : "n/a");
	if (age >= 0)
		fmt_age(buf, sizeof(buf), age);
	col_text(c, l, C_AGE, y, he->stale ? ROLE_STALE : ROLE_DIM, age >= 0 ? buf : "never");
}

/* The host's CPU over the last quarter of an hour (history/history.h). */
#define TREND_SPAN 900.0

static void trend_cell(struct cells *c, const struct layout *l, int y, int vrole,
		       const struct ui_ctx *u, size_t i)
{
	if (l->on[C_TREND])
		view_trend(c, l->x[C_TREND], y, l->w[C_TREND], u, HM_HOST_CPU, i, "", TREND_SPAN,
			   0, 100, vrole == ROLE_NORMAL ? ROLE_BAR_USED : vrole);
}

/* The domains' columns (views.h, struct host_column). */
static void domain_cells(struct cells *c, const struct layout *l, int y, int vrole,
			 const struct ui_ctx *u, size_t i)
{
	for (int d = 0; d < DOM__COUNT; d++) {
		const struct host_column *hc = domain_views[d].overview;
		char buf[32];
		int role;

		if (!hc || !l->on[C_DOM + d])
			continue;
		buf[0] = '\0';
		role = hc->cell(u, i, vrole, buf, sizeof(buf));
		col_text(c, l, C_DOM + d, y, role, buf);
	}
}

static void host_row(struct cells *c, const struct layout *l, struct rect body, int y,
		     const struct ui_ctx *u, size_t i, bool selected)
{
	const struct fleet_host *fh = &u->f->hosts[i];
	const struct host_sample *s = snap_host(u->snap, i);
	const struct host_eval *he = &u->ev->hosts[i];
	int vrole = he->stale ? ROLE_STALE : ROLE_NORMAL;

	status_cell(c, l, y, he);
	col_text(c, l, C_NAME, y, he->stale ? ROLE_STALE : ROLE_TITLE, fh->name);
	role_cell(c, l, y, he->stale ? ROLE_STALE : ROLE_DIM, fh, s);
	value_cells(c, l, y, vrole, s, he, rules_host_age(u->ev, i));
	trend_cell(c, l, y, vrole, u, i);
	domain_cells(c, l, y, vrole, u, i);
	mem_cells(c, l, y, vrole, he->stale, fh, s);
	if (selected)
		cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
}

/* Hosts to show: the filtered ones, in fleet order; on a wall, worst first
 * so a crit host is never scrolled off a screen nobody touches. */
static size_t rows_collect(const struct ui_ctx *u, const char *filter, size_t *rows)
{
	size_t n = view_nhosts(u), k = 0;

	for (size_t i = 0; i < n; i++)
		if (view_host_matches(u->f, i, filter))
			rows[k++] = i;
	if (!u->wall)
		return k;
	for (size_t a = 1; a < k; a++) {
		size_t v = rows[a], b = a;
		while (b > 0 && u->ev->hosts[rows[b - 1]].status < u->ev->hosts[v].status) {
			rows[b] = rows[b - 1];
			b--;
		}
		rows[b] = v;
	}
	return k;
}

/* ---- large [prometheus] sections: their hosts are not model hosts ----
 *
 * After the model's hosts, each such section is its summary line ("100,000
 * hosts: 99,871 ok, 112 warn, 17 crit"), its problem hosts (worst first),
 * then its other hosts in name order. The collector holds only the rows
 * near the screen: the overview tells it which (ui_ctx.want_rows), and a
 * row it has not fetched yet is drawn as "…". */

#define PROM_PREFETCH 20          /* rows asked beyond the screen, each side */

struct pseg {
	size_t sec;
	size_t nprob;                 /* problem rows matching the filter */
	size_t prob[PROM_ROWS];       /* their index in rows[] */
	size_t nother;                /* the other hosts matching the filter */
};

struct olist {
	size_t *hosts, nhosts;        /* model hosts */
	struct pseg *segs;
	size_t nsegs;
	size_t total;
};

enum item_kind { IT_HOST, IT_PROM_HEAD, IT_PROM_PROBLEM, IT_PROM_OTHER };

struct item {
	enum item_kind kind;
	const struct pseg *seg;
	size_t i;                     /* host index, problem index in rows[], or window position */
};

static bool prom_row_matches(const struct ui_ctx *u, size_t sec, const char *name,
			     const char *filter)
{
	const struct fleet_section *fs = fleet_nth(u->f, SEC_PROMETHEUS, sec);
	char role[128];

	if (!filter || !*filter)
		return true;
	str_fmt(role, sizeof(role), "via prometheus %s", fs ? fs->name : "");
	return view_text_matches(name, filter) || view_text_matches(role, filter);
}

static void olist_build(struct olist *ol, const struct ui_ctx *u, const char *filter)
{
	size_t n = view_nhosts(u), np = snapshot_count(u->snap, DOM_PROMFLEET);

	memset(ol, 0, sizeof(*ol));
	ol->hosts = xcalloc(n ? n : 1, sizeof(*ol->hosts));
	ol->nhosts = rows_collect(u, filter, ol->hosts);
	ol->segs = xcalloc(np ? np : 1, sizeof(*ol->segs));
	ol->total = ol->nhosts;
	for (size_t i = 0; i < np; i++) {
		const struct prom_fleet *pf = snap_promfleet(u->snap, i);
		struct pseg *sg;
		if (pf->state == PF_OFF)
			continue;
		sg = &ol->segs[ol->nsegs++];
		sg->sec = i;
		for (int k = 0; k < pf->nproblems && k < PROM_ROWS; k++)
			if (prom_row_matches(u, i, pf->rows[k].name, filter))
				sg->prob[sg->nprob++] = (size_t)k;
		sg->nother = pf->nmatch;
		ol->total += 1 + sg->nprob + sg->nother;
	}
}

static void olist_free(struct olist *ol)
{
	free(ol->hosts);
	free(ol->segs);
}

static struct item olist_at(const struct olist *ol, size_t k)
{
	if (k < ol->nhosts)
		return (struct item){ IT_HOST, NULL, ol->hosts[k] };
	k -= ol->nhosts;
	for (size_t s = 0; s < ol->nsegs; s++) {
		const struct pseg *sg = &ol->segs[s];
		if (k == 0)
			return (struct item){ IT_PROM_HEAD, sg, 0 };
		k--;
		if (k < sg->nprob)
			return (struct item){ IT_PROM_PROBLEM, sg, sg->prob[k] };
		k -= sg->nprob;
		if (k < sg->nother)
			return (struct item){ IT_PROM_OTHER, sg, k };
		k -= sg->nother;
	}
	return (struct item){ IT_PROM_HEAD, NULL, 0 };
}

/* The position of a section's first "other" row in the list. */
static size_t olist_others_at(const struct olist *ol, const struct pseg *want)
{
	size_t k = ol->nhosts;

	for (size_t s = 0; s < ol->nsegs; s++) {
		const struct pseg *sg = &ol->segs[s];
		if (sg == want)
			return k + 1 + sg->nprob;
		k += 1 + sg->nprob + sg->nother;
	}
	return k;
}

/* "12,345" */
static char *fmt_count(char *buf, size_t size, size_t n)
{
	char digits[32];
	size_t len, o = 0;

	str_fmt(digits, sizeof(digits), "%zu", n);
	len = strlen(digits);
	for (size_t i = 0; i < len && o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "prometheus dc1  100,000 hosts: 99,871 ok, 112 warn, 17 crit" */
static void prom_head_row(struct cells *c, struct rect body, int y, const struct ui_ctx *u,
			  const struct pseg *sg, bool selected)
{
	const struct prom_fleet *pf = snap_promfleet(u->snap, sg->sec);
	const struct fleet_section *fs = fleet_nth(u->f, SEC_PROMETHEUS, sg->sec);
	static const enum status order[] = { ST_OK, ST_WARN, ST_CRIT, ST_UNKNOWN };
	char num[32], part[64];
	enum status worst = ST_OK;
	int x = body.x + 1, end = body.x + body.w - 1;

	cells_fill(c, (struct rect){ body.x, y, body.w, 1 }, ' ', ROLE_NORMAL);
	x += cells_textf(c, x, y, end - x, ROLE_TITLE, "prometheus %s  ", fs ? fs->name : "?");
	if (pf->state != PF_READY) {
		cells_text_ellipsis(c, x, y, end - x, ROLE_UNKNOWN, pf->error);
	} else {
		for (int st = 0; st < 4; st++)
			if (pf->counts[st])
				worst = status_worst(worst, (enum status)st);
		x += cells_textf(c, x, y, end - x, view_status_role(worst), "%s hosts:",
				 fmt_count(num, sizeof(num), pf->nhosts));
		for (size_t k = 0, first = 1; k < ARRAY_LEN(order); k++) {
			if (!pf->counts[order[k]] && order[k] != ST_OK)
				continue;
			str_fmt(part, sizeof(part), "%s %s %s", first ? "" : ",",
				fmt_count(num, sizeof(num), pf->counts[order[k]]), status_name(order[k]));
			x += cells_text(c, x, y, end - x, pf->counts[order[k]] ?
					view_status_role(order[k]) : ROLE_DIM, part);
			first = 0;
		}
		if (pf->error[0])
			cells_text_ellipsis(c, x + 2, y, end - x - 2, ROLE_UNKNOWN, pf->error);
	}
	if (selected)
		cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
}

/* A row as a host sample, so the value cells are the host rows' own. */
static void prom_row_sample(const struct prom_row *r, struct host_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->conn = (enum host_conn)r->conn;
	s->valid = r->valid;
	s->load[0] = r->load1;
	s->cpu_pct = r->cpu_pct;
	s->mem_total = r->mem_total;
	s->mem_available = r->mem_available;
	s->psi_some10 = r->psi_some;
	s->sampled_at = r->sampled_at;
	for (int d = 0; d < r->ndisks && d < PROM_ROW_DISKS; d++) {
		s->disks[d].valid = r->disk_pct[d] >= 0;
		s->disks[d].used_pct = r->disk_pct[d];
		s->ndisks++;
	}
}

static void prom_host_row(struct cells *c, const struct layout *l, struct rect body, int y,
			  const struct ui_ctx *u, const struct item *it, const char *filter,
			  bool selected)
{
	const struct prom_fleet *pf = snap_promfleet(u->snap, it->seg->sec);
	const struct prom_row *r = NULL;
	const struct target_eval *t;
	struct fleet_host fh = { .ram_reserve = -1 };
	struct host_sample hs;
	struct host_eval he = { .age = -1 };
	const char *text;

	if (it->kind == IT_PROM_PROBLEM)
		r = &pf->rows[it->i];
	else if (it->i >= pf->win_offset && it->i < pf->win_offset + (size_t)pf->nwindow &&
		 strcmp(pf->win_filter, filter ? filter : "") == 0)
		r = &pf->rows[pf->nproblems + (int)(it->i - pf->win_offset)];
	if (!r) {
		col_text(c, l, C_STATUS, y, ROLE_DIM, "...");
		col_text(c, l, C_NAME, y, ROLE_DIM, "\xe2\x80\xa6");
		if (selected)
			cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
		return;
	}
	prom_row_sample(r, &hs);
	he.status = (enum status)(r->status & 3);
	he.age = r->sampled_at > 0 && u->now > r->sampled_at ? u->now - r->sampled_at : 0;
	he.stale = pf->interval > 0 && he.age > RULES_STALE_FACTOR * pf->interval;
	status_cell(c, l, y, &he);
	col_text(c, l, C_NAME, y, he.stale ? ROLE_STALE : ROLE_TITLE, r->name);
	/* a problem row says why where the role goes */
	t = it->kind == IT_PROM_PROBLEM ?
		rules_target_find(u->ev, DOM_PROMFLEET, (int)it->seg->sec, (int)it->i) : NULL;
	text = t && t->ev.nproblems ? t->ev.problems[0].text : "";
	if (*text)
		col_text(c, l, C_ROLE, y, view_status_role(he.status), text);
	else
		col_text(c, l, C_ROLE, y, ROLE_DIM, r->conn == HC_PROBE ? "no current series" : "");
	value_cells(c, l, y, he.stale ? ROLE_STALE : ROLE_NORMAL, &hs, &he, he.age);
	for (int d = 0; d < DOM__COUNT; d++)
		col_text(c, l, C_DOM + d, y, ROLE_DIM, "-");      /* not model hosts */
	mem_cells(c, l, y, he.stale ? ROLE_STALE : ROLE_NORMAL, he.stale, &fh, &hs);
	if (selected)
		cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
}

/* Asks the collector for every section's rows near the screen. */
static void prom_ask(const struct ui_ctx *u, const struct olist *ol, const char *filter,
		     int top, int page)
{
	for (size_t s = 0; s < ol->nsegs && u->want_rows; s++) {
		const struct pseg *sg = &ol->segs[s];
		size_t first = olist_others_at(ol, sg), from = (size_t)top, to = (size_t)(top + page);
		struct prom_want w = { 0 };
		if (from < first)
			from = first;
		w.offset = from - first;
		w.offset = w.offset > PROM_PREFETCH ? w.offset - PROM_PREFETCH : 0;
		w.count = (int)(to > from ? to - from : 0) + 2 * PROM_PREFETCH;
		str_copy(w.filter, filter ? filter : "", sizeof(w.filter));
		u->want_rows(u->want_arg, sg->sec, &w);
	}
}

static int text_need(const struct ui_ctx *u, const size_t *rows, size_t n, bool role,
		     struct view_state *vs)
{
	int need = 0;

	for (size_t i = 0; !role && i < snapshot_count(u->snap, DOM_PROMFLEET); i++) {
		const struct prom_fleet *pf = snap_promfleet(u->snap, i);
		for (int k = 0; pf->state != PF_OFF && k < pf->nproblems + pf->nwindow; k++)
			if ((int)strlen(pf->rows[k].name) > need)
				need = (int)strlen(pf->rows[k].name);
	}

	/* every host (no filter): what the fleet needs, measured once */
	if (n == u->f->nhosts) {
		if (vs->need_f != u->f || vs->need_n != n) {
			vs->need_name = vs->need_role = 0;
			for (size_t i = 0; i < n; i++) {
				const struct fleet_host *fh = &u->f->hosts[i];
				int nl = fh->name ? (int)strlen(fh->name) : 0;
				int rl = fh->role ? (int)strlen(fh->role) : 0;
				vs->need_name = nl > vs->need_name ? nl : vs->need_name;
				vs->need_role = rl > vs->need_role ? rl : vs->need_role;
			}
			vs->need_f = u->f;
			vs->need_n = n;
		}
		return role ? (vs->need_role > need ? vs->need_role : need)
			    : (vs->need_name > need ? vs->need_name : need);
	}
	for (size_t k = 0; k < n; k++) {
		const struct fleet_host *fh = &u->f->hosts[rows[k]];
		const char *s = role ? fh->role : fh->name;
		int len = s ? (int)strlen(s) : 0;
		if (len > need)
			need = len;
	}
	return need;
}

/* "CRIT  host/black   message ...   for 3m" */
static void alert_line(struct cells *c, int x, int y, int w, int target_w, const struct ui_ctx *u,
		       const struct alert *a)
{
	char since[32], age[16];
	int msg_x = x + 8 + target_w + 1, msg_w, sw = 0;

	cells_text(c, x, y, w, view_status_role(a->severity), view_status_word(a->severity));
	cells_text_ellipsis(c, x + 8, y, x + w - (x + 8) < target_w ? x + w - (x + 8) : target_w,
			    ROLE_NORMAL, a->target);
	msg_w = x + w - msg_x;
	if (a->since > 0) {
		str_fmt(since, sizeof(since), "for %s", fmt_age(age, sizeof(age), u->now - a->since));
		sw = (int)strlen(since);
		if (msg_w - sw - 1 < 10)
			sw = 0;       /* the message matters more than its age */
	}
	cells_text_ellipsis(c, msg_x, y, msg_w - (sw ? sw + 1 : 0), ROLE_ALERT, a->message);
	if (sw)
		cells_text(c, x + w - sw, y, sw, ROLE_DIM, since);
}

static void alerts_draw(struct cells *c, struct rect r, const struct ui_ctx *u)
{
	size_t n = u->ev ? u->ev->nalerts : 0, shown, *idx;
	int target_w = 8, lines = r.h - 1;
	char buf[64];

	if (r.h <= 0)
		return;
	if (n == 0) {
		cells_text(c, r.x + 1, r.y, r.w - 1, ROLE_OK, "No open alerts");
		return;
	}
	str_fmt(buf, sizeof(buf), "ALERTS (%zu)", n);
	cells_fill(c, (struct rect){ r.x, r.y, r.w, 1 }, ' ', ROLE_HEADER);
	cells_text(c, r.x + 1, r.y, r.w - 1, ROLE_HEADER, buf);
	if (lines <= 0)
		return;
	idx = xcalloc(n, sizeof(*idx));
	shown = view_alerts_sorted(u, idx, n);
	for (size_t i = 0; i < shown; i++) {
		/* columns as drawn: what the sanitiser drops takes none */
		int len = cells_text_width(c, u->ev->alerts[idx[i]].target);
		if (len > target_w)
			target_w = len;
	}
	if (target_w > 24)
		target_w = 24;
	if ((int)shown > lines)
		shown = (size_t)(lines - 1);
	for (size_t i = 0; i < shown; i++)
		alert_line(c, r.x + 1, r.y + 1 + (int)i, r.w - 2, target_w, u,
			   &u->ev->alerts[idx[i]]);
	if (shown < n) {
		str_fmt(buf, sizeof(buf), "+%zu more alerts", n - shown);
		cells_text(c, r.x + 1, r.y + 1 + (int)shown, r.w - 1, ROLE_DIM, buf);
	}
	free(idx);
}

/* Splits the body between the host table and the alerts. */
static int host_area_height(struct rect body, size_t nrows, size_t nalerts)
{
	int alert_h = nalerts ? (int)nalerts + 1 : 1;
	int host_h, cap = body.h / 3 > 3 ? body.h / 3 : 3;

	if (alert_h > cap + 1)
		alert_h = cap + 1;
	host_h = body.h - alert_h - 1;
	if (host_h < MIN_HOST_ROWS + 1)
		host_h = MIN_HOST_ROWS + 1;
	if (host_h > (int)nrows + 2)
		host_h = (int)nrows + 2;       /* header, rows, a blank line */
	if (host_h > body.h)
		host_h = body.h;
	return host_h;
}

static void overview_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
			  const struct ui_state *s, struct view_state *vs)
{
	struct olist ol;
	struct layout l;
	int host_h, page, y = body.y, role_need;
	size_t n = view_nhosts(u);

	olist_build(&ol, u, s->filter);
	host_h = host_area_height(body, ol.total, u->ev ? u->ev->nalerts : 0);
	role_need = text_need(u, ol.hosts, ol.nhosts, true, vs);
	if (ol.nsegs && role_need < 40)
		role_need = 40;  /* the problem rows say why there */
	layout_compute(&l, body.x + 1, body.w - 2, text_need(u, ol.hosts, ol.nhosts, false, vs),
		       role_need);
	header_row(c, &l, body, y++);
	page = host_h - 1;
	if ((int)ol.total > page)
		page--;          /* the last line says how many more */
	view_list_layout(vs, (int)ol.total, page, y);
	vs->list_x = body.x;
	vs->list_w = body.w;
	if (u->wall)
		vs->sel = vs->top = 0;
	vs->target = -1;
	if (ol.total) {
		struct item it = olist_at(&ol, (size_t)vs->sel);
		vs->target = it.kind == IT_HOST ? (int)it.i : -1;
	}
	for (int k = vs->top; k < (int)ol.total && k < vs->top + vs->page; k++) {
		struct item it = olist_at(&ol, (size_t)k);
		bool sel = k == vs->sel && !u->wall;
		if (it.kind == IT_HOST)
			host_row(c, &l, body, y++, u, it.i, sel);
		else if (it.kind == IT_PROM_HEAD && it.seg)
			prom_head_row(c, body, y++, u, it.seg, sel);
		else if (it.seg)
			prom_host_row(c, &l, body, y++, u, &it, s->filter, sel);
	}
	prom_ask(u, &ol, s->filter, vs->top, vs->page);
	if (ol.total == 0)
		cells_text(c, body.x + 1, y, body.w - 2, ROLE_DIM,
			   n == 0 ? "No hosts in this fleet" : "No host matches the filter");
	if (vs->top + vs->page < (int)ol.total)
		cells_textf(c, body.x + 1, body.y + host_h - 1, body.w - 2, ROLE_DIM,
			    "%d more below", (int)ol.total - vs->top - vs->page);
	alerts_draw(c, (struct rect){ body.x, body.y + host_h, body.w, body.h - host_h }, u);
	olist_free(&ol);
}

static int overview_target(const struct ui_ctx *u, const struct ui_state *s, int item)
{
	struct olist ol;
	int target = -1;

	olist_build(&ol, u, s->filter);
	if (item >= 0 && (size_t)item < ol.total) {
		struct item it = olist_at(&ol, (size_t)item);
		if (it.kind == IT_HOST)
			target = (int)it.i;
	}
	olist_free(&ol);
	return target;
}

const struct view view_overview = {
	.name = "overview",
	.title = "Overview",
	.help = "one row per host: status, load, CPU, memory, PSI, disk, containers, GPUs; alerts",
	.ready = true,
	.draw = overview_draw,
	.target = overview_target,
};
