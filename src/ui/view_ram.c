/* View 3, RAM: who uses the memory on each host, and does the reserve hold?
 *
 * Per host, four rows: a summary line (status, used/total, available
 * against ram_reserve, swap, PSI with its history, OOM kills), a stacked bar
 * (one segment per container with a known usage, "other" = host processes,
 * then free) with the reserve drawn as a marker, a legend naming each
 * segment (containers without a memory limit flagged), and a spacer. Hosts
 * under most pressure come first. Enter opens a table of the selected
 * host's containers; Enter, Backspace or Left go back (Esc belongs to the
 * framework: it leaves screens and clears the filter). */
#include "config.h"
#include "ui/views.h"
#include "history/history.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROWS_PER_HOST 4
#define MAX_ROWS 1024

/* Fill roles of the container segments, in turn; the legend uses the same. */
static const int seg_roles[] = { ROLE_BAR_USED, ROLE_BAR_SWAP, ROLE_OK, ROLE_TITLE, ROLE_HEADER };
#define NSEG_ROLES ((int)(sizeof(seg_roles) / sizeof(seg_roles[0])))

static bool breached(const struct fleet_host *fh, const struct host_sample *s)
{
	return fh->ram_reserve >= 0 && (s->valid & HV_MEM) &&
	       s->mem_available < (uint64_t)fh->ram_reserve;
}

static const struct host_containers *host_ctrs(const struct ui_ctx *u, size_t i)
{
	if (i >= snapshot_count(u->snap, DOM_CONTAINER) || !snap_containers(u->snap, i)->collected)
		return NULL;
	return snap_containers(u->snap, i);
}

/* The host's status as this view judges it: the host's own, its
 * containers/HOST target (overcommit, engine, missing) and every container
 * target, worst first, so a host whose service container is down is not
 * shown OK just because the host itself is fine. */
static enum status ram_status(const struct ui_ctx *u, size_t i)
{
	const struct host_containers *hc = host_ctrs(u, i);
	const struct target_eval *t = rules_target_find(u->ev, DOM_CONTAINER, (int)i, -1);
	enum status st = u->ev->hosts[i].status;

	if (t)
		st = status_worst(st, t->ev.status);
	for (int k = 0; hc && k < hc->n; k++) {
		t = rules_target_find(u->ev, DOM_CONTAINER, (int)i, k);
		if (t)
			st = status_worst(st, t->ev.status);
	}
	return st;
}

/* Pressure order: reserve breached, then status (containers included),
 * then PSI, then the share of memory in use — each as precise as the view
 * shows it (PSI to a tenth, memory to a whole percent), then the host's
 * place in the fleet. Hosts that look the same keep their order: raw
 * figures would swap rows at every poll (a wall repaints them). */
struct pressure {
	int breached, status, psi, mem;
	size_t host;
};

static struct pressure pressure(const struct ui_ctx *u, size_t i)
{
	const struct host_sample *s = snap_host(u->snap, i);
	struct pressure p = { .host = i };

	p.breached = breached(&u->f->hosts[i], s);
	p.status = (int)ram_status(u, i);
	if (s->valid & HV_PSI)
		p.psi = (int)lround(s->psi_some10 * 10);
	if ((s->valid & HV_MEM) && s->mem_total)
		p.mem = (int)lround(100.0 * (1.0 - (double)s->mem_available / (double)s->mem_total));
	return p;
}

/* Most pressure first; equal pressure in host order. */
static int pressure_cmp(const void *a, const void *b)
{
	const struct pressure *x = a, *y = b;

	if (x->breached != y->breached)
		return y->breached - x->breached;
	if (x->status != y->status)
		return y->status - x->status;
	if (x->psi != y->psi)
		return y->psi > x->psi ? 1 : -1;
	if (x->mem != y->mem)
		return y->mem > x->mem ? 1 : -1;
	return x->host < y->host ? -1 : x->host > y->host;
}

static size_t rows_collect(const struct ui_ctx *u, const char *filter, size_t *rows)
{
	struct pressure p[MAX_ROWS];
	size_t n = view_nhosts(u), k = 0;

	for (size_t i = 0; i < n && k < MAX_ROWS; i++)
		if (view_host_matches(u->f, i, filter))
			p[k++] = pressure(u, i);
	qsort(p, k, sizeof(p[0]), pressure_cmp);
	for (size_t r = 0; r < k; r++)
		rows[r] = p[r].host;
	return k;
}

