/* known_hosts handling against lines as OpenSSH writes them. The two keys
 * and the hashed lines were made with ssh-keygen (-t ed25519, and -H). */
#include "config.h"
#include "collect/knownhosts.h"
#include "collect/ssh.h"
#include "collect/sshconfig.h"
#include "util/util.h"
#include "proc_alive.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <unistd.h>
#include <openssl/evp.h>

#define K1 "AAAAC3NzaC1lZDI1NTE5AAAAIFjc+zi8f7bRhr7ky8t8darOzuLjKcy+9gjySdyWHHKF"
#define K2 "AAAAC3NzaC1lZDI1NTE5AAAAIBRlFKNbCuv/yI9Kf5Kl7+5UqZPJDz0gV+thrfXmOaVc"
#define K1_FP "SHA256:KdKjIzOLImw+qX0gLRfhj3JNvSw1G8/Q2r2bDa6sszI"

static char dir[64];
static char file[128];
static unsigned char k1[64], k2[64];
static size_t k1len, k2len;

static size_t decode(const char *b64, unsigned char *out)
{
	int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)strlen(b64));
	ck_assert_int_gt(n, 0);
	return (size_t)n - (b64[strlen(b64) - 1] == '=') - (b64[strlen(b64) - 2] == '=');
}

static void write_file(const char *text)
{
	FILE *fp = fopen(file, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static void setup(void)
{
	str_copy(dir, "/tmp/fd-kh-XXXXXX", sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	str_fmt(file, sizeof(file), "%s/known_hosts", dir);
	k1len = decode(K1, k1);
	k2len = decode(K2, k2);
}

static void teardown(void)
{
	unlink(file);
	rmdir(dir);
}

static enum kh_result check(const char *host, int port, const unsigned char *k, size_t len)
{
	char err[256];
	return knownhosts_check(file, host, port, k, len, err, sizeof(err));
}

START_TEST(plain_and_port)
{
	write_file("# comment\n\nweb1,10.0.0.5 ssh-ed25519 " K1 "\n[db1]:2222 ssh-ed25519 " K2 " c\n");
	ck_assert_int_eq(check("web1", 22, k1, k1len), KH_MATCH);
	ck_assert_int_eq(check("10.0.0.5", 22, k1, k1len), KH_MATCH);
	ck_assert_int_eq(check("WEB1", 22, k1, k1len), KH_MATCH);
	ck_assert_int_eq(check("web1", 22, k2, k2len), KH_MISMATCH);
	ck_assert_int_eq(check("db1", 2222, k2, k2len), KH_MATCH);
	/* port 22's entry does not vouch for another port, nor the reverse */
	ck_assert_int_eq(check("web1", 2200, k1, k1len), KH_NOTFOUND);
	ck_assert_int_eq(check("db1", 22, k2, k2len), KH_NOTFOUND);
	ck_assert_int_eq(check("other", 22, k1, k1len), KH_NOTFOUND);
}
END_TEST

START_TEST(hashed)
{
	write_file("|1|6r4NKz0mJ+KA6I1xNVDrBOmWJx0=|m30nP9kOYUDosCSu+S8Nyr3LOTg= ssh-ed25519 " K1 "\n"
		   "|1|ZWZXcs42ICkY1DN3ikuBqjuQcqY=|Uu1SXlryksZeCwRe58i8ikooH88= ssh-ed25519 " K2 "\n");
	ck_assert_int_eq(check("hashed.example", 22, k1, k1len), KH_MATCH);
	ck_assert_int_eq(check("hashed.example", 2222, k2, k2len), KH_MATCH);
	ck_assert_int_eq(check("hashed.example", 22, k2, k2len), KH_MISMATCH);
	ck_assert_int_eq(check("hashed.other", 22, k1, k1len), KH_NOTFOUND);
}
END_TEST

START_TEST(wildcards_and_negation)
{
	write_file("*.lab,!bad.lab ssh-ed25519 " K1 "\n");
	ck_assert_int_eq(check("a.lab", 22, k1, k1len), KH_MATCH);
	ck_assert_int_eq(check("bad.lab", 22, k1, k1len), KH_NOTFOUND);
	ck_assert_int_eq(check("a.lab.evil", 22, k1, k1len), KH_NOTFOUND);
}
END_TEST

START_TEST(revoked_wins)
{
	write_file("web1 ssh-ed25519 " K1 "\n@revoked * ssh-ed25519 " K1 "\n");
	ck_assert_int_eq(check("web1", 22, k1, k1len), KH_REVOKED);
}
END_TEST

START_TEST(cert_authority_is_skipped)
{
	char err[256] = "";

	write_file("@cert-authority *.lab ssh-ed25519 " K1 "\n");
	/* certificates are not supported: a CA line vouches for nothing, and
	 * the reason is given so the user is not left guessing */
	ck_assert_int_eq(knownhosts_check(file, "a.lab", 22, k1, k1len, err, sizeof(err)), KH_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(err, "certificates are not supported"));
}
END_TEST

START_TEST(missing_file_and_garbage)
{
	ck_assert_int_eq(check("web1", 22, k1, k1len), KH_NOTFOUND);
	write_file("web1\n\x01\x02 garbage\nweb1 ssh-ed25519 !!!notbase64\n@bogus x y z\n");
	ck_assert_int_eq(check("web1", 22, k1, k1len), KH_MISMATCH);
}
END_TEST

START_TEST(add_then_match)
{
	char err[256] = "";
	struct stat st;
	char *types;

	ck_assert_int_eq(knownhosts_add(file, "127.0.0.2", 2201, k1, k1len, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(check("127.0.0.2", 2201, k1, k1len), KH_MATCH);
	ck_assert_int_eq(check("127.0.0.2", 2201, k2, k2len), KH_MISMATCH);
	types = knownhosts_types_for(file, "127.0.0.2", 2201);
	ck_assert_str_eq(types, "ssh-ed25519");
	free(types);
	ck_assert_ptr_null(knownhosts_types_for(file, "127.0.0.9", 22));
}
END_TEST

START_TEST(fingerprint_like_ssh_keygen)
{
	char fp[96], type[32];

	knownhosts_fingerprint(k1, k1len, fp, sizeof(fp));
	ck_assert_str_eq(fp, K1_FP);
	ck_assert_int_eq(knownhosts_blob_type(k1, k1len, type, sizeof(type)), 0);
	ck_assert_str_eq(type, "ssh-ed25519");
	ck_assert_int_eq(knownhosts_blob_type((const unsigned char *)"\xff\xff\xff\xff", 4,
					      type, sizeof(type)), -1);
	/* only algorithm names known_hosts may hold */
	ck_assert_int_eq(knownhosts_blob_type((const unsigned char *)"\0\0\0\x03foo", 7,
					      type, sizeof(type)), -1);
}
END_TEST

/* A hostile server's key blob whose type carries a newline would add a line
 * of its choosing to known_hosts (any host, its key): refused. */
START_TEST(add_refuses_forged_type)
{
	unsigned char blob[128];
	const char *type = "ssh-ed25519\n* ssh-ed25519";
	size_t tl = strlen(type), n = 0;
	char err[256] = "", text[512] = "";
	FILE *fp;

	blob[n++] = 0; blob[n++] = 0; blob[n++] = 0; blob[n++] = (unsigned char)tl;
	memcpy(blob + n, type, tl);
	n += tl;
	memcpy(blob + n, k1 + 4 + 11, k1len - 15);
	n += k1len - 15;
	ck_assert_int_eq(knownhosts_add(file, "127.0.0.2", 2201, blob, n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no known type"));
	fp = fopen(file, "r");
	if (fp) {
		size_t got = fread(text, 1, sizeof(text) - 1, fp);
		text[got] = '\0';
		fclose(fp);
	}
	ck_assert_ptr_null(strchr(text, '*'));
	/* a name that would be a pattern is not written either */
	ck_assert_int_eq(knownhosts_add(file, "*", 22, k1, k1len, err, sizeof(err)), -1);
	ck_assert_int_eq(knownhosts_add(file, "a host", 22, k1, k1len, err, sizeof(err)), -1);
}
END_TEST

/* Reconnecting: windows of 1, 2, 4, ... doubling up to 60 s, full jitter
 * (uniform over the whole window), and a refused host key or login waits
 * 30-60 s at once. */
START_TEST(backoff_sequence)
{
	double b = 0, window[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };

	for (size_t i = 0; i < sizeof(window) / sizeof(window[0]); i++)
		ck_assert_double_eq_tol(ssh_backoff_next(&b, HC_UNREACHABLE, 0.5), window[i] / 2, 1e-9);
	b = 0;
	ck_assert_double_eq_tol(ssh_backoff_next(&b, HC_UNREACHABLE, 0.0), 0, 1e-9);
	ck_assert_double_eq_tol(ssh_backoff_next(&b, HC_UNREACHABLE, 0.75), 1.5, 1e-9);
	b = 0;
	ck_assert_double_eq_tol(ssh_backoff_next(&b, HC_HOSTKEY, 0.0), 30, 1e-9);
	b = 0;
	ck_assert_double_eq_tol(ssh_backoff_next(&b, HC_AUTH, 1.0), 60, 1e-9);
}
END_TEST

/* The jitter generator is seeded: the same seed gives the same waits, and a
 * fleet that failed together spreads evenly over the window (no decile
 * holds more than twice its share of 1,000 hosts). */
START_TEST(backoff_jitter_spreads)
{
	struct ssh_sched a, b;
	int decile[10] = { 0 };

	ssh_sched_init(&a, 4, 42);
	ssh_sched_init(&b, 4, 42);
	for (int i = 0; i < 1000; i++) {
		double x = ssh_sched_rand01(&a), bo = 1, wait;
		ck_assert_double_eq(x, ssh_sched_rand01(&b));
		ck_assert(x >= 0 && x < 1);
		wait = ssh_backoff_next(&bo, HC_UNREACHABLE, x);
		decile[(int)(wait * 10)]++;
	}
	for (int d = 0; d < 10; d++)
		ck_assert_int_lt(decile[d], 200);
	ssh_sched_init(&b, 4, 43);
	ssh_sched_init(&a, 4, 42);
	ck_assert(ssh_sched_rand01(&a) != ssh_sched_rand01(&b));
	ck_assert_int_ge(ssh_sched_default_cap(), 8);
	ck_assert_int_le(ssh_sched_default_cap(), 64);
}
END_TEST

/* The one identity resolver reads every field ssh -G prints that decides
 * where and as whom a login goes and which host key it must present. */
START_TEST(sshconfig_fields)
{
	char out[] = "user alice\nhostname 10.1.2.3\nport 2222\n"
		     "identityfile ~/.ssh/id_fleet\nidentityfile /k/two\n"
		     "proxyjump bastion:22\nhostkeyalias web-alias\n"
		     "userknownhostsfile /a/kh1 /a/kh2\n"
		     "globalknownhostsfile /etc/ssh/ssh_known_hosts\n";
	char none[] = "user bob\nhostname h\nport 22\nproxyjump none\n";
	struct ssh_target t;
	int port = 0;

	setenv("HOME", "/home/x", 1);
	sshconfig_parse(out, "web", NULL, 0, &t);
	ck_assert_str_eq(t.host, "10.1.2.3");
	ck_assert_str_eq(t.user, "alice");
	ck_assert_int_eq(t.port, 2222);
	ck_assert_int_eq(t.nidentity, 2);
	ck_assert_str_eq(t.identity_files[0], "/home/x/.ssh/id_fleet");
	ck_assert_str_eq(t.proxyjump, "bastion:22");
	ck_assert_str_eq(t.hostkeyalias, "web-alias");
	ck_assert_int_eq(t.nuser_known_hosts, 2);
	ck_assert_str_eq(t.user_known_hosts[1], "/a/kh2");
	ck_assert_int_eq(t.nglobal_known_hosts, 1);
	ck_assert_str_eq(ssh_target_keyname(&t, &port), "web-alias");
	ck_assert_int_eq(port, 22);
	ssh_target_free(&t);

	sshconfig_parse(none, "h", NULL, 0, &t);
	ck_assert_str_eq(t.proxyjump, "");
	ck_assert_str_eq(t.hostkeyalias, "");
	ck_assert_str_eq(ssh_target_keyname(&t, &port), "h");
	/* OpenSSH's defaults when the config names none */
	ck_assert_int_eq(t.nuser_known_hosts, 2);
	ck_assert_str_eq(t.user_known_hosts[0], "/home/x/.ssh/known_hosts");
	ssh_target_free(&t);
}
END_TEST

/* An ssh configuration file holding text, at a new name made from path
 * (a mkstemp template). */
static void config_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	size_t n = strlen(text);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/* Quitting while an ssh -G still runs (a slow Match exec): the job is
 * dropped, its child killed and reaped, and nothing is parsed: the alias
 * it points to belongs to a conn that hosts_free has already freed (ASan
 * found a use-after-free there in CI when a wall display quit early). */
START_TEST(sshconfig_job_dropped_unparsed)
{
	char cfg[] = "/tmp/fd-sshg-XXXXXX";
	struct sshconfig_job j;
	char *alias = xstrdup("slow-host");

	config_file(cfg, "Match exec \"sleep 5\"\n  Port 2200\n");
	memset(&j, 0, sizeof(j));
	j.req.alias = alias;
	j.req.config = cfg;
	sshconfig_job_start(&j, 0);
	ck_assert(!j.done);
	ck_assert_ptr_nonnull(j.ch);
	ck_assert(!sshconfig_job_step(&j, 0));
	free(alias);                 /* the conn goes first, as in hosts_free */
	sshconfig_job_free(&j);
	ck_assert_ptr_null(j.ch);
	ck_assert_str_eq(j.req.err, "");
	/* killed and reaped: this test's process has no child left */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	unlink(cfg);
}
END_TEST

/* The Match exec command an ssh -G runs (`sleep 30` here) dies with it:
 * killed at the job's deadline or when the job is dropped at quit, never
 * left running on this machine (it was orphaned at every timeout and quit:
 * only ssh -G itself was killed). */
START_TEST(sshconfig_job_kills_match_exec)
{
	for (int at_deadline = 0; at_deadline < 2; at_deadline++) {
		char cfg[] = "/tmp/fd-sshg-XXXXXX", pidf[] = "/tmp/fd-sshg-pid-XXXXXX", conf[256];
		struct sshconfig_job j;
		pid_t pid = 0;
		double until;

		config_file(pidf, "");
		snprintf(conf, sizeof(conf),
			 "Match exec \"echo $$ >%s; exec sleep 30\"\n  Port 2200\n", pidf);
		config_file(cfg, conf);
		memset(&j, 0, sizeof(j));
		j.req.alias = "slow-host";
		j.req.config = cfg;
		sshconfig_job_start(&j, 0);
		ck_assert(!j.done);
		/* the command runs (and said its pid): a guard, not a judgement */
		for (until = now_mono() + 20; !pid && now_mono() < until; usleep(20000)) {
			FILE *f = fopen(pidf, "r");
			char line[32];
			if (f && fgets(line, sizeof(line), f) && strchr(line, '\n'))
				pid = (pid_t)atoi(line);
			if (f)
				fclose(f);
		}
		ck_assert_int_gt(pid, 0);
		ck_assert(proc_alive(pid));
		if (at_deadline) {
			ck_assert(sshconfig_job_step(&j, 1e9));    /* past its 10 s */
			ck_assert(strstr(j.req.err, "did not finish"));
		}
		sshconfig_job_free(&j);
		/* SIGKILL is delivered at once; only init's reaping may lag */
		for (until = now_mono() + 5; proc_alive(pid) && now_mono() < until; usleep(20000))
			;
		ck_assert_msg(!proc_alive(pid), "the Match exec command (pid %d) outlived ssh -G%s",
			      (int)pid, at_deadline ? " at its deadline" : " when dropped");
		unlink(cfg);
		unlink(pidf);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("knownhosts");
	TCase *tc = tcase_create("check");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	/* a watchdog, not a judgement: the ssh -G job tests start ssh and a
	 * Match exec command, which the 4 s default cannot hold at load ~10
	 * (a package build's unit tests beside another CI test) */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, plain_and_port);
	tcase_add_test(tc, hashed);
	tcase_add_test(tc, wildcards_and_negation);
	tcase_add_test(tc, revoked_wins);
	tcase_add_test(tc, cert_authority_is_skipped);
	tcase_add_test(tc, missing_file_and_garbage);
	tcase_add_test(tc, add_then_match);
	tcase_add_test(tc, add_refuses_forged_type);
	tcase_add_test(tc, fingerprint_like_ssh_keygen);
	tcase_add_test(tc, backoff_sequence);
	tcase_add_test(tc, sshconfig_fields);
	tcase_add_test(tc, backoff_jitter_spreads);
	tcase_add_test(tc, sshconfig_job_dropped_unparsed);
	tcase_add_test(tc, sshconfig_job_kills_match_exec);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
