/* Containers and RAM contention: the parsers on recordings (tests/data/
 * containers/README says which are real podman 4.3 answers and which are
 * recordings written from the Docker API / kernel documentation), the
 * rules of SPEC §3, the JSON of SPEC §4 and the RAM view. */
#include "config.h"
#include "collect/container_parse.h"
#include "out/domains.h"
#include "rules/rules.h"
#include "ui/views.h"
#include "util/util.h"
#include "cells_find.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define T0 1795392540.0
#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)

static char *slurp(const char *name, size_t *len)
{
	char *path = xasprintf("%s/tests/data/containers/%s", SRCDIR, name);
	FILE *fp = fopen(path, "rb");
	char *buf = xmalloc(1 << 20);

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	*len = fread(buf, 1, (1 << 20) - 1, fp);
	buf[*len] = 0;
	fclose(fp);
	free(path);
	return buf;
}

/* --- parsers ----------------------------------------------------------------- */

START_TEST(test_list_podman)
{
	size_t len;
	char *j = slurp("podman-4.3-list.json", &len);
	char ids[4][CTR_ID_MAX], err[200];
	int total = 0, n = ctrp_list(j, len, ids, 4, &total, err, sizeof(err));

	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(total, 2);
	ck_assert_int_eq((int)strlen(ids[0]), 64);
	/* capped: total still counts every container */
	ck_assert_int_eq(ctrp_list(j, len, ids, 1, &total, err, sizeof(err)), 1);
	ck_assert_int_eq(total, 2);
	ck_assert_int_eq(ctrp_list("{\"message\":\"x\"}", 15, ids, 4, &total, err, sizeof(err)), -1);
	ck_assert_int_eq(ctrp_list("[{\"Id\":\"../../x\"}]", 18, ids, 4, &total, err, sizeof(err)), 0);
	free(j);
}
END_TEST

/* the list's signature: what inspect would also say (state, names, image),
 * never the Status text that changes by itself */
START_TEST(test_list_sigs)
{
	const char *a = "[{\"Id\":\"aa\",\"Names\":[\"/web\"],\"Image\":\"i\",\"State\":\"running\",\"Status\":\"Up 5 minutes\"},"
			"{\"Id\":\"bb\",\"Names\":[\"/db\"],\"Image\":\"i\",\"State\":\"exited\"}]";
	const char *b = "[{\"Id\":\"aa\",\"Names\":[\"/web\"],\"Image\":\"i\",\"State\":\"running\",\"Status\":\"Up 6 minutes\"},"
			"{\"Id\":\"bb\",\"Names\":[\"/db\"],\"Image\":\"i\",\"State\":\"running\"},"
			"{\"Id\":\"cc\",\"Names\":[\"/web2\"],\"Image\":\"i\",\"State\":\"running\"},"
			"{\"Id\":\"dd\",\"Names\":[\"/web\",\"2\"],\"Image\":\"i\",\"State\":\"running\"}]";
	struct ctr_listed la[4], lb[4];
	char err[200];
	int total = 0;

	ck_assert_int_eq(ctrp_list_info(a, strlen(a), la, 4, &total, err, sizeof(err)), 2);
	ck_assert_int_eq(ctrp_list_info(b, strlen(b), lb, 4, &total, err, sizeof(err)), 4);
	ck_assert(la[0].sig == lb[0].sig);   /* only Status changed */
	ck_assert(la[1].sig != lb[1].sig);   /* exited -> running */
	ck_assert(lb[2].sig != lb[0].sig);   /* another name */
	ck_assert(lb[3].sig != lb[2].sig);   /* "/web","2" is not "/web2" */
}
END_TEST

/* The list keeps each container's name (Names[0] without its '/') and
 * State, as clean text within their fields or not at all: a failed inspect
 * shows them (the Docker Engine API's documented ContainerList shape). */
