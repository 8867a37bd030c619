/* pg_notice.h — what fleetdeck does with a PostgreSQL server's notices.
 *
 * libpq's default notice processor prints every NOTICE/WARNING the server
 * sends to stderr, which in the dashboard is the terminal itself: a server
 * being shut down writes "WARNING: terminating connection ..." over the
 * frame, and a hostile server (or a function shadowed through the role's
 * search_path) writes escape sequences straight to the terminal. fleetdeck
 * drops them: what a user must know about a database comes from the query's
 * result and libpq's error message, both sanitised where they are shown.
 * Set on every connection right after it is created by PQconnectStart*()
 * (which reads nothing yet), never after a blocking PQconnectdb*(): the
 * server can send a WARNING while logging in (a role setting invalid at
 * login, a collation version mismatch), and the blocking call would already
 * have printed it (see key_pgapikey.c pg_connect_quiet). */
#ifndef FLEETDECK_PG_NOTICE_H
#define FLEETDECK_PG_NOTICE_H

#include <libpq-fe.h>

static inline void pg_notice_drop(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static inline void pg_notices_off(PGconn *c)
{
	if (c)
		PQsetNoticeProcessor(c, pg_notice_drop, NULL);
}

#endif
