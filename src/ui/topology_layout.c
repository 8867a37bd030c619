/* The topology graph (fleet -> nodes, edges, tiers) and its layered layout.
 * See topology_layout.h for the contract and the tier heuristic. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "ui/topology_layout.h"
#include "util/util.h"

/* ---- the graph ------------------------------------------------------ */

static void status_of(const struct evaluation *ev, enum domain_id kind, int index, int sub,
		      enum status *st, bool *checked)
{
	const struct target_eval *t = ev ? rules_target_find(ev, kind, index, sub) : NULL;

	*checked = t != NULL;
	*st = t ? (t->ev.stale ? ST_UNKNOWN : t->ev.status) : ST_UNKNOWN;
}

static void item_add(struct topo_node *n, enum topo_item_kind kind, const char *text,
		     enum status st, bool checked)
{
	struct topo_item *it;

	n->items = xrealloc(n->items, (size_t)(n->nitems + 1) * sizeof(*n->items));
	it = &n->items[n->nitems++];
	it->kind = kind;
	str_copy(it->text, text, sizeof(it->text));
	it->status = st;
	it->checked = checked;
}

/* The host a section runs on: `host =` of a service or database. */
static int section_host(const struct fleet *f, enum section_kind kind, const char *name)
{
	const struct fleet_section *s = name ? fleet_find_section(f, kind, name) : NULL;
	const char *h = s ? fleet_section_get(s, "host") : NULL;

	return h ? fleet_host_index(f, h) : -1;
}

/* A link end or a backup's `of`: a host, else a service's or database's host. */
static int end_host(const struct fleet *f, const char *name)
{
	int h = fleet_host_index(f, name);

	if (h >= 0)
		return h;
	h = section_host(f, SEC_SERVICE, name);
	return h >= 0 ? h : section_host(f, SEC_DATABASE, name);
}

/* Adds an edge, merging it into an equal one (same ends and label): the
 * link and the restic backup from black to apricot are one line. */
static void edge_add(struct topo_graph *g, int from, int to, enum topo_edge_kind kind,
		     const char *label, enum status st, bool checked)
{
	struct topo_edge *e;

	if (from < 0 || to < 0 || from == to)
		return;
	for (int i = 0; i < g->nedges; i++) {
		e = &g->edges[i];
		if (e->from != from || e->to != to || strcmp(e->label, label))
			continue;
		if (checked)
			e->status = e->checked ? status_worst(e->status, st) : st;
		e->checked = e->checked || checked;
		return;
	}
	g->edges = xrealloc(g->edges, (size_t)(g->nedges + 1) * sizeof(*g->edges));
	e = &g->edges[g->nedges++];
	*e = (struct topo_edge){ .from = from, .to = to, .kind = kind, .status = st,
				 .checked = checked };
	str_copy(e->label, label, sizeof(e->label));
}

/* "A -> B" into its two ends (trimmed, in a and b). */
static bool link_ends(const char *name, char *a, char *b, size_t size)
{
	const char *arrow = strstr(name, "->");
	char buf[256];

	if (!arrow)
		return false;
	str_copy(buf, name, (size_t)(arrow - name) + 1 < sizeof(buf) ? (size_t)(arrow - name) + 1
								       : sizeof(buf));
	str_copy(a, str_trim(buf), size);
	str_copy(buf, arrow + 2, sizeof(buf));
	str_copy(b, str_trim(buf), size);
	return true;
}

static void graph_links(struct topo_graph *g, const struct fleet *f, const struct evaluation *ev)
{
	size_t n = fleet_count(f, SEC_LINK);

	for (size_t i = 0; i < n; i++) {
		const struct fleet_section *s = fleet_nth(f, SEC_LINK, i);
		const char *label = fleet_section_get(s, "label");
		char a[128], b[128];
		enum status st;
		bool checked;

		if (!link_ends(s->name, a, b, sizeof(a)))
			continue;
		status_of(ev, DOM_LINK, (int)i, -1, &st, &checked);
		edge_add(g, end_host(f, a), end_host(f, b), TE_LINK, label && *label ? label : "link",
			 st, checked);
	}
}

