/* Host rules (SPEC §3): each rule at, below and above its threshold,
 * staleness, alert order and age, OOM hold, and the event log. Fleets are
 * built by hand so these tests do not depend on the fleet parser. */
#include "config.h"
#include "rules/rules.h"
#include "util/util.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define T0 1795392540.0
#define GiB (1024.0 * 1024 * 1024)
#define MiB (1024.0 * 1024)

static const struct fleet_thresholds defaults = { 10, 40, 90, 95, 600 };

static struct fleet_host mkhost(const char *name)
{
	struct fleet_host h;

	memset(&h, 0, sizeof(h));
	h.name = (char *)name;
	h.ram_reserve = -1;
	h.interval = 2;
	h.th = defaults;
	h.disks[0] = (char *)"/";
	h.ndisks = 1;
	return h;
}

/* A healthy host sampled 1s before now, every value valid. */
static struct host_sample mksample(double now)
{
	struct host_sample s;

	memset(&s, 0, sizeof(s));
	s.conn = HC_OK;
	s.sampled_at = now - 1;
	s.attempted_at = now - 1;
	s.interval = 2;
	s.rounds = 5;
	s.valid = HV_LATENCY | HV_LOAD | HV_CPU | HV_CORES | HV_MEM | HV_SWAP | HV_PSI |
		  HV_OOM | HV_UPTIME | HV_KERNEL | HV_DISKS;
	s.latency_ms = 3.1;
	s.load[0] = 0.3;
	s.cores = 8;
	s.cpu_pct = 12.5;
	s.mem_total = (uint64_t)(32 * GiB);
	s.mem_available = (uint64_t)(20 * GiB);
	s.ndisks = 1;
	str_copy(s.disks[0].mount, "/", sizeof(s.disks[0].mount));
	s.disks[0].valid = true;
	s.disks[0].size = (uint64_t)(100 * GiB);
	s.disks[0].used = (uint64_t)(50 * GiB);
	s.disks[0].used_pct = 50;
	return s;
}

static struct host_eval eval1(const struct fleet_host *h, const struct host_sample *s)
{
	struct host_eval ev;

	rules_eval_host(h, s, T0, 0, &ev);
	return ev;
}

static const struct problem *find_problem(const struct host_eval *ev, const char *code)
{
	for (int i = 0; i < ev->nproblems; i++)
		if (strcmp(ev->problems[i].code, code) == 0)
			return &ev->problems[i];
	return NULL;
}

/* ---- connection ---- */

START_TEST(test_healthy_is_ok)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev = eval1(&h, &s);

	ck_assert_int_eq(ev.status, ST_OK);
	ck_assert_int_eq(ev.nproblems, 0);
	ck_assert(!ev.stale);
	ck_assert_double_eq_tol(ev.age, 1, 1e-9);
}
END_TEST

START_TEST(test_never_polled_is_unknown)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s;
	struct host_eval ev;

	memset(&s, 0, sizeof(s));
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_UNKNOWN);
	ck_assert_int_eq(ev.nproblems, 1);
	ck_assert_str_eq(ev.problems[0].text, "waiting for first sample");
	ck_assert_double_eq(ev.age, -1);
}
END_TEST

START_TEST(test_unreachable_is_crit)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s;
	struct host_eval ev;

	memset(&s, 0, sizeof(s));
	s.conn = HC_UNREACHABLE;
	str_copy(s.error, "connection timed out after 5s", sizeof(s.error));
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_CRIT);
	ck_assert_str_eq(ev.problems[0].text, "unreachable: connection timed out after 5s");

	/* the collector's own wording is not doubled */
	str_copy(s.error, "unreachable: no route to host", sizeof(s.error));
	ev = eval1(&h, &s);
	ck_assert_str_eq(ev.problems[0].text, "unreachable: no route to host");

	s.error[0] = '\0';
	ev = eval1(&h, &s);
	ck_assert_str_eq(ev.problems[0].text, "unreachable");
}
END_TEST

START_TEST(test_unreachable_keeps_last_problems)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	s.conn = HC_UNREACHABLE;
	s.disks[0].used_pct = 97;
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_CRIT);
	ck_assert_ptr_nonnull(find_problem(&ev, "unreachable"));
	ck_assert_ptr_nonnull(find_problem(&ev, "disk:/"));
}
END_TEST

START_TEST(test_hostkey_shows_fingerprint)
{
	static const char fp[] = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
	struct fleet_host h = mkhost("black");
	struct host_sample s;
	struct host_eval ev;

	memset(&s, 0, sizeof(s));
	s.conn = HC_HOSTKEY;
	str_copy(s.fingerprint, fp, sizeof(s.fingerprint));
	str_copy(s.error, "host key mismatch for 10.0.0.11", sizeof(s.error));
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_CRIT);
	ck_assert_str_eq(ev.problems[0].text, "host key mismatch for 10.0.0.11 (SHA256:"
			 "nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8)");

	/* already in the error: once */
	str_fmt(s.error, sizeof(s.error), "host key mismatch: got %s", fp);
	ev = eval1(&h, &s);
	ck_assert_str_eq(ev.problems[0].text, s.error);

	/* a long error is cut, never the fingerprint */
	memset(s.error, 'x', sizeof(s.error) - 1);
	s.error[sizeof(s.error) - 1] = '\0';
	ev = eval1(&h, &s);
	ck_assert_ptr_nonnull(strstr(ev.problems[0].text, fp));
	ck_assert_int_lt(strlen(ev.problems[0].text), RULES_TEXT_LEN);
}
END_TEST

