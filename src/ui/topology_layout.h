/* The topology map as data (view 2).
 *
 * Two pure steps, no curses and no cell buffer:
 *  - topology_graph_build(): the fleet, snapshot and evaluation become
 *    nodes (one per [host], with the services, databases, GPUs, containers
 *    and backups listed in its box, and a tier) and edges ([link], tunnel,
 *    replica_of, backup of/host, jump), each with a label and a status;
 *  - topology_layout_compute(): boxes and routed edges for a w x h area,
 *    or fits = false when boxes cannot be drawn readably there (the view
 *    then draws the tiers as a list with arrows and the edges as text).
 *
 * Layout contract (tests/unit/test_topology.c checks it): boxes never
 * overlap; every edge of the graph has a route; a route is a polyline of
 * horizontal and vertical segments that touches boxes only at its two
 * ends (a cell on the border of each end's box); everything, labels
 * included, lies inside [0, w) x [0, h).
 *
 * Tiers (the heuristic, top to bottom):
 *  data     hosts that run a [database] (primary or replica);
 *  compute  otherwise hosts with GPUs, or that store another host's backups;
 *  edge     otherwise hosts no [link] points to that either link onwards or
 *           serve an http(s) service checked from outside (no `from`);
 *  app      everything else (hosts reached by links, isolated hosts).
 * Only [link] edges count as traffic; jump, tunnel, replica and backup
 * edges are management paths and do not make a host "reached". */
#ifndef FLEETDECK_UI_TOPOLOGY_LAYOUT_H
#define FLEETDECK_UI_TOPOLOGY_LAYOUT_H

#include <stdbool.h>

#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"

enum topo_tier { TT_EDGE, TT_APP, TT_DATA, TT_COMPUTE, TT__COUNT };
enum topo_edge_kind { TE_LINK, TE_TUNNEL, TE_REPLICA, TE_BACKUP, TE_JUMP };
enum topo_item_kind { TI_SERVICE, TI_DATABASE, TI_BACKUP, TI_GPU, TI_CONTAINER };

#define TOPO_TEXT 64
#define TOPO_MAX_PTS 8

/* One line inside a host's box. */
struct topo_item {
	enum topo_item_kind kind;
	char text[TOPO_TEXT];
	enum status status;
	bool checked;                /* false: nothing judges it (no check) */
};

struct topo_node {
	const char *name;            /* the host's name (points into the fleet) */
	enum topo_tier tier;
	enum status status;
	bool stale;
	struct topo_item *items;
	int nitems;
};

struct topo_edge {
	int from, to;                /* node (= host) indexes, never equal */
	enum topo_edge_kind kind;
	char label[TOPO_TEXT];
	enum status status;
	bool checked;                /* false: drawn neutral (a link without check) */
};

/* Node i is fleet host i. */
struct topo_graph {
	struct topo_node *nodes;
	int nnodes;
	struct topo_edge *edges;
	int nedges;
};

struct topo_point {
	int x, y;
};

struct topo_box {
	int x, y, w, h;              /* border included */
	int shown;                   /* items listed; more than that: a "+N more" line */
};

struct topo_route {
	struct topo_point pts[TOPO_MAX_PTS];
	int npts;                    /* >= 2; first and last on the ends' borders */
	int label_x, label_y, label_w;   /* label_w 0: no room for the label */
};

struct topo_layout {
	bool fits;                   /* false: draw the tier list instead */
	int w, h;
	struct topo_box *boxes;      /* box i is node i (when fits) */
	struct topo_route *routes;   /* route i is edge i (when fits) */
	int nboxes, nroutes;
};

/* snap and ev may be NULL or shorter than the fleet (nothing collected yet):
 * statuses are then unknown and snapshot-only items are left out. */
void topology_graph_build(struct topo_graph *g, const struct fleet *f,
			  const struct snapshot *snap, const struct evaluation *ev);
void topology_graph_free(struct topo_graph *g);

/* Lays g out in w x h (any size, even 0 x 0 or negative). */
void topology_layout_compute(struct topo_layout *l, const struct topo_graph *g, int w, int h);
void topology_layout_free(struct topo_layout *l);

/* Nodes in tier order (then fleet order) into order[nnodes]; returns the count. */
int topology_order(const struct topo_graph *g, int *order);
/* The box nearest to box `from` in direction (dx, dy) (one of them +-1,
 * the other 0), or `from` when there is none that way. */
int topology_neighbour(const struct topo_layout *l, int from, int dx, int dy);
/* The box containing (x, y), or -1. */
int topology_box_at(const struct topo_layout *l, int x, int y);

const char *topology_tier_name(enum topo_tier t);   /* "edge" "app" "data" "compute" */

#endif