static bool no_limit(const struct container_sample *c)
{
	return (c->valid & CV_LIMIT) && c->mem_limit == 0;
}

/* "toneforge-server" -> key '1'; the bar and the legend share it. */
static char seg_key(int k)
{
	return k < 9 ? (char)('1' + k) : (char)('a' + (k - 9) % 26);
}

/* Below this width the summary line uses short labels and puts PSI and OOM
 * before swap, so the pressure figures survive at 80 columns. */
#define SUMMARY_WIDE 100

/* Draws s at *cx only when it fits whole: a cut "PSI 1" would lie. */
static bool item(struct cells *c, int *cx, int y, int end, int role, const char *s)
{
	int w = cells_text_width(c, s);

	if (*cx + w > end)
		return false;
	*cx += cells_text(c, *cx, y, w, role, s) + 2;
	return true;
}

/* PSI and, when it fits with `keep` columns left over, its history. */
static void psi_item(struct cells *c, int *cx, int y, int end, const struct ui_ctx *u, size_t i,
		     int keep)
{
	const struct fleet_host *fh = &u->f->hosts[i];
	const struct host_sample *s = snap_host(u->snap, i);
	int vrole = u->ev->hosts[i].stale ? ROLE_STALE : ROLE_NORMAL, room;
	char buf[32];

	if (!(s->valid & HV_PSI)) {
		item(c, cx, y, end, vrole, "PSI n/a");
		return;
	}
	str_fmt(buf, sizeof(buf), "PSI %.1f", s->psi_some10);
	if (!item(c, cx, y, end, s->psi_some10 > fh->th.psi_warn && fh->th.psi_warn > 0 ? ROLE_WARN
		  : vrole, buf))
		return;
	room = end - keep - (*cx - 1);   /* the history follows its figure after one space */
	if (room < 8)
		return;
	/* the last ten minutes (history/history.h) */
	view_trend(c, *cx - 1, y, room < 12 ? room : 12, u, HM_HOST_PSI, i, "", 600, 0, 100, vrole);
	*cx += (room < 12 ? room : 12) + 1;
}

/* Columns "OOM n" takes with its gap, 0 when OOM is not known. */
static int oom_width(const struct cells *c, const struct host_sample *s)
{
	char buf[32];

	if (!(s->valid & HV_OOM))
		return 0;
	str_fmt(buf, sizeof(buf), "OOM %llu", (unsigned long long)s->oom_kills);
	return cells_text_width(c, buf) + 2;
}

static void oom_item(struct cells *c, int *cx, int y, int end, const struct ui_ctx *u, size_t i)
{
	const struct host_sample *s = snap_host(u->snap, i);
	char buf[32];

	if (!(s->valid & HV_OOM))
		return;
	str_fmt(buf, sizeof(buf), "OOM %llu", (unsigned long long)s->oom_kills);
	item(c, cx, y, end, u->ev->hosts[i].stale ? ROLE_STALE : ROLE_NORMAL, buf);
}

static void swap_item(struct cells *c, int *cx, int y, int end, const struct ui_ctx *u, size_t i)
{
	const struct host_sample *s = snap_host(u->snap, i);
	char a[16], b[16], buf[48];

	if (!(s->valid & HV_SWAP))
		return;
	str_fmt(buf, sizeof(buf), "swap %s/%s", fmt_bytes(a, sizeof(a), (double)s->swap_used),
		fmt_bytes(b, sizeof(b), (double)s->swap_total));
	item(c, cx, y, end, u->ev->hosts[i].stale ? ROLE_STALE : ROLE_NORMAL, buf);
}

