/* One persistent, non-blocking libssh2 session per host, with one
 * long-lived `sh` channel for requests (shell.h) and direct-tcpip tunnels
 * for hosts (and later databases) reached through it.
 *
 * Nothing here ever blocks: the collector loop calls ssh_conn_prepare() to
 * learn which fds and deadline to wait for, and ssh_conn_dispatch() when
 * they are ready. A dead or blackholed host costs only its own timeout. */
#ifndef FLEETDECK_SSH_H
#define FLEETDECK_SSH_H

#include <stdbool.h>
#include <stdint.h>
#include "fleet/fleet.h"
#include "collect/shell.h"
#include "loop/pollset.h"
#include "collect/resolver.h"
#include "collect/sshconfig.h"

struct ssh_conn;

/* The setup phases a deadline and a measurement each (enum ssh_phase). */
enum ssh_phase { SP_DNS, SP_TCP, SP_KEX, SP_AUTH, SP_SHELL, SP_ANSWER, SP__COUNT };

/* Counters for benchmarks and tests (FLEETDECK_STATS, hosts.c). */
struct ssh_stats {
	uint64_t setups;           /* handshakes started */
	uint64_t setups_ok;        /* reached a ready shell */
	uint64_t recv_calls, recv_eagain;   /* libssh2's recv() on our sockets */
	uint64_t send_calls, send_eagain;
	double phase_max[SP__COUNT];        /* slowest phase seen, seconds */
};

/* Admission of session setups for the whole collector: at most `cap`
 * handshakes (TCP connect to shell start) in flight, granted in the order
 * they were asked for, on top of the per-destination cap. Time spent
 * queued is not a timeout: each phase's deadline starts with the phase. */
struct ssh_sched {
	int cap;
	int in_flight, max_in_flight;
	struct ssh_conn *qhead, *qtail;
	uint64_t rng;              /* xorshift64*: backoff jitter */
	struct ssh_stats stats;
	struct resolver *resolver; /* name lookups (the owner's) */
	bool dns_ready;            /* a lookup finished since the last dispatch */
};

/* seed 0: from the clock and pid. */
void ssh_sched_init(struct ssh_sched *s, int cap, uint64_t seed);
/* Uniform in [0,1) from the scheduler's seeded generator. */
double ssh_sched_rand01(struct ssh_sched *s);
/* Starts queued setups while slots are free; call once per loop iteration. */
void ssh_sched_admit(struct ssh_sched *s, double now);
/* The default cap: what a client with this many cores sets up at once
 * without starving its own loop (a handshake costs ~2 ms of client CPU,
 * much more on the server). */
int ssh_sched_default_cap(void);

struct ssh_params {
	const char *name;           /* [host] name, for messages */
	const char *alias;          /* address or ssh-config alias */
	const char *user;           /* NULL: from ssh config */
	int port;                   /* 0: from ssh config */
	const char *identity_file;  /* NULL: ssh config's / defaults */
	const char *known_hosts;    /* [fleet] known_hosts, NULL: ssh_config's files */
	const char *ssh_config;     /* ssh -F file, NULL: ssh's default */
	enum host_key_policy policy;
	double timeout;
	struct ssh_conn *jump;      /* NULL: direct */
	int *dest_setups;           /* shared by all conns to the same address:
				       how many are being set up right now */
	struct ssh_sched *sched;    /* the collector's; required */
};

struct ssh_conn *ssh_conn_new(const struct ssh_params *p);
/* Closes the session (and tunnels through it). Disconnect every conn before
 * freeing any: a conn's tunnel lives on its jump host's conn. */
void ssh_conn_disconnect(struct ssh_conn *c);
void ssh_conn_free(struct ssh_conn *c);
/* The conn's ssh configuration, as `ssh -G` resolved it (hosts.c runs the
 * jobs, once per distinct alias/user/port); a conn connects only after. */
