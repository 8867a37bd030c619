/* The one wake pipe: a thread (or a signal handler) pokes it, a poll() loop
 * sees its read end become readable and drains it.
 *
 * Both ends are non-blocking and close-on-exec, so a poke never blocks (a
 * full pipe already says "wake up") and no child inherits it. wake_poke()
 * is async-signal-safe: it only calls write(2) and keeps errno. */
#ifndef FLEETDECK_WAKE_H
#define FLEETDECK_WAKE_H

struct wake {
	int fd[2];                   /* [0] read end for poll(), [1] write end */
};

/* Opens the pipe; returns 0, or -1 with errno set. A zeroed or closed wake
 * has both fds at -1 after wake_close(). */
int wake_open(struct wake *w);
/* Like wake_open(), but a failure ends the program (no pipe: nothing works). */
void wake_open_or_die(struct wake *w, const char *what);
void wake_close(struct wake *w);
/* Makes the read end readable; safe from any thread and signal handler. */
void wake_poke(const struct wake *w);
void wake_poke_byte(const struct wake *w, char b);
/* Empties the pipe (after poll() said it is readable). */
void wake_drain(const struct wake *w);
/* The fd to poll for POLLIN. */
static inline int wake_fd(const struct wake *w)
{
	return w->fd[0];
}

#endif
