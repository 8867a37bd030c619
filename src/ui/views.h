/* The view framework: one table of views, the frame around them (top line,
 * tabs, footer, small-terminal summary) and the navigation
 * state that keys and mouse clicks change.
 *
 * Nothing here includes curses: ui.c translates curses input into UK_* keys
 * and presents the cells; everything else is plain data, so unit tests can
 * drive keys and read frames without a terminal.
 *
 * Adding a view = one file view_NAME.c defining `const struct view
 * view_NAME`, its line in views.c's table, and its file in mk/ui.mk. The
 * table is the only list of views: --view, the tab bar, the number keys,
 * the help screen and --help follow from it (and test_ui checks that
 * fleetdeck(1) names every view). */
#ifndef FLEETDECK_UI_VIEWS_H
#define FLEETDECK_UI_VIEWS_H

#include <stdbool.h>
#include <stdio.h>

#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"
#include "ui/cells.h"

/* Keys as the framework sees them: a Unicode codepoint, or one of these. */
enum ui_key {
	UK_NONE = 0,
	UK_ENTER = '\n',
	UK_TAB = '\t',
	UK_ESC = 27,
	UK_BACKSPACE = 127,
	UK_UP = 0x110000, UK_DOWN, UK_LEFT, UK_RIGHT, UK_PGUP, UK_PGDN,
	UK_HOME, UK_END, UK_BTAB, UK_RESIZE, UK_REDRAW,
};

/* What ui.c must do after a key; the framework itself has no side effects. */
enum ui_action {
	UA_NONE,          /* nothing changed */
	UA_DRAW,          /* state changed: draw a frame */
	UA_QUIT,
	UA_PAUSE,         /* toggle collector pause */
	UA_POLL,          /* poll every target now */
	UA_REPAINT,       /* the screen may be garbled: repaint every cell */
	UA_ACTION,        /* s->act holds an action request (ui.c plans it) */
	UA_CONFIRM,       /* the dialog's plan was confirmed: start it */
	UA_CANCEL,        /* the dialog was cancelled: audit it */
};

/* Everything a view may read while drawing; rebuilt by ui.c each frame. */
struct ui_ctx {
	const struct fleet *f;
	const struct snapshot *snap;
	const struct evaluation *ev;
	double now;                   /* wall clock of this frame (held while paused: ui.c) */
	double clock;                 /* the clock shown, messages' timers: real time (0: now) */
	bool ascii;
	bool wall;                    /* --wall: no selection, big header */
	bool read_only;
	bool paused;
	struct actions *actions;      /* action progress and audit (action/action.h), or NULL */
	const struct rules_state *rs; /* the event log */
	/* asks the collector for the rows of large [prometheus] section i the
	 * overview shows (model_prom_want()); NULL: nobody to ask */
	void (*want_rows)(void *arg, size_t i, const struct prom_want *w);
	void *want_arg;
	const struct timeline *timeline; /* --replay: the recording's timeline (ui/timeline.h), else NULL */
	const struct hist_store *hist;   /* trends by time (history/history.h), or NULL */
	const struct event *past;        /* status changes of earlier runs, from the recording */
	size_t npast;
};

/* The time the top line's clock shows. */
static inline double view_clock(const struct ui_ctx *u)
{
	return u->clock > 0 ? u->clock : u->now;
}

/* Per-view navigation. Keys change sel; draw() fills in the rest. */
struct view_state {
	int sel;                      /* selected item */
	int top;                      /* first item shown */
	int nitems;                   /* set by draw: selectable items */
	int page;                     /* set by draw: items that fit */
	int list_y;                   /* set by draw: screen row of item `top` */
	int list_x, list_w;           /* set by draw: clickable columns */
	int target;                   /* set by draw: host index of sel, -1 none */
	/* a view's own sub-screen (a detail panel, a per-host table): kept
	 * here, not in the view's file, so views hold no mutable globals */
	bool sub_open;
	int sub_item;                 /* what it shows (e.g. a host index) */
	int sub_top;                  /* its scroll position */
	/* the overview's name and role widths over every host of a fleet:
	 * measured once per fleet (its names do not change while it runs) */
	const struct fleet *need_f;
	size_t need_n;
	int need_name, need_role;
};

struct ui_state;

