/* The views at the SPEC's minimum size, 80x24 (SPEC §5: "readable at
 * 80x24"): RAM, databases and backups, runners and keys, drawn from a
 * hand-built fleet, snapshot and evaluation, must show what matters (PSI,
 * a container's problem, a backup's first problem, an action's progress, a
 * key's problem) on screen; and every size from 0x0 to 200x60 draws
 * without crashing or writing outside the buffer. */
#include "config.h"
#include "action/action.h"
#include "rules/rules_databases.h"
#include "ui/cells.h"
#include "ui/views.h"
#include "util/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1795392540.0
#define MiB (1024.0 * 1024)
#define GiB (1024.0 * MiB)
#define DAY 86400.0

static const char fleet_fmt[] =
	"[fleet t]\ninterval = 2s\naudit_log = %s/audit.log\n"
	"[host vps]\nssh = local\nram_reserve = 512M\n"
	"[host big]\nssh = local\nram_reserve = 64G\n"
	"[database pg]\ndsn = host=10.0.0.1 dbname=pg user=m\n"
	"[backup restic-old]\nsource = restic\nhost = vps\nrepo = /srv/restic\nrpo = 1d\nrto = 4h\n"
	"[runners ci]\nprovider = command\nlist = true\nscale = sleep 1 && : {count}\nmin = 0\nmax = 4\n"
	"[key tf-web]\nprovider = command\nrotate = true\nage = date +%%s\n";

#define DB_ERROR "could not connect to server: Connection refused. Is the server running " \
	"on host 10.0.0.1 and accepting TCP/IP connections on port 5432? (tail-of-error)"

static struct {
	char dir[64];
	struct fleet f;
	struct snapshot snap;
	struct host_sample hs[2];
	struct host_containers hc[2];
	struct db_sample db[1];
	struct backup_sample bk[1];
	struct runners_sample rn[1];
	struct key_sample ky[1];
	struct evaluation ev;
	struct host_eval he[2];
	struct ui_ctx u;
	struct ui_state s;
	struct cells c;
} fx;

static void host(int i, double avail, double total)
{
	struct host_sample *s = &fx.hs[i];

	s->conn = HC_OK;
	s->sampled_at = T0 - 1;
	s->interval = 2;
	s->rounds = 5;
	s->valid = HV_MEM | HV_PSI | HV_SWAP | HV_OOM;
	s->mem_total = (uint64_t)total;
	s->mem_available = (uint64_t)avail;
	s->swap_total = (uint64_t)(2 * GiB);
	s->swap_used = (uint64_t)(100 * MiB);
	s->psi_some10 = 12.3;
	s->oom_kills = 2;
	fx.hc[i].collected = true;
	fx.hc[i].sampled_at = T0 - 1;
	fx.hc[i].interval = 2;
}

static void ctr(int i, const char *name, const char *state, double used)
{
	struct container_sample *c = &fx.hc[i].c[fx.hc[i].n++];

	str_copy(c->name, name, sizeof(c->name));
	str_copy(c->state, state, sizeof(c->state));
	str_copy(c->image, "registry.example/some/long/image-name:1.2.3", sizeof(c->image));
	c->valid = CV_LIMIT | CV_RESTARTS | (used > 0 ? CV_MEM : 0);
	c->mem_used = (uint64_t)used;
	fx.hc[i].total = fx.hc[i].n;
}

static struct target_eval *target(enum domain_id k, int index, int sub, enum status st,
				  const char *problem)
{
	struct target_eval *t = rules_target_add(&fx.ev, k, index, sub, "t/%d/%d", index, sub);

	t->ev.status = st;
	if (problem)
		rules_problem_add(&t->ev, st, "test", "%s", problem);
	return t;
}

/* vps: the host itself is fine, but golivebro (a service's container) is
 * exited: the RAM view must say CRIT and why. big: a reserve larger than
 * its memory. pg is down with a long error; restic-old is 3 days old
 * against a 1 day RPO; runner fleet ci has 2 runners; key tf-web is too old. */