/* Databases: an item on their host; tunnel and replica_of edges. */
static void graph_databases(struct topo_graph *g, const struct fleet *f,
			    const struct snapshot *snap, const struct evaluation *ev)
{
	size_t n = snap ? snapshot_count(snap, DOM_DATABASE) : 0, nd = fleet_count(f, SEC_DATABASE);

	/* the [database]s, then the databases found through [prometheus] */
	for (size_t i = 0; i < (n > nd ? n : nd); i++) {
		struct db_row tmp;
		const struct fleet_section *s = db_row_section(f, snap, i, &tmp);
		const char *tunnel, *primary, *on;
		char text[TOPO_TEXT];
		enum status st;
		bool checked;
		int h;

		if (!s)
			continue;
		tunnel = fleet_section_get(s, "tunnel");
		primary = fleet_section_get(s, "replica_of");
		on = fleet_section_get(s, "host");
		h = on ? fleet_host_index(f, on) : -1;

		status_of(ev, DOM_DATABASE, (int)i, -1, &st, &checked);
		if (h >= 0) {
			str_fmt(text, sizeof(text), "db %s%s", s->name, primary ? " (replica)" : "");
			item_add(&g->nodes[h], TI_DATABASE, text, st, checked);
		}
		if (tunnel)
			edge_add(g, fleet_host_index(f, tunnel), h, TE_TUNNEL, "tunnel", st, checked);
		if (primary)
			edge_add(g, h, section_host(f, SEC_DATABASE, primary), TE_REPLICA, "replica",
				 st, checked);
	}
}

/* Backups: an edge from what they protect to where they are stored, or an
 * item on the protected host when there is no such second host. */
static void graph_backups(struct topo_graph *g, const struct fleet *f, const struct evaluation *ev,
			  bool *stores)
{
	size_t n = fleet_count(f, SEC_BACKUP);

	for (size_t i = 0; i < n; i++) {
		const struct fleet_section *s = fleet_nth(f, SEC_BACKUP, i);
		const char *of = fleet_section_get(s, "of");
		const char *src = fleet_section_get(s, "source");
		const char *on = fleet_section_get(s, "host");
		const char *db = fleet_section_get(s, "database");
		int from = of ? end_host(f, of) : db ? section_host(f, SEC_DATABASE, db) : -1;
		int to = on ? fleet_host_index(f, on) : -1;
		char text[TOPO_TEXT];
		enum status st;
		bool checked;

		status_of(ev, DOM_BACKUP, (int)i, -1, &st, &checked);
		if (from >= 0 && to >= 0 && from != to) {
			bool named = src && (!strcmp(src, "restic") || !strcmp(src, "pgbackrest"));
			edge_add(g, from, to, TE_BACKUP, named ? src : "backup", st, checked);
			stores[to] = true;
			continue;
		}
		if (from < 0)
			from = to;
		if (from < 0)
			continue;
		str_fmt(text, sizeof(text), "bk %s", s->name);
		item_add(&g->nodes[from], TI_BACKUP, text, st, checked);
	}
}

/* A jump edge is as healthy as the path: the jumped host answering. */
static void graph_jumps(struct topo_graph *g, const struct fleet *f, const struct snapshot *snap)
{
	for (size_t i = 0; i < f->nhosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		enum host_conn conn = snap && i < snap->nhosts ? snap_host(snap, i)->conn : HC_NEVER;
		enum status st = conn == HC_OK ? ST_OK : conn == HC_NEVER ? ST_UNKNOWN : ST_CRIT;

		if (h->jump_index >= 0)
			edge_add(g, h->jump_index, (int)i, TE_JUMP, "ssh", st, true);
	}
}

/* Services: an item on their host; *public gets hosts serving http(s)
 * checked from outside (no `from`). */
