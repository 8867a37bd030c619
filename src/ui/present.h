/* The presenter: copies a cell buffer to the terminal through ncurses,
 * touching only the cells that changed since the last frame, with one
 * wnoutrefresh + doupdate per frame and no output at all when nothing
 * changed (what keeps the screen fluid over a slow SSH link). */
#ifndef FLEETDECK_UI_PRESENT_H
#define FLEETDECK_UI_PRESENT_H

#include "ui/curses_inc.h"
#include "ui/cells.h"
#include "ui/theme.h"

struct presenter {
	struct cells prev;            /* what the terminal shows */
	bool valid;                   /* false: repaint every cell */
	attr_t attr[ROLE_COUNT];
	short pair[ROLE_COUNT];
	/* the selection bar keeps each role's colour (a stale row stays dim) */
	bool has_bg[ROLE_COUNT];      /* CF_REVERSE is not applied: it stands out already */
	attr_t sel_attr[ROLE_COUNT];
	short sel_pair[ROLE_COUNT];
};

void present_init(struct presenter *p);
void present_free(struct presenter *p);
/* After curses started: maps the theme onto the terminal's colours (the
 * nearest of 8/16/256), or onto attributes only with no_color or on a
 * terminal without colours. */
void present_colors(struct presenter *p, const struct theme *t, bool no_color);
/* The terminal's contents are unknown (resize, Ctrl-L): repaint everything. */
void present_invalidate(struct presenter *p);
/* Forgets what the terminal was last sent: the previous frame is wiped
 * (it held a new key's plaintext, shown once) and the next frame repaints
 * every cell, so nothing of it stays on screen or in memory. */
void present_forget(struct presenter *p);
/* Shows c; returns the number of cells written (0: no output at all). */
int present_frame(struct presenter *p, const struct cells *c);

#endif
