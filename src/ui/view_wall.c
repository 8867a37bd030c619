/* The wall display's layout (see wall.h): header, problems, fleet grid and
 * a rotating detail panel, or the DATA STALE banner when the data is dead.
 *
 * Large type (bigtext.c) is always drawn on a field of its own role, with
 * the field and the letters reversed: on a theme with status backgrounds
 * (high-contrast) that is light letters on the status colour, on a theme
 * with status foregrounds it is dark letters cut out of a coloured band,
 * and in monochrome an inverted band. Half blocks then match on every
 * theme. Every status is also a word or a symbol, never a colour alone. */
#include "config.h"
#include "ui/wall.h"
#include "ui/bigtext.h"
#include "ui/tilegrid.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HELP_SECONDS 60
#define MESSAGE_SECONDS 5
#define BIG_HEADER_W 200          /* large counts from this many columns */
#define BIG_HEADER_H 40
#define MEDIUM_HEADER_W 100
#define MEDIUM_HEADER_H 30
#define BIG_LINES_W 120           /* problems in large type from here */
#define PANEL_W_MIN 160           /* a panel beside the grid from here */
#define PANEL_H_MIN 16            /* rows the panel needs below the problems */
#define PANEL_SHARE 0.4           /* of the width, for the panel */
#define BADGE_W 9                 /* " UNKNOWN " */
#define TARGET_W_MAX 28
#define GRID_NAME_ASK 12           /* name width the grid budgets rows for */

static const enum status sev_order[] = { ST_CRIT, ST_WARN, ST_UNKNOWN, ST_OK };

/* What a tile shows: the host's status, or stale data drawn as stale. */
enum tile_kind { TILE_OK, TILE_WARN, TILE_CRIT, TILE_UNKNOWN, TILE_STALE };

static const struct {
	char symbol;
	const char *word;
} tile_look[] = {
	[TILE_OK] = { ' ', "OK" }, [TILE_WARN] = { '!', "WARN" }, [TILE_CRIT] = { 'X', "CRIT" },
	[TILE_UNKNOWN] = { '?', "UNKNOWN" }, [TILE_STALE] = { '~', "STALE" },
};

/* This frame's alerts, worst first. */
struct wall_alerts {
	size_t *idx;
	size_t n;
};

void wall_init(struct wall_state *w, double rotate, double now)
{
	memset(w, 0, sizeof(*w));
	w->rotate = rotate > 0 ? rotate : 20;
	w->panel = -1;
	w->panel_since = now;
	ui_state_init(&w->vst, NULL, true, now);
}

static void hms(double t, char *buf, size_t size)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0 || !localtime_r(&s, &tm)) {
		str_copy(buf, "--:--:--", size);
		return;
	}
	strftime(buf, size, "%H:%M:%S", &tm);
}

static enum status worst(const struct ui_ctx *u)
{
	return u->ev ? u->ev->worst : ST_UNKNOWN;
}

static int severity_count(const struct ui_ctx *u, enum status st)
{
	return u->ev ? u->ev->counts[st] + u->ev->target_counts[st] : 0;
}

bool wall_data_dead(const struct ui_ctx *u, double *last_at)
{
	size_t n = view_nhosts(u);
	bool any = n > 0;
	double grace;

	*last_at = 0;
	if (!u->ev || !u->snap)
		return false;
	for (size_t i = 0; i < n; i++) {
		double at = snap_host(u->snap, i)->sampled_at;

		if (at > 0 && !u->ev->hosts[i].stale)
			return false;
		if (at > *last_at)
			*last_at = at;
	}
	for (size_t i = 0; i < u->ev->ntargets; i++) {
		const struct host_eval *te = &u->ev->targets[i].ev;

		if (te->age < 0)
			continue;     /* keeps no time of its own, or never sampled */
		any = true;
		if (!te->stale)
			return false;
		if (u->now - te->age > *last_at)
			*last_at = u->now - te->age;
	}
	if (!any)
		return false;
	if (*last_at > 0)
		return true;
	/* nothing ever arrived: dead once start-up is clearly over */
	grace = RULES_STALE_FACTOR * (u->f && u->f->interval > 0 ? u->f->interval : 2);
	return u->snap->started_at > 0 && u->now - u->snap->started_at > grace;
}

/* ---- rotation ---- */

/* The panels: views with a wall_title (views.h), by their place in the
 * table. Bit i set: views_table[i] has something to show. */
static unsigned panels_available(const struct ui_ctx *u)
{
	unsigned kinds = 0, m = 0;

	for (size_t i = 0; u->ev && i < u->ev->ntargets; i++)
		kinds |= 1u << u->ev->targets[i].kind;
	for (int v = 0; v < views_count; v++) {
		const struct view *vw = views_table[v];

		if (vw->wall_title && ((vw->wall_kinds & kinds) ||
				       (vw->wall_codes && view_nhosts(u) > 0)))
			m |= 1u << v;
	}
	return m;
}

