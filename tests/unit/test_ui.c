/* The TUI without a terminal: cell buffers, frames drawn from hand-built
 * fleets, snapshots and evaluations, keys through nav_key(), and themes. */
#include "config.h"
#include "ui/cells.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "cells_find.h"
#include "history/history.h"
#include "util/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1795392540.0
#define GiB (1024.0 * 1024 * 1024)

#define NHOSTS 4

/* A small fleet: black ok, vps-0 warn, apricot crit (and unreachable
 * values invalid), plum stale. Alerts are given out of order on purpose. */
struct fixture {
	struct fleet f;
	struct fleet_host hosts[NHOSTS];
	struct snapshot snap;
	struct host_sample samples[NHOSTS];
	struct evaluation ev;
	struct host_eval evals[NHOSTS];
	struct alert alerts[3];
	struct ui_ctx u;
	struct ui_state st;
};

static struct fixture fx;

static struct host_sample sample_ok(double age)
{
	struct host_sample s;

	memset(&s, 0, sizeof(s));
	s.conn = HC_OK;
	s.sampled_at = T0 - age;
	s.interval = 2;
	s.rounds = 10;
	s.valid = HV_LATENCY | HV_LOAD | HV_CPU | HV_CORES | HV_MEM | HV_SWAP | HV_PSI |
		  HV_OOM | HV_UPTIME | HV_KERNEL | HV_DISKS;
	s.latency_ms = 3.1;
	s.load[0] = 0.42;
	s.cores = 8;
	s.cpu_pct = 12.5;
	s.mem_total = (uint64_t)(32 * GiB);
	s.mem_available = (uint64_t)(20 * GiB);
	s.psi_some10 = 1.5;
	s.ndisks = 1;
	str_copy(s.disks[0].mount, "/", sizeof(s.disks[0].mount));
	s.disks[0].valid = true;
	s.disks[0].size = (uint64_t)(100 * GiB);
	s.disks[0].used = (uint64_t)(50 * GiB);
	s.disks[0].used_pct = 50;
	str_copy(s.kernel, "6.1.0-test", sizeof(s.kernel));
	str_copy(s.fingerprint, "SHA256:abcdefTESTFP", sizeof(s.fingerprint));
	return s;
}

static void host_set(int i, const char *name, const char *role, enum status st)
{
	struct fleet_host *h = &fx.hosts[i];

	h->name = (char *)name;
	h->role = (char *)role;
	h->ram_reserve = (int64_t)(512.0 * 1024 * 1024);
	h->interval = 2;
	h->jump_index = -1;
	fx.samples[i] = sample_ok(1);
	fx.evals[i].status = st;
	fx.evals[i].age = 1;
}

static void alert_set(int i, enum status sev, const char *target, const char *msg, double since)
{
	fx.alerts[i].severity = sev;
	str_copy(fx.alerts[i].target, target, sizeof(fx.alerts[i].target));
	str_copy(fx.alerts[i].message, msg, sizeof(fx.alerts[i].message));
	fx.alerts[i].since = since;
}

static void fixture_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	fx.f.name = (char *)"cocottetech";
	fx.f.hosts = fx.hosts;
	fx.f.nhosts = NHOSTS;
	host_set(0, "black", "prod DBs, quinn.api, platform.api", ST_OK);
	host_set(1, "vps-0", "public web tier + cache", ST_WARN);
	host_set(2, "apricot", "dev box + prod GPU host (model-boss, 2\xc3\x97 24 GB)", ST_CRIT);
	host_set(3, "plum", "backups \xe2\x80\x94 restic", ST_UNKNOWN);
	/* apricot: reachable, but nothing measured yet */
	fx.samples[2].valid = 0;
	/* plum: last data 5 minutes ago */
	fx.samples[3].sampled_at = T0 - 300;
	fx.evals[3].stale = true;
	fx.evals[3].age = 300;
	snapshot_put_hosts(&fx.snap, fx.samples, NHOSTS);
	alert_set(0, ST_WARN, "host/vps-0", "memory PSI some avg10 12.0 > 10", T0 - 60);
	alert_set(1, ST_CRIT, "host/apricot", "memory available 300M below reserve 512M", T0 - 120);
	alert_set(2, ST_UNKNOWN, "host/plum", "data is stale (5m old)", T0 - 30);
	fx.ev.hosts = fx.evals;
	fx.ev.nhosts = NHOSTS;
	fx.ev.alerts = fx.alerts;
	fx.ev.nalerts = 3;
	fx.ev.worst = ST_CRIT;
	fx.ev.oldest_age = 300;
	fx.ev.counts[ST_OK] = 1;
	fx.ev.counts[ST_WARN] = 1;
	fx.ev.counts[ST_CRIT] = 1;
	fx.ev.counts[ST_UNKNOWN] = 1;
	fx.u.f = &fx.f;
	fx.u.snap = &fx.snap;
	fx.u.ev = &fx.ev;
	fx.u.now = T0;
	ui_state_init(&fx.st, NULL, false, T0);
}

