/* Sparklines from the history store (history/history.h): what every view
 * that shows a trend calls, so the window and the scaling are said once. */
#include "config.h"
#include "ui/views.h"
#include "history/history.h"

bool view_trend(struct cells *c, int x, int y, int w, const struct ui_ctx *u, int m,
		size_t index, const char *sub, double span, double lo, double hi, int role)
{
	struct history h;

	if (!u->hist || w <= 0 ||
	    !hist_series(u->hist, (enum hist_metric)m, index, sub, u->now, span, w, &h))
		return false;
	cells_sparkline(c, x, y, w, &h, lo, hi, role);
	return true;
}