static void summary_line(struct cells *c, int x, int y, int w, const struct ui_ctx *u, size_t i)
{
	const struct fleet_host *fh = &u->f->hosts[i];
	const struct host_sample *s = snap_host(u->snap, i);
	const struct host_eval *he = &u->ev->hosts[i];
	enum status st = ram_status(u, i);
	bool wide = w >= SUMMARY_WIDE;
	int vrole = he->stale ? ROLE_STALE : ROLE_NORMAL, cx = x, end = x + w;
	char a[16], b[16], r[16], buf[128];

	if (he->stale && st != ST_WARN && st != ST_CRIT)
		cells_text(c, cx, y, 7, ROLE_STALE, "STALE");
	else
		cells_text(c, cx, y, 7, view_status_role(st), view_status_word(st));
	cx += 8;
	cx += cells_text_ellipsis(c, cx, y, wide ? 20 : 12, he->stale ? ROLE_STALE : ROLE_TITLE,
				  fh->name) + 2;
	if (!(s->valid & HV_MEM) || !s->mem_total) {
		cells_text(c, cx, y, end - cx, vrole, "memory n/a");
		return;
	}
	fmt_bytes(a, sizeof(a), (double)(s->mem_total - (s->mem_available < s->mem_total
							  ? s->mem_available : s->mem_total)));
	fmt_bytes(b, sizeof(b), (double)s->mem_total);
	fmt_bytes(r, sizeof(r), (double)s->mem_available);
	str_fmt(buf, sizeof(buf), wide ? "used %s/%s  avail %s" : "%s/%s avail %s", a, b, r);
	cx += cells_text(c, cx, y, end - cx, vrole, buf) + 2;
	if (fh->ram_reserve >= 0) {
		bool br = breached(fh, s);
		str_fmt(buf, sizeof(buf), "%s %s %s", wide ? "reserve" : "rsv",
			fmt_bytes(a, sizeof(a), (double)fh->ram_reserve), br ? "BREACHED" : "holds");
		cx += cells_text(c, cx, y, end - cx, br ? ROLE_CRIT : he->stale ? ROLE_STALE : ROLE_OK,
				 buf) + 2;
	}
	if (wide)
		swap_item(c, &cx, y, end, u, i);
	psi_item(c, &cx, y, end, u, i, wide ? 0 : oom_width(c, s));
	oom_item(c, &cx, y, end, u, i);
	if (!wide)
		swap_item(c, &cx, y, end, u, i);
}

/* Fills [x0, x1) of the bar row with a segment. */
static void seg_fill(struct cells *c, int x0, int x1, int y, int role, char key)
{
	for (int x = x0; x < x1; x++)
		cells_put(c, x, y, cells_glyph(c, G_BAR_FULL), role);
	if (key && x1 - x0 >= 2)
		cells_put(c, x0, y, (uint32_t)key, ROLE_SELECTED);
}

/* The reserve as a marker on the bar, measured from the free (right) end.
 * A reserve larger than the whole memory cannot be placed on the bar; it is
 * still drawn, at the right edge and crit, so it never silently vanishes. */
static void reserve_marker(struct cells *c, int x, int y, int w, double reserve, double total,
			   bool br)
{
	int mx = x + w - 1;

	if (reserve <= total) {
		mx = x + (int)((1.0 - reserve / total) * w);
		if (mx >= x + w)
			mx = x + w - 1;
	}
	cells_put(c, mx, y, cells_glyph(c, G_MARKER),
		  br || reserve > total ? ROLE_CRIT : ROLE_BAR_RESERVE);
}

static void bar_line(struct cells *c, int x, int y, int w, const struct ui_ctx *u, size_t i)
{
	const struct fleet_host *fh = &u->f->hosts[i];
	const struct host_sample *s = snap_host(u->snap, i);
	const struct host_containers *hc = host_ctrs(u, i);
	bool stale = u->ev->hosts[i].stale;
	double total, used, acc = 0;
	int pos = x;

	if (w < 4 || !(s->valid & HV_MEM) || !s->mem_total)
		return;
	total = (double)s->mem_total;
	used = total - (double)(s->mem_available < s->mem_total ? s->mem_available : s->mem_total);
	for (int k = 0; hc && k < hc->n; k++) {
		const struct container_sample *ct = &hc->c[k];
		int end;
		if (!(ct->valid & CV_MEM) || acc + (double)ct->mem_used > used)
			continue;
		acc += (double)ct->mem_used;
		end = x + (int)(acc / total * w + 0.5);
		seg_fill(c, pos, end, y, stale ? ROLE_STALE : seg_roles[k % NSEG_ROLES], seg_key(k));
		pos = end > pos ? end : pos;
	}
	/* other: what the host's own processes (and unknown containers) use */
	{
		int end = x + (int)(used / total * w + 0.5);
		for (int xx = pos; xx < end; xx++)
			cells_put(c, xx, y, cells_glyph(c, G_SHADE), stale ? ROLE_STALE : ROLE_DIM);
		pos = end > pos ? end : pos;
	}
	for (int xx = pos; xx < x + w; xx++)
		cells_put(c, xx, y, cells_glyph(c, G_BAR_FREE), ROLE_BAR_FREE);
	if (fh->ram_reserve > 0)
		reserve_marker(c, x, y, w, (double)fh->ram_reserve, total, breached(fh, s));
}