static bool code_listed(const char *const *codes, const char *code)
{
	for (; codes && *codes; codes++)
		if (str_starts(code, *codes))
			return true;
	return false;
}

/* The panel that shows an alert's cause: a host alert by its problem code,
 * any other by its target's kind. -1: none. */
static int alert_panel(const struct ui_ctx *u, const struct alert *a, unsigned avail)
{
	int kind = -1;

	if (!str_starts(a->target, "host/")) {
		for (size_t i = 0; i < u->ev->ntargets && kind < 0; i++)
			if (strcmp(u->ev->targets[i].target, a->target) == 0)
				kind = (int)u->ev->targets[i].kind;
		if (kind < 0)
			return -1;
	}
	for (int v = 0; v < views_count; v++) {
		const struct view *vw = views_table[v];

		if (!(avail & 1u << v))
			continue;
		if (kind < 0 ? code_listed(vw->wall_codes, a->code) : (vw->wall_kinds & 1u << kind))
			return v;
	}
	return -1;
}

/* The panel of the worst critical alert that has one, or -1. */
static int crit_panel(const struct ui_ctx *u, const struct wall_alerts *al, unsigned avail)
{
	for (size_t k = 0; k < al->n; k++) {
		const struct alert *a = &u->ev->alerts[al->idx[k]];
		int p;

		if (a->severity != ST_CRIT)
			break;
		p = alert_panel(u, a, avail);
		if (p >= 0)
			return p;
	}
	return -1;
}

static int panel_next(unsigned avail, int from)
{
	for (int i = 1; i <= views_count; i++) {
		int p = ((from < 0 ? -1 : from) + i) % views_count;

		if (p >= 0 && (avail & 1u << p))
			return p;
	}
	return -1;
}

/* Pages through the panels every w->rotate seconds while nothing is crit;
 * a crit problem holds the rotation on its panel until it clears. */
static void panel_tick(struct wall_state *w, const struct ui_ctx *u,
		       const struct wall_alerts *al, unsigned avail)
{
	int p;

	w->held = worst(u) == ST_CRIT;
	if (!avail) {
		w->panel = -1;
		return;
	}
	if (w->held) {
		p = crit_panel(u, al, avail);
		if (p >= 0)
			w->panel = p;
		else if (w->panel < 0 || !(avail & 1u << w->panel))
			w->panel = panel_next(avail, -1);
		w->panel_since = u->now;
		return;
	}
	if (w->panel < 0 || !(avail & 1u << w->panel) || u->now - w->panel_since >= w->rotate) {
		w->panel = panel_next(avail, w->panel);
		w->panel_since = u->now;
	}
}

/* ---- pieces ---- */

/* A field of `role` with text or big text drawn on it, all reversed (see
 * the top of the file). */
static void band_fill(struct cells *c, struct rect r, int role)
{
	cells_fill(c, r, ' ', role);
}

static void band_finish(struct cells *c, struct rect r, int role)
{
	cells_paint(c, r, role, CF_REVERSE | CF_BOLD);
}

/* " CRIT " on its colour; returns the columns used. */
static int badge(struct cells *c, int x, int y, int w, enum status st)
{
	char buf[16];
	int role = view_status_role(st);
	struct rect r = { x, y, w, 1 };

	band_fill(c, r, role);
	str_fmt(buf, sizeof(buf), " %s", view_status_word(st));
	cells_text(c, x, y, w, role, buf);
	band_finish(c, r, role);
	return w;
}

/* "2 CRIT  1 WARN  0 UNKNOWN  37 OK"; returns the columns used. */
static int counts_text(struct cells *c, int x, int y, int maxw, const struct ui_ctx *u)
{
	int used = 0;

	for (size_t i = 0; i < ARRAY_LEN(sev_order) && used < maxw; i++) {
		int n = severity_count(u, sev_order[i]);
		char buf[32];

		str_fmt(buf, sizeof(buf), "%d %s", n, view_status_word(sev_order[i]));
		if (i > 0)
			used += cells_text(c, x + used, y, maxw - used, ROLE_NORMAL, "   ");
		used += cells_text(c, x + used, y, maxw - used,
				   n ? view_status_role(sev_order[i]) : ROLE_DIM, buf);
	}
	return used;
}

static void data_age(const struct ui_ctx *u, char *buf, size_t size)
{
	char age[16];

	if (!u->ev || u->ev->oldest_age < 0)
		str_copy(buf, "data n/a", size);
	else
		str_fmt(buf, size, "data %s old", fmt_age(age, sizeof(age), u->ev->oldest_age));
}

static const char *fleet_name(const struct ui_ctx *u)
{
	return u->f && u->f->name ? u->f->name : "fleetdeck";
}

