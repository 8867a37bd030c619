/* The host probe's parser, on outputs recorded from real hosts (Debian 12
 * VM) and on the broken outputs a host can produce (MOTD garbage, cut-off
 * output, nonsense values, an old kernel without PSI or swap). */
#include "config.h"
#include "collect/probe.h"
#include "collect/shell.h"
#include "util/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *name, size_t *len)
{
	char *path = xasprintf("%s/tests/data/probe/%s", SRCDIR, name);
	FILE *fp = fopen(path, "rb");
	char *buf;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	buf = xcalloc(1, 65536);
	*len = fread(buf, 1, 65535, fp);
	fclose(fp);
	free(path);
	return buf;
}

static int parse_file(const char *name, const struct host_sample *prev, struct host_sample *s,
		      char *err, size_t errlen)
{
	size_t len;
	char *buf = slurp(name, &len);
	int rc = probe_parse(buf, len, prev, s, err, errlen);
	free(buf);
	return rc;
}

START_TEST(full_output)
{
	struct host_sample s = { 0 };
	char err[256] = "";

	ck_assert_int_eq(parse_file("debian12-vm.txt", NULL, &s, err, sizeof(err)), 0);
	ck_assert(s.valid & HV_MEM);
	ck_assert_uint_eq(s.mem_total, 24684084ull * 1024);
	ck_assert_uint_eq(s.mem_available, 24330968ull * 1024);
	ck_assert(s.valid & HV_SWAP);
	ck_assert_uint_eq(s.swap_total, 2097148ull * 1024);
	ck_assert_uint_eq(s.swap_used, (2097148ull - 1048574ull) * 1024);
	ck_assert(s.valid & HV_LOAD);
	ck_assert_double_eq_tol(s.load[0], 0.10, 1e-9);
	ck_assert_double_eq_tol(s.load[2], 0.02, 1e-9);
	ck_assert(s.valid & HV_CORES);
	ck_assert_int_eq(s.cores, 2);
	ck_assert(s.valid & HV_PSI);
	ck_assert_double_eq_tol(s.psi_some10, 12.5, 1e-9);
	ck_assert_double_eq_tol(s.psi_full10, 4.25, 1e-9);
	ck_assert(s.valid & HV_OOM);
	ck_assert_uint_eq(s.oom_kills, 3);
	ck_assert(s.valid & HV_UPTIME);
	ck_assert_double_eq_tol(s.uptime_s, 778.95, 1e-9);
	ck_assert_str_eq(s.kernel, "6.1.0-27-amd64");
	ck_assert_double_eq_tol(s.boot_time, 1795393302.0, 1e-9);
	/* no previous sample: no CPU % yet, never a made-up zero */
	ck_assert(!(s.valid & HV_CPU));
	ck_assert_int_eq(s.ndisks, 2);
	ck_assert_str_eq(s.disks[0].mount, "/");
	ck_assert(s.disks[0].valid);
	ck_assert_uint_eq(s.disks[0].size, 264212084ull * 1024);
	ck_assert_double_eq_tol(s.disks[0].used_pct, 100.0 * 16815840 / (16815840 + 83521348), 1e-6);
	ck_assert_str_eq(s.disks[1].mount, "/srv/data");
	ck_assert(!s.disks[1].valid);
}
END_TEST

START_TEST(cpu_from_deltas)
{
	struct host_sample prev = { 0 }, s = { 0 };
	char err[256];
	const char *a = "@uptime\n1 1\n@stat\ncpu 100 0 100 800 0 0 0 0 0 0\n@meminfo\n@end\n";
	const char *b = "@uptime\n2 2\n@stat\ncpu 150 0 150 900 0 0 0 0 0 0\n@meminfo\n@end\n";

	ck_assert_int_eq(probe_parse(a, strlen(a), NULL, &prev, err, sizeof(err)), 0);
	ck_assert_int_eq(probe_parse(b, strlen(b), &prev, &s, err, sizeof(err)), 0);
	ck_assert(s.valid & HV_CPU);
	/* 100 busy of 200 ticks */
	ck_assert_double_eq_tol(s.cpu_pct, 50.0, 1e-9);
}
END_TEST