/* "1 toneforge-server 410M no limit  2 golivebro 300M  other 1.1G  free 400M" */
static void legend_line(struct cells *c, int x, int y, int w, const struct ui_ctx *u, size_t i)
{
	const struct host_sample *s = snap_host(u->snap, i);
	const struct host_containers *hc = host_ctrs(u, i);
	int cx = x, end = x + w;
	double acc = 0;
	char a[16], buf[96];

	if (!hc) {
		cells_text(c, cx, y, w, ROLE_DIM, "containers: not read yet");
		return;
	}
	if (hc->err != CE_NONE && hc->n == 0) {
		cells_text_ellipsis(c, cx, y, w, hc->err == CE_NO_ENGINE ? ROLE_DIM : ROLE_UNKNOWN,
				    hc->error);
		return;
	}
	if (hc->n == 0)
		cx += cells_text(c, cx, y, w, ROLE_DIM, "no containers") + 2;
	for (int k = 0; k < hc->n && cx < end; k++) {
		const struct container_sample *ct = &hc->c[k];
		const struct target_eval *t = rules_target_find(u->ev, DOM_CONTAINER, (int)i, k);
		bool flag = t && t->ev.status >= ST_WARN;

		cx += cells_put(c, cx, y, (uint32_t)seg_key(k), seg_roles[k % NSEG_ROLES]);
		cx++;
		if (ct->valid & CV_MEM)
			acc += (double)ct->mem_used;
		str_fmt(buf, sizeof(buf), "%s %s", ct->name,
			ct->valid & CV_MEM ? fmt_bytes(a, sizeof(a), (double)ct->mem_used)
			: strcmp(ct->state, "running") ? ct->state : "n/a");
		cx += cells_text_ellipsis(c, cx, y, end - cx, flag ? view_status_role(t->ev.status)
					  : ROLE_NORMAL, buf) + 1;
		if (no_limit(ct))
			cx += cells_text(c, cx, y, end - cx, flag ? ROLE_WARN : ROLE_DIM, "no limit") + 1;
		cx++;
	}
	if ((s->valid & HV_MEM) && cx < end) {
		double used = (double)s->mem_total - (double)s->mem_available;
		str_fmt(buf, sizeof(buf), "other %s", fmt_bytes(a, sizeof(a), used > acc ? used - acc : 0));
		cx += cells_text(c, cx, y, end - cx, ROLE_DIM, buf) + 2;
		str_fmt(buf, sizeof(buf), "free %s", fmt_bytes(a, sizeof(a), (double)s->mem_available));
		cells_text(c, cx, y, end - cx, ROLE_NORMAL, buf);
	}
}

/* The host-wide container problems (overcommit, engine, missing) and the
 * reserve crit, after the legend when there is room: on the spacer row. */