START_TEST(test_auth_is_crit_probe_is_unknown)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s;
	struct host_eval ev;

	memset(&s, 0, sizeof(s));
	s.conn = HC_AUTH;
	str_copy(s.error, "Authentication refused for ops (publickey)", sizeof(s.error));
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_CRIT);
	ck_assert_str_eq(ev.problems[0].text, "Authentication refused for ops (publickey)");

	s = mksample(T0);
	s.conn = HC_PROBE;
	str_copy(s.error, "unexpected output on line 3", sizeof(s.error));
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_UNKNOWN);
	ck_assert_str_eq(ev.problems[0].text, "probe failed: unexpected output on line 3");
}
END_TEST

/* ---- staleness ---- */

START_TEST(test_stale_after_three_intervals)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	s.interval = 4;
	s.sampled_at = T0 - 12;          /* exactly 3 x interval: still fresh */
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_OK);
	ck_assert(!ev.stale);

	s.sampled_at = T0 - 13;
	ev = eval1(&h, &s);
	ck_assert(ev.stale);
	ck_assert_int_eq(ev.status, ST_UNKNOWN);
	ck_assert_str_eq(ev.problems[0].text, "stale: no data for 13s");
}
END_TEST

START_TEST(test_stale_uses_host_interval)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	s.interval = 0;
	h.interval = 10;
	s.sampled_at = T0 - 25;
	ev = eval1(&h, &s);
	ck_assert(!ev.stale);
	s.sampled_at = T0 - 31;
	ev = eval1(&h, &s);
	ck_assert(ev.stale);
	ck_assert_int_eq(ev.status, ST_UNKNOWN);
}
END_TEST

START_TEST(test_stale_never_ok_but_keeps_worse)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	s.sampled_at = T0 - 3600;
	ev = eval1(&h, &s);
	ck_assert_int_ne(ev.status, ST_OK);
	ck_assert_str_eq(ev.problems[0].text, "stale: no data for 1h");

	s.disks[0].used_pct = 99;
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_CRIT);
	ck_assert(ev.stale);
}
END_TEST

/* ---- reserve ---- */

START_TEST(test_reserve)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	h.ram_reserve = (int64_t)(512 * MiB);
	s.mem_available = (uint64_t)(512 * MiB);     /* at: ok */
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_OK);

	s.mem_available = (uint64_t)(600 * MiB);     /* above: ok */
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_OK);

	s.mem_available = (uint64_t)(300 * MiB);     /* below: crit */
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_CRIT);
	ck_assert_str_eq(ev.problems[0].text, "reserve breached: 300M available < 512M reserve");
	ck_assert_str_eq(ev.problems[0].code, "reserve");

	h.ram_reserve = -1;                          /* unset: never */
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_OK);
}
END_TEST

START_TEST(test_missing_values_are_not_zeros)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	h.ram_reserve = (int64_t)(512 * MiB);
	s.valid = 0;
	s.mem_available = 0;
	s.psi_some10 = 99;
	s.disks[0].used_pct = 99;
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_OK);
	ck_assert_int_eq(ev.nproblems, 0);
}
END_TEST

/* ---- PSI ---- */

static enum status psi_status(double psi, const struct fleet_thresholds *th)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	if (th)
		h.th = *th;
	s.psi_some10 = psi;
	ev = eval1(&h, &s);
	return ev.status;
}

START_TEST(test_psi)
{
	ck_assert_int_eq(psi_status(9.9, NULL), ST_OK);
	ck_assert_int_eq(psi_status(10, NULL), ST_OK);
	ck_assert_int_eq(psi_status(10.1, NULL), ST_WARN);
	ck_assert_int_eq(psi_status(40, NULL), ST_WARN);
	ck_assert_int_eq(psi_status(40.1, NULL), ST_CRIT);
}
END_TEST

START_TEST(test_psi_text_and_custom_thresholds)
{
	struct fleet_thresholds th = defaults;
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	s.psi_some10 = 45;
	ev = eval1(&h, &s);
	ck_assert_str_eq(ev.problems[0].text, "memory pressure: PSI some avg10 45.0 > 40");

	th.psi_warn = 2;
	th.psi_crit = 5;
	ck_assert_int_eq(psi_status(2, &th), ST_OK);
	ck_assert_int_eq(psi_status(3, &th), ST_WARN);
	ck_assert_int_eq(psi_status(6, &th), ST_CRIT);
}
END_TEST

START_TEST(test_zeroed_thresholds_mean_defaults)
{
	struct fleet_thresholds zero = { 0, 0, 0, 0, 0 };

	ck_assert_int_eq(psi_status(5, &zero), ST_OK);
	ck_assert_int_eq(psi_status(11, &zero), ST_WARN);
}
END_TEST

/* ---- disks ---- */

static struct host_eval disk_eval(double pct, const struct fleet_thresholds *th)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);

	if (th)
		h.th = *th;
	s.disks[0].used_pct = pct;
	return eval1(&h, &s);
}

START_TEST(test_disk)
{
	struct fleet_thresholds th = defaults;
	struct host_eval ev;

	ck_assert_int_eq(disk_eval(89.9, NULL).status, ST_OK);
	ck_assert_int_eq(disk_eval(90, NULL).status, ST_OK);
	ck_assert_int_eq(disk_eval(90.5, NULL).status, ST_WARN);
	ck_assert_int_eq(disk_eval(95, NULL).status, ST_WARN);
	ck_assert_int_eq(disk_eval(95.1, NULL).status, ST_CRIT);

	ev = disk_eval(93, NULL);
	ck_assert_str_eq(ev.problems[0].text, "disk / 93% used");
	ck_assert_str_eq(ev.problems[0].code, "disk:/");
	/* rounding must not hide why it is over the threshold */
	ev = disk_eval(95.4, NULL);
	ck_assert_str_eq(ev.problems[0].text, "disk / 95.4% used");

	th.disk_warn = 70;
	th.disk_crit = 80;
	ck_assert_int_eq(disk_eval(75, &th).status, ST_WARN);
	ck_assert_int_eq(disk_eval(81, &th).status, ST_CRIT);
}
END_TEST

