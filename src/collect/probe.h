/* The host probe: a POSIX sh script fed to the host's long-lived shell each
 * poll, and the parser of what it prints. The script only reads /proc with
 * sh builtins (and runs df at its own cadence), so nothing has to be
 * installed on the host and a regular poll spawns no process there. */
#ifndef FLEETDECK_PROBE_H
#define FLEETDECK_PROBE_H

#include <stddef.h>
#include "fleet/fleet.h"
#include "model/model.h"

/* Parts of the probe read at their own, slower cadence (hosts.c). */
#define PROBE_SLOW  0x1   /* swap, per-CPU lines, oom_kill; btime and kernel
			     release once per shell (a session: a reboot ends it) */
#define PROBE_DISKS 0x2   /* df per watched mount: the one process */
#define PROBE_BOOT  0x4   /* with PROBE_SLOW: btime and kernel release again */

/* The script for host h (watched mounts quoted for sh) with the given
 * parts; without PROBE_DISKS it is sh builtins only (send it with
 * shell_submit_builtins). Malloc'd. */
char *probe_script(const struct fleet_host *h, unsigned parts);

/* Parses the probe's output into *s (fields and `valid` bits; CPU % from the
 * /proc/stat counters of prev, when prev has them). Leaves conn, error,
 * timing and history to the caller. Returns 0, or -1 with a message in err
 * when the output is not a probe's output at all (garbage, truncated). */
int probe_parse(const char *out, size_t len, const struct host_sample *prev,
		struct host_sample *s, char *err, size_t errlen);

#endif
