/* View 2, Topology: the fleet as boxes (one per host, listing its services,
 * databases, backups, GPUs and containers) in tiers, with the edges between
 * them routed around the boxes and labelled; every box, line and item in
 * its status colour. Geometry comes from topology_layout.c; this file only
 * draws it. When boxes do not fit, the tiers are listed with arrows and the
 * edges as text lines. Arrow keys (and h j k l) move to the nearest box in
 * that direction; Enter opens the host's detail. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/topology_layout.h"
#include "ui/views.h"
#include "util/util.h"

enum { DIR_U = 1, DIR_D = 2, DIR_L = 4, DIR_R = 8 };

static int node_role(const struct topo_node *n)
{
	return n->stale ? ROLE_STALE : view_status_role(n->status);
}

static int item_role(const struct topo_item *it)
{
	return it->checked ? view_status_role(it->status) : ROLE_NORMAL;
}

/* A line nobody checks is drawn as a plain border, not as "unknown". */
static int edge_role(const struct topo_edge *e)
{
	return e->checked ? view_status_role(e->status) : ROLE_BORDER;
}

static uint32_t line_glyph(const struct cells *c, unsigned m)
{
	static const uint32_t utf8[16] = {
		[DIR_U] = 0x2502, [DIR_D] = 0x2502, [DIR_U | DIR_D] = 0x2502,
		[DIR_L] = 0x2500, [DIR_R] = 0x2500, [DIR_L | DIR_R] = 0x2500,
		[DIR_D | DIR_R] = 0x250c, [DIR_D | DIR_L] = 0x2510,
		[DIR_U | DIR_R] = 0x2514, [DIR_U | DIR_L] = 0x2518,
		[DIR_U | DIR_D | DIR_R] = 0x251c, [DIR_U | DIR_D | DIR_L] = 0x2524,
		[DIR_L | DIR_R | DIR_D] = 0x252c, [DIR_L | DIR_R | DIR_U] = 0x2534,
		[15] = 0x253c,
	};

	m &= 15;
	if (!c->ascii)
		return utf8[m] ? utf8[m] : ' ';
	if (!(m & (DIR_L | DIR_R)))
		return '|';
	if (!(m & (DIR_U | DIR_D)))
		return '-';
	return '+';
}

static unsigned dir_to(struct topo_point a, struct topo_point b)
{
	if (b.y < a.y)
		return DIR_U;
	if (b.y > a.y)
		return DIR_D;
	return b.x < a.x ? DIR_L : DIR_R;
}

/* One route: straight runs, corners, a tee where it leaves its box and an
 * arrow where it enters the other. */
static void route_draw(struct cells *c, int ox, int oy, const struct topo_route *r, int role)
{
	const struct topo_point *p = r->pts;
	int n = r->npts;

	for (int i = 0; i + 1 < n; i++) {
		unsigned d = dir_to(p[i], p[i + 1]);
		int dx = d == DIR_L ? -1 : d == DIR_R ? 1 : 0, dy = d == DIR_U ? -1 : d == DIR_D ? 1 : 0;
		uint32_t g = line_glyph(c, dx ? DIR_L | DIR_R : DIR_U | DIR_D);

		for (int x = p[i].x + dx, y = p[i].y + dy; x != p[i + 1].x || y != p[i + 1].y;
		     x += dx, y += dy)
			cells_put(c, ox + x, oy + y, g, role);
	}
	for (int i = 1; i + 1 < n; i++)
		cells_put(c, ox + p[i].x, oy + p[i].y,
			  line_glyph(c, dir_to(p[i], p[i - 1]) | dir_to(p[i], p[i + 1])), role);
	if (n < 2)
		return;
	cells_put(c, ox + p[0].x, oy + p[0].y,
		  line_glyph(c, DIR_L | DIR_R | dir_to(p[0], p[1])), role);
	cells_put(c, ox + p[n - 1].x, oy + p[n - 1].y,
		  cells_glyph(c, p[n - 2].y < p[n - 1].y ? G_ARROW_DOWN : G_ARROW_UP), role);
}

static void box_draw(struct cells *c, int ox, int oy, const struct topo_box *b,
		     const struct topo_node *n, bool selected)
{
	struct rect r = { ox + b->x, oy + b->y, b->w, b->h };
	int role = node_role(n), tw, k;

	cells_box(c, r, role, NULL);
	tw = cells_textf(c, r.x + 1, r.y, r.w - 2, role, " %s ", n->name);
	cells_paint(c, (struct rect){ r.x + 1, r.y, tw, 1 }, -1, CF_BOLD);
	for (k = 0; k < b->shown; k++)
		cells_text_ellipsis(c, r.x + 2, r.y + 1 + k, r.w - 3, item_role(&n->items[k]),
				    n->items[k].text);
	if (n->nitems > b->shown)
		cells_textf(c, r.x + 2, r.y + 1 + k, r.w - 3, ROLE_DIM, "+%d more",
			    n->nitems - b->shown);
	if (selected) {
		cells_paint(c, (struct rect){ r.x, r.y, r.w, 1 }, -1, CF_SELECTED | CF_BOLD);
		cells_paint(c, (struct rect){ r.x, r.y + r.h - 1, r.w, 1 }, -1, CF_SELECTED);
	}
}

