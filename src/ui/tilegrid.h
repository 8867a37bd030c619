/* The wall's fleet grid geometry: one tile per host, like a NOC tile board.
 * Pure arithmetic (no drawing), so the sizes can be tested alone. */
#ifndef FLEETDECK_UI_TILEGRID_H
#define FLEETDECK_UI_TILEGRID_H

/* Longest name shown in a tile, and the shortest a tile is cut to before
 * the grid gives up on fitting every host. */
#define TILE_NAME_MAX 24
#define TILE_NAME_MIN 4

struct tile_grid {
	int cols, rows;          /* tiles per row; rows of tiles used */
	int name_w;              /* columns for the name in a tile */
	int big;                 /* > 0: symbol and name in large type this tall */
	int tile_w, tile_h;      /* one tile, without the gaps */
	int pitch_x, pitch_y;    /* from one tile to the next (tile + gap) */
	int shown;               /* tiles drawn; < n: the last slot says "+N" */
};

/* Lays out n tiles whose names are at most name_w columns in a w x h area:
 * tiles with the name in large type `big_h` rows tall (bigtext.h; 0: never)
 * when they all fit, else tall tiles (3 rows), else one-row tiles with the
 * widest names that still fit every tile, else as many as fit with the last
 * slot kept for a "+N more" tile. cols == 0 when not even one tile fits. */
struct tile_grid tile_grid_layout(int n, int name_w, int w, int h, int big_h);

/* Rows n one-row tiles with names of name_w columns take in w columns
 * (what a layout asks for before it knows its height); 0 if none fits. */
int tile_grid_rows(int n, int name_w, int w);

/* Where tile i goes, relative to the area's top-left corner. */
void tile_grid_pos(const struct tile_grid *g, int i, int *x, int *y);

#endif
