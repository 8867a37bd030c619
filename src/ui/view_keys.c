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

static void key_row(struct cells *c, struct rect body, int y, const struct ui_ctx *u, size_t i,
		    bool selected)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_KEY, i);
	const struct key_sample *k = &u->snap->keys[i];
	const struct target_eval *t = rules_target_find(u->ev, TK_KEY, (int)i, -1);
	enum status st = t ? (t->ev.stale ? ST_UNKNOWN : t->ev.status) : ST_UNKNOWN;
	bool ok = k->collected && !k->error[0] && k->created_at > 0;
	double max = max_age_of(sec), age = ok ? u->now - k->created_at : 0;
	char a[32], m[32];
	struct action_progress p;
	int x = body.x + 1;

	cells_text(c, x, y, 8, view_status_role(st), view_status_word(st));
	cells_text_ellipsis(c, x + 9, y, 20, ROLE_NORMAL, sec->name);
	cells_text(c, x + 30, y, 19, ROLE_DIM, fleet_section_value(sec, "provider"));
	cells_textf(c, x + 50, y, 14, ROLE_NORMAL, "%s / %s",
		    ok ? fmt_age(a, sizeof(a), age) : "n/a", fmt_age(m, sizeof(m), max));
	if (ok)
		cells_bar(c, x + 65, y, 12, age / max, view_status_role(st), NULL, 0);
	cells_text_ellipsis(c, x + 79, y, 16, ROLE_DIM, ok ? k->id : "-");
	if (actions_progress(u->actions, SEC_KEY, (int)i, &p))
		cells_textf(c, x + 96, y, body.w - 97, p.active ? ROLE_WARN : p.ok ? ROLE_OK : ROLE_CRIT,
			    "%s%s", p.active ? "running: " : "", p.text);
	else if (t && t->ev.nproblems)
		cells_text_ellipsis(c, x + 96, y, body.w - 97, ROLE_DIM, t->ev.problems[0].text);
	if (selected)
		cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
}

static void keys_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		      const struct ui_state *s, struct view_state *vs)
{
	size_t n = u->snap->nkeys < fleet_count(u->f, SEC_KEY) ? u->snap->nkeys :
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
	cells_text(c, body.x + 1, y++, body.w - 2, ROLE_HEADER,
		   "STATUS   KEY                  PROVIDER            AGE / MAX_AGE  "
		   "              ID              ACTION / PROBLEM");
	view_list_layout(vs, (int)n, body.h - 4 > 0 ? body.h - 4 : 1, y);
	vs->list_x = body.x;
	vs->list_w = body.w;
	for (int k = vs->top; k < (int)n && k < vs->top + vs->page; k++)
		key_row(c, body, y++, u, (size_t)k, k == vs->sel && !u->wall);
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
	.hotkey = '7',
	.name = "keys",
	.title = "Keys",
	.ready = true,
	.draw = keys_draw,
	.on_key = keys_key,
};