static int route_rank(const struct topo_edge *e)
{
	return e->checked ? 1 + (int)e->status : 0;
}

/* Boxes, then lines (ok first, so the worst line is on top where two
 * cross), then labels over the lines. */
static void map_draw(struct cells *c, struct rect body, const struct topo_graph *g,
		     const struct topo_layout *l, int sel)
{
	for (int i = 0; i < l->nboxes; i++)
		box_draw(c, body.x, body.y, &l->boxes[i], &g->nodes[i], i == sel);
	for (int rank = 0; rank <= 1 + ST_CRIT; rank++)
		for (int e = 0; e < l->nroutes; e++)
			if (route_rank(&g->edges[e]) == rank)
				route_draw(c, body.x, body.y, &l->routes[e], edge_role(&g->edges[e]));
	for (int e = 0; e < l->nroutes; e++) {
		const struct topo_route *r = &l->routes[e];
		if (r->label_w > 0)
			cells_text_ellipsis(c, body.x + r->label_x, body.y + r->label_y, r->label_w,
					    edge_role(&g->edges[e]), g->edges[e].label);
	}
}

/* Puts a token on the tier lines, wrapping before it when it does not fit. */
static int token_put(struct cells *c, struct rect body, int *x, int *y, int role,
		     const char *text)
{
	int w = cells_text_width(c, text), x0 = *x;

	if (*x + w > body.x + body.w - 1 && *x > body.x + 3) {
		*y += 1;
		*x = body.x + 3;
		x0 = *x;
	}
	if (*y >= body.y + body.h)
		return x0;
	*x += cells_text(c, *x, *y, body.x + body.w - *x, role, text);
	return x0;
}

/* "edge: vps-0 → data: black, plum → compute: apricot", wrapped; returns
 * the next free row. */
static int tiers_draw(struct cells *c, struct rect body, const struct topo_graph *g, int sel)
{
	const char *arrow = c->ascii ? " -> " : " \xe2\x86\x92 ";
	int x = body.x + 1, y = body.y, prev = -1;

	for (int t = 0; t < TT__COUNT; t++) {
		bool first = true;
		for (int i = 0; i < g->nnodes; i++) {
			char buf[TOPO_TEXT + 8];
			int x0;

			if ((int)g->nodes[i].tier != t)
				continue;
			if (first) {
				if (prev >= 0)
					token_put(c, body, &x, &y, ROLE_DIM, arrow);
				str_fmt(buf, sizeof(buf), "%s: ", topology_tier_name((enum topo_tier)t));
				token_put(c, body, &x, &y, ROLE_HEADER, buf);
				prev = t;
			} else {
				token_put(c, body, &x, &y, ROLE_DIM, ", ");
			}
			first = false;
			x0 = token_put(c, body, &x, &y, node_role(&g->nodes[i]), g->nodes[i].name);
			if (i == sel && y < body.y + body.h)
				cells_paint(c, (struct rect){ x0, y, x - x0, 1 }, -1, CF_SELECTED | CF_BOLD);
		}
	}
	return y + 2;
}

/* Every edge as "from → to  label", as many as fit. */
static void edges_text(struct cells *c, struct rect body, int y, const struct topo_graph *g)
{
	const char *arrow = c->ascii ? "->" : "\xe2\x86\x92";
	int wa = 4, wb = 4, bottom = body.y + body.h;

	for (int e = 0; e < g->nedges; e++) {
		int a = cells_text_width(c, g->nodes[g->edges[e].from].name);
		int b = cells_text_width(c, g->nodes[g->edges[e].to].name);
		wa = a > wa ? a : wa;
		wb = b > wb ? b : wb;
	}
	wa = wa > 20 ? 20 : wa;
	wb = wb > 20 ? 20 : wb;
	for (int e = 0; e < g->nedges && y < bottom; e++, y++) {
		const struct topo_edge *ed = &g->edges[e];
		int x = body.x + 3, right = body.x + body.w;

		if (y == bottom - 1 && e < g->nedges - 1) {
			cells_textf(c, x, y, right - x, ROLE_DIM, "+%d more edges (enlarge the terminal)",
				    g->nedges - e);
			return;
		}
		cells_text_ellipsis(c, x, y, wa, ROLE_NORMAL, g->nodes[ed->from].name);
		x += wa + 1;
		x += cells_text(c, x, y, right - x, edge_role(ed), arrow) + 1;
		cells_text_ellipsis(c, x, y, right - x < wb ? right - x : wb, ROLE_NORMAL,
				    g->nodes[ed->to].name);
		x += wb + 2;
		if (x < right)
			cells_text_ellipsis(c, x, y, right - x, edge_role(ed), ed->label);
	}
}

