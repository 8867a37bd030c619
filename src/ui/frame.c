#include "config.h"
#include "ui/views.h"
#include "ui/timeline.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MESSAGE_SECONDS 4

static void clock_text(double now, char *buf, size_t size)
{
	time_t t = (time_t)now;
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		str_copy(buf, "--:--:--", size);
		return;
	}
	strftime(buf, size, "%H:%M:%S", &tm);
}

static enum status worst_status(const struct ui_ctx *u)
{
	return u->ev ? u->ev->worst : ST_UNKNOWN;
}

static bool any_stale(const struct ui_ctx *u)
{
	return rules_any_stale(u->ev, view_nhosts(u));
}

/* "data 3s": the age of the oldest data on screen. */
static void data_age_text(const struct ui_ctx *u, char *buf, size_t size)
{
	char age[16];

	if (!u->ev || view_nhosts(u) == 0 || u->ev->oldest_age < 0) {
		str_copy(buf, "data n/a", size);
		return;
	}
	str_fmt(buf, size, "data %s", fmt_age(age, sizeof(age), u->ev->oldest_age));
}

/* A status word as a coloured badge. Returns columns used. */
static int status_badge(struct cells *c, int x, int y, int maxw, enum status st)
{
	char buf[16];
	int used;

	str_fmt(buf, sizeof(buf), " %s ", view_status_word(st));
	used = cells_text(c, x, y, maxw, view_status_role(st), buf);
	cells_paint(c, (struct rect){ x, y, used, 1 }, view_status_role(st), CF_REVERSE | CF_BOLD);
	return used;
}

static const char *screen_title(const struct ui_ctx *u, const struct ui_state *s,
				char *buf, size_t size)
{
	const char *view = views_table[s->view]->title;

	if (s->screen == SCREEN_HELP)
		return "Help";
	if (s->screen == SCREEN_DETAIL && u->f && s->detail_host >= 0 &&
	    (size_t)s->detail_host < u->f->nhosts) {
		str_fmt(buf, size, "%s > %s", view, u->f->hosts[s->detail_host].name);
		return buf;
	}
	return view;
}

/* The top line of every screen: fleet, worst status, view, flags on the
 * left; data age and clock on the right when they fit. */
static void top_line(struct cells *c, const struct ui_ctx *u, const struct ui_state *s, int y)
{
	char clock[16], age[32], title[160];
	const char *fleet = u->f && u->f->name ? u->f->name : "fleetdeck";
	int x = 1, rw, right_x;

	cells_fill(c, (struct rect){ 0, y, c->w, 1 }, ' ', ROLE_NORMAL);
	x += cells_text(c, x, y, c->w - x, ROLE_TITLE, fleet) + 1;
	x += status_badge(c, x, y, c->w - x, worst_status(u)) + 1;
	x += cells_text(c, x, y, c->w - x, ROLE_NORMAL,
			screen_title(u, s, title, sizeof(title))) + 2;
	if (u->paused) {
		x += cells_text(c, x, y, c->w - x, ROLE_WARN, "PAUSED");
		cells_paint(c, (struct rect){ x - 6, y, 6, 1 }, ROLE_WARN, CF_REVERSE);
		x += 2;
	}
	if (u->read_only)
		x += cells_text(c, x, y, c->w - x, ROLE_DIM, "READ-ONLY") + 2;

	clock_text(view_clock(u), clock, sizeof(clock));
	data_age_text(u, age, sizeof(age));
	rw = (int)strlen(age) + 2 + (int)strlen(clock) + 1;
	right_x = c->w - rw;
	if (right_x >= x) {
		cells_text(c, right_x, y, rw, any_stale(u) ? ROLE_STALE : ROLE_DIM, age);
		cells_text(c, c->w - 1 - (int)strlen(clock), y, 8, ROLE_NORMAL, clock);
	} else if (c->w - 9 >= x) {
		cells_text(c, c->w - 9, y, 8, ROLE_NORMAL, clock);
	}
}

