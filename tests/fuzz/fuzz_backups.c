/* Fuzz target: the backup sources' parsers (restic and pgBackRest JSON, the
 * file source's lines, command times) and the DSN mask. The first byte
 * picks the parser; the rest is its input. */
#include "config.h"
#include "collect/backup_parse.h"
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_sample b;
	char *text, out[192];
	double t;

	if (size < 1)
		return 0;
	text = xstrndup((const char *)data + 1, size - 1);
	memset(&b, 0, sizeof(b));
	switch (data[0] % 5) {
	case 0: backup_parse_restic(text, size - 1, "nightly", NULL, &b); break;
	case 1: backup_parse_pgbackrest(text, size - 1, "main", &b); break;
	case 2: backup_parse_file(text, &b); break;
	case 3: backup_parse_command(text, &b); backup_parse_time(text, &t); break;
	case 4: db_dsn_mask(text, out, sizeof(out)); break;
	}
	free(text);
	return 0;
}
