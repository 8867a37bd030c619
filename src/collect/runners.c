#include "config.h"
#include "collect/source.h"

/* The runners collector: not written yet. create() returns NULL, so the
 * collector skips it. */
static void *runners_create(const struct collect_env *env)
{
	(void)env;
	return NULL;
}

static void runners_prepare(void *s, struct pollset *ps, double now, double *deadline,
			   const struct collect_flags *fl)
{
	(void)s; (void)ps; (void)now; (void)deadline; (void)fl;
}

static void runners_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;
}

static void runners_destroy(void *s)
{
	(void)s;
}

const struct source_ops source_runners = {
	.name = "runners",
	.create = runners_create,
	.prepare = runners_prepare,
	.dispatch = runners_dispatch,
	.round_done = NULL,
	.destroy = runners_destroy,
};
