/* The topology view: the graph built from the example fleets, the layout's
 * contract (no overlaps, every edge routed around the boxes, inside the
 * area, or the tier list), and the view drawn and driven by keys. */
#include "config.h"
#include "ui/topology_layout.h"
#include "ui/views.h"
#include "util/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1795392540.0

struct fx {
	struct fleet f;
	struct model m;
	struct snapshot snap;
	struct rules_state st;
	struct evaluation ev;
	struct topo_graph g;
};

static void fx_load(struct fx *x, const char *name)
{
	struct fleet_diags d = { 0 };
	char *path = xasprintf("%s/data/%s", SRCDIR, name);

	memset(x, 0, sizeof(*x));
	ck_assert_msg(fleet_load(path, &x->f, &d) == 0, "%s does not load", path);
	fleet_diags_free(&d);
	free(path);
	model_init_fleet(&x->m, &x->f);
	model_snapshot(&x->m, &x->snap);
	rules_state_init(&x->st, x->f.nhosts);
	rules_evaluate(&x->f, &x->snap, T0, &x->st, &x->ev);
	topology_graph_build(&x->g, &x->f, &x->snap, &x->ev);
}

static void fx_free(struct fx *x)
{
	topology_graph_free(&x->g);
	evaluation_free(&x->ev);
	rules_state_free(&x->st);
	snapshot_free(&x->snap);
	model_free(&x->m);
	fleet_free(&x->f);
}

static int node(const struct topo_graph *g, const char *name)
{
	for (int i = 0; i < g->nnodes; i++)
		if (!strcmp(g->nodes[i].name, name))
			return i;
	ck_abort_msg("no node %s", name);
	return -1;
}

static int edge(const struct topo_graph *g, const char *a, const char *b, const char *label)
{
	for (int e = 0; e < g->nedges; e++)
		if (g->edges[e].from == node(g, a) && g->edges[e].to == node(g, b) &&
		    !strcmp(g->edges[e].label, label))
			return e;
	return -1;
}

static bool in_box(const struct topo_box *b, int x, int y)
{
	return x >= b->x && x < b->x + b->w && y >= b->y && y < b->y + b->h;
}

static bool on_border(const struct topo_box *b, int x, int y)
{
	return in_box(b, x, y) && (x == b->x || x == b->x + b->w - 1 || y == b->y ||
				   y == b->y + b->h - 1);
}

static void check_boxes(const struct topo_layout *l, int w, int h)
{
	for (int i = 0; i < l->nboxes; i++) {
		const struct topo_box *a = &l->boxes[i];

		ck_assert_msg(a->x >= 0 && a->y >= 0 && a->x + a->w <= w && a->y + a->h <= h,
			      "box %d outside %dx%d", i, w, h);
		ck_assert_int_ge(a->w, 3);
		ck_assert_int_ge(a->h, 3);
		for (int j = 0; j < i; j++) {
			const struct topo_box *b = &l->boxes[j];
			bool apart = a->x + a->w <= b->x || b->x + b->w <= a->x ||
				     a->y + a->h <= b->y || b->y + b->h <= a->y;
			ck_assert_msg(apart, "boxes %d and %d overlap at %dx%d", i, j, w, h);
		}
	}
}

/* Every cell of a route but its two ends lies outside every box; the ends
 * lie on the borders of the edge's boxes; segments are axis-parallel. */
static void check_route(const struct topo_layout *l, const struct topo_edge *e,
			const struct topo_route *r, int w, int h)
{
	int n = r->npts;

	ck_assert_int_ge(n, 2);
	ck_assert(on_border(&l->boxes[e->from], r->pts[0].x, r->pts[0].y));
	ck_assert(on_border(&l->boxes[e->to], r->pts[n - 1].x, r->pts[n - 1].y));
	for (int k = 0; k + 1 < n; k++) {
		struct topo_point a = r->pts[k], b = r->pts[k + 1];
		int dx = (b.x > a.x) - (b.x < a.x), dy = (b.y > a.y) - (b.y < a.y);

		ck_assert_msg(dx == 0 || dy == 0, "diagonal segment");
		for (int x = a.x, y = a.y;; x += dx, y += dy) {
			bool end = (k == 0 && x == a.x && y == a.y) ||
				   (k + 1 == n - 1 && x == b.x && y == b.y);
			ck_assert(x >= 0 && y >= 0 && x < w && y < h);
			for (int i = 0; !end && i < l->nboxes; i++)
				ck_assert_msg(!in_box(&l->boxes[i], x, y),
					      "edge %s crosses box %d at %d,%d (%dx%d)", e->label, i,
					      x, y, w, h);
			if (x == b.x && y == b.y)
				break;
		}
	}
	if (r->label_w > 0) {
		ck_assert(r->label_x >= 0 && r->label_x + r->label_w <= w);
		ck_assert(r->label_y >= 0 && r->label_y < h);
		for (int x = r->label_x; x < r->label_x + r->label_w; x++)
			for (int i = 0; i < l->nboxes; i++)
				ck_assert(!in_box(&l->boxes[i], x, r->label_y));
	}
}

