#define _GNU_SOURCE 1  /* pipe2 */
#include "config.h"
#include "collect/local.h"
#include "util/session.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct local_conn {
	double timeout;
	pid_t pid;
	int in, out, err;        /* our ends: child's stdin, stdout, stderr */
	int idx_in, idx_out, idx_err;
	bool out_eof, err_eof;
	double retry_at, backoff;
	char error[MODEL_ERR_LEN];
	struct shell shell;
};

struct local_conn *local_conn_new(double timeout)
{
	struct local_conn *c = xcalloc(1, sizeof(*c));

	c->timeout = timeout;
	c->pid = -1;
	c->in = c->out = c->err = -1;
	c->backoff = 1;
	shell_init(&c->shell);
	return c;
}

struct shell *local_conn_shell(struct local_conn *c)
{
	return &c->shell;
}

const char *local_conn_last_error(const struct local_conn *c)
{
	return c->error;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void stop_child(struct local_conn *c)
{
	close_fd(&c->in);
	close_fd(&c->out);
	close_fd(&c->err);
	if (c->pid > 0) {
		int st;
		/* the shell (its session's leader, see start_child) and every
		 * request it started: each runs in timeout's own process group */
		kill(c->pid, SIGKILL);
		session_kill(c->pid);
		while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	c->pid = -1;
}

static void fail(struct local_conn *c, double now, const char *msg)
{
	str_copy(c->error, msg, sizeof(c->error));
	stop_child(c);
	c->retry_at = now + c->backoff;
	c->backoff = c->backoff * 2 > 60 ? 60 : c->backoff * 2;
	shell_fail_all(&c->shell, HC_PROBE, c->error);
}

static int start_child(struct local_conn *c, double now)
{
	int pin[2], pout[2], perr[2];

	if (pipe2(pin, O_CLOEXEC) < 0)
		goto fail0;
	if (pipe2(pout, O_CLOEXEC) < 0)
		goto fail1;
	if (pipe2(perr, O_CLOEXEC) < 0)
		goto fail2;
	c->pid = fork();
	if (c->pid < 0)
		goto fail3;
	if (c->pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		fd_close_from(3);  /* the shell gets 0-2 and nothing of ours */
		setsid();  /* not in the terminal's process group: ^C is the UI's */
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
	c->out_eof = c->err_eof = false;
	shell_restart(&c->shell);
	return 0;
fail3:
	close(perr[0]);
	close(perr[1]);
fail2:
	close(pout[0]);
	close(pout[1]);
fail1:
	close(pin[0]);
	close(pin[1]);
fail0:
	{
		char msg[MODEL_ERR_LEN];
		str_fmt(msg, sizeof(msg), "cannot start /bin/sh: %s", strerror(errno));
		fail(c, now, msg);
	}
	return -1;
}

int local_conn_kick(struct local_conn *c, double now)
{
	if (c->pid > 0)
		return 0;
	if (now < c->retry_at)
		return -1;
	return start_child(c, now);
}

static ssize_t pipe_write(void *ctx, const char *buf, size_t len)
{
	struct local_conn *c = ctx;
	ssize_t n = write(c->in, buf, len);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? SHELL_AGAIN : SHELL_ERR;
	return n;
}

static ssize_t pipe_read(void *ctx, int stream, char *buf, size_t len)
{
	struct local_conn *c = ctx;
	int fd = stream ? c->err : c->out;
	ssize_t n;

	if (fd < 0 || (stream ? c->err_eof : c->out_eof))
		return 0;
	n = read(fd, buf, len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? SHELL_AGAIN : SHELL_ERR;
	if (n == 0) {
		if (stream)
			c->err_eof = true;
		else
			c->out_eof = true;
	}
	return n;
}

static const struct shell_io pipe_io = { pipe_write, pipe_read };

void local_conn_prepare(struct local_conn *c, struct pollset *ps, double *deadline)
{
	c->idx_in = c->idx_out = c->idx_err = -1;
	if (c->pid <= 0) {
		if (shell_busy(&c->shell))
			deadline_min(deadline, c->retry_at);
		return;
	}
	if (shell_wants_write(&c->shell))
		c->idx_in = pollset_add(ps, c->in, POLLOUT);
	if (!c->out_eof)
		c->idx_out = pollset_add(ps, c->out, POLLIN);
	if (!c->err_eof)
		c->idx_err = pollset_add(ps, c->err, POLLIN);
	deadline_min(deadline, shell_deadline(&c->shell));
}

void local_conn_dispatch(struct local_conn *c, const struct pollset *ps, double now)
{
	char msg[MODEL_ERR_LEN];

	if (c->pid <= 0) {
		if (shell_busy(&c->shell))
			local_conn_kick(c, now);
		if (c->pid <= 0)
			return;
	}
	if (shell_pump(&c->shell, &pipe_io, c, now, msg, sizeof(msg)) < 0) {
		fail(c, now, msg);
		return;
	}
	if (shell_deadline(&c->shell) && now > shell_deadline(&c->shell)) {
		str_fmt(msg, sizeof(msg), "the local probe did not answer within %.0fs", c->timeout);
		fail(c, now, msg);
		return;
	}
	c->backoff = 1;
	(void)ps;
}

void local_conn_free(struct local_conn *c)
{
	if (!c)
		return;
	stop_child(c);
	shell_free(&c->shell);
	free(c);
}