struct view {
	const char *name;             /* as in --view */
	const char *title;            /* tab label */
	const char *help;             /* one line: what the view shows (--help) */
	bool ready;                   /* false: placeholder, skipped by the wall */
	/* Draws into body (already clipped). Must set vs->nitems/page/list_y/
	 * target and keep sel and top in range (view_list_layout() helps). */
	void (*draw)(struct cells *c, struct rect body, const struct ui_ctx *u,
		     const struct ui_state *s, struct view_state *vs);
	/* View-specific keys (actions); NULL or false: not handled. */
	bool (*on_key)(struct ui_state *s, const struct ui_ctx *u, struct view_state *vs, int key);
	/* Maps a click inside body to an item, -1 for none; NULL: one row per
	 * item from list_y. */
	int (*hit)(const struct view_state *vs, int x, int y);
	/* Host index of item `item` as the view would draw it now (keys may
	 * have moved the selection since the last frame); NULL: vs->target. */
	int (*target)(const struct ui_ctx *u, const struct ui_state *s, int item);
	/* --wall (ui/view_wall.c): with a wall_title, the view is one of the
	 * wall's rotating detail panels. It is shown while the fleet has a
	 * target of one of wall_kinds (bits 1u << DOM_*), or any host when it
	 * has wall_codes; a crit alert on such a target, or a host alert with
	 * one of wall_codes (NULL-terminated), holds the wall on it. */
	const char *wall_title;
	unsigned wall_kinds;
	const char *const *wall_codes;
};

enum ui_screen { SCREEN_VIEW, SCREEN_DETAIL, SCREEN_HELP };

#define VIEW_MAX 16               /* room in ui_state; views.c checks the table fits */
#define UI_FILTER_MAX 64

/* An action a view asked for (actions: view_runners.c, view_keys.c). */
struct ui_act_req {
	bool pending;
	int kind;                     /* enum action_kind */
	int skind;                    /* SEC_RUNNERS or SEC_KEY */
	int index;
	int count;                    /* scale to: -1 = ask for it */
	int from_shown;               /* the count the dialog's plan started from */
};

/* The action dialog (ui/confirm.c), drawn over the view. */
enum confirm_mode { CONFIRM_NONE, CONFIRM_COUNT, CONFIRM_PLAN, CONFIRM_RESULT };

struct ui_confirm {
	enum confirm_mode mode;
	bool yes;                     /* the focused button; default No */
	bool destructive;             /* the target's name must be typed */
	char title[128];
	char text[640];
	char word[64];                /* what must be typed */
	char typed[64];
	char secret[256];             /* a new key's plaintext, shown once, wiped on close */
};

struct ui_state {
	int view;                     /* index into views_table */
	enum ui_screen screen;
	struct view_state vs[VIEW_MAX];
	struct view_state detail;     /* scroll of the detail screen */
	struct view_state help;
	int detail_host;              /* host index shown by the detail screen */
	char filter[UI_FILTER_MAX];   /* "" = none; bytes of UTF-8 */
	bool filter_editing;
	bool wall;
	/* set by frame_draw, for the mouse */
	int tab_x0[VIEW_MAX], tab_x1[VIEW_MAX];
	int tabs_y;                   /* -1: no tabs on screen */
	bool summary;                 /* the last frame was the small summary */
	struct rect body;
	char message[128];            /* one-shot footer message */
	double message_at;
	struct ui_act_req act;
	struct ui_confirm confirm;
};

/* Every view once, in tab order (views.c), and how many there are. */
extern const struct view *const views_table[];
extern const int views_count;

/* The views, one file each. */
extern const struct view view_overview;
extern const struct view view_topology;
extern const struct view view_ram;
extern const struct view view_gpus;
extern const struct view view_databases;
extern const struct view view_runners;
extern const struct view view_keys;
extern const struct view view_events;

/* A domain's part of the views that show every domain (the overview),
 * keyed by domain in domain_views[] (views.c) and defined in the domain's
 * own view file, so that those views name no domain. */
struct host_column {
	const char *header;
	int width;                    /* fixed */
	/* when the host table is too narrow, the column with the highest drop
	 * goes first (view_overview.c's col_defs: the role 12, the memory bar
	 * 11, ..., the latency 7) */
	int drop;
	/* Host i's cell: its text into buf (right-aligned) and its role; vrole
	 * is the row's (stale or not). */
	int (*cell)(const struct ui_ctx *u, size_t host, int vrole, char *buf, size_t size);
};