static void setup(void)
{
	struct fleet_diags d = { 0 };
	char text[2048];

	memset(&fx, 0, sizeof(fx));
	str_copy(fx.dir, "/tmp/fdv80.XXXXXX", sizeof(fx.dir));
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(text, sizeof(text), fleet_fmt, fx.dir);
	if (fleet_load_buffer("t.fleet", text, strlen(text), &fx.f, &d) != 0)
		fleet_diags_print(stderr, &d);
	ck_assert_int_eq((int)d.nerrors, 0);
	fleet_diags_free(&d);
	host(0, 1 * GiB, 2 * GiB);
	host(1, 1 * GiB, 2 * GiB);
	ctr(0, "toneforge-server", "running", 700 * MiB);
	ctr(0, "golivebro", "exited", 0);

	fx.db[0].collected = true;
	fx.db[0].attempted_at = T0 - 1;
	fx.db[0].interval = 2;
	fx.db[0].fail = DBF_CONNECT;
	str_copy(fx.db[0].error, DB_ERROR, sizeof(fx.db[0].error));
	str_copy(fx.db[0].dsn, "host=10.0.0.1 dbname=pg user=m", sizeof(fx.db[0].dsn));
	fx.bk[0].collected = fx.bk[0].known = true;
	fx.bk[0].sampled_at = T0 - 1;
	fx.bk[0].interval = 60;
	fx.bk[0].last_at = T0 - 3 * DAY;
	fx.bk[0].count = -1;
	fx.rn[0].collected = true;
	fx.rn[0].sampled_at = T0 - 1;
	fx.rn[0].interval = 2;
	fx.rn[0].count = 2;
	fx.rn[0].busy = 1;
	fx.rn[0].idle = 1;
	fx.rn[0].offline = 0;
	fx.rn[0].queued = -1;
	fx.rn[0].cost_hourly = -1;
	fx.ky[0].collected = true;
	fx.ky[0].sampled_at = T0 - 1;
	fx.ky[0].interval = 60;
	fx.ky[0].created_at = T0 - 120 * DAY;
	str_copy(fx.ky[0].id, "tfk_1234abcd", sizeof(fx.ky[0].id));
	snapshot_put_hosts(&fx.snap, fx.hs, 2);
	for (size_t i = 0; i < 2; i++)
		snapshot_put(&fx.snap, DOM_CONTAINER, i, &fx.hc[i], host_containers_size(&fx.hc[i]));
	snapshot_put(&fx.snap, DOM_DATABASE, 0, &fx.db[0], sizeof(fx.db[0]));
	snapshot_put(&fx.snap, DOM_BACKUP, 0, &fx.bk[0], sizeof(fx.bk[0]));
	snapshot_put(&fx.snap, DOM_RUNNERS, 0, &fx.rn[0], runners_sample_size(&fx.rn[0]));
	snapshot_put(&fx.snap, DOM_KEY, 0, &fx.ky[0], sizeof(fx.ky[0]));

	fx.ev.hosts = fx.he;
	fx.ev.nhosts = 2;
	fx.he[0].status = ST_OK;
	fx.he[1].status = ST_OK;
	target(DOM_CONTAINER, 0, -1, ST_OK, NULL);
	target(DOM_CONTAINER, 0, 0, ST_OK, NULL);
	target(DOM_CONTAINER, 0, 1, ST_CRIT, "service golivebro needs it, but it is exited");
	target(DOM_DATABASE, 0, -1, ST_CRIT, "pg is down: connection refused");
	target(DOM_BACKUP, 0, -1, ST_CRIT, "newest backup is 3d old, RPO 1d")->verdict = RPO_BREACH;
	target(DOM_RUNNERS, 0, -1, ST_OK, NULL);
	target(DOM_KEY, 0, -1, ST_WARN, "key is 120d old, max_age 90d");

	fx.u.f = &fx.f;
	fx.u.snap = &fx.snap;
	fx.u.ev = &fx.ev;
	fx.u.now = T0;
	cells_init(&fx.c, 80, 24, false);
}

static void teardown(void)
{
	char path[128];

	if (fx.u.actions)
		actions_free(fx.u.actions);
	cells_free(&fx.c);
	free(fx.ev.targets);
	fleet_free(&fx.f);
	snprintf(path, sizeof(path), "%s/audit.log", fx.dir);
	unlink(path);
	rmdir(fx.dir);
}

