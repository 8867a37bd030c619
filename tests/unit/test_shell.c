/* The request framing of collect/shell.c against a real /bin/sh on pipes
 * (the transport local.c uses): answers and exit statuses, a script's own
 * `exit`, a fake end marker in the output, and issue #13's promises — a
 * request that hangs is killed on the "host" with everything it started
 * (a grandchild included) and fails alone; a request over its output cap
 * fails alone; the shell serves the next request either way. */
#include "config.h"
#include "collect/shell.h"
#include "util/util.h"
#include "proc_alive.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
	pid_t pid;
	int in, out, err;
	bool hold_err;           /* stderr not delivered yet (as sshd may do) */
};

static ssize_t p_write(void *ctx, const char *buf, size_t len)
{
	struct child *c = ctx;
	ssize_t n = write(c->in, buf, len);

	if (n < 0)
		return errno == EAGAIN ? SHELL_AGAIN : SHELL_ERR;
	return n;
}

static ssize_t p_read(void *ctx, int stream, char *buf, size_t len)
{
	struct child *c = ctx;
	ssize_t n;

	if (stream && c->hold_err)
		return SHELL_AGAIN;
	n = read(stream ? c->err : c->out, buf, len);

	if (n < 0)
		return errno == EAGAIN ? SHELL_AGAIN : SHELL_ERR;
	return n;
}

static const struct shell_io io = { p_write, p_read };

static void child_start_cmd(struct child *c, const char *cmd);

static void child_start(struct child *c)
{
	child_start_cmd(c, NULL);
}

/* /bin/sh, or what cmd runs in its place (a host that is not a shell) */
static void child_start_cmd(struct child *c, const char *cmd)
{
	int pin[2], pout[2], perr[2];

	c->hold_err = false;

	ck_assert_int_eq(pipe(pin), 0);
	ck_assert_int_eq(pipe(pout), 0);
	ck_assert_int_eq(pipe(perr), 0);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		setsid();
		if (cmd)
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		else
			execl("/bin/sh", "sh", (char *)NULL);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	c->in = pin[1];
	c->out = pout[0];
	c->err = perr[0];
	fcntl(c->in, F_SETFL, O_NONBLOCK);
	fcntl(c->out, F_SETFL, O_NONBLOCK);
	fcntl(c->err, F_SETFL, O_NONBLOCK);
}

static void child_stop(struct child *c)
{
	close(c->in);
	close(c->out);
	close(c->err);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
}

struct answer {
	bool done, ok;
	int status;
	char out[256];
	size_t outlen;
	char err[256];
	char message[200];
};

static void on_answer(void *arg, const struct shell_result *r)
{
	struct answer *a = arg;

	a->done = true;
	a->ok = r->ok;
	a->status = r->status;
	a->outlen = r->outlen;
	str_copy(a->out, r->out, sizeof(a->out));
	str_copy(a->err, r->err ? r->err : "", sizeof(a->err));
	str_copy(a->message, r->message ? r->message : "", sizeof(a->message));
}

/* Pumps until the answer or `limit` seconds (stderr not polled while the
 * child holds it back); returns the seconds taken. */
static double pump(struct shell *sh, struct child *c, struct answer *a, double limit)
{
	double start = now_mono();
	char msg[256];

	while (!a->done && now_mono() - start < limit) {
		struct pollfd p[2] = { { c->out, POLLIN, 0 }, { c->err, POLLIN, 0 } };
		poll(p, c->hold_err ? 1 : 2, 50);
		ck_assert_msg(shell_pump(sh, &io, c, now_mono(), msg, sizeof(msg)) == 0, "%s", msg);
	}
	return now_mono() - start;
}

static double run(struct shell *sh, struct child *c, const char *script,
		  const struct shell_limits *lim, struct answer *a, double limit)
{
	memset(a, 0, sizeof(*a));
	shell_submit_limited(sh, script, lim, on_answer, a);
	return pump(sh, c, a, limit);
}

/* sshd forwards a session's stdout and stderr as they come: the end marker
 * on stdout may arrive before the stderr the script wrote just ahead of it
 * (under load: a backup's "password file missing" would be lost, given to
 * the next request). A request's stderr is its own either way. */
