/* The wall display without a terminal: large type, the tile grid's
 * geometry, and whole wall frames read back from the cell buffer at wall,
 * laptop and tiny sizes; keys; the panel rotation; the DATA STALE screen. */
#include "config.h"
#include "ui/bigtext.h"
#include "ui/theme.h"
#include "ui/tilegrid.h"
#include "ui/wall.h"
#include "cells_find.h"
#include "util/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1795392540.0
#define MAXH 1200

/* A fleet of n hosts "hostNNN", all fresh and OK unless a test says else. */
static struct {
	struct fleet f;
	struct fleet_host hosts[MAXH];
	char names[MAXH][16];
	struct snapshot snap;
	struct host_sample samples[MAXH];
	struct evaluation ev;
	struct host_eval evals[MAXH];
	struct alert alerts[8];
	struct target_eval targets[4];
	struct ui_ctx u;
	struct wall_state w;
} fx;

static void fleet_make(size_t n)
{
	snapshot_free(&fx.snap);     /* a test may make a second fleet */
	memset(&fx, 0, sizeof(fx));
	fx.f.name = (char *)"noc";
	fx.f.hosts = fx.hosts;
	fx.f.nhosts = n;
	fx.f.interval = 2;
	for (size_t i = 0; i < n; i++) {
		str_fmt(fx.names[i], sizeof(fx.names[i]), "host%03zu", i);
		fx.hosts[i].name = fx.names[i];
		fx.hosts[i].interval = 2;
		fx.samples[i].conn = HC_OK;
		fx.samples[i].sampled_at = T0 - 1;
		fx.samples[i].interval = 2;
		fx.evals[i].status = ST_OK;
		fx.evals[i].age = 1;
	}
	fx.snap.nhosts = n;          /* wall_sync() copies the samples in */
	fx.snap.started_at = T0 - 600;
	fx.ev.hosts = fx.evals;
	fx.ev.nhosts = n;
	fx.ev.alerts = fx.alerts;
	fx.ev.targets = fx.targets;
	fx.ev.worst = ST_OK;
	fx.ev.oldest_age = 1;
	fx.ev.counts[ST_OK] = (int)n;
	fx.u.f = &fx.f;
	fx.u.snap = &fx.snap;
	fx.u.ev = &fx.ev;
	fx.u.now = T0;
	fx.u.wall = true;
	fx.u.read_only = true;
	wall_init(&fx.w, 20, T0);
}

/* Host i is down now: crit, unreachable, with its alert. */
static void host_down(size_t i)
{
	struct alert *a = &fx.alerts[fx.ev.nalerts++];

	fx.samples[i].conn = HC_UNREACHABLE;
	fx.evals[i].status = ST_CRIT;
	fx.ev.counts[ST_OK]--;
	fx.ev.counts[ST_CRIT]++;
	fx.ev.worst = ST_CRIT;
	a->severity = ST_CRIT;
	str_fmt(a->target, sizeof(a->target), "host/%s", fx.names[i]);
	str_copy(a->code, "unreachable", sizeof(a->code));
	str_copy(a->message, "unreachable: connection refused", sizeof(a->message));
	a->since = T0 - 30;
}

static void target_add(enum domain_id kind, const char *name, enum status st)
{
	struct target_eval *t = &fx.targets[fx.ev.ntargets++];

	t->kind = kind;
	t->sub = -1;
	str_copy(t->target, name, sizeof(t->target));
	t->ev.status = st;
	t->ev.age = 1;
	fx.ev.target_counts[st]++;
}

/* The snapshot holds published copies: publish the edited samples. */
static void wall_sync(void)
{
	snapshot_put_hosts(&fx.snap, fx.samples, fx.snap.nhosts);
}

static char *wall_text(struct cells *c, int w, int h, bool ascii)
{
	cells_init(c, w, h, ascii);
	fx.u.ascii = ascii;
	wall_sync();
	wall_draw(c, &fx.u, &fx.w);
	return cells_dump(c);
}


/* The cell where text s starts in row y, NULL if it is not there. */
static const struct cell *cell_of(const struct cells *c, int y, const char *s)
{
	char *row = cells_row_text(c, y), *p = strstr(row, s);
	const struct cell *cell = NULL;

	if (p) {
		/* ASCII before it: bytes are columns only for ASCII rows */
		int x = 0;
		for (char *q = row; q < p; q++)
			x += ((unsigned char)*q & 0xc0) != 0x80;
		cell = cells_get(c, x, y);
	}
	free(row);
	return cell;
}