/* Tabs: " 1 Overview " when everything fits, then tighter, then numbers. */
static void tabs_line(struct cells *c, struct ui_state *s, int y)
{
	int full = 0, tight = 0, x = 0;

	for (int i = 0; i < views_count; i++) {
		int tw = (int)strlen(views_table[i]->title) + (views_key(i) ? 2 : 0);
		full += tw + 2;
		tight += tw + 1;
	}
	cells_fill(c, (struct rect){ 0, y, c->w, 1 }, ' ', ROLE_TAB);
	s->tabs_y = y;
	for (int i = 0; i < views_count; i++) {
		const struct view *v = views_table[i];
		bool active = i == s->view;
		int role = active ? ROLE_TAB_ACTIVE : ROLE_TAB;
		char buf[64], key[3] = "";

		if (views_key(i))
			str_fmt(key, sizeof(key), "%c ", views_key(i));
		if (full <= c->w)
			str_fmt(buf, sizeof(buf), " %s%s ", key, v->title);
		else if (tight <= c->w)
			str_fmt(buf, sizeof(buf), " %s%s", key, v->title);
		else if (active || !key[0])
			str_fmt(buf, sizeof(buf), " %s%s ", key, v->title);
		else
			str_fmt(buf, sizeof(buf), " %c", key[0]);
		s->tab_x0[i] = x;
		x += cells_text(c, x, y, c->w - x, role, buf);
		s->tab_x1[i] = x;
	}
}

static void footer_hints(struct cells *c, const struct ui_ctx *u, const struct ui_state *s,
			 int x, int y)
{
	const char *hints;

	if (s->screen == SCREEN_DETAIL)
		hints = "Esc back  j/k scroll  ? help  q quit";
	else if (s->screen == SCREEN_HELP)
		hints = "Esc back  q quit";
	else if (u->timeline)
		hints = timeline_hints(u);
	else
		hints = "? help  / filter  Enter detail  p pause  R poll now  q quit";
	cells_text(c, x, y, c->w - x, ROLE_HELP, hints);
}

static void footer_line(struct cells *c, const struct ui_ctx *u, const struct ui_state *s, int y)
{
	int x = 1;

	cells_fill(c, (struct rect){ 0, y, c->w, 1 }, ' ', ROLE_NORMAL);
	if (s->filter_editing) {
		x += cells_text(c, x, y, c->w - x, ROLE_TITLE, "filter: ");
		x += cells_text(c, x, y, c->w - x, ROLE_NORMAL, s->filter);
		x += cells_put(c, x, y, '_', ROLE_SELECTED);
		cells_text(c, x + 2, y, c->w - x - 2, ROLE_HELP, "Enter keep  Esc clear");
		return;
	}
	if (s->message[0] && view_clock(u) - s->message_at < MESSAGE_SECONDS) {
		x += cells_text(c, x, y, c->w - x, ROLE_WARN, s->message) + 3;
	} else if (s->filter[0]) {
		x += cells_text(c, x, y, c->w - x, ROLE_TITLE, "filter: ");
		x += cells_text(c, x, y, c->w - x, ROLE_SELECTED, s->filter);
		x += cells_text(c, x + 1, y, c->w - x - 1, ROLE_DIM, "(Esc clears)") + 4;
	}
	footer_hints(c, u, s, x, y);
}

/* Counts per status as "crit 1  warn 2  unknown 0  ok 5". */
static int counts_line(struct cells *c, int x, int y, int maxw, const struct ui_ctx *u)
{
	static const enum status order[] = { ST_CRIT, ST_WARN, ST_UNKNOWN, ST_OK };
	int used = 0;

	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		/* every target, so the summary never says "crit 0" under a crit status */
		int n = u->ev ? u->ev->counts[order[i]] + u->ev->target_counts[order[i]] : 0;
		char buf[32];

		str_fmt(buf, sizeof(buf), "%s %d", status_name(order[i]), n);
		used += cells_text(c, x + used, y, maxw - used,
				   n ? view_status_role(order[i]) : ROLE_DIM, buf);
		used += cells_text(c, x + used, y, maxw - used, ROLE_NORMAL, "  ");
	}
	return used;
}

static int summary_alerts(struct cells *c, struct rect r, int y, int bottom,
			  const struct ui_ctx *u)
{
	size_t idx[64], n = view_alerts_sorted(u, idx, ARRAY_LEN(idx));

	if (n == 0 && y < bottom)
		cells_text(c, r.x, y++, r.w, ROLE_OK, "no open alerts");
	for (size_t i = 0; i < n && y < bottom; i++, y++) {
		const struct alert *a = &u->ev->alerts[idx[i]];
		int x = r.x;

		x += cells_text(c, x, y, r.x + r.w - x, view_status_role(a->severity),
				view_status_word(a->severity)) + 1;
		x += cells_text(c, x, y, r.x + r.w - x, ROLE_NORMAL, a->target);
		x += cells_text(c, x, y, r.x + r.w - x, ROLE_NORMAL, ": ");
		cells_text_ellipsis(c, x, y, r.x + r.w - x, ROLE_ALERT, a->message);
	}
	return y;
}

