/* Helpers for fuzz targets of parsers that read files (known_hosts, the
 * audit log): the input is written to one temporary file per process,
 * rewritten for every run. Header-only, libc only. */
#ifndef FLEETDECK_FUZZ_H
#define FLEETDECK_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The path of a file holding exactly data[0..size); NULL if it cannot be
 * written (then the run does nothing). */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	FILE *fp;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fleetdeck-fuzz-%d", (int)getpid());
	fp = fopen(path, "wb");
	if (!fp)
		return NULL;
	if (size && fwrite(data, 1, size, fp) != size) {
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	return path;
}

/* A NUL-terminated copy (malloc'd). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (!t)
		abort();
	memcpy(t, data, size);
	t[size] = '\0';
	return t;
}

#endif