static void fixture_teardown(void)
{
	snapshot_free(&fx.snap);
}

/* Draws a frame of w x h and returns it as text (malloc'd). */
static char *frame_text(struct cells *c, int w, int h, bool ascii)
{
	cells_init(c, w, h, ascii);
	fx.u.ascii = ascii;
	frame_draw(c, &fx.u, &fx.st);
	return cells_dump(c);
}


/* Column of s in row y (in cells, ASCII rows only), -1 if none. */
static int col_of(const struct cells *c, int y, const char *s)
{
	char *row = cells_row_text(c, y);
	char *p = strstr(row, s);
	int x = p ? (int)(p - row) : -1;

	free(row);
	return x;
}

/* ---- cells ---- */

START_TEST(test_cells_clip)
{
	struct cells c;
	char *row;

	cells_init(&c, 10, 3, false);
	ck_assert_int_eq(cells_text(&c, 7, 0, 100, ROLE_NORMAL, "abcdef"), 3);
	cells_text(&c, -3, 1, 100, ROLE_NORMAL, "xyz123");
	cells_text(&c, 0, 5, 100, ROLE_NORMAL, "nope");
	cells_text(&c, 0, -1, 100, ROLE_NORMAL, "nope");
	cells_fill(&c, (struct rect){ -5, -5, 100, 100 }, '#', ROLE_CRIT);
	cells_clip(&c, (struct rect){ 2, 1, 3, 1 });
	cells_fill(&c, (struct rect){ 0, 0, 10, 3 }, '.', ROLE_OK);
	cells_unclip(&c);
	row = cells_row_text(&c, 1);
	ck_assert_str_eq(row, "##...#####");
	free(row);
	ck_assert_int_eq(c.v[10 * 3].ch, 0);   /* the sentinel past the end */
	cells_free(&c);
}
END_TEST

START_TEST(test_cells_wide_and_ascii)
{
	struct cells c;
	char *row;

	cells_init(&c, 6, 1, false);
	/* a wide character that does not fit whole is not drawn in half */
	ck_assert_int_eq(cells_text(&c, 0, 0, 6, ROLE_NORMAL, "ab\xe4\xb8\xad\xe6\x96\x87x"), 6);
	row = cells_row_text(&c, 0);
	ck_assert_str_eq(row, "ab\xe4\xb8\xad\xe6\x96\x87");
	free(row);
	cells_put(&c, 3, 0, 'Z', ROLE_NORMAL);    /* right half: the left half goes */
	row = cells_row_text(&c, 0);
	ck_assert_str_eq(row, "ab Z\xe6\x96\x87");
	free(row);
	cells_free(&c);

	cells_init(&c, 12, 1, true);
	cells_text(&c, 0, 0, 12, ROLE_NORMAL, "a\xe2\x80\x94" "b\xc3\x97" "c\xe4\xb8\xad\xff");
	row = cells_row_text(&c, 0);
	ck_assert_str_eq(row, "a-bxc??     ");
	free(row);
	cells_free(&c);
}
END_TEST

START_TEST(test_cells_bar_and_spark)
{
	struct cells c;
	struct bar_marker m = { 0.5, ROLE_BAR_RESERVE };
	struct history h;
	char *row;

	cells_init(&c, 10, 2, true);
	cells_bar(&c, 0, 0, 10, 0.3, ROLE_BAR_USED, &m, 1);
	row = cells_row_text(&c, 0);
	ck_assert_str_eq(row, "###..|....");
	free(row);
	ck_assert_int_eq(cells_get(&c, 5, 0)->role, ROLE_BAR_RESERVE);
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 4; i++)
		history_push(&h, (float)(i * 100.0 / 3));
	cells_sparkline(&c, 0, 1, 10, &h, 0, 100, ROLE_BAR_USED);
	row = cells_row_text(&c, 1);
	ck_assert_str_eq(row, "      _-*@");
	free(row);
	cells_bar(&c, 0, 0, 10, 0.0 / 0.0, ROLE_BAR_USED, NULL, 0);
	/* a gap (NaN) stays blank, a huge value is the top level, not an
	 * undefined cast (UBSan's float-cast-overflow: the wall's RAM panel) */
	memset(&h, 0, sizeof(h));
	history_push(&h, 1e30f);
	history_push(&h, 0.0f / 0.0f);
	history_push(&h, -1e30f);
	cells_free(&c);
	cells_init(&c, 10, 2, true);
	cells_sparkline(&c, 0, 1, 3, &h, 0, 100, ROLE_BAR_USED);
	row = cells_row_text(&c, 1);
	ck_assert_str_eq(row, "@ _       ");
	free(row);
	cells_free(&c);
}
END_TEST