static void list_draw(struct cells *c, struct rect body, const struct topo_graph *g, int sel)
{
	int y;

	if (g->nnodes == 0) {
		cells_text(c, body.x + 1, body.y, body.w - 2, ROLE_DIM, "No hosts in this fleet");
		return;
	}
	y = tiers_draw(c, body, g, sel);
	if (g->nedges && y < body.y + body.h)
		edges_text(c, body, y, g);
}

/* Where the last frame drew each box, for mouse clicks (hit() gets no
 * layout): a cache of what is on screen, rewritten by every draw. */
#define HIT_MAX 256
static struct {
	int n;
	struct rect r[HIT_MAX];
} drawn;

static void hits_remember(struct rect body, const struct topo_layout *l, int nboxes)
{
	drawn.n = 0;
	for (int i = 0; i < nboxes && i < HIT_MAX; i++) {
		const struct topo_box *b = &l->boxes[i];
		drawn.r[i] = (struct rect){ body.x + b->x, body.y + b->y, b->w, b->h };
		drawn.n = i + 1;
	}
}

static void topology_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
			  const struct ui_state *s, struct view_state *vs)
{
	struct topo_graph g;
	struct topo_layout l;
	int n = (int)view_nhosts(u), sel;

	topology_graph_build(&g, u->f, u->snap, u->ev);
	topology_layout_compute(&l, &g, body.w, body.h);
	(void)s;
	view_list_layout(vs, n, n, body.y);
	vs->list_x = vs->list_w = 0;
	vs->target = n > 0 ? vs->sel : -1;
	sel = u->wall || n == 0 ? -1 : vs->sel;
	drawn.n = 0;
	if (l.fits) {
		map_draw(c, body, &g, &l, sel);
		hits_remember(body, &l, g.nnodes);
	} else {
		list_draw(c, body, &g, sel);
	}
	topology_layout_free(&l);
	topology_graph_free(&g);
}

/* The next or previous host in tier order (the list has no geometry). */
static int order_step(const struct topo_graph *g, int from, int step)
{
	int *order = xcalloc((size_t)g->nnodes + 1, sizeof(int));
	int n = topology_order(g, order), at = 0, to;

	for (int k = 0; k < n; k++)
		if (order[k] == from)
			at = k;
	at += step;
	to = n == 0 ? from : order[at < 0 ? 0 : at >= n ? n - 1 : at];
	free(order);
	return to;
}

static bool key_dir(int key, int *dx, int *dy)
{
	*dx = *dy = 0;
	switch (key) {
	case UK_UP: case 'k': *dy = -1; return true;
	case UK_DOWN: case 'j': *dy = 1; return true;
	case UK_LEFT: case 'h': *dx = -1; return true;
	case UK_RIGHT: case 'l': *dx = 1; return true;
	}
	return false;
}

/* Arrows move to the nearest box that way, on the layout of the last
 * frame's size (recomputed: the layout is pure and cheap). */
static bool topology_key(struct ui_state *s, const struct ui_ctx *u, struct view_state *vs,
			 int key)
{
	struct topo_graph g;
	struct topo_layout l;
	int dx, dy, n = (int)view_nhosts(u);

	if (!key_dir(key, &dx, &dy) || n == 0)
		return false;
	topology_graph_build(&g, u->f, u->snap, u->ev);
	topology_layout_compute(&l, &g, s->body.w, s->body.h);
	if (vs->sel < 0 || vs->sel >= g.nnodes)
		vs->sel = 0;
	if (l.fits)
		vs->sel = topology_neighbour(&l, vs->sel, dx, dy);
	else
		vs->sel = order_step(&g, vs->sel, dx + dy);
	if (vs->sel >= n)
		vs->sel = n - 1;
	topology_layout_free(&l);
	topology_graph_free(&g);
	return true;
}

/* Items are hosts: item i is host i. */
static int topology_target(const struct ui_ctx *u, const struct ui_state *s, int item)
{
	(void)s;
	return item >= 0 && (size_t)item < view_nhosts(u) ? item : -1;
}

/* The box under a click (map mode only; the tier list is text). */
static int topology_hit(const struct view_state *vs, int x, int y)
{
	(void)vs;
	for (int i = 0; i < drawn.n; i++) {
		const struct rect *r = &drawn.r[i];
		if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
			return i;
	}
	return -1;
}

const struct view view_topology = {
	.name = "topology",
	.title = "Topology",
	.help = "hosts in tiers with their services, databases, backups, GPUs and links",
	.ready = true,
	.draw = topology_draw,
	.on_key = topology_key,
	.hit = topology_hit,
	.target = topology_target,
};
