/* View 7, Keys: every [key] with its age against max_age, the shown id
 * (never the secret), an action in progress. Key: r rotates. */
#include "config.h"
#include "ui/views.h"
#include "action/action.h"
#include "util/util.h"

#include <string.h>

static double max_age_of(const struct fleet_section *sec)
{
	const char *v = fleet_section_value(sec, "max_age");
	double d;

	return v && parse_duration(v, &d) == 0 && d > 0 ? d : 90.0 * 86400;
}

/* Below this width the row is compacted and the key's id, its action
 * (progress or last result) and first problem move to a line of their own
 * under the list: at 80 columns the ID column would start at column 80. */
#define WIDE 120

/* The action's progress ("running: ...") or its last result, else the
 * first problem, from x on; returns false when there is neither. */
static bool action_cells(struct cells *c, int x, int y, int w, const struct ui_ctx *u, size_t i,
			 const struct target_eval *t)
{
	struct action_progress p;

	if (actions_progress(u->actions, SEC_KEY, (int)i, &p)) {
		cells_textf(c, x, y, w, p.active ? ROLE_WARN : p.ok ? ROLE_OK : ROLE_CRIT,
			    "%s%s", p.active ? "running: " : "", p.text);
		return true;
	}
	if (t && t->ev.nproblems) {
		cells_text_ellipsis(c, x, y, w, view_status_role(t->ev.problems[0].severity),
				    t->ev.problems[0].text);
		return true;
	}
	return false;
}

static bool key_ok(const struct key_sample *k)
{
	return k->collected && !k->error[0] && k->created_at > 0;
}

static void key_row(struct cells *c, struct rect body, int y, const struct ui_ctx *u, size_t i,
		    bool selected)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_KEY, i);
	const struct key_sample *k = snap_key(u->snap, i);
	const struct target_eval *t = rules_target_find(u->ev, DOM_KEY, (int)i, -1);
	enum status st = t ? (t->ev.stale ? ST_UNKNOWN : t->ev.status) : ST_UNKNOWN;
	bool ok = key_ok(k), wide = body.w >= WIDE;
	double max = max_age_of(sec), age = ok ? u->now - k->created_at : 0;
	char a[32], m[32];
	int x = body.x + 1;

	cells_text(c, x, y, 8, view_status_role(st), view_status_word(st));
	cells_text_ellipsis(c, x + 9, y, wide ? 20 : 16, ROLE_NORMAL, sec->name);
	cells_text_ellipsis(c, x + (wide ? 30 : 26), y, wide ? 19 : 12, ROLE_DIM,
			    fleet_section_value(sec, "provider"));
	cells_textf(c, x + (wide ? 50 : 39), y, wide ? 14 : 12, ROLE_NORMAL, "%s / %s",
		    ok ? fmt_age(a, sizeof(a), age) : "n/a", fmt_age(m, sizeof(m), max));
	if (ok)
		cells_bar(c, x + (wide ? 65 : 52), y, wide ? 12 : 10, age / max, view_status_role(st),
			  NULL, 0);
	cells_text_ellipsis(c, x + (wide ? 79 : 63), y, wide ? 16 : body.w - 65, ROLE_DIM,
			    ok ? k->id : "-");
	if (wide)
		action_cells(c, x + 96, y, body.w - 97, u, i, t);
	if (selected)
		cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
}

/* Narrow: the selected key's id in full, its action or first problem. */
static void action_line(struct cells *c, struct rect body, int y, const struct ui_ctx *u, size_t i)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_KEY, i);
	const struct key_sample *k = snap_key(u->snap, i);
	const struct target_eval *t = rules_target_find(u->ev, DOM_KEY, (int)i, -1);
	int x = body.x + 3, end = body.x + body.w - 2;

	x += cells_text_ellipsis(c, x, y, 20, ROLE_TITLE, sec->name);
	x += cells_text(c, x, y, end - x, ROLE_TITLE, ": ");
	if (key_ok(k)) {
		x += cells_text(c, x, y, end - x, ROLE_DIM, "id ");
		x += cells_text_ellipsis(c, x, y, end - x < 32 ? end - x : 32, ROLE_NORMAL, k->id) + 2;
	}
	if (!action_cells(c, x, y, end - x, u, i, t) && !key_ok(k))
		cells_text(c, x, y, end - x, ROLE_DIM, "id n/a");
}

static void keys_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		      const struct ui_state *s, struct view_state *vs)
{
	size_t n = snapshot_count(u->snap, DOM_KEY) < fleet_count(u->f, SEC_KEY) ? snapshot_count(u->snap, DOM_KEY) :
		   fleet_count(u->f, SEC_KEY);
	int y = body.y + 1;

	(void)s;
	vs->target = -1;
	if (n == 0) {
		view_list_layout(vs, 0, 1, y);
		cells_text(c, body.x + 2, y, body.w - 4, ROLE_DIM,
			   "No [key] in this fleet file (see fleetdeck.fleet(5)).");
		return;
	}
	cells_text(c, body.x + 1, y++, body.w - 2, ROLE_HEADER, body.w >= WIDE ?
		   "STATUS   KEY                  PROVIDER            AGE / MAX_AGE  "
		   "              ID              ACTION / PROBLEM" :
		   "STATUS   KEY              PROVIDER     AGE / MAX               ID");
	view_list_layout(vs, (int)n, body.h - 4 > 0 ? body.h - 4 : 1, y);
	vs->list_x = body.x;
	vs->list_w = body.w;
	for (int k = vs->top; k < (int)n && k < vs->top + vs->page; k++)
		key_row(c, body, y++, u, (size_t)k, k == vs->sel && !u->wall);
	if (body.w < WIDE)
		action_line(c, body, y, u, (size_t)vs->sel);
	cells_text(c, body.x + 1, y + 1, body.w - 2, u->read_only ? ROLE_WARN : ROLE_HELP, u->read_only ?
		   "read-only: r is disabled" : "r rotate the selected key (a plan is shown first)");
}

static bool keys_key(struct ui_state *s, const struct ui_ctx *u, struct view_state *vs, int key)
{
	(void)u;
	if (key != 'r' || vs->nitems <= 0)
		return false;
	s->act = (struct ui_act_req){ .pending = true, .kind = AK_ROTATE, .skind = SEC_KEY,
				      .index = vs->sel, .count = -1 };
	return true;
}

const struct view view_keys = {
	.name = "keys",
	.title = "Keys",
	.help = "credentials and their age; r rotates",
	.ready = true,
	.draw = keys_draw,
	.on_key = keys_key,
};
