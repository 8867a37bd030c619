#include "config.h"
#include "collect/source.h"

/* The keys collector: not written yet. create() returns NULL, so the
 * collector skips it. */
static void *keys_create(const struct collect_env *env)
{
	(void)env;
	return NULL;
}

static void keys_prepare(void *s, struct pollset *ps, double now, double *deadline,
			   const struct collect_flags *fl)
{
	(void)s; (void)ps; (void)now; (void)deadline; (void)fl;
}

static void keys_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;
}

static void keys_destroy(void *s)
{
	(void)s;
}

const struct source_ops source_keys = {
	.name = "keys",
	.create = keys_create,
	.prepare = keys_prepare,
	.dispatch = keys_dispatch,
	.round_done = NULL,
	.destroy = keys_destroy,
};