START_TEST(test_disk_unreadable)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	h.disks[1] = (char *)"/x";
	h.ndisks = 2;
	s.ndisks = 2;
	str_copy(s.disks[1].mount, "/x", sizeof(s.disks[1].mount));
	s.disks[1].valid = false;
	s.disks[1].used_pct = 0;
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_UNKNOWN);
	ck_assert_str_eq(ev.problems[0].text, "disk /x: cannot read");

	/* a watched mount the probe did not report is just as unknown */
	s.ndisks = 1;
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.status, ST_UNKNOWN);
	ck_assert_str_eq(ev.problems[0].text, "disk /x: cannot read");
}
END_TEST

START_TEST(test_problem_overflow_keeps_worst)
{
	struct fleet_host h = mkhost("black");
	struct host_sample s = mksample(T0);
	struct host_eval ev;

	s.ndisks = MODEL_MAX_DISKS;
	for (int i = 0; i < MODEL_MAX_DISKS; i++) {
		str_fmt(s.disks[i].mount, sizeof(s.disks[i].mount), "/d%d", i);
		s.disks[i].valid = true;
		s.disks[i].used_pct = 91;
	}
	h.ndisks = 0;
	h.ram_reserve = (int64_t)(64 * GiB);
	s.psi_some10 = 50;
	ev = eval1(&h, &s);
	ck_assert_int_eq(ev.nproblems, RULES_MAX_PROBLEMS);
	ck_assert_int_eq(ev.status, ST_CRIT);
	ck_assert_ptr_nonnull(find_problem(&ev, "reserve"));
	ck_assert_ptr_nonnull(find_problem(&ev, "psi"));
	ck_assert_int_eq(ev.problems[0].severity, ST_CRIT);
	ck_assert_int_eq(ev.problems[1].severity, ST_CRIT);
}
END_TEST

/* ---- evaluation over a fleet ---- */

struct bench {
	struct fleet f;
	struct fleet_host hosts[4];
	struct snapshot snap;
	struct host_sample samples[4];
	struct rules_state st;
	struct evaluation ev;
};

static void bench_init(struct bench *b, size_t n, double now)
{
	static const char *names[] = { "black", "vps-0", "apricot", "plum" };

	memset(b, 0, sizeof(*b));
	b->f.name = (char *)"cocottetech";
	b->f.hosts = b->hosts;
	b->f.nhosts = n;
	b->snap.nhosts = n;          /* bench_sync() copies the samples in */
	for (size_t i = 0; i < n; i++) {
		b->hosts[i] = mkhost(names[i]);
		b->samples[i] = mksample(now);
	}
	rules_state_init(&b->st, n);
}

/* The snapshot holds published copies: publish the edited samples. */
static void bench_sync(struct bench *b)
{
	snapshot_put_hosts(&b->snap, b->samples, b->snap.nhosts);
}

/* Samples are refreshed as a collector would: fresh relative to now. */
static void bench_eval(struct bench *b, double now)
{
	for (size_t i = 0; i < b->snap.nhosts; i++)
		if (b->samples[i].sampled_at > 0)
			b->samples[i].sampled_at = now - 1;
	bench_sync(b);
	rules_evaluate(&b->f, &b->snap, now, &b->st, &b->ev);
}

static void bench_free(struct bench *b)
{
	snapshot_free(&b->snap);
	evaluation_free(&b->ev);
	rules_state_free(&b->st);
}

START_TEST(test_empty_fleet_is_ok)
{
	struct bench b;

	bench_init(&b, 0, T0);
	bench_eval(&b, T0);
	ck_assert_int_eq(b.ev.worst, ST_OK);
	ck_assert_uint_eq(b.ev.nalerts, 0);
	ck_assert_uint_eq(b.ev.nhosts, 0);
	ck_assert_double_eq(b.ev.oldest_age, -1);
	bench_free(&b);
}
END_TEST

START_TEST(test_worst_counts_oldest_age)
{
	struct bench b;

	bench_init(&b, 4, T0);
	b.samples[1].psi_some10 = 20;                 /* warn */
	b.samples[2].conn = HC_UNREACHABLE;           /* crit, no data */
	b.samples[2].sampled_at = 0;
	b.samples[3].valid &= ~(unsigned)HV_DISKS;
	bench_eval(&b, T0);
	b.samples[0].sampled_at = T0 - 5;             /* older data */
	bench_sync(&b);
	rules_evaluate(&b.f, &b.snap, T0, &b.st, &b.ev);
	ck_assert_int_eq(b.ev.worst, ST_CRIT);
	ck_assert_int_eq(b.ev.counts[ST_OK], 2);
	ck_assert_int_eq(b.ev.counts[ST_WARN], 1);
	ck_assert_int_eq(b.ev.counts[ST_CRIT], 1);
	ck_assert_int_eq(b.ev.counts[ST_UNKNOWN], 0);
	ck_assert_double_eq_tol(b.ev.oldest_age, 5, 1e-9);
	ck_assert_uint_eq(b.ev.nalerts, 2);
	ck_assert_str_eq(b.ev.alerts[0].target, "host/apricot");
	bench_free(&b);
}
END_TEST