static void graph_services(struct topo_graph *g, const struct fleet *f,
			   const struct evaluation *ev, bool *public)
{
	size_t n = fleet_count(f, SEC_SERVICE);

	for (size_t i = 0; i < n; i++) {
		const struct fleet_section *s = fleet_nth(f, SEC_SERVICE, i);
		const char *check = fleet_section_get(s, "check");
		int h = section_host(f, SEC_SERVICE, s->name);
		char text[TOPO_TEXT];
		enum status st;
		bool checked;

		if (h < 0)
			continue;
		status_of(ev, DOM_SERVICE, (int)i, -1, &st, &checked);
		str_fmt(text, sizeof(text), "svc %s", s->name);
		item_add(&g->nodes[h], TI_SERVICE, text, st, checked);
		if (check && str_starts(check, "http") && !fleet_section_get(s, "from"))
			public[h] = true;
	}
}

/* GPUs and containers come from the snapshot (what was found). */
static void graph_collected(struct topo_graph *g, size_t i, const struct snapshot *snap,
			    const struct evaluation *ev)
{
	char text[TOPO_TEXT];
	enum status st;
	bool checked;

	if (i < snapshot_count(snap, DOM_GPU) && snap_gpus(snap, i)->collected && !snap_gpus(snap, i)->absent)
		for (int k = 0; k < snap_gpus(snap, i)->n; k++) {
			const struct gpu_sample *gs = &snap_gpus(snap, i)->g[k];
			status_of(ev, DOM_GPU, (int)i, gs->index, &st, &checked);
			str_fmt(text, sizeof(text), "gpu %d %s", gs->index, gs->name);
			item_add(&g->nodes[i], TI_GPU, text, st, checked);
		}
	if (i < snapshot_count(snap, DOM_CONTAINER) && snap_containers(snap, i)->collected)
		for (int k = 0; k < snap_containers(snap, i)->n; k++) {
			status_of(ev, DOM_CONTAINER, (int)i, k, &st, &checked);
			str_fmt(text, sizeof(text), "ct %s", snap_containers(snap, i)->c[k].name);
			item_add(&g->nodes[i], TI_CONTAINER, text, st, checked);
		}
}

static bool host_has_gpus(const struct fleet *f, const struct snapshot *snap, size_t i)
{
	enum gpus_mode m = f->hosts[i].gpus;

	if (m == GPUS_NVIDIA || m == GPUS_HTTP_JSON)
		return true;
	return m == GPUS_AUTO && snap && i < snapshot_count(snap, DOM_GPU) && snap_gpus(snap, i)->n > 0;
}

static void graph_tiers(struct topo_graph *g, const struct fleet *f, const struct snapshot *snap,
			const bool *stores, const bool *public)
{
	for (int i = 0; i < g->nnodes; i++) {
		struct topo_node *n = &g->nodes[i];
		int in = 0, out = 0;
		bool db = false;

		for (int k = 0; k < n->nitems; k++)
			db = db || n->items[k].kind == TI_DATABASE;
		for (int e = 0; e < g->nedges; e++) {
			if (g->edges[e].kind != TE_LINK)
				continue;
			in += g->edges[e].to == i;
			out += g->edges[e].from == i;
		}
		if (db)
			n->tier = TT_DATA;
		else if (host_has_gpus(f, snap, (size_t)i) || stores[i])
			n->tier = TT_COMPUTE;
		else if (in == 0 && (out > 0 || public[i]))
			n->tier = TT_EDGE;
		else
			n->tier = TT_APP;
	}
}

void topology_graph_build(struct topo_graph *g, const struct fleet *f,
			  const struct snapshot *snap, const struct evaluation *ev)
{
	int n = (int)f->nhosts;
	bool *stores = xcalloc((size_t)n + 1, sizeof(bool));
	bool *public = xcalloc((size_t)n + 1, sizeof(bool));

	memset(g, 0, sizeof(*g));
	g->nnodes = n;
	g->nodes = xcalloc((size_t)n + 1, sizeof(*g->nodes));
	for (int i = 0; i < n; i++) {
		struct topo_node *node = &g->nodes[i];
		const struct host_eval *he = ev && (size_t)i < ev->nhosts ? &ev->hosts[i] : NULL;

		node->name = f->hosts[i].name;
		node->status = he ? (he->stale ? ST_UNKNOWN : he->status) : ST_UNKNOWN;
		node->stale = he && he->stale;
	}
	graph_links(g, f, ev);
	graph_services(g, f, ev, public);
	graph_databases(g, f, snap, ev);
	graph_backups(g, f, ev, stores);
	graph_jumps(g, f, snap);
	for (int i = 0; snap && i < n; i++)
		graph_collected(g, (size_t)i, snap, ev);
	graph_tiers(g, f, snap, stores, public);
	free(stores);
	free(public);
}

