#include "config.h"
#include "out/domains.h"

/* actions: not collected yet; the arrays are present and empty (SPEC §4). */

json_t *json_runners(OUT_ARGS)
{
	(void)f; (void)s; (void)ev; (void)now;
	return json_array();
}

json_t *json_keys(OUT_ARGS)
{
	(void)f; (void)s; (void)ev; (void)now;
	return json_array();
}

void text_actions(FILE *fp, OUT_ARGS)
{
	(void)fp; (void)f; (void)s; (void)ev; (void)now;
}
