/* The runners collector: lists every [runners] fleet every interval, the
 * way its provider's row says (provider/providers.c): RL_SHELL providers
 * (command runs `list`, systemd runs `systemctl list-units`) on `host`
 * over the host's persistent session (hosts_submit); RL_DOAPI
 * (digitalocean) asks its API on the shared curl multi engine. A status
 * source (`status = github|forgejo ...`) is asked after the listing;
 * providers this build does not know are listed as "not supported yet"
 * rather than silently empty. */
#include "config.h"
#include "collect/source.h"
#include "collect/hosts.h"
#include "collect/http.h"
#include "provider/provider.h"
#include "provider/doapi.h"
#include "util/util.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

#define DO_LIST_MAX 256

struct rfleet {
	struct runners_src *rs;
	size_t index;
	const struct fleet_section *sec;
	int host;                    /* -1: no usable host */
	double interval, timeout;
	double next;                 /* monotonic */
	bool in_flight, done;
	struct runners_sample sample;
	/* digitalocean: one listing round is a chain of requests on the
	 * collector's curl multi engine (sizes once, droplet pages, status) */
	struct do_droplet *dv;
	size_t dn;
	double price;                /* price_hourly of the size, < 0 unknown */
	/* the provider's and the status source's Authorization headers,
	 * only while a round is in flight (wiped after) */
	char *auth, *st_auth;
	int pages;
	const struct runner_provider *prov;   /* NULL: this build has none of that name */
	char *script;                /* RL_SHELL: what lists the runners */
};

struct runners_src {
	const struct collect_env *env;
	struct rfleet *v;
	size_t n;
};

static void *runners_create(const struct collect_env *env)
{
	size_t n = fleet_count(env->f, SEC_RUNNERS);
	struct runners_src *rs;

	if (n == 0)
		return NULL;
	rs = xcalloc(1, sizeof(*rs));
	rs->env = env;
	rs->n = n;
	rs->v = xcalloc(n, sizeof(*rs->v));
	for (size_t i = 0; i < n; i++) {
		struct rfleet *r = &rs->v[i];
		r->rs = rs;
		r->index = i;
		r->sec = fleet_nth(env->f, SEC_RUNNERS, i);
		r->host = fleet_command_host(env->f, r->sec);
		r->interval = fleet_section_duration(r->sec, "interval", env->f->interval);
		r->timeout = fleet_section_duration(r->sec, "timeout", env->f->timeout);
		r->sample.interval = r->interval;
		r->sample.count = r->sample.busy = r->sample.idle = -1;
		r->sample.offline = r->sample.queued = -1;
		r->sample.cost_hourly = -1;
		r->price = -1;
		r->prov = runner_provider_of(r->sec);
		if (r->prov && r->prov->listing == RL_SHELL)
			r->script = r->prov->list_script(r->sec);
	}
	return rs;
}

static void publish(struct rfleet *r)
{
	collect_publish(r->rs->env, DOM_RUNNERS, r->index, &r->sample, runners_sample_size(&r->sample));
}

/* ---- one listing round ---------------------------------------------------- */

static void do_wipe(struct rfleet *r)
{
	if (r->auth)
		explicit_bzero(r->auth, strlen(r->auth));
	if (r->st_auth)
		explicit_bzero(r->st_auth, strlen(r->st_auth));
	free(r->auth);
	free(r->st_auth);
	r->auth = r->st_auth = NULL;
}

static void rfleet_finish(struct rfleet *r, const char *error)
{
	struct runners_sample *s = &r->sample;

	do_wipe(r);
	r->in_flight = false;
	r->done = true;
	s->collected = true;
	text_clean(s->error, sizeof(s->error), error ? error : "");
	if (s->error[0]) {
		s->count = s->busy = s->idle = s->offline = s->queued = -1;
		s->cost_hourly = -1;
	} else {
		s->sampled_at = now_wall();
		s->cost_hourly = r->price >= 0 ? r->price * (double)r->dn : -1;
	}
	publish(r);
}

