/* DigitalOcean API v2, GitHub Actions runner API and Forgejo/Gitea Actions
 * task API answers, parsed for the `digitalocean` runner provider (worker,
 * src/provider/runner_do.c) and the runners collector (src/collect/runners.c). Everything from an answer is
 * data: names are sanitized and never reach a shell. */
#ifndef FLEETDECK_PROVIDER_DOAPI_H
#define FLEETDECK_PROVIDER_DOAPI_H

#include <stdbool.h>
#include <stddef.h>
#include "model/actions.h"

struct do_droplet {
	long long id;
	char name[64];
	char status[16];             /* new, active, off, archive */
	double created_at;
	char state[16];              /* busy, idle, offline, starting (from the status source) */
};

/* GET /v2/droplets?tag_name=...: appends to v (up to max), sets *n; next
 * gets links.pages.next ("" on the last page). Returns 0 or -1. */
int doapi_parse_droplets(const char *body, struct do_droplet *v, size_t max, size_t *n,
			 char *next, size_t nextlen);
/* The error when links.pages.next leaves the configured API (another
 * scheme, host or port): it is not followed, the token never goes there,
 * and the listing is incomplete. */
void doapi_foreign_next(const char *next, const char *api, char *err, size_t errlen);
/* GET /v2/sizes: price_hourly of slug; returns 0 or -1 (not listed). */
int doapi_parse_price(const char *body, const char *slug, double *price);
/* A user-facing error for an HTTP status: 429 with ratelimit-reset (Unix
 * seconds, may be NULL), 401/403, 5xx, with the API's "message". */
void doapi_describe_error(const char *api, long status, const char *body, const char *reset,
			  char *err, size_t errlen);
/* GitHub GET /repos/O/R/actions/runners: sets each droplet's state by name
 * (busy, idle, offline; "starting" when no runner of that name exists). */
int doapi_apply_github_runners(const char *body, struct do_droplet *v, size_t n);
/* GitHub GET /repos/O/R/actions/runs?status=queued: total_count, or -1. */
int doapi_parse_queued(const char *body);
/* Forgejo/Gitea: the API base SCHEME://HOST[/PREFIX]/api/v1/repos/OWNER/REPO
 * of a repository's web URL (a trailing / or .git is ignored). Returns 0,
 * or -1 when the URL has no OWNER/REPO path. */
int doapi_forgejo_base(const char *url, char *base, size_t size);
/* Forgejo GET .../actions/tasks (the newest page): tasks "waiting" or
 * "blocked" in *queued, "running" in *running. Returns 0, or -1 when the
 * answer is not a task list. Forgejo has no per-runner busy/idle here. */
int doapi_parse_forgejo_tasks(const char *body, int *queued, int *running);
/* Fills a runners sample from the droplets (count, states, ages). */
void doapi_fill_sample(struct runners_sample *r, const struct do_droplet *v, size_t n, bool states);

/* The status source of a section: "github" with owner/repo and the token
 * file, or NULL for none/unsupported. api is the GitHub API base. */
struct do_status {
	char kind[16];               /* "github", "forgejo", "" */
	char repo[128];
	char token_file[512];
};
void doapi_status_of(const char *value, struct do_status *st);

#endif
