#define _GNU_SOURCE 1  /* pipe2 */
#include "config.h"
#include "loop/wake.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int wake_open(struct wake *w)
{
	w->fd[0] = w->fd[1] = -1;
	if (pipe2(w->fd, O_CLOEXEC) < 0) {
		w->fd[0] = w->fd[1] = -1;
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(w->fd[i], F_SETFL, fcntl(w->fd[i], F_GETFL) | O_NONBLOCK);
		fcntl(w->fd[i], F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

void wake_open_or_die(struct wake *w, const char *what)
{
	if (wake_open(w) < 0)
		fatal("%s: pipe: %s", what, strerror(errno));
}

void wake_close(struct wake *w)
{
	for (int i = 0; i < 2; i++) {
		if (w->fd[i] >= 0)
			close(w->fd[i]);
		w->fd[i] = -1;
	}
}

void wake_poke_byte(const struct wake *w, char b)
{
	int saved = errno;

	/* EAGAIN: the pipe is full, a wake-up is already pending */
	while (w->fd[1] >= 0 && write(w->fd[1], &b, 1) < 0 && errno == EINTR)
		;
	errno = saved;
}

void wake_poke(const struct wake *w)
{
	wake_poke_byte(w, 1);
}

void wake_drain(const struct wake *w)
{
	char buf[256];

	while (w->fd[0] >= 0 && read(w->fd[0], buf, sizeof(buf)) > 0)
		;
}
