/* The action dialog: a plan, default No, the target's name typed for
 * destructive steps; a count prompt for "scale to"; a result screen that
 * shows a new key's plaintext exactly once. Drawn into cells over the view. */
#include "config.h"
#include "ui/confirm.h"
#include "action/action.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define DIALOG_W 76


static struct action_req req_of(const struct ui_state *s)
{
	return (struct action_req){ .kind = (enum action_kind)s->act.kind,
				    .skind = (enum section_kind)s->act.skind,
				    .index = s->act.index, .count = s->act.count };
}

bool confirm_shows_secret(const struct ui_state *s)
{
	return s->confirm.mode != CONFIRM_NONE && s->confirm.secret[0];
}

static void dialog_close(struct ui_state *s)
{
	explicit_bzero(s->confirm.secret, sizeof(s->confirm.secret));
	memset(&s->confirm, 0, sizeof(s->confirm));
}

void confirm_request(struct ui_state *s, struct actions *a, const struct snapshot *snap,
		     double now, const char *refuse)
{
	struct action_req req = req_of(s);
	struct action_plan p;
	char err[300], msg[128];

	s->act.pending = false;
	if (!a)
		return;
	if (refuse) {
		actions_refuse(a, &req, refuse);
		str_fmt(msg, sizeof(msg), "%s: action keys are disabled (refusal logged)", refuse);
		ui_message(s, now, msg);
		return;
	}
	if (req.kind == AK_SCALE_TO && req.count < 0) {
		dialog_close(s);
		s->confirm.mode = CONFIRM_COUNT;
		str_copy(s->confirm.title, "Scale to how many runners?", sizeof(s->confirm.title));
		return;
	}
	if (actions_plan(a, snap, &req, &p, err, sizeof(err)) < 0) {
		actions_reject(a, &req, err);
		ui_message(s, now, err);
		return;
	}
	dialog_close(s);
	s->confirm.mode = CONFIRM_PLAN;
	s->confirm.destructive = p.destructive;
	s->act.count = p.to;                 /* what was shown is what runs */
	s->act.from_shown = p.from;
	str_fmt(s->confirm.title, sizeof(s->confirm.title), "Confirm: %s %s",
		action_kind_name(req.kind), p.target);
	str_copy(s->confirm.text, p.text, sizeof(s->confirm.text));
	str_copy(s->confirm.word, p.name, sizeof(s->confirm.word));
}

void confirm_start(struct ui_state *s, struct actions *a, const struct snapshot *snap, double now)
{
	struct action_req req = req_of(s);
	struct action_plan p;
	char err[300] = "";

	dialog_close(s);
	if (!a)
		return;
	/* plan again: if the target changed since the dialog opened, the user
	 * did not confirm this, so nothing runs */
	if (req.kind != AK_ROTATE)
		req.kind = AK_SCALE_TO;
	if (actions_plan(a, snap, &req, &p, err, sizeof(err)) < 0 ||
	    (req.skind == SEC_RUNNERS && p.from != s->act.from_shown)) {
		if (err[0] == '\0')
			str_copy(err, "the fleet changed while the dialog was open: nothing done, look again",
				 sizeof(err));
		actions_reject(a, &req, err);
		ui_message(s, now, err);
		return;
	}
	if (actions_start(a, &p, err, sizeof(err)) < 0) {
		ui_message(s, now, err);
		return;
	}
	ui_message(s, now, "action started: progress shows in the view, the result in a dialog");
}

void confirm_cancel(struct ui_state *s, struct actions *a, double now)
{
	struct action_req req = req_of(s);
	bool planned = s->confirm.mode == CONFIRM_PLAN;

	dialog_close(s);
	if (a)
		actions_cancel(a, &req, planned ? s->act.from_shown : -1, planned ? s->act.count : -1);
	ui_message(s, now, "cancelled: nothing done (logged)");
}

bool confirm_poll_result(struct ui_state *s, struct actions *a, double now)
{
	(void)now;
	if (!a || s->confirm.mode != CONFIRM_NONE)
		return false;
	if (!actions_take_result(a, s->confirm.title, sizeof(s->confirm.title), s->confirm.text,
				 sizeof(s->confirm.text), s->confirm.secret, sizeof(s->confirm.secret)))
		return false;
	s->confirm.mode = CONFIRM_RESULT;
	return true;
}

/* ---- keys --------------------------------------------------------------- */

static void typed_add(struct ui_confirm *c, int key)
{
	size_t n = strlen(c->typed);

	if (key < 0x20 || key > 0x7e || n + 1 >= sizeof(c->typed))
		return;
	c->typed[n] = (char)key;
	c->typed[n + 1] = '\0';
}

static void typed_back(struct ui_confirm *c)
{
	size_t n = strlen(c->typed);

	if (n > 0)
		c->typed[n - 1] = '\0';
}

static enum ui_action count_key(struct ui_state *s, int key)
{
	struct ui_confirm *c = &s->confirm;