void topology_graph_free(struct topo_graph *g)
{
	for (int i = 0; i < g->nnodes; i++)
		free(g->nodes[i].items);
	free(g->nodes);
	free(g->edges);
	memset(g, 0, sizeof(*g));
}

const char *topology_tier_name(enum topo_tier t)
{
	static const char *const names[TT__COUNT] = { "edge", "app", "data", "compute" };

	return t >= 0 && t < TT__COUNT ? names[t] : "?";
}

int topology_order(const struct topo_graph *g, int *order)
{
	int n = 0;

	for (int t = 0; t < TT__COUNT; t++)
		for (int i = 0; i < g->nnodes; i++)
			if ((int)g->nodes[i].tier == t)
				order[n++] = i;
	return n;
}

/* ---- the layout ------------------------------------------------------
 * Rows of boxes, one per non-empty tier, separated by horizontal channels
 * (channel k lies above row k; 0 and nrows are the outer ones). Every edge
 * gets its own track (one row) in a channel:
 *  - adjacent rows: out of the facing sides, along the track between them;
 *  - the same row: out of both bottoms (tops for the last row) into the
 *    channel below (above);
 *  - rows further apart: a track next to each end and a lane of its own in
 *    the left margin, which holds no box, to get past the rows between.
 * Channels and lanes hold no box, so no route can cross one. */

#define BOX_MIN_W 14
#define BOX_MIN_H 4      /* one item and a "+N more" line */
#define ITEM_MAX_W 60
#define LANE_STEP 2
#define LABEL_MIN 8

enum side { SIDE_TOP, SIDE_BOTTOM };

struct plan {
	enum side side_from, side_to;
	int chan_from, chan_to;     /* channel of the track next to each end */
	int track_from, track_to;   /* equal channels: one track */
	int lane;                   /* -1: no lane */
	int x_from, x_to;           /* port columns */
};

struct work {
	const struct topo_graph *g;
	int w, h, pad;
	int nrows;
	int *row, *pos;             /* per node */
	int row_n[TT__COUNT];
	int *row_nodes[TT__COUNT];
	int ntracks[TT__COUNT + 1];
	int chan_y[TT__COUNT + 1], chan_h[TT__COUNT + 1];
	int row_y[TT__COUNT], row_h[TT__COUNT];
	int nlanes, x0;
	struct plan *plan;
	bool *used;                 /* (TT__COUNT + 1) x w: port columns taken per channel */
};

/* Columns a UTF-8 string takes, counting every codepoint as one. */
static int text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void rows_assign(struct work *wk)
{
	const struct topo_graph *g = wk->g;
	int tier_row[TT__COUNT];

	wk->nrows = 0;
	for (int t = 0; t < TT__COUNT; t++) {
		tier_row[t] = -1;
		for (int i = 0; i < g->nnodes && tier_row[t] < 0; i++)
			if ((int)g->nodes[i].tier == t)
				tier_row[t] = wk->nrows++;
	}
	for (int i = 0; i < g->nnodes; i++) {
		int r = tier_row[g->nodes[i].tier];
		wk->row[i] = r;
		wk->pos[i] = wk->row_n[r];
		wk->row_nodes[r][wk->row_n[r]++] = i;
	}
}

/* Where a node's neighbours in the rows above sit (0..1), for ordering. */
static double row_key(const struct work *wk, int node)
{
	double sum = 0;
	int n = 0;

	for (int e = 0; e < wk->g->nedges; e++) {
		const struct topo_edge *ed = &wk->g->edges[e];
		int other = ed->from == node ? ed->to : ed->to == node ? ed->from : -1;
		if (other < 0 || wk->row[other] >= wk->row[node])
			continue;
		sum += (wk->pos[other] + 0.5) / wk->row_n[wk->row[other]];
		n++;
	}
	if (n == 0)
		return (wk->pos[node] + 0.5) / wk->row_n[wk->row[node]];
	return sum / n;
}