static void show(const char *view)
{
	ui_state_init(&fx.s, view, false, T0);
	cells_resize(&fx.c, 80, 24);
	frame_draw(&fx.c, &fx.u, &fx.s);
}

static int row_of(const char *s)
{
	for (int y = 0; y < fx.c.h; y++) {
		char *row = cells_row_text(&fx.c, y);
		bool hit = strstr(row, s) != NULL;
		free(row);
		if (hit)
			return y;
	}
	return -1;
}

static void assert_on_screen(const char *s)
{
	if (row_of(s) < 0) {
		char *dump = cells_dump(&fx.c);
		ck_abort_msg("'%s' not on the 80x24 screen:\n%s", s, dump);
		free(dump);
	}
}

static void assert_not_on_screen(const char *s)
{
	if (row_of(s) >= 0) {
		char *dump = cells_dump(&fx.c);
		ck_abort_msg("'%s' on the 80x24 screen:\n%s", s, dump);
		free(dump);
	}
}

START_TEST(test_ram_80)
{
	int y, x;

	show("ram");
	assert_on_screen("PSI 12.3");
	assert_on_screen("OOM 2");
	assert_on_screen("rsv 512M holds");
	/* vps: host OK, but a container is crit -> the row says CRIT */
	y = row_of("vps ");
	ck_assert_int_ge(y, 0);
	ck_assert(row_of("CRIT    vps ") == y);
	/* big: reserve 64G > 2G: the marker at the right edge, crit */
	y = row_of("big ") + 1;
	for (x = 79; x > 0 && cells_get(&fx.c, x, y)->ch == ' '; x--)
		;
	ck_assert_uint_eq(cells_get(&fx.c, x, y)->ch, cells_glyph(&fx.c, G_MARKER));
	ck_assert_int_eq(cells_get(&fx.c, x, y)->role, ROLE_CRIT);
	/* without its (breached) reserve, big is OK and sorts after vps,
	 * whose container is crit */
	fx.f.hosts[1].ram_reserve = -1;
	frame_draw(&fx.c, &fx.u, &fx.s);
	ck_assert_int_lt(row_of("CRIT    vps "), row_of("OK      big "));
	ck_assert_int_ge(row_of("OK      big "), 0);
	/* Enter: the table shows PROBLEM (IMAGE is dropped at 80 columns) */
	ck_assert_int_eq(nav_key(&fx.s, &fx.u, UK_ENTER), UA_DRAW);
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("Containers on vps");
	assert_on_screen("PROBLEM");
	assert_on_screen("service golivebro needs it");
	assert_on_screen("golivebro: service golivebro needs it, but it is exited");
}
END_TEST

START_TEST(test_databases_80)
{
	int dv = views_find("databases");

	show("databases");
	assert_on_screen("DOWN");
	assert_on_screen("newest backup is 3d old");
	assert_on_screen("3d / 24h");
	/* the database's detail: the error wrapped in full, no invented values */
	fx.s.vs[dv].sel = 0;
	ck_assert_int_eq(nav_key(&fx.s, &fx.u, UK_ENTER), UA_DRAW);
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("detail (Enter closes)");
	assert_on_screen("(tail-of-error)");
	assert_on_screen("query n/a");
	assert_not_on_screen("0.0 ms");
	assert_not_on_screen("never ago");
	/* the backup's detail */
	ck_assert_int_eq(nav_key(&fx.s, &fx.u, UK_DOWN), UA_DRAW);
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("count n/a");
	assert_not_on_screen("count -1");
}
END_TEST

/* 299 databases found through Prometheus after pg: more than the 256 rows
 * the view keeps. found-290 is crit: sorted worst first before the cut, it
 * is shown (second, after pg), the 44 left out are counted on a line, a
 * click on its row and Enter open its own detail, and the selection stays
 * on it when another database turns crit and goes before it. */
