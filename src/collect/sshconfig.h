/* THE one SSH identity resolver: a host (alias, fleet-file user/port)
 * through the user's OpenSSH configuration with `ssh -G`, so Host aliases,
 * HostName, User, Port, IdentityFile, ProxyJump, HostKeyAlias and the
 * known_hosts files mean the same to fleetdeck's collector, to every action
 * and to key rotation as they do to ssh(1). Without ssh(1), OpenSSH's
 * defaults. Who runs it when (once per alias, off the UI path) is the
 * caller's business (collect/ssh.c, provider/sshcmd.c). */
#ifndef FLEETDECK_SSHCONFIG_H
#define FLEETDECK_SSHCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define SSHCONFIG_MAX_IDS 8
#define SSHCONFIG_MAX_KH 4

struct ssh_target {
	char host[256];        /* HostName */
	char user[128];
	int port;
	char *identity_files[SSHCONFIG_MAX_IDS];  /* expanded, malloc'd */
	int nidentity;
	char proxyjump[256];   /* "" when none */
	/* the name host keys are recorded and looked up under, "" when none:
	 * then known_hosts knows the host as host, or [host]:port off 22 */
	char hostkeyalias[256];
	/* expanded, malloc'd. Keys are checked against all of them; an
	 * accept-new key is written to user_known_hosts[0] only (as ssh does) */
	char *user_known_hosts[SSHCONFIG_MAX_KH];
	int nuser_known_hosts;
	char *global_known_hosts[SSHCONFIG_MAX_KH];
	int nglobal_known_hosts;
};

/* user and port (0) override the config like -l and -p do. Returns 0, or -1
 * with err (only when ssh -G exists and refuses the name). */
int sshconfig_resolve(const char *alias, const char *user, int port, const char *config,
		      struct ssh_target *t, char *err, size_t errlen);
void ssh_target_free(struct ssh_target *t);
/* A deep copy (dst is overwritten, not freed). */
void ssh_target_copy(struct ssh_target *dst, const struct ssh_target *src);
/* The name and port to look host keys up with: HostKeyAlias (port 22, so
 * known_hosts has it plain, as ssh(1) does) or HostName and Port. */
const char *ssh_target_keyname(const struct ssh_target *t, int *port);

/* Parses `ssh -G` output (out is modified) into t; alias/user/port fill what
 * it lacks. Exposed for the unit tests. */
void sshconfig_parse(char *out, const char *alias, const char *user, int port,
		     struct ssh_target *t);

struct sshconfig_req {
	const char *alias, *user;  /* in */
	const char *config;        /* in: ssh -F file, NULL for ssh's default */
	int port;                  /* in */
	struct ssh_target target;  /* out */
	int rc;                    /* out: as sshconfig_resolve() */
	char err[256];             /* out */
};

/* Resolves n hosts with n concurrent ssh -G (bounded by one 3 s deadline). */
void sshconfig_resolve_many(struct sshconfig_req *reqs, size_t n);

/* One ssh -G run from a poll() loop, never blocking it: start it, poll
 * sshconfig_job_fd() for POLLIN, step it; when done, req holds the result
 * (as sshconfig_resolve_many() would). A job past its 10 s deadline is
 * killed, and its host is not connected (rc -1, err says why). */
struct sshg_child;
struct sshconfig_job {
	struct sshconfig_req req;
	double deadline;
	bool done;
	struct sshg_child *ch;     /* while running */
};
void sshconfig_job_start(struct sshconfig_job *j, double now);
int sshconfig_job_fd(const struct sshconfig_job *j);
/* Reads what the child wrote; returns whether the job is done. */
bool sshconfig_job_step(struct sshconfig_job *j, double now);
/* Frees what the job holds (a running child is killed). */
void sshconfig_job_free(struct sshconfig_job *j);

#endif
