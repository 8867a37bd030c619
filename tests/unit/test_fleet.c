/* Unit tests of the fleet file: syntax, schema checks, references, secrets,
 * includes, defaults, the example fleets in data/ and the man page.
 * `test_fleet --print-man` prints the generated key reference instead. */
#include "config.h"
#include "fleet/fleet.h"
#include "util/util.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

static char *diags_text(const struct fleet_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	fleet_diags_print(fp, d);
	fclose(fp);
	return buf;
}

/* Loads text as t.fleet; returns fleet_load_buffer's result. */
static int load(const char *text, struct fleet *f, struct fleet_diags *d)
{
	memset(d, 0, sizeof(*d));
	return fleet_load_buffer("t.fleet", text, strlen(text), f, d);
}

/* Whether a diagnostic at line (0: any) contains needle (and is an error
 * unless warning). */
static bool has_diag(const struct fleet_diags *d, int line, bool warning, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if ((line == 0 || d->v[i].line == line) && d->v[i].warning == warning &&
		    strstr(d->v[i].msg, needle))
			return true;
	return false;
}

/* Asserts that loading text fails with an error containing needle at line. */
static void expect_error(const char *text, int line, const char *needle)
{
	struct fleet f;
	struct fleet_diags d;
	int rc = load(text, &f, &d);
	char *all = diags_text(&d);

	ck_assert_msg(rc == -1, "expected a failure for:\n%s", text);
	ck_assert_msg(has_diag(&d, line, false, needle),
		      "expected an error at line %d containing \"%s\"; got:\n%s", line, needle, all);
	free(all);
	fleet_free(&f);
	fleet_diags_free(&d);
}