START_TEST(test_cells_box)
{
	struct cells c;
	char *text;

	cells_init(&c, 8, 3, true);
	cells_box(&c, (struct rect){ 0, 0, 8, 3 }, ROLE_BORDER, "title");
	text = cells_dump(&c);
	ck_assert_str_eq(text, "+-tit~-+\n|      |\n+------+\n");
	free(text);
	cells_free(&c);
}
END_TEST

/* ---- overview ---- */

START_TEST(test_overview_hosts_and_alerts)
{
	struct cells c;
	char *text = frame_text(&c, 120, 30, false);
	int crit, warn, unk;

	ck_assert_ptr_nonnull(strstr(text, "cocottetech"));
	ck_assert_ptr_nonnull(strstr(text, "Overview"));
	for (int i = 0; i < NHOSTS; i++)
		ck_assert_msg(strstr(text, fx.hosts[i].name), "host %s missing", fx.hosts[i].name);
	ck_assert_ptr_nonnull(strstr(text, "OK "));
	ck_assert_ptr_nonnull(strstr(text, "WARN"));
	ck_assert_ptr_nonnull(strstr(text, "CRIT"));
	ck_assert_ptr_nonnull(strstr(text, "STALE"));
	crit = row_of(&c, "memory available 300M");
	warn = row_of(&c, "memory PSI some");
	unk = row_of(&c, "data is stale");
	ck_assert_int_ge(crit, 0);
	ck_assert_int_gt(warn, crit);
	ck_assert_int_gt(unk, warn);
	/* every host row is above the alerts */
	ck_assert_int_lt(row_of(&c, "plum "), crit);
	/* a 120-column screen has room for the role and the memory bar */
	ck_assert_int_ge(row_of(&c, "prod DBs"), 0);
	ck_assert_int_ge(row_of(&c, "MEMORY"), 0);
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_overview_na_not_zero)
{
	struct cells c;
	char *text = frame_text(&c, 120, 30, false);
	int y = row_of(&c, "apricot");
	char *row = cells_row_text(&c, y);
	int nas = 0;

	for (char *p = row; (p = strstr(p, "n/a")); p += 3)
		nas++;
	ck_assert_int_ge(nas, 6);         /* load cpu mem bar mem psi disk lat */
	ck_assert_ptr_null(strstr(row, " 0%"));
	ck_assert_ptr_null(strstr(row, "0.00"));
	free(row);
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_overview_stale_role)
{
	struct cells c;
	char *text = frame_text(&c, 120, 30, false);
	int y = row_of(&c, "plum ");
	int x = col_of(&c, y, "plum");
	int xs = col_of(&c, y, "STALE");

	ck_assert_int_ge(x, 0);
	ck_assert_int_eq(cells_get(&c, x, y)->role, ROLE_STALE);
	ck_assert_int_eq(cells_get(&c, xs, y)->role, ROLE_STALE);
	ck_assert_int_ge(col_of(&c, y, "5m"), 0);      /* its age */
	/* a fresh row is not drawn stale */
	y = row_of(&c, "black ");
	ck_assert_int_ne(cells_get(&c, col_of(&c, y, "black"), y)->role, ROLE_STALE);
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_overview_selection)
{
	struct cells c;
	char *text = frame_text(&c, 120, 30, false);
	int y = row_of(&c, "black ");

	ck_assert(cells_get(&c, 5, y)->flags & CF_SELECTED);
	free(text);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, 'j'), UA_DRAW);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_DOWN), UA_DRAW);
	frame_draw(&c, &fx.u, &fx.st);
	y = row_of(&c, "apricot ");
	ck_assert(cells_get(&c, 5, y)->flags & CF_SELECTED);
	ck_assert_int_eq(fx.st.vs[0].target, 2);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_END), UA_DRAW);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, 'j'), UA_NONE);   /* already at the end */
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_HOME), UA_DRAW);
	ck_assert_int_eq(fx.st.vs[0].sel, 0);
	cells_free(&c);
}
END_TEST