void ssh_conn_set_target(struct ssh_conn *c, const struct sshconfig_req *r);
/* What to run ssh -G with for this conn. */
void ssh_conn_resolve_key(const struct ssh_conn *c, const char **alias, const char **user,
			  int *port);
/* The ProxyJump the ssh configuration gives for this conn ("" if none;
 * after resolving), and setting the conn to connect through. */
const char *ssh_conn_proxyjump(const struct ssh_conn *c);
void ssh_conn_set_jump(struct ssh_conn *c, struct ssh_conn *jump);
bool ssh_conn_has_jump(const struct ssh_conn *c);

/* The request shell of this host; submit to it, then ssh_conn_kick(). */
struct shell *ssh_conn_shell(struct ssh_conn *c);
/* Starts connecting if there is work and the backoff allows it. Returns -1
 * (nothing queued is sent) while backing off after a failure. */
int ssh_conn_kick(struct ssh_conn *c, double now);

void ssh_conn_prepare(struct ssh_conn *c, struct pollset *ps, double *deadline);
void ssh_conn_dispatch(struct ssh_conn *c, const struct pollset *ps, double now);

/* Logs in again, because an action asks (a key rotation wants the
 * collector's own login with the newly installed key): once no request is
 * in flight the session closes (tunnels through it close too) and is set
 * up again at once, past any backoff, trying the identity file key first
 * (then the usual agent and identity files). */
void ssh_conn_relogin(struct ssh_conn *c, const char *key, double now);
/* The newest login: how many so far (0: none), its wall time and what
 * authenticated it (an identity file's path, "ssh-agent" or "none"). */
uint64_t ssh_conn_login(const struct ssh_conn *c, double *at, const char **key);

/* The last failure, for hosts in backoff. */
enum host_conn ssh_conn_last_fail(const struct ssh_conn *c, const char **msg,
				  const char **fingerprint);
bool ssh_conn_ready(const struct ssh_conn *c);
/* How long the login shell of the current session took to give its first
 * answer, when that was longer than the I/O timeout (the phase may take
 * three times that before it fails): a slow ~/.bashrc to name in the host's
 * problems even though it succeeded. 0: not slow, or not answered yet. */
double ssh_conn_slow_login(const struct ssh_conn *c);

/* Listens on the Unix socket path (made 0600, in runtime_dir(): 0700, ours)
 * — never a TCP port another local user could reach; each connection
 * there is carried to host:port through this session, like ssh -L. The
 * session is set up on the first connection if needed. */
int ssh_conn_forward(struct ssh_conn *c, const char *host, int port, const char *path,
		     char *err, size_t errlen);

/* A stream to a unix socket on the host (an engine's API socket): an
 * OpenSSH direct-streamlocal channel, as `docker -H ssh://` reaches the
 * daemon, but nothing runs on the host. *fd is the client's end of a socket
 * pair (theirs to close), carried over this session once it is up. The
 * tunnel lives until ssh_tunnel_release(), which the client calls once
 * done with fd; ssh_tunnel_error() says why it closed early ("" if not).
 * NULL: no socket pair, or a path too long for a unix socket. */
struct ssh_tunnel;
struct ssh_tunnel *ssh_conn_open_socket(struct ssh_conn *c, const char *path, int *fd, double now);
const char *ssh_tunnel_error(const struct ssh_tunnel *t);
/* Whether the host refused to open the channel (its sshd forwards no
 * streams to sockets, or nothing listens on that one). */
bool ssh_tunnel_refused(const struct ssh_tunnel *t);
void ssh_tunnel_release(struct ssh_tunnel *t);

/* The wait before the next try after a failure of this kind, with rnd01 in
 * [0,1) for full jitter (uniform in [0, *backoff]); doubles *backoff (1 s up
 * to 60 s; host key and authentication failures wait 30-60 s at once). */
double ssh_backoff_next(double *backoff, enum host_conn kind, double rnd01);

/* Cap on connections being set up at once through one jump host or to one
 * address: sshd's default MaxStartups refuses past 10. */
#define SSH_MAX_HANDSHAKES 8

#endif