/* ---- header ---- */

/* "lab  CRIT  3 open problems": the word as text too, for whoever reads
 * the screen with something other than eyes. */
static void fleet_line(struct cells *c, int x, int y, int maxw, const struct ui_ctx *u, size_t n)
{
	enum status st = worst(u);
	int used = cells_text_ellipsis(c, x, y, maxw / 2, ROLE_TITLE, fleet_name(u)) + 2;

	used += cells_text(c, x + used, y, maxw - used, view_status_role(st), view_status_word(st)) + 2;
	if (n)
		cells_textf(c, x + used, y, maxw - used, ROLE_DIM, "%zu open problem%s", n,
			    n == 1 ? "" : "s");
}

/* Large: the status word in scale-2 letters on its colour, the counts in
 * scale-2 digits with their words under them, the clock in scale-1 digits. */
static int header_big(struct cells *c, const struct ui_ctx *u, size_t nprob)
{
	enum status st = worst(u);
	const char *word = view_status_word(st);
	int role = view_status_role(st);
	int bh = bigtext_height(c, 2), h = bh + 2;
	struct rect b = { 0, 0, bigtext_width(word, 2) + 6, h };
	char clock[16], age[32];
	int x, cw, clock_x;

	band_fill(c, b, role);
	bigtext_draw(c, 3, 1, b.w - 6, role, word, 2);
	band_finish(c, b, role);
	x = b.w + 3;
	fleet_line(c, x, 0, c->w - x - 1, u, nprob);

	hms(u->now, clock, sizeof(clock));
	cw = bigtext_width(clock, 1);
	clock_x = c->w - cw - 2;
	bigtext_draw(c, clock_x, 1, cw, ROLE_NORMAL, clock, 1);
	data_age(u, age, sizeof(age));
	cells_text_right(c, clock_x, h - 1, cw, ROLE_DIM, age);

	for (size_t i = 0; i < ARRAY_LEN(sev_order); i++) {
		int n = severity_count(u, sev_order[i]);
		int r = n ? view_status_role(sev_order[i]) : ROLE_DIM;
		const char *label = view_status_word(sev_order[i]);
		char num[16];
		int nw, lw, bw;

		str_fmt(num, sizeof(num), "%d", n);
		nw = bigtext_width(num, 2);
		lw = (int)strlen(label);
		bw = (nw > lw ? nw : lw);
		if (x + bw > clock_x - 2)
			break;        /* no half-drawn count */
		bigtext_draw(c, x + (bw - nw) / 2, 1, nw, r, num, 2);
		cells_text(c, x + (bw - lw) / 2, h - 1, lw, r, label);
		x += bw + 6;
	}
	return h + 1;
}

/* Medium: the word in scale-1 letters, then fleet, counts, clock as text. */
static int header_medium(struct cells *c, const struct ui_ctx *u, size_t nprob)
{
	enum status st = worst(u);
	const char *word = view_status_word(st);
	int role = view_status_role(st);
	int h = bigtext_height(c, 1) + 2;
	struct rect b = { 0, 0, bigtext_width(word, 1) + 4, h };
	char clock[16], age[32];
	int x = b.w + 2;

	band_fill(c, b, role);
	bigtext_draw(c, 2, 1, b.w - 4, role, word, 1);
	band_finish(c, b, role);
	hms(u->now, clock, sizeof(clock));
	data_age(u, age, sizeof(age));
	fleet_line(c, x, 0, c->w - x - 10, u, nprob);
	cells_text_right(c, c->w - 9, 0, 8, ROLE_NORMAL, clock);
	counts_text(c, x, 1, c->w - x, u);
	cells_text(c, x, 2, c->w - x, ROLE_DIM, age);
	return h + 1;
}

/* Small: one or two lines. */
static int header_small(struct cells *c, const struct ui_ctx *u, int bottom)
{
	char clock[16], age[32];
	int x;

	x = badge(c, 0, 0, BADGE_W < c->w ? BADGE_W : c->w, worst(u)) + 1;
	hms(u->now, clock, sizeof(clock));
	if (c->w - x >= 8 + 1 + 4) {
		cells_text_ellipsis(c, x, 0, c->w - x - 9, ROLE_TITLE, fleet_name(u));
		cells_text(c, c->w - 8, 0, 8, ROLE_NORMAL, clock);
	} else {
		cells_text(c, x, 0, c->w - x, ROLE_NORMAL, clock);
	}
	if (bottom < 6)
		return 1;
	x = counts_text(c, 0, 1, c->w, u);
	data_age(u, age, sizeof(age));
	if (x + 3 + (int)strlen(age) <= c->w)
		cells_text_right(c, x, 1, c->w - x, ROLE_DIM, age);
	return 2;
}