static void check_layout(const struct topo_graph *g, const struct topo_layout *l, int w, int h)
{
	if (!l->fits)
		return;
	ck_assert_int_eq(l->nboxes, g->nnodes);
	ck_assert_int_eq(l->nroutes, g->nedges);
	check_boxes(l, w, h);
	for (int e = 0; e < g->nedges; e++)
		check_route(l, &g->edges[e], &l->routes[e], w, h);
}

START_TEST(test_graph_cocotte)
{
	struct fx x;
	const struct topo_graph *g = &x.g;

	fx_load(&x, "cocotte.fleet");
	ck_assert_int_eq(g->nnodes, 4);
	ck_assert_int_eq(g->nodes[node(g, "vps-0")].tier, TT_EDGE);
	ck_assert_int_eq(g->nodes[node(g, "black")].tier, TT_DATA);
	ck_assert_int_eq(g->nodes[node(g, "plum")].tier, TT_DATA);
	ck_assert_int_eq(g->nodes[node(g, "apricot")].tier, TT_COMPUTE);
	ck_assert_int_ge(edge(g, "vps-0", "black", "HTTPS (platform.api)"), 0);
	ck_assert_int_ge(edge(g, "apricot", "black", "SSH -R 25435 (quinn.db)"), 0);
	ck_assert_int_ge(edge(g, "black", "apricot", "restic"), 0);   /* link + 2 backups, merged */
	ck_assert_int_ge(edge(g, "plum", "black", "replica"), 0);
	ck_assert_int_ge(edge(g, "black", "vps-0", "ssh"), 0);        /* jump */
	ck_assert_int_ge(edge(g, "black", "plum", "SSH -R 25439 (mac-sync)"), 0);
	for (int e = 0; e < g->nedges; e++)
		ck_assert_int_ne(g->edges[e].from, g->edges[e].to);
	/* services, databases and the archiver backups are in black's box */
	ck_assert_int_ge(g->nodes[node(g, "black")].nitems, 7);
	fx_free(&x);
}
END_TEST

START_TEST(test_fits_large)
{
	static const int sizes[][2] = { { 250, 70 }, { 120, 40 } };
	struct fx x;
	struct topo_layout l;
	int wide = 0;

	fx_load(&x, "cocotte.fleet");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		topology_layout_compute(&l, &x.g, sizes[k][0], sizes[k][1]);
		ck_assert_msg(l.fits, "cocotte does not fit %dx%d", sizes[k][0], sizes[k][1]);
		check_layout(&x.g, &l, sizes[k][0], sizes[k][1]);
		for (int e = 0; e < l.nroutes; e++)
			ck_assert_msg(l.routes[e].label_w > 0, "label %d missing", e);
		if (k == 0) {
			/* the wall screen lists everything in black's box */
			int b = node(&x.g, "black");
			ck_assert_int_eq(l.boxes[b].shown, x.g.nodes[b].nitems);
			wide = l.boxes[b].w;
		} else {
			ck_assert_int_le(l.boxes[node(&x.g, "black")].w, wide);
		}
		topology_layout_free(&l);
	}
	fx_free(&x);
}
END_TEST

START_TEST(test_other_fleets)
{
	static const char *const names[] = { "storyforge.fleet", "orbisvoice.fleet" };
	struct fx x;
	struct topo_layout l;

	for (size_t k = 0; k < 2; k++) {
		fx_load(&x, names[k]);
		ck_assert_int_gt(x.g.nedges, 0);
		topology_layout_compute(&l, &x.g, 120, 40);
		ck_assert(l.fits);
		check_layout(&x.g, &l, 120, 40);
		topology_layout_free(&l);
		fx_free(&x);
	}
}
END_TEST

/* Every size from nothing to a wall: a valid layout or the list, and the
 * whole frame drawn without leaving the buffer. */
