#include "config.h"
#include "collect/source.h"

/* The containers collector: not written yet. create() returns NULL, so the
 * collector skips it. */
static void *containers_create(const struct collect_env *env)
{
	(void)env;
	return NULL;
}

static void containers_prepare(void *s, struct pollset *ps, double now, double *deadline,
			   const struct collect_flags *fl)
{
	(void)s; (void)ps; (void)now; (void)deadline; (void)fl;
}

static void containers_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;
}

static void containers_destroy(void *s)
{
	(void)s;
}

const struct source_ops source_containers = {
	.name = "containers",
	.create = containers_create,
	.prepare = containers_prepare,
	.dispatch = containers_dispatch,
	.round_done = NULL,
	.destroy = containers_destroy,
};
