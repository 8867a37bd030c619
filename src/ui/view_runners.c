/* View 6, Runners: every [runners] fleet with count/min/max, busy/idle/
 * offline, the queue, an action in progress, and the selected fleet's
 * runners. Keys: + and - scale by step, = scales to a typed count. */
#include "config.h"
#include "ui/views.h"
#include "history/history.h"
#include "action/action.h"
#include "util/util.h"

#include <string.h>

static const char *num(char *buf, size_t size, int v, bool ok)
{
	if (!ok || v < 0)
		return "n/a";
	str_fmt(buf, size, "%d", v);
	return buf;
}

/* Below this width the row is compacted and the action's progress, its
 * last result and the first problem move to a line of their own under the
 * list (at 80 columns the ACTION column would start off screen). */
#define WIDE 110

static void counts_cells(struct cells *c, int x, int y, int cw, int bx, int bw, int role,
			 const struct fleet_section *sec, const struct runners_sample *r)
{
	bool ok = r->collected && !r->error[0];
	char a[12], b[12], cc[12], d[12], q[12];

	cells_textf(c, x, y, cw, role, "%s [%s..%s]", num(a, sizeof(a), r->count, ok),
		    fleet_section_value(sec, "min") ? fleet_section_value(sec, "min") : "0",
		    fleet_section_value(sec, "max") ? fleet_section_value(sec, "max") : "-");
	/* each of busy/idle/offline may be unknown on its own: "n/a", never 0 */
	cells_textf(c, bx, y, bw, role, "%s/%s/%s  q %s", num(b, sizeof(b), r->busy, ok),
		    num(cc, sizeof(cc), r->idle, ok), num(d, sizeof(d), r->offline, ok),
		    num(q, sizeof(q), r->queued, ok));
}

/* The action's progress ("running: ...") or its last result, else the
 * first problem, from x on; returns false when there is neither. */
static bool action_cells(struct cells *c, int x, int y, int w, const struct ui_ctx *u, size_t i,
			 const struct target_eval *t)
{
	struct action_progress p;

	if (actions_progress(u->actions, SEC_RUNNERS, (int)i, &p)) {
		cells_textf(c, x, y, w, p.active ? ROLE_WARN : p.ok ? ROLE_OK : ROLE_CRIT,
			    "%s%s", p.active ? "running: " : "", p.text);
		return true;
	}
	if (t && t->ev.nproblems) {
		cells_text_ellipsis(c, x, y, w, ROLE_DIM, t->ev.problems[0].text);
		return true;
	}
	return false;
}

static void fleet_row(struct cells *c, struct rect body, int y, const struct ui_ctx *u, size_t i,
		      bool selected)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_RUNNERS, i);
	const struct runners_sample *r = snap_runners(u->snap, i);
	const struct target_eval *t = rules_target_find(u->ev, DOM_RUNNERS, (int)i, -1);
	enum status st = t ? (t->ev.stale ? ST_UNKNOWN : t->ev.status) : ST_UNKNOWN;
	int role = t && t->ev.stale ? ROLE_STALE : ROLE_NORMAL;
	int x = body.x + 1;

	cells_text(c, x, y, 8, view_status_role(st), view_status_word(st));
	if (body.w < WIDE) {
		cells_text_ellipsis(c, x + 9, y, 16, role, sec->name);
		cells_text_ellipsis(c, x + 26, y, 10, ROLE_DIM, fleet_section_value(sec, "provider"));
		counts_cells(c, x + 37, y, 16, x + 54, body.w - 56, role, sec, r);
		/* the queue over the last hour, where the row has room */
		if (body.x + body.w - 2 - (x + 70) >= 8)
			view_trend(c, x + 70, y, body.x + body.w - 2 - (x + 70) > 20 ? 20 :
				   body.x + body.w - 2 - (x + 70), u, HM_RUNNERS_QUEUED, i, "",
				   HIST_FINE_SPAN, 0, 0, ROLE_BAR_USED);
	} else {
		cells_text_ellipsis(c, x + 9, y, 20, role, sec->name);
		cells_text(c, x + 30, y, 13, ROLE_DIM, fleet_section_value(sec, "provider"));
		counts_cells(c, x + 44, y, 14, x + 59, 22, role, sec, r);
		if (!action_cells(c, x + 83, y, body.w - 84, u, i, t) && body.w - 84 >= 20 &&
		    view_trend(c, x + 92, y, body.w - 93 > 30 ? 30 : body.w - 93, u, HM_RUNNERS_QUEUED,
			       i, "", HIST_FINE_SPAN, 0, 0, ROLE_BAR_USED))
			cells_text(c, x + 83, y, 9, ROLE_DIM, "queue 1h");
	}
	if (selected)
		cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
}

/* Narrow: the selected fleet's action or problem, on the row under the
 * list, so that "running: ..." and "scaled 2 -> 1" are seen at 80x24. */
