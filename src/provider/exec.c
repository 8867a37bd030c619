#define _GNU_SOURCE 1  /* pipe2 */
#include "config.h"
#include "provider/exec.h"
#include "provider/sshcmd.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > EXEC_MAX_OUTPUT)
		n = EXEC_MAX_OUTPUT - b->len;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

_Noreturn void exec_child(char *const argv[], int in, int out, int err)
{
	setpgid(0, 0);
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	fd_close_from(3);       /* only 0-2, however many fds fleetdeck holds */
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Feeds stdin, reads both outputs until EOF or the deadline. */
static void pump(int fin, int fout, int ferr, const char *in, double deadline,
		 struct buf *o, struct buf *e, bool *timed_out)
{
	size_t inpos = 0, inlen = in ? strlen(in) : 0;
	char tmp[4096];

	if (fin >= 0 && inlen == 0) {
		close(fin);
		fin = -1;
	}
	while (fout >= 0 || ferr >= 0) {
		struct pollfd p[3] = { { fout, POLLIN, 0 }, { ferr, POLLIN, 0 }, { fin, POLLOUT, 0 } };
		double left = deadline - now_mono();
		ssize_t n;

		if (left <= 0) {
			*timed_out = true;
			break;
		}
		if (poll(p, 3, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		if (fin >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = write(fin, in + inpos, inlen - inpos);
			if (n > 0)
				inpos += (size_t)n;
			if (n < 0 || inpos == inlen) {
				close(fin);
				fin = -1;
			}
		}
		for (int i = 0; i < 2; i++) {
			int *fd = i == 0 ? &fout : &ferr;
			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(*fd, tmp, sizeof(tmp));
			if (n > 0) {
				buf_add(i == 0 ? o : e, tmp, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	if (fin >= 0)
		close(fin);
	if (fout >= 0)
		close(fout);
	if (ferr >= 0)
		close(ferr);
}

/* Waits for the child until the deadline: one that closed its output but
 * kept running is killed (its process group) then, never waited for
 * forever. Sets *timed_out when it had to be killed. */
static int reap(pid_t pid, double deadline, bool *timed_out)
{
	int st = 0;
	pid_t w;

	while (!*timed_out) {
		w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_mono() >= deadline)
			*timed_out = true;
		else
			usleep(20000);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int exec_argv(char *const argv[], const char *in, double timeout, struct exec_result *r,
	      char *err, size_t errlen)
{
	int pi[2], po[2], pe[2];
	struct buf o = { 0 }, e = { 0 };
	double deadline;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(pi, O_CLOEXEC) < 0 || pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		str_fmt(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		str_fmt(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
		close(pi[0]); close(pi[1]); close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		return -1;
	}
	if (pid == 0)
		exec_child(argv, pi[0], po[1], pe[1]);
	close(pi[0]);
	close(po[1]);
	close(pe[1]);
	fcntl(pi[1], F_SETFL, O_NONBLOCK);
	deadline = now_mono() + timeout;
	pump(pi[1], po[0], pe[0], in, deadline, &o, &e, &r->timed_out);
	r->status = reap(pid, deadline, &r->timed_out);
	buf_add(&o, "", 0);
	buf_add(&e, "", 0);
	r->out = o.p;
	r->outlen = o.len;
	r->err = e.p;
	r->errlen = e.len;
	return 0;
}

int exec_script(const struct fleet *f, int host, const char *script, double timeout,
		struct exec_result *r, char *err, size_t errlen)
{
	struct sshcmd c;
	int rc;

	if (host < 0 || (size_t)host >= f->nhosts || f->hosts[host].local) {
		char *sh[] = { "/bin/sh", "-c", (char *)script, NULL };
		return exec_argv(sh, NULL, timeout, r, err, errlen);
	}
	if (sshcmd_open(&c, f, host, NULL, NULL, f->timeout, err, errlen) < 0)
		return -1;
	sshcmd_add(&c, script);
	rc = exec_argv(c.argv, NULL, timeout, r, err, errlen);
	if (rc == 0)
		sshcmd_explain(&c, r);
	sshcmd_close(&c);
	return rc;
}

void exec_result_free(struct exec_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* The first line that says something: ssh frames its host key warnings in
 * lines of '@', which are skipped, and so is the frame around the words. */
static void first_words(const char *e, char *line, size_t size)
{
	while (*e) {
		size_t n = strcspn(e, "\n");
		const char *a = e, *b = e + n;
		while (a < b && (*a == '@' || *a == ' ' || *a == '\r'))
			a++;
		while (b > a && (b[-1] == '@' || b[-1] == ' ' || b[-1] == '\r'))
			b--;
		if (b > a) {
			str_fmt(line, size, "%.*s", (int)(b - a), a);
			return;
		}
		e += n + (e[n] == '\n');
	}
	line[0] = '\0';
}

void exec_describe(const struct exec_result *r, char *buf, size_t size)
{
	char line[200] = "";

	if (r->timed_out) {
		str_copy(buf, "timed out (the command was killed)", size);
		return;
	}
	first_words(r->err ? r->err : "", line, sizeof(line));
	str_sanitize(line);
	if (line[0])
		str_fmt(buf, size, "exit %d: %s", r->status, line);
	else
		str_fmt(buf, size, "exit %d", r->status);
}
