/* Fuzz target: the recording reader (--replay). The first byte picks the
 * input's form: a recording as it is on disk (zstd frames), or JSON lines
 * that the target compresses first, so that mutations reach the record
 * parser and the codec, not only the decompressor. Every input is opened,
 * sought to its start, middle and end, and judged by the rules. */
#include "config.h"
#include "record/replay.h"
#include "util/util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const void *buf, size_t len)
{
	struct replay rp;
	struct evaluation ev = { 0 };
	char err[512];

	if (replay_open_mem(&rp, buf, len, err, sizeof(err)) < 0)
		return;
	if (isfinite(rp.t0) && isfinite(rp.t1)) {
		double when[3] = { rp.t0, rp.t0 + (rp.t1 - rp.t0) / 2, rp.t1 };
		for (int i = 0; i < 3; i++)
			if (replay_seek(&rp, when[i]) == 0)
				rules_evaluate(&rp.f, &rp.snap, when[i], &rp.st, &ev);
		replay_event_after(&rp, rp.t0);
		replay_event_before(&rp, rp.t1);
	}
	evaluation_free(&ev);
	replay_close(&rp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap;
	void *z;

	if (size < 1)
		return 0;
	if (data[0] % 2 == 0) {
		run(data + 1, size - 1);
		return 0;
	}
	cap = ZSTD_compressBound(size - 1);
	z = xmalloc(cap);
	cap = ZSTD_compress(z, cap, data + 1, size - 1, 1);
	if (!ZSTD_isError(cap))
		run(z, cap);
	free(z);
	return 0;
}