START_TEST(test_list_names_states)
{
	size_t len;
	char *j = slurp("docker-api-list.json", &len);
	struct ctr_listed l[8];
	char ids[8][CTR_ID_MAX], err[200], name[80], json[200];
	int total = 0, n = ctrp_list_info(j, len, l, 8, &total, err, sizeof(err));

	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(total, 5);
	ck_assert_str_eq(l[0].id, "b3b8e1f6a0c20000000000000000000000000000000000000000000000000000");
	ck_assert_str_eq(l[0].name, "toneforge-server");
	ck_assert_str_eq(l[0].state, "running");
	ck_assert_str_eq(l[1].name, "golivebro");
	ck_assert_str_eq(l[1].state, "exited");
	ck_assert_str_eq(l[2].name, "");              /* 70 characters: refused, never cut */
	ck_assert_str_eq(l[2].state, "running");
	ck_assert_str_eq(l[3].name, "");              /* ESC [31m: refused */
	ck_assert_str_eq(l[3].state, "");
	ck_assert_str_eq(l[4].name, "");              /* no Names */
	ck_assert_str_eq(l[4].state, "paused");
	/* the same ids as ctrp_list */
	ck_assert_int_eq(ctrp_list(j, len, ids, 8, &total, err, sizeof(err)), 5);
	for (int k = 0; k < 5; k++)
		ck_assert_str_eq(ids[k], l[k].id);
	/* capped: total counts them all */
	ck_assert_int_eq(ctrp_list_info(j, len, l, 2, &total, err, sizeof(err)), 2);
	ck_assert_int_eq(total, 5);
	free(j);

	/* 63 bytes fit the model's name, 64 do not; a NUL inside, a bidi
	 * override and invalid text are refused; a name without '/' is kept */
	memset(name, 'a', 63);
	name[63] = 0;
	snprintf(json, sizeof(json), "[{\"Id\":\"aa\",\"Names\":[\"/%s\"],\"State\":\"running\"}]", name);
	ck_assert_int_eq(ctrp_list_info(json, strlen(json), l, 8, &total, err, sizeof(err)), 1);
	ck_assert_str_eq(l[0].name, name);
	snprintf(json, sizeof(json), "[{\"Id\":\"aa\",\"Names\":[\"/%sb\"],\"State\":\"running\"}]", name);
	ck_assert_int_eq(ctrp_list_info(json, strlen(json), l, 8, &total, err, sizeof(err)), 1);
	ck_assert_str_eq(l[0].name, "");
	static const char odd[] =
		"[{\"Id\":\"a1\",\"Names\":[\"/we\\u0000b\"],\"State\":\"run\\u0000ning\"},"
		"{\"Id\":\"a2\",\"Names\":[\"/\\u202egnp.exe\"],\"State\":7},"
		"{\"Id\":\"a3\",\"Names\":\"/web\",\"State\":\"a-very-long-state-text\"},"
		"{\"Id\":\"a4\",\"Names\":[\"db\",\"/other\"],\"State\":\"exited\"},"
		"{\"Id\":\"a5\",\"Names\":[\"/\"],\"State\":\"\"}]";
	ck_assert_int_eq(ctrp_list_info(odd, strlen(odd), l, 8, &total, err, sizeof(err)), 5);
	for (int k = 0; k < 3; k++) {
		ck_assert_str_eq(l[k].name, "");
		ck_assert_str_eq(l[k].state, "");
	}
	ck_assert_str_eq(l[3].name, "db");
	ck_assert_str_eq(l[3].state, "exited");
	ck_assert_str_eq(l[4].name, "");
	ck_assert_str_eq(l[4].state, "");
}
END_TEST