START_TEST(test_unknown_alone_is_worst_unknown)
{
	struct bench b;

	bench_init(&b, 2, T0);
	b.samples[1].sampled_at = 0;
	b.samples[1].conn = HC_NEVER;
	bench_eval(&b, T0);
	ck_assert_int_eq(b.ev.worst, ST_UNKNOWN);
	ck_assert_int_eq(b.ev.counts[ST_UNKNOWN], 1);
	ck_assert_uint_eq(b.ev.nalerts, 1);
	ck_assert_int_eq(b.ev.alerts[0].severity, ST_UNKNOWN);
	bench_free(&b);
}
END_TEST

START_TEST(test_alert_order_and_since)
{
	struct bench b;

	bench_init(&b, 3, T0);
	/* T0: black warn, apricot crit */
	b.samples[0].psi_some10 = 20;
	b.samples[2].disks[0].used_pct = 99;
	bench_eval(&b, T0);
	ck_assert_uint_eq(b.ev.nalerts, 2);
	ck_assert_str_eq(b.ev.alerts[0].target, "host/apricot");
	ck_assert_double_eq(b.ev.alerts[0].since, T0);

	/* T0+60: vps-0 crit too; apricot's alert keeps its start, so it is first */
	b.hosts[1].ram_reserve = (int64_t)(64 * GiB);
	bench_eval(&b, T0 + 60);
	ck_assert_uint_eq(b.ev.nalerts, 3);
	ck_assert_str_eq(b.ev.alerts[0].target, "host/apricot");
	ck_assert_double_eq(b.ev.alerts[0].since, T0);
	ck_assert_str_eq(b.ev.alerts[1].target, "host/vps-0");
	ck_assert_str_eq(b.ev.alerts[1].code, "reserve");
	ck_assert_double_eq(b.ev.alerts[1].since, T0 + 60);
	ck_assert_str_eq(b.ev.alerts[2].target, "host/black");
	ck_assert_int_eq(b.ev.alerts[2].severity, ST_WARN);
	ck_assert_double_eq(b.ev.alerts[2].since, T0);

	/* T0+120: apricot recovers; when it comes back its clock restarts */
	b.samples[2].disks[0].used_pct = 50;
	bench_eval(&b, T0 + 120);
	ck_assert_uint_eq(b.ev.nalerts, 2);
	b.samples[2].disks[0].used_pct = 99;
	bench_eval(&b, T0 + 180);
	ck_assert_uint_eq(b.ev.nalerts, 3);
	ck_assert_str_eq(b.ev.alerts[0].target, "host/vps-0");
	ck_assert_str_eq(b.ev.alerts[1].target, "host/apricot");
	ck_assert_double_eq(b.ev.alerts[1].since, T0 + 180);
	bench_free(&b);
}
END_TEST

START_TEST(test_oom_hold)
{
	struct bench b;

	bench_init(&b, 1, T0);
	b.samples[0].oom_kills = 3;       /* first sample: baseline only */
	bench_eval(&b, T0);
	ck_assert_int_eq(b.ev.worst, ST_OK);
	bench_eval(&b, T0 + 2);
	ck_assert_int_eq(b.ev.worst, ST_OK);

	b.samples[0].oom_kills = 4;       /* seen by the probe at T0+9 */
	bench_eval(&b, T0 + 10);
	ck_assert_int_eq(b.ev.worst, ST_CRIT);
	ck_assert_str_eq(b.ev.alerts[0].code, "oom");
	ck_assert_str_eq(b.ev.alerts[0].message, "OOM kill 1s ago");

	bench_eval(&b, T0 + 9 + 120);
	ck_assert_int_eq(b.ev.worst, ST_CRIT);
	ck_assert_str_eq(b.ev.alerts[0].message, "OOM kill 2m ago");
	ck_assert_double_eq(b.ev.alerts[0].since, T0 + 10);

	bench_eval(&b, T0 + 9 + 599);
	ck_assert_int_eq(b.ev.worst, ST_CRIT);
	bench_eval(&b, T0 + 9 + 600);
	ck_assert_int_eq(b.ev.worst, ST_OK);
	ck_assert_uint_eq(b.ev.nalerts, 0);
	bench_free(&b);
}
END_TEST

START_TEST(test_oom_hold_custom_and_reboot)
{
	struct bench b;

	bench_init(&b, 1, T0);
	b.hosts[0].th.oom_hold = 60;
	b.samples[0].oom_kills = 3;
	bench_eval(&b, T0);
	b.samples[0].oom_kills = 0;       /* reboot: new baseline, not a kill */
	bench_eval(&b, T0 + 2);
	ck_assert_int_eq(b.ev.worst, ST_OK);
	b.samples[0].oom_kills = 1;
	bench_eval(&b, T0 + 4);
	ck_assert_int_eq(b.ev.worst, ST_CRIT);
	bench_eval(&b, T0 + 3 + 59);
	ck_assert_int_eq(b.ev.worst, ST_CRIT);
	bench_eval(&b, T0 + 3 + 60);
	ck_assert_int_eq(b.ev.worst, ST_OK);
	bench_free(&b);
}
END_TEST

START_TEST(test_oom_invalid_not_counted)
{
	struct bench b;

	bench_init(&b, 1, T0);
	b.samples[0].oom_kills = 3;
	bench_eval(&b, T0);
	b.samples[0].valid &= ~(unsigned)HV_OOM;
	b.samples[0].oom_kills = 0;
	bench_eval(&b, T0 + 2);
	b.samples[0].valid |= HV_OOM;
	b.samples[0].oom_kills = 3;
	bench_eval(&b, T0 + 4);
	ck_assert_int_eq(b.ev.worst, ST_OK);
	bench_free(&b);
}
END_TEST

