/* Blocking command execution for action workers (never on the UI or the
 * collector thread): a script run by this machine's sh, or on a [host] by
 * ssh(1) with the fleet's known_hosts and the host's identity, bounded by a
 * timeout after which the whole process group is killed. */
#ifndef FLEETDECK_PROVIDER_EXEC_H
#define FLEETDECK_PROVIDER_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include "fleet/fleet.h"

#define EXEC_MAX_OUTPUT (1u << 20)

struct exec_result {
	int status;          /* exit code; -1 when it did not exit normally */
	bool timed_out;
	char *out, *err;     /* NUL-terminated, malloc'd (free with exec_result_free) */
	size_t outlen, errlen;
};

/* Runs script with sh -c (host < 0 or a local host) or over ssh on
 * f->hosts[host]. Returns 0 when the script ran (see r->status), -1 with a
 * message in err when it could not be started. */
int exec_script(const struct fleet *f, int host, const char *script, double timeout,
		struct exec_result *r, char *err, size_t errlen);
/* Runs argv (argv[0] looked up in PATH) with stdin from in (may be NULL). */
int exec_argv(char *const argv[], const char *in, double timeout, struct exec_result *r,
	      char *err, size_t errlen);
void exec_result_free(struct exec_result *r);
/* "exit 3: <first line of stderr>" or "timed out after 30s", for users. */
void exec_describe(const struct exec_result *r, char *buf, size_t size);

/* In a forked child: its own process group (stopping it stops everything
 * it started), in/out/err on 0/1/2, every other fd closed, then exec.
 * Never returns. */
_Noreturn void exec_child(char *const argv[], int in, int out, int err);

#endif
