/* Fuzz target: the audit log reader (action/audit.c audit_read_tail), which
 * the Events view feeds from a file anything may have written or cut short:
 * JSON lines, torn lines, huge lines, more lines than the ring holds. */
#include "config.h"
#include "action/audit.h"
#include "fuzz.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct audit_entry out[8];
	const char *file = fuzz_file(data, size);

	if (!file)
		return 0;
	(void)audit_read_tail(file, out, 8);
	(void)audit_read_tail(file, out, 1);
	return 0;
}
