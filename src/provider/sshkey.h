/* ssh-authorized-key: the key's inventory for the keys collector. Local
 * file reads only (no network), cheap enough for the collector thread. */
#ifndef FLEETDECK_PROVIDER_SSHKEY_H
#define FLEETDECK_PROVIDER_SSHKEY_H

#include <stddef.h>
#include "fleet/fleet.h"

/* The key's creation time (the private key file's mtime: ssh-keygen wrote
 * it, and a rotation installs a freshly generated file) and its shown id,
 * the SHA256 fingerprint of identity_file.pub ("" when that is missing).
 * Returns 0, or -1 with err. */
int sshkey_read(const struct fleet_section *sec, double *created_at, char *id, size_t idlen,
		char *err, size_t errlen);

/* "type blob [comment]" (a .pub or authorized_keys line) -> "type blob";
 * -1 when the line is no public key. */
int sshkey_pub_normalize(const char *line, char *out, size_t size);
/* OpenSSH's "SHA256:..." fingerprint of "type blob" ("(unreadable key)"). */
void sshkey_pub_fingerprint(const char *pub, char *out, size_t size);
/* An interrupted rotation's state file (JSON text): its phase ("added" or
 * "verified") with the old and new keys and the temp dir, or NULL when the
 * text is not a usable state. */
const char *sshkey_state_parse(const char *text, size_t len, char *old_pub, char *new_pub,
			       size_t publen, char *tmpdir, size_t tmplen);

#endif