/* Orders each row under its neighbours above (one barycentre pass, stable),
 * which removes most crossings in small fleets. */
static void rows_order(struct work *wk)
{
	for (int r = 1; r < wk->nrows; r++) {
		int n = wk->row_n[r], *v = wk->row_nodes[r];
		double *key = xcalloc((size_t)n, sizeof(*key));

		for (int k = 0; k < n; k++)
			key[k] = row_key(wk, v[k]);
		for (int k = 1; k < n; k++) {
			double kk = key[k];
			int node = v[k], j = k - 1;
			for (; j >= 0 && key[j] > kk; j--) {
				key[j + 1] = key[j];
				v[j + 1] = v[j];
			}
			key[j + 1] = kk;
			v[j + 1] = node;
		}
		for (int k = 0; k < n; k++)
			wk->pos[v[k]] = k;
		free(key);
	}
}

static int track_new(struct work *wk, int chan)
{
	return wk->ntracks[chan]++;
}

static void edges_plan(struct work *wk)
{
	for (int e = 0; e < wk->g->nedges; e++) {
		const struct topo_edge *ed = &wk->g->edges[e];
		struct plan *p = &wk->plan[e];
		int rf = wk->row[ed->from], rt = wk->row[ed->to];
		bool down = rt > rf;

		p->lane = -1;
		if (rf == rt) {
			int c = rf + 1 < wk->nrows || rf == 0 ? rf + 1 : rf;
			p->side_from = p->side_to = c == rf + 1 ? SIDE_BOTTOM : SIDE_TOP;
			p->chan_from = p->chan_to = c;
			p->track_from = p->track_to = track_new(wk, c);
			continue;
		}
		p->side_from = down ? SIDE_BOTTOM : SIDE_TOP;
		p->side_to = down ? SIDE_TOP : SIDE_BOTTOM;
		p->chan_from = down ? rf + 1 : rf;
		p->chan_to = down ? rt : rt + 1;
		p->track_from = track_new(wk, p->chan_from);
		p->track_to = p->chan_to == p->chan_from ? p->track_from : track_new(wk, p->chan_to);
		if (p->chan_to != p->chan_from)
			p->lane = wk->nlanes++;
	}
}

/* Ends of edges on one side of a node. */
static int side_ports(const struct work *wk, int node, enum side side)
{
	int n = 0;

	for (int e = 0; e < wk->g->nedges; e++) {
		const struct topo_edge *ed = &wk->g->edges[e];
		n += ed->from == node && wk->plan[e].side_from == side;
		n += ed->to == node && wk->plan[e].side_to == side;
	}
	return n;
}

static int node_need_w(const struct topo_node *n)
{
	int need = text_cols(n->name) + 4;

	for (int k = 0; k < n->nitems; k++) {
		int iw = text_cols(n->items[k].text);
		if (iw > ITEM_MAX_W)
			iw = ITEM_MAX_W;
		if (iw + 4 > need)
			need = iw + 4;
	}
	return need;
}

static bool boxes_x(struct work *wk, struct topo_layout *l)
{
	int lane_w = wk->nlanes ? 1 + LANE_STEP * wk->nlanes : 0;
	int aw = wk->w - lane_w;

	wk->x0 = lane_w;
	for (int r = 0; r < wk->nrows; r++) {
		int n = wk->row_n[r], cell = aw / n;
		for (int k = 0; k < n; k++) {
			int node = wk->row_nodes[r][k], bw = node_need_w(&wk->g->nodes[node]);
			int ports = side_ports(wk, node, SIDE_TOP);
			int pb = side_ports(wk, node, SIDE_BOTTOM);

			if (pb > ports)
				ports = pb;
			if (bw < BOX_MIN_W)
				bw = BOX_MIN_W;
			if (bw < ports + 2)
				bw = ports + 2;
			if (bw > cell - 2)
				bw = cell - 2;
			if (bw < BOX_MIN_W || bw < ports + 2 || ports > 64)
				return false;
			l->boxes[node].x = lane_w + k * cell + (cell - bw) / 2;
			l->boxes[node].w = bw;
		}
	}
	return true;
}