/* ---- large type ---- */

START_TEST(test_bigtext)
{
	struct cells c;
	char *text;

	cells_init(&c, 40, 8, false);
	ck_assert_int_eq(bigtext_height(&c, 1), 3);
	ck_assert_int_eq(bigtext_height(&c, 2), 5);
	ck_assert_int_eq(bigtext_width("OK", 1), 7);
	ck_assert_int_eq(bigtext_width("OK", 2), 14);
	ck_assert_int_eq(bigtext_width("", 1), 0);
	ck_assert(bigtext_can("lab-3.example:22 (x)"));
	ck_assert(!bigtext_can("na\xc3\xafve"));
	ck_assert(!bigtext_can("tab\there"));
	ck_assert_int_eq(bigtext_fit("ABCDEF", 1, 11), 3);
	ck_assert_int_eq(bigtext_fit("ABCDEF", 1, 10), 2);
	/* "T" at scale 1: a bar over a stem, in half blocks */
	ck_assert_int_eq(bigtext_draw(&c, 0, 0, 40, ROLE_OK, "T", 1), 3);
	text = cells_dump(&c);
	ck_assert_msg(strncmp(text, "\xe2\x96\x80\xe2\x96\x88\xe2\x96\x80", 9) == 0, "%s", text);
	free(text);
	/* clipped by maxw: nothing beyond it */
	cells_clear(&c);
	ck_assert_int_eq(bigtext_draw(&c, 0, 0, 5, ROLE_OK, "WWW", 1), 3);
	for (int y = 0; y < c.h; y++)
		for (int x = 3; x < c.w; x++)
			ck_assert_int_eq(cells_get(&c, x, y)->ch, ' ');
	cells_free(&c);

	/* ASCII: no half blocks, one row per pixel */
	cells_init(&c, 20, 6, true);
	ck_assert_int_eq(bigtext_height(&c, 1), 5);
	bigtext_draw(&c, 0, 0, 20, ROLE_OK, "I", 1);
	for (int y = 0; y < 5; y++) {
		char *row = cells_row_text(&c, y);
		ck_assert_msg(strncmp(row, y == 0 || y == 4 ? "### " : " #  ", 4) == 0, "row %d: %s", y, row);
		free(row);
	}
	cells_free(&c);
}
END_TEST

/* ---- tile grid ---- */

static void grid_in_bounds(const struct tile_grid *g, int n, int w, int h)
{
	int slots = g->shown < n ? g->shown + 1 : g->shown;

	for (int i = 0; i < slots; i++) {
		int x, y;
		tile_grid_pos(g, i, &x, &y);
		ck_assert_msg(x >= 0 && x + g->tile_w <= w && y >= 0 && y + g->tile_h <= h,
			      "tile %d at %d,%d (%dx%d) outside %dx%d", i, x, y, g->tile_w, g->tile_h, w, h);
	}
}

START_TEST(test_tile_grid)
{
	struct tile_grid g;

	/* a few hosts on a wall: names in large type */
	g = tile_grid_layout(6, 5, 150, 50, 3);
	ck_assert_int_eq(g.big, 3);
	ck_assert_int_eq(g.shown, 6);
	grid_in_bounds(&g, 6, 150, 50);
	/* without large type: tall tiles */
	g = tile_grid_layout(6, 5, 150, 50, 0);
	ck_assert_int_eq(g.tile_h, 3);
	/* hundreds at 250 columns, 50 rows: every one, one row each */
	g = tile_grid_layout(600, 7, 250, 50, 3);
	ck_assert_int_eq(g.shown, 600);
	ck_assert_int_eq(g.tile_h, 1);
	ck_assert_int_le(g.rows, 50);
	grid_in_bounds(&g, 600, 250, 50);
	/* a thousand at 250x40: names cut, still every one */
	g = tile_grid_layout(1000, 12, 250, 40, 3);
	ck_assert_int_eq(g.shown, 1000);
	ck_assert_int_lt(g.name_w, 12);
	grid_in_bounds(&g, 1000, 250, 40);
	/* 80x10: not all fit; the last slot is "+N" */
	g = tile_grid_layout(1000, 12, 80, 10, 3);
	ck_assert_int_eq(g.shown, g.cols * g.rows - 1);
	grid_in_bounds(&g, 1000, 80, 10);
	/* narrower than a tile, and nothing at all */
	g = tile_grid_layout(5, 12, 3, 4, 0);
	ck_assert_int_le(g.shown, 4);
	grid_in_bounds(&g, 5, 3, 4);
	g = tile_grid_layout(5, 12, 0, 0, 0);
	ck_assert_int_eq(g.shown, 0);
	ck_assert_int_eq(tile_grid_rows(100, 8, 109), 10);   /* 10 + a gap each */
}
END_TEST