START_TEST(test_overview_narrow_drops_role_first)
{
	struct cells c;
	char *text = frame_text(&c, 80, 24, false);

	ck_assert_int_lt(row_of(&c, "prod DBs"), 0);
	ck_assert_int_ge(row_of(&c, "USED/TOTAL"), 0);
	for (int i = 0; i < NHOSTS; i++)
		ck_assert_ptr_nonnull(strstr(text, fx.hosts[i].name));
	free(text);
	cells_free(&c);
}
END_TEST

/* A wide terminal gets the hosts' CPU trend (the last 15 minutes from the
 * history store); a 120-column one keeps its room for the roles. */
START_TEST(test_overview_trend_column_when_wide)
{
	struct hist_store *h = hist_new();
	struct cells c;
	char *text;
	int y, x;

	for (int k = 0; k <= 450; k++)
		hist_add(h, HM_HOST_CPU, 0, "", T0 - 900 + 2 * k, 2, k < 225 ? 5 : 95);
	fx.u.hist = h;
	text = frame_text(&c, 120, 30, false);
	ck_assert_int_lt(row_of(&c, "CPU 15m"), 0);
	free(text);
	cells_free(&c);
	text = frame_text(&c, 200, 30, false);
	ck_assert_int_ge(row_of(&c, "CPU 15m"), 0);
	x = col_of(&c, row_of(&c, "CPU 15m"), "CPU 15m");
	y = row_of(&c, "prod DBs");
	ck_assert_int_ge(y, 0);
	/* low on the left, high on the right: the last half at 95 % */
	ck_assert_uint_eq(cells_get(&c, x, y)->ch, 0x2581);
	ck_assert_uint_eq(cells_get(&c, x + 11, y)->ch, 0x2588);
	/* a host without history has an empty cell there */
	ck_assert_uint_eq(cells_get(&c, x + 11, row_of(&c, "public web"))->ch, ' ');
	fx.u.hist = NULL;
	hist_free(h);
	free(text);
	cells_free(&c);
}
END_TEST

START_TEST(test_small_terminal_summary)
{
	static const int sizes[][2] = { { 40, 10 }, { 10, 3 }, { 20, 5 }, { 1, 1 }, { 79, 24 },
					{ 80, 23 }, { 0, 0 }, { 3, 0 } };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct cells c;
		char *text = frame_text(&c, sizes[i][0], sizes[i][1], false);
		size_t n = (size_t)sizes[i][0] * (size_t)sizes[i][1];

		ck_assert_int_eq(c.v[n].ch, 0);       /* nothing past the end */
		ck_assert(fx.st.summary || n == 0);
		if (sizes[i][0] >= 40 && sizes[i][1] >= 5) {
			ck_assert_ptr_nonnull(strstr(text, "crit 1"));
			ck_assert_int_lt(row_of(&c, "apricot"), row_of(&c, "vps-0"));
		}
		free(text);
		cells_free(&c);
	}
}
END_TEST

static void assert_ascii(const struct cells *c)
{
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			ck_assert_msg(cells_get(c, x, y)->ch < 0x80, "non-ASCII U+%04X at %d,%d",
				      (unsigned)cells_get(c, x, y)->ch, x, y);
}

START_TEST(test_ascii_everywhere)
{
	struct cells c;
	char *text = frame_text(&c, 120, 30, true);

	assert_ascii(&c);
	free(text);
	fx.st.screen = SCREEN_HELP;
	frame_draw(&c, &fx.u, &fx.st);
	assert_ascii(&c);
	fx.st.screen = SCREEN_DETAIL;
	fx.st.detail_host = 0;
	frame_draw(&c, &fx.u, &fx.st);
	assert_ascii(&c);
	fx.st.screen = SCREEN_VIEW;
	fx.u.wall = true;
	cells_resize(&c, 200, 50);
	frame_draw(&c, &fx.u, &fx.st);
	assert_ascii(&c);
	for (int i = 0; i < NHOSTS; i++)
		fx.evals[i].stale = true;
	frame_draw(&c, &fx.u, &fx.st);
	assert_ascii(&c);
	cells_resize(&c, 30, 6);
	fx.u.wall = false;
	frame_draw(&c, &fx.u, &fx.st);
	assert_ascii(&c);
	cells_free(&c);
}
END_TEST

/* ---- filter, keys, mouse ---- */