static void problems_line(struct cells *c, int x, int y, int w, const struct ui_ctx *u, size_t i)
{
	const struct target_eval *t = rules_target_find(u->ev, DOM_CONTAINER, (int)i, -1);
	const struct host_eval *he = &u->ev->hosts[i];
	int cx = x;

	for (int p = 0; p < he->nproblems && cx < x + w; p++)
		if (!strcmp(he->problems[p].code, "reserve") || !strcmp(he->problems[p].code, "psi") ||
		    !strcmp(he->problems[p].code, "oom"))
			cx += cells_text_ellipsis(c, cx, y, x + w - cx,
						  view_status_role(he->problems[p].severity),
						  he->problems[p].text) + 2;
	for (int p = 0; t && p < t->ev.nproblems && cx < x + w; p++) {
		if (!strcmp(t->ev.problems[p].code, "engine") && t->ev.problems[p].severity == ST_UNKNOWN &&
		    host_ctrs(u, i) && host_ctrs(u, i)->n == 0)
			continue;   /* already the legend */
		cx += cells_text_ellipsis(c, cx, y, x + w - cx, view_status_role(t->ev.problems[p].severity),
					  t->ev.problems[p].text) + 2;
	}
}

static void list_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		      const struct ui_state *s, struct view_state *vs)
{
	size_t rows[MAX_ROWS], n = rows_collect(u, s->filter, rows);
	int page = (body.h - 1) / ROWS_PER_HOST;
	int x = body.x + 1, w = body.w - 2;

	cells_text(c, x, body.y, w, ROLE_HEADER,
		   "RAM by container (bar: containers, other = host processes, free; | = reserve)");
	view_list_layout(vs, (int)n, page, body.y + 1);
	vs->target = n ? (int)rows[vs->sel] : -1;
	if (!n) {
		cells_text(c, x, body.y + 2, w, ROLE_DIM, s->filter[0] ? "no host matches the filter"
			   : "no hosts");
		return;
	}
	for (int k = 0; k < page && vs->top + k < (int)n; k++) {
		size_t i = rows[vs->top + k];
		int y = body.y + 1 + k * ROWS_PER_HOST;

		summary_line(c, x, y, w, u, i);
		bar_line(c, x + 8, y + 1, w - 8, u, i);
		legend_line(c, x + 8, y + 2, w - 8, u, i);
		problems_line(c, x + 8, y + 3, w - 8, u, i);
		if (vs->top + k == vs->sel && !u->wall)
			cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
	}
}

/* Below this width the table drops CPU and IMAGE and narrows the other
 * columns, so that PROBLEM (why a container is CRIT) stays on screen. */
#define TABLE_WIDE 110

/* The memory trend at the end of a wide container row, when the image
 * keeps 20 columns beside it. */
#define TREND_W 12
#define TREND_ROOM (20 + 1 + TREND_W)
#define TABLE_WIDE_USED (8 + 24 + 1 + 9 + 1 + 8 + 1 + 8 + 1 + 7 + 1 + 4 + 2 + 31)

static void table_row(struct cells *c, int x, int y, int w, const struct ui_ctx *u, size_t i, int k)
{
	const struct container_sample *ct = &snap_containers(u->snap, i)->c[k];
	const struct target_eval *t = rules_target_find(u->ev, DOM_CONTAINER, (int)i, k);
	enum status st = t ? t->ev.status : ST_UNKNOWN;
	const char *problem = t && t->ev.nproblems ? t->ev.problems[0].text : "";
	int role = t && t->ev.stale ? ROLE_STALE : ROLE_NORMAL;
	char used[16], lim[16], cpu[16], rs[16], buf[256];
	int cx;

	str_copy(used, "n/a", sizeof(used));
	if (ct->valid & CV_MEM)
		fmt_bytes(used, sizeof(used), (double)ct->mem_used);
	str_copy(lim, !(ct->valid & CV_LIMIT) ? "n/a" : ct->mem_limit ? "" : "none", sizeof(lim));
	if ((ct->valid & CV_LIMIT) && ct->mem_limit)
		fmt_bytes(lim, sizeof(lim), (double)ct->mem_limit);
	str_copy(cpu, "n/a", sizeof(cpu));
	if (ct->valid & CV_CPU)
		str_fmt(cpu, sizeof(cpu), "%.1f%%", ct->cpu_pct);
	str_copy(rs, "n/a", sizeof(rs));
	if (ct->valid & CV_RESTARTS)
		str_fmt(rs, sizeof(rs), "%d", ct->restarts);
	cells_text(c, x, y, 7, view_status_role(st), view_status_word(st));
	if (w < TABLE_WIDE)
		str_fmt(buf, sizeof(buf), "%-16.16s %-8.8s %6s %6s %4s", ct->name, ct->state, used, lim,
			rs);
	else
		str_fmt(buf, sizeof(buf), "%-24.24s %-9.9s %8s %8s %7s %4s", ct->name, ct->state, used,
			lim, cpu, rs);
	cx = x + 8 + cells_text(c, x + 8, y, w - 8, role, buf) + 2;
	if (w < TABLE_WIDE) {
		cells_text_ellipsis(c, cx, y, x + w - cx, t ? view_status_role(st) : role, problem);
		return;
	}
	cells_text_ellipsis(c, cx, y, 30 < x + w - cx ? 30 : x + w - cx,
			    t ? view_status_role(st) : role, problem);
	/* a wide table ends with the container's memory over 15 minutes */
	if (x + w - (cx + 31) >= TREND_ROOM) {
		cells_text_ellipsis(c, cx + 31, y, x + w - cx - 31 - TREND_W - 1, role, ct->image);
		view_trend(c, x + w - TREND_W, y, TREND_W, u, HM_CONTAINER_MEM, i, ct->name, 900,
			   0, (ct->valid & CV_LIMIT) && ct->mem_limit ? (double)ct->mem_limit : 0,
			   ROLE_BAR_USED);
		return;
	}
	cells_text_ellipsis(c, cx + 31, y, x + w - cx - 31, role, ct->image);
}

