/* ssh-authorized-key's pure helpers (exposed for the fuzz targets); the
 * keys collector reads a key through the provider's row (provider.h). */
#ifndef FLEETDECK_PROVIDER_SSHKEY_H
#define FLEETDECK_PROVIDER_SSHKEY_H

#include <stddef.h>

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