START_TEST(test_filter_narrows_rows)
{
	struct cells c;
	char *text;
	const char *typed = "/WEB";

	for (const char *p = typed; *p; p++)
		ck_assert_int_eq(nav_key(&fx.st, &fx.u, *p), UA_DRAW);
	ck_assert(fx.st.filter_editing);
	ck_assert_str_eq(fx.st.filter, "WEB");
	text = frame_text(&c, 120, 30, false);
	/* host rows are identified by their roles: alerts are never filtered */
	ck_assert_int_ge(row_of(&c, "public web tier"), 0);
	ck_assert_int_lt(row_of(&c, "prod DBs"), 0);
	ck_assert_int_lt(row_of(&c, "restic"), 0);
	ck_assert_int_ge(row_of(&c, "host/apricot"), 0);
	ck_assert_int_ge(row_of(&c, "filter: WEB"), 0);   /* shown while typing */
	free(text);
	/* 'q' while typing is text, not quit */
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, 'q'), UA_DRAW);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_BACKSPACE), UA_DRAW);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_ENTER), UA_DRAW);
	ck_assert(!fx.st.filter_editing);
	ck_assert_str_eq(fx.st.filter, "WEB");
	frame_draw(&c, &fx.u, &fx.st);
	ck_assert_int_ge(row_of(&c, "filter: WEB"), 0);   /* and after Enter */
	ck_assert_int_eq(fx.st.vs[0].nitems, 1);
	/* role matches too: "restic" is plum's role */
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_ESC), UA_DRAW);
	ck_assert_str_eq(fx.st.filter, "");
	nav_key(&fx.st, &fx.u, '/');
	nav_key(&fx.st, &fx.u, 'r');
	nav_key(&fx.st, &fx.u, 'e');
	nav_key(&fx.st, &fx.u, 's');
	nav_key(&fx.st, &fx.u, 't');
	frame_draw(&c, &fx.u, &fx.st);
	ck_assert_int_ge(row_of(&c, "restic"), 0);
	ck_assert_int_lt(row_of(&c, "prod DBs"), 0);
	nav_key(&fx.st, &fx.u, UK_ESC);          /* Esc while typing clears */
	ck_assert_str_eq(fx.st.filter, "");
	frame_draw(&c, &fx.u, &fx.st);
	ck_assert_int_ge(row_of(&c, "prod DBs"), 0);
	cells_free(&c);
}
END_TEST

START_TEST(test_keys_views_detail_help)
{
	struct cells c;
	char *text = frame_text(&c, 120, 40, false);

	free(text);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, 'j'), UA_DRAW);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_ENTER), UA_DRAW);
	ck_assert_int_eq(fx.st.screen, SCREEN_DETAIL);
	ck_assert_int_eq(fx.st.detail_host, 1);
	frame_draw(&c, &fx.u, &fx.st);
	ck_assert_int_ge(row_of(&c, "SHA256:abcdefTESTFP"), 0);
	ck_assert_int_ge(row_of(&c, "6.1.0-test"), 0);
	ck_assert_int_ge(row_of(&c, "History"), 0);
	ck_assert_int_ge(row_of(&c, "Overview > vps-0"), 0);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_ESC), UA_DRAW);
	ck_assert_int_eq(fx.st.screen, SCREEN_VIEW);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, '?'), UA_DRAW);
	frame_draw(&c, &fx.u, &fx.st);
	ck_assert_int_ge(row_of(&c, "pause / resume polling"), 0);
	/* a domain's own keys come from its row of the domain table, in order */
	ck_assert_int_gt(row_of(&c, "Runners: add / remove runners"), row_of(&c, "poll every target now"));
	ck_assert_int_eq(row_of(&c, "Keys: rotate the selected key"),
			 row_of(&c, "Runners: add / remove runners") + 1);
	ck_assert_int_eq(row_of(&c, "repaint the screen"), row_of(&c, "Keys: rotate the selected key") + 1);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_ESC), UA_DRAW);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, '3'), UA_DRAW);
	ck_assert_int_eq(fx.st.view, 2);
	frame_draw(&c, &fx.u, &fx.st);
	ck_assert_int_ge(row_of(&c, "RAM by container"), 0);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_TAB), UA_DRAW);
	ck_assert_int_eq(fx.st.view, 3);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, UK_BTAB), UA_DRAW);
	nav_key(&fx.st, &fx.u, UK_BTAB);
	nav_key(&fx.st, &fx.u, UK_BTAB);
	ck_assert_int_eq(fx.st.view, 0);
	nav_key(&fx.st, &fx.u, UK_BTAB);
	ck_assert_int_eq(fx.st.view, 7);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, 'p'), UA_PAUSE);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, 'R'), UA_POLL);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, 'q'), UA_QUIT);
	cells_free(&c);
}
END_TEST

