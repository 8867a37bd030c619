/* Fuzz target: the host probe's output parser (remote, untrusted text).
 * Parses the input twice, the second time against the first result, so the
 * CPU-delta path sees hostile counters too. */
#include "config.h"
#include "collect/probe.h"

#include <stdint.h>
#include <stddef.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_sample a, b;
	char err[256];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	probe_parse((const char *)data, size, NULL, &a, err, sizeof(err));
	probe_parse((const char *)data, size, &a, &b, err, sizeof(err));
	return 0;
}
