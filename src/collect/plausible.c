#include "config.h"
#include "collect/plausible.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one table, with the range as a user reads it. */
static const struct bound {
	double min, max;
	const char *range;
} bounds[P__COUNT] = {
	[P_PERCENT] = { 0, 100, "0..100 %" },
	/* below any inhabited place, above any silicon that still answers */
	[P_TEMP_C]  = { -60, 200, "-60..200 °C" },
	/* 1 EiB: more than any single filesystem or memory in a fleet */
	[P_BYTES]   = { 0, P_BYTES_MAX, "0..1 EiB" },
	[P_RAM]     = { 1 << 16, P_BYTES_MAX, "64 KiB..1 EiB" },
	[P_COUNT]   = { 0, 1e7, "0..10^7" },
	[P_COUNTER] = { 0, 9223372036854775807.0, "0..2^63" },
	[P_SECONDS] = { 0, 100 * 365.25 * 86400, "0..100 years" },
	[P_EPOCH]   = { 946684800, 4102444800, "the years 2000..2100" },
	[P_WATTS]   = { 0, 1e5, "0..100 kW" },
	[P_LOAD]    = { 0, 1e6, "0..10^6" },
};

bool plausible(enum plaus k, double v)
{
	if ((unsigned)k >= P__COUNT || !isfinite(v))
		return false;
	return v >= bounds[k].min && v <= bounds[k].max;
}

static void note_add(char *note, size_t size, const char *field, const char *value,
		     enum plaus k)
{
	size_t len;

	if (!note || !size)
		return;
	len = strlen(note);
	if (len && len + 3 < size) {
		str_copy(note + len, "; ", size - len);
		len += 2;
	}
	if (len + 1 >= size)
		return;
	str_fmt(note + len, size - len, "%s = %s: implausible (%s)", field, value,
		bounds[(unsigned)k < P__COUNT ? k : P_COUNT].range);
}

bool plausible_check(enum plaus k, double v, const char *field, char *note, size_t size)
{
	char value[32];

	if (plausible(k, v))
		return true;
	/* %g: 1e308 is six characters, never a line of digits */
	str_fmt(value, sizeof(value), "%.6g", v);
	note_add(note, size, field, value, k);
	return false;
}

void plausible_note_text(enum plaus k, const char *text, size_t len, const char *field,
			 char *note, size_t size)
{
	char value[40];
	size_t n = 0;

	/* long numbers are cut, with an ellipsis, so that the note stays short */
	for (size_t i = 0; i < len && text[i] && text[i] != '\n' && n < 24; i++)
		value[n++] = isprint((unsigned char)text[i]) ? text[i] : '?';
	value[n] = '\0';
	if (n == 24 && len > 24 && text[24] && text[24] != '\n')
		str_copy(value + n, "...", sizeof(value) - n);
	note_add(note, size, field, value[0] ? value : "(empty)", k);
}

bool plausible_u64(enum plaus k, const char *text, uint64_t scale, uint64_t *out,
		   const char *field, char *note, size_t size)
{
	const char *s = text;
	char *end;
	unsigned long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	errno = 0;
	v = isdigit((unsigned char)*s) ? strtoull(s, &end, 10) : 0;
	if (!isdigit((unsigned char)*s) || errno ||
	    (*end && *end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') ||
	    (scale > 1 && v > UINT64_MAX / scale) ||
	    !plausible(k, (double)v * (double)(scale ? scale : 1))) {
		size_t n = strcspn(s, " \t\r\n");
		plausible_note_text(k, s, n ? n : strlen(s), field, note, size);
		return false;
	}
	*out = (uint64_t)v * (scale ? scale : 1);
	return true;
}
