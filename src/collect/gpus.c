#include "config.h"
#include "collect/source.h"

/* The gpus collector: not written yet. create() returns NULL, so the
 * collector skips it. */
static void *gpus_create(const struct collect_env *env)
{
	(void)env;
	return NULL;
}

static void gpus_prepare(void *s, struct pollset *ps, double now, double *deadline,
			   const struct collect_flags *fl)
{
	(void)s; (void)ps; (void)now; (void)deadline; (void)fl;
}

static void gpus_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;
}

static void gpus_destroy(void *s)
{
	(void)s;
}

const struct source_ops source_gpus = {
	.name = "gpus",
	.create = gpus_create,
	.prepare = gpus_prepare,
	.dispatch = gpus_dispatch,
	.round_done = NULL,
	.destroy = gpus_destroy,
};