static int row_need_h(const struct work *wk, int r)
{
	int need = 3;

	for (int k = 0; k < wk->row_n[r]; k++) {
		int h = 2 + wk->g->nodes[wk->row_nodes[r][k]].nitems;
		if (h > need)
			need = h;
	}
	return need;
}

/* Channel heights, then row heights from what is left: every row gets
 * what it needs if it can, the tallest rows shrink first otherwise. */
static bool rows_y(struct work *wk)
{
	int avail = wk->h, need = 0, y = 0;

	for (int c = 0; c <= wk->nrows; c++) {
		bool inner = c > 0 && c < wk->nrows;
		wk->chan_h[c] = wk->ntracks[c] ? wk->ntracks[c] + 2 * wk->pad : inner ? 1 : 0;
		avail -= wk->chan_h[c];
	}
	for (int r = 0; r < wk->nrows; r++) {
		wk->row_h[r] = row_need_h(wk, r);
		need += wk->row_h[r] < BOX_MIN_H ? wk->row_h[r] : BOX_MIN_H;
	}
	if (need > avail)
		return false;
	for (;;) {
		int sum = 0, big = -1;
		for (int r = 0; r < wk->nrows; r++) {
			sum += wk->row_h[r];
			if (wk->row_h[r] > BOX_MIN_H && (big < 0 || wk->row_h[r] > wk->row_h[big]))
				big = r;
		}
		if (sum <= avail)
			break;
		if (big < 0)
			return false;
		wk->row_h[big]--;
	}
	for (int r = 0; r < wk->nrows; r++) {
		wk->chan_y[r] = y;
		y += wk->chan_h[r];
		wk->row_y[r] = y;
		y += wk->row_h[r];
	}
	wk->chan_y[wk->nrows] = y;
	return y + wk->chan_h[wk->nrows] <= wk->h;
}

static void boxes_y(struct work *wk, struct topo_layout *l)
{
	for (int i = 0; i < wk->g->nnodes; i++) {
		struct topo_box *b = &l->boxes[i];
		int r = wk->row[i], n = wk->g->nodes[i].nitems, inner;

		b->y = wk->row_y[r];
		b->h = 2 + n < wk->row_h[r] ? 2 + n : wk->row_h[r];
		if (b->h < 3)
			b->h = 3;
		inner = b->h - 2;
		b->shown = n <= inner ? n : inner - 1;
	}
}

static int lane_x(int lane)
{
	return 1 + LANE_STEP * lane;
}

/* Where an end's line heads: the other box's centre, or its lane. */
static int end_key(const struct work *wk, const struct topo_layout *l, int e, bool from)
{
	const struct topo_edge *ed = &wk->g->edges[e];
	const struct topo_box *o = &l->boxes[from ? ed->to : ed->from];

	if (wk->plan[e].lane >= 0)
		return lane_x(wk->plan[e].lane);
	return o->x + o->w / 2;
}

/* A free column near x in [lo, hi], not yet used in that channel (two
 * lines in one column would be read as one); -1 if none. */
static int port_column(struct work *wk, int lo, int hi, int chan, int x)
{
	bool *used = wk->used + (size_t)chan * (size_t)wk->w;

	for (int d = 0; d <= 2 * (hi - lo + 1); d++) {
		int c = x + (d % 2 ? (d + 1) / 2 : -(d / 2));
		if (c >= lo && c <= hi && !used[c]) {
			used[c] = true;
			return c;
		}
	}
	return -1;
}

