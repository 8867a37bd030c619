#include "config.h"
#include "out/domains.h"

/* databases: not collected yet; the arrays are present and empty (SPEC §4). */

json_t *json_databases(OUT_ARGS)
{
	(void)f; (void)s; (void)ev; (void)now;
	return json_array();
}

json_t *json_backups(OUT_ARGS)
{
	(void)f; (void)s; (void)ev; (void)now;
	return json_array();
}

void text_databases(FILE *fp, OUT_ARGS)
{
	(void)fp; (void)f; (void)s; (void)ev; (void)now;
}
