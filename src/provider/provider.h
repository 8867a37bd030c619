/* Providers: the code that talks to the system behind a runner fleet or a
 * key (a command, DigitalOcean, systemd, a PostgreSQL table, an
 * authorized_keys file), one file each (runner_<name>.c, key_<name>.c).
 * Both sides use them: actions (action/action.c lists them in tables) run
 * scale()/rotate() on the action's worker thread, which may block, always
 * with a timeout; collectors (collect/runners.c, keys.c) read through the
 * same files. Neither collect/ nor action/ reaches into the other. */
#ifndef FLEETDECK_PROVIDER_PROVIDER_H
#define FLEETDECK_PROVIDER_PROVIDER_H

#include <stddef.h>
#include "fleet/fleet.h"
#include "model/model.h"

#define ACTION_TIMEOUT 600.0     /* seconds a scale or rotate command may take */
/* A section's action_timeout (default ACTION_TIMEOUT). */
#define action_timeout(sec) fleet_section_duration((sec), "action_timeout", ACTION_TIMEOUT)

struct action_job {
	const struct fleet *f;
	const struct fleet_section *sec;
	int from, to;                /* scaling */
	/* the newest listing when the plan was made (plan time only: NULL
	 * in the worker, which lists again) */
	const struct runners_sample *rs;
	/* Reports a step ("creating 2 droplets"); shown in the view. */
	void (*progress)(struct action_job *j, const char *text);
	void *priv;
	/* rotation results: a new key id (shown, audited) and its plaintext
	 * (shown once, never audited); secret is wiped by the framework */
	char new_id[64];
	char secret[256];
	char note[256];              /* extra result text, e.g. "written to FILE" */
};

struct runner_provider {
	const char *name;
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

struct key_provider {
	const char *name;
	void (*describe)(const struct action_job *j, char *buf, size_t size);
	int (*rotate)(struct action_job *j, char *err, size_t errlen);
};

extern const struct runner_provider runner_command, runner_digitalocean, runner_systemd;
extern const struct key_provider key_command, key_pg_apikey, key_ssh_authorized_key;

/* Host index of the section's `host` key: -1 for this machine. */
int provider_host(const struct fleet *f, const struct fleet_section *sec);
/* Replaces every {count} in tmpl with the quoted count. malloc'd. */
char *provider_template(const char *tmpl, int count);

#endif