static int header(struct cells *c, const struct ui_ctx *u, int bottom, size_t nprob)
{
	if (c->w >= BIG_HEADER_W && bottom >= BIG_HEADER_H)
		return header_big(c, u, nprob);
	if (c->w >= MEDIUM_HEADER_W && bottom >= MEDIUM_HEADER_H)
		return header_medium(c, u, nprob);
	return header_small(c, u, bottom);
}

/* ---- problems ---- */

/* "host/lab3" is shown as "lab3"; other targets keep their kind. */
static const char *short_target(const char *t)
{
	return str_starts(t, "host/") ? t + 5 : t;
}

static void since_text(const struct ui_ctx *u, const struct alert *a, char *buf, size_t size)
{
	char age[16];

	if (a->since <= 0)
		buf[0] = '\0';
	else
		str_fmt(buf, size, "for %s", fmt_age(age, sizeof(age), u->now - a->since));
}

static void problem_small(struct cells *c, const struct ui_ctx *u, const struct alert *a,
			  int y, int x0, int w, int tw)
{
	char since[32];
	int x = x0, sw;

	x += badge(c, x, y, BADGE_W < w ? BADGE_W : w, a->severity) + 1;
	since_text(u, a, since, sizeof(since));
	sw = (int)strlen(since);
	if (x + tw + 10 + sw > x0 + w)
		sw = 0;           /* no room: the message matters more */
	x += cells_text_ellipsis(c, x, y, tw < x0 + w - x ? tw : x0 + w - x, ROLE_TITLE,
				 short_target(a->target));
	x = x0 + BADGE_W + 1 + tw + 2;
	cells_text_ellipsis(c, x, y, x0 + w - x - (sw ? sw + 2 : 0), ROLE_NORMAL, a->message);
	if (sw)
		cells_text(c, x0 + w - sw, y, sw, ROLE_DIM, since);
}

/* One problem as a band of large type: "CRIT LAB3 UNREACHABLE ...", with
 * the target and its age in ordinary text at the band's end (what a
 * screen reader, or a test, can read). */
static void problem_big(struct cells *c, const struct ui_ctx *u, const struct alert *a,
			int y, int x0, int w, int bh)
{
	int role = view_status_role(a->severity);
	struct rect r = { x0, y, w, bh };
	char text[RULES_TEXT_LEN + 128], since[32], tail[160];
	int tw, bw;

	since_text(u, a, since, sizeof(since));
	str_fmt(tail, sizeof(tail), "%s  %s", short_target(a->target), since);
	tw = cells_text_width(c, tail) + 3;
	str_fmt(text, sizeof(text), "%s %s %s", view_status_word(a->severity),
		short_target(a->target), a->message);
	band_fill(c, r, role);
	bw = bigtext_draw(c, x0 + 1, y, w - 2 - tw, role, text, 1);
	if (bigtext_fit(text, 1, w - 2 - tw) < (int)strlen(text) && bw > 0) {
		/* cut: say so with a small ellipsis after the last letter */
		cells_put(c, x0 + 1 + bw + 1, y + bh - 1, cells_glyph(c, G_ELLIPSIS), role);
	}
	cells_text_right(c, x0 + w - tw, y + bh - 1, tw - 1, role, tail);
	band_finish(c, r, role);
}

/* Whether an alert can be drawn in large type (every character in the font). */
static bool problem_can_big(const struct alert *a)
{
	return bigtext_can(a->target) && bigtext_can(a->message);
}

/* How many of the first alerts go in large type, in `rows` rows. */
static int problems_big_count(const struct cells *c, const struct wall_alerts *al,
			      const struct ui_ctx *u, int rows, int w)
{
	int bh = bigtext_height(c, 1) + 1, k = 0, n = (int)al->n;

	if (w < BIG_LINES_W)
		return 0;
	while (k < n && (k + 1) * bh + (n - k - 1) <= rows &&
	       problem_can_big(&u->ev->alerts[al->idx[k]]))
		k++;
	return k;
}

static void problems_draw(struct cells *c, const struct ui_ctx *u, const struct wall_alerts *al,
			  struct rect r, int nbig)
{
	int bh = bigtext_height(c, 1), y = r.y, tw = 4, bottom = r.y + r.h;
	size_t k;

