/* The host source: schedules a probe per host every interval over the
 * host's transport (SSH session or local shell) and publishes samples. */
#ifndef FLEETDECK_HOSTS_H
#define FLEETDECK_HOSTS_H

#include <stdbool.h>
#include "fleet/fleet.h"
#include "model/model.h"
#include "loop/pollset.h"
#include "collect/shell.h"

struct hosts;

/* notify is called (on the collector thread) after every publish. */
struct hosts *hosts_new(const struct fleet *f, struct model *m,
			void (*notify)(void *arg), void *arg);
void hosts_free(struct hosts *h);

/* once: poll each host twice (for CPU deltas) then stop polling it. */
void hosts_set_once(struct hosts *h, bool once);
void hosts_set_paused(struct hosts *h, bool paused);
void hosts_poll_now(struct hosts *h, double now);

void hosts_prepare(struct hosts *h, struct pollset *ps, double now, double *deadline);
void hosts_dispatch(struct hosts *h, const struct pollset *ps, double now);
/* The longest a --once round can take: every setup phase of a jumped host,
 * plus the queue before it (ceil(hosts / max_handshakes) setups ahead,
 * each bounded by its own phase deadlines). A safety net only. */
double hosts_round_limit(const struct fleet *f);
/* --once: every host has two good samples or a failure. */
bool hosts_round_done(const struct hosts *h);

/* For other collectors: runs script on host i (fleet.hosts index) over its
 * one session (or this machine's shell), after whatever is queued there.
 * cb runs later, never from here; on a transport failure r->ok is false and
 * r->message says why. The script runs under `timeout` on the host, killed
 * there with everything it started when it runs past its deadline (then
 * r->ok is false too), and at most SHELL_DEFAULT_OUTPUT may come back. Values from the fleet file or from remote systems
 * must be quoted with sh_quote() before they go into script. */
void hosts_submit(struct hosts *h, size_t i, const char *script, double timeout,
		  shell_cb cb, void *arg);
/* The same with an output cap sized for what the domain legitimately
 * sends (see shell.h); timeout <= 0: the host's. */
void hosts_submit_limited(struct hosts *h, size_t i, const char *script,
			  const struct shell_limits *limits, shell_cb cb, void *arg);
/* Whether host i answered its last probe (HC_OK), or why not. */
enum host_conn hosts_conn(const struct hosts *h, size_t i);
bool hosts_is_local(const struct hosts *h, size_t i);
/* Forwards the Unix socket path to dest:port through host i's session
 * (ssh -L); returns 0, or -1 with err (local hosts: -1). */
int hosts_forward(struct hosts *h, size_t i, const char *dest, int port, const char *path,
		  char *err, size_t errlen);

/* A stream to the unix socket path on host i (an engine's API socket),
 * carried over its session (ssh.h ssh_conn_open_socket: *fd is the
 * caller's; release the tunnel with ssh_tunnel_release() once done).
 * NULL for this machine (connect to path directly) or when it cannot be. */
struct ssh_tunnel;
struct ssh_tunnel *hosts_open_socket(struct hosts *h, size_t i, const char *path, int *fd);

#endif