/* ---- frames ---- */

START_TEST(test_wall_healthy)
{
	struct cells c;
	char *text;

	fleet_make(6);
	text = wall_text(&c, 250, 70, false);
	/* the worst status as a word, the fleet, every host */
	ck_assert_int_eq(row_of(&c, "noc  OK"), 0);
	ck_assert_ptr_nonnull(strstr(text, "no open problems"));
	ck_assert_ptr_nonnull(strstr(text, "Hosts 6"));
	ck_assert_ptr_nonnull(strstr(text, "RAM pressure"));
	ck_assert_ptr_nonnull(strstr(text, "q quit"));
	for (int y = 0; y < c.h; y++)
		for (int x = 0; x < c.w; x++)
			ck_assert(!(cells_get(&c, x, y)->flags & CF_SELECTED));
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_wall_incident_every_host_fits)
{
	struct cells c;
	char *text;

	fleet_make(400);
	host_down(123);
	/* the same host also stale: an echo of the crit line */
	fx.alerts[1] = (struct alert){ .severity = ST_UNKNOWN, .since = T0 - 20 };
	str_copy(fx.alerts[1].target, "host/host123", sizeof(fx.alerts[1].target));
	str_copy(fx.alerts[1].code, "stale", sizeof(fx.alerts[1].code));
	str_copy(fx.alerts[1].message, "stale: no data for 20s", sizeof(fx.alerts[1].message));
	fx.ev.nalerts = 2;
	text = wall_text(&c, 250, 70, false);
	ck_assert_int_eq(row_of(&c, "noc  CRIT  1 open problem"), 0);
	ck_assert_int_lt(row_of(&c, "stale: no data"), 0);   /* the echo below is dropped */
	/* the problem in large type: its badge field is crit, reversed */
	ck_assert_int_gt(row_of(&c, "for 30s"), 0);
	ck_assert_ptr_nonnull(strstr(text, "Hosts 400"));
	ck_assert_ptr_null(strstr(text, "more"));
	/* every host has its tile; the down one says so with a symbol */
	for (size_t i = 0; i < 400; i++)
		ck_assert_msg(strstr(text, fx.names[i]), "%s missing", fx.names[i]);
	ck_assert_int_ge(row_of(&c, "X host123"), 0);
	ck_assert_int_eq(cell_of(&c, row_of(&c, "X host123"), "X host123")->role, ROLE_CRIT);
	ck_assert_int_eq(cell_of(&c, row_of(&c, "host122"), "host122")->role, ROLE_OK);
	/* held on a crit: the panel says so */
	ck_assert_ptr_nonnull(strstr(text, "held: critical"));
	free(text);
	cells_free(&c);
}
END_TEST

/* A thousand hosts at 250x70: every name whole on the screen (the panel
 * gives way to the grid). */
START_TEST(test_wall_thousand_hosts)
{
	struct cells c;
	char *text;

	fleet_make(1000);
	host_down(999);
	text = wall_text(&c, 250, 70, false);
	for (size_t i = 0; i < 1000; i++)
		ck_assert_msg(strstr(text, fx.names[i]), "%s missing", fx.names[i]);
	ck_assert_ptr_null(strstr(text, "more"));
	ck_assert_ptr_null(strstr(text, "RAM pressure"));
	ck_assert_int_ge(row_of(&c, "X host999"), 0);
	free(text);
	cells_free(&c);
}
END_TEST

/* No hosts at all (databases and backups only): still a wall, with the
 * backups panel. */
