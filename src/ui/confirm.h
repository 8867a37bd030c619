/* The action dialog's glue between the UI loop (ui.c) and the action
 * framework (action/action.h): plan a view's request, open the dialog,
 * start or cancel (both audited), and show a finished action's result once.
 * Keys and drawing are in confirm.c too (declared in views.h). */
#ifndef FLEETDECK_UI_CONFIRM_H
#define FLEETDECK_UI_CONFIRM_H

#include "ui/views.h"

struct actions;

/* s->act was set by a view. refuse: why actions are blocked (read-only,
 * wall), or NULL. */
void confirm_request(struct ui_state *s, struct actions *a, const struct snapshot *snap,
		     double now, const char *refuse);
void confirm_start(struct ui_state *s, struct actions *a, const struct snapshot *snap, double now);
void confirm_cancel(struct ui_state *s, struct actions *a, double now);
/* Opens the result dialog of a finished action (when no dialog is open);
 * true when one was taken. */
bool confirm_poll_result(struct ui_state *s, struct actions *a, double now);
/* The dialog on screen shows a new key's plaintext (wiped when it closes). */
bool confirm_shows_secret(const struct ui_state *s);

#endif
