/* Finding text in a cell buffer, for the UI's unit tests. */
#ifndef FLEETDECK_TESTS_CELLS_FIND_H
#define FLEETDECK_TESTS_CELLS_FIND_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cells.h"

/* Row index of the first line containing s, -1 if none. */
static inline int row_of(const struct cells *c, const char *s)
{
	for (int y = 0; y < c->h; y++) {
		char *row = cells_row_text(c, y);
		bool hit = strstr(row, s) != NULL;
		free(row);
		if (hit)
			return y;
	}
	return -1;
}

#endif
