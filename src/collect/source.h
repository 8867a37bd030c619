/* The interface every collector implements, and what it is given.
 *
 * A source never blocks. Each loop iteration the collector calls prepare()
 * on every source (register fds in the pollset, lower the deadline, start
 * work that is due), poll()s, then dispatch() (read what is ready, advance
 * state, publish into the model with collect_publish()).
 * The sources are the domain table's (domain/domains.c), each run once.  */
#ifndef FLEETDECK_SOURCE_H
#define FLEETDECK_SOURCE_H

#include <stdbool.h>
#include "fleet/fleet.h"
#include "model/model.h"
#include "loop/pollset.h"
#include "collect/shell.h"

struct hosts;
struct http;

struct collect_env {
	const struct fleet *f;
	struct model *m;
	/* Runs scripts on a [host] over its one SSH session (or the local
	 * shell): see hosts_submit() in collect/hosts.h. */
	struct hosts *hosts;
	/* Shared libcurl multi engine: see collect/http.h. */
	struct http *http;
	void (*notify)(void *arg);   /* call after publishing */
	void *notify_arg;
};

/* Run flags the collector passes to prepare(). */
struct collect_flags {
	bool paused;                 /* do not start new polls */
	bool once;                   /* --once/--check: one round, then stop */
	bool poll_now;               /* start every poll now (set for one iteration) */
};

struct source_ops {
	const char *name;
	/* Returns the source's state, or NULL when the fleet gives it nothing to do. */
	void *(*create)(const struct collect_env *env);
	void (*prepare)(void *s, struct pollset *ps, double now, double *deadline,
			const struct collect_flags *fl);
	void (*dispatch)(void *s, const struct pollset *ps, double now);
	/* --once: true when every target of this source has a result. */
	bool (*round_done)(void *s);
	void (*destroy)(void *s);
};

/* Publishes target i of domain d (the first size bytes of src) and
 * notifies, in one call. */
static inline void collect_publish(const struct collect_env *env, enum domain_id d, size_t i,
				   const void *src, size_t size)
{
	model_put(env->m, d, i, src, size);
	if (env->notify)
		env->notify(env->notify_arg);
}

#endif