START_TEST(test_any_size)
{
	static const int ws[] = { 0, 1, 5, 20, 40, 60, 79, 80, 100, 120, 160, 200, 250, 300 };
	static const int hs[] = { 0, 1, 3, 10, 20, 23, 24, 40, 70, 100 };
	struct fx x;
	struct topo_layout l;
	struct ui_state s;
	struct ui_ctx u;
	struct cells c;

	fx_load(&x, "cocotte.fleet");
	u = (struct ui_ctx){ .f = &x.f, .snap = &x.snap, .ev = &x.ev, .now = T0, .rs = &x.st };
	ui_state_init(&s, "topology", false, T0);
	cells_init(&c, 0, 0, false);
	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++)
		for (size_t j = 0; j < sizeof(hs) / sizeof(hs[0]); j++) {
			topology_layout_compute(&l, &x.g, ws[i], hs[j]);
			check_layout(&x.g, &l, ws[i], hs[j]);
			topology_layout_free(&l);
			cells_resize(&c, ws[i], hs[j]);
			cells_clear(&c);
			frame_draw(&c, &u, &s);
			ck_assert(s.body.x >= 0 && s.body.y >= 0 && s.body.x + s.body.w <= ws[i] &&
				  s.body.y + s.body.h <= hs[j]);
		}
	cells_free(&c);
	fx_free(&x);
}
END_TEST

static bool row_has_all(const struct cells *c, const char *a, const char *b, const char *d)
{
	for (int y = 0; y < c->h; y++) {
		char *row = cells_row_text(c, y);
		const char *pa = strstr(row, a), *pb = pa ? strstr(pa + strlen(a), b) : NULL;
		bool ok = pb && strstr(pb + strlen(b), d);
		free(row);
		if (ok)
			return true;
	}
	return false;
}

/* Too small for boxes: the tiers in order with arrows, every edge a line. */
START_TEST(test_collapsed_list)
{
	struct fx x;
	struct topo_layout l;
	struct ui_state s;
	struct ui_ctx u;
	struct cells c;
	char *text;

	fx_load(&x, "cocotte.fleet");
	u = (struct ui_ctx){ .f = &x.f, .snap = &x.snap, .ev = &x.ev, .now = T0, .rs = &x.st };
	ui_state_init(&s, "topology", false, T0);
	topology_layout_compute(&l, &x.g, 78, 12);
	ck_assert(!l.fits);
	topology_layout_free(&l);
	cells_init(&c, 80, 24, true);
	frame_draw(&c, &u, &s);
	/* 80x24 may fit boxes; force the list by a body too short for them */
	topology_layout_compute(&l, &x.g, s.body.w, s.body.h);
	if (l.fits) {
		check_layout(&x.g, &l, s.body.w, s.body.h);
	} else {
		ck_assert(row_has_all(&c, "edge:", "vps-0", "->"));
		ck_assert(row_has_all(&c, "data:", "black", "plum"));
		for (int e = 0; e < x.g.nedges; e++)
			ck_assert_msg(row_has_all(&c, x.g.nodes[x.g.edges[e].from].name,
						  x.g.nodes[x.g.edges[e].to].name, x.g.edges[e].label),
				      "edge %d not listed", e);
	}
	topology_layout_free(&l);
	/* a frame whose body cannot hold the boxes */
	cells_resize(&c, 80, 16);
	frame_draw(&c, &u, &s);
	text = cells_dump(&c);
	if (s.body.h > 0 && !s.summary) {
		topology_layout_compute(&l, &x.g, s.body.w, s.body.h);
		if (!l.fits) {
			ck_assert_ptr_nonnull(strstr(text, "edge: vps-0 -> data: black, plum -> compute: apricot"));
			for (int e = 0; e < x.g.nedges; e++)
				ck_assert(row_has_all(&c, x.g.nodes[x.g.edges[e].from].name,
						      x.g.nodes[x.g.edges[e].to].name,
						      x.g.edges[e].label));
		}
		topology_layout_free(&l);
	}
	free(text);
	cells_free(&c);
	fx_free(&x);
}
END_TEST

/* A wall-sized frame: every host, every label, arrow heads, box items. */
START_TEST(test_map_drawn)
{
	struct fx x;
	struct ui_state s;
	struct ui_ctx u;
	struct cells c;
	char *text;

	fx_load(&x, "cocotte.fleet");
	u = (struct ui_ctx){ .f = &x.f, .snap = &x.snap, .ev = &x.ev, .now = T0, .rs = &x.st };
	ui_state_init(&s, "topology", false, T0);
	cells_init(&c, 200, 60, false);
	frame_draw(&c, &u, &s);
	text = cells_dump(&c);
	for (int i = 0; i < x.g.nnodes; i++)
		ck_assert_ptr_nonnull(strstr(text, x.g.nodes[i].name));
	for (int e = 0; e < x.g.nedges; e++)
		ck_assert_msg(strstr(text, x.g.edges[e].label), "label %s", x.g.edges[e].label);
	ck_assert_ptr_nonnull(strstr(text, "\xe2\x96\xbc"));     /* an arrow head */
	ck_assert_ptr_nonnull(strstr(text, "db quinn.db"));
	free(text);
	cells_free(&c);
	fx_free(&x);
}
END_TEST