START_TEST(test_databases_cut)
{
	int dv = views_find("databases"), y;

	for (int i = 1; i < 300; i++) {
		struct db_sample d = { .collected = true, .up = true, .sampled_at = T0 - 1,
				       .attempted_at = T0 - 1, .interval = 2 };
		str_fmt(d.name, sizeof(d.name), "found-%03d", i);
		snapshot_put(&fx.snap, DOM_DATABASE, (size_t)i, &d, sizeof(d));
		target(DOM_DATABASE, i, -1, i == 290 ? ST_CRIT : ST_OK,
		       i == 290 ? "found-290: too many connections" : NULL);
	}
	show("databases");
	assert_on_screen("found-290");
	ck_assert_int_lt(row_of("found-290"), row_of("found-001"));
	ck_assert_int_lt(row_of("pg "), row_of("found-290"));
	/* the click selects the database drawn on that row, Enter opens it */
	y = row_of("found-290");
	ck_assert_int_eq(view_databases.hit(&fx.s.vs[dv], 0, y), 1);
	fx.s.vs[dv].sel = 1;
	ck_assert_int_eq(nav_key(&fx.s, &fx.u, UK_ENTER), UA_DRAW);
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("database found-290");
	/* found-100 turns crit and goes before it: the selection and the
	 * detail stay on found-290 */
	((struct target_eval *)rules_target_find(&fx.ev, DOM_DATABASE, 100, -1))->ev.status = ST_CRIT;
	frame_draw(&fx.c, &fx.u, &fx.s);
	ck_assert_int_eq(fx.s.vs[dv].sel, 2);
	assert_on_screen("database found-290");
	ck_assert_int_lt(row_of("found-100"), row_of("found-290"));
	ck_assert_int_eq(nav_key(&fx.s, &fx.u, UK_ENTER), UA_DRAW);
	/* the last database kept (found-254: found-100 moved up, not out)
	 * and the line under it */
	fx.s.vs[dv].sel = 255;
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("found-254");
	assert_not_on_screen("found-255");
	ck_assert_int_eq(row_of("+44 more databases (worst first shown)"), row_of("found-254") + 1);
	/* on a wall nothing follows a row: pg turning ok leaves the list at
	 * its top, worst first */
	fx.u.wall = true;
	fx.s.vs[dv].sel = 0;
	view_databases.draw(&fx.c, (struct rect){ 0, 0, 80, 20 }, &fx.u, &fx.s, &fx.s.vs[dv]);
	((struct target_eval *)rules_target_find(&fx.ev, DOM_DATABASE, 0, -1))->ev.status = ST_OK;
	view_databases.draw(&fx.c, (struct rect){ 0, 0, 80, 20 }, &fx.u, &fx.s, &fx.s.vs[dv]);
	ck_assert_int_eq(fx.s.vs[dv].sel, 0);
	ck_assert_int_eq(fx.s.vs[dv].top, 0);
	ck_assert_int_lt(row_of("found-100"), row_of("found-001"));
}
END_TEST

/* The 299 found databases of test_databases_cut, found-290 crit. */
static void found_299(void)
{
	for (int i = 1; i < 300; i++) {
		struct db_sample d = { .collected = true, .up = true, .sampled_at = T0 - 1,
				       .attempted_at = T0 - 1, .interval = 2 };
		str_fmt(d.name, sizeof(d.name), "found-%03d", i);
		snapshot_put(&fx.snap, DOM_DATABASE, (size_t)i, &d, sizeof(d));
		target(DOM_DATABASE, i, -1, i == 290 ? ST_CRIT : ST_OK,
		       i == 290 ? "found-290: too many connections" : NULL);
	}
}

/* found-290's detail is open while it is crit; it recovers and sorts past
 * the 256 rows kept: no other database's detail shows under the old
 * selection (the detail closes). A click then Enter before the next frame,
 * while another database turns crit, open the clicked one. */