START_TEST(test_events_on_change)
{
	struct bench b;
	const struct event *e;

	bench_init(&b, 2, T0);
	b.samples[1].sampled_at = 0;
	b.samples[1].conn = HC_NEVER;
	bench_eval(&b, T0);
	ck_assert_uint_eq(b.st.nevents, 0);      /* start-up: ok and waiting are quiet */
	bench_eval(&b, T0 + 2);
	ck_assert_uint_eq(b.st.nevents, 0);

	b.samples[0].disks[0].used_pct = 97;
	bench_eval(&b, T0 + 4);
	ck_assert_uint_eq(b.st.nevents, 1);
	e = &b.st.events[0];
	ck_assert_int_eq(e->from, ST_OK);
	ck_assert_int_eq(e->to, ST_CRIT);
	ck_assert_str_eq(e->target, "host/black");
	ck_assert_str_eq(e->message, "disk / 97% used");
	ck_assert_double_eq(e->at, T0 + 4);

	bench_eval(&b, T0 + 6);                  /* no change, no event */
	ck_assert_uint_eq(b.st.nevents, 1);

	b.samples[0].disks[0].used_pct = 50;
	bench_eval(&b, T0 + 8);
	ck_assert_uint_eq(b.st.nevents, 2);
	ck_assert_int_eq(b.st.events[1].from, ST_CRIT);
	ck_assert_int_eq(b.st.events[1].to, ST_OK);
	ck_assert_str_eq(b.st.events[1].message, "recovered");

	/* a host that is bad from its first answer is logged */
	b.samples[1].conn = HC_UNREACHABLE;
	bench_eval(&b, T0 + 10);
	ck_assert_uint_eq(b.st.nevents, 3);
	ck_assert_int_eq(b.st.events[2].from, ST_UNKNOWN);
	ck_assert_int_eq(b.st.events[2].to, ST_CRIT);
	ck_assert_str_eq(b.st.events[2].target, "host/vps-0");
	bench_free(&b);

	/* a host that starts unknown (its first answer was unusable) and then
	 * answers well: nothing happened worth a line, no "unknown -> unknown"
	 * and no "recovered" */
	bench_init(&b, 2, T0);
	b.samples[1].conn = HC_PROBE;
	str_copy(b.samples[1].error, "probe output truncated", sizeof(b.samples[1].error));
	b.samples[1].sampled_at = 0;
	b.samples[1].attempted_at = T0;
	bench_eval(&b, T0);
	bench_eval(&b, T0 + 2);
	b.samples[1].conn = HC_OK;
	b.samples[1].sampled_at = T0 + 4;
	bench_eval(&b, T0 + 4);
	ck_assert_uint_eq(b.st.nevents, 0);
	bench_free(&b);
}
END_TEST

START_TEST(test_event_ring_wraps)
{
	struct bench b;

	bench_init(&b, 1, T0);
	bench_eval(&b, T0);
	for (int i = 0; i < RULES_MAX_EVENTS + 10; i++) {
		b.samples[0].psi_some10 = i % 2 ? 5 : 50;
		bench_eval(&b, T0 + 1 + i);
	}
	ck_assert_uint_eq(b.st.nevents, RULES_MAX_EVENTS);
	ck_assert_uint_eq(b.st.event_pos, 10);
	/* the newest is just before event_pos */
	ck_assert_double_eq(b.st.events[9].at, T0 + RULES_MAX_EVENTS + 10);
	bench_free(&b);
}
END_TEST

START_TEST(test_zeroed_state_and_resize)
{
	struct bench b;

	bench_init(&b, 2, T0);
	rules_state_free(&b.st);                 /* a zeroed state must work too */
	bench_eval(&b, T0);
	ck_assert_uint_eq(b.st.nhosts, 2);
	b.snap.nhosts = 3;
	b.f.nhosts = 3;
	b.hosts[2] = mkhost("apricot");
	b.samples[2] = mksample(T0);
	b.samples[2].psi_some10 = 20;
	bench_eval(&b, T0 + 2);
	ck_assert_uint_eq(b.st.nhosts, 3);
	ck_assert_int_eq(b.ev.worst, ST_WARN);
	bench_free(&b);
}
END_TEST

/* A host whose sample did not change is not judged again, yet its age
 * moves and it turns stale on time (3 intervals), and a new sample is
 * judged at once. */
START_TEST(test_unchanged_host_turns_stale_on_time)
{
	struct bench b;

	bench_init(&b, 2, T0);
	b.samples[0].sampled_at = b.samples[1].sampled_at = T0 - 1;
	bench_sync(&b);
	rules_evaluate(&b.f, &b.snap, T0, &b.st, &b.ev);
	ck_assert_int_eq(b.ev.hosts[0].status, ST_OK);
	rules_evaluate(&b.f, &b.snap, T0 + 3, &b.st, &b.ev);
	ck_assert_int_eq(b.ev.hosts[0].status, ST_OK);
	ck_assert_double_eq_tol(b.ev.hosts[0].age, 4, 1e-9);     /* the age moved */
	rules_evaluate(&b.f, &b.snap, T0 + 6, &b.st, &b.ev);     /* 7 s > 3 x 2 s */
	ck_assert(b.ev.hosts[0].stale);
	ck_assert_int_eq(b.ev.hosts[0].status, ST_UNKNOWN);
	ck_assert_uint_eq(b.ev.nalerts, 2);
	/* host 1 answers again: judged now */
	b.samples[1].sampled_at = T0 + 6;
	b.samples[1].psi_some10 = 20;
	bench_sync(&b);
	rules_evaluate(&b.f, &b.snap, T0 + 6.5, &b.st, &b.ev);
	ck_assert(!b.ev.hosts[1].stale);
	ck_assert_int_eq(b.ev.hosts[1].status, ST_WARN);
	ck_assert(b.ev.hosts[0].stale);
	bench_free(&b);
}
END_TEST

