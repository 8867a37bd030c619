/* The audit log: one JSON line per action attempt (refused, cancelled,
 * confirmed, succeeded, failed) with time, user, host, action, target,
 * parameters, result and error. The file is created 0600 (its directory
 * 0700 when missing) and only ever appended to, one write() per line.
 * Secrets never reach it: parameters are built by the framework from
 * counts and names, never from a provider's output. */
#ifndef FLEETDECK_ACTION_AUDIT_H
#define FLEETDECK_ACTION_AUDIT_H

#include <stddef.h>
#include <jansson.h>

struct audit_entry {
	double time;
	char action[32];
	char target[96];
	char result[16];
	char params[160];        /* compact JSON text of the parameters */
	char error[192];
};

/* Appends one line; params may be NULL (then {}). Returns 0, or -1 with a
 * message in err (the caller shows it: an action must not run unaudited). */
int audit_append(const char *path, const struct audit_entry *e, json_t *params,
		 char *err, size_t errlen);
/* Reads the newest max entries of the log (oldest first); returns how many. */
size_t audit_read_tail(const char *path, struct audit_entry *out, size_t max);

#endif
