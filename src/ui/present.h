/* The presenter: puts a cell buffer on the terminal, touching only the cells
 * that changed since the last frame. It writes the escape sequences itself
 * (from terminfo: cup, sgr0, bold, dim, rev, smul, setaf, setab) into one
 * buffer and sends a frame with one write(2), and nothing at all when no
 * cell changed (what keeps the screen fluid over a slow SSH link). ncurses
 * keeps the terminal's modes and reads the keys; it draws nothing. */
#ifndef FLEETDECK_UI_PRESENT_H
#define FLEETDECK_UI_PRESENT_H

#include <stdint.h>

#include "ui/curses_inc.h"
#include "ui/cells.h"
#include "ui/theme.h"

struct present_style {
	int fg, bg;                   /* terminal colours, -1: the terminal's default */
	unsigned attrs;               /* TA_* */
};

struct present_cell {
	struct present_style style;
	int x, y;
	bool wide;
};

struct presenter {
	struct cells prev;            /* what the terminal shows */
	bool valid;                   /* false: repaint every cell */
	struct present_style style[ROLE_COUNT];
	/* the selection bar keeps each role's colour (a stale row stays dim) */
	struct present_style sel_style[ROLE_COUNT];
	bool has_bg[ROLE_COUNT];      /* CF_REVERSE is not applied: it stands out already */
	/* the terminal's capabilities (NULL: it has none) */
	const char *cup, *clear, *sgr0, *bold, *dim, *rev, *smul, *setaf, *setab;
	const char *cuf, *cub, *cud, *cuu;   /* relative moves, when shorter */
	const char *cuf1, *cub1, *cud1, *cuu1;
	bool last_cell_ok;            /* writing the bottom-right cell does not scroll */
	int fd;                       /* where frames go */
	/* the frame being built: the changed cells, then their bytes */
	struct present_cell *todo;
	size_t ntodo, captodo;
	char *buf;
	size_t len, cap;
	int cx, cy;                   /* the cursor, -1: unknown */
	struct present_style cur;
	bool cur_known;
	/* what went out (make bench): write(2) calls, bytes, frames */
	uint64_t writes, bytes, frames;
};

void present_init(struct presenter *p);
void present_free(struct presenter *p);
/* After curses started (newterm): reads the terminal's capabilities and
 * maps the theme onto its colours (the nearest of 8/16/256, or exact on a
 * direct-colour terminal), or onto attributes only with no_color or on a
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
/* Before endwin(): attributes off, the cursor to the bottom line. */
void present_stop(struct presenter *p, int rows);

#endif
