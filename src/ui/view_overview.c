/* View 1, Overview: one row per host, then the open alerts, worst first. */
#include "config.h"
#include "ui/views.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col {
	C_STATUS, C_NAME, C_ROLE, C_LOAD, C_CPU, C_MEMBAR, C_MEM, C_PSI, C_DISK,
	C_CTR, C_GPU, C_LAT, C_AGE,
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
	[C_MEMBAR] = { "MEMORY", 10, 30, 11, false },
	[C_MEM]    = { "USED/TOTAL", 11, 11, 3, true },
	[C_PSI]    = { "PSI", 5, 5, 5, true },
	[C_DISK]   = { "DISK", 4, 4, 2, true },
	[C_CTR]    = { "CTR", 5, 5, 10, true },
	[C_GPU]    = { "GPU", 3, 3, 9, true },
	[C_LAT]    = { "LAT", 6, 6, 7, true },
	[C_AGE]    = { "AGE", 5, 5, 4, true },
};

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
		if (l->on[i] && col_defs[i].drop > 0 &&
		    (victim < 0 || col_defs[i].drop > col_defs[victim].drop))
			victim = i;
	if (victim >= 0)
		l->on[victim] = false;
}

static int layout_grow(struct layout *l, int col, int want, int extra)
{
	int add;

	if (!l->on[col] || extra <= 0)
		return extra;
	if (want > col_defs[col].max)
		want = col_defs[col].max;
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
		l->on[i] = true;
		l->w[i] = col_defs[i].min;
	}
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
	if (col_defs[col].right)
		cells_text_right(c, l->x[col], y, l->w[col], role, s);
	else
		cells_text_ellipsis(c, l->x[col], y, l->w[col], role, s);
}

static void header_row(struct cells *c, const struct layout *l, struct rect body, int y)
{
	cells_fill(c, (struct rect){ body.x, y, body.w, 1 }, ' ', ROLE_HEADER);
	for (int i = 0; i < C_COUNT; i++)
		col_text(c, l, i, y, ROLE_HEADER, col_defs[i].header);
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
			const struct host_sample *s, const struct host_eval *he)
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
	if (he->age >= 0)
		fmt_age(buf, sizeof(buf), he->age);
	col_text(c, l, C_AGE, y, he->stale ? ROLE_STALE : ROLE_DIM, he->age >= 0 ? buf : "never");
}

/* Containers running/total ("2/3"); "-" when none are read on the host, and
 * "?" when the engine could not be read. */
static void ctr_cell(struct cells *c, const struct layout *l, int y, int vrole,
		     const struct ui_ctx *u, size_t i)
{
	const struct host_containers *hc = i < snapshot_count(u->snap, DOM_CONTAINER) ? snap_containers(u->snap, i) : NULL;
	char buf[16];
	int up = 0;

	if (!hc || !hc->collected || hc->err == CE_NO_ENGINE) {
		col_text(c, l, C_CTR, y, ROLE_DIM, "-");
		return;
	}
	if (hc->err != CE_NONE) {
		col_text(c, l, C_CTR, y, ROLE_UNKNOWN, "?");
		return;
	}
	for (int k = 0; k < hc->n; k++)
		up += !strcmp(hc->c[k].state, "running");
	str_fmt(buf, sizeof(buf), "%d/%d", up, hc->total > hc->n ? hc->total : hc->n);
	col_text(c, l, C_CTR, y, vrole, buf);
}

/* GPUs on the host, coloured by the worst GPU's status; "-" when the host
 * has none (or they are not read), "?" when reading them failed. */
static void gpu_cell(struct cells *c, const struct layout *l, int y, int vrole,
		     const struct ui_ctx *u, size_t i)
{
	const struct host_gpus *hg = i < snapshot_count(u->snap, DOM_GPU) ? snap_gpus(u->snap, i) : NULL;
	enum status worst = ST_OK;
	char buf[16];

	if (!hg || !hg->collected || hg->absent || (hg->n == 0 && !hg->error[0])) {
		col_text(c, l, C_GPU, y, ROLE_DIM, "-");
		return;
	}
	for (size_t t = 0; t < u->ev->ntargets; t++)
		if (u->ev->targets[t].kind == TK_GPU && u->ev->targets[t].index == (int)i)
			worst = status_worst(worst, u->ev->targets[t].ev.status);
	if (hg->n == 0) {
		col_text(c, l, C_GPU, y, view_status_role(worst), "?");
		return;
	}
	str_fmt(buf, sizeof(buf), "%d", hg->n);
	col_text(c, l, C_GPU, y, worst == ST_OK ? vrole : view_status_role(worst), buf);
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
	value_cells(c, l, y, vrole, s, he);
	ctr_cell(c, l, y, vrole, u, i);
	gpu_cell(c, l, y, vrole, u, i);
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

static int text_need(const struct ui_ctx *u, const size_t *rows, size_t n, bool role)
{
	int need = 0;

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
	size_t n = view_nhosts(u), nrows;
	size_t *rows = xcalloc(n ? n : 1, sizeof(*rows));
	struct layout l;
	int host_h, page, y = body.y;

	nrows = rows_collect(u, s->filter, rows);
	host_h = host_area_height(body, nrows, u->ev ? u->ev->nalerts : 0);
	layout_compute(&l, body.x + 1, body.w - 2, text_need(u, rows, nrows, false),
		       text_need(u, rows, nrows, true));
	header_row(c, &l, body, y++);
	page = host_h - 1;
	if ((int)nrows > page)
		page--;          /* the last line says how many more */
	view_list_layout(vs, (int)nrows, page, y);
	vs->list_x = body.x;
	vs->list_w = body.w;
	if (u->wall)
		vs->sel = vs->top = 0;
	vs->target = nrows ? (int)rows[vs->sel] : -1;
	for (int k = vs->top; k < (int)nrows && k < vs->top + vs->page; k++)
		host_row(c, &l, body, y++, u, rows[k], k == vs->sel && !u->wall);
	if (nrows == 0)
		cells_text(c, body.x + 1, y, body.w - 2, ROLE_DIM,
			   n == 0 ? "No hosts in this fleet" : "No host matches the filter");
	if (vs->top + vs->page < (int)nrows)
		cells_textf(c, body.x + 1, body.y + host_h - 1, body.w - 2, ROLE_DIM,
			    "%d more below", (int)nrows - vs->top - vs->page);
	alerts_draw(c, (struct rect){ body.x, body.y + host_h, body.w, body.h - host_h }, u);
	free(rows);
}

static int overview_target(const struct ui_ctx *u, const struct ui_state *s, int item)
{
	size_t n = view_nhosts(u), nrows;
	size_t *rows = xcalloc(n ? n : 1, sizeof(*rows));
	int target = -1;

	nrows = rows_collect(u, s->filter, rows);
	if (item >= 0 && (size_t)item < nrows)
		target = (int)rows[item];
	free(rows);
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
