#include "config.h"
#include "collect/source.h"

/* The databases collector: not written yet. create() returns NULL, so the
 * collector skips it. */
static void *databases_create(const struct collect_env *env)
{
	(void)env;
	return NULL;
}

static void databases_prepare(void *s, struct pollset *ps, double now, double *deadline,
			   const struct collect_flags *fl)
{
	(void)s; (void)ps; (void)now; (void)deadline; (void)fl;
}

static void databases_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;
}

static void databases_destroy(void *s)
{
	(void)s;
}

const struct source_ops source_databases = {
	.name = "databases",
	.create = databases_create,
	.prepare = databases_prepare,
	.dispatch = databases_dispatch,
	.round_done = NULL,
	.destroy = databases_destroy,
};
