/* pg-apikey: keys stored as prefix + lowercase hex SHA-256 of the whole key,
 * soft-deleted through revoked_at (the ToneForge model). Blocking libpq
 * calls with connect and statement timeouts: worker threads only. */
#ifndef FLEETDECK_PROVIDER_PGKEY_H
#define FLEETDECK_PROVIDER_PGKEY_H

#include <stddef.h>
#include "fleet/fleet.h"

/* The newest live key selected by the section: its creation time and a
 * shown id ("#12 tf_live_"). Returns 0, or -1 with err. */
int pgkey_read(const struct fleet *f, const struct fleet_section *sec, double timeout,
	       double *created_at, char *id, size_t idlen, char *err, size_t errlen);

#endif
