#include "config.h"
#include "loop/pollset.h"
#include "util/util.h"

#include <stdlib.h>

int pollset_add(struct pollset *ps, int fd, short events)
{
	if (fd < 0)
		return -1;
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->fds = xrealloc(ps->fds, ps->cap * sizeof(*ps->fds));
	}
	ps->fds[ps->n] = (struct pollfd){ fd, events, 0 };
	return (int)ps->n++;
}

short pollset_revents(const struct pollset *ps, int idx)
{
	if (idx < 0 || (size_t)idx >= ps->n)
		return 0;
	return ps->fds[idx].revents;
}

void pollset_free(struct pollset *ps)
{
	free(ps->fds);
	ps->fds = NULL;
	ps->n = ps->cap = 0;
}