/* Hosts worst first, one short line each, in the rows left over. */
static void summary_hosts(struct cells *c, struct rect r, int y, int bottom,
			  const struct ui_ctx *u)
{
	static const enum status order[] = { ST_CRIT, ST_WARN, ST_UNKNOWN, ST_OK };
	size_t n = view_nhosts(u);

	for (size_t k = 0; k < ARRAY_LEN(order); k++) {
		for (size_t i = 0; i < n && y < bottom; i++) {
			const struct host_eval *he = &u->ev->hosts[i];
			char age[16];
			int x = r.x;

			if (he->status != order[k])
				continue;
			x += cells_text(c, x, y, r.w, view_status_role(he->status),
					view_status_word(he->status)) + 1;
			x += cells_text(c, x, y, r.x + r.w - x, he->stale ? ROLE_STALE : ROLE_NORMAL,
					u->f->hosts[i].name) + 1;
			if (he->stale)
				cells_text(c, x, y, r.x + r.w - x, ROLE_STALE,
					   fmt_age(age, sizeof(age), rules_host_age(u->ev, i)));
			y++;
		}
	}
}

void summary_draw(struct cells *c, struct rect r, const struct ui_ctx *u)
{
	struct rect old = cells_clip(c, r);
	bool note = r.h >= 4;
	int bottom = r.y + r.h - (note ? 1 : 0), y = r.y;

	if (r.h <= 0 || r.w <= 0) {
		c->clip = old;
		return;
	}
	counts_line(c, r.x, y++, r.w, u);
	y = summary_alerts(c, r, y, bottom, u);
	summary_hosts(c, r, y + 1, bottom, u);
	if (note) {
		char buf[96];
		str_fmt(buf, sizeof(buf), "%dx%d: enlarge to %dx%d for the views",
			c->w, c->h, UI_MIN_W, UI_MIN_H);
		cells_text_ellipsis(c, r.x, bottom, r.w, ROLE_DIM, buf);
	}
	c->clip = old;
}

/* Small terminals: status first, then the summary. */
static void frame_summary(struct cells *c, const struct ui_ctx *u, struct ui_state *s)
{
	char clock[16];
	int x = 0;

	s->summary = true;
	x += status_badge(c, x, 0, c->w, worst_status(u)) + 1;
	x += cells_text(c, x, 0, c->w - x, ROLE_TITLE, u->f && u->f->name ? u->f->name : "") + 1;
	clock_text(view_clock(u), clock, sizeof(clock));
	if (x + 8 <= c->w)
		cells_text(c, c->w - 8, 0, 8, ROLE_NORMAL, clock);
	summary_draw(c, (struct rect){ 0, 1, c->w, c->h - 1 }, u);
}

static void body_draw(struct cells *c, const struct ui_ctx *u, struct ui_state *s, struct rect body)
{
	struct rect old = cells_clip(c, body);

	s->body = body;
	switch (s->screen) {
	case SCREEN_DETAIL:
		detail_draw(c, body, u, s, &s->detail);
		break;
	case SCREEN_HELP:
		help_draw(c, body, u, s, &s->help);
		break;
	case SCREEN_VIEW:
		views_table[s->view]->draw(c, body, u, s, &s->vs[s->view]);
		break;
	}
	c->clip = old;
}

void frame_draw(struct cells *c, const struct ui_ctx *u, struct ui_state *s)
{
	int head, bar;

	cells_clear(c);
	s->tabs_y = -1;
	s->summary = false;
	s->body = (struct rect){ 0, 0, 0, 0 };
	if (c->w <= 0 || c->h <= 0)
		return;
	if ((c->w < UI_MIN_W || c->h < UI_MIN_H) && s->screen == SCREEN_VIEW) {
		frame_summary(c, u, s);
		return;
	}
	top_line(c, u, s, 0);
	head = 1;
	if (head < c->h)
		tabs_line(c, s, head);
	/* --replay: the timeline bar above the footer */
	bar = u->timeline && c->h - head - 3 > 0 ? 1 : 0;
	if (c->h - head - 2 - bar > 0)
		body_draw(c, u, s, (struct rect){ 0, head + 1, c->w, c->h - head - 2 - bar });
	if (bar)
		timeline_draw(c, u, (struct rect){ 0, c->h - 2, c->w, 1 });
	if (c->h > head + 1)
		footer_line(c, u, s, c->h - 1);
}