/* Arrows move to the nearest box that way; Enter opens that host. */
START_TEST(test_keys)
{
	struct fx x;
	struct ui_state s;
	struct ui_ctx u;
	struct cells c;
	int vps, black, apricot;

	fx_load(&x, "cocotte.fleet");
	vps = node(&x.g, "vps-0");
	black = node(&x.g, "black");
	apricot = node(&x.g, "apricot");
	u = (struct ui_ctx){ .f = &x.f, .snap = &x.snap, .ev = &x.ev, .now = T0, .rs = &x.st };
	ui_state_init(&s, "topology", false, T0);
	cells_init(&c, 200, 60, false);
	frame_draw(&c, &u, &s);
	s.vs[1].sel = vps;
	ck_assert_int_eq(nav_key(&s, &u, UK_UP), UA_DRAW);
	ck_assert_int_eq(s.vs[1].sel, vps);                  /* nothing above the edge */
	nav_key(&s, &u, UK_DOWN);
	ck_assert(s.vs[1].sel == black || s.vs[1].sel == node(&x.g, "plum"));
	s.vs[1].sel = black;
	nav_key(&s, &u, UK_DOWN);
	ck_assert_int_eq(s.vs[1].sel, apricot);
	nav_key(&s, &u, UK_UP);
	ck_assert(s.vs[1].sel == black || s.vs[1].sel == node(&x.g, "plum"));
	s.vs[1].sel = black;
	nav_key(&s, &u, UK_RIGHT);
	ck_assert_int_eq(s.vs[1].sel, node(&x.g, "plum"));
	nav_key(&s, &u, UK_LEFT);
	ck_assert_int_eq(s.vs[1].sel, black);
	frame_draw(&c, &u, &s);
	ck_assert_int_eq(nav_key(&s, &u, UK_ENTER), UA_DRAW);
	ck_assert_int_eq(s.screen, SCREEN_DETAIL);
	ck_assert_int_eq(s.detail_host, black);

	/* the mouse: a click on apricot's box selects it, a second opens it */
	{
		struct topo_layout l;
		const struct topo_box *b;
		ck_assert_int_eq(nav_key(&s, &u, UK_ESC), UA_DRAW);
		frame_draw(&c, &u, &s);
		topology_layout_compute(&l, &x.g, s.body.w, s.body.h);
		ck_assert(l.fits);
		b = &l.boxes[apricot];
		ck_assert_int_eq(nav_mouse(&s, &u, s.body.x + b->x + 1, s.body.y + b->y + 1, 1), UA_DRAW);
		ck_assert_int_eq(s.vs[1].sel, apricot);
		frame_draw(&c, &u, &s);
		nav_mouse(&s, &u, s.body.x + b->x + 1, s.body.y + b->y + 1, 1);
		ck_assert_int_eq(s.screen, SCREEN_DETAIL);
		ck_assert_int_eq(s.detail_host, apricot);
		topology_layout_free(&l);
	}
	cells_free(&c);
	fx_free(&x);
}
END_TEST

/* A bigger made-up fleet: links skipping tiers (lanes), links within a
 * tier, many boxes per row. */
START_TEST(test_synthetic)
{
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct topo_graph g;
	struct topo_layout l;
	char *text = xstrdup("");
	int fitted = 0;

	for (int i = 0; i < 12; i++) {
		char *t = xasprintf("%s[host h%d]\n%s", text, i, i >= 9 ? "gpus = nvidia\n" : "");
		free(text);
		text = t;
	}
	for (int i = 3; i < 6; i++) {
		char *t = xasprintf("%s[database db%d]\nhost = h%d\ndsn = host=x\n", text, i, i);
		free(text);
		text = t;
	}
	for (int i = 0; i < 11; i++) {
		char *t = xasprintf("%s[link h%d -> h%d]\nlabel = L%d\n[link h%d -> h%d]\n", text, i,
				    i + 1, i, i, (i * 5 + 7) % 12);
		free(text);
		text = t;
	}
	ck_assert_int_eq(fleet_load_buffer("syn.fleet", text, strlen(text), &f, &d), 0);
	topology_graph_build(&g, &f, NULL, NULL);
	ck_assert_int_ge(g.nedges, 15);
	for (int w = 60; w <= 300; w += 30)
		for (int h = 15; h <= 100; h += 17) {
			topology_layout_compute(&l, &g, w, h);
			check_layout(&g, &l, w, h);
			fitted += l.fits;
			topology_layout_free(&l);
		}
	ck_assert_int_gt(fitted, 0);
	topology_graph_free(&g);
	fleet_free(&f);
	fleet_diags_free(&d);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("topology");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_graph_cocotte);
	tcase_add_test(tc, test_fits_large);
	tcase_add_test(tc, test_other_fleets);
	tcase_add_test(tc, test_any_size);
	tcase_add_test(tc, test_collapsed_list);
	tcase_add_test(tc, test_map_drawn);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_synthetic);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
