/* A growable array of pollfds rebuilt every loop iteration: each source
 * adds what it waits for in prepare() and reads revents in dispatch(). */
#ifndef FLEETDECK_POLLSET_H
#define FLEETDECK_POLLSET_H

#include <poll.h>
#include <stddef.h>

struct pollset {
	struct pollfd *fds;
	size_t n, cap;
};

static inline void pollset_reset(struct pollset *ps) { ps->n = 0; }
/* Returns the index to read revents with, or -1 for fd < 0. */
int pollset_add(struct pollset *ps, int fd, short events);
short pollset_revents(const struct pollset *ps, int idx);
void pollset_free(struct pollset *ps);

/* Lowers *deadline to t when t is set (> 0) and earlier. */
static inline void deadline_min(double *deadline, double t)
{
	if (t > 0 && (*deadline <= 0 || t < *deadline))
		*deadline = t;
}

#endif
