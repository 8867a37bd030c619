/* Fuzz target: what runner providers print on a host (provider/parse.c):
 * a `list` command's lines or JSON, `systemctl list-units` output for a
 * template unit, and creation times (epoch or ISO-8601). */
#include "config.h"
#include "provider/parse.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *name;
	static struct runners_sample r;
	double t;

	parse_runner_list(text, &r);
	parse_systemd_units(text, "forgejo-runner@", &r);
	parse_systemd_units(text, "x@.service", &r);
	(void)systemd_instance("forgejo-runner@", text);
	(void)parse_time_text(text, &t);
	name = systemd_unit_name(text, 3);
	free(name);
	free(text);
	return 0;
}