static void expect_ok(const char *text)
{
	struct fleet f;
	struct fleet_diags d;
	int rc = load(text, &f, &d);
	char *all = diags_text(&d);

	ck_assert_msg(rc == 0, "expected no errors for:\n%s\ngot:\n%s", text, all);
	free(all);
	fleet_free(&f);
	fleet_diags_free(&d);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static char tmpdir[64];

static void tmp_setup(void)
{
	str_copy(tmpdir, "/tmp/test_fleet.XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Removes the files the tests put in tmpdir (one level of subdirectories). */
static void rm_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;

	while (dp && (e = readdir(dp))) {
		char *p;
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
		free(p);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

static void tmp_teardown(void)
{
	rm_tree(tmpdir);
}

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* ---- the example fleets ---- */

START_TEST(test_data_files_valid)
{
	DIR *dp = opendir(SRCDIR "/data");
	struct dirent *e;
	int nfiles = 0;

	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp))) {
		struct fleet f;
		struct fleet_diags d = { 0 };
		char *path, *all;
		int rc;

		if (strlen(e->d_name) < 7 || strcmp(e->d_name + strlen(e->d_name) - 6, ".fleet") != 0)
			continue;
		path = xasprintf("%s/data/%s", SRCDIR, e->d_name);
		rc = fleet_load(path, &f, &d);
		all = diags_text(&d);
		ck_assert_msg(rc == 0 && d.nerrors == 0, "%s does not validate:\n%s", path, all);
		ck_assert_msg(f.nhosts > 0, "%s has no hosts", path);
		free(all);
		free(path);
		fleet_free(&f);
		fleet_diags_free(&d);
		nfiles++;
	}
	closedir(dp);
	ck_assert_int_ge(nfiles, 5);
}
END_TEST

START_TEST(test_cocotte_structure)
{
	struct fleet f;
	struct fleet_diags d = { 0 };
	const struct fleet_host *h;
	int black, vps;

	ck_assert_int_eq(fleet_load(SRCDIR "/data/cocotte.fleet", &f, &d), 0);
	ck_assert_str_eq(f.name, "cocottetech");
	ck_assert_str_eq(f.path, SRCDIR "/data/cocotte.fleet");
	ck_assert_int_eq(f.nhosts, 4);
	black = fleet_host_index(&f, "black");
	vps = fleet_host_index(&f, "vps-0");
	ck_assert_int_ge(black, 0);
	ck_assert_int_ge(vps, 0);
	h = &f.hosts[vps];
	ck_assert_int_eq(h->jump_index, black);
	ck_assert_str_eq(h->address, "vps-0");
	ck_assert_str_eq(h->user, "deploy");
	ck_assert_int_eq(h->ram_reserve, 256 * 1024 * 1024);
	h = &f.hosts[black];
	ck_assert_str_eq(h->address, "black");
	ck_assert_int_eq(h->ndisks, 2);
	ck_assert_str_eq(h->disks[1], "/srv");
	ck_assert_int_eq(f.hosts[fleet_host_index(&f, "apricot")].gpus, GPUS_NVIDIA);
	ck_assert(f.hosts[fleet_host_index(&f, "apricot")].th.psi_warn == 20);
	ck_assert(f.hosts[fleet_host_index(&f, "plum")].th.psi_warn == 10);
	ck_assert_ptr_nonnull(fleet_find_section(&f, SEC_LINK, "vps-0 -> black"));
	ck_assert_str_eq(fleet_section_get(fleet_find_section(&f, SEC_RUNNERS, "ct-forge"), "max"),
			 "6");
	ck_assert_int_eq(f.nfiles, 1);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

/* ---- defaults and paths ---- */

START_TEST(test_default_fleet)
{
	struct fleet f;

	setenv("HOME", "/home/tester", 1);
	unsetenv("XDG_STATE_HOME");
	fleet_default(&f);
	ck_assert_str_eq(f.name, "localhost");
	ck_assert_ptr_null(f.path);
	ck_assert_int_eq(f.nhosts, 1);
	ck_assert_str_eq(f.hosts[0].name, "localhost");
	ck_assert(f.hosts[0].local);
	ck_assert_int_eq(f.hosts[0].jump_index, -1);
	ck_assert_int_eq(f.hosts[0].ram_reserve, -1);
	ck_assert_int_eq(f.hosts[0].ndisks, 1);
	ck_assert_str_eq(f.hosts[0].disks[0], "/");
	ck_assert_ptr_nonnull(f.hosts[0].sec);
	ck_assert(f.interval == 2 && f.timeout == 5);
	ck_assert(f.hosts[0].interval == 2 && f.hosts[0].timeout == 5);
	ck_assert(f.th.psi_warn == 10 && f.th.psi_crit == 40);
	ck_assert(f.th.disk_warn == 90 && f.th.disk_crit == 95 && f.th.oom_hold == 600);
	ck_assert_int_eq(f.host_key_policy, HKP_STRICT);
	ck_assert(!f.read_only);
	ck_assert_str_eq(f.known_hosts, "/home/tester/.ssh/known_hosts");
	ck_assert_str_eq(f.audit_log, "/home/tester/.local/state/fleetdeck/audit.log");
	fleet_free(&f);
	setenv("XDG_STATE_HOME", "/state", 1);
	fleet_default(&f);
	ck_assert_str_eq(f.audit_log, "/state/fleetdeck/audit.log");
	fleet_free(&f);
}
END_TEST

START_TEST(test_fleet_fields)
{
	struct fleet f;
	struct fleet_diags d;

	setenv("HOME", "/home/tester", 1);
	ck_assert_int_eq(load("[fleet]\ninterval = 250ms\ntimeout = 1m\nhost_key_policy = accept-new\n"
			      "read_only = yes\nknown_hosts = ~/kh\naudit_log = logs/audit.log\n"
			      "psi_crit = 50\ndisk_warn = 80%\noom_hold = 1h\n[host a]\n", &f, &d), 0);
	ck_assert_str_eq(f.name, "t");
	ck_assert(f.interval == 0.25 && f.timeout == 60);
	ck_assert_int_eq(f.host_key_policy, HKP_ACCEPT_NEW);
	ck_assert(f.read_only);
	ck_assert_str_eq(f.known_hosts, "/home/tester/kh");
	ck_assert_str_eq(f.audit_log, "logs/audit.log");
	ck_assert(f.th.psi_crit == 50 && f.th.disk_warn == 80 && f.th.oom_hold == 3600);
	ck_assert(f.hosts[0].interval == 0.25 && f.hosts[0].th.psi_crit == 50);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

START_TEST(test_fleet_name_from_file)
{
	struct fleet f;
	struct fleet_diags d = { 0 };

	ck_assert_int_eq(fleet_load_buffer("/etc/fleets/prod.fleet", "[host a]\n", 9, &f, &d), 0);
	ck_assert_str_eq(f.name, "prod");
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

START_TEST(test_resolve_path)
{
	char *p, *conf;

	tmp_setup();
	unsetenv("FLEETDECK_CONFIG");
	setenv("HOME", tmpdir, 1);
	unsetenv("XDG_CONFIG_HOME");
	ck_assert_ptr_null(fleet_resolve_path(NULL));
	p = fleet_resolve_path("~/x.fleet");
	conf = xasprintf("%s/x.fleet", tmpdir);
	ck_assert_str_eq(p, conf);
	free(conf);
	free(p);
	setenv("FLEETDECK_CONFIG", "/nonexistent/env.fleet", 1);
	p = fleet_resolve_path(NULL);
	ck_assert_str_eq(p, "/nonexistent/env.fleet");
	free(p);
	p = fleet_resolve_path("/cli.fleet");
	ck_assert_str_eq(p, "/cli.fleet");
	free(p);
	unsetenv("FLEETDECK_CONFIG");
	conf = tmp_path(".config");
	mkdir(conf, 0700);
	free(conf);
	conf = tmp_path(".config/fleetdeck");
	mkdir(conf, 0700);
	free(conf);
	conf = tmp_path(".config/fleetdeck/fleet.conf");
	write_file(conf, "[host a]\n", 0600);
	p = fleet_resolve_path(NULL);
	ck_assert_str_eq(p, conf);
	free(p);
	setenv("XDG_CONFIG_HOME", "/nonexistent-xdg", 1);
	ck_assert_ptr_null(fleet_resolve_path(NULL));
	p = xasprintf("%s/.config", tmpdir);
	setenv("XDG_CONFIG_HOME", p, 1);
	free(p);
	p = fleet_resolve_path(NULL);
	ck_assert_str_eq(p, conf);
	free(p);
	free(conf);
	tmp_teardown();
}
END_TEST

START_TEST(test_load_missing_file)
{
	struct fleet f;
	struct fleet_diags d = { 0 };
	char *all;

	ck_assert_int_eq(fleet_load("/nonexistent/dir/x.fleet", &f, &d), -1);
	all = diags_text(&d);
	ck_assert_msg(strstr(all, "cannot open /nonexistent/dir/x.fleet: No such file or directory"),
		      "got: %s", all);
	ck_assert_int_eq(d.nerrors, 1);
	ck_assert_ptr_nonnull(f.name);
	ck_assert_ptr_nonnull(f.known_hosts);
	free(all);
	fleet_free(&f);
	fleet_diags_free(&d);
	ck_assert_int_eq(fleet_load("/", &f, &d), -1);
	ck_assert(has_diag(&d, 0, false, "Is a directory"));
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

/* ---- hosts ---- */

START_TEST(test_ssh_forms)
{
	static const struct {
		const char *ssh;
		const char *user, *address;
		int port;
		bool local;
	} cases[] = {
		{ "local", NULL, NULL, 0, true },
		{ "ops@10.0.0.11", "ops", "10.0.0.11", 0, false },
		{ "ops@10.0.0.11:2222", "ops", "10.0.0.11", 2222, false },
		{ "web-1", NULL, "web-1", 0, false },
		{ "web-1:22", NULL, "web-1", 22, false },
		{ "[fd00::1]:2200", NULL, "fd00::1", 2200, false },
		{ "root@[fd00::1]", "root", "fd00::1", 0, false },
		{ "fd00::1", NULL, "fd00::1", 0, false },
		{ "a@b@host.example", "a@b", "host.example", 0, false },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fleet f;
		struct fleet_diags d;
		char *text = xasprintf("[host h]\nssh = %s\n", cases[i].ssh);
		const struct fleet_host *h;

		ck_assert_msg(load(text, &f, &d) == 0, "ssh = %s", cases[i].ssh);
		h = &f.hosts[0];
		ck_assert_str_eq(h->ssh, cases[i].ssh);
		ck_assert_int_eq(h->local, cases[i].local);
		ck_assert_pstr_eq(h->user, cases[i].user);
		ck_assert_pstr_eq(h->address, cases[i].address);
		ck_assert_int_eq(h->port, cases[i].port);
		free(text);
		fleet_free(&f);
		fleet_diags_free(&d);
	}
}
END_TEST

START_TEST(test_ssh_default_is_name)
{
	struct fleet f;
	struct fleet_diags d;

	ck_assert_int_eq(load("[host ops@db-1:2222]\n", &f, &d), 0);
	ck_assert_str_eq(f.hosts[0].ssh, "ops@db-1:2222");
	ck_assert_str_eq(f.hosts[0].user, "ops");
	ck_assert_str_eq(f.hosts[0].address, "db-1");
	ck_assert_int_eq(f.hosts[0].port, 2222);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

START_TEST(test_ssh_errors)
{
	expect_error("[host h]\nssh = ops@\n", 2, "no address");
	expect_error("[host h]\nssh = @host\n", 2, "empty user");
	expect_error("[host h]\nssh = host:99999\n", 2, "port");
	expect_error("[host h]\nssh = host:0\n", 2, "port");
	expect_error("[host h]\nssh = [fd00::1\n", 2, "missing ']'");
	expect_error("[host h]\nssh = a b\n", 2, "blanks");
	expect_error("[host h]\nssh = -oProxyCommand=x\n", 2, "cannot start with '-'");
	expect_error("[host h:99999]\n", 1, "the name is used as the ssh target");
}
END_TEST

START_TEST(test_host_fields)
{
	struct fleet f;
	struct fleet_diags d;
	const struct fleet_host *h;

	setenv("HOME", "/home/tester", 1);
	ck_assert_int_eq(load("[fleet]\ninterval = 10s\npsi_warn = 15\n"
			      "[host gw]\n"
			      "[host a]\nssh = ops@10.0.0.1\njump = gw\nrole = db box\nram_reserve = 1G\n"
			      "containers = podman\ngpus = none\ndisk = /, /srv /data\ntimeout = 3s\n"
			      "disk_warn = 70\nidentity_file = keys/id\n", &f, &d), 0);
	h = &f.hosts[1];
	ck_assert_str_eq(h->name, "a");
	ck_assert_int_eq(h->jump_index, 0);
	ck_assert_str_eq(h->jump, "gw");
	ck_assert_str_eq(h->role, "db box");
	ck_assert_int_eq(h->ram_reserve, 1073741824);
	ck_assert_int_eq(h->containers, CONT_PODMAN);
	ck_assert_int_eq(h->gpus, GPUS_NONE);
	ck_assert_int_eq(h->ndisks, 3);
	ck_assert_str_eq(h->disks[2], "/data");
	ck_assert(h->interval == 10 && h->timeout == 3);
	ck_assert(h->th.psi_warn == 15 && h->th.disk_warn == 70 && h->th.disk_crit == 95);
	ck_assert_str_eq(h->identity_file, "keys/id");
	ck_assert_int_eq(f.hosts[0].containers, CONT_AUTO);
	ck_assert_int_eq(f.hosts[0].gpus, GPUS_AUTO);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

START_TEST(test_jumps)
{
	expect_error("[host a]\njump = b\n[host b]\njump = a\n", 2, "loop");
	expect_error("[host a]\njump = a\n", 2, "itself");
	expect_error("[host a]\nssh = local\njump = b\n[host b]\n", 3, "ssh = local");
	expect_error("[host a]\njump = bl4ck\n[host black]\n", 2, "did you mean 'black'?");
	expect_ok("[host a]\njump = b\n[host b]\njump = c\n[host c]\n");
}
END_TEST

START_TEST(test_disks)
{
	expect_error("[host a]\ndisk = / /1 /2 /3 /4 /5 /6 /7 /8\n", 2, "at most 8");
	expect_error("[host a]\ndisk = srv\n", 2, "not a mount point");
}
END_TEST

START_TEST(test_thresholds_order)
{
	expect_error("[fleet]\npsi_warn = 50\n[host a]\n", 2, "psi_warn (50) is above psi_crit (40)");
	expect_error("[host a]\ndisk_warn = 99\n", 2, "disk_warn (99%) is above disk_crit (95%)");
	expect_error("[host a]\ndisk_warn = 101\n", 2, "percentage from 0 to 100");
}
END_TEST

/* ---- syntax ---- */

START_TEST(test_comments_and_quotes)
{
	struct fleet f;
	struct fleet_diags d;
	const struct fleet_section *s;

	ck_assert_int_eq(load("# comment\n; also a comment\n\n  [host a]   # trailing\n"
			      "role = db # comment\n"
			      "ssh = my#alias\n", &f, &d), 0);
	ck_assert_str_eq(f.hosts[0].role, "db");
	/* no blank before '#': not a comment (';' is no longer a valid
	 * address: ssh(1) refuses it) */
	ck_assert_str_eq(f.hosts[0].ssh, "my#alias");
	fleet_free(&f);
	fleet_diags_free(&d);
	ck_assert_int_eq(load("[host a]\nrole = db ; comment\n"
			      "[service s]\nhost = a\nexpect = \"a # b ; c\"  # real comment\n"
			      "container = \"say \\\"hi\\\" \\\\o/\"\n"
			      "check = https://10.0.0.1/#/health\n", &f, &d), 0);
	ck_assert_str_eq(fleet_section_get(&f.sections[0], "role"), "db");
	s = fleet_find_section(&f, SEC_SERVICE, "s");
	ck_assert_str_eq(fleet_section_get(s, "expect"), "a # b ; c");
	ck_assert_str_eq(fleet_section_get(s, "container"), "say \"hi\" \\o/");
	ck_assert_str_eq(fleet_section_get(s, "check"), "https://10.0.0.1/#/health");
	ck_assert_int_eq(fleet_section_kv(s, "expect")->line, 5);
	fleet_free(&f);
	fleet_diags_free(&d);
	expect_error("[host a]\nrole = \"open\n", 2, "closing '\"'");
	expect_error("[host a]\nrole = \"x\" y\n", 2, "after the closing");
	expect_error("[host a]\nrole =\n", 2, "has no value");
	expect_error("[host a]\nrole = # only a comment\n", 2, "has no value");
}
END_TEST

START_TEST(test_headers)
{
	expect_error("[host a\n", 1, "expected ']'");
	expect_error("[host a] x\n", 1, "unexpected text after ']'");
	expect_error("[]\n", 1, "empty section header");
	expect_error("[host]\n", 1, "[host] needs a name");
	expect_error("[host a b]\n", 1, "invalid character a space in name");
	expect_error("[host a$b]\n", 1, "invalid character '$'");
	expect_error("[host a -> b]\n", 1, "only [link] sections");
	expect_error("[link a b]\n[host a]\n", 1, "FROM -> TO");
	expect_error("[link a -> ]\n", 1, "both ends");
	expect_ok("[fleet]\n[host a.b_c-d@e:22/x]\nssh = local\n");
}
END_TEST

START_TEST(test_unknown_kind)
{
	expect_error("[hots a]\n", 1, "unknown section kind 'hots'; did you mean 'host'?");
	expect_error("[prom p]\n", 1, "did you mean 'prometheus'?");
	expect_error("[runner r]\n", 1, "did you mean 'runners'?");
	expect_error("[zzz a]\n", 1, "expected one of: fleet, host");
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_error("[host a]\nintreval = 2s\n", 2, "unknown key 'intreval' in [host a]; did you mean 'interval'?");
	expect_error("[host a]\nram = 1G\n", 2, "did you mean 'ram_reserve'?");
	expect_error("[host a]\nrpo = 1h\n", 2, "'rpo' is not a key of [host]; it belongs in [database], [backup]");
	expect_error("[host a]\nfoo = 1\n", 2, "unknown key 'foo' in [host a]");
	expect_error("[host a]\nSSH = local\n", 2, "did you mean 'ssh'?");
	expect_error("[host a]\nbad key = 1\n", 2, "invalid key name");
	expect_error("[host a]\n= 1\n", 2, "expected a key name");
	expect_error("[host a]\njust words\n", 2, "expected 'key = value'");
}
END_TEST

START_TEST(test_duplicates)
{
	expect_error("[host a]\n[host a]\n", 2, "duplicate section [host a]; the first is at t.fleet:1");
	expect_error("[host a]\nrole = x\nrole = y\n", 3, "duplicate key 'role'; it is already set at t.fleet:2");
	expect_error("[fleet x]\n[fleet y]\n[host a]\n", 2, "only one [fleet] section");
	expect_error("[fleet]\n[fleet]\n[host a]\n", 2, "only one [fleet] section");
	expect_ok("[host a]\n[service a]\nhost = a\n");
}
END_TEST

START_TEST(test_top_level_key)
{
	expect_error("interval = 2s\n[host a]\n", 1, "put fleet-wide settings under [fleet]");
	expect_error("host = a\n[host a]\n", 1, "keys go under a [kind name] header");
}
END_TEST

START_TEST(test_required)
{
	expect_error("[host a]\n\n[service s]\ncheck = tcp 10.0.0.1:80\n", 3, "[service s] needs host");
	expect_error("[database d]\nhost = a\n[host a]\n", 1, "[database d] needs dsn");
	expect_error("[backup b]\nrpo = 1h\n[host a]\n", 1, "needs source (pg-archiver restic");
	expect_error("[backup b]\nsource = restic\nrpo = 1h\n[host a]\n", 1,
		     "needs repo (text), as source = restic");
	expect_error("[host a]\ngpus = http-json\n", 1, "needs gpu_url");
	expect_error("[prometheus p]\n", 1, "needs url");
	expect_error("[runners r]\nprovider = systemd\nhost = a\n[host a]\n", 1, "needs unit");
	expect_error("[key k]\nprovider = pg-apikey\n[host a]\n", 1, "needs database");
}
END_TEST

START_TEST(test_types)
{
	expect_error("[fleet]\ninterval = fast\n[host a]\n", 2,
		     "interval: expected a duration such as 250ms, 2s, 15m, 1h or 90d, not 'fast'");
	expect_error("[fleet]\ninterval = 0s\n[host a]\n", 2, "longer than 0");
	expect_error("[fleet]\ninterval = 1e308d\n[host a]\n", 2, "expected a duration");
	expect_error("[fleet]\ninterval = 200000d\n[host a]\n", 2, "longer than 100 years");
	expect_error("[host a]\nram_reserve = lots\n", 2, "expected a size in IEC units such as 512K");
	expect_error("[fleet]\nread_only = maybe\n[host a]\n", 2, "expected yes/no");
	expect_error("[fleet]\npsi_warn = x\n[host a]\n", 2, "percentage");
	expect_error("[runners r]\nprovider = command\nlist = ls\nmax = -1\n[host a]\n", 4,
		     "whole number");
	expect_error("[runners r]\nprovider = command\nlist = ls\nstep = 0\n[host a]\n", 4,
		     "at least 1");
	expect_error("[runners r]\nprovider = command\nlist = ls\nscale = run\n[host a]\n", 4,
		     "{count}");
	expect_error("[runners r]\nprovider = command\nlist = ls\nmin = 5\nmax = 2\n[host a]\n", 4,
		     "min (5) is more than max (2)");
	expect_error("[service s]\nhost = a\nport = 70000\n[host a]\n", 3, "1 to 65535");
	expect_error("[fleet]\nhost_key_policy = acept-new\n[host a]\n", 2,
		     "expected one of strict, accept-new, not 'acept-new'; did you mean 'accept-new'?");
	expect_error("[host a]\ncontainers = kubernetes\n", 2, "auto, docker, podman, none");
	expect_error("[fleet]\nknown_hosts = env:KH\n[host a]\n", 2, "only for secrets");
	expect_error("[prometheus p]\nurl = ftp://x\n", 2, "http:// or https://");
	expect_error("[prometheus p]\nurl = https://u:pw@10.0.0.1/\n", 2, "must not contain a password");
	expect_error("[prometheus p]\nurl = https:///x\n", 2, "no host");
	expect_error("[service s]\nhost = a\ncheck = ping a\n[host a]\n", 3, "tcp HOST:PORT");
	expect_error("[service s]\nhost = a\ncheck = tcp 10.0.0.1\n[host a]\n", 3, "with a port");
	expect_error("[key k]\nprovider = ssh-authorized-key\nhosts = , ,\nidentity_file = /x\n"
		     "[host a]\n", 3, "names of [host] sections");
	expect_ok("[service s]\nhost = a\ncheck = tcp [fd00::1]:443\n[host a]\n");
	expect_ok("[service s]\nhost = a\ncheck = HTTPS://10.0.0.1:8443/health?x=1\n[host a]\n");
}
END_TEST

START_TEST(test_values_never_leak_dsn)
{
	static const char *const texts[] = {
		"[database d]\ndsn = postgresql://monitor:hunter2@10.0.0.1/app\n[host a]\n",
		"[database d]\ndsn = postgres://monitor@10.0.0.1/app?password=hunter2\n[host a]\n",
		"[database d]\ndsn = host=10.0.0.1 password=hunter2 dbname=app\n[host a]\n",
		"[database d]\ndsn = host=10.0.0.1 password = 'hun ter2' dbname=app\n[host a]\n",
		/* any option libpq marks secret, not only password */
		"[database d]\ndsn = host=10.0.0.1 sslpassword=hunter2 dbname=app\n[host a]\n",
		"[database d]\ndsn = postgres://m@10.0.0.1/app?sslpassword=hunter2\n[host a]\n",
		"[database d]\ndsn = host=10.0.0.1 hunter2\n[host a]\n",
		"[database d]\ndsn = mysql://hunter2@x\n[host a]\n",
		"[database d]\ndsn = host=x\npassword = hunter2\n[host a]\n",
	};

	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		struct fleet f;
		struct fleet_diags d;
		char *all;

		ck_assert_int_eq(load(texts[i], &f, &d), -1);
		all = diags_text(&d);
		ck_assert_msg(!strstr(all, "hunter2") && !strstr(all, "hun ter2"),
			      "a diagnostic shows the secret:\n%s", all);
		if (i < 6)
			ck_assert_msg(strstr(all, "password_file") && strstr(all, "~/.pgpass"), "%s", all);
		free(all);
		fleet_free(&f);
		fleet_diags_free(&d);
	}
	expect_ok("[database d]\ndsn = host=10.0.0.1 dbname=app user=monitor "
		  "options='-c statement_timeout=5s'\n[host a]\n");
	expect_ok("[database d]\ndsn = postgresql://monitor@10.0.0.1:5432/app?sslmode=require\n"
		  "[host a]\n");
}
END_TEST

START_TEST(test_references)
{
	expect_error("[host black]\n[service s]\nhost = blak\n", 3,
		     "host: there is no [host] named 'blak'; did you mean 'black'?");
	expect_error("[host black]\n[service s]\nhost = zzzzzz\n", 3, "there is no [host] named 'zzzzzz'");
	expect_error("[host a]\n[database main]\ndsn = host=x\nreplica_of = mian\n", 4,
		     "there is no [database] named 'mian'; did you mean 'main'?");
	expect_error("[host a]\n[database d]\ndsn = host=x\nreplica_of = d\n", 4, "itself");
	expect_error("[host a]\n[backup b]\nsource = command\ncommand = date\nrpo = 1h\nof = x\n", 6,
		     "no [database] or [host] named 'x'");
	expect_error("[host a]\n[key k]\nprovider = ssh-authorized-key\nhosts = a b\n"
		     "identity_file = /nonexistent\n", 4, "no [host] named 'b'");
	expect_error("[host a]\n[link a -> b]\n", 2, "no [host], [service] or [database] named 'b'");
	expect_error("[host a]\n[link x -> a]\n", 2, "link: there is no [host] named 'x'");
	expect_ok("[host a]\n[service api]\nhost = a\n[link a -> api]\nlabel = HTTP\n");
}
END_TEST

START_TEST(test_variants)
{
	expect_error("[host a]\n[database d]\ndsn = host=x\n[backup b]\nsource = restic\nhost = a\n"
		     "repo = /r\nrpo = 1h\ndatabase = d\n", 9,
		     "'database' is only for source = pg-archiver; this [backup] has source = restic");
	expect_error("[host a]\n[backup b]\nsource = command\ncommand = x\nrpo = 1h\nstanza = s\n", 6,
		     "only for source = pgbackrest");
	expect_error("[host a]\ngpus = nvidia\ngpu_url = http://127.0.0.1/\n", 3,
		     "only for gpus = http-json");
	expect_error("[host a]\n[runners r]\nprovider = command\nlist = ls\ntoken_file = /x\n", 5,
		     "only for provider = digitalocean");
	expect_error("[host a]\n[backup b]\nsource = restik\nrpo = 1h\n", 3,
		     "did you mean 'restic'?");
	/* path is a key of two sources, host of four. */
	expect_ok("[host a]\n[backup b]\nsource = restic\nhost = a\nrepo = /r\npath = /etc\nrpo = 1h\n");
	expect_ok("[host a]\n[backup b]\nsource = command\ncommand = date\nrpo = 1h\n");
}
END_TEST

START_TEST(test_inline_secret_keys)
{
	expect_error("[host a]\n[database d]\ndsn = host=x\npassword = hunter2\n", 4,
		     "use password_file = PATH (mode 600) or password_file = env:NAME");
	expect_error("[host a]\n[runners r]\nprovider = digitalocean\ntag = t\ntoken = x\n"
		     "token_file = /nonexistent\n", 5, "use token_file");
}
END_TEST

START_TEST(test_gpu_fields)
{
	expect_error("[host a]\ngpus = http-json\ngpu_url = http://127.0.0.1/m\n"
		     "gpu_fields = utl=/u\n", 4, "unknown field 'utl' (did you mean 'util'?)");
	expect_error("[host a]\ngpus = http-json\ngpu_url = http://127.0.0.1/m\n"
		     "gpu_fields = util=u\n", 4, "starts with '/'");
	expect_error("[host a]\ngpus = http-json\ngpu_url = http://127.0.0.1/m\n"
		     "gpu_fields = util=/a util=/b\n", 4, "mapped twice");
	expect_ok("[host a]\ngpus = http-json\ngpu_url = http://127.0.0.1/m\n"
		  "gpu_fields = list=/gpus util=/util temp=\n");
}
END_TEST

START_TEST(test_runner_status)
{
	expect_ok("[host a]\n[runners r]\nprovider = command\nlist = ls\nstatus = github acme/app\n");
	expect_ok("[host a]\n[runners r]\nprovider = command\nlist = ls\nstatus = none\n");
	expect_error("[host a]\n[runners r]\nprovider = command\nlist = ls\nstatus = gitlab x\n", 5,
		     "expected none, forgejo URL");
	expect_error("[host a]\n[runners r]\nprovider = command\nlist = ls\nstatus = github acme\n", 5,
		     "OWNER/REPO");
	expect_error("[host a]\n[runners r]\nprovider = command\nlist = ls\n"
		     "status = forgejo https://f token=x\n", 5, "token_file=PATH");
}
END_TEST

START_TEST(test_key_sections)
{
	expect_error("[host a]\n[database d]\ndsn = host=x\n[key k]\nprovider = pg-apikey\n"
		     "database = d\nid = 3\nwhere = x\n", 8, "either id or where");
	expect_error("[host a]\n[database d]\ndsn = host=x\n[key k]\nprovider = pg-apikey\n"
		     "database = d\ncolumns = a b c\n", 7, "expected 5 names");
}
END_TEST

START_TEST(test_all_errors_collected)
{
	struct fleet f;
	struct fleet_diags d;
	char *all;

	ck_assert_int_eq(load("[host a]\n"
			      "intreval = 2s\n"        /* 2 */
			      "ram_reserve = x\n"      /* 3 */
			      "[hots b]\n"             /* 4 */
			      "[service s]\n"          /* 5: no host */
			      "check = tcp x\n"        /* 6 */
			      "[host a]\n"             /* 7 */
			      "garbage line\n", &f, &d), -1);   /* 8 */
	all = diags_text(&d);
	ck_assert_msg(d.nerrors == 7, "expected 7 errors, got %zu:\n%s", d.nerrors, all);
	for (size_t i = 1; i < d.n; i++)
		ck_assert_int_ge(d.v[i].line, d.v[i - 1].line);
	ck_assert_msg(strstr(all, "t.fleet:2: error: unknown key 'intreval'"), "%s", all);
	ck_assert_msg(strstr(all, "t.fleet:5: error: [service s] needs host"), "%s", all);
	free(all);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

START_TEST(test_too_many_errors)
{
	size_t n = 5000, len = 0;
	char *text = xmalloc(n * 8 + 16);
	struct fleet f;
	struct fleet_diags d = { 0 };

	len += (size_t)sprintf(text, "[host a]\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "bad %zu\n", i % 10);
	ck_assert_int_eq(fleet_load_buffer("t.fleet", text, len, &f, &d), -1);
	ck_assert_int_eq(d.nerrors, n);
	ck_assert_int_le(d.n, 201);
	ck_assert(has_diag(&d, 0, true, "too many problems"));
	free(text);
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

/* ---- garbage ---- */

START_TEST(test_garbage_bytes)
{
	static const char bin[] = "[host a]\nrole = x\0y\n\x01\x02\n\xff\xfe[\n";
	struct fleet f;
	struct fleet_diags d = { 0 };
	char *big;
	unsigned seed = 1;

	ck_assert_int_eq(fleet_load_buffer("t.fleet", bin, sizeof(bin) - 1, &f, &d), -1);
	ck_assert(has_diag(&d, 2, false, "NUL byte"));
	ck_assert(has_diag(&d, 3, false, "control character 0x01"));
	ck_assert(has_diag(&d, 4, false, "expected"));
	fleet_free(&f);
	fleet_diags_free(&d);

	big = xmalloc(100000);
	memset(big, 'x', 100000);
	memcpy(big, "[host a]\nrole = ", 16);
	ck_assert_int_eq(fleet_load_buffer("t.fleet", big, 100000, &f, &d), -1);
	ck_assert(has_diag(&d, 2, false, "longer than 4096 bytes"));
	fleet_free(&f);
	fleet_diags_free(&d);

	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < 4096; i++)
			big[i] = (char)(rand_r(&seed) & 0xff);
		fleet_load_buffer("t.fleet", big, (size_t)rand_r(&seed) % 4096, &f, &d);
		fleet_free(&f);
		fleet_diags_free(&d);
	}
	free(big);
	ck_assert_int_eq(fleet_load_buffer("t.fleet", "", 0, &f, &d), 0);
	ck_assert(has_diag(&d, 0, true, "no section to watch"));
	fleet_free(&f);
	fleet_diags_free(&d);
}
END_TEST

START_TEST(test_crlf_bom_no_newline)
{
	expect_ok("\xef\xbb\xbf[host a]\r\nrole = db\r\nssh = local");
	expect_error("[host a]\r\nrole = db\r\nfoo = 1", 3, "unknown key 'foo'");
}
END_TEST

/* ---- includes ---- */

START_TEST(test_include)
{
	struct fleet f;
	struct fleet_diags d = { 0 };
	char *top, *sub, *subdir, *all;

	tmp_setup();
	subdir = tmp_path("hosts");
	mkdir(subdir, 0700);
	top = tmp_path("main.fleet");
	sub = tmp_path("hosts/db.fleet");
	write_file(top, "[fleet main]\ninclude = hosts/db.fleet\ninterval = 3s\n"
		   "[host web]\njump = db\n", 0644);
	write_file(sub, "# the database hosts\n[host db]\nrole = db\n", 0644);
	ck_assert_int_eq(fleet_load(top, &f, &d), 0);
	ck_assert_int_eq(f.nhosts, 2);
	ck_assert(f.interval == 3);    /* [fleet] continued after the include */
	ck_assert_int_eq(f.nfiles, 2);
	ck_assert_str_eq(f.hosts[0].sec->file, sub);
	ck_assert_int_eq(f.hosts[0].sec->line, 2);
	ck_assert_int_eq(f.hosts[1].jump_index, 0);
	fleet_free(&f);
	fleet_diags_free(&d);

	/* Keys at the top of an included file are outside any section. */
	write_file(sub, "role = db\n[host db]\nfoo = 1\n", 0644);
	ck_assert_int_eq(fleet_load(top, &f, &d), -1);
	all = diags_text(&d);
	ck_assert_msg(strstr(all, "db.fleet:1: error: role is outside of any section"), "%s", all);
	ck_assert_msg(strstr(all, "db.fleet:3: error: unknown key 'foo'"), "%s", all);
	free(all);
	fleet_free(&f);
	fleet_diags_free(&d);

	/* A cycle, and a file included twice. */
	write_file(sub, "[host db]\ninclude = ../main.fleet\n", 0644);
	ck_assert_int_eq(fleet_load(top, &f, &d), -1);
	ck_assert(has_diag(&d, 2, false, "include cycle"));
	fleet_free(&f);
	fleet_diags_free(&d);
	write_file(sub, "[host db]\n", 0644);
	write_file(top, "include = hosts/db.fleet\ninclude = hosts/../hosts/db.fleet\n", 0644);
	ck_assert_int_eq(fleet_load(top, &f, &d), 0);
	ck_assert(has_diag(&d, 2, true, "already included"));
	fleet_free(&f);
	fleet_diags_free(&d);

	/* Missing, a directory, too deep. */
	write_file(top, "include = nope.fleet\ninclude = hosts\n", 0644);
	ck_assert_int_eq(fleet_load(top, &f, &d), -1);
	ck_assert(has_diag(&d, 1, false, "nope.fleet: No such file or directory"));
	ck_assert(has_diag(&d, 2, false, "Is a directory"));
	fleet_free(&f);
	fleet_diags_free(&d);
	for (int i = 0; i < 12; i++) {
		char *p = xasprintf("%s/d%d.fleet", tmpdir, i);
		char *t = xasprintf("[host h%d]\ninclude = d%d.fleet\n", i, i + 1);
		write_file(p, t, 0644);
		free(p);
		free(t);
	}
	free(top);
	top = tmp_path("d0.fleet");
	ck_assert_int_eq(fleet_load(top, &f, &d), -1);
	ck_assert(has_diag(&d, 2, false, "nested more than 8 levels"));
	fleet_free(&f);
	fleet_diags_free(&d);

	free(top);
	free(sub);
	free(subdir);
	tmp_teardown();
}
END_TEST

/* ---- secrets ---- */

START_TEST(test_secret_permissions)
{
	struct fleet f;
	struct fleet_diags d = { 0 };
	char *key, *text, *all, *want;

	tmp_setup();
	key = tmp_path("do_token");
	write_file(key, "t0ken\n", 0644);
	text = xasprintf("[host a]\n[runners r]\nprovider = digitalocean\ntag = t\ntoken_file = %s\n",
			 key);
	ck_assert_int_eq(fleet_load_buffer("t.fleet", text, strlen(text), &f, &d), -1);
	all = diags_text(&d);
	want = xasprintf("t.fleet:5: error: token_file: %s is readable by group or others (mode 0644)",
			 key);
	ck_assert_msg(strstr(all, want), "%s", all);
	free(want);
	want = xasprintf("chmod 600 %s", key);
	ck_assert_msg(strstr(all, want), "%s", all);
	ck_assert_msg(!strstr(all, "t0ken"), "the secret leaked: %s", all);
	free(want);
	free(all);
	fleet_free(&f);
	fleet_diags_free(&d);

	chmod(key, 0600);
	ck_assert_int_eq(fleet_load_buffer("t.fleet", text, strlen(text), &f, &d), 0);
	ck_assert_int_eq(d.n, 0);
	fleet_free(&f);
	fleet_diags_free(&d);
	free(text);

	/* Missing: a warning only. Relative: to the fleet file's directory. */
	text = xasprintf("[host a]\nidentity_file = keys/none\n");
	free(key);
	key = tmp_path("x.fleet");
	ck_assert_int_eq(fleet_load_buffer(key, text, strlen(text), &f, &d), 0);
	all = diags_text(&d);
	want = xasprintf("%s/keys/none does not exist", tmpdir);
	ck_assert_msg(d.n == 1 && d.v[0].warning && strstr(all, want), "%s", all);
	free(want);
	want = xasprintf("%s/keys/none", tmpdir);
	ck_assert_str_eq(f.hosts[0].identity_file, want);
	free(want);
	free(all);
	free(text);
	fleet_free(&f);
	fleet_diags_free(&d);
	free(key);
	tmp_teardown();
}
END_TEST

START_TEST(test_secret_env)
{
	struct fleet f;
	struct fleet_diags d;

	unsetenv("FD_TEST_UNSET");
	ck_assert_int_eq(load("[prometheus p]\nurl = https://10.0.0.1:9090\n"
			      "bearer_token_file = env:FD_TEST_UNSET\n", &f, &d), 0);
	ck_assert(has_diag(&d, 3, true, "environment variable FD_TEST_UNSET is not set"));
	fleet_free(&f);
	fleet_diags_free(&d);
	setenv("FD_TEST_SET", "secret-value", 1);
	expect_ok("[prometheus p]\nurl = https://10.0.0.1:9090\nbearer_token_file = env:FD_TEST_SET\n");
	expect_error("[prometheus p]\nurl = https://10.0.0.1:9090\nbearer_token_file = env:1BAD\n", 3,
		     "expected env:NAME");
	/* SSH keys come from files or the agent, never from the environment */
	expect_error("[host h]\nidentity_file = env:FD_TEST_SET\n", 2, "use ssh-agent");
}
END_TEST

START_TEST(test_read_secret)
{
	char err[512];
	char *s, *path;

	setenv("FD_TEST_TOKEN", "abc\n", 1);
	s = fleet_read_secret("env:FD_TEST_TOKEN", err, sizeof(err));
	ck_assert_str_eq(s, "abc");
	free(s);
	unsetenv("FD_TEST_TOKEN");
	ck_assert_ptr_null(fleet_read_secret("env:FD_TEST_TOKEN", err, sizeof(err)));
	ck_assert_str_eq(err, "environment variable FD_TEST_TOKEN is not set");

	tmp_setup();
	path = tmp_path("pass");
	write_file(path, "s3cret\r\n", 0600);
	s = fleet_read_secret(path, err, sizeof(err));
	ck_assert_str_eq(s, "s3cret");
	free(s);
	chmod(path, 0640);
	ck_assert_ptr_null(fleet_read_secret(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "chmod 600") && !strstr(err, "s3cret"), "%s", err);
	write_file(path, "\n", 0600);
	ck_assert_ptr_null(fleet_read_secret(path, err, sizeof(err)));
	ck_assert(strstr(err, "is empty"));
	ck_assert_ptr_null(fleet_read_secret(tmpdir, err, sizeof(err)));
	ck_assert(strstr(err, "not a regular file"));
	free(path);
	path = tmp_path("missing");
	ck_assert_ptr_null(fleet_read_secret(path, err, sizeof(err)));
	ck_assert(strstr(err, "No such file"));
	free(path);
	tmp_teardown();
}
END_TEST

/* ---- helpers for collectors ---- */

START_TEST(test_section_helpers)
{
	static const char text[] =
		"[host a]\n[database d]\ndsn = host=x\n"
		"[key k]\nprovider = pg-apikey\ndatabase = d\ndeliver_file = out/key\n"
		"[runners r]\nprovider = digitalocean\ntag = t\ntoken_file = env:DO\n";
	struct fleet f;
	struct fleet_diags d = { 0 };
	const struct fleet_section *k, *r;
	char **w;
	size_t n;
	char *p;

	setenv("HOME", "/home/tester", 1);
	setenv("DO", "x", 1);
	ck_assert_int_eq(fleet_load_buffer("/etc/fd/t.fleet", text, sizeof(text) - 1, &f, &d), 0);
	k = fleet_find_section(&f, SEC_KEY, "k");
	r = fleet_find_section(&f, SEC_RUNNERS, "r");
	ck_assert_str_eq(fleet_section_value(k, "table"), "api_keys");
	ck_assert_str_eq(fleet_section_value(k, "max_age"), "90d");
	ck_assert_str_eq(fleet_section_value(k, "grace"), "24h");
	ck_assert_ptr_null(fleet_section_value(k, "id"));
	ck_assert_str_eq(fleet_section_value(r, "api"), "https://api.digitalocean.com/v2");
	ck_assert_str_eq(fleet_section_value(r, "step"), "1");
	p = fleet_section_path(k, "deliver_file");
	ck_assert_str_eq(p, "/etc/fd/out/key");
	free(p);
	p = fleet_section_path(r, "token_file");
	ck_assert_str_eq(p, "env:DO");
	free(p);
	ck_assert_ptr_null(fleet_section_path(r, "nope"));
	ck_assert_str_eq(fleet_kind_name(SEC_PROMETHEUS), "prometheus");
	ck_assert_int_eq(fleet_host_index(&f, "zz"), -1);
	fleet_free(&f);
	fleet_diags_free(&d);

	w = fleet_list_split(" a, b,,c  d ", &n);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(w[0], "a");
	ck_assert_str_eq(w[3], "d");
	ck_assert_ptr_null(w[4]);
	fleet_list_free(w);
	w = fleet_list_split("", &n);
	ck_assert_int_eq(n, 0);
	fleet_list_free(w);
}
END_TEST

/* ---- the man page follows the schema ---- */

static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 1 << 16, len = 0, r;
	char *buf = xmalloc(cap + 1);

	ck_assert_ptr_nonnull(fp);
	while ((r = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += r;
		if (len == cap)
			buf = xrealloc(buf, (cap *= 2) + 1);
	}
	fclose(fp);
	buf[len] = '\0';
	return buf;
}

START_TEST(test_man_page_current)
{
	char *man = read_all(SRCDIR "/doc/fleetdeck.fleet.5");
	char *gen = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&gen, &len);
	char *begin, *end, *line;

	fleet_schema_print_man(fp);
	fclose(fp);
	/* Every key of the schema is described in the page. */
	for (line = gen; (line = strstr(line, "\n.B ")); line++) {
		size_t n = strcspn(line + 4, "\n");
		char *want = xasprintf("\n.B %.*s\n", (int)n, line + 4);
		ck_assert_msg(strstr(man, want), "doc/fleetdeck.fleet.5 does not describe key %s", want + 4);
		free(want);
	}
	begin = strstr(man, ".\\\" BEGIN KEYS\n");
	end = strstr(man, ".\\\" END KEYS\n");
	ck_assert_msg(begin && end, "doc/fleetdeck.fleet.5 lacks the BEGIN/END KEYS markers");
	begin += strlen(".\\\" BEGIN KEYS\n");
	ck_assert_msg((size_t)(end - begin) == len && memcmp(begin, gen, len) == 0,
		      "the key reference in doc/fleetdeck.fleet.5 is stale: run make update-fleet-man");
	free(gen);
	free(man);
}
END_TEST

static Suite *fleet_suite(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_data_files_valid);
	tcase_add_test(tc, test_cocotte_structure);
	tcase_add_test(tc, test_default_fleet);
	tcase_add_test(tc, test_fleet_fields);
	tcase_add_test(tc, test_fleet_name_from_file);
	tcase_add_test(tc, test_resolve_path);
	tcase_add_test(tc, test_load_missing_file);
	tcase_add_test(tc, test_ssh_forms);
	tcase_add_test(tc, test_ssh_default_is_name);
	tcase_add_test(tc, test_ssh_errors);
	tcase_add_test(tc, test_host_fields);
	tcase_add_test(tc, test_jumps);
	tcase_add_test(tc, test_disks);
	tcase_add_test(tc, test_thresholds_order);
	tcase_add_test(tc, test_comments_and_quotes);
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_unknown_kind);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_top_level_key);
	tcase_add_test(tc, test_required);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_values_never_leak_dsn);
	tcase_add_test(tc, test_references);
	tcase_add_test(tc, test_variants);
	tcase_add_test(tc, test_inline_secret_keys);
	tcase_add_test(tc, test_gpu_fields);
	tcase_add_test(tc, test_runner_status);
	tcase_add_test(tc, test_key_sections);
	tcase_add_test(tc, test_all_errors_collected);
	tcase_add_test(tc, test_too_many_errors);
	tcase_add_test(tc, test_garbage_bytes);
	tcase_add_test(tc, test_crlf_bom_no_newline);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_secret_permissions);
	tcase_add_test(tc, test_secret_env);
	tcase_add_test(tc, test_read_secret);
	tcase_add_test(tc, test_section_helpers);
	tcase_add_test(tc, test_man_page_current);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	if (argc > 1 && strcmp(argv[1], "--print-man") == 0) {
		fleet_schema_print_man(stdout);
		return 0;
	}
	sr = srunner_create(fleet_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
