/* Plausibility bounds for every number a remote system sends: one table.
 *
 * A host, an engine or a driver can answer anything: df saying -1 or 2^70
 * blocks, a GPU at -50 % or 1e21 %, a temperature of 1e308, MemTotal 0, a
 * container limited to 2^63-1 bytes. Parsers check each number against the
 * bounds of its kind here; an implausible one is not stored (the field stays
 * n/a, JSON null) and a note naming the field and the value is kept for the
 * rules to show, so garbage never becomes a confident status. The bounds are
 * wide on purpose: they refuse what cannot be, not what is merely unusual. */
#ifndef FLEETDECK_PLAUSIBLE_H
#define FLEETDECK_PLAUSIBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum plaus {
	P_PERCENT,    /* utilisation, pressure: 0..100 % */
	P_TEMP_C,     /* a temperature: -60..200 °C */
	P_BYTES,      /* a size or an amount used: 0..1 EiB */
	P_RAM,        /* a machine's or a device's total memory: 64 KiB..1 EiB */
	P_COUNT,      /* things listed: containers, processes, runners, jobs: 0..10^7 */
	P_COUNTER,    /* a monotonic event or time counter: 0..2^63 */
	P_SECONDS,    /* a duration or an age: 0..100 years */
	P_EPOCH,      /* a point in time, Unix seconds: 2000..2100 */
	P_WATTS,      /* a power draw or limit: 0..100 kW */
	P_LOAD,       /* a load average: 0..10^6 */
	P__COUNT
};

/* The largest byte count of P_BYTES; cgroup v1 and engines say "no limit"
 * with LONG_MAX rounded to a page, far above it (see P_NOLIMIT). */
#define P_BYTES_MAX ((double)(1ull << 60))
/* A memory limit this large is the kernel's "unlimited", not a limit. */
#define P_NOLIMIT ((uint64_t)1 << 62)

/* True when v is a finite number within the bounds of kind k. */
bool plausible(enum plaus k, double v);

/* Checks v; when it is implausible, appends "FIELD = VALUE: implausible
 * (MIN..MAX UNIT)" to note (joined with "; ", cut to fit) and returns
 * false. note may be NULL. */
bool plausible_check(enum plaus k, double v, const char *field, char *note, size_t size);

/* The same for a number that could not even be read as one (a 2^70 integer,
 * "-1" where only digits belong): its text, cut and made printable, is named. */
void plausible_note_text(enum plaus k, const char *text, size_t len, const char *field,
			 char *note, size_t size);

/* A decimal integer of text (digits only, after blanks, up to a blank, a
 * newline or the end) times scale, checked as kind k: *out is set and true
 * returned only for a plausible value; otherwise the note says why. */
bool plausible_u64(enum plaus k, const char *text, uint64_t scale, uint64_t *out,
		   const char *field, char *note, size_t size);

#endif