	if (key == UK_ESC)
		return UA_CANCEL;
	if (key == UK_BACKSPACE || key == 8) {
		typed_back(c);
		return UA_DRAW;
	}
	if (key == UK_ENTER || key == '\r') {
		if (!c->typed[0])
			return UA_CANCEL;
		s->act.count = atoi(c->typed);
		s->act.pending = true;
		dialog_close(s);
		return UA_ACTION;
	}
	if (key >= '0' && key <= '9' && strlen(c->typed) < 4)
		typed_add(c, key);
	return UA_DRAW;
}

static enum ui_action plan_key(struct ui_state *s, int key)
{
	struct ui_confirm *c = &s->confirm;

	if (key == UK_ESC)
		return UA_CANCEL;
	if (key == UK_TAB || key == UK_LEFT || key == UK_RIGHT || key == UK_BTAB) {
		c->yes = !c->yes;
		return UA_DRAW;
	}
	if (key == UK_ENTER || key == '\r') {
		if (c->destructive)
			return c->yes && strcmp(c->typed, c->word) == 0 ? UA_CONFIRM : UA_CANCEL;
		return c->yes ? UA_CONFIRM : UA_CANCEL;
	}
	if (c->destructive) {
		if (key == UK_BACKSPACE || key == 8)
			typed_back(c);
		else
			typed_add(c, key);
		/* the Yes button follows the name: typed exactly, Yes is focused */
		c->yes = strcmp(c->typed, c->word) == 0;
		return UA_DRAW;
	}
	if (key == 'y' || key == 'Y')
		return UA_CONFIRM;
	if (key == 'n' || key == 'N' || key == 'q')
		return UA_CANCEL;
	return UA_NONE;
}

enum ui_action confirm_key(struct ui_state *s, int key)
{
	switch (s->confirm.mode) {
	case CONFIRM_COUNT:
		return count_key(s, key);
	case CONFIRM_PLAN:
		return plan_key(s, key);
	case CONFIRM_RESULT:
		if (key == UK_ENTER || key == '\r' || key == UK_ESC || key == ' ' || key == 'q') {
			dialog_close(s);
			return UA_DRAW;
		}
		return UA_NONE;
	case CONFIRM_NONE:
		break;
	}
	return UA_NONE;
}

bool view_is_action_key(int key)
{
	return key == '+' || key == '-' || key == '=' || key == 'r';
}

/* ---- drawing -------------------------------------------------------------- */

/* Word-wraps text into the box from row y; returns the next row. */
static int wrap(struct cells *c, int x, int y, int w, int ymax, int role, const char *text)
{
	const char *p = text;

	while (*p && y < ymax) {
		int len = (int)strlen(p), cut = len;
		if (len > w) {
			cut = w;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = w;
		}
		cells_textf(c, x, y++, w, role, "%.*s", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
	return y;
}

void confirm_draw(struct cells *c, const struct ui_ctx *u, const struct ui_state *s)
{
	const struct ui_confirm *d = &s->confirm;
	int w = c->w - 4 < DIALOG_W ? c->w - 4 : DIALOG_W, h = c->h - 2 < 16 ? c->h - 2 : 16;
	struct rect r = { (c->w - w) / 2, (c->h - h) / 2, w, h };
	int y = r.y + 2, ymax = r.y + r.h - 2;

	(void)u;
	if (w < 20 || h < 8)
		return;
	cells_fill(c, r, ' ', ROLE_NORMAL);
	cells_box(c, r, ROLE_BORDER, d->title);
	switch (d->mode) {
	case CONFIRM_COUNT:
		cells_textf(c, r.x + 2, y, w - 4, ROLE_NORMAL, "New count: %s_", d->typed);
		cells_text(c, r.x + 2, ymax, w - 4, ROLE_HELP, "digits, Enter to see the plan, Esc to cancel");
		return;
	case CONFIRM_PLAN:
		y = wrap(c, r.x + 2, y, w - 4, ymax - 3, ROLE_NORMAL, d->text) + 1;
		if (d->destructive)
			cells_textf(c, r.x + 2, ymax - 2, w - 4, ROLE_WARN, "Type %s to confirm: %s_",
				    d->word, d->typed);
		cells_text(c, r.x + 2, ymax - 1, 8, d->yes ? ROLE_NORMAL : ROLE_SELECTED, "[ No ]");
		cells_text(c, r.x + 11, ymax - 1, 9, d->yes ? ROLE_SELECTED : ROLE_NORMAL, "[ Yes ]");
		cells_text(c, r.x + 2, ymax, w - 4, ROLE_HELP, d->destructive ?
			   "type the name, then Enter; Esc cancels" :
			   "y confirms, n or Esc cancels, Tab moves, Enter presses");
		return;
	case CONFIRM_RESULT:
		y = wrap(c, r.x + 2, y, w - 4, ymax - 3, ROLE_NORMAL, d->text) + 1;
		if (d->secret[0]) {
			cells_text(c, r.x + 2, y++, w - 4, ROLE_WARN,
				   "New key, shown only this once - copy it now:");
			wrap(c, r.x + 2, y, w - 4, ymax, ROLE_TITLE, d->secret);
		}
		cells_text(c, r.x + 2, ymax, w - 4, ROLE_HELP, "Enter or Esc closes");
		return;
	case CONFIRM_NONE:
		break;
	}
}