/* One problem as "name: text" across the whole width; returns the next row. */
static int problem_line(struct cells *c, int x, int y, int w, const char *name,
			const struct problem *p)
{
	char buf[400];

	str_fmt(buf, sizeof(buf), "%s: %s", name, p->text);
	cells_text_ellipsis(c, x, y, w, view_status_role(p->severity), buf);
	return y + 1;
}

/* Under the table, every problem at full width: the PROBLEM column cuts
 * them, and the host-wide ones (overcommit, missing, engine) have no row. */
static void table_problems(struct cells *c, int x, int y, int w, int ylim, const struct ui_ctx *u,
			   size_t i)
{
	const struct host_containers *hc = host_ctrs(u, i);
	const struct target_eval *t = rules_target_find(u->ev, DOM_CONTAINER, (int)i, -1);

	for (int p = 0; t && p < t->ev.nproblems && y < ylim; p++)
		y = problem_line(c, x, y, w, "containers", &t->ev.problems[p]);
	for (int k = 0; hc && k < hc->n && y < ylim; k++) {
		t = rules_target_find(u->ev, DOM_CONTAINER, (int)i, k);
		for (int p = 0; t && p < t->ev.nproblems && y < ylim; p++)
			y = problem_line(c, x, y, w, hc->c[k].name, &t->ev.problems[p]);
	}
}

static void table_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		       struct view_state *vs)
{
	size_t i = (size_t)vs->sub_item;
	const struct host_containers *hc = host_ctrs(u, i);
	int x = body.x + 1, w = body.w - 2, page = body.h - 3, n = hc ? hc->n : 0;

	vs->target = vs->sub_item;
	cells_textf(c, x, body.y, w, ROLE_TITLE, "Containers on %s  %s%s(Enter/Backspace: back)",
		    u->f->hosts[i].name, hc && hc->via[0] ? hc->via : "", hc && hc->via[0] ? "  " : "");
	if (w < TABLE_WIDE)
		cells_textf(c, x, body.y + 1, w, ROLE_HEADER, "%-7s %-16s %-8s %6s %6s %4s  %s",
			    "STATUS", "NAME", "STATE", "MEM", "LIMIT", "RST", "PROBLEM");
	else
		cells_textf(c, x, body.y + 1, w, ROLE_HEADER, "%-7s %-24s %-9s %8s %8s %7s %4s  %-30s %s",
			    "STATUS", "NAME", "STATE", "MEM", "LIMIT", "CPU", "RST", "PROBLEM", "IMAGE");
	if (w >= TABLE_WIDE && w - TABLE_WIDE_USED >= TREND_ROOM)
		cells_text(c, x + w - TREND_W, body.y + 1, TREND_W, ROLE_HEADER, "MEM 15m");
	if (!hc || (hc->n == 0)) {
		cells_text(c, x, body.y + 2, w, ROLE_DIM, !hc ? "containers not read yet"
			   : hc->error[0] ? hc->error : "no containers");
		return;
	}
	if (vs->sub_top > n - (page > 0 ? page : 1))
		vs->sub_top = n - (page > 0 ? page : 1);
	if (vs->sub_top < 0)
		vs->sub_top = 0;
	for (int k = 0; k < page && vs->sub_top + k < n; k++)
		table_row(c, x, body.y + 2 + k, w, u, i, vs->sub_top + k);
	table_problems(c, x, body.y + 3 + (n - vs->sub_top < page ? n - vs->sub_top : page), w,
		       body.y + body.h - 1, u, i);
	if (hc->total > hc->n)
		cells_textf(c, x, body.y + body.h - 1, w, ROLE_DIM, "(%d more not shown)",
			    hc->total - hc->n);
}

