#include "config.h"
#include "out/domains.h"

/* containers: not collected yet; the arrays are present and empty (SPEC §4). */

json_t *json_containers(OUT_ARGS, size_t host)
{
	(void)f; (void)s; (void)ev; (void)now; (void)host;
	return json_array();
}

void text_containers(FILE *fp, OUT_ARGS)
{
	(void)fp; (void)f; (void)s; (void)ev; (void)now;
}