static void action_line(struct cells *c, struct rect body, int y, const struct ui_ctx *u, size_t i)
{
	const struct fleet_section *sec = fleet_nth(u->f, SEC_RUNNERS, i);
	const struct target_eval *t = rules_target_find(u->ev, DOM_RUNNERS, (int)i, -1);
	int x = body.x + 3, nw = cells_text_width(c, sec->name);

	nw = nw < 20 ? nw : 20;
	if (!action_cells(c, x + nw + 2, y, body.w - 5 - nw, u, i, t))
		return;   /* nothing running, nothing wrong: no line */
	cells_text_ellipsis(c, x, y, nw, ROLE_TITLE, sec->name);
	cells_put(c, x + nw, y, ':', ROLE_TITLE);
}

static void runners_list(struct cells *c, struct rect body, int y, const struct ui_ctx *u, size_t i)
{
	const struct runners_sample *r = snap_runners(u->snap, i);
	const struct fleet_section *sec = fleet_nth(u->f, SEC_RUNNERS, i);
	int x = body.x + 2, col = 0;

	cells_textf(c, body.x + 1, y++, body.w - 2, ROLE_HEADER, "Runners of %s", sec->name);
	if (r->error[0]) {
		cells_text_ellipsis(c, x, y, body.w - 3, ROLE_CRIT, r->error);
		return;
	}
	if (!r->collected) {
		cells_text(c, x, y, body.w - 3, ROLE_DIM, "not listed yet");
		return;
	}
	if (r->cost_hourly >= 0)
		cells_textf(c, x, y++, body.w - 3, ROLE_NORMAL, "running cost: $%.3f/hour ($%.0f/month)",
			    r->cost_hourly, r->cost_hourly * 730);
	if (r->n == 0)
		cells_text(c, x, y, body.w - 3, ROLE_DIM, "none running");
	for (int k = 0; k < r->n && y < body.y + body.h - 1; k++) {
		char age[16] = "";
		if (r->r[k].created_at > 0)
			fmt_age(age, sizeof(age), now_wall() - r->r[k].created_at);
		cells_textf(c, x + col * 38, y, 37, ROLE_NORMAL, "%-22.22s %-8s %s", r->r[k].name,
			    r->r[k].state, age);
		if (++col == 2 || body.w < 80) {
			col = 0;
			y++;
		}
	}
}

static void runners_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
			 const struct ui_state *s, struct view_state *vs)
{
	size_t n = snapshot_count(u->snap, DOM_RUNNERS) < fleet_count(u->f, SEC_RUNNERS) ? snapshot_count(u->snap, DOM_RUNNERS) :
		   fleet_count(u->f, SEC_RUNNERS);
	int y = body.y + 1, page;

	(void)s;
	vs->target = -1;
	if (n == 0) {
		view_list_layout(vs, 0, 1, y);
		cells_text(c, body.x + 2, y, body.w - 4, ROLE_DIM,
			   "No [runners] in this fleet file (see fleetdeck.fleet(5)).");
		return;
	}
	cells_text(c, body.x + 1, y, body.w - 2, ROLE_HEADER, body.w < WIDE ?
		   "STATUS   FLEET            PROVIDER   COUNT [MIN..MAX] BUSY/IDLE/OFF  QUEUE" :
		   "STATUS   FLEET                PROVIDER      COUNT [MIN..MAX] BUSY/IDLE/OFF  QUEUE  ACTION / PROBLEM");
	y++;
	page = body.h / 2 - 2;
	if (page < 1)
		page = 1;
	view_list_layout(vs, (int)n, page, y);
	vs->list_x = body.x;
	vs->list_w = body.w;
	for (int k = vs->top; k < (int)n && k < vs->top + vs->page; k++)
		fleet_row(c, body, y++, u, (size_t)k, k == vs->sel && !u->wall);
	if (body.w < WIDE)
		action_line(c, body, y, u, (size_t)vs->sel);
	y++;
	cells_text(c, body.x + 1, y++, body.w - 2, u->read_only ? ROLE_WARN : ROLE_HELP, u->read_only ?
		   "read-only: + - = are disabled" : "+ add  - remove  = scale to N  (a plan is shown first)");
	runners_list(c, body, y + 1, u, (size_t)vs->sel);
}

static bool runners_key(struct ui_state *s, const struct ui_ctx *u, struct view_state *vs, int key)
{
	(void)u;
	if (!view_is_action_key(key) || key == 'r' || vs->nitems <= 0)
		return false;
	s->act = (struct ui_act_req){ .pending = true, .skind = SEC_RUNNERS, .index = vs->sel,
				      .count = -1,
				      .kind = key == '+' ? AK_SCALE_UP : key == '-' ? AK_SCALE_DOWN : AK_SCALE_TO };
	return true;
}

const struct view view_runners = {
	.name = "runners",
	.title = "Runners",
	.help = "CI runner fleets; + - = scale them",
	.ready = true,
	.draw = runners_draw,
	.on_key = runners_key,
	.wall_title = "Runners",
	.wall_kinds = 1u << DOM_RUNNERS,
};
