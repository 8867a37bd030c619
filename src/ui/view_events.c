/* View 8, Events: the audit log of actions (this session's and the newest
 * lines of the log file) and the status changes the rules recorded, newest
 * first, in one time-ordered list; when the dashboard records, the status
 * changes of the runs recorded before it too. In replay (--replay), the recording's
 * status changes and actions instead: all of them, those after the moment
 * shown dimmed; Enter on one moves the timeline there (ui/timeline.c). */
#include "config.h"
#include "ui/views.h"
#include "action/action.h"
#include "ui/timeline.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENTS_AUDIT 128

struct ev_row {
	double at;
	int role;
	char what[16];
	char target[96];
	char text[256];
};

static int row_cmp(const void *a, const void *b)
{
	const struct ev_row *x = a, *y = b;

	return x->at < y->at ? 1 : x->at > y->at ? -1 : 0;
}

static int result_role(const char *r)
{
	if (strcmp(r, "succeeded") == 0)
		return ROLE_OK;
	if (strcmp(r, "failed") == 0)
		return ROLE_CRIT;
	if (strcmp(r, "confirmed") == 0)
		return ROLE_NORMAL;
	return ROLE_WARN;       /* cancelled, refused, rejected */
}

static void row_action(struct ev_row *r, const struct audit_entry *a)
{
	r->at = a->time;
	r->role = result_role(a->result);
	str_fmt(r->what, sizeof(r->what), "%s", a->action);
	str_copy(r->target, a->target, sizeof(r->target));
	str_fmt(r->text, sizeof(r->text), "%s %s%s%s", a->result, a->params,
		a->error[0] ? ": " : "", a->error);
}

static void row_event(struct ev_row *r, const struct event *e)
{
	r->at = e->at;
	r->role = view_status_role(e->to);
	str_fmt(r->what, sizeof(r->what), "%s", status_name(e->to));
	str_copy(r->target, e->target, sizeof(r->target));
	str_fmt(r->text, sizeof(r->text), "%s -> %s%s%s", status_name(e->from),
		status_name(e->to), e->message[0] ? ": " : "", e->message);
}

/* Replay: everything the recording holds; what lies after the moment
 * shown is dimmed. */
static size_t rows_replay(const struct ui_ctx *u, struct ev_row **out)
{
	const struct replay *rp = timeline_replay(u->timeline);
	struct ev_row *r = xcalloc(rp->nactions + rp->nevents + 1, sizeof(*r));
	size_t n = 0;

	for (size_t i = 0; i < rp->nactions; i++)
		row_action(&r[n++], &rp->actions[i]);
	for (size_t i = 0; i < rp->nevents; i++)
		row_event(&r[n++], &rp->events[i]);
	for (size_t i = 0; i < n; i++)
		if (r[i].at > u->now + 1e-3)
			r[i].role = ROLE_DIM;
	qsort(r, n, sizeof(*r), row_cmp);
	*out = r;
	return n;
}

static size_t rows_collect(const struct ui_ctx *u, struct ev_row **out)
{
	struct audit_entry *au;
	size_t na, ne, n = 0;
	struct ev_row *r;

	if (u->timeline)
		return rows_replay(u, out);
	au = xcalloc(EVENTS_AUDIT, sizeof(*au));
	na = actions_audit_recent(u->actions, au, EVENTS_AUDIT);
	ne = u->rs ? u->rs->nevents : 0;
	r = xcalloc(na + ne + u->npast + 1, sizeof(*r));
	for (size_t i = 0; i < na; i++)
		row_action(&r[n++], &au[i]);
	for (size_t i = 0; i < ne && i < RULES_MAX_EVENTS; i++)
		row_event(&r[n++], &u->rs->events[i]);
	/* earlier runs, from the recording (their actions are in the audit
	 * log's tail already) */
	for (size_t i = 0; i < u->npast; i++)
		row_event(&r[n++], &u->past[i]);
	free(au);
	qsort(r, n, sizeof(*r), row_cmp);
	*out = r;
	return n;
}

bool events_selected_time(const struct ui_ctx *u, const struct ui_state *s, double *t)
{
	struct ev_row *r;
	size_t n = rows_collect(u, &r);
	int sel = s->vs[s->view].sel;
	bool ok = sel >= 0 && (size_t)sel < n;

	if (ok)
		*t = r[sel].at;
	free(r);
	return ok;
}

/* "18:10:29" on the day shown, "12-01 18:10" before it. */
static void time_text(char *buf, size_t size, double at, double now)
{
	time_t t = (time_t)at, tn = (time_t)now;
	struct tm lt, ln;

	localtime_r(&t, &lt);
	localtime_r(&tn, &ln);
	if (lt.tm_year == ln.tm_year && lt.tm_yday == ln.tm_yday)
		strftime(buf, size, "%H:%M:%S", &lt);
	else
		strftime(buf, size, "%m-%d %H:%M", &lt);
}

static void events_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
			const struct ui_state *s, struct view_state *vs)
{
	struct ev_row *r;
	size_t n = rows_collect(u, &r);
	int y = body.y + 1;

	(void)s;
	vs->target = -1;
	cells_text(c, body.x + 1, y++, body.w - 2, ROLE_HEADER,
		   "TIME        KIND      TARGET                          WHAT");
	view_list_layout(vs, (int)n, body.h - 3 > 0 ? body.h - 3 : 1, y);
	vs->list_x = body.x;
	vs->list_w = body.w;
	if (n == 0)
		cells_text(c, body.x + 2, y, body.w - 4, ROLE_DIM,
			   "No status changes and no actions yet.");
	for (int k = vs->top; k < (int)n && k < vs->top + vs->page; k++, y++) {
		char tm[16];
		time_text(tm, sizeof(tm), r[k].at, u->now);
		cells_text(c, body.x + 1, y, 11, ROLE_DIM, tm);
		cells_text(c, body.x + 13, y, 9, r[k].role, r[k].what);
		cells_text_ellipsis(c, body.x + 23, y, 31, r[k].role == ROLE_DIM ? ROLE_DIM : ROLE_NORMAL,
				    r[k].target);
		cells_text_ellipsis(c, body.x + 55, y, body.w - 56, r[k].role, r[k].text);
		if (k == vs->sel && !u->wall)
			cells_paint(c, (struct rect){ body.x, y, body.w, 1 }, -1, CF_SELECTED);
	}
	free(r);
}

const struct view view_events = {
	.name = "events",
	.title = "Events",
	.help = "status changes and the audit log of actions",
	.ready = true,
	.draw = events_draw,
};