START_TEST(test_tabs_and_mouse)
{
	struct cells c;
	char *text = frame_text(&c, 120, 30, false);
	int y;

	for (int i = 0; i < views_count; i++)
		ck_assert_ptr_nonnull(strstr(text, views_table[i]->title));
	free(text);
	ck_assert_int_eq(fx.st.tabs_y, 1);
	ck_assert_int_eq(nav_mouse(&fx.st, &fx.u, fx.st.tab_x0[4] + 1, 1, 1), UA_DRAW);
	ck_assert_int_eq(fx.st.view, 4);
	nav_key(&fx.st, &fx.u, '1');
	frame_draw(&c, &fx.u, &fx.st);
	y = row_of(&c, "plum ");
	ck_assert_int_eq(nav_mouse(&fx.st, &fx.u, 10, y, 1), UA_DRAW);
	ck_assert_int_eq(fx.st.vs[0].sel, 3);
	frame_draw(&c, &fx.u, &fx.st);
	ck_assert_int_eq(nav_mouse(&fx.st, &fx.u, 10, y, 1), UA_DRAW);   /* again: detail */
	ck_assert_int_eq(fx.st.screen, SCREEN_DETAIL);
	ck_assert_int_eq(fx.st.detail_host, 3);
	cells_free(&c);
}
END_TEST

START_TEST(test_views_find)
{
	ck_assert_int_eq(views_find("overview"), 0);
	ck_assert_int_eq(views_find("events"), 7);
	ck_assert_int_eq(views_find("3"), 2);
	ck_assert_int_eq(views_find("nope"), -1);
	ck_assert_int_eq(views_find(NULL), -1);
	for (int i = 0; i < views_count; i++)
		ck_assert_int_eq(views_key(i), '1' + i);
	ui_state_init(&fx.st, "gpus", false, T0);
	ck_assert_int_eq(fx.st.view, 3);
}
END_TEST

/* The keys follow the table: a key past the last view switches nothing. */
START_TEST(test_view_keys_follow_table)
{
	char keys[16], what[256];

	for (int i = 0; i < views_count; i++)
		ck_assert_int_eq(views_by_key(views_key(i)), i);
	ck_assert_int_eq(views_by_key('1' + views_count), -1);
	ck_assert_int_eq(views_by_key(':'), -1);
	ck_assert_int_eq(views_by_key(0), -1);
	ui_state_init(&fx.st, NULL, false, T0);
	ck_assert_int_eq(nav_key(&fx.st, &fx.u, '1' + views_count), UA_NONE);
	ck_assert_int_eq(fx.st.view, 0);
	views_help_line(keys, sizeof(keys), what, sizeof(what));
	ck_assert_str_eq(keys, "1-8");
	ck_assert_str_eq(what, "switch view (Overview Topology RAM GPUs Databases Runners Keys Events)");
}
END_TEST

/* fleetdeck(1) documents every view of the table: its key and title under
 * VIEWS, its name in --view's list. */