/* Spreads the ends on one side of a box, ordered by where they head. */
static void ports_side(struct work *wk, const struct topo_layout *l, int node, enum side side)
{
	const struct topo_box *b = &l->boxes[node];
	int m = 0, ends[64], keys[64];
	int chan = wk->row[node] + (side == SIDE_BOTTOM);
	int lo = b->x + 1, span = b->w - 2, title = text_cols(wk->g->nodes[node].name) + 3;

	for (int e = 0; e < wk->g->nedges && m < 64; e++) {
		const struct topo_edge *ed = &wk->g->edges[e];
		if (ed->from == node && wk->plan[e].side_from == side && m < 64) {
			ends[m] = 2 * e;
			keys[m++] = end_key(wk, l, e, true);
		}
		if (ed->to == node && wk->plan[e].side_to == side && m < 64) {
			ends[m] = 2 * e + 1;
			keys[m++] = end_key(wk, l, e, false);
		}
	}
	for (int k = 1; k < m; k++)
		for (int j = k; j > 0 && keys[j - 1] > keys[j]; j--) {
			int t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t;
			t = ends[j]; ends[j] = ends[j - 1]; ends[j - 1] = t;
		}
	/* top ends keep clear of the title when there is room */
	if (side == SIDE_TOP && span - title >= m) {
		lo += title;
		span -= title;
	}
	for (int k = 0; k < m; k++) {
		int x = lo + (k + 1) * span / (m + 1);
		struct plan *p = &wk->plan[ends[k] / 2];

		x = port_column(wk, lo, lo + span - 1, chan, x);
		if (x < 0)
			x = port_column(wk, b->x + 1, b->x + b->w - 2, chan, b->x + b->w / 2);
		if (x < 0)    /* every column taken: share one (still on the side) */
			x = b->x + 1 + k % (b->w - 2);
		if (ends[k] % 2)
			p->x_to = x;
		else
			p->x_from = x;
	}
}

/* Appends a point, dropping repeats and merging straight runs. */
static void route_push(struct topo_route *r, int x, int y)
{
	struct topo_point *p = r->pts;

	if (r->npts > 0 && p[r->npts - 1].x == x && p[r->npts - 1].y == y)
		return;
	if (r->npts >= 2 && ((p[r->npts - 2].x == x && p[r->npts - 1].x == x) ||
			     (p[r->npts - 2].y == y && p[r->npts - 1].y == y))) {
		p[r->npts - 1] = (struct topo_point){ x, y };
		return;
	}
	if (r->npts < TOPO_MAX_PTS)
		p[r->npts++] = (struct topo_point){ x, y };
}

static int side_y(const struct topo_box *b, enum side s)
{
	return s == SIDE_TOP ? b->y : b->y + b->h - 1;
}

/* The label on the track next to the target: inside the horizontal run
 * when it is long enough, else beside it (right, then left). */
static bool label_place(const struct work *wk, struct topo_route *r, const char *label,
			int xa, int xb, int y)
{
	int len = text_cols(label), lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
	int inside = hi - lo - 3, want = len < LABEL_MIN ? len : LABEL_MIN;
	int right = wk->w - (hi + 2), left = lo - 2 - wk->x0 + 1;

	r->label_y = y;
	if (len == 0)
		return true;
	if (len <= inside) {
		r->label_x = lo + 2 + (inside - len) / 2;
		r->label_w = len;
	} else if (right >= len || (right >= want && right >= left)) {
		r->label_x = hi + 2;
		r->label_w = len < right ? len : right;
	} else if (left >= want) {
		r->label_w = len < left ? len : left;
		r->label_x = lo - 1 - r->label_w;
	} else if (inside >= want) {
		r->label_x = lo + 2;
		r->label_w = inside;
	} else {
		return false;
	}
	return true;
}

static bool route_build(const struct work *wk, const struct topo_layout *l, int e,
			struct topo_route *r)
{
	const struct topo_edge *ed = &wk->g->edges[e];
	const struct plan *p = &wk->plan[e];
	int ta = wk->chan_y[p->chan_from] + wk->pad + p->track_from;
	int tb = wk->chan_y[p->chan_to] + wk->pad + p->track_to;
	int lx = p->lane >= 0 ? lane_x(p->lane) : p->x_from;

	memset(r, 0, sizeof(*r));
	route_push(r, p->x_from, side_y(&l->boxes[ed->from], p->side_from));
	route_push(r, p->x_from, ta);
	route_push(r, lx, ta);
	route_push(r, lx, tb);
	route_push(r, p->x_to, tb);
	route_push(r, p->x_to, side_y(&l->boxes[ed->to], p->side_to));
	return label_place(wk, r, ed->label, lx, p->x_to, tb);
}

static bool inside(const struct topo_layout *l, int x, int y)
{
	return x >= 0 && y >= 0 && x < l->w && y < l->h;
}