START_TEST(test_inspect_podman_api_and_cli)
{
	size_t len;
	char *j = slurp("podman-4.3-inspect-web1.json", &len);
	struct container_sample c[4];
	long pids[4];
	char err[200];
	int n = 0;

	ck_assert_int_eq(ctrp_inspect(j, len, c, pids, 4, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(c[0].name, "web1");           /* API "/web1" */
	ck_assert_str_eq(c[0].image, "localhost/fdbox:latest");
	ck_assert_str_eq(c[0].state, "created");
	ck_assert(c[0].valid & CV_LIMIT);
	ck_assert_uint_eq(c[0].mem_limit, 256 * MiB);
	ck_assert_int_eq((int)pids[0], 0);
	free(j);

	j = slurp("podman-4.3-cli-inspect.json", &len);
	n = 0;
	ck_assert_int_eq(ctrp_inspect(j, len, c, pids, 4, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(c[0].name, "web1");
	ck_assert_uint_eq(c[0].mem_limit, 256 * MiB);
	ck_assert_str_eq(c[1].name, "nolimit");
	ck_assert(c[1].valid & CV_LIMIT);
	ck_assert_uint_eq(c[1].mem_limit, 0);           /* no limit */
	free(j);
}
END_TEST

START_TEST(test_inspect_docker_cli)
{
	size_t len;
	char *j = slurp("docker-cli-inspect.json", &len);
	struct container_sample c[4];
	long pids[4];
	char err[200];
	int n = 0;

	ck_assert_int_eq(ctrp_inspect(j, len, c, pids, 4, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(c[0].name, "toneforge-server");
	ck_assert_str_eq(c[0].image, "ghcr.io/toneforge/server:1.8.2");
	ck_assert_str_eq(c[0].state, "running");
	ck_assert_int_eq(c[0].restarts, 3);
	ck_assert_int_eq((int)pids[0], 4242);
	ck_assert_str_eq(c[0].id, "b3b8e1f6a0c2");
	ck_assert_str_eq(c[1].state, "exited");
	ck_assert_uint_eq(c[1].mem_limit, 512 * MiB);
	/* malformed: an error, no crash, nothing appended */
	n = 0;
	ck_assert_int_eq(ctrp_inspect("[{\"Id\":", 7, c, pids, 4, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(n, 0);
	ck_assert(strstr(err, "not JSON") != NULL);
	free(j);
}
END_TEST

/* Issue #13: one number no integer type holds (2^70) costs that field, not
 * the list; 2^63-1 is the kernel's "unlimited", never "16384P"; negative or
 * absurd counts are n/a with a note naming the field and the value. */
START_TEST(test_inspect_implausible_numbers)
{
	static const char j[] =
		"[{\"Id\":\"aa\",\"Name\":\"/huge\",\"State\":{\"Status\":\"running\",\"Pid\":7},"
		"\"HostConfig\":{\"Memory\":1180591620717411303424},\"RestartCount\":-4},"
		"{\"Id\":\"bb\",\"Name\":\"/nolimit\",\"State\":{\"Status\":\"running\",\"Pid\":1e30},"
		"\"HostConfig\":{\"Memory\":9223372036854775807},\"RestartCount\":2},"
		"{\"Id\":\"cc\",\"Name\":\"/fine\",\"State\":{\"Status\":\"exited\"},"
		"\"HostConfig\":{\"Memory\":268435456}}]";
	struct container_sample c[4];
	long pids[4];
	char err[200];
	int n = 0;
	struct ctr_usage u;

	ck_assert_int_eq(ctrp_inspect(j, strlen(j), c, pids, 4, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 3);
	ck_assert(!(c[0].valid & CV_LIMIT));
	ck_assert(!(c[0].valid & CV_RESTARTS));
	ck_assert_msg(strstr(c[0].implausible, "HostConfig.Memory = 1.18059e+21: implausible"),
		      "%s", c[0].implausible);
	ck_assert_int_eq((int)pids[0], 7);
	ck_assert(c[1].valid & CV_LIMIT);
	ck_assert_uint_eq(c[1].mem_limit, 0);            /* no limit */
	ck_assert_str_eq(c[1].implausible, "");
	ck_assert_int_eq((int)pids[1], 0);
	ck_assert_uint_eq(c[2].mem_limit, 256 * MiB);
	ck_assert_str_eq(c[2].implausible, "");
	/* stats and cgroup files: the same bounds */
	{
		static const char st[] = "{\"memory_stats\":{\"usage\":-1}}";
		ck_assert_int_eq(ctrp_stats(st, strlen(st), &u, err, sizeof(err)), 0);
	}
	ck_assert(!u.mem_ok);
	ck_assert_msg(strstr(u.implausible, "memory_stats.usage = -1"), "%s", u.implausible);
	{
		static const char cg[] = "@@pid 9\n@@file memory.current\n"
			"1180591620717411303424\n@@file memory.max\n4096\n";
		ck_assert_int_eq(ctrp_cgroup(cg, strlen(cg), 9, &u), 0);
		ck_assert(!u.mem_ok);
		ck_assert(u.limit_ok);
		ck_assert_msg(strstr(u.implausible, "memory.current = 118059162071741130342"),
			      "%s", u.implausible);
	}
}
END_TEST

START_TEST(test_stats_recordings)
{
	size_t len;
	char *j = slurp("docker-stats-v1.json", &len), err[200];
	struct ctr_usage u;

	ck_assert_int_eq(ctrp_stats(j, len, &u, err, sizeof(err)), 0);
	ck_assert(u.mem_ok);
	ck_assert_uint_eq(u.mem_used, 7585792 - 1048576);   /* usage - total_inactive_file */
	ck_assert(u.cpu_ok);
	ck_assert_uint_eq(u.cpu_ns, 100215355);
	ck_assert(!u.limit_ok);          /* the API's limit is the host's RAM when none */
	free(j);
	j = slurp("docker-stats-v2.json", &len);
	ck_assert_int_eq(ctrp_stats(j, len, &u, err, sizeof(err)), 0);
	ck_assert_uint_eq(u.mem_used, 429916160 - 35643392);  /* usage - inactive_file */
	ck_assert_uint_eq(u.cpu_ns, 86400123000ULL);
	free(j);
	/* a created container: podman answers an error object */
	ck_assert_int_eq(ctrp_stats("{\"cause\":\"x\"}", 13, &u, err, sizeof(err)), 0);
	ck_assert(!u.mem_ok && !u.cpu_ok);
	ck_assert_int_eq(ctrp_stats("garbage", 7, &u, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_cgroup_v2_v1)
{
	size_t len;
	char *t = slurp("cgroup-v2.txt", &len);
	struct ctr_usage u;

	ck_assert_int_eq(ctrp_cgroup(t, len, 4242, &u), 0);
	ck_assert_uint_eq(u.mem_used, 429916160 - 35643392);
	ck_assert(u.limit_ok);
	ck_assert_uint_eq(u.limit, 0);                 /* "max" */
	ck_assert_uint_eq(u.cpu_ns, 86400123000ULL);
	ck_assert_int_eq(ctrp_cgroup(t, len, 4343, &u), 0);
	ck_assert_uint_eq(u.limit, 256 * MiB);
	ck_assert_uint_eq(u.mem_used, 209715200);
	ck_assert_int_eq(ctrp_cgroup(t, len, 4444, &u), -1);  /* block without files */
	ck_assert_int_eq(ctrp_cgroup(t, len, 1, &u), -1);     /* no block */
	free(t);
	t = slurp("cgroup-v1.txt", &len);
	ck_assert_int_eq(ctrp_cgroup(t, len, 5151, &u), 0);
	ck_assert_uint_eq(u.mem_used, 7585792 - 1048576);
	ck_assert(u.limit_ok);
	ck_assert_uint_eq(u.limit, 0);                 /* v1's "no limit" number */
	ck_assert_uint_eq(u.cpu_ns, 100215355);
	ck_assert_int_eq(ctrp_cgroup(t, len, 5252, &u), 0);
	ck_assert_uint_eq(u.limit, 512 * MiB);
	ck_assert_uint_eq(u.mem_used, 100000000);
	free(t);
	/* CPU: 0.5 s of CPU over 1 s = 50 % of one core; a reset is unknown */
	ck_assert_double_eq_tol(ctrp_cpu_pct(1000000000ULL, 1500000000ULL, 1.0), 50.0, 1e-9);
	ck_assert(ctrp_cpu_pct(2, 1, 1.0) < 0);
}
END_TEST

/* `docker update --memory` on a running container: the cgroup's limit, read
 * every round over SSH, replaces the one inspect gave when the container
 * was new; "max" is no limit; no reading keeps inspect's. */
START_TEST(test_limit_from_cgroup_wins)
{
	size_t len;
	char *t = slurp("cgroup-v2.txt", &len);
	struct container_sample c = { 0 };
	struct ctr_usage u;

	c.mem_limit = 128 * MiB;          /* inspect, before the update */
	c.valid = CV_LIMIT;
	ck_assert_int_eq(ctrp_cgroup(t, len, 4343, &u), 0);   /* memory.max 256 MiB */
	ctrp_apply_limit(&c, &u);
	ck_assert(c.valid & CV_LIMIT);
	ck_assert_uint_eq(c.mem_limit, 256 * MiB);
	ck_assert_int_eq(ctrp_cgroup(t, len, 4242, &u), 0);   /* "max" */
	ctrp_apply_limit(&c, &u);
	ck_assert(c.valid & CV_LIMIT);
	ck_assert_uint_eq(c.mem_limit, 0);
	memset(&u, 0, sizeof(u));                             /* nothing read */
	c.mem_limit = 64 * MiB;
	ctrp_apply_limit(&c, &u);
	ck_assert_uint_eq(c.mem_limit, 64 * MiB);
	free(t);
}
END_TEST

/* --- rules, JSON and the view ------------------------------------------------- */

static const char fleet_text[] =
	"[fleet t]\ninterval = 2s\n"
	"[host vps]\nssh = local\nram_reserve = 512M\n"
	"[host quiet]\nssh = local\n"
	"[service toneforge]\nhost = vps\ncontainer = toneforge-server\n"
	"[service golivebro]\nhost = vps\ncontainer = golivebro\n"
	"[service ghost]\nhost = vps\ncontainer = ghost\nmem_limit = 1G\n";

struct fx {
	struct fleet f;
	struct snapshot snap;
	struct host_sample hs[2];
	struct host_containers hc[2];
	struct rules_state st;
	struct evaluation ev;
};

static void ctr(struct host_containers *hc, const char *name, const char *state,
		uint64_t used, uint64_t limit)
{
	struct container_sample *c = &hc->c[hc->n++];

	memset(c, 0, sizeof(*c));
	str_copy(c->name, name, sizeof(c->name));
	str_copy(c->state, state, sizeof(c->state));
	str_copy(c->image, "img", sizeof(c->image));
	c->valid = CV_LIMIT | CV_RESTARTS | (used ? CV_MEM : 0);
	c->mem_used = used;
	c->mem_limit = limit;
	hc->total = hc->n;
}

static void fx_setup(struct fx *x, uint64_t avail)
{
	struct fleet_diags d = { 0 };

	memset(x, 0, sizeof(*x));
	ck_assert_int_eq(fleet_load_buffer("t.fleet", fleet_text, strlen(fleet_text), &x->f, &d), 0);
	fleet_diags_free(&d);
	for (int i = 0; i < 2; i++) {
		x->hs[i].conn = HC_OK;
		x->hs[i].sampled_at = T0 - 1;
		x->hs[i].interval = 2;
		x->hs[i].rounds = 5;
		x->hs[i].valid = HV_MEM | HV_PSI | HV_SWAP;
		x->hs[i].mem_total = 2 * GiB;
		x->hs[i].mem_available = avail;
		x->hc[i].collected = true;
		x->hc[i].sampled_at = T0 - 1;
		x->hc[i].interval = 2;
	}
	x->hc[1].err = CE_NO_ENGINE;
	str_copy(x->hc[1].error, "no container engine (no socket at /var/run/docker.sock)",
		 sizeof(x->hc[1].error));
	rules_state_init(&x->st, 2);
}

/* The snapshot holds published copies: publish the edited samples. */
static void fx_sync(struct fx *x)
{
	snapshot_put_hosts(&x->snap, x->hs, 2);
	for (size_t i = 0; i < 2; i++)
		snapshot_put(&x->snap, DOM_CONTAINER, i, &x->hc[i], host_containers_size(&x->hc[i]));
}

static void fx_eval(struct fx *x, double now)
{
	fx_sync(x);
	evaluation_free(&x->ev);
	memset(&x->ev, 0, sizeof(x->ev));
	rules_evaluate(&x->f, &x->snap, now, &x->st, &x->ev);
}

static void fx_free(struct fx *x)
{
	snapshot_free(&x->snap);
	evaluation_free(&x->ev);
	rules_state_free(&x->st);
	fleet_free(&x->f);
}

static bool has_problem(const struct target_eval *t, const char *code)
{
	for (int p = 0; t && p < t->ev.nproblems; p++)
		if (!strcmp(t->ev.problems[p].code, code))
			return true;
	return false;
}

START_TEST(test_rules_seed_case)
{
	struct fx x;
	const struct target_eval *t;

	fx_setup(&x, 300 * MiB);
	ctr(&x.hc[0], "toneforge-server", "running", 700 * MiB, 0);
	ctr(&x.hc[0], "golivebro", "exited", 0, 1536 * MiB);
	fx_eval(&x, T0);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 0);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->target, "container/vps/toneforge-server");
	ck_assert_int_eq(t->ev.status, ST_WARN);
	ck_assert(has_problem(t, "nolimit"));
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 1);
	ck_assert_int_eq(t->ev.status, ST_CRIT);        /* service golivebro needs it */
	ck_assert(has_problem(t, "down"));
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, -1);
	ck_assert_ptr_nonnull(t);
	ck_assert(has_problem(t, "missing"));           /* ghost */
	/* 1G (ghost's mem_limit; golivebro is exited) is not > 2G: no overcommit */
	ck_assert(!has_problem(t, "overcommit"));
	/* the reserve: a host crit, as the host rules say */
	ck_assert_int_eq(x.ev.hosts[0].status, ST_CRIT);
	/* quiet host: no engine and none asked for, no target, not unknown */
	ck_assert_ptr_null(rules_target_find(&x.ev, DOM_CONTAINER, 1, -1));
	fx_free(&x);
}
END_TEST

START_TEST(test_rules_overcommit_stale)
{
	struct fx x;
	const struct target_eval *t;

	fx_setup(&x, 1 * GiB);
	ctr(&x.hc[0], "toneforge-server", "running", 700 * MiB, 1536 * MiB);
	ctr(&x.hc[0], "golivebro", "running", 300 * MiB, 1 * GiB);
	fx_eval(&x, T0);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, -1);
	ck_assert(has_problem(t, "overcommit"));        /* 1.5G + 1G + 1G (ghost) > 2G */
	ck_assert_int_eq(rules_target_find(&x.ev, DOM_CONTAINER, 0, 0)->ev.status, ST_OK);
	/* the list turns stale 3 x 2 s after it was read: drawn again then */
	ck_assert_double_eq_tol(rules_target_find(&x.ev, DOM_CONTAINER, 0, 0)->ev.stale_at, T0 + 5, 1e-9);
	ck_assert_double_eq_tol(t->ev.stale_at, T0 + 5, 1e-9);
	/* 3 x interval later with no new list: unknown, never green */
	fx_eval(&x, T0 + 10);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 0);
	ck_assert(t->ev.stale);
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	fx_free(&x);
}
END_TEST

START_TEST(test_rules_engine_errors)
{
	struct fx x;
	const struct target_eval *t;

	fx_setup(&x, 1 * GiB);
	x.hc[0].err = CE_PERMISSION;
	str_copy(x.hc[0].error, "permission denied on /run/podman/podman.sock: join its group podman",
		 sizeof(x.hc[0].error));
	fx_eval(&x, T0);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, -1);
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	ck_assert(strstr(t->ev.problems[0].text, "podman.sock") != NULL);
	/* the expected containers are not judged "missing" from an unreadable engine */
	ck_assert(!has_problem(t, "missing"));
	fx_free(&x);
}
END_TEST

START_TEST(test_json_containers)
{
	struct fx x;
	json_t *a, *o;

	fx_setup(&x, 300 * MiB);
	ctr(&x.hc[0], "toneforge-server", "running", 700 * MiB, 0);
	ctr(&x.hc[0], "golivebro", "running", 300 * MiB, 1 * GiB);
	x.hc[0].c[1].valid |= CV_CPU;
	x.hc[0].c[1].cpu_pct = 12.5;
	fx_eval(&x, T0);
	a = json_containers(&x.f, &x.snap, &x.ev, T0, 0);
	ck_assert_int_eq((int)json_array_size(a), 2);
	o = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "name")), "toneforge-server");
	ck_assert(json_is_null(json_object_get(o, "mem_limit")));
	ck_assert(json_is_null(json_object_get(o, "cpu_pct")));     /* unknown, not 0 */
	ck_assert_int_eq((int)json_integer_value(json_object_get(o, "mem_used")), (int)(700 * MiB));
	ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "warn");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "problems"), 0)),
			 "no memory limit");
	o = json_array_get(a, 1);
	ck_assert_int_eq((int)json_integer_value(json_object_get(o, "mem_limit")), (int)(1 * GiB));
	ck_assert(json_real_value(json_object_get(o, "cpu_pct")) == 12.5);
	json_decref(a);
	a = json_containers(&x.f, &x.snap, &x.ev, T0, 1);
	ck_assert_int_eq((int)json_array_size(a), 0);
	json_decref(a);
	fx_free(&x);
}
END_TEST