/* The evaluation says when its judgement next changes with no new data:
 * a screen is drawn then (the stale banner on time), not at the clock's
 * next second. Stale at sampled_at + 3 intervals, overdue at
 * poll_running_since + 1 interval, a database's at its own stale time;
 * nothing due once everything is stale. */
START_TEST(test_next_change)
{
	struct bench b;
	struct host_eval ev;

	bench_init(&b, 2, T0);
	b.samples[0].sampled_at = T0 - 1.25;     /* stale at T0 + 4.75 */
	b.samples[1].sampled_at = T0 - 0.5;      /* stale at T0 + 5.5 */
	bench_sync(&b);
	rules_evaluate(&b.f, &b.snap, T0, &b.st, &b.ev);
	ck_assert_double_eq_tol(b.ev.next_change, T0 + 4.75, 1e-9);
	/* unchanged samples, judged from the cache: the same moment */
	rules_evaluate(&b.f, &b.snap, T0 + 1, &b.st, &b.ev);
	ck_assert_double_eq_tol(b.ev.next_change, T0 + 4.75, 1e-9);
	/* host 1's next poll hangs: overdue one interval after it began */
	b.samples[1].poll_running_since = T0 + 1.5;
	bench_sync(&b);
	rules_evaluate(&b.f, &b.snap, T0 + 2, &b.st, &b.ev);
	ck_assert_double_eq_tol(b.ev.next_change, T0 + 3.5, 1e-9);
	rules_evaluate(&b.f, &b.snap, T0 + 5, &b.st, &b.ev);
	ck_assert(b.ev.hosts[0].stale);
	ck_assert(!b.ev.hosts[1].stale);
	ck_assert_double_eq_tol(b.ev.next_change, T0 + 5.5, 1e-9);
	rules_evaluate(&b.f, &b.snap, T0 + 6, &b.st, &b.ev);
	ck_assert(b.ev.hosts[0].stale && b.ev.hosts[1].stale);
	ck_assert(isinf(b.ev.next_change));
	bench_free(&b);

	/* a target's rules: rules_check_stale() keeps its stale moment */
	host_eval_clear(&ev);
	ck_assert(!rules_check_stale(&ev, T0 - 1, 10, T0));
	ck_assert_double_eq_tol(ev.stale_at, T0 + 29, 1e-9);
	ck_assert(rules_check_stale(&ev, T0 - 1, 10, T0 + 30));
}
END_TEST

/* Ephemeral targets (container names that change on every deploy) do not
 * grow the rules' memory forever: a target unseen for TARGET_FORGET_S is
 * forgotten; one seen all along keeps its last status. */
START_TEST(test_target_state_forgets_gone_targets)
{
	struct target_states ts = { 0 };
	char name[64];
	double t = T0;

	target_state_get(&ts, "database/pg", ST_UNKNOWN, t)->status = ST_CRIT;
	for (int i = 0; i < 20000; i++, t += 1) {
		str_fmt(name, sizeof(name), "container/black/job-%d", i);
		target_state_get(&ts, name, ST_UNKNOWN, t)->status = ST_OK;
		target_state_get(&ts, "database/pg", ST_UNKNOWN, t);
		target_state_prune(&ts, t);
	}
	/* only the last TARGET_FORGET_S seconds' names (and pg) are kept */
	ck_assert_uint_le(ts.n, (size_t)TARGET_FORGET_S + 2);
	ck_assert_ptr_null(target_state_find(&ts, "container/black/job-0"));
	/* every name of the last 600 s is still found (deletion in place keeps
	 * the probe runs whole) */
	for (int i = 20000 - (int)TARGET_FORGET_S; i < 20000; i++) {
		str_fmt(name, sizeof(name), "container/black/job-%d", i);
		ck_assert_ptr_nonnull(target_state_find(&ts, name));
	}
	ck_assert_int_eq(target_state_find(&ts, "database/pg")->status, ST_CRIT);
	target_states_free(&ts);
}
END_TEST

/* rules_target_find() finds every target by (kind, index, sub), through its
 * index, as a search in order would. */
START_TEST(test_target_find_index)
{
	struct evaluation ev = { 0 };

	for (int h = 0; h < 50; h++)
		for (int k = -1; k < 20; k++)
			rules_target_add(&ev, DOM_CONTAINER, h, k, "container/h%d/%d", h, k);
	rules_target_add(&ev, DOM_GPU, 3, 0, "gpu/h3/0");
	rules_target_index(&ev);     /* as rules_evaluate() does */
	for (int h = 0; h < 50; h++)
		for (int k = -1; k < 20; k++) {
			const struct target_eval *t = rules_target_find(&ev, DOM_CONTAINER, h, k);
			ck_assert_ptr_nonnull(t);
			ck_assert_int_eq(t->index, h);
			ck_assert_int_eq(t->sub, k);
		}
	ck_assert_ptr_null(rules_target_find(&ev, DOM_GPU, 3, 1));
	ck_assert_str_eq(rules_target_find(&ev, DOM_GPU, 3, 0)->target, "gpu/h3/0");
	evaluation_free(&ev);
}
END_TEST

/* Containers' and GPUs' rules visit only the hosts whose samples changed,
 * that have targets, or whose quiet moment came (rules_hosts_visit()): on
 * a changing fleet of mixed hosts, every evaluation equals the one that
 * visits every host (targets, problems, alerts, counts, next change). */
