/* Providers: the code that talks to the system behind a runner fleet or a
 * key (a command, DigitalOcean, systemd, a PostgreSQL table, an
 * authorized_keys file), one file each (runner_<name>.c, key_<name>.c).
 * Both sides use them: actions (action/action.c lists them in tables) run
 * scale()/rotate() on the action's worker thread, which may block, always
 * with a timeout; collectors (collect/runners.c, keys.c) read through the
 * same files. Neither collect/ nor action/ reaches into the other. */
#ifndef FLEETDECK_PROVIDER_PROVIDER_H
#define FLEETDECK_PROVIDER_PROVIDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "fleet/fleet.h"
#include "model/model.h"

#define ACTION_TIMEOUT 600.0     /* seconds a scale or rotate command may take */
/* A section's action_timeout (default ACTION_TIMEOUT). */
#define action_timeout(sec) fleet_section_duration((sec), "action_timeout", ACTION_TIMEOUT)

struct action_job {
	const struct fleet *f;
	const struct fleet_section *sec;
	/* the live model (NULL: none, e.g. tests): what the collector did,
	 * e.g. its logins (model_login_get), and asks of it (model_relogin_ask) */
	struct model *m;
	int from, to;                /* scaling */
	/* the newest listing when the plan was made (plan time only: NULL
	 * in the worker, which lists again) */
	const struct runners_sample *rs;
	/* Reports a step ("creating 2 droplets"); shown in the view. */
	void (*progress)(struct action_job *j, const char *text);
	/* set when fleetdeck quits (NULL: never, e.g. tests): a step that
	 * only waits, such as the rotation's wait for the collector, ends
	 * early and leaves its resumable state instead of holding up the exit */
	const atomic_bool *quit;
	void *priv;
	/* rotation results: a new key id (shown, audited) and its plaintext
	 * (shown once, never audited); secret is wiped by the framework */
	char new_id[64];
	char secret[256];
	char note[256];              /* extra result text, e.g. "written to FILE" */
};

static inline bool action_job_quitting(const struct action_job *j)
{
	return j->quit && atomic_load(j->quit);
}

/* How the runners collector lists a fleet of this provider. */
enum runner_listing {
	RL_SHELL,                    /* list_script() on the section's host, list_parse() its output */
	RL_DOAPI,                    /* the DigitalOcean API (collect/runners.c, doapi.h) */
};

struct runner_provider {
	const char *name;
	enum runner_listing listing;
	/* RL_SHELL: the listing command for sec (malloc'd), NULL when the
	 * section configures none; what it printed, into r (0, or -1 with
	 * r->error) */
	char *(*list_script)(const struct fleet_section *sec);
	int (*list_parse)(const struct fleet_section *sec, const char *out,
			  struct runners_sample *r);
	/* One or two sentences: exactly what scale() will do. */
	void (*describe)(const struct action_job *j, char *buf, size_t size);
	/* Optional, at plan time: -1 with the reason when the plan cannot be
	 * carried out (it is then refused before any dialog offers "Yes"). */
	int (*check)(const struct action_job *j, char *err, size_t errlen);
	int (*scale)(struct action_job *j, char *err, size_t errlen);
};

/* rotate()/scale() return 0 (done), -1 (failed: nothing changed, or err
 * says what did), or ACTION_CHECK: the outcome is unknown (a COMMIT whose
 * answer was lost) and the user must check; never reported as failed. */
#define ACTION_CHECK 2

/* How the keys collector reads a key of this provider. */
enum key_reading {
	KR_SHELL,                    /* the section's age command on its host */
	KR_LOCAL,                    /* read() on the collector thread (local files only) */
	KR_WORKER,                   /* read() blocks (a connect): on a worker thread */
};

struct key_provider {
	const char *name;
	enum key_reading reading;
	/* KR_LOCAL, KR_WORKER: the key's creation time and its shown id
	 * (never the secret). Returns 0, or -1 with err. */
	int (*read)(const struct fleet *f, const struct fleet_section *sec, double timeout,
		    double *created_at, char *id, size_t idlen, char *err, size_t errlen);
	void (*describe)(const struct action_job *j, char *buf, size_t size);
	int (*rotate)(struct action_job *j, char *err, size_t errlen);
};

/* The provider a [runners] or [key] section names (its provider key),
 * or NULL when this build has none of that name (provider/providers.c:
 * the one table of each, for collectors and actions alike). */
const struct runner_provider *runner_provider_of(const struct fleet_section *sec);
const struct key_provider *key_provider_of(const struct fleet_section *sec);

/* Host index of the section's `host` key: -1 for this machine. */
int provider_host(const struct fleet *f, const struct fleet_section *sec);
/* Replaces every {count} in tmpl with the quoted count. malloc'd. */
char *provider_template(const char *tmpl, int count);

#endif
