/* Actions (SPEC §7): scale a [runners] fleet, rotate a [key].
 *
 * The UI asks for a plan (what exactly will happen, checked against the
 * section's `actions` policy, min/max and "one action per target at a
 * time"), shows it, and then either cancels or starts it. Every attempt is
 * audited: refused, cancelled, confirmed, then succeeded or failed. A started
 * action runs on its own worker thread (blocking calls with timeouts are
 * fine there); the UI reads progress through actions_progress() under a
 * mutex and is woken through actions_wake_fd(). */
#ifndef FLEETDECK_ACTION_H
#define FLEETDECK_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include "fleet/fleet.h"
#include "model/model.h"
#include "action/audit.h"

enum action_kind { AK_SCALE_UP, AK_SCALE_DOWN, AK_SCALE_TO, AK_ROTATE };

struct action_req {
	enum action_kind kind;
	enum section_kind skind;     /* SEC_RUNNERS or SEC_KEY */
	int index;                   /* fleet_nth(f, skind, index) */
	int count;                   /* AK_SCALE_TO: the new count */
};

#define ACTION_PLAN_LEN 512

struct action_plan {
	struct action_req req;
	char target[96];             /* "runners/ct-forge" */
	char name[64];               /* the section's name: typed to confirm */
	int from, to;                /* scaling: counts */
	bool destructive;            /* scale to 0, rotate: type the name */
	char text[ACTION_PLAN_LEN];  /* the plan as shown */
};

struct action_progress {
	bool active;                 /* running now */
	bool finished;               /* a result is known */
	bool ok;
	bool check;                  /* the outcome is unknown: the user must check */
	double started, ended;
	char text[256];              /* the latest step, or the result */
};

struct actions;

/* m: the live model the collector publishes into (NULL: none), handed to
 * the providers (struct action_job.m). */
struct actions *actions_new(const struct fleet *f, struct model *m);
/* Waits for running actions (each bounded by its own timeouts). */
void actions_free(struct actions *a);

int actions_wake_fd(const struct actions *a);
void actions_drain_wake(struct actions *a);

/* Fills *p, or returns -1 with the reason in err (not allowed by policy,
 * out of bounds, already running, count unknown). Does not audit. */
int actions_plan(struct actions *a, const struct snapshot *snap, const struct action_req *req,
		 struct action_plan *p, char *err, size_t errlen);
/* Audits a key press that read-only or wall mode refused. */
void actions_refuse(struct actions *a, const struct action_req *req, const char *why);
/* Audits an attempt that planning refused (bounds, policy, busy). */
void actions_reject(struct actions *a, const struct action_req *req, const char *why);
/* Audits a cancelled dialog; from/to < 0 when no plan was shown yet. */
void actions_cancel(struct actions *a, const struct action_req *req, int from, int to);
/* Audits "confirmed" and starts the worker; -1 with err if it cannot run. */
int actions_start(struct actions *a, const struct action_plan *p, char *err, size_t errlen);

bool actions_progress(struct actions *a, enum section_kind skind, int index,
		      struct action_progress *out);
/* The newest finished action's one-time result for a dialog: a title, a
 * text, and a secret (a new key's plaintext) that is handed out exactly
 * once and wiped here. Returns false when there is none. */
bool actions_take_result(struct actions *a, char *title, size_t tlen, char *text, size_t xlen,
			 char *secret, size_t slen);
/* The newest audit entries (oldest first), this session's and the log's. */
size_t actions_audit_recent(struct actions *a, struct audit_entry *out, size_t max);

const char *action_kind_name(enum action_kind k);   /* "scale" "rotate" */

#endif
