/* The wall display (--wall): a layout of its own for a screen read from
 * across a room, not the interactive views.
 *
 *   header   the worst status as a word on its colour (large type when the
 *            screen allows), the fleet, counts per severity, clock, data age
 *   problems worst first, one line each, in large type while they fit
 *   grid     one tile per host (status colour, symbol, name), every host
 *   panel    beside the grid on large screens: the views that say so in the
 *            view table (wall_title: RAM pressure, backups vs RPO, GPUs,
 *            runners), one after the other every --rotate, but held while
 *            anything is crit (on the crit problem's panel)
 *
 * When no data arrived for 3 intervals the whole screen is a DATA STALE
 * banner instead. Keys: q quits, ? shows the legend; nothing else changes
 * anything. Pure like the views: draws into a cell buffer, no curses. */
#ifndef FLEETDECK_UI_WALL_H
#define FLEETDECK_UI_WALL_H

#include <stdbool.h>

#include "ui/views.h"

struct wall_state {
	double rotate;                /* seconds per panel */
	int panel;                    /* index in views_table, -1: none */
	double panel_since;
	bool held;                    /* rotation stopped: something is crit */
	bool help;                    /* the legend is shown (? toggles) */
	double help_since;
	char note[256];               /* a lasting footer note (a theme that failed) */
	char message[128];            /* a short-lived footer message */
	double message_at;
	struct ui_state vst;          /* what the views drawn as panels read */
};

void wall_init(struct wall_state *w, double rotate, double now);
/* Draws the whole wall for this frame (any size, even 0x0) and advances the
 * panel rotation against u->now. */
void wall_draw(struct cells *c, const struct ui_ctx *u, struct wall_state *w);
/* One key: UA_QUIT for q, UA_DRAW when the screen changes, else UA_NONE. */
enum ui_action wall_key(struct wall_state *w, const struct ui_ctx *u, int key);
/* True when nothing has fresh data (every host and every target that keeps
 * time is stale or was never sampled, past start-up); *last_at is when the
 * newest data was sampled, 0 if nothing ever arrived. */
bool wall_data_dead(const struct ui_ctx *u, double *last_at);

#endif
