/* Resolves a host through the user's OpenSSH configuration with `ssh -G`,
 * so Host aliases, HostName, User, Port, IdentityFile and ProxyJump mean the
 * same to fleetdeck as to ssh(1). Without ssh(1), falls back to defaults. */
#ifndef FLEETDECK_SSHCONFIG_H
#define FLEETDECK_SSHCONFIG_H

#include <stddef.h>

#define SSHCONFIG_MAX_IDS 8

struct ssh_target {
	char host[256];        /* HostName */
	char user[128];
	int port;
	char *identity_files[SSHCONFIG_MAX_IDS];  /* expanded, malloc'd */
	int nidentity;
	char proxyjump[256];   /* "" when none */
};

/* user and port (0) override the config like -l and -p do. Returns 0, or -1
 * with err (only when ssh -G exists and refuses the name). */
int sshconfig_resolve(const char *alias, const char *user, int port, const char *config,
		      struct ssh_target *t, char *err, size_t errlen);
void ssh_target_free(struct ssh_target *t);

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

#endif