START_TEST(test_wall_no_hosts)
{
	struct cells c;
	char *text;

	fleet_make(0);
	target_add(DOM_BACKUP, "backup/nightly", ST_OK);
	text = wall_text(&c, 250, 70, false);
	ck_assert_int_eq(row_of(&c, "noc  OK"), 0);
	ck_assert_ptr_nonnull(strstr(text, "Hosts 0"));
	ck_assert_ptr_nonnull(strstr(text, "Backups vs RPO"));
	ck_assert_ptr_null(strstr(text, "DATA STALE"));
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_wall_stale_tile_not_last_colour)
{
	struct cells c;
	char *text;
	int y;

	fleet_make(300);
	fx.evals[2].stale = true;
	fx.evals[2].age = 300;
	text = wall_text(&c, 120, 40, false);
	y = row_of(&c, "~ host002");
	ck_assert_int_ge(y, 0);
	ck_assert_int_eq(cell_of(&c, y, "host002")->role, ROLE_STALE);
	free(text);
	cells_free(&c);
	/* a few hosts: large tiles say it in words too */
	fleet_make(6);
	fx.evals[2].stale = true;
	fx.evals[2].age = 300;
	text = wall_text(&c, 120, 40, false);
	ck_assert_ptr_nonnull(strstr(text, "STALE 5m"));
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_wall_data_stale_banner)
{
	struct cells c;
	char *text;
	double last;

	fleet_make(5);
	host_down(1);
	for (int i = 0; i < 5; i++) {
		fx.evals[i].stale = true;
		fx.evals[i].age = 40;
		fx.samples[i].sampled_at = T0 - 40 - i;
	}
	wall_sync();
	ck_assert(wall_data_dead(&fx.u, &last));
	ck_assert_double_eq(last, T0 - 40);
	for (int size = 0; size < 3; size++) {
		static const int dims[3][2] = { { 250, 70 }, { 80, 24 }, { 40, 12 } };
		text = wall_text(&c, dims[size][0], dims[size][1], false);
		ck_assert_msg(strstr(text, "DATA STALE since"), "%s", text);
		ck_assert_msg(!strstr(text, "OK"), "OK on a dead wall:\n%s", text);
		/* the whole screen in the unknown colour */
		for (int y = 0; y < c.h; y++)
			for (int x = 0; x < c.w; x++)
				ck_assert_int_eq(cells_get(&c, x, y)->role, ROLE_UNKNOWN);
		free(text);
		cells_free(&c);
	}
	/* one fresh host is enough to lift it */
	fx.evals[3].stale = false;
	wall_sync();
	ck_assert(!wall_data_dead(&fx.u, &last));
	/* a fresh target counts as data too */
	fx.evals[3].stale = true;
	target_add(DOM_DATABASE, "database/pg", ST_OK);
	wall_sync();
	ck_assert(!wall_data_dead(&fx.u, &last));
	fx.targets[0].ev.stale = true;
	wall_sync();
	ck_assert(wall_data_dead(&fx.u, &last));
	/* nothing ever arrived: not during start-up, but after it */
	fleet_make(3);
	for (int i = 0; i < 3; i++)
		fx.samples[i].sampled_at = 0;
	fx.snap.started_at = T0 - 1;
	wall_sync();
	ck_assert(!wall_data_dead(&fx.u, &last));
	fx.snap.started_at = T0 - 60;
	wall_sync();
	ck_assert(wall_data_dead(&fx.u, &last));
	text = wall_text(&c, 100, 30, true);
	ck_assert_ptr_nonnull(strstr(text, "no data received since start"));
	free(text);
	cells_free(&c);
}
END_TEST

/* Every size from nothing to a laptop, in UTF-8 and ASCII: no crash, and
 * in ASCII mode nothing but ASCII. */
START_TEST(test_wall_every_size)
{
	struct cells c;

	fleet_make(300);
	host_down(7);
	host_down(250);
	for (int ascii = 0; ascii < 2; ascii++) {
		for (int w = 0; w <= 130; w += (w < 20 ? 1 : 7)) {
			for (int h = 0; h <= 45; h += (h < 14 ? 1 : 5)) {
				char *text = wall_text(&c, w, h, ascii);
				if (ascii)
					for (char *p = text; *p; p++)
						ck_assert_msg((unsigned char)*p < 0x80, "non-ASCII at %dx%d", w, h);
				if (w >= 40 && h >= 12)
					ck_assert_msg(strstr(text, "CRIT"), "%dx%d:\n%s", w, h, text);
				free(text);
				cells_free(&c);
			}
		}
	}
}
END_TEST