struct domain_view {
	const struct host_column *overview;   /* a column of the overview's host table, after
						 DISK, in domain order; NULL: none */
};

extern const struct domain_view domain_views[DOM__COUNT];
extern const struct host_column ctr_column;   /* view_ram.c: containers running/total */
extern const struct host_column gpu_column;   /* view_gpus.c: GPUs, by their worst status */

/* Index of a view by --view name (or by its key), -1 if none. */
int views_find(const char *name);
/* The key of view i: '1'..'9' for the first nine, '0' for the tenth, 0 (Tab
 * only) for any beyond. */
int views_key(int i);
/* The view a key switches to, -1 if it is no view's key. */
int views_by_key(int key);
/* "overview, topology, ..." in tab order. */
void views_names(char *buf, size_t size);
/* The help screen's line for the view keys: "1-8" and
 * "switch view (Overview Topology ...)". */
void views_help_line(char *keys, size_t ksize, char *what, size_t wsize);
/* --help's list of views: key, name and what each shows. */
void views_usage(FILE *fp);

/* Sizes below this get the summary instead of a view. */
#define UI_MIN_W 80
#define UI_MIN_H 24

/* Starts on view `start` (NULL: overview). */
void ui_state_init(struct ui_state *s, const char *start, bool wall, double now);
/* Draws a whole frame for the current state into c (any size, even 0x0). */
void frame_draw(struct cells *c, const struct ui_ctx *u, struct ui_state *s);

/* Applies one key; returns what the caller must do. */
enum ui_action nav_key(struct ui_state *s, const struct ui_ctx *u, int key);
/* A mouse event at (x, y): button 1 press selects/switches, 4/5 scroll. */
enum ui_action nav_mouse(struct ui_state *s, const struct ui_ctx *u, int x, int y, int button);
/* The action dialog (ui/confirm.c): keys while it is open, and drawing it
 * over the frame. */
enum ui_action confirm_key(struct ui_state *s, int key);
void confirm_draw(struct cells *c, const struct ui_ctx *u, const struct ui_state *s);
/* True for the action keys (+ - = r), which read-only and wall refuse. */
bool view_is_action_key(int key);

/* Sets a one-shot message shown in the footer for a few seconds. */
void ui_message(struct ui_state *s, double now, const char *msg);

/* Helpers for list views. Clamps sel/top for `nitems` items shown `page`
 * at a time from row y. */
void view_list_layout(struct view_state *vs, int nitems, int page, int y);
/* text contains filter, ignoring ASCII case (an empty filter matches). */
bool view_text_matches(const char *text, const char *filter);
/* True when host i passes the filter (name or role contains it, ignoring
 * ASCII case). */
bool view_host_matches(const struct fleet *f, size_t i, const char *filter);
/* The role for a status (ok, warn, crit, unknown). */
int view_status_role(enum status st);
/* "OK" "WARN" "CRIT" "UNKNOWN". */
const char *view_status_word(enum status st);
/* Number of hosts all three of fleet, snapshot and evaluation know. */
size_t view_nhosts(const struct ui_ctx *u);

/* A sparkline of metric m of a target over the `span` seconds before
 * u->now, w columns at (x, y), scaled to [lo, hi] (hi <= lo: to its own
 * maximum); nothing when there is no history. Returns whether it drew. */
bool view_trend(struct cells *c, int x, int y, int w, const struct ui_ctx *u, int m,
		size_t index, const char *sub, double span, double lo, double hi, int role);

/* The Events view's selected row: its time (false when none). The
 * timeline's Enter jumps there (ui/timeline.c). */
bool events_selected_time(const struct ui_ctx *u, const struct ui_state *s, double *t);

/* The detail and help screens (not in the view table). */
void detail_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
		 const struct ui_state *s, struct view_state *vs);
void help_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
	       const struct ui_state *s, struct view_state *vs);
/* The small-terminal summary: counts per status and the worst alerts. */
void summary_draw(struct cells *c, struct rect r, const struct ui_ctx *u);

/* Alerts worst first (then oldest first): fills idx with up to max indexes
 * into u->ev->alerts; returns how many. */
size_t view_alerts_sorted(const struct ui_ctx *u, size_t *idx, size_t max);

#endif
