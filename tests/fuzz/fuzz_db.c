/* Fuzz target: a PostgreSQL statistics row as libpq hands it over
 * (collect/db_parse.c): 15 text columns, here the input's lines, a line
 * "\N" standing for SQL NULL. */
#include "config.h"
#include "collect/db_parse.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *p = text, *save = NULL;
	const char *col[DBC__COUNT] = { 0 };
	static struct db_sample s;
	int c = 0;

	for (char *l = strtok_r(p, "\n", &save); l && c < DBC__COUNT; l = strtok_r(NULL, "\n", &save))
		col[c++] = strcmp(l, "\\N") == 0 ? NULL : l;
	memset(&s, 0, sizeof(s));
	db_parse_row(col, &s);
	free(text);
	return 0;
}
