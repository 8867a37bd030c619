#include "config.h"
#include "ui/views.h"
#include "util/util.h"

#include <string.h>

#define WHEEL_STEP 3
#define KEY_CTRL(k) ((k) & 0x1f)

static struct view_state *current_vs(struct ui_state *s)
{
	switch (s->screen) {
	case SCREEN_DETAIL: return &s->detail;
	case SCREEN_HELP: return &s->help;
	case SCREEN_VIEW: break;
	}
	return &s->vs[s->view];
}

static void view_switch(struct ui_state *s, int v, double now)
{
	s->view = (v % views_count + views_count) % views_count;
	s->screen = SCREEN_VIEW;
}

/* Moves the selection by delta, clamped to the items of the last frame. */
static enum ui_action move_by(struct view_state *vs, int delta)
{
	int sel = vs->sel + delta;

	if (sel > vs->nitems - 1)
		sel = vs->nitems - 1;
	if (sel < 0)
		sel = 0;
	if (sel == vs->sel)
		return UA_NONE;
	vs->sel = sel;
	return UA_DRAW;
}

static enum ui_action move_key(struct view_state *vs, int key)
{
	switch (key) {
	case 'k': case UK_UP: return move_by(vs, -1);
	case 'j': case UK_DOWN: return move_by(vs, 1);
	case UK_PGUP: return move_by(vs, -vs->page);
	case UK_PGDN: return move_by(vs, vs->page);
	case 'g': case UK_HOME: return move_by(vs, -vs->sel);
	case 'G': case UK_END: return move_by(vs, vs->nitems);
	}
	return UA_NONE;
}

static bool is_move_key(int key)
{
	return key == 'k' || key == 'j' || key == 'g' || key == 'G' ||
	       key == UK_UP || key == UK_DOWN || key == UK_PGUP || key == UK_PGDN ||
	       key == UK_HOME || key == UK_END;
}

static void filter_changed(struct ui_state *s)
{
	s->vs[s->view].sel = 0;
	s->vs[s->view].top = 0;
}