START_TEST(test_wall_80x24_and_40x12)
{
	struct cells c;
	char *text;

	fleet_make(40);
	host_down(3);
	text = wall_text(&c, 80, 24, false);
	ck_assert_int_eq(row_of(&c, " CRIT"), 0);
	ck_assert_int_ge(row_of(&c, "host003"), 1);
	ck_assert_ptr_nonnull(strstr(text, "unreachable"));
	ck_assert_ptr_nonnull(strstr(text, "Hosts 40"));
	free(text);
	cells_free(&c);
	text = wall_text(&c, 40, 12, false);
	ck_assert_int_eq(row_of(&c, " CRIT"), 0);
	ck_assert_ptr_nonnull(strstr(text, "host003"));
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_wall_keys)
{
	static const int refused[] = { '+', '-', '=', 'r', 'p', 'R', '/', '1', '6', UK_ENTER, UK_TAB,
				       UK_DOWN, 'j' };
	struct cells c;
	char *text;

	fleet_make(6);
	ck_assert_int_eq(wall_key(&fx.w, &fx.u, 'q'), UA_QUIT);
	for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
		struct wall_state before = fx.w;
		enum ui_action a = wall_key(&fx.w, &fx.u, refused[i]);

		ck_assert(a == UA_DRAW || a == UA_NONE);
		ck_assert_int_eq(fx.w.panel, before.panel);
		ck_assert_int_eq(fx.w.help, before.help);
	}
	wall_key(&fx.w, &fx.u, '+');
	text = wall_text(&c, 120, 40, false);
	ck_assert_ptr_nonnull(strstr(text, "action keys are disabled"));
	free(text);
	cells_free(&c);
	/* ? shows the legend, and it closes by itself */
	ck_assert_int_eq(wall_key(&fx.w, &fx.u, '?'), UA_DRAW);
	text = wall_text(&c, 120, 40, false);
	ck_assert_ptr_nonnull(strstr(text, "legend"));
	ck_assert_ptr_null(strstr(text, "Hosts 6"));
	free(text);
	cells_free(&c);
	fx.u.now += 61;
	text = wall_text(&c, 120, 40, false);
	ck_assert_ptr_nonnull(strstr(text, "Hosts 6"));
	free(text);
	cells_free(&c);
}
END_TEST

static int panel_after(double dt)
{
	struct cells c;

	fx.u.now += dt;
	cells_init(&c, 250, 70, false);
	wall_sync();
	wall_draw(&c, &fx.u, &fx.w);
	cells_free(&c);
	return fx.w.panel;
}

START_TEST(test_wall_rotation_and_pin)
{
	int first, second, ram = views_find("ram"), backups = views_find("databases"),
	    runners = views_find("runners");

	fleet_make(6);
	target_add(DOM_BACKUP, "backup/nightly", ST_OK);
	target_add(DOM_RUNNERS, "runners/ci", ST_OK);
	first = panel_after(0);
	ck_assert_int_eq(first, ram);
	ck_assert_int_eq(panel_after(10), ram);
	second = panel_after(11);
	ck_assert_int_eq(second, backups);
	ck_assert_int_eq(panel_after(21), runners);
	ck_assert_int_eq(panel_after(21), ram);   /* no GPUs: skipped */
	/* a crit backup pins its panel, for as long as it lasts */
	fx.alerts[0] = (struct alert){ .severity = ST_CRIT, .since = T0 };
	str_copy(fx.alerts[0].target, "backup/nightly", sizeof(fx.alerts[0].target));
	str_copy(fx.alerts[0].code, "rpo", sizeof(fx.alerts[0].code));
	fx.ev.nalerts = 1;
	fx.ev.worst = ST_CRIT;
	ck_assert_int_eq(panel_after(1), backups);
	ck_assert(fx.w.held);
	ck_assert_int_eq(panel_after(100), backups);
	ck_assert_int_eq(panel_after(100), backups);
	/* a host's breached memory reserve holds the RAM panel instead */
	fx.alerts[1] = fx.alerts[0];
	fx.alerts[0] = (struct alert){ .severity = ST_CRIT, .since = T0 - 5 };
	str_copy(fx.alerts[0].target, "host/host001", sizeof(fx.alerts[0].target));
	str_copy(fx.alerts[0].code, "reserve", sizeof(fx.alerts[0].code));
	fx.ev.nalerts = 2;
	ck_assert_int_eq(panel_after(1), ram);
	/* an unreachable host has no panel: the backup one stays */
	str_copy(fx.alerts[0].code, "unreachable", sizeof(fx.alerts[0].code));
	ck_assert_int_eq(panel_after(1), backups);
	fx.ev.nalerts = 1;
	fx.alerts[0] = fx.alerts[1];
	/* cleared: rotation resumes after a full period */
	fx.ev.nalerts = 0;
	fx.ev.worst = ST_OK;
	ck_assert_int_eq(panel_after(1), backups);
	ck_assert(!fx.w.held);
	ck_assert_int_eq(panel_after(20), runners);
}
END_TEST

