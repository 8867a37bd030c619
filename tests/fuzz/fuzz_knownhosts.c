/* Fuzz target: the known_hosts reader (collect/knownhosts.c: plain and
 * hashed |1| names, [host]:port, wildcards, negation, @revoked,
 * @cert-authority), as a file, looked up for a few hosts and key blobs. */
#include "config.h"
#include "collect/knownhosts.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* an ssh-ed25519 blob (string "ssh-ed25519", string of 32 bytes) */
static const unsigned char ed25519[] = {
	0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { "127.0.0.2", "black", "host.example", "[x]" };
	static const int ports[] = { 22, 2201, 22, 0 };
	const char *file = fuzz_file(data, size);
	char err[256], *types;

	if (!file)
		return 0;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		knownhosts_check(file, hosts[i], ports[i], ed25519, sizeof(ed25519), err, sizeof(err));
		/* a blob that is not a key at all */
		knownhosts_check(file, hosts[i], ports[i], data, size < 64 ? size : 64, err,
				 sizeof(err));
		types = knownhosts_types_for(file, hosts[i], ports[i]);
		free(types);
	}
	return 0;
}