/* One attempt with `pad` blank rows around each channel's tracks. */
static bool layout_try(struct topo_layout *l, const struct topo_graph *g, int pad)
{
	struct work wk = { .g = g, .w = l->w, .h = l->h, .pad = pad };
	bool ok = false;

	wk.row = xcalloc((size_t)g->nnodes, sizeof(int));
	wk.pos = xcalloc((size_t)g->nnodes, sizeof(int));
	for (int t = 0; t < TT__COUNT; t++)
		wk.row_nodes[t] = xcalloc((size_t)g->nnodes, sizeof(int));
	wk.plan = xcalloc((size_t)g->nedges + 1, sizeof(*wk.plan));
	wk.used = xcalloc((size_t)(TT__COUNT + 1) * (size_t)l->w, sizeof(bool));
	rows_assign(&wk);
	rows_order(&wk);
	edges_plan(&wk);
	if (!boxes_x(&wk, l) || !rows_y(&wk))
		goto out;
	boxes_y(&wk, l);
	for (int i = 0; i < g->nnodes; i++) {
		ports_side(&wk, l, i, SIDE_TOP);
		ports_side(&wk, l, i, SIDE_BOTTOM);
	}
	for (int e = 0; e < g->nedges; e++) {
		struct topo_route *r = &l->routes[e];
		if (!route_build(&wk, l, e, r))
			goto out;
		for (int k = 0; k < r->npts; k++)
			if (!inside(l, r->pts[k].x, r->pts[k].y))
				goto out;
		if (r->label_w > 0 && (!inside(l, r->label_x, r->label_y) ||
				       r->label_x + r->label_w > l->w))
			goto out;
	}
	ok = true;
out:
	free(wk.row);
	free(wk.pos);
	for (int t = 0; t < TT__COUNT; t++)
		free(wk.row_nodes[t]);
	free(wk.plan);
	free(wk.used);
	return ok;
}

void topology_layout_compute(struct topo_layout *l, const struct topo_graph *g, int w, int h)
{
	memset(l, 0, sizeof(*l));
	l->w = w > 0 ? w : 0;
	l->h = h > 0 ? h : 0;
	l->boxes = xcalloc((size_t)g->nnodes + 1, sizeof(*l->boxes));
	l->routes = xcalloc((size_t)g->nedges + 1, sizeof(*l->routes));
	if (g->nnodes == 0 || l->w == 0 || l->h == 0)
		return;
	l->fits = layout_try(l, g, 2) || layout_try(l, g, 1) || layout_try(l, g, 0);
	if (l->fits) {
		l->nboxes = g->nnodes;
		l->nroutes = g->nedges;
	}
}

void topology_layout_free(struct topo_layout *l)
{
	free(l->boxes);
	free(l->routes);
	memset(l, 0, sizeof(*l));
}

int topology_box_at(const struct topo_layout *l, int x, int y)
{
	for (int i = 0; i < l->nboxes; i++) {
		const struct topo_box *b = &l->boxes[i];
		if (x >= b->x && x < b->x + b->w && y >= b->y && y < b->y + b->h)
			return i;
	}
	return -1;
}

/* Up/down go to the nearest row that way first (rows share their top
 * line), then to the box closest sideways; left/right stay in the row
 * when they can. Centres are doubled: no rounding. */
int topology_neighbour(const struct topo_layout *l, int from, int dx, int dy)
{
	int best = from;
	long best_score = LONG_MAX;
	long cx, cy;

	if (from < 0 || from >= l->nboxes)
		return from;
	cx = 2L * l->boxes[from].x + l->boxes[from].w;
	cy = 2L * l->boxes[from].y;
	for (int i = 0; i < l->nboxes; i++) {
		long ox = 2L * l->boxes[i].x + l->boxes[i].w - cx;
		long oy = 2L * l->boxes[i].y - cy;
		long along = dx ? ox * dx : oy * dy, across = labs(dx ? oy : ox), score;

		if (i == from || along <= 0)
			continue;
		score = dy ? along * 100000 + across : across * 100000 + along;
		if (score < best_score) {
			best_score = score;
			best = i;
		}
	}
	return best;
}