START_TEST(test_databases_cut_recovered)
{
	int dv = views_find("databases"), y;

	found_299();
	show("databases");
	y = row_of("found-290");
	ck_assert_int_eq(view_databases.hit(&fx.s.vs[dv], 0, y), 1);
	fx.s.vs[dv].sel = 1;
	ck_assert_int_eq(nav_key(&fx.s, &fx.u, UK_ENTER), UA_DRAW);
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("database found-290");
	((struct target_eval *)rules_target_find(&fx.ev, DOM_DATABASE, 290, -1))->ev.status = ST_OK;
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_not_on_screen("found-290");
	assert_not_on_screen("database found-");
	assert_not_on_screen("detail (Enter closes)");
	ck_assert(!fx.s.vs[dv].sub_open);
	ck_assert_int_eq(fx.s.vs[dv].sel, 1);
	/* crit again: shown second; the click selects it, found-100 turns
	 * crit before the next frame, Enter opens found-290's detail */
	((struct target_eval *)rules_target_find(&fx.ev, DOM_DATABASE, 290, -1))->ev.status = ST_CRIT;
	frame_draw(&fx.c, &fx.u, &fx.s);
	fx.s.vs[dv].sel = 0;
	frame_draw(&fx.c, &fx.u, &fx.s);
	y = row_of("found-290");
	ck_assert_int_eq(view_databases.hit(&fx.s.vs[dv], 0, y), 1);
	fx.s.vs[dv].sel = 1;
	((struct target_eval *)rules_target_find(&fx.ev, DOM_DATABASE, 100, -1))->ev.status = ST_CRIT;
	ck_assert_int_eq(nav_key(&fx.s, &fx.u, UK_ENTER), UA_DRAW);
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("database found-290");
	assert_not_on_screen("database found-100");
	ck_assert_int_eq(fx.s.vs[dv].sel, 2);
}
END_TEST

START_TEST(test_runners_80)
{
	struct action_req req = { AK_SCALE_TO, SEC_RUNNERS, 0, 1 };
	struct action_plan p;
	struct action_progress pr;
	char err[256];

	fx.u.actions = actions_new(&fx.f, NULL);
	ck_assert_ptr_nonnull(fx.u.actions);
	ck_assert_int_eq(actions_plan(fx.u.actions, &fx.snap, &req, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(actions_start(fx.u.actions, &p, err, sizeof(err)), 0);
	show("runners");
	assert_on_screen("ci ");
	assert_on_screen("2 [0..4]");
	assert_on_screen("running: ");
	for (int k = 0; k < 200; k++) {
		actions_progress(fx.u.actions, SEC_RUNNERS, 0, &pr);
		if (pr.finished && !pr.active)
			break;
		usleep(50 * 1000);
	}
	frame_draw(&fx.c, &fx.u, &fx.s);
	assert_on_screen("scaled 2 -> 1");
}
END_TEST

START_TEST(test_keys_80)
{
	show("keys");
	assert_on_screen("tf-web");
	assert_on_screen("tfk_1234abcd");
	assert_on_screen("key is 120d old, max_age 90d");
	assert_on_screen("120d / 90d");
}
END_TEST

/* Every view and sub-screen at every width 0..200 and a spread of heights:
 * no crash, and nothing written past the buffer (the sentinel stays 0). */
START_TEST(test_all_sizes)
{
	static const char *const views[] = { "ram", "databases", "runners", "keys" };
	static const int hs[] = { 0, 1, 2, 3, 5, 8, 12, 15, 16, 17, 20, 23, 24, 25, 30, 40, 59, 60 };

	for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++)
		for (int sub = 0; sub < 2; sub++) {
			ui_state_init(&fx.s, views[v], false, T0);
			if (sub) {
				cells_resize(&fx.c, 80, 24);
				frame_draw(&fx.c, &fx.u, &fx.s);
				nav_key(&fx.s, &fx.u, UK_ENTER);
			}
			for (int w = 0; w <= 200; w++)
				for (size_t h = 0; h < sizeof(hs) / sizeof(hs[0]); h++) {
					cells_resize(&fx.c, w, hs[h]);
					frame_draw(&fx.c, &fx.u, &fx.s);
					ck_assert_uint_eq(fx.c.v[w * hs[h]].ch, 0);
				}
		}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("views80");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ram_80);
	tcase_add_test(tc, test_databases_80);
	tcase_add_test(tc, test_databases_cut);
	tcase_add_test(tc, test_databases_cut_recovered);
	tcase_add_test(tc, test_runners_80);
	tcase_add_test(tc, test_keys_80);
	tcase_add_test(tc, test_all_sizes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