/* A container whose inspect timed out: the list's name and state, the
 * reason, unknown (never ok from the list alone) in the rules and the
 * JSON; once an inspect answers again the row is the usual one. */
START_TEST(test_inspect_failed_row)
{
	size_t len;
	char *j = slurp("docker-api-list.json", &len);
	struct ctr_listed l[8];
	struct container_sample c[4];
	long pids[4];
	char err[200];
	int total = 0, n = 0;
	const struct target_eval *t;
	struct fx x;
	json_t *a, *o;

	ck_assert_int_eq(ctrp_list_info(j, len, l, 8, &total, err, sizeof(err)), 5);
	fx_setup(&x, 1 * GiB);
	ctrp_unread(&x.hc[0].c[0], &l[0], "inspect timed out after 5 s");
	ctrp_unread(&x.hc[0].c[1], &l[1], "inspect failed: Couldn't connect to server");
	ctrp_unread(&x.hc[0].c[2], &l[3], "inspect: no such container (removed since the list)");
	x.hc[0].n = x.hc[0].total = 3;
	ck_assert_str_eq(x.hc[0].c[0].name, "toneforge-server");
	ck_assert_str_eq(x.hc[0].c[0].id, "b3b8e1f6a0c2");
	ck_assert_str_eq(x.hc[0].c[0].state, "running");
	ck_assert_uint_eq(x.hc[0].c[0].valid, 0);       /* limit, restarts, memory: unknown */
	ck_assert_str_eq(x.hc[0].c[0].unread, "inspect timed out after 5 s");
	/* a name the list did not give cleanly: the short id, as before */
	ck_assert_str_eq(x.hc[0].c[2].name, "4cb07b47f9fb");
	ck_assert_str_eq(x.hc[0].c[2].state, "unknown");
	fx_eval(&x, T0);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 0);
	ck_assert_str_eq(t->target, "container/vps/toneforge-server");
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	ck_assert(has_problem(t, "inspect"));
	ck_assert_str_eq(t->ev.problems[0].text, "inspect timed out after 5 s");
	ck_assert(!has_problem(t, "down") && !has_problem(t, "nolimit"));
	/* the list's "exited" is still the list's word: its service is down */
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 1);
	ck_assert_int_eq(t->ev.status, ST_CRIT);
	ck_assert(has_problem(t, "down") && has_problem(t, "inspect"));
	a = json_containers(&x.f, &x.snap, &x.ev, T0, 0);
	o = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "name")), "toneforge-server");
	ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "running");
	ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "unknown");
	ck_assert(json_is_false(json_object_get(o, "mem_limit_known")));
	ck_assert(json_is_null(json_object_get(o, "restarts")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "problems"), 0)),
			 "inspect timed out after 5 s");
	json_decref(a);

	/* the next round's inspect answers: the usual row, no reason left */
	free(j);
	j = slurp("docker-cli-inspect.json", &len);
	ck_assert_int_eq(ctrp_inspect(j, len, c, pids, 4, &n, err, sizeof(err)), 0);
	x.hc[0].c[0] = c[0];
	fx_eval(&x, T0);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 0);
	ck_assert_str_eq(t->target, "container/vps/toneforge-server");
	ck_assert(!has_problem(t, "inspect"));
	ck_assert_int_eq(t->ev.status, ST_WARN);        /* no memory limit: judged again */
	a = json_containers(&x.f, &x.snap, &x.ev, T0, 0);
	o = json_array_get(a, 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "name")), "toneforge-server");
	ck_assert_int_eq((int)json_integer_value(json_object_get(o, "restarts")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(o, "status")), "warn");
	json_decref(a);
	free(j);
	fx_free(&x);
}
END_TEST

