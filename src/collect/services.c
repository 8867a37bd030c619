#include "config.h"
#include "collect/source.h"

/* The services collector: not written yet. create() returns NULL, so the
 * collector skips it. */
static void *services_create(const struct collect_env *env)
{
	(void)env;
	return NULL;
}

static void services_prepare(void *s, struct pollset *ps, double now, double *deadline,
			   const struct collect_flags *fl)
{
	(void)s; (void)ps; (void)now; (void)deadline; (void)fl;
}

static void services_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;
}

static void services_destroy(void *s)
{
	(void)s;
}

const struct source_ops source_services = {
	.name = "services",
	.create = services_create,
	.prepare = services_prepare,
	.dispatch = services_dispatch,
	.round_done = NULL,
	.destroy = services_destroy,
};
