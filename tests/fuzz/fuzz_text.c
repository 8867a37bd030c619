/* Fuzz target: the one sanitiser of remote text (util/text.c). Besides not
 * crashing, it checks the promises every output relies on, and aborts
 * (a crash the driver saves) when one breaks:
 *   - the result is valid UTF-8 and holds no character text_cp_dropped()
 *     names (C0 but none, DEL, C1, bidi controls), nor tab/CR/LF;
 *   - it fits the destination, and a smaller destination gives a prefix
 *     of the full result cut on a character boundary;
 *   - cleaning in place gives the same bytes as cleaning into a copy;
 *   - cleaning twice changes nothing (idempotent), and text_is_clean() agrees;
 *   - json_text() always gives a string. */
#include "config.h"
#include "util/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clean(const char *s, size_t len)
{
	size_t at = 0;

	if (strlen(s) != len)
		abort();
	while (at < len) {
		uint32_t cp;
		int n = utf8_decode_n(s + at, len - at, &cp);
		if (n <= 0 || (n == 1 && cp == 0xfffd))
			abort();             /* not UTF-8 */
		if (text_cp_dropped(cp))
			abort();             /* a control or bidi character got through */
		at += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *full = malloc(size + 1), *small, *again, *inplace;
	size_t n, ns, cap = size / 2 + 1;
	json_t *j;

	n = text_clean_n(full, size + 1, (const char *)data, size);
	check_clean(full, n);
	if (n > size)
		abort();                     /* never grows */
	/* a smaller destination: a prefix, on a character boundary */
	small = malloc(cap);
	ns = text_clean_n(small, cap, (const char *)data, size);
	check_clean(small, ns);
	if (ns >= cap || memcmp(small, full, ns) != 0)
		abort();
	/* in place, as str_sanitize() does */
	inplace = malloc(size + 1);
	memcpy(inplace, data, size);
	inplace[size] = '\0';
	text_clean_n(inplace, size + 1, inplace, size);
	if (strcmp(inplace, full) != 0)
		abort();
	/* idempotent */
	again = text_clean_dup(full);
	if (strcmp(again, full) != 0 || !text_is_clean(full))
		abort();
	j = json_text(inplace, false);
	if (!json_is_string(j))
		abort();
	json_decref(j);
	free(again);
	free(inplace);
	free(small);
	free(full);
	return 0;
}