static void publish_mixed(struct model *m, const struct fleet *f, size_t i, double now,
			  unsigned r, unsigned what)
{
	struct host_sample s = mksample(now);
	struct host_containers *hc = xcalloc(1, sizeof(*hc));
	struct host_gpus *hg = xcalloc(1, sizeof(*hg));

	s.sampled_at = s.attempted_at = now - (double)(r % 3);
	if (r % 11 == 0)
		s.conn = HC_UNREACHABLE;
	if (r % 13 == 0)
		s.mem_total = (uint64_t)(1 * GiB);   /* limits overcommit it */
	/* a poll that hangs (overdue after an interval), an OOM kill (held,
	 * its text counting seconds), psi/disk problems, a custom interval */
	if (r % 31 == 0)
		s.poll_running_since = now - (double)(r % 4);
	s.oom_kills = (r >> 9) % 37 == 0 ? 2 : 1;
	if (r % 41 == 0)
		s.psi_some10 = 50;
	if (r % 43 == 0)
		s.disks[0].used_pct = 92;
	if (r % 47 == 0)
		s.interval = 1;
	if (what & 1)
		model_publish_host(m, i, &s);
	hc->collected = r % 7 != 0;
	hc->sampled_at = r % 17 == 0 ? now - 9 : now - (double)(r % 2);
	hc->interval = 2;
	hc->err = r % 5 == 0 ? CE_NO_ENGINE : r % 19 == 0 ? CE_FAILED : CE_NONE;
	if (hc->err != CE_NONE)
		str_copy(hc->error, "no engine here", sizeof(hc->error));
	else {
		hc->n = hc->total = (int)(r % 3);
		for (int k = 0; k < hc->n; k++) {
			str_fmt(hc->c[k].name, sizeof(hc->c[k].name), "c%d", k);
			str_copy(hc->c[k].state, (r >> 4) % 3 ? "running" : "exited",
				 sizeof(hc->c[k].state));
			hc->c[k].valid = CV_LIMIT;
			hc->c[k].mem_limit = (r >> 6) % 2 ? (uint64_t)(2 * GiB) : 0;
		}
	}
	if (what & 2)
		model_put(m, DOM_CONTAINER, i, hc, host_containers_size(hc));
	hg->collected = r % 9 != 0;
	hg->absent = f->hosts[i].gpus == GPUS_AUTO && r % 2;
	hg->source = GPU_SRC_NVIDIA;
	hg->sampled_at = r % 23 == 0 ? 0 : now - (double)(r % 3);
	hg->attempted_at = hg->sampled_at;
	hg->interval = 2;
	if (r % 29 == 0)
		str_copy(hg->error, "nvidia-smi failed", sizeof(hg->error));
	else
		hg->n = (int)((r >> 3) % 3);
	for (int k = 0; k < hg->n; k++) {
		hg->g[k].index = k + (int)((r >> 5) % 2);
		hg->g[k].valid = GV_TEMP;
		hg->g[k].temp_c = (r >> 7) % 2 ? 90 : 50;
	}
	if (what & 4)
		model_put(m, DOM_GPU, i, hg, host_gpus_size(hg));
	free(hc);
	free(hg);
}

static void eval_equal(const struct evaluation *a, const struct evaluation *b)
{
	ck_assert_uint_eq(a->nhosts, b->nhosts);
	for (size_t i = 0; i < a->nhosts; i++) {
		const struct host_eval *x = &a->hosts[i], *y = &b->hosts[i];

		ck_assert_int_eq(x->status, y->status);
		ck_assert_int_eq(x->stale, y->stale);
		ck_assert(rules_host_age(a, i) == rules_host_age(b, i));
		ck_assert(rules_host_age(b, i) == y->age);
		ck_assert_int_eq(x->nproblems, y->nproblems);
		for (int p = 0; p < x->nproblems; p++)
			ck_assert_str_eq(x->problems[p].text, y->problems[p].text);
	}
	ck_assert(a->oldest_age == b->oldest_age);
	ck_assert_uint_eq(a->nstale, b->nstale);
	ck_assert_int_eq(rules_any_stale(a, a->nhosts), rules_any_stale(b, b->nhosts));
	ck_assert_int_eq(a->worst, b->worst);
	ck_assert_int_eq(memcmp(a->counts, b->counts, sizeof(a->counts)), 0);
	ck_assert_int_eq(memcmp(a->target_counts, b->target_counts, sizeof(a->target_counts)), 0);
	ck_assert(a->next_change == b->next_change);
	ck_assert_uint_eq(a->ntargets, b->ntargets);
	for (size_t k = 0; k < a->ntargets; k++) {
		const struct target_eval *x = &a->targets[k], *y = &b->targets[k];

		ck_assert_str_eq(x->target, y->target);
		ck_assert_int_eq(x->ev.status, y->ev.status);
		ck_assert(x->ev.stale_at == y->ev.stale_at && x->ev.age == y->ev.age);
		ck_assert_int_eq(x->ev.nproblems, y->ev.nproblems);
		for (int p = 0; p < x->ev.nproblems; p++)
			ck_assert_str_eq(x->ev.problems[p].text, y->ev.problems[p].text);
	}
	ck_assert_uint_eq(a->nalerts, b->nalerts);
	for (size_t k = 0; k < a->nalerts; k++) {
		ck_assert_str_eq(a->alerts[k].target, b->alerts[k].target);
		ck_assert_str_eq(a->alerts[k].message, b->alerts[k].message);
		ck_assert_int_eq(a->alerts[k].severity, b->alerts[k].severity);
		ck_assert(a->alerts[k].since == b->alerts[k].since);
	}
}