static void ram_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		     const struct ui_state *s, struct view_state *vs)
{
	if (vs->sub_open && vs->sub_item >= 0 && (size_t)vs->sub_item < view_nhosts(u)) {
		view_list_layout(vs, vs->nitems, vs->page, vs->list_y);
		table_draw(c, body, u, vs);
		return;
	}
	vs->sub_open = false;
	list_draw(c, body, u, s, vs);
}

static int ram_target(const struct ui_ctx *u, const struct ui_state *s, int item)
{
	size_t rows[MAX_ROWS], n = rows_collect(u, s->filter, rows);

	return item >= 0 && (size_t)item < n ? (int)rows[item] : -1;
}

static bool ram_key(struct ui_state *s, const struct ui_ctx *u, struct view_state *vs, int key)
{
	if (vs->sub_open) {
		if (key == UK_ENTER || key == '\r' || key == UK_BACKSPACE || key == UK_LEFT ||
		    key == 8 || key == 'h' || key == UK_ESC) {
			vs->sub_open = false;
			return true;
		}
		if (key == 'j' || key == UK_DOWN)
			vs->sub_top++;
		else if (key == 'k' || key == UK_UP)
			vs->sub_top = vs->sub_top > 0 ? vs->sub_top - 1 : 0;
		return true;   /* the table owns every other key while it is open */
	}
	if (key == UK_ENTER || key == '\r') {
		int h = ram_target(u, s, vs->sel);
		if (h < 0)
			return false;
		vs->sub_open = true;
		vs->sub_item = h;
		vs->sub_top = 0;
		return true;
	}
	return false;
}

static int ram_hit(const struct view_state *vs, int x, int y)
{
	if (vs->sub_open || y < vs->list_y)
		return -1;
	int item = vs->top + (y - vs->list_y) / ROWS_PER_HOST;

	(void)x;
	return item < vs->nitems ? item : -1;
}

/* The overview's CTR column (views.h): containers running/total ("2/3");
 * "-" when none are read on the host, "?" when the engine could not be read. */
static int ctr_cell(const struct ui_ctx *u, size_t i, int vrole, char *buf, size_t size)
{
	const struct host_containers *hc = i < snapshot_count(u->snap, DOM_CONTAINER) ? snap_containers(u->snap, i) : NULL;
	int up = 0;

	if (!hc || !hc->collected || hc->err == CE_NO_ENGINE) {
		str_copy(buf, "-", size);
		return ROLE_DIM;
	}
	if (hc->err != CE_NONE) {
		str_copy(buf, "?", size);
		return ROLE_UNKNOWN;
	}
	for (int k = 0; k < hc->n; k++)
		up += !strcmp(hc->c[k].state, "running");
	str_fmt(buf, size, "%d/%d", up, hc->total > hc->n ? hc->total : hc->n);
	return vrole;
}

const struct host_column ctr_column = { "CTR", 5, 10, ctr_cell };

const struct view view_ram = {
	.name = "ram",
	.title = "RAM",
	.help = "memory per host and by container against the RAM reserve",
	.ready = true,
	.draw = ram_draw,
	.on_key = ram_key,
	.hit = ram_hit,
	.target = ram_target,
	.wall_title = "RAM pressure",
	.wall_kinds = 1u << DOM_CONTAINER,
	.wall_codes = (const char *const[]){ "reserve", "psi", "oom", NULL },
};
