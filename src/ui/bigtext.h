/* Large type for the wall display: one 3x5-pixel font, drawn into the cell
 * buffer at scale 1 (a pixel is one column by half a row, with half-block
 * characters: 3 rows tall, 4 columns a character) or scale 2 (a pixel is two
 * columns by one row: 5 rows tall, 8 columns a character). In ASCII mode
 * there are no half blocks, so scale 1 takes one row per pixel (5 rows).
 *
 * Letters are drawn in capitals. Text with a character the font lacks is
 * not "big-able" (bigtext_can()): callers then fall back to ordinary text,
 * so nothing is ever shown garbled. Pure: no curses, unit-testable. */
#ifndef FLEETDECK_UI_BIGTEXT_H
#define FLEETDECK_UI_BIGTEXT_H

#include <stdbool.h>

#include "ui/cells.h"

/* Rows one line of big text takes at this scale (1 or 2) on c. */
int bigtext_height(const struct cells *c, int scale);
/* Columns text takes at this scale (no gap after the last character). */
int bigtext_width(const char *text, int scale);
/* True when every character of text is in the font. */
bool bigtext_can(const char *text);
/* How many leading characters of text fit in maxw columns at this scale. */
int bigtext_fit(const char *text, int scale, int maxw);
/* Draws at most maxw columns of text with its top-left at (x, y); pixels in
 * `role`, the cells between them untouched. Returns the columns used. */
int bigtext_draw(struct cells *c, int x, int y, int maxw, int role, const char *text,
		 int scale);

#endif