	if (r.h <= 0)
		return;
	if (al->n == 0) {
		cells_text(c, r.x + 1, y, r.w - 1, ROLE_DIM, "no open problems");
		return;
	}
	for (k = 0; k < al->n; k++) {
		int t = cells_text_width(c, short_target(u->ev->alerts[al->idx[k]].target));
		if (t > tw)
			tw = t;
	}
	if (tw > TARGET_W_MAX)
		tw = TARGET_W_MAX;
	if (tw > (r.w - BADGE_W) / 3)
		tw = (r.w - BADGE_W) / 3;   /* narrow: leave the message room */
	for (k = 0; k < al->n && y < bottom; k++) {
		const struct alert *a = &u->ev->alerts[al->idx[k]];
		bool last_row = y == bottom - 1;

		if ((int)k < nbig) {
			problem_big(c, u, a, y, r.x, r.w, bh);
			y += bh + 1;
			continue;
		}
		if (last_row && k + 1 < al->n) {
			char buf[96];
			int more[4] = { 0 };

			for (size_t j = k; j < al->n; j++)
				more[u->ev->alerts[al->idx[j]].severity]++;
			str_fmt(buf, sizeof(buf), "+%zu more problems: %d crit, %d warn, %d unknown",
				al->n - k, more[ST_CRIT], more[ST_WARN], more[ST_UNKNOWN]);
			cells_text_ellipsis(c, r.x + 1, y, r.w - 1,
					    more[ST_CRIT] ? ROLE_CRIT : ROLE_WARN, buf);
			return;
		}
		problem_small(c, u, a, y++, r.x, r.w, tw);
	}
}

/* ---- grid ---- */

static enum tile_kind tile_kind(const struct ui_ctx *u, size_t i)
{
	const struct host_eval *he = &u->ev->hosts[i];
	enum host_conn conn = snap_host(u->snap, i)->conn;

	/* a host that fails now is news, not stale data */
	if (he->status == ST_CRIT && conn != HC_OK && conn != HC_NEVER)
		return TILE_CRIT;
	if (he->stale)
		return TILE_STALE;
	switch (he->status) {
	case ST_OK: return TILE_OK;
	case ST_WARN: return TILE_WARN;
	case ST_CRIT: return TILE_CRIT;
	case ST_UNKNOWN: break;
	}
	return TILE_UNKNOWN;
}

static int tile_role(enum tile_kind k)
{
	static const int roles[] = {
		[TILE_OK] = ROLE_OK, [TILE_WARN] = ROLE_WARN, [TILE_CRIT] = ROLE_CRIT,
		[TILE_UNKNOWN] = ROLE_UNKNOWN, [TILE_STALE] = ROLE_STALE,
	};
	return roles[k];
}

/* Worst first: crit, warn, unknown, stale, ok. */
static int tile_rank(enum tile_kind k)
{
	static const int rank[] = {
		[TILE_CRIT] = 0, [TILE_WARN] = 1, [TILE_UNKNOWN] = 2, [TILE_STALE] = 3, [TILE_OK] = 4,
	};
	return rank[k];
}

static void tile_draw(struct cells *c, const struct ui_ctx *u, const struct tile_grid *g,
		      int x, int y, size_t i)
{
	enum tile_kind k = tile_kind(u, i);
	int role = tile_role(k), name_role = k == TILE_STALE ? ROLE_STALE : role;
	struct rect r = { x, y, g->tile_w, g->tile_h };
	int pad = g->tile_h > 1 ? 2 : 0, ty = g->big ? y + 1 : y + g->tile_h / 2;
	const char *name = u->f->hosts[i].name;
	char sym[2] = { tile_look[k].symbol, '\0' };

	/* stale data gets no colour field at all: it is not a status */
	if (k != TILE_STALE)
		band_fill(c, r, role);
	if (g->big) {
		char text[128];

		str_fmt(text, sizeof(text), "%s %s", sym, name);
		bigtext_draw(c, x + pad, ty, g->tile_w - 2 * pad, name_role, text, 1);
		ty += g->big - 1;
	} else {
		cells_text(c, x + pad, ty, 1, role, sym);
		cells_text_ellipsis(c, x + pad + 2, ty, g->name_w, name_role, name);
	}
	if (g->tile_h > 2) {
		char word[32], age[16];
		/* under the name: past the symbol and its gap */
		int wx = x + pad + (g->big ? bigtext_width("X ", 1) + 1 : 2);

		if (k == TILE_STALE)
			str_fmt(word, sizeof(word), "STALE %s", fmt_age(age, sizeof(age), rules_host_age(u->ev, i)));
		else
			str_copy(word, tile_look[k].word, sizeof(word));
		cells_text(c, wx, ty + 1, x + g->tile_w - wx, role, word);
	}
	if (k != TILE_STALE)
		band_finish(c, r, role);
}

static int grid_name_width(const struct cells *c, const struct ui_ctx *u, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++) {
		int t = cells_text_width(c, u->f->hosts[i].name);
		if (t > w)
			w = t;
	}
	return w;
}

/* Large-type names only when every name can be drawn so. */
static bool grid_names_big(const struct ui_ctx *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!bigtext_can(u->f->hosts[i].name))
			return false;
	return true;
}

