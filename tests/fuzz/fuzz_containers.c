/* Fuzz target: the container engine parsers (collect/container_parse.c):
 * the API's list, inspect (API object or CLI array), stats, and the remote
 * cgroup script's output. Every input goes through all four. */
#include "config.h"
#include "collect/container_parse.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char ids[8][CTR_ID_MAX];
	static struct container_sample c[8];
	long pids[8];
	struct ctr_usage u;
	char err[200];
	const char *t = (const char *)data;
	int total = 0, n = 0;

	if (ctrp_list(t, size, ids, 8, &total, err, sizeof(err)) > 8)
		__builtin_trap();
	if (ctrp_inspect(t, size, c, pids, 8, &n, err, sizeof(err)) == 0 && n > 8)
		__builtin_trap();
	for (int k = 0; k < n; k++)
		if (memchr(c[k].name, 0, sizeof(c[k].name)) == NULL || pids[k] < 0)
			__builtin_trap();
	ctrp_stats(t, size, &u, err, sizeof(err));
	ctrp_cgroup(t, size, 4242, &u);
	ctrp_cgroup(t, size, 5151, &u);
	return 0;
}
