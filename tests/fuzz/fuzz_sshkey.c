/* Fuzz target: the ssh-authorized-key rotation's inputs (provider/key_sshkey.c):
 * authorized_keys / .pub lines (each line of the input) normalised and
 * fingerprinted, and the whole input as a rotation state file, which an
 * interrupted rotation leaves behind and the next one reads back. */
#include "config.h"
#include "provider/sshkey.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *save = NULL;
	char pub[1024], fp[128], old_pub[1024], new_pub[1024], tmpdir[4096];

	(void)sshkey_state_parse((const char *)data, size, old_pub, new_pub, sizeof(old_pub),
				 tmpdir, sizeof(tmpdir));
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (sshkey_pub_normalize(l, pub, sizeof(pub)) == 0)
			sshkey_pub_fingerprint(pub, fp, sizeof(fp));
	free(text);
	return 0;
}