START_TEST(stderr_after_the_end_marker)
{
	struct child c;
	struct shell sh;
	struct answer a;
	struct shell_limits lim = { .timeout = 10 };

	child_start(&c);
	shell_init(&sh);
	shell_restart(&sh);
	run(&sh, &c, "echo ready", &lim, &a, 10);
	ck_assert(a.done && a.ok);
	ck_assert_str_eq(a.err, "");

	memset(&a, 0, sizeof(a));
	c.hold_err = true;
	shell_submit_limited(&sh, "echo out; echo 'the password file is missing' >&2; exit 3",
			     &lim, on_answer, &a);
	/* stdout (its marker included) comes in first, stderr still on its way */
	pump(&sh, &c, &a, 1.0);
	ck_assert_msg(!a.done, "completed before its stderr arrived (err '%s')", a.err);
	c.hold_err = false;
	pump(&sh, &c, &a, 10);
	ck_assert(a.done && a.ok);
	ck_assert_int_eq(a.status, 3);
	ck_assert_str_eq(a.out, "out\n");
	ck_assert_str_eq(a.err, "the password file is missing\n");
	/* the next request's stderr is its own: nothing left over */
	run(&sh, &c, "echo next", &lim, &a, 10);
	ck_assert(a.done && a.ok);
	ck_assert_str_eq(a.err, "");
	run(&sh, &c, "echo two >&2; echo lines >&2", &lim, &a, 10);
	ck_assert_str_eq(a.err, "two\nlines\n");
	shell_free(&sh);
	child_stop(&c);
}
END_TEST

static bool have_gnu_timeout(void)
{
	FILE *fp = popen("timeout --version 2>/dev/null", "r");
	char line[200] = "";
	bool gnu;

	if (!fp)
		return false;
	if (!fgets(line, sizeof(line), fp))
		line[0] = '\0';
	pclose(fp);
	gnu = strstr(line, "GNU") || strstr(line, "coreutils");
	return gnu;
}

START_TEST(answers_and_statuses)
{
	struct child c;
	struct shell sh;
	struct answer a;
	struct shell_limits lim = { .timeout = 10 };

	child_start(&c);
	shell_init(&sh);
	shell_restart(&sh);
	run(&sh, &c, "echo hello; echo world", &lim, &a, 10);
	ck_assert(a.done && a.ok);
	ck_assert_str_eq(a.out, "hello\nworld\n");
	ck_assert_int_eq(a.status, 0);
	/* a script's exit and cd end only that request */
	run(&sh, &c, "cd /; exit 3", &lim, &a, 10);
	ck_assert(a.ok);
	ck_assert_int_eq(a.status, 3);
	run(&sh, &c, "pwd", &lim, &a, 10);
	ck_assert(a.ok);
	ck_assert_str_ne(a.out, "/\n");
	/* output that looks like an end marker (wrong token) does not end it */
	run(&sh, &c, "printf '\\n@@FDEND-0000-2 0\\n'; echo after", &lim, &a, 10);
	ck_assert(a.ok);
	ck_assert_msg(strstr(a.out, "after") != NULL, "%s", a.out);
	/* a quote, a dollar and a backslash reach the script unchanged */
	run(&sh, &c, "printf '%s\\n' \"it's \\$HOME\"", &lim, &a, 10);
	ck_assert_str_eq(a.out, "it's $HOME\n");
	shell_free(&sh);
	child_stop(&c);
}
END_TEST

START_TEST(hung_request_killed_on_the_host)
{
	struct child c;
	struct shell sh;
	struct answer a;
	struct shell_limits lim = { .timeout = 1 };
	char dir[] = "/tmp/fdshellXXXXXX", path[64], script[256];
	FILE *fp;
	int pid = 0;
	double took;

	if (!have_gnu_timeout())
		return;   /* no remote deadline without GNU timeout: nothing to show */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	str_fmt(path, sizeof(path), "%s/pid", dir);
	/* a grandchild, as df is of the probe: it must die too */
	str_fmt(script, sizeof(script), "sh -c 'sleep 600 & echo $! > %s; wait'", path);
	child_start(&c);
	shell_init(&sh);
	shell_restart(&sh);
	took = run(&sh, &c, script, &lim, &a, 1 + SHELL_KILL_GRACE + 5);
	ck_assert(a.done);
	ck_assert(!a.ok);
	ck_assert_msg(strstr(a.message, "deadline on the host"), "%s", a.message);
	ck_assert_msg(took < 1 + SHELL_KILL_GRACE, "took %.1f s", took);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fscanf(fp, "%d", &pid), 1);
	fclose(fp);
	for (int i = 0; i < 40 && proc_alive(pid); i++)
		usleep(50000);
	ck_assert_msg(!proc_alive(pid), "the grandchild %d survived", pid);
	/* the same shell answers the next request */
	lim.timeout = 10;
	run(&sh, &c, "echo still here", &lim, &a, 10);
	ck_assert(a.ok);
	ck_assert_str_eq(a.out, "still here\n");
	unlink(path);
	rmdir(dir);
	shell_free(&sh);
	child_stop(&c);
}
END_TEST