/* Removes the last UTF-8 character of the filter. */
static void filter_backspace(struct ui_state *s)
{
	size_t n = strlen(s->filter);

	while (n > 0 && ((unsigned char)s->filter[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0)
		n--;
	s->filter[n] = '\0';
}

static enum ui_action filter_key(struct ui_state *s, int key)
{
	char buf[8];
	size_t len = strlen(s->filter);
	int n;

	switch (key) {
	case UK_ENTER:
	case '\r':
		s->filter_editing = false;
		return UA_DRAW;
	case UK_ESC:
		s->filter_editing = false;
		s->filter[0] = '\0';
		filter_changed(s);
		return UA_DRAW;
	case UK_BACKSPACE:
	case KEY_CTRL('h'):
		filter_backspace(s);
		filter_changed(s);
		return UA_DRAW;
	case KEY_CTRL('u'):
		s->filter[0] = '\0';
		filter_changed(s);
		return UA_DRAW;
	}
	if (key < 0x20 || key >= 0x110000 || key == 0x7f)
		return UA_NONE;
	n = utf8_encode((uint32_t)key, buf);
	if (len + (size_t)n >= sizeof(s->filter))
		return UA_NONE;
	memcpy(s->filter + len, buf, (size_t)n);
	s->filter[len + (size_t)n] = '\0';
	filter_changed(s);
	return UA_DRAW;
}

static enum ui_action open_detail(struct ui_state *s, const struct ui_ctx *u)
{
	const struct view *v = views_table[s->view];
	int target = v->target ? v->target(u, s, s->vs[s->view].sel) : s->vs[s->view].target;

	if (target < 0)
		return UA_NONE;
	s->detail_host = target;
	s->detail = (struct view_state){ .target = target };
	s->screen = SCREEN_DETAIL;
	return UA_DRAW;
}

static enum ui_action escape_key(struct ui_state *s)
{
	if (s->screen != SCREEN_VIEW) {
		s->screen = SCREEN_VIEW;
		return UA_DRAW;
	}
	if (s->filter[0]) {
		s->filter[0] = '\0';
		filter_changed(s);
		return UA_DRAW;
	}
	return UA_NONE;
}

/* Keys every screen shares; UA_NONE with *handled false means "not mine". */
static enum ui_action global_key(struct ui_state *s, const struct ui_ctx *u, int key,
				 bool *handled)
{
	*handled = true;
	switch (key) {
	case 'q': case 'Q':
		return UA_QUIT;
	case UK_RESIZE:
		return UA_DRAW;
	case UK_REDRAW: case KEY_CTRL('l'):
		return UA_REPAINT;
	case '?':
		s->screen = s->screen == SCREEN_HELP ? SCREEN_VIEW : SCREEN_HELP;
		s->help.sel = 0;
		return UA_DRAW;
	case UK_ESC:
		return escape_key(s);
	case UK_TAB:
		view_switch(s, s->view + 1, u->now);
		return UA_DRAW;
	case UK_BTAB:
		view_switch(s, s->view - 1, u->now);
		return UA_DRAW;
	}
	if (views_by_key(key) >= 0) {
		view_switch(s, views_by_key(key), u->now);
		return UA_DRAW;
	}
	*handled = false;
	return UA_NONE;
}

enum ui_action nav_key(struct ui_state *s, const struct ui_ctx *u, int key)
{
	const struct view *v = views_table[s->view];
	enum ui_action a;
	bool handled;

	if (s->confirm.mode != CONFIRM_NONE)
		return confirm_key(s, key);    /* the action dialog has every key */
	if (s->filter_editing)
		return filter_key(s, key);
	/* a view with its own sub-screen (a detail panel, a table) closes it
	 * on Esc before Esc means anything else */
	if (key == UK_ESC && s->screen == SCREEN_VIEW && !u->wall && v->on_key &&
	    v->on_key(s, u, &s->vs[s->view], key))
		return UA_DRAW;
	a = global_key(s, u, key, &handled);
	if (handled)
		return a;
	if (key == 'p')
		return UA_PAUSE;
	if (key == 'R')
		return UA_POLL;
	if (s->screen != SCREEN_VIEW)
		return move_key(current_vs(s), key);
	if (v->on_key && v->on_key(s, u, &s->vs[s->view], key))
		return s->act.pending ? UA_ACTION : UA_DRAW;
	if (is_move_key(key))
		return move_key(&s->vs[s->view], key);
	if (key == UK_ENTER || key == '\r')
		return open_detail(s, u);
	if (key == '/') {
		s->filter_editing = true;
		return UA_DRAW;
	}
	return UA_NONE;
}

static int tab_at(const struct ui_state *s, int x, int y)
{
	if (y != s->tabs_y || s->tabs_y < 0)
		return -1;
	for (int i = 0; i < views_count; i++)
		if (x >= s->tab_x0[i] && x < s->tab_x1[i])
			return i;
	return -1;
}

static int item_at(const struct ui_state *s, const struct view_state *vs, int x, int y)
{
	const struct view *v = views_table[s->view];
	int row, shown;

	if (v->hit)
		return v->hit(vs, x, y);
	row = y - vs->list_y;
	shown = vs->nitems - vs->top < vs->page ? vs->nitems - vs->top : vs->page;
	if (row < 0 || row >= shown)
		return -1;
	if (vs->list_w > 0 && (x < vs->list_x || x >= vs->list_x + vs->list_w))
		return -1;
	return vs->top + row;
}

/* A click in the body: select the item under it; a click on the selected
 * item opens its detail (curses reports no double clicks without delaying
 * every single one). */
static enum ui_action body_click(struct ui_state *s, const struct ui_ctx *u, int x, int y)
{
	struct view_state *vs = &s->vs[s->view];
	int item;

	if (s->screen != SCREEN_VIEW)
		return UA_NONE;
	item = item_at(s, vs, x, y);
	if (item < 0)
		return UA_NONE;
	if (item == vs->sel)
		return open_detail(s, u);
	vs->sel = item;
	return UA_DRAW;
}

enum ui_action nav_mouse(struct ui_state *s, const struct ui_ctx *u, int x, int y, int button)
{
	int tab;

	if (s->filter_editing)
		return UA_NONE;
	if (button == 4 || button == 5) {
		if (u->wall)
			return UA_NONE;
		return move_by(current_vs(s), button == 4 ? -WHEEL_STEP : WHEEL_STEP);
	}
	if (button != 1)
		return UA_NONE;
	tab = tab_at(s, x, y);
	if (tab >= 0) {
		view_switch(s, tab, u->now);
		return UA_DRAW;
	}
	if (u->wall || s->summary)
		return UA_NONE;
	return body_click(s, u, x, y);
}
