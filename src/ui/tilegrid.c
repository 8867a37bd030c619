#include "config.h"
#include "ui/tilegrid.h"

#include <string.h>

#define GAP 1
#define TALL_H 3
#define TALL_PAD 2           /* a column of padding each side of a tall tile */
#define SYMBOL_W 2           /* status symbol and a space before the name */
#define BIG_ADVANCE 4        /* columns per character of scale-1 large type */

static int div_up(int a, int b)
{
	return b > 0 ? (a + b - 1) / b : 0;
}

/* Tiles of width tw per row of w columns (no gap after the last one). */
static int per_row(int w, int tw)
{
	return tw > 0 && w >= tw ? (w + GAP) / (tw + GAP) : 0;
}

static struct tile_grid grid_make(int n, int name_w, int tile_w, int tile_h, int w)
{
	struct tile_grid g;

	memset(&g, 0, sizeof(g));
	g.name_w = name_w;
	g.tile_w = tile_w;
	g.tile_h = tile_h;
	g.pitch_x = tile_w + GAP;
	g.pitch_y = tile_h + (tile_h > 1 ? GAP : 0);
	g.cols = per_row(w, tile_w);
	g.rows = div_up(n, g.cols);
	g.shown = n;
	return g;
}

/* Rows a grid of `rows` takes on screen. */
static int grid_height(const struct tile_grid *g)
{
	return g->rows > 0 ? g->rows * g->pitch_y - (g->pitch_y - g->tile_h) : 0;
}

struct tile_grid tile_grid_layout(int n, int name_w, int w, int h, int big_h)
{
	struct tile_grid g;
	int nw;

	if (name_w > TILE_NAME_MAX)
		name_w = TILE_NAME_MAX;
	if (name_w < TILE_NAME_MIN)
		name_w = TILE_NAME_MIN;
	memset(&g, 0, sizeof(g));
	if (n <= 0 || w <= 0 || h <= 0)
		return g;
	if (big_h > 0) {
		/* "X NAME" in large type, the status word on the row below */
		g = grid_make(n, name_w, (name_w + SYMBOL_W) * BIG_ADVANCE - 1 + 2 * TALL_PAD,
			      big_h + 2, w);
		g.big = big_h;
		if (g.cols > 0 && grid_height(&g) <= h)
			return g;
	}
	g = grid_make(n, name_w, name_w + SYMBOL_W + 2 * TALL_PAD, TALL_H, w);
	if (g.cols > 0 && grid_height(&g) <= h)
		return g;
	for (nw = name_w; nw >= TILE_NAME_MIN; nw--) {
		g = grid_make(n, nw, nw + SYMBOL_W, 1, w);
		if (g.cols > 0 && g.rows <= h)
			return g;
	}
	/* not every host fits: as many as do, the last slot for "+N" */
	nw = name_w < 8 ? name_w : 8;
	g = grid_make(n, nw, nw + SYMBOL_W, 1, w);
	if (g.cols == 0) {
		/* narrower than one tile: whatever is left of a name */
		g = grid_make(n, w > SYMBOL_W ? w - SYMBOL_W : 0, w, 1, w);
		g.cols = 1;
		g.rows = n < h ? n : h;
	} else {
		g.rows = h;
	}
	g.shown = g.cols * g.rows;
	if (g.shown < n)
		g.shown--;          /* the "+N" tile */
	if (g.shown > n)
		g.shown = n;
	return g;
}

int tile_grid_rows(int n, int name_w, int w)
{
	if (name_w > TILE_NAME_MAX)
		name_w = TILE_NAME_MAX;
	if (name_w < TILE_NAME_MIN)
		name_w = TILE_NAME_MIN;
	return div_up(n, per_row(w, name_w + SYMBOL_W));
}

void tile_grid_pos(const struct tile_grid *g, int i, int *x, int *y)
{
	int cols = g->cols > 0 ? g->cols : 1;

	*x = i % cols * g->pitch_x;
	*y = i / cols * g->pitch_y;
}
