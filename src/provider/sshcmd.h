/* ssh(1) command lines for action workers: the ONE place that decides how
 * an action reaches a [host]. Where the login goes is the collector's
 * answer: each host and hop is resolved by the one identity resolver
 * (collect/sshconfig.h: ssh -G with the fleet's ssh_config; HostName, Port,
 * User, IdentityFile, ProxyJump, HostKeyAlias) and checked against the
 * collector's host key files (collect/knownhosts.h), and ssh(1) gets every
 * value on its command line with -F /dev/null, so no ssh_config can send it
 * elsewhere. BatchMode, the host-key policy, the `jump` chain (or the
 * ProxyJump of ssh_config when there is none) as below.
 *
 * Jump hosts are not passed with -J: ssh(1) hands a -J hop only -l, -p and
 * -F (not -i or -o, so a hop would use the user's default key, known_hosts
 * and prompts). Instead the login gets a ProxyCommand that does what
 * ProxyJump does, hop by hop with each hop's own options: `ssh HOP-OPTIONS
 * -W NEXT:NEXTPORT -- HOP` (a stdio forward: no listener anywhere, so no
 * other local user can reach the next sshd), logged in with that hop's
 * identity_file, user, known_hosts files and HostKeyAlias, itself reached
 * through the ProxyCommand of the hop before it. ssh(1) runs a ProxyCommand
 * with $SHELL (set to /bin/sh for the login: env SHELL=/bin/sh ssh ...):
 * every value in it is single-quoted so that sh(1) and ssh's own word
 * splitting read it alike (sshcmd_sh_words), every % doubled, a value with
 * a control character refused. The destination's own values are argv
 * elements; % is doubled in -i and UserKnownHostsFile (ssh expands tokens
 * there), known_hosts files are double-quoted (ssh splits that value).
 * A login through N hops waits (N + 1) x timeout for its banner.
 *
 * Blocking (fork, waits for forwards): worker threads only. */
#ifndef FLEETDECK_PROVIDER_SSHCMD_H
#define FLEETDECK_PROVIDER_SSHCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "fleet/fleet.h"
#include "collect/sshconfig.h"
#include "collect/knownhosts.h"

#define SSHCMD_MAX_HOPS 8
#define SSHCMD_MAX_ARGS 64

struct sshcmd_opts {
	const char *identity;        /* key to log in with; NULL: the host's identity_file */
	const char *user;            /* NULL: the host's user */
	/* log in with exactly `identity`: -F /dev/null, IdentitiesOnly, no
	 * agent, no passwords (ssh-authorized-key's verification). Jump hops
	 * are not affected: they use their own identity. */
	bool only_identity;
	bool strict;                 /* StrictHostKeyChecking=yes whatever the policy */
};

/* A running `ssh -N -L SOCKET:...` (a tunnel) child. */
struct sshfwd {
	pid_t pid;                   /* 0 when none */
	int port;                    /* a tunnel's N */
	char *path;                  /* a tunnel: its Unix socket, malloc'd */
	/* ssh's stderr, open while it runs: closing it would kill ssh with
	 * SIGPIPE at its next message ("channel 2: open failed ...") */
	int errfd;
};

/* One login (a hop or the destination) as the one identity resolver sees
 * it: the collector's ssh_target and host key files. */
struct sshdest {
	char name[128];              /* for messages: [host] name or hop */
	struct ssh_target t;
	struct kh_files kh;
	char *identity;              /* the fleet's identity_file, or NULL */
	bool resolved;
};
void sshdest_free(struct sshdest *d);

struct sshcmd {
	char *argv[SSHCMD_MAX_ARGS]; /* NULL-terminated, for exec_argv() */
	int argc;
	char *own[SSHCMD_MAX_ARGS];  /* argv strings to free */
	int nown;
	struct sshdest dest[SSHCMD_MAX_HOPS + 1];  /* hops in order, then the host */
	int ndest;
	/* the sh(1) ProxyCommand through the hops (NULL: none), malloc'd */
	char *proxy;
	int nhops;
};

/* Resolves host's jump chain (connection order: the host the chain starts
 * from first), builds its ProxyCommand (nothing runs yet) and builds "ssh OPTIONS EXTRA... -- DEST" in
 * c->argv; extra (NULL-terminated, may be NULL) are options placed before
 * the destination and are not copied. Append the remote command with
 * sshcmd_add(). opts may be NULL. Returns 0, or -1 with err (nothing left
 * running). Always sshcmd_close() after a 0. */
int sshcmd_open(struct sshcmd *c, const struct fleet *f, int host, const struct sshcmd_opts *o,
		const char *const *extra, double timeout, char *err, size_t errlen);
/* Appends one argument (not copied). */
void sshcmd_add(struct sshcmd *c, const char *arg);
/* " (through HOP, HOP)" for messages, or "" without hops. */
void sshcmd_route(const struct sshcmd *c, char *buf, size_t len);
/* argv as one sh(1) command line: each word single-quoted (' as '\''),
 * so no character of a word is anything but itself to sh. malloc'd. The
 * caller refuses control characters (a newline ends ssh's config line). */
char *sshcmd_sh_words(char *const argv[], int argc);
/* s with every % doubled, for a value ssh(1) expands %-tokens in
 * (ProxyCommand, IdentityFile, UserKnownHostsFile). malloc'd. */
char *sshcmd_pct_escape(const char *s);

/* After ssh exited 255: when a login of the chain (a hop or the host)
 * refused a host key, r->err starts with a line naming that login ("hop2:
 * HOST KEY CHANGED ([10.0.0.2]:22) not as in known_hosts"): through hops
 * ssh's own words do not say which. */
struct exec_result;
void sshcmd_explain(const struct sshcmd *c, struct exec_result *r);
/* Frees. */
void sshcmd_close(struct sshcmd *c);

/* A local forward -> dhost:dport as seen from host (through host's jump
 * chain): ssh -N -o ExitOnForwardFailure=yes -L on a Unix socket,
 * t->fwd.path = runtime_dir()/.s.PGSQL.N (N in t->fwd.port: libpq's
 * host=DIR port=N), in our own 0700 directory so no other local user can
 * connect; the call returns once the socket accepts connections, or -1 with
 * err (within a bound). */
struct sshtun {
	struct sshcmd cmd;           /* the hops to host */
	struct sshfwd fwd;
};
int sshtun_open(struct sshtun *t, const struct fleet *f, int host, const char *dhost, int dport,
		double timeout, char *err, size_t errlen);
void sshtun_close(struct sshtun *t);

#endif