START_TEST(counter_reset_gives_no_cpu)
{
	struct host_sample prev = { 0 }, s = { 0 };
	char err[256];
	const char *a = "@uptime\n1 1\n@stat\ncpu 900 0 900 9000\n@meminfo\n@end\n";
	const char *b = "@uptime\n1 1\n@stat\ncpu 10 0 10 100\n@meminfo\n@end\n";

	ck_assert_int_eq(probe_parse(a, strlen(a), NULL, &prev, err, sizeof(err)), 0);
	ck_assert_int_eq(probe_parse(b, strlen(b), &prev, &s, err, sizeof(err)), 0);
	ck_assert(!(s.valid & HV_CPU));
}
END_TEST

START_TEST(truncated_is_an_error)
{
	struct host_sample s = { 0 };
	char err[256] = "";

	ck_assert_int_eq(parse_file("truncated.txt", NULL, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	ck_assert_uint_eq(s.valid, 0);
}
END_TEST

START_TEST(garbage_is_an_error)
{
	struct host_sample s = { 0 };
	char err[256] = "";

	ck_assert_int_eq(parse_file("motd-garbage.txt", NULL, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Welcome"));
	ck_assert_int_eq(probe_parse("", 0, NULL, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "nothing"));
}
END_TEST

START_TEST(nonsense_values_are_invalid_not_zero)
{
	struct host_sample s = { 0 };
	char err[256] = "";

	ck_assert_int_eq(parse_file("nonsense-values.txt", NULL, &s, err, sizeof(err)), 0);
	ck_assert(!(s.valid & HV_UPTIME));
	ck_assert(!(s.valid & HV_LOAD));
	ck_assert(!(s.valid & HV_MEM));
	ck_assert(!(s.valid & HV_PSI));
}
END_TEST

/* Issue #13: numbers a host cannot mean (df -1 -2 -3 or 2^70 blocks,
 * MemTotal 0, a 2^70 swap, PSI 1e21 %) are n/a with a note naming the field
 * and the value; the readable ones around them are kept. */
START_TEST(implausible_values_are_named)
{
	struct host_sample s = { 0 };
	char err[256] = "";

	ck_assert_int_eq(parse_file("implausible-values.txt", NULL, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.ndisks, 3);
	ck_assert(!s.disks[0].valid);
	ck_assert(!s.disks[1].valid);
	ck_assert(s.disks[2].valid);
	ck_assert_double_eq_tol(s.disks[2].used_pct, 50.0, 1e-9);
	ck_assert(!(s.valid & HV_MEM));
	ck_assert(!(s.valid & HV_SWAP));
	ck_assert(!(s.valid & HV_PSI));
	ck_assert(!(s.valid & HV_UPTIME));
	ck_assert(!(s.valid & HV_LOAD));
	ck_assert(s.valid & HV_OOM);
	ck_assert(s.valid & HV_KERNEL);
	ck_assert_msg(strstr(s.implausible, "uptime = -5: implausible (0..100 years)"), "%s",
		      s.implausible);
	ck_assert_msg(strstr(s.implausible, "MemTotal (kB) = 0: implausible"), "%s",
		      s.implausible);
	/* a 300-digit number is never printed whole */
	ck_assert_ptr_null(strstr(s.implausible, "000000000000000000000000000"));
	{
		static const char df[] = "@uptime\n1 1\n@meminfo\nMemTotal: 1000\n"
			"MemAvailable: 10\n@disk /\n/dev/vda -1 -2 -3 100% /\n@end\n";
		ck_assert_int_eq(probe_parse(df, strlen(df), NULL, &s, err, sizeof(err)), 0);
		ck_assert(!s.disks[0].valid);
		ck_assert_str_eq(s.implausible, "disk / 1024-blocks = -1: implausible (0..1 EiB)");
	}
	/* the next good probe clears the note */
	ck_assert_int_eq(parse_file("debian12-vm.txt", NULL, &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.implausible, "");
}
END_TEST

START_TEST(old_kernel)
{
	struct host_sample s = { 0 };
	char err[256] = "";

	ck_assert_int_eq(parse_file("old-kernel-no-psi-no-swap.txt", NULL, &s, err, sizeof(err)), 0);
	ck_assert(s.valid & HV_MEM);
	ck_assert(!(s.valid & HV_PSI));
	ck_assert(!(s.valid & HV_SWAP));
	ck_assert(!(s.valid & HV_OOM));
	ck_assert_double_eq_tol(s.disks[0].used_pct, 95.0, 1e-9);
}
END_TEST

START_TEST(script_quotes_mounts)
{
	struct fleet_host h = { 0 };
	char *script;

	h.ndisks = 2;
	h.disks[0] = "/";
	h.disks[1] = "/x'; touch /tmp/pwned; '";
	script = probe_script(&h, PROBE_SLOW | PROBE_DISKS);
	/* the hostile mount is one single-quoted word, never code */
	ck_assert_ptr_nonnull(strstr(script, "'/x'\\''; touch /tmp/pwned; '\\'''"));
	ck_assert_ptr_null(strstr(script, "df -P -k -- /x'"));
	free(script);
}
END_TEST

/* Runs one of the probe's scripts in this machine's sh (dash on Debian). */
static char *run_sh(const char *script, size_t *len)
{
	char *path = xasprintf("/tmp/fd-probe-test-%d.sh", (int)getpid());
	char *cmd = xasprintf("sh %s", path);
	FILE *fp = fopen(path, "w");
	char *out = xcalloc(1, 65536);

	ck_assert_ptr_nonnull(fp);
	fputs(shell_prelude(), fp);   /* what every channel gets first */
	fputs(script, fp);
	/* what the framing prints with the end marker (collect/shell.h) */
	fputs("printf '%s' \"$" SHELL_OUT_VAR "\"\n", fp);
	fclose(fp);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	*len = fread(out, 1, 65535, fp);
	pclose(fp);
	unlink(path);
	free(path);
	free(cmd);
	return out;
}

/* The cadences: a full probe (slow parts and df) then a regular one, which
 * runs only builtins (no df) and keeps cores, OOM count, kernel and disks
 * from the full one; both really run in sh against this machine's /proc. */
START_TEST(regular_poll_keeps_slow_parts)
{
	struct fleet_host h = { 0 };
	struct host_sample full = { 0 }, reg;
	char err[256] = "", *fs = probe_script(&h, PROBE_SLOW | PROBE_DISKS);
	char *rs = probe_script(&h, 0), *out;
	size_t len;

	ck_assert_ptr_null(strstr(rs, "df "));
	ck_assert_ptr_null(strstr(rs, "("));        /* no subshell */
	ck_assert_ptr_null(strstr(rs, "$("));       /* no command substitution */
	/* df runs under the deadline kept on the host (collect/shell.h) */
	ck_assert_ptr_nonnull(strstr(fs, SHELL_RUN_ARGV " 5 df -P -k -- '/' "));
	out = run_sh(fs, &len);
	ck_assert_int_eq(probe_parse(out, len, NULL, &full, err, sizeof(err)), 0);
	free(out);
	ck_assert(full.valid & HV_CORES);
	ck_assert(full.valid & HV_KERNEL);
	ck_assert(full.valid & HV_DISKS);
	ck_assert_int_eq(full.ndisks, 1);
	reg = full;
	out = run_sh(rs, &len);
	ck_assert_int_eq(probe_parse(out, len, &full, &reg, err, sizeof(err)), 0);
	ck_assert_ptr_null(strstr(out, "@disk"));
	ck_assert_ptr_null(strstr(out, "@kernel"));
	free(out);
	ck_assert(reg.valid & HV_MEM);
	ck_assert(reg.valid & HV_UPTIME);
	ck_assert(reg.valid & HV_CORES);
	ck_assert_int_eq(reg.cores, full.cores);
	ck_assert_uint_eq(reg.valid & HV_SWAP, full.valid & HV_SWAP);
	ck_assert_uint_eq(reg.swap_total, full.swap_total);
	ck_assert(reg.valid & HV_KERNEL);
	ck_assert_str_eq(reg.kernel, full.kernel);
	ck_assert(reg.valid & HV_DISKS);
	ck_assert_int_eq(reg.ndisks, 1);
	ck_assert_uint_eq(reg.disks[0].size, full.disks[0].size);
	ck_assert_uint_gt(reg.cpu_total, 0);
	free(fs);
	free(rs);
}
END_TEST

/* Runs scripts one after the other in the same sh (one long-lived shell,
 * as a session's); out[i] gets what the i-th printed, up to its "@end". */
static void run_sh_session(char *const *scripts, int n, char **out, size_t *len)
{
	char *all = xstrdup(""), *p, *q;
	size_t got;

	for (int i = 0; i < n; i++) {
		char *next = xasprintf("%s%s\nprintf '%%s' \"$" SHELL_OUT_VAR "\"; " SHELL_OUT_VAR "=\n",
				       all, scripts[i]);
		free(all);
		all = next;
	}
	p = run_sh(all, &got);
	free(all);
	q = p;
	for (int i = 0; i < n; i++) {
		char *end = strstr(q, "@end\n");
		ck_assert_ptr_nonnull(end);
		end += 5;
		len[i] = (size_t)(end - q);
		out[i] = xstrndup(q, len[i]);
		q = end;
	}
	free(p);
}

/* What only a reboot changes (btime, after /proc/stat's long intr line, and
 * the kernel release) is read by a shell's first slow probe only: the next
 * slow probe in the same shell stops at the last CPU line and keeps them
 * from the sample; PROBE_BOOT reads them again. */
START_TEST(boot_parts_once_per_shell)
{
	struct fleet_host h = { 0 };
	char *sc[3] = { probe_script(&h, PROBE_SLOW), probe_script(&h, PROBE_SLOW),
			probe_script(&h, PROBE_SLOW | PROBE_BOOT) };
	char *out[3], err[256] = "";
	size_t len[3];
	struct host_sample first = { 0 }, again, forced = { 0 };

	run_sh_session(sc, 3, out, len);
	ck_assert_int_eq(probe_parse(out[0], len[0], NULL, &first, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(out[0], "\nbtime "));
	ck_assert_ptr_nonnull(strstr(out[0], "@kernel"));
	ck_assert(first.valid & HV_KERNEL);
	ck_assert(first.boot_time > 0);
	/* the same shell: CPUs and OOM kills, no walk to btime, no kernel */
	ck_assert_ptr_null(strstr(out[1], "btime"));
	ck_assert_ptr_null(strstr(out[1], "@kernel"));
	ck_assert_ptr_nonnull(strstr(out[1], "\nc\n"));
	ck_assert_ptr_nonnull(strstr(out[1], "@vmstat"));
	again = first;
	ck_assert_int_eq(probe_parse(out[1], len[1], &first, &again, err, sizeof(err)), 0);
	ck_assert(again.valid & HV_CORES);
	ck_assert_int_eq(again.cores, first.cores);
	ck_assert(again.valid & HV_KERNEL);
	ck_assert_str_eq(again.kernel, first.kernel);
	ck_assert(again.boot_time == first.boot_time);
	ck_assert_uint_eq(again.valid & HV_OOM, first.valid & HV_OOM);
	/* asked for again (after a failed poll lost them) */
	ck_assert_ptr_nonnull(strstr(out[2], "\nbtime "));
	ck_assert_int_eq(probe_parse(out[2], len[2], NULL, &forced, err, sizeof(err)), 0);
	ck_assert(forced.valid & HV_KERNEL);
	ck_assert_str_eq(forced.kernel, first.kernel);
	ck_assert(forced.boot_time == first.boot_time);
	for (int i = 0; i < 3; i++) {
		free(sc[i]);
		free(out[i]);
	}
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, full_output);
	tcase_add_test(tc, cpu_from_deltas);
	tcase_add_test(tc, counter_reset_gives_no_cpu);
	tcase_add_test(tc, truncated_is_an_error);
	tcase_add_test(tc, garbage_is_an_error);
	tcase_add_test(tc, nonsense_values_are_invalid_not_zero);
	tcase_add_test(tc, implausible_values_are_named);
	tcase_add_test(tc, old_kernel);
	tcase_add_test(tc, script_quotes_mounts);
	tcase_add_test(tc, regular_poll_keeps_slow_parts);
	tcase_add_test(tc, boot_parts_once_per_shell);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