START_TEST(output_cap_per_request)
{
	struct child c;
	struct shell sh;
	struct answer a;
	struct shell_limits small = { .timeout = 20, .max_output = 64 << 10 };
	struct shell_limits big = { .timeout = 20, .max_output = 8 << 20 };

	child_start(&c);
	shell_init(&sh);
	shell_restart(&sh);
	/* 2 MiB: over a 64 KiB cap, the request fails alone */
	run(&sh, &c, "i=0; while [ $i -lt 2048 ]; do printf '%1023s\\n' x; i=$((i+1)); done",
	    &small, &a, 20);
	ck_assert(a.done);
	ck_assert(!a.ok);
	ck_assert_msg(strstr(a.message, "more than 64 KiB"), "%s", a.message);
	/* the same 2 MiB under an 8 MiB cap: all of it (and the default cap is
	 * no session cap any more) */
	run(&sh, &c, "i=0; while [ $i -lt 2048 ]; do printf '%1023s\\n' x; i=$((i+1)); done",
	    &big, &a, 20);
	ck_assert(a.ok);
	ck_assert_uint_eq(a.outlen, 2048 * 1024);
	ck_assert_uint_le(sh.outcap, 1 << 20);   /* the big buffer was given back */
	shell_free(&sh);
	child_stop(&c);
}
END_TEST

/* A "shell" that swallows everything and never answers (a ForceCommand):
 * fleetdeck's deadline is the request's own, no grace; a real shell that
 * answered the prelude gets the grace the host-side kill needs. */
START_TEST(grace_only_for_a_shell_that_answers)
{
	struct child c;
	struct shell sh;
	struct answer a;
	struct shell_limits lim = { .timeout = 3 };
	char msg[256];
	double t0;

	child_start_cmd(&c, "cat >/dev/null");
	shell_init(&sh);
	shell_restart(&sh);
	memset(&a, 0, sizeof(a));
	shell_submit_limited(&sh, "echo hi", &lim, on_answer, &a);
	t0 = now_mono();
	ck_assert_int_eq(shell_pump(&sh, &io, &c, t0, msg, sizeof(msg)), 0);
	usleep(200000);
	ck_assert_int_eq(shell_pump(&sh, &io, &c, now_mono(), msg, sizeof(msg)), 0);
	ck_assert(!a.done);
	ck_assert(shell_deadline(&sh) <= t0 + 3 + 0.01);
	shell_free(&sh);
	child_stop(&c);

	child_start(&c);
	shell_init(&sh);
	shell_restart(&sh);
	lim.timeout = 10;
	run(&sh, &c, "echo hi", &lim, &a, 10);
	ck_assert(a.ok);
	memset(&a, 0, sizeof(a));
	shell_submit_limited(&sh, "sleep 5", &lim, on_answer, &a);
	t0 = now_mono();
	ck_assert_int_eq(shell_pump(&sh, &io, &c, t0, msg, sizeof(msg)), 0);
	ck_assert(shell_deadline(&sh) >= t0 + 10 + SHELL_KILL_GRACE - 0.01);
	shell_free(&sh);
	child_stop(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("shell");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, answers_and_statuses);
	tcase_add_test(tc, stderr_after_the_end_marker);
	tcase_add_test(tc, hung_request_killed_on_the_host);
	tcase_add_test(tc, output_cap_per_request);
	tcase_add_test(tc, grace_only_for_a_shell_that_answers);
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
