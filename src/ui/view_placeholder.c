/* Views 2-8 until their own files exist: a clear "not yet available" panel.
 * To implement one, write view_NAME.c defining view_NAME and delete its
 * definition here; nothing else changes. */
#include "config.h"
#include "ui/views.h"
#include "util/util.h"

static void placeholder_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
			     const struct ui_state *s, struct view_state *vs)
{
	const struct view *v = views_table[s->view];
	int y = body.y + body.h / 2 - 1;

	view_list_layout(vs, 0, 1, body.y);
	vs->target = -1;
	cells_textf(c, body.x + 2, y, body.w - 4, ROLE_TITLE, "%s", v->title);
	cells_text(c, body.x + 2, y + 1, body.w - 4, ROLE_DIM,
		   "This view is not yet available in this version of fleetdeck.");
	cells_text(c, body.x + 2, y + 2, body.w - 4, ROLE_HELP,
		   "Press 1 for the overview, ? for help.");
}

#define PLACEHOLDER(id, k, nm, ttl) \
	const struct view id = { .hotkey = k, .name = nm, .title = ttl, .ready = false, \
				 .draw = placeholder_draw }

PLACEHOLDER(view_topology, '2', "topology", "Topology");