/* ---- colours ---- */

START_TEST(test_theme_mapping)
{
	struct theme t;
	char err[256] = "", path[256];
	FILE *fp;

	ck_assert_int_eq(theme_palette_size(8), 8);
	ck_assert_int_eq(theme_palette_size(16), 16);
	ck_assert_int_eq(theme_palette_size(88), 16);
	ck_assert_int_eq(theme_palette_size(256), 256);
	ck_assert_int_eq(theme_palette_size(0x1000000), THEME_COLORS_DIRECT);
	/* #rrggbb: exact on truecolor, the nearest elsewhere */
	ck_assert_int_eq(theme_color_parse("#2e8b57"), THEME_RGB(0x2e8b57));
	ck_assert_int_eq(theme_color_reduce(THEME_RGB(0x2e8b57), THEME_COLORS_DIRECT), 0x2e8b57);
	ck_assert_int_eq(theme_color_reduce(THEME_RGB(0xff8700), 256), 208);
	ck_assert_int_eq(theme_color_reduce(THEME_RGB(0xff0000), 16), 9);
	ck_assert_int_eq(theme_color_reduce(THEME_RGB(0xee0000), 8), 1);
	/* palette colours on truecolor: the ANSI 8 stay the terminal's own,
	 * the rest become their xterm RGB */
	ck_assert_int_eq(theme_color_reduce(1, THEME_COLORS_DIRECT), 1);
	ck_assert_int_eq(theme_color_reduce(196, THEME_COLORS_DIRECT), 0xff0000);
	ck_assert_int_eq(theme_color_reduce(9, THEME_COLORS_DIRECT), 0xff0000);
	ck_assert_int_eq(theme_color_reduce(THEME_RGB(0x000003), THEME_COLORS_DIRECT), 0);
	ck_assert_int_eq(theme_color_reduce(THEME_COLOR_DEFAULT, THEME_COLORS_DIRECT),
			 THEME_COLOR_DEFAULT);
	/* a user theme with an error: file:line, and the fallback instead */
	str_fmt(path, sizeof(path), "%s/fdwall-theme-%d", P_tmpdir, (int)getpid());
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("ok = green\nwarn = purpel\n", fp);
	fclose(fp);
	ck_assert_int_eq(theme_load_or(path, "high-contrast", &t, err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, ":2: unknown colour") != NULL, "%s", err);
	ck_assert_str_eq(t.name, "high-contrast");
	ck_assert_int_eq(t.role[ROLE_CRIT].bg, 1);
	ck_assert_int_eq(theme_load_or("no-such-theme", NULL, &t, err, sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "no-such-theme"));
	/* even a fallback that cannot load leaves a usable table */
	ck_assert_int_eq(theme_load_or(path, "/nonexistent/theme", &t, err, sizeof(err)), 1);
	ck_assert_int_eq(t.role[ROLE_OK].fg, 2);
	unlink(path);
	ck_assert_int_eq(theme_load_or("mono", NULL, &t, err, sizeof(err)), 0);
	ck_assert_str_eq(t.name, "mono");
}
END_TEST

static Suite *wall_suite(void)
{
	Suite *s = suite_create("wall");
	TCase *tc = tcase_create("wall");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bigtext);
	tcase_add_test(tc, test_tile_grid);
	tcase_add_test(tc, test_wall_healthy);
	tcase_add_test(tc, test_wall_incident_every_host_fits);
	tcase_add_test(tc, test_wall_thousand_hosts);
	tcase_add_test(tc, test_wall_no_hosts);
	tcase_add_test(tc, test_wall_stale_tile_not_last_colour);
	tcase_add_test(tc, test_wall_data_stale_banner);
	tcase_add_test(tc, test_wall_every_size);
	tcase_add_test(tc, test_wall_80x24_and_40x12);
	tcase_add_test(tc, test_wall_keys);
	tcase_add_test(tc, test_wall_rotation_and_pin);
	tcase_add_test(tc, test_theme_mapping);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wall_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
