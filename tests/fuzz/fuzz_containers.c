/* Fuzz target: the container engine parsers (collect/container_parse.c):
 * the API's list (ids, and names and states kept only as clean text; the
 * row of a failed inspect built from them), inspect (API object or CLI
 * array), stats, and the remote cgroup script's output. Every input goes
 * through all of them. */
#include "config.h"
#include "collect/container_parse.h"
#include "util/text.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char ids[8][CTR_ID_MAX];
	static struct ctr_listed l[8];
	static struct container_sample c[8];
	long pids[8];
	struct ctr_usage u;
	char err[200];
	const char *t = (const char *)data;
	int total = 0, n = 0;
	char why[256];

	/* a failed inspect's reason: the input's first bytes, any text */
	memcpy(why, t, size < sizeof(why) ? size : sizeof(why) - 1);
	why[size < sizeof(why) ? size : sizeof(why) - 1] = 0;

	if (ctrp_list(t, size, ids, 8, &total, err, sizeof(err)) > 8)
		__builtin_trap();
	/* the list's names and states: bounded, and clean text or nothing */
	n = ctrp_list_info(t, size, l, 8, &total, err, sizeof(err));
	if (n > 8)
		__builtin_trap();
	for (int k = 0; k < n; k++) {
		if (!memchr(l[k].name, 0, sizeof(l[k].name)) || !memchr(l[k].state, 0, sizeof(l[k].state)) ||
		    !text_is_clean(l[k].name) || !text_is_clean(l[k].state))
			__builtin_trap();
		ctrp_unread(&c[0], &l[k], why);    /* the reason: any text, cleaned */
		if (!c[0].name[0] || !text_is_clean(c[0].name) || !text_is_clean(c[0].unread) ||
		    !memchr(c[0].unread, 0, sizeof(c[0].unread)))
			__builtin_trap();
	}
	n = 0;
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