static size_t *grid_order(const struct ui_ctx *u, size_t n, bool worst_first)
{
	size_t *order = xcalloc(n ? n : 1, sizeof(*order)), k = 0;

	if (!worst_first) {
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		return order;
	}
	for (int rank = 0; rank <= 4; rank++)
		for (size_t i = 0; i < n; i++)
			if (tile_rank(tile_kind(u, i)) == rank)
				order[k++] = i;
	return order;
}

static void grid_draw(struct cells *c, const struct ui_ctx *u, struct rect r)
{
	size_t n = view_nhosts(u), *order;
	struct tile_grid g;
	struct rect old;
	int x = r.x;

	if (r.h <= 0 || r.w <= 0)
		return;
	old = cells_clip(c, r);
	g = tile_grid_layout((int)n, grid_name_width(c, u, n), r.w, r.h - 1,
			     grid_names_big(u, n) ? bigtext_height(c, 1) : 0);
	x += cells_textf(c, x, r.y, r.w, ROLE_HEADER, "Hosts %zu", n) + 3;
	cells_text(c, x, r.y, r.x + r.w - x, ROLE_DIM,
		   g.shown < (int)n ? "X crit  ! warn  ? unknown  ~ stale   worst first"
				    : "X crit  ! warn  ? unknown  ~ stale");
	order = grid_order(u, n, g.shown < (int)n);
	for (int k = 0; k < g.shown; k++) {
		int tx, ty;

		tile_grid_pos(&g, k, &tx, &ty);
		tile_draw(c, u, &g, r.x + tx, r.y + 1 + ty, order[k]);
	}
	if (g.shown < (int)n && g.cols > 0) {
		int tx, ty;

		tile_grid_pos(&g, g.shown, &tx, &ty);
		cells_textf(c, r.x + tx, r.y + 1 + ty, g.tile_w, ROLE_NORMAL, "+%d more",
			    (int)n - g.shown);
	}
	free(order);
	c->clip = old;
}

/* Rows the grid asks for (title and one-row tiles, names cut to a dozen
 * columns) in w columns. */
static int grid_rows_needed(const struct cells *c, const struct ui_ctx *u, int w)
{
	size_t n = view_nhosts(u);
	int nw = grid_name_width(c, u, n);

	return 1 + tile_grid_rows((int)n, nw < GRID_NAME_ASK ? nw : GRID_NAME_ASK, w);
}

/* ---- panel ---- */

static void panel_draw(struct cells *c, const struct ui_ctx *u, struct wall_state *w,
		       struct rect r, unsigned avail)
{
	const struct view *vw = views_table[w->panel];
	int npanels = 0, nth = 0;
	struct rect inner = { r.x + 1, r.y + 1, r.w - 2, r.h - 2 }, old;
	char title[128], tail[48];

	if (r.w < 20 || r.h < 4)
		return;
	for (int p = 0; p < views_count; p++) {
		if (!(avail & 1u << p))
			continue;
		npanels++;
		if (p == w->panel)
			nth = npanels;
	}
	if (w->held)
		str_copy(tail, "held: critical", sizeof(tail));
	else if (npanels > 1)
		str_fmt(tail, sizeof(tail), "next in %.0fs", w->rotate - (u->now - w->panel_since));
	else
		tail[0] = '\0';
	str_fmt(title, sizeof(title), " %s  %d/%d  %s ", vw->wall_title, nth, npanels, tail);
	cells_box(c, r, w->held ? ROLE_CRIT : ROLE_BORDER, title);
	old = cells_clip(c, inner);
	vw->draw(c, inner, u, &w->vst, &w->vst.vs[w->panel]);
	c->clip = old;
}

/* ---- body: problems above, grid (and panel) below ---- */

static void body_draw(struct cells *c, const struct ui_ctx *u, struct wall_state *w,
		      struct rect r, const struct wall_alerts *al, unsigned avail)
{
	bool panel = w->panel >= 0 && r.w >= PANEL_W_MIN;
	int pw = panel ? (int)(r.w * PANEL_SHARE) : 0;
	int gw = r.w - (panel ? pw + 1 : 0);
	int want = al->n ? (int)al->n : 1, grid_need, prob, spare, nbig, lower;

