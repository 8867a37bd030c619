/* Fuzz target: the fleet file parser and validator (fleet_load_buffer).
 * Built with driver.c for make check, or with libFuzzer (mk/fuzz.mk).
 * Includes resolve relative to the working directory. */
#include "config.h"
#include "fleet/fleet.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct fleet f;
	struct fleet_diags d = { 0 };

	if (!sink)
		sink = fopen("/dev/null", "w");
	fleet_load_buffer("fuzz.fleet", (const char *)data, size, &f, &d);
	/* The read side too: diagnostics and the lookups collectors make. */
	if (sink)
		fleet_diags_print(sink, &d);
	for (size_t i = 0; i < f.nhosts; i++) {
		const struct fleet_host *h = &f.hosts[i];
		if (fleet_host_index(&f, h->name) < 0 || (h->jump_index >= (int)f.nhosts))
			__builtin_trap();
	}
	for (size_t i = 0; i < f.nsections; i++) {
		const struct fleet_section *s = &f.sections[i];
		if (fleet_find_section(&f, s->kind, s->name) == NULL)
			__builtin_trap();
		fleet_section_value(s, "host");
	}
	fleet_free(&f);
	fleet_diags_free(&d);
	return 0;
}