/* A GET with auth sent only to origin (the configured API base). */
static void do_get(struct rfleet *r, const char *url, const char *origin, const char *auth,
		   http_cb cb)
{
	const char *hdr[] = { "Accept: application/json", NULL }, *secret[] = { auth, NULL };
	struct http_request req = { .url = url, .headers = hdr, .secret_headers = secret,
				    .origin = origin, .timeout = r->timeout };

	if (http_start(r->rs->env->http, &req, cb, r) < 0)
		rfleet_finish(r, "cannot start an HTTP request");
}

/* An answer that is not 2xx, as the error to show; NULL when fine. */
static bool do_failed(struct rfleet *r, const struct http_result *res, const char *api)
{
	char err[256];

	if (res->code != CURLE_OK) {
		str_fmt(err, sizeof(err), "cannot reach the %s API: %s", api, res->error);
		rfleet_finish(r, err);
		return true;
	}
	if (res->status < 200 || res->status > 299) {
		char *reset = NULL;
		struct curl_header *h;
		if (res->easy && curl_easy_header(res->easy, "ratelimit-reset", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
			reset = h->value;
		doapi_describe_error(api, res->status, res->body, reset, err, sizeof(err));
		rfleet_finish(r, err);
		return true;
	}
	return false;
}

/* ---- status sources ------------------------------------------------------ */

static void on_queued(void *arg, const struct http_result *res)
{
	struct rfleet *r = arg;

	if (do_failed(r, res, "GitHub"))
		return;
	r->sample.queued = doapi_parse_queued(res->body);
	rfleet_finish(r, NULL);
}

static void on_gh_runners(void *arg, const struct http_result *res)
{
	struct rfleet *r = arg;
	struct do_status st;
	char *url;

	if (do_failed(r, res, "GitHub"))
		return;
	if (doapi_apply_github_runners(res->body, r->dv, r->dn) < 0) {
		rfleet_finish(r, "the GitHub API answered something that is not a runner list");
		return;
	}
	doapi_fill_sample(&r->sample, r->dv, r->dn, true);
	doapi_status_of(fleet_section_value(r->sec, "status"), &st);
	url = xasprintf("%s/repos/%s/actions/runs?status=queued&per_page=1",
			fleet_section_value(r->sec, "status_api"), st.repo);
	do_get(r, url, fleet_section_value(r->sec, "status_api"), r->st_auth, on_queued);
	free(url);
}

/* The status source's token as r->st_auth ("Authorization: SCHEME TOKEN").
 * Returns 0 (also without a token_file), or -1 after finishing the round
 * with the error. */
static int status_auth(struct rfleet *r, const struct do_status *st, const char *scheme)
{
	char err[200], *path, *t;

	if (!st->token_file[0])
		return 0;
	path = path_expand(st->token_file);
	t = fleet_read_secret(path, err, sizeof(err));
	free(path);
	if (!t) {
		rfleet_finish(r, err);
		return -1;
	}
	r->st_auth = xasprintf("Authorization: %s %s", scheme, t);
	explicit_bzero(t, strlen(t));
	free(t);
	return 0;
}

/* Forgejo/Gitea: the newest page of the repository's Actions tasks. It has
 * no runner list on most versions, so per-runner idle/offline stay unknown;
 * running tasks stand for busy runners unless the listing had states. */
static void on_forgejo_tasks(void *arg, const struct http_result *res)
{
	struct rfleet *r = arg;
	struct runners_sample *s = &r->sample;
	int queued, running;

	if (do_failed(r, res, "Forgejo"))
		return;
	if (doapi_parse_forgejo_tasks(res->body, &queued, &running) < 0) {
		rfleet_finish(r, "the Forgejo API answered something that is not a task list");
		return;
	}
	s->queued = queued;
	if (s->busy < 0)
		s->busy = running;
	rfleet_finish(r, NULL);
}

/* After a listing: ask the status source, if any, then finish the round. */
static void status_step(struct rfleet *r)
{
	struct do_status st;
	char base[600], *url;

	doapi_status_of(fleet_section_value(r->sec, "status"), &st);
	if (strcmp(st.kind, "forgejo") != 0) {
		/* github for command/systemd fleets: not wired (doc/actions.md) */
		rfleet_finish(r, NULL);
		return;
	}
	if (doapi_forgejo_base(st.repo, base, sizeof(base)) < 0) {
		rfleet_finish(r, "status = forgejo needs the repository's URL (https://HOST/OWNER/REPO)");
		return;
	}
	if (status_auth(r, &st, "token") < 0)
		return;
	url = xasprintf("%s/actions/tasks?page=1&limit=50", base);
	do_get(r, url, base, r->st_auth, on_forgejo_tasks);
	free(url);
}

/* ---- command and systemd ------------------------------------------------ */

/* A listing says nothing about busy/idle unless its lines carry states:
 * then they are unknown (-1), never 0. No runner at all is 0 of each. */
static void states_unknown_unless_listed(struct runners_sample *s)
{
	if (s->count > 0 && s->busy + s->idle + s->offline == 0)
		s->busy = s->idle = s->offline = -1;
}

static void list_done(void *arg, const struct shell_result *res)
{
	struct rfleet *r = arg;
	struct runners_sample *s = &r->sample;
	char err[256] = "";
	int rc;

	if (!res->ok) {
		str_fmt(err, sizeof(err), "cannot list runners: %s", res->message);
	} else if (res->status != 0) {
		char line[160];
		str_copy(line, res->err ? res->err : "", sizeof(line));
		line[strcspn(line, "\n")] = '\0';
		str_fmt(err, sizeof(err), "the list command failed (exit %d%s%s)",
			res->status, line[0] ? ": " : "", line);
	}
	if (err[0]) {
		rfleet_finish(r, err);
		return;
	}
	s->error[0] = '\0';
	rc = r->prov->list_parse(r->sec, res->out, s);
	if (rc < 0) {
		str_copy(err, s->error, sizeof(err));
		rfleet_finish(r, err);
		return;
	}
	states_unknown_unless_listed(s);
	s->queued = -1;      /* a listing has runners, not the queue */
	status_step(r);
}

/* ---- digitalocean --------------------------------------------------------- */

static void do_status_step(struct rfleet *r)
{
	struct do_status st;
	char *url;

	doapi_status_of(fleet_section_value(r->sec, "status"), &st);
	if (strcmp(st.kind, "github") != 0) {
		/* counts only; forgejo adds the queue and running jobs */
		doapi_fill_sample(&r->sample, r->dv, r->dn, false);
		r->sample.queued = -1;
		status_step(r);
		return;
	}
	if (status_auth(r, &st, "Bearer") < 0)
		return;
	url = xasprintf("%s/repos/%s/actions/runners?per_page=100",
			fleet_section_value(r->sec, "status_api"), st.repo);
	do_get(r, url, fleet_section_value(r->sec, "status_api"), r->st_auth, on_gh_runners);
	free(url);
}

static void on_droplets(void *arg, const struct http_result *res)
{
	struct rfleet *r = arg;
	char next[1024];

	if (do_failed(r, res, "DigitalOcean"))
		return;
	if (doapi_parse_droplets(res->body, r->dv, DO_LIST_MAX, &r->dn, next, sizeof(next)) < 0) {
		rfleet_finish(r, "the DigitalOcean API answered something that is not a droplet list");
		return;
	}
	if (next[0] && ++r->pages < 20) {
		const char *api = fleet_section_value(r->sec, "api");
		char err[MODEL_ERR_LEN];
		/* a page elsewhere would get the token: the listing is incomplete */
		if (!http_same_origin(next, api)) {
			doapi_foreign_next(next, api, err, sizeof(err));
			rfleet_finish(r, err);
			return;
		}
		do_get(r, next, api, r->auth, on_droplets);
		return;
	}
	do_status_step(r);
}

static void do_list(struct rfleet *r)
{
	char *tag = curl_easy_escape(NULL, fleet_section_value(r->sec, "tag"), 0);
	char *url = xasprintf("%s/droplets?tag_name=%s&per_page=200", fleet_section_value(r->sec, "api"),
			      tag ? tag : "");

	curl_free(tag);
	r->dn = 0;
	r->pages = 0;
	do_get(r, url, fleet_section_value(r->sec, "api"), r->auth, on_droplets);
	free(url);
}

static void on_sizes(void *arg, const struct http_result *res)
{
	struct rfleet *r = arg;

	r->price = -2;   /* asked once: not again when the size is not listed */
	if (res->code == CURLE_OK && res->status == 200)
		doapi_parse_price(res->body, fleet_section_value(r->sec, "size"), &r->price);
	do_list(r);      /* no price is no reason not to list */
}

static void do_start(struct rfleet *r)
{
	char err[200], *path = fleet_section_path(r->sec, "token_file"), *t;

	bool have = path != NULL;

	t = have ? fleet_read_secret(path, err, sizeof(err)) : NULL;
	free(path);
	if (!r->dv)
		r->dv = xcalloc(DO_LIST_MAX, sizeof(*r->dv));
	r->in_flight = true;
	if (!t) {
		rfleet_finish(r, have ? err : "no token_file");
		return;
	}
	r->auth = xasprintf("Authorization: Bearer %s", t);
	explicit_bzero(t, strlen(t));
	free(t);
	if (r->price == -1 && fleet_section_value(r->sec, "size")) {
		char *url = xasprintf("%s/sizes?per_page=200", fleet_section_value(r->sec, "api"));
		do_get(r, url, fleet_section_value(r->sec, "api"), r->auth, on_sizes);
		free(url);
		return;
	}
	do_list(r);
}

static void rfleet_start(struct rfleet *r, double now)
{
	const char *prov = fleet_section_value(r->sec, "provider");
	const char *list = r->script;
	bool shell = r->prov && r->prov->listing == RL_SHELL;

	r->next = now + r->interval;
	if (r->prov && r->prov->listing == RL_DOAPI) {
		do_start(r);
		return;
	}
	if (!shell || r->host < 0 || !list) {
		r->done = true;
		r->sample.collected = true;
		if (!shell)
			str_fmt(r->sample.error, sizeof(r->sample.error),
				"provider %s is not supported yet in this build", prov ? prov : "?");
		else if (!list)
			str_copy(r->sample.error, "no list command", sizeof(r->sample.error));
		else
			str_copy(r->sample.error, "set host = a [host] (or add a [host] with ssh = local)",
				 sizeof(r->sample.error));
		publish(r);
		r->next = now + 3600;
		return;
	}
	/* wait for the host's first answered probe: a request sent while the
	 * session is still being set up was seen to fail ("remote shell exited") */
	switch (hosts_conn(r->rs->env->hosts, (size_t)r->host)) {
	case HC_OK:
		break;
	case HC_NEVER:
		r->next = now + 0.2;
		return;
	default:
		r->done = true;
		r->sample.collected = true;
		r->sample.count = r->sample.busy = r->sample.idle = r->sample.offline = -1;
		str_fmt(r->sample.error, sizeof(r->sample.error), "cannot list runners: %s is not reachable",
			r->rs->env->f->hosts[r->host].name);
		publish(r);
		return;
	}
	r->in_flight = true;
	hosts_submit(r->rs->env->hosts, (size_t)r->host, r->script, r->timeout, list_done, r);
}

static void runners_prepare(void *s, struct pollset *ps, double now, double *deadline,
			    const struct collect_flags *fl)
{
	struct runners_src *rs = s;

	(void)ps;
	for (size_t i = 0; i < rs->n; i++) {
		struct rfleet *r = &rs->v[i];
		if (r->in_flight || (fl->once && r->done))
			continue;
		if (!fl->paused && (fl->poll_now || now >= r->next))
			rfleet_start(r, now);
		if (!r->in_flight && (*deadline == 0 || r->next < *deadline))
			*deadline = r->next;
	}
}

static void runners_dispatch(void *s, const struct pollset *ps, double now)
{
	(void)s; (void)ps; (void)now;   /* answers arrive through hosts' callbacks */
}

static bool runners_round_done(void *s)
{
	struct runners_src *rs = s;

	for (size_t i = 0; i < rs->n; i++)
		if (!rs->v[i].done)
			return false;
	return true;
}

static void runners_destroy(void *s)
{
	struct runners_src *rs = s;

	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		do_wipe(&rs->v[i]);
		free(rs->v[i].dv);
		free(rs->v[i].script);
	}
	free(rs->v);
	free(rs);
}

const struct source_ops source_runners = {
	.name = "runners",
	.create = runners_create,
	.prepare = runners_prepare,
	.dispatch = runners_dispatch,
	.round_done = runners_round_done,
	.destroy = runners_destroy,
};