	if (r.h <= 0)
		return;
	grid_need = grid_rows_needed(c, u, gw);
	if (panel && grid_need > r.h - 1 - (want < 3 ? want : 3)) {
		/* every host before any panel: the grid takes the whole width */
		panel = false;
		gw = r.w;
		grid_need = grid_rows_needed(c, u, gw);
	}
	if (panel && grid_need < PANEL_H_MIN)
		grid_need = PANEL_H_MIN;
	/* the problems get what they need, but leave the grid at least half
	 * the rows when it wants them (a "+N more" line sums up the rest) */
	prob = r.h - grid_need - 1;
	if (prob > want)
		prob = want;
	if (prob < want && prob < r.h / 2)
		prob = want < r.h / 2 ? want : r.h / 2;
	if (prob < 1)
		prob = r.h >= 1 ? 1 : 0;
	spare = r.h - 1 - grid_need - prob;
	nbig = problems_big_count(c, al, u, prob + (spare > 0 ? spare : 0), r.w);
	if (nbig > 0) {
		int bh = bigtext_height(c, 1) + 1;
		prob = nbig * bh + ((int)al->n - nbig);
		if (prob > r.h)
			prob = r.h;
	}
	problems_draw(c, u, al, (struct rect){ r.x, r.y, r.w, prob }, nbig);
	lower = r.h - prob - 1;
	if (lower <= 0)
		return;
	if (panel && lower < PANEL_H_MIN / 2) {
		panel = false;
		gw = r.w;
	}
	grid_draw(c, u, (struct rect){ r.x, r.y + prob + 1, gw, lower });
	if (panel)
		panel_draw(c, u, w, (struct rect){ r.x + gw + 1, r.y + prob + 1, pw, lower }, avail);
}

/* ---- footer, help, stale ---- */

static void footer_draw(struct cells *c, const struct ui_ctx *u, const struct wall_state *w, int y)
{
	int x = 1;

	x += cells_text(c, x, y, c->w - x, ROLE_HELP, "wall display, read-only   q quit  ? legend") + 3;
	if (w->message[0] && u->now - w->message_at < MESSAGE_SECONDS)
		cells_text_ellipsis(c, x, y, c->w - x - 1, ROLE_WARN, w->message);
	else if (w->note[0])
		cells_text_ellipsis(c, x, y, c->w - x - 1, ROLE_WARN, w->note);
}

static void legend_draw(struct cells *c, const struct ui_ctx *u, const struct wall_state *w)
{
	static const char *const lines[] = {
		"Problems: worst first, then oldest first; large type while they fit.",
		"Tiles, one per host:  X crit   ! warn   ? unknown   ~ stale (no fresh data:",
		"  never drawn in its last colour)   no symbol: ok.",
		"Panels beside the grid: RAM pressure, backups vs RPO, GPUs, runners, one",
		"  after the other; held on the panel of a critical problem until it clears.",
		"DATA STALE over the whole screen: no sample for 3 intervals. The clock",
		"  keeps running while fleetdeck runs: a clock that stops means fleetdeck",
		"  itself is frozen.",
		"Keys: q quits, ? closes this legend. Nothing else does anything here:",
		"  the wall display is read-only.",
	};
	char buf[96];
	int y = 1, x = 2;

	cells_text(c, x, y++, c->w - x, ROLE_TITLE, "fleetdeck wall display: legend");
	y++;
	for (size_t i = 0; i < ARRAY_LEN(sev_order) && y < c->h; i++) {
		badge(c, x, y, BADGE_W, sev_order[i]);
		cells_text(c, x + BADGE_W + 1, y++, c->w - x - BADGE_W - 1, ROLE_NORMAL,
			   sev_order[i] == ST_OK ? "healthy" :
			   sev_order[i] == ST_WARN ? "needs attention" :
			   sev_order[i] == ST_CRIT ? "broken now" : "cannot be judged (no data, stale)");
	}
	y++;
	for (size_t i = 0; i < ARRAY_LEN(lines) && y < c->h; i++)
		cells_text(c, x, y++, c->w - x, ROLE_NORMAL, lines[i]);
	str_fmt(buf, sizeof(buf), "This legend closes by itself in %.0fs.",
		HELP_SECONDS - (u->now - w->help_since));
	cells_text(c, x, y + 1, c->w - x, ROLE_DIM, buf);
}

/* Centred text on the stale screen; returns the next row. */
static int stale_text(struct cells *c, int y, const char *s)
{
	int tw = cells_text_width(c, s), x = tw < c->w ? (c->w - tw) / 2 : 0;

	cells_text_ellipsis(c, x, y, c->w - x, ROLE_UNKNOWN, s);
	return y + 1;
}

/* Centred large text if it fits (scale 2, else 1); returns the next row. */
static int stale_big(struct cells *c, int y, int room, const char *s)
{
	for (int scale = 2; scale >= 1; scale--) {
		int bw = bigtext_width(s, scale), bh = bigtext_height(c, scale);

		if (bw + 2 <= c->w && bh + 1 <= room) {
			bigtext_draw(c, (c->w - bw) / 2, y, bw, ROLE_UNKNOWN, s, scale);
			return y + bh + 1;
		}
	}
	return y;
}

/* Dead data: the whole screen in the unknown colour, the time the data
 * stopped, and the clock, which keeps running while fleetdeck runs. */
