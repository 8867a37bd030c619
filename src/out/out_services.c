#include "config.h"
#include "out/domains.h"

/* services: not collected yet; the arrays are present and empty (SPEC §4). */

json_t *json_gpus(OUT_ARGS, size_t host)
{
	(void)f; (void)s; (void)ev; (void)now; (void)host;
	return json_array();
}

json_t *json_services(OUT_ARGS)
{
	(void)f; (void)s; (void)ev; (void)now;
	return json_array();
}

json_t *json_links(OUT_ARGS)
{
	(void)f; (void)s; (void)ev; (void)now;
	return json_array();
}

void text_services(FILE *fp, OUT_ARGS)
{
	(void)fp; (void)f; (void)s; (void)ev; (void)now;
}
