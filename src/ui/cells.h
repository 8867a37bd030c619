/* The cell buffer: what a frame looks like, in memory, before curses.
 *
 * Views draw only into a struct cells (a codepoint plus a role per cell);
 * present.c copies the cells that changed to the terminal, and unit tests
 * read the buffer back as text. Every write is clipped to the buffer and to
 * the current clip rectangle, so no caller can draw out of bounds, whatever
 * the coordinates. This header never includes curses. */
#ifndef FLEETDECK_UI_CELLS_H
#define FLEETDECK_UI_CELLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/text.h"   /* utf8_decode/encode, the sanitiser's rule */

/* Colour roles. The names and defaults live in one table in theme.c. */
enum role {
	ROLE_NORMAL, ROLE_OK, ROLE_WARN, ROLE_CRIT, ROLE_UNKNOWN, ROLE_STALE, ROLE_BORDER, ROLE_TITLE,
	ROLE_HEADER, ROLE_SELECTED, ROLE_DIM, ROLE_BAR_USED, ROLE_BAR_FREE, ROLE_BAR_RESERVE,
	ROLE_BAR_SWAP, ROLE_TAB, ROLE_TAB_ACTIVE, ROLE_ALERT, ROLE_HELP,
	ROLE_COUNT
};

/* Per-cell modifiers on top of the role. */
enum cell_flag {
	CF_BOLD = 1u << 0,
	CF_REVERSE = 1u << 1,
	CF_SELECTED = 1u << 2,   /* drawn with the `selected` role */
	CF_WIDE = 1u << 3,       /* continuation of the wide character on the left */
};

struct cell {
	uint32_t ch;             /* Unicode codepoint; 0 only with CF_WIDE */
	uint8_t role;            /* enum role */
	uint8_t flags;           /* enum cell_flag */
};

struct rect {
	int x, y, w, h;
};

struct cells {
	int w, h;
	struct cell *v;          /* w * h cells, row-major */
	bool ascii;              /* only ASCII codepoints are ever stored */
	struct rect clip;        /* writes outside it are dropped */
};

/* Glyphs that differ between UTF-8 and --ascii. */
enum glyph {
	G_HLINE, G_VLINE, G_TL, G_TR, G_BL, G_BR, G_TEE_L, G_TEE_R,
	G_BAR_FULL, G_BAR_FREE, G_MARKER, G_DOT, G_ELLIPSIS, G_ARROW_UP, G_ARROW_DOWN,
	G_SHADE,
	GLYPH_COUNT
};

void cells_init(struct cells *c, int w, int h, bool ascii);
/* Resizes (contents become blank); negative sizes count as 0. */
void cells_resize(struct cells *c, int w, int h);
void cells_free(struct cells *c);
/* Zeroes every cell (a secret shown once must not linger in memory);
 * resizing and freeing wipe first too. */
void cells_wipe(struct cells *c);
/* Blanks every cell (space, normal role) and resets the clip. */
void cells_clear(struct cells *c);
/* Restricts later writes to r intersected with the buffer; returns the old clip. */
struct rect cells_clip(struct cells *c, struct rect r);
void cells_unclip(struct cells *c);

/* The cell at (x, y), or NULL outside the buffer (reading ignores the clip). */
const struct cell *cells_get(const struct cells *c, int x, int y);
uint32_t cells_glyph(const struct cells *c, enum glyph g);

/* Puts one codepoint; returns the columns used (0 if clipped or zero-width). */
int cells_put(struct cells *c, int x, int y, uint32_t ch, int role);
/* Puts UTF-8 text from x, using at most maxw columns; returns columns used.
 * Invalid UTF-8 shows as '?'; control and bidi characters are dropped
 * (text_cp_dropped(), the one sanitiser's rule); in ASCII mode common
 * punctuation is transliterated and everything else shows as '?'. */
int cells_text(struct cells *c, int x, int y, int maxw, int role, const char *s);
int cells_textf(struct cells *c, int x, int y, int maxw, int role, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Right-aligns text in [x, x + w). Returns columns used. */
int cells_text_right(struct cells *c, int x, int y, int w, int role, const char *s);
/* Text that does not fit ends in an ellipsis instead of being cut silently. */
int cells_text_ellipsis(struct cells *c, int x, int y, int maxw, int role, const char *s);
/* Columns a UTF-8 string takes (as cells_text would draw it). */
int cells_text_width(const struct cells *c, const char *s);

void cells_fill(struct cells *c, struct rect r, uint32_t ch, int role);
/* Sets the role (unless role < 0) and adds flags to existing cells without
 * changing their text. */
void cells_paint(struct cells *c, struct rect r, int role, unsigned flags);
void cells_hline(struct cells *c, int x, int y, int w, int role);
void cells_vline(struct cells *c, int x, int y, int h, int role);
/* A box with an optional title on the top edge. */
void cells_box(struct cells *c, struct rect r, int role, const char *title);

/* A marker drawn on top of a bar at a fraction of its width. */
struct bar_marker {
	double at;               /* 0..1 */
	int role;
};

/* A horizontal bar: `used` of 0..1 filled with used_role, the rest free;
 * markers on top. Values outside 0..1 are clamped; NaN draws an empty bar. */
void cells_bar(struct cells *c, int x, int y, int w, double used, int used_role,
	       const struct bar_marker *markers, int nmarkers);
/* A sparkline of the newest w values of h (newest on the right), scaled to
 * [lo, hi]; hi <= lo scales to the series' own maximum. */
void cells_sparkline(struct cells *c, int x, int y, int w, const struct history *h,
		     double lo, double hi, int role);

/* Row y as UTF-8 (malloc'd, trailing spaces kept); tests and debugging. */
char *cells_row_text(const struct cells *c, int y);
/* The whole buffer, rows separated by newlines (malloc'd). */
char *cells_dump(const struct cells *c);

/* Display width of a codepoint: 0 (combining), 1, or 2 (wide). Locale
 * independent, so tests and terminals agree on the common cases. */
int codepoint_width(uint32_t cp);

#endif