static void stale_draw(struct cells *c, const struct ui_ctx *u, const struct wall_alerts *al,
		       double last_at)
{
	struct rect all = { 0, 0, c->w, c->h };
	char since[16], clock[16], age[16], line[256];
	int y, big_rows = c->h >= 24 ? c->h / 2 : 0;
	size_t k;

	hms(last_at > 0 ? last_at : u->snap->started_at, since, sizeof(since));
	hms(u->now, clock, sizeof(clock));
	band_fill(c, all, ROLE_UNKNOWN);
	y = c->h >= 24 ? c->h / 6 : 0;
	if (big_rows) {
		int top = y;
		y = stale_big(c, y, big_rows, "DATA STALE");
		str_fmt(line, sizeof(line), "SINCE %s", since);
		y = stale_big(c, y, big_rows - (y - top), line);
	}
	str_fmt(line, sizeof(line), "DATA STALE since %s", since);
	y = stale_text(c, y, line);
	if (last_at > 0)
		str_fmt(line, sizeof(line), "no new data for %s", fmt_age(age, sizeof(age), u->now - last_at));
	else
		str_copy(line, "no data received since start", sizeof(line));
	y = stale_text(c, y, line);
	str_fmt(line, sizeof(line), "%s   clock %s", fleet_name(u), clock);
	y = stale_text(c, y + 1, line);
	if (c->h >= 16)
		y = stale_text(c, y, "the clock runs while fleetdeck runs; the data does not");
	y++;
	for (k = 0; k < al->n && k < 3 && y < c->h; k++) {
		const struct alert *a = &u->ev->alerts[al->idx[k]];
		str_fmt(line, sizeof(line), "%s: %s", short_target(a->target), a->message);
		y = stale_text(c, y, line);
	}
	band_finish(c, all, ROLE_UNKNOWN);
}

/* ---- the frame ---- */

/* A target that is crit now (unreachable, say) also goes stale a few
 * seconds later; on a wall that second line only repeats the first. */
static void alerts_drop_echoes(const struct ui_ctx *u, struct wall_alerts *al)
{
	size_t kept = 0, ncrit = 0;

	while (ncrit < al->n && u->ev->alerts[al->idx[ncrit]].severity == ST_CRIT)
		ncrit++;
	for (size_t k = 0; k < al->n; k++) {
		const struct alert *a = &u->ev->alerts[al->idx[k]];
		bool echo = false;

		for (size_t j = 0; j < ncrit && k >= ncrit && strcmp(a->code, "stale") == 0; j++)
			echo |= strcmp(u->ev->alerts[al->idx[j]].target, a->target) == 0;
		if (!echo)
			al->idx[kept++] = al->idx[k];
	}
	al->n = kept;
}

void wall_draw(struct cells *c, const struct ui_ctx *u, struct wall_state *w)
{
	struct wall_alerts al = { NULL, 0 };
	unsigned avail = panels_available(u);
	double last_at;
	int top, bottom;

	cells_clear(c);
	if (u->ev && u->ev->nalerts) {
		al.idx = xcalloc(u->ev->nalerts, sizeof(*al.idx));
		al.n = view_alerts_sorted(u, al.idx, u->ev->nalerts);
		alerts_drop_echoes(u, &al);
	}
	panel_tick(w, u, &al, avail);
	if (w->help && u->now - w->help_since >= HELP_SECONDS)
		w->help = false;
	if (c->w <= 0 || c->h <= 0)
		goto out;
	if (wall_data_dead(u, &last_at)) {
		stale_draw(c, u, &al, last_at);
		goto out;
	}
	if (w->help) {
		legend_draw(c, u, w);
		goto out;
	}
	bottom = c->h;
	if (c->h >= 10)
		footer_draw(c, u, w, --bottom);
	top = header(c, u, bottom, al.n);
	body_draw(c, u, w, (struct rect){ 0, top, c->w, bottom - top }, &al, avail);
out:
	free(al.idx);
}

enum ui_action wall_key(struct wall_state *w, const struct ui_ctx *u, int key)
{
	if (key == 'q' || key == 'Q')
		return UA_QUIT;
	if (key == '?') {
		w->help = !w->help;
		w->help_since = u->now;
		return UA_DRAW;
	}
	if (key == UK_RESIZE)
		return UA_DRAW;
	if (key == UK_REDRAW || key == ('l' & 0x1f))
		return UA_REPAINT;    /* a garbled kiosk screen: changes nothing else */
	if (w->help && key == UK_ESC) {
		w->help = false;
		return UA_DRAW;
	}
	if (key == UK_NONE)
		return UA_NONE;
	str_copy(w->message, view_is_action_key(key) ?
		 "wall display: read-only, action keys are disabled (q quits, ? legend)" :
		 "wall display: only q (quit) and ? (legend) do anything here",
		 sizeof(w->message));
	w->message_at = u->now;
	return UA_DRAW;
}