START_TEST(test_hosts_visit_only_what_changed)
{
	enum { N = 60 };
	struct fleet f;
	struct fleet_host hosts[N];
	char names[N][8];
	struct model m;
	struct snapshot snap = { 0 };
	struct rules_state inc, full;
	struct evaluation a = { .ages_on_read = true }, b = { 0 };
	unsigned seed = 7;
	size_t fewer = 0, judged_fewer = 0, stale_seen = 0;

	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < N; i++) {
		str_fmt(names[i], sizeof(names[i]), "h%zu", i);
		hosts[i] = mkhost(names[i]);
		hosts[i].gpus = i % 4 == 1 ? GPUS_NVIDIA : i % 4 == 2 ? GPUS_NONE : GPUS_AUTO;
		hosts[i].containers = i % 6 == 5 ? CONT_NONE : CONT_AUTO;
		hosts[i].ram_reserve = i % 3 ? -1 : 0;
	}
	f.hosts = hosts;
	f.nhosts = N;
	f.interval = 2;
	model_init_fleet(&m, &f);
	rules_state_init(&inc, N);
	rules_state_init(&full, N);
	for (size_t i = 0; i < N; i++)
		publish_mixed(&m, &f, i, T0, (unsigned)i * 2654435761u, 7);
	for (int step = 0; step < 120; step++) {
		double now = T0 + step * 0.5;
		size_t changing = step % 10 == 9 ? 0 : (size_t)(step % 4);

		for (size_t j = 0; j < changing; j++) {
			seed = seed * 1103515245u + 12345u;
			publish_mixed(&m, &f, (seed >> 8) % N, now, seed >> 3, 1 + (seed >> 20) % 7);
		}
		model_snapshot(&m, &snap);
		rules_evaluate(&f, &snap, now, &inc, &a);
		full.seen_src = NULL;        /* no memory of the last one: every host */
		rules_evaluate(&f, &snap, now, &full, &b);
		ck_assert(!full.since_seen);
		ck_assert_uint_le(inc.visited, full.visited);
		fewer += inc.visited < full.visited;
		ck_assert_uint_eq(full.judged, N);
		/* judged: what changed, what is stale/overdue/OOM-held (its
		 * text counts seconds), and whose moment came */
		ck_assert_uint_le(inc.judged, full.judged);
		judged_fewer += inc.judged < N;
		stale_seen += b.nstale > 0;
		eval_equal(&a, &b);
		/* the same events, in the same order */
		ck_assert_uint_eq(inc.nevents, full.nevents);
		ck_assert_uint_eq(inc.event_pos, full.event_pos);
		for (size_t k = 0; k < inc.nevents; k++) {
			ck_assert_str_eq(inc.events[k].target, full.events[k].target);
			ck_assert_str_eq(inc.events[k].message, full.events[k].message);
			ck_assert(inc.events[k].at == full.events[k].at);
			ck_assert_int_eq(inc.events[k].to, full.events[k].to);
		}
	}
	ck_assert_uint_gt(fewer, 60);      /* most evaluations visit fewer hosts */
	ck_assert_uint_gt(judged_fewer, 100); /* ... and judge fewer hosts */
	ck_assert_uint_gt(stale_seen, 10);    /* hosts did turn stale on time */
	evaluation_free(&a);
	evaluation_free(&b);
	rules_state_free(&inc);
	rules_state_free(&full);
	snapshot_free(&snap);
	model_free(&m);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *host = tcase_create("host");
	TCase *fleet = tcase_create("fleet");

	tcase_add_test(host, test_healthy_is_ok);
	tcase_add_test(host, test_never_polled_is_unknown);
	tcase_add_test(host, test_unreachable_is_crit);
	tcase_add_test(host, test_unreachable_keeps_last_problems);
	tcase_add_test(host, test_hostkey_shows_fingerprint);
	tcase_add_test(host, test_auth_is_crit_probe_is_unknown);
	tcase_add_test(host, test_stale_after_three_intervals);
	tcase_add_test(host, test_stale_uses_host_interval);
	tcase_add_test(host, test_stale_never_ok_but_keeps_worse);
	tcase_add_test(host, test_reserve);
	tcase_add_test(host, test_missing_values_are_not_zeros);
	tcase_add_test(host, test_psi);
	tcase_add_test(host, test_psi_text_and_custom_thresholds);
	tcase_add_test(host, test_zeroed_thresholds_mean_defaults);
	tcase_add_test(host, test_disk);
	tcase_add_test(host, test_disk_unreadable);
	tcase_add_test(host, test_problem_overflow_keeps_worst);
	suite_add_tcase(s, host);

	tcase_add_test(fleet, test_empty_fleet_is_ok);
	tcase_add_test(fleet, test_worst_counts_oldest_age);
	tcase_add_test(fleet, test_unknown_alone_is_worst_unknown);
	tcase_add_test(fleet, test_alert_order_and_since);
	tcase_add_test(fleet, test_oom_hold);
	tcase_add_test(fleet, test_oom_hold_custom_and_reboot);
	tcase_add_test(fleet, test_oom_invalid_not_counted);
	tcase_add_test(fleet, test_events_on_change);
	tcase_add_test(fleet, test_event_ring_wraps);
	tcase_add_test(fleet, test_zeroed_state_and_resize);
	tcase_add_test(fleet, test_target_state_forgets_gone_targets);
	tcase_add_test(fleet, test_unchanged_host_turns_stale_on_time);
	tcase_add_test(fleet, test_next_change);
	tcase_add_test(fleet, test_target_find_index);
	tcase_add_test(fleet, test_hosts_visit_only_what_changed);
	/* a watchdog, not a timing: 240 evaluations on a loaded machine */
	tcase_set_timeout(fleet, 60);
	suite_add_tcase(s, fleet);
	return s;
}


int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
