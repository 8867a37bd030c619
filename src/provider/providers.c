/* The providers, one table per kind: collect/runners.c and keys.c pick
 * how to read a section from them, action/action.c how to act on it. A new
 * provider is its file plus one row here (provider/provider.h). */
#include "config.h"
#include "provider/provider.h"
#include "util/util.h"

#include <string.h>

extern const struct runner_provider runner_command, runner_digitalocean, runner_systemd;
extern const struct key_provider key_command, key_pg_apikey, key_ssh_authorized_key;

static const struct runner_provider *const runner_providers[] = {
	&runner_command, &runner_digitalocean, &runner_systemd,
};
static const struct key_provider *const key_providers[] = {
	&key_command, &key_pg_apikey, &key_ssh_authorized_key,
};

const struct runner_provider *runner_provider_of(const struct fleet_section *sec)
{
	const char *p = sec ? fleet_section_value(sec, "provider") : NULL;

	for (size_t i = 0; p && i < ARRAY_LEN(runner_providers); i++)
		if (strcmp(runner_providers[i]->name, p) == 0)
			return runner_providers[i];
	return NULL;
}

const struct key_provider *key_provider_of(const struct fleet_section *sec)
{
	const char *p = sec ? fleet_section_value(sec, "provider") : NULL;

	for (size_t i = 0; p && i < ARRAY_LEN(key_providers); i++)
		if (strcmp(key_providers[i]->name, p) == 0)
			return key_providers[i];
	return NULL;
}
