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

#endif
