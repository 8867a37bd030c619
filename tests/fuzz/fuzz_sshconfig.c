/* Fuzz target: `ssh -G` output (collect/sshconfig.c): the identity, user,
 * port, ProxyJump, HostKeyAlias and known_hosts files ssh(1) resolved for a
 * host, from a configuration the user (or anyone who wrote it) controls. */
#include "config.h"
#include "collect/sshconfig.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct ssh_target t, copy;
	int port;

	sshconfig_parse(text, "alias", NULL, 0, &t);
	ssh_target_copy(&copy, &t);
	(void)ssh_target_keyname(&copy, &port);
	ssh_target_free(&copy);
	ssh_target_free(&t);
	free(text);
	return 0;
}
