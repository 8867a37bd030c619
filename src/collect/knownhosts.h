/* OpenSSH known_hosts checking: plain and hashed (|1|salt|hash) names,
 * [host]:port, wildcards and negation, @revoked (refused) and
 * @cert-authority (certificates are not supported: such lines are skipped). */
#ifndef FLEETDECK_KNOWNHOSTS_H
#define FLEETDECK_KNOWNHOSTS_H

#include <stddef.h>
#include "collect/sshconfig.h"

enum kh_result {
	KH_MATCH,      /* the key is known for this host */
	KH_MISMATCH,   /* the host is known with another key: refuse */
	KH_NOTFOUND,   /* the host is not in the file */
	KH_REVOKED,    /* the key is marked @revoked: refuse */
	KH_ERROR,      /* the file could not be read (other than missing) */
};

/* Checks the server key blob (SSH wire format) for host:port. A missing file
 * is KH_NOTFOUND. err gets a reason on KH_ERROR, and on KH_NOTFOUND when only
 * a @cert-authority line covers the host (certificates are not supported). */
enum kh_result knownhosts_check(const char *file, const char *host, int port,
				const unsigned char *blob, size_t bloblen,
				char *err, size_t errlen);

/* Appends "host key" (or "[host]:port key") to file, creating it 0600 and
 * its directory if needed. Returns 0 or -1 with err. */
int knownhosts_add(const char *file, const char *host, int port,
		   const unsigned char *blob, size_t bloblen, char *err, size_t errlen);

/* Key types the file knows for host:port, comma-separated in file order, for
 * libssh2_session_method_pref(); NULL when none. Malloc'd. */
char *knownhosts_types_for(const char *file, const char *host, int port);

/* The known_hosts files a host's key is checked against, the same on every
 * path (the collector's libssh2 sessions, actions' ssh(1)): the fleet's
 * known_hosts when [fleet] sets one (accept-new writes there), else what
 * ssh_config says for the host: UserKnownHostsFile (accept-new writes to
 * the first) then GlobalKnownHostsFile (read only). Owns its strings. */
struct kh_files {
	char *file[1 + 2 * SSHCONFIG_MAX_KH];
	int n;                       /* files to check, in order */
	int nuser;                   /* the first nuser are the user's */
};
void knownhosts_files(const char *fleet_known_hosts, const struct ssh_target *t,
		      struct kh_files *out);
void knownhosts_files_free(struct kh_files *f);
/* knownhosts_check() over every file: @revoked anywhere refuses, a match
 * anywhere accepts, then a different key anywhere is a mismatch. *where
 * names the file that decided (or the first user file). */
enum kh_result knownhosts_check_files(const struct kh_files *f, const char *host, int port,
				      const unsigned char *blob, size_t bloblen,
				      char *err, size_t errlen, const char **where);
/* knownhosts_types_for() over every file. */
char *knownhosts_types_for_files(const struct kh_files *f, const char *host, int port);

/* "SHA256:<base64>" of a key blob, as ssh-keygen -l prints it. */
void knownhosts_fingerprint(const unsigned char *blob, size_t bloblen,
			    char *out, size_t outlen);

/* The algorithm name inside a key blob ("ssh-ed25519"), into out. */
int knownhosts_blob_type(const unsigned char *blob, size_t bloblen,
			 char *out, size_t outlen);

#endif
