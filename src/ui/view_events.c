/* View 8, Events: the audit log of actions (this session's and the newest
 * lines of the log file) and the status changes the rules recorded, newest
 * first, in one time-ordered list. */
#include "config.h"
#include "ui/views.h"
#include "action/action.h"
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

static size_t rows_collect(const struct ui_ctx *u, struct ev_row **out)
{
	struct audit_entry *au = xcalloc(EVENTS_AUDIT, sizeof(*au));
	size_t na = actions_audit_recent(u->actions, au, EVENTS_AUDIT);
	size_t ne = u->rs ? u->rs->nevents : 0, n = 0;
	struct ev_row *r = xcalloc(na + ne + 1, sizeof(*r));

	for (size_t i = 0; i < na; i++, n++) {
		r[n].at = au[i].time;
		r[n].role = result_role(au[i].result);
		str_fmt(r[n].what, sizeof(r[n].what), "%s", au[i].action);
		str_copy(r[n].target, au[i].target, sizeof(r[n].target));
		str_fmt(r[n].text, sizeof(r[n].text), "%s %s%s%s", au[i].result, au[i].params,
			au[i].error[0] ? ": " : "", au[i].error);
	}
	for (size_t i = 0; i < ne && i < RULES_MAX_EVENTS; i++, n++) {
		const struct event *e = &u->rs->events[i];
		r[n].at = e->at;
		r[n].role = view_status_role(e->to);
		str_fmt(r[n].what, sizeof(r[n].what), "%s", status_name(e->to));
		str_copy(r[n].target, e->target, sizeof(r[n].target));
		str_fmt(r[n].text, sizeof(r[n].text), "%s -> %s%s%s", status_name(e->from),
			status_name(e->to), e->message[0] ? ": " : "", e->message);
	}
	free(au);
	qsort(r, n, sizeof(*r), row_cmp);
	*out = r;
	return n;
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
		   "TIME      KIND      TARGET                          WHAT");
	view_list_layout(vs, (int)n, body.h - 3 > 0 ? body.h - 3 : 1, y);
	vs->list_x = body.x;
	vs->list_w = body.w;
	if (n == 0)
		cells_text(c, body.x + 2, y, body.w - 4, ROLE_DIM,
			   "No status changes and no actions yet.");
	for (int k = vs->top; k < (int)n && k < vs->top + vs->page; k++, y++) {
		char tm[16];
		time_t t = (time_t)r[k].at;
		struct tm lt;
		localtime_r(&t, &lt);
		strftime(tm, sizeof(tm), "%H:%M:%S", &lt);
		cells_text(c, body.x + 1, y, 9, ROLE_DIM, tm);
		cells_text(c, body.x + 11, y, 9, r[k].role, r[k].what);
		cells_text_ellipsis(c, body.x + 21, y, 31, ROLE_NORMAL, r[k].target);
		cells_text_ellipsis(c, body.x + 53, y, body.w - 54, r[k].role, r[k].text);
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
