#include "config.h"
#include "collect/source.h"

/* The backups collector: not written yet. create() returns NULL, so the
 * collector skips it. */
static void *backups_create(const struct collect_env *env)
{
	(void)env;
	return NULL;
}

static void backups_prepare(void *s, struct pollset *ps, double now, double *deadline,
			   const struct collect_flags *fl)
{
	(void)s; (void)ps; (void)now; (void)deadline; (void)fl;
}

static void backups_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;
}

static void backups_destroy(void *s)
{
	(void)s;
}

const struct source_ops source_backups = {
	.name = "backups",
	.create = backups_create,
	.prepare = backups_prepare,
	.dispatch = backups_dispatch,
	.round_done = NULL,
	.destroy = backups_destroy,
};