/* An inspect answer of "[]" (200 from the engine): no container, and an
 * error text that is set and clean (on_inspect shows it as the reason;
 * it was an unwritten stack buffer). */
START_TEST(test_inspect_empty_answer)
{
	struct container_sample c[2];
	long pids[2];
	char err[160];
	int n = 0;

	memset(err, 'X', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	/* still an answer (the CLI's for a host without containers): 0 */
	ck_assert_int_eq(ctrp_inspect("[]", 2, c, pids, 1, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(err, "the engine's answer held no container");
	for (const char *p = err; *p; p++)
		ck_assert(*p >= 0x20 && *p < 0x7f);
	memset(err, 'X', sizeof(err) - 1);
	n = 0;
	ck_assert_int_eq(ctrp_inspect(" [ ] ", 5, c, pids, 2, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(err, "the engine's answer held no container");
}
END_TEST

/* A [service] container whose inspect failed and whose list State was
 * refused ("unknown" from ctrp_unread) is unknown with the reason, not
 * crit "not running (unknown)"; one the list says exited is still crit. */
START_TEST(test_inspect_failed_service_state_unknown)
{
	struct ctr_listed l[2];
	const struct target_eval *t;
	struct fx x;

	memset(l, 0, sizeof(l));
	str_copy(l[0].id, "0123456789ab", sizeof(l[0].id));
	str_copy(l[0].name, "golivebro", sizeof(l[0].name));       /* state refused: "" */
	str_copy(l[1].id, "ba9876543210", sizeof(l[1].id));
	str_copy(l[1].name, "toneforge-server", sizeof(l[1].name));
	str_copy(l[1].state, "exited", sizeof(l[1].state));
	fx_setup(&x, 1 * GiB);
	ctrp_unread(&x.hc[0].c[0], &l[0], "inspect timed out after 5 s");
	ctrp_unread(&x.hc[0].c[1], &l[1], "inspect timed out after 5 s");
	x.hc[0].n = x.hc[0].total = 2;
	ck_assert_str_eq(x.hc[0].c[0].state, "unknown");
	fx_eval(&x, T0);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 0);
	ck_assert_str_eq(t->target, "container/vps/golivebro");
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	ck_assert(has_problem(t, "inspect"));
	ck_assert(!has_problem(t, "down"));
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 1);
	ck_assert_str_eq(t->target, "container/vps/toneforge-server");
	ck_assert_int_eq(t->ev.status, ST_CRIT);
	ck_assert(has_problem(t, "down") && has_problem(t, "inspect"));
	/* an "unknown" state inspect itself gave (no unread reason) stays crit */
	ctr(&x.hc[0], "ghost", "unknown", 0, 0);
	fx_eval(&x, T0);
	t = rules_target_find(&x.ev, DOM_CONTAINER, 0, 2);
	ck_assert_int_eq(t->ev.status, ST_CRIT);
	ck_assert(has_problem(t, "down"));
	fx_free(&x);
}
END_TEST

START_TEST(test_view_ram)
{
	struct fx x;
	struct ui_ctx u = { 0 };
	struct ui_state s;
	struct cells c;
	static const int sizes[][2] = { { 120, 30 }, { 80, 24 }, { 79, 23 }, { 20, 5 }, { 0, 0 } };

	fx_setup(&x, 300 * MiB);
	ctr(&x.hc[0], "toneforge-server", "running", 700 * MiB, 0);
	ctr(&x.hc[0], "golivebro", "running", 300 * MiB, 1 * GiB);
	fx_eval(&x, T0);
	u.f = &x.f;
	u.snap = &x.snap;
	u.ev = &x.ev;
	u.now = T0;
	ui_state_init(&s, "ram", false, T0);
	cells_init(&c, 120, 30, false);
	frame_draw(&c, &u, &s);
	ck_assert_int_ge(row_of(&c, "reserve 512M BREACHED"), 0);
	ck_assert_int_ge(row_of(&c, "toneforge-server 700M no limit"), 0);
	ck_assert_int_ge(row_of(&c, "reserve breached"), 0);
	ck_assert_int_ge(row_of(&c, "ghost of service ghost does not exist"), 0);
	/* the breached host comes first, before the quiet one */
	ck_assert_int_lt(row_of(&c, "vps "), row_of(&c, "quiet"));
	ck_assert_int_ge(row_of(&c, "no container engine"), 0);
	/* Enter: the per-container table; Enter again: back */
	ck_assert_int_eq(nav_key(&s, &u, UK_ENTER), UA_DRAW);
	frame_draw(&c, &u, &s);
	ck_assert_int_ge(row_of(&c, "Containers on vps"), 0);
	ck_assert_int_ge(row_of(&c, "img"), 0);
	ck_assert_int_eq(nav_key(&s, &u, UK_ENTER), UA_DRAW);
	frame_draw(&c, &u, &s);
	ck_assert_int_lt(row_of(&c, "Containers on vps"), 0);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		cells_resize(&c, sizes[k][0], sizes[k][1]);
		frame_draw(&c, &u, &s);          /* clipped: nothing drawn outside */
	}
	cells_free(&c);
	fx_free(&x);
}
END_TEST

/* Hosts that look the same on the RAM view keep their fleet order from
 * poll to poll; a difference the view shows still orders them. */
static int ram_first(const struct fleet *f, uint64_t avail_a, uint64_t avail_b)
{
	struct host_sample hs[2];
	struct snapshot snap = { 0 };
	struct rules_state st;
	struct evaluation ev = { 0 };
	struct ui_ctx u = { 0 };
	struct ui_state s;
	struct cells c;
	int a, b;

	memset(hs, 0, sizeof(hs));
	for (int i = 0; i < 2; i++) {
		hs[i].conn = HC_OK;
		hs[i].sampled_at = T0 - 1;
		hs[i].interval = 2;
		hs[i].rounds = 5;
		hs[i].valid = HV_MEM | HV_PSI;
		hs[i].mem_total = 16 * GiB;
		hs[i].psi_some10 = 0.04;
	}
	hs[0].mem_available = avail_a;
	hs[1].mem_available = avail_b;
	snapshot_put_hosts(&snap, hs, 2);
	rules_state_init(&st, 2);
	rules_evaluate(f, &snap, T0, &st, &ev);
	u.f = f;
	u.snap = &snap;
	u.ev = &ev;
	u.now = T0;
	ui_state_init(&s, "ram", false, T0);
	cells_init(&c, 120, 30, false);
	frame_draw(&c, &u, &s);
	a = row_of(&c, "alpha ");
	b = row_of(&c, "beta ");
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	cells_free(&c);
	evaluation_free(&ev);
	rules_state_free(&st);
	snapshot_free(&snap);
	return a < b ? 0 : 1;
}

START_TEST(test_view_ram_stable_order)
{
	static const char text[] = "[fleet t]\ninterval = 2s\n"
		"[host alpha]\nssh = local\n[host beta]\nssh = local\n";
	struct fleet f;
	struct fleet_diags d = { 0 };
	uint64_t half = 8 * GiB;

	ck_assert_int_eq(fleet_load_buffer("t.fleet", text, strlen(text), &f, &d), 0);
	fleet_diags_free(&d);
	/* a few MiB apart (both 50 %): fleet order, whichever uses more */
	ck_assert_int_eq(ram_first(&f, half + 3 * MiB, half - 2 * MiB), 0);
	ck_assert_int_eq(ram_first(&f, half - 2 * MiB, half + 3 * MiB), 0);
	/* 10 % apart: the fuller host first */
	ck_assert_int_eq(ram_first(&f, half + GiB + 600 * MiB, half), 1);
	ck_assert_int_eq(ram_first(&f, half, half + GiB + 600 * MiB), 0);
	fleet_free(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("containers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_list_podman);
	tcase_add_test(tc, test_list_sigs);
	tcase_add_test(tc, test_list_names_states);
	tcase_add_test(tc, test_inspect_podman_api_and_cli);
	tcase_add_test(tc, test_inspect_docker_cli);
	tcase_add_test(tc, test_inspect_implausible_numbers);
	tcase_add_test(tc, test_limit_from_cgroup_wins);
	tcase_add_test(tc, test_stats_recordings);
	tcase_add_test(tc, test_cgroup_v2_v1);
	tcase_add_test(tc, test_rules_seed_case);
	tcase_add_test(tc, test_rules_overcommit_stale);
	tcase_add_test(tc, test_rules_engine_errors);
	tcase_add_test(tc, test_json_containers);
	tcase_add_test(tc, test_inspect_failed_row);
	tcase_add_test(tc, test_inspect_empty_answer);
	tcase_add_test(tc, test_inspect_failed_service_state_unknown);
	tcase_add_test(tc, test_view_ram);
	tcase_add_test(tc, test_view_ram_stable_order);
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