START_TEST(test_man_page_names_every_view)
{
	char path[512], want[128], names[256];
	FILE *fp;
	char *man;
	long len;

	str_fmt(path, sizeof(path), "%s/doc/fleetdeck.1", SRCDIR);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	man = xcalloc((size_t)len + 1, 1);
	ck_assert_int_eq(fread(man, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	for (int i = 0; i < views_count; i++) {
		str_fmt(want, sizeof(want), ".BR %c \" %s\"\n", views_key(i), views_table[i]->title);
		ck_assert_msg(strstr(man, want), "fleetdeck.1 lacks '%s'", want);
	}
	views_names(names, sizeof(names));
	str_fmt(want, sizeof(want), "Start on a view: %s.\n", names);
	ck_assert_msg(strstr(man, want), "fleetdeck.1 lacks '%s'", want);
	free(man);
}
END_TEST

/* The wall has its own layout and tests: tests/unit/test_wall.c. */

/* ---- themes ---- */

static const char *good_theme =
	"# a comment\n"
	"\n"
	"ok = green\n"
	"crit = brightwhite on red bold   # trailing comment\n"
	"stale = 244 dim\n"
	"selected = reverse\n"
	"bar.reserve = #ff8700 bold\n"
	"title = colour117\n";

START_TEST(test_theme_parse_good)
{
	struct theme t;
	char err[256] = "";

	ck_assert_int_eq(theme_parse("t", good_theme, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(t.role[ROLE_OK].fg, 2);
	ck_assert_int_eq(t.role[ROLE_CRIT].fg, 15);
	ck_assert_int_eq(t.role[ROLE_CRIT].bg, 1);
	ck_assert_uint_eq(t.role[ROLE_CRIT].attrs, TA_BOLD);
	ck_assert_int_eq(t.role[ROLE_STALE].fg, 244);
	ck_assert_uint_eq(t.role[ROLE_STALE].attrs, TA_DIM);
	ck_assert_int_eq(t.role[ROLE_SELECTED].fg, THEME_COLOR_DEFAULT);
	ck_assert_uint_eq(t.role[ROLE_SELECTED].attrs, TA_REVERSE);
	ck_assert_int_eq(t.role[ROLE_BAR_RESERVE].fg, THEME_RGB(0xff8700));
	ck_assert_int_eq(theme_color_reduce(t.role[ROLE_BAR_RESERVE].fg, 256), 208);
	ck_assert_int_eq(t.role[ROLE_TITLE].fg, 117);
}
END_TEST

START_TEST(test_theme_parse_errors)
{
	struct theme t;
	char err[256];

	ck_assert_int_eq(theme_parse("x.theme", "ok = green\n\nthis is not a line\n", &t,
				     err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "x.theme:3: ", 11) == 0, "got '%s'", err);
	ck_assert_int_eq(theme_parse("x.theme", "ok = green\nwarn = purpel\n", &t, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "x.theme:2:") && strstr(err, "unknown colour") &&
		      strstr(err, "purpel"), "got '%s'", err);
	ck_assert_int_eq(theme_parse("x.theme", "crti = red\n", &t, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "x.theme:1:") && strstr(err, "did you mean 'crit'"), "got '%s'", err);
	ck_assert_int_eq(theme_parse("x", "ok = 256\n", &t, err, sizeof(err)), -1);
	ck_assert_int_eq(theme_parse("x", "ok = red on\n", &t, err, sizeof(err)), -1);
	ck_assert_int_eq(theme_parse("x", "ok = red blue\n", &t, err, sizeof(err)), -1);
	ck_assert_int_eq(theme_parse("x", "ok =\n", &t, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_theme_load_shipped)
{
	static const char *names[] = { "default", "light", "mono", "high-contrast" };
	struct theme t;
	char err[512], path[1024];

	/* the program knows no source tree: the tests name it, like `make check` */
	ck_assert_int_eq(setenv("FLEETDECK_DATADIR", SRCDIR, 1), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		str_fmt(path, sizeof(path), "%s/themes/%s", SRCDIR, names[i]);
		ck_assert_msg(theme_load(path, &t, err, sizeof(err)) == 0, "%s: %s", path, err);
		ck_assert_msg(theme_load(names[i], &t, err, sizeof(err)) == 0, "%s: %s", names[i], err);
	}
	ck_assert_int_eq(theme_load(NULL, &t, err, sizeof(err)), 0);
	ck_assert_int_eq(theme_load("no-such-theme", &t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no-such-theme"));
	ck_assert_int_eq(theme_load("../etc", &t, err, sizeof(err)), -1);
	ck_assert_int_eq(theme_load("/nonexistent/theme", &t, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/theme"));
}
END_TEST

/* A name is looked for in $XDG_DATA_HOME/fleetdeck/themes (the user's), then
 * in the installed directory, or $FLEETDECK_DATADIR/themes instead; never in
 * the tree the binary was built from. */
START_TEST(test_theme_search_path)
{
	char tmpl[] = "/tmp/fdtheme.XXXXXX", err[1024], *dir, *path;
	struct theme t;
	char *old_xdg = getenv("XDG_DATA_HOME") ? xstrdup(getenv("XDG_DATA_HOME")) : NULL;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	dir = xasprintf("%s/fleetdeck", tmpl);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	free(dir);
	dir = xasprintf("%s/fleetdeck/themes", tmpl);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	path = xasprintf("%s/mine", dir);
	{
		FILE *fp = fopen(path, "w");

		ck_assert_ptr_nonnull(fp);
		fputs("ok = magenta\n", fp);
		ck_assert_int_eq(fclose(fp), 0);
	}

	ck_assert_int_eq(setenv("XDG_DATA_HOME", tmpl, 1), 0);
	ck_assert_int_eq(setenv("FLEETDECK_DATADIR", SRCDIR, 1), 0);
	ck_assert_msg(theme_load("mine", &t, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(t.role[theme_role_find("ok")].fg, 5);
	/* the shipped ones are still found behind the user's directory */
	ck_assert_msg(theme_load("light", &t, err, sizeof(err)) == 0, "%s", err);

	/* without FLEETDECK_DATADIR the source tree is not searched, nor named */
	ck_assert_int_eq(unsetenv("FLEETDECK_DATADIR"), 0);
	ck_assert_int_eq(theme_load("no-such-theme", &t, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, dir) && strstr(err, PKGDATADIR "/themes"), "got '%s'", err);
	ck_assert_msg(!strstr(err, SRCDIR "/themes"), "the source tree is named: '%s'", err);
	/* an uninstalled build still draws in colour */
	ck_assert_int_eq(theme_load(NULL, &t, err, sizeof(err)), 0);

	unlink(path);
	rmdir(dir);
	free(dir);
	free(path);
	dir = xasprintf("%s/fleetdeck", tmpl);
	rmdir(dir);
	free(dir);
	rmdir(tmpl);
	if (old_xdg)
		setenv("XDG_DATA_HOME", old_xdg, 1);
	else
		unsetenv("XDG_DATA_HOME");
	free(old_xdg);
}
END_TEST

START_TEST(test_theme_colors)
{
	ck_assert_int_eq(theme_color_parse("red"), 1);
	ck_assert_int_eq(theme_color_parse("BrightBlue"), 12);
	ck_assert_int_eq(theme_color_parse("default"), THEME_COLOR_DEFAULT);
	ck_assert_int_eq(theme_color_parse("color255"), 255);
	ck_assert_int_eq(theme_color_parse("#000000"), THEME_RGB(0));
	ck_assert_int_eq(theme_color_parse("#ff000"), -2);
	ck_assert_int_eq(theme_color_parse("puce"), -2);
	/* 8-colour terminals get the nearest */
	ck_assert_int_eq(theme_color_reduce(196, 8), 1);     /* bright red cube */
	ck_assert_int_eq(theme_color_reduce(46, 8), 2);      /* green */
	ck_assert_int_eq(theme_color_reduce(9, 8), 1);
	ck_assert_int_eq(theme_color_reduce(232, 8), 0);     /* near-black grey */
	ck_assert_int_eq(theme_color_reduce(255, 8), 7);
	ck_assert_int_eq(theme_color_reduce(117, 256), 117);
	ck_assert_int_eq(theme_color_reduce(-1, 8), -1);
	ck_assert_str_eq(theme_role_name(ROLE_BAR_RESERVE), "bar.reserve");
	ck_assert_int_eq(theme_role_find("tab.active"), ROLE_TAB_ACTIVE);
	for (int i = 0; i < ROLE_COUNT; i++)
		ck_assert_ptr_nonnull(theme_role_name(i));
}
END_TEST

static Suite *ui_suite(void)
{
	Suite *s = suite_create("ui");
	TCase *tc = tcase_create("cells");
	TCase *tv = tcase_create("views");
	TCase *tt = tcase_create("themes");

	tcase_add_test(tc, test_cells_clip);
	tcase_add_test(tc, test_cells_wide_and_ascii);
	tcase_add_test(tc, test_cells_bar_and_spark);
	tcase_add_test(tc, test_cells_box);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tv, fixture_setup, fixture_teardown);
	tcase_add_test(tv, test_overview_hosts_and_alerts);
	tcase_add_test(tv, test_overview_na_not_zero);
	tcase_add_test(tv, test_overview_stale_role);
	tcase_add_test(tv, test_overview_selection);
	tcase_add_test(tv, test_overview_narrow_drops_role_first);
	tcase_add_test(tv, test_overview_trend_column_when_wide);
	tcase_add_test(tv, test_small_terminal_summary);
	tcase_add_test(tv, test_ascii_everywhere);
	tcase_add_test(tv, test_filter_narrows_rows);
	tcase_add_test(tv, test_keys_views_detail_help);
	tcase_add_test(tv, test_tabs_and_mouse);
	tcase_add_test(tv, test_views_find);
	tcase_add_test(tv, test_view_keys_follow_table);
	tcase_add_test(tv, test_man_page_names_every_view);
	suite_add_tcase(s, tv);

	tcase_add_test(tt, test_theme_parse_good);
	tcase_add_test(tt, test_theme_parse_errors);
	tcase_add_test(tt, test_theme_load_shipped);
	tcase_add_test(tt, test_theme_search_path);
	tcase_add_test(tt, test_theme_colors);
	suite_add_tcase(s, tt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ui_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
