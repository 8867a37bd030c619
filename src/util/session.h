/* Ending every process of a session we started (setsid), not only its
 * leader: the local host's requests run under GNU timeout, which moves each
 * into a process group of its own, so killing the local shell left them
 * running to their deadline. */
#ifndef FLEETDECK_SESSION_H
#define FLEETDECK_SESSION_H

#include <sys/types.h>

/* SIGKILLs every live process whose session is sid (read from /proc),
 * pass after pass until none is left (a process may fork between a pass's
 * read and its kill); at most a few passes. Returns how many were killed.
 * Without /proc it does nothing. */
int session_kill(pid_t sid);

#endif
