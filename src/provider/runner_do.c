/* Runner provider `digitalocean` (API v2), on the action's worker thread
 * with libcurl's blocking easy API and timeouts.
 *
 * Requests go through the one HTTP client (collect/http.c, http_run), which
 * sends a token only to its configured API origin.
 *
 * Scale up: one POST /v2/droplets with `names` (PREFIX-<unix time>-<k>),
 * region, size, image, ssh_keys and the tag. Scale down: DELETE
 * /v2/droplets/ID of the newest *idle* droplets. Idle comes from the
 * status source (status = github OWNER/REPO: a runner of the droplet's
 * name online and not busy); without one no droplet is known to be idle
 * (a runner may be in the middle of a job and deleting it loses the job),
 * so scaling down is refused with that reason; status = forgejo counts
 * queued and running jobs but cannot name an idle runner, so it is refused
 * too. Busy droplets are never
 * deleted; fewer idle ones than asked deletes those and reports the rest.
 *
 * The token is read with fleet_read_secret() for each action and only ever
 * sent as the Authorization header; it is never logged or shown. */
#include "config.h"
#include "provider/provider.h"
#include "provider/doapi.h"
#include "collect/http.h"
#include "util/util.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DO_MAX 256
#define DO_TIMEOUT 30L

struct dojob {
	struct action_job *j;
	char *token;                 /* DigitalOcean */
	char *gh_token;              /* status source, may be NULL */
	const char *api;
	struct do_droplet v[DO_MAX];
	size_t n;
};

/* What one answer left for the caller. */
struct answer {
	long status;                 /* -1: no answer (err says why) */
	char *body;                  /* malloc'd */
	char reset[32];              /* ratelimit-reset, "" when none */
	char *err;
	size_t errlen;
	const char *url;
};

static void on_answer(void *arg, const struct http_result *r)
{
	struct answer *a = arg;
	struct curl_header *h;

	a->body = xstrdup(r->body ? r->body : "");
	if (r->code != CURLE_OK) {
		str_fmt(a->err, a->errlen, "cannot reach %s: %s", a->url, r->error);
		return;
	}
	a->status = r->status;
	if (r->easy && curl_easy_header(r->easy, "ratelimit-reset", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
		str_copy(a->reset, h->value, sizeof(a->reset));
}

/* One request through the one HTTP client; the token goes only to origin.
 * Returns the HTTP status (the body in *out, malloc'd), or -1 with err
 * when there was no answer. */
static long http_call(const char *method, const char *url, const char *origin, const char *token,
		      const char *body, char **out, char *reset, char *err, size_t errlen)
{
	const char *hdr[] = { "Content-Type: application/json", "Accept: application/json", NULL };
	const char *secret[] = { NULL, NULL };
	struct answer a = { .status = -1, .err = err, .errlen = errlen, .url = url };
	struct http_request req = { .url = url, .method = method, .body = body, .headers = hdr,
				    .secret_headers = secret, .origin = origin,
				    .timeout = DO_TIMEOUT, .connect_timeout = 10 };

	/* a token already carrying its scheme ("token ..." for Forgejo) is
	 * sent as it is; others are Bearer tokens (DigitalOcean, GitHub) */
	if (token)
		secret[0] = str_starts(token, "token ") ? xasprintf("Authorization: %s", token)
			: xasprintf("Authorization: Bearer %s", token);
	if (http_run(&req, on_answer, &a) < 0)
		str_copy(err, "cannot start an HTTP request", errlen);
	if (secret[0]) {
		explicit_bzero((char *)secret[0], strlen(secret[0]));
		free((char *)secret[0]);
	}
	*out = a.body ? a.body : xstrdup("");
	str_copy(reset, a.reset, 32);
	return a.status;
}

/* A call that must answer 2xx; else a described error. */
static int do_call(struct dojob *d, const char *api_name, const char *method, const char *url,
		   const char *origin, const char *token, const char *body, char **out,
		   char *err, size_t errlen)
{
	char reset[32];
	long st = http_call(method, url, origin, token, body, out, reset, err, errlen);

	if (st < 0)
		return -1;
	if (st < 200 || st > 299) {
		doapi_describe_error(api_name, st, *out, reset[0] ? reset : NULL, err, errlen);
		free(*out);
		*out = NULL;
		return -1;
	}
	(void)d;
	return 0;
}

static int list_droplets(struct dojob *d, char *err, size_t errlen)
{
	char *tag = curl_easy_escape(NULL, fleet_section_value(d->j->sec, "tag"), 0);
	char *url = xasprintf("%s/droplets?tag_name=%s&per_page=200", d->api, tag), next[1024];
	int pages = 0, rc = 0;

	curl_free(tag);
	d->n = 0;
	while (url && rc == 0 && pages++ < 20) {
		char *out;
		if (do_call(d, "DigitalOcean", "GET", url, d->api, d->token, NULL, &out, err, errlen) < 0) {
			rc = -1;
			break;
		}
		if (doapi_parse_droplets(out, d->v, DO_MAX, &d->n, next, sizeof(next)) < 0) {
			str_copy(err, "the DigitalOcean API answered something that is not a droplet list",
				 errlen);
			rc = -1;
		} else if (next[0] && !http_same_origin(next, d->api)) {
			/* a page elsewhere would get the token: the listing is incomplete */
			doapi_foreign_next(next, d->api, err, errlen);
			rc = -1;
		}
		free(out);
		free(url);
		url = next[0] && rc == 0 ? xstrdup(next) : NULL;
	}
	free(url);
	return rc;
}

/* Forgejo says how many jobs run, not on which runner: with none running,
 * every droplet is idle; with some running, none can be named idle. */
static int apply_forgejo(struct dojob *d, const struct do_status *st, char *err, size_t errlen)
{
	char base[512], *url, *out;
	int queued = 0, running = 0, rc;

	if (doapi_forgejo_base(st->repo, base, sizeof(base)) < 0) {
		str_copy(err, "status = forgejo needs the repository's URL "
			 "(https://HOST/OWNER/REPO)", errlen);
		return -1;
	}
	url = xasprintf("%s/actions/tasks?page=1&limit=50", base);
	rc = do_call(d, "Forgejo", "GET", url, base, d->gh_token, NULL, &out, err, errlen);
	free(url);
	if (rc < 0)
		return -1;
	rc = doapi_parse_forgejo_tasks(out, &queued, &running);
	free(out);
	if (rc < 0) {
		str_copy(err, "the Forgejo API answered something that is not a task list", errlen);
		return -1;
	}
	if (running > 0) {
		str_fmt(err, errlen, "%d job%s running and Forgejo does not say on which runner: "
			"no droplet is known to be idle, nothing was deleted (try again when the "
			"queue is idle)", running, running == 1 ? " is" : "s are");
		return -1;
	}
	for (size_t k = 0; k < d->n; k++)
		str_copy(d->v[k].state, "idle", sizeof(d->v[k].state));
	return 0;
}

static int apply_status(struct dojob *d, char *err, size_t errlen)
{
	struct do_status st;
	char *url, *out;
	int rc;

	doapi_status_of(fleet_section_value(d->j->sec, "status"), &st);
	if (strcmp(st.kind, "forgejo") == 0)
		return apply_forgejo(d, &st, err, errlen);
	if (strcmp(st.kind, "github") != 0) {
		str_fmt(err, errlen, "cannot tell which droplets are idle without a status source "
			"(status = github OWNER/REPO token_file=PATH); nothing was deleted");
		return -1;
	}
	url = xasprintf("%s/repos/%s/actions/runners?per_page=100",
			fleet_section_value(d->j->sec, "status_api"), st.repo);
	rc = do_call(d, "GitHub", "GET", url, fleet_section_value(d->j->sec, "status_api"),
		     d->gh_token, NULL, &out, err, errlen);
	free(url);
	if (rc < 0)
		return -1;
	rc = doapi_apply_github_runners(out, d->v, d->n);
	free(out);
	if (rc < 0)
		str_copy(err, "the GitHub API answered something that is not a runner list", errlen);
	return rc;
}

static json_t *ssh_keys_json(const struct fleet_section *sec)
{
	json_t *a = json_array();
	char **w = fleet_list_split(fleet_section_value(sec, "ssh_keys"), NULL);

	for (char **p = w; p && *p; p++) {
		char *end;
		long long id = strtoll(*p, &end, 10);
		json_array_append_new(a, *end == '\0' && end != *p ? json_integer(id) : json_string(*p));
	}
	fleet_list_free(w);
	return a;
}

static const char *name_prefix(const struct fleet_section *sec)
{
	const char *p = fleet_section_get(sec, "name_prefix");

	return p ? p : sec->name;
}

static int scale_up(struct dojob *d, int add, char *err, size_t errlen)
{
	const struct fleet_section *sec = d->j->sec;
	json_t *names = json_array(), *o;
	char *body, *url, *out, msg[96];
	long now = (long)time(NULL);
	int rc;

	for (int k = 1; k <= add; k++) {
		char *nm = xasprintf("%s-%ld-%d", name_prefix(sec), now, k);
		json_array_append_new(names, json_string(nm));
		free(nm);
	}
	o = json_pack("{s:o, s:s?, s:s?, s:s?, s:o, s:[s]}", "names", names,
		      "region", fleet_section_value(sec, "region"), "size", fleet_section_value(sec, "size"),
		      "image", fleet_section_value(sec, "image"), "ssh_keys", ssh_keys_json(sec),
		      "tags", fleet_section_value(sec, "tag"));
	body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	str_fmt(msg, sizeof(msg), "creating %d droplet%s", add, add == 1 ? "" : "s");
	d->j->progress(d->j, msg);
	url = xasprintf("%s/droplets", d->api);
	rc = do_call(d, "DigitalOcean", "POST", url, d->api, d->token, body, &out, err, errlen);
	free(url);
	free(body);
	if (rc == 0)
		free(out);
	return rc;
}

static int newest_first(const void *a, const void *b)
{
	const struct do_droplet *x = a, *y = b;

	/* droplets made in the same second: the later name is the newer one
	 * (names end in -1, -2, ...), as the plan shown to the user says */
	return x->created_at < y->created_at ? 1 : x->created_at > y->created_at ? -1 :
	       -strcmp(x->name, y->name);
}

static int scale_down(struct dojob *d, int remove, char *err, size_t errlen)
{
	int done = 0;
	char msg[128];

	if (apply_status(d, err, errlen) < 0)
		return -1;
	qsort(d->v, d->n, sizeof(d->v[0]), newest_first);
	for (size_t i = 0; i < d->n && done < remove; i++) {
		char *url, *out;
		if (strcmp(d->v[i].state, "idle") != 0)
			continue;
		str_fmt(msg, sizeof(msg), "deleting idle droplet %s (%d/%d)", d->v[i].name, done + 1, remove);
		d->j->progress(d->j, msg);
		url = xasprintf("%s/droplets/%lld", d->api, d->v[i].id);
		if (do_call(d, "DigitalOcean", "DELETE", url, d->api, d->token, NULL, &out, err, errlen) < 0) {
			free(url);
			return -1;
		}
		free(url);
		free(out);
		done++;
	}
	if (done < remove) {
		str_fmt(err, errlen, "only %d of %d droplets were idle and deleted; busy runners are "
			"never deleted (scale down again when they finish)", done, remove);
		return -1;
	}
	return 0;
}

static char *read_token(const char *value, char *err, size_t errlen)
{
	char *path = path_expand(value), *t = fleet_read_secret(path, err, errlen);

	free(path);
	return t;
}

static int do_scale(struct action_job *j, char *err, size_t errlen)
{
	struct dojob *d = xcalloc(1, sizeof(*d));
	char *path = fleet_section_path(j->sec, "token_file");
	struct do_status st;
	bool gh;
	int rc = -1;

	d->j = j;
	d->api = fleet_section_value(j->sec, "api");
	d->token = path ? fleet_read_secret(path, err, errlen) : NULL;
	free(path);
	doapi_status_of(fleet_section_value(j->sec, "status"), &st);
	/* the status source's token: GitHub's is a Bearer token, Forgejo's is
	 * sent with its own "token" scheme */
	gh = (strcmp(st.kind, "github") == 0 || strcmp(st.kind, "forgejo") == 0) && st.token_file[0];
	if (gh) {
		d->gh_token = read_token(st.token_file, err, errlen);
		if (d->gh_token && strcmp(st.kind, "forgejo") == 0) {
			char *t = xasprintf("token %s", d->gh_token);
			explicit_bzero(d->gh_token, strlen(d->gh_token));
			free(d->gh_token);
			d->gh_token = t;
		}
	}
	if (!d->token || (gh && !d->gh_token))
		goto out;
	j->progress(j, "listing droplets");
	if (list_droplets(d, err, errlen) < 0)
		goto out;
	if (j->to > (int)d->n)
		rc = scale_up(d, j->to - (int)d->n, err, errlen);
	else if (j->to < (int)d->n)
		rc = scale_down(d, (int)d->n - j->to, err, errlen);
	else
		rc = 0;
out:
	if (d->token)
		explicit_bzero(d->token, strlen(d->token));
	if (d->gh_token)
		explicit_bzero(d->gh_token, strlen(d->gh_token));
	free(d->token);
	free(d->gh_token);
	free(d);
	return rc;
}

static void status_kind(const struct fleet_section *sec, char *kind, size_t size)
{
	struct do_status st;

	doapi_status_of(fleet_section_value(sec, "status"), &st);
	str_copy(kind, st.kind, size);
}

/* Scaling down deletes only droplets known to be idle: refuse a plan that
 * could not name any, before the dialog offers to confirm it. */
static int do_check(const struct action_job *j, char *err, size_t errlen)
{
	char kind[16];
	int busy = j->rs ? j->rs->busy : -1;

	if (j->to >= j->from)
		return 0;
	status_kind(j->sec, kind, sizeof(kind));
	if (strcmp(kind, "github") == 0)
		return 0;
	if (strcmp(kind, "forgejo") != 0) {
		str_fmt(err, errlen, "%s: no droplet is known to be idle without a status source "
			"(status = github OWNER/REPO or forgejo URL); nothing will be deleted",
			j->sec->name);
		return -1;
	}
	if (busy < 0) {
		str_fmt(err, errlen, "%s: Forgejo's running jobs are not known yet; try again "
			"after the next listing", j->sec->name);
		return -1;
	}
	if (busy > 0) {
		str_fmt(err, errlen, "%s: %d job%s running and Forgejo does not say on which "
			"runner, so no droplet is known to be idle; scale down when the queue is "
			"idle", j->sec->name, busy, busy == 1 ? " is" : "s are");
		return -1;
	}
	return 0;
}

/* The droplets a scale-down would delete, newest first, as the listing
 * shows them now (the worker lists again and deletes only idle ones). */
static void victims(const struct action_job *j, char *buf, size_t size)
{
	const struct runners_sample *rs = j->rs;
	int want = j->from - j->to, picked = 0;
	bool used[MODEL_MAX_RUNNERS] = { false };

	buf[0] = '\0';
	if (!rs)
		return;
	while (picked < want) {
		int best = -1;
		for (int k = 0; k < rs->n; k++) {
			bool idle = strcmp(rs->r[k].state, "idle") == 0 || rs->busy == 0;
			if (used[k] || !idle)
				continue;
			if (best < 0 || rs->r[k].created_at > rs->r[best].created_at ||
			    (rs->r[k].created_at == rs->r[best].created_at &&
			     strcmp(rs->r[k].name, rs->r[best].name) > 0))
				best = k;
		}
		if (best < 0)
			break;
		used[best] = true;
		str_fmt(buf + strlen(buf), size - strlen(buf), "%s%s", picked ? ", " : ": ",
			rs->r[best].name);
		picked++;
	}
}

static void do_describe(const struct action_job *j, char *buf, size_t size)
{
	const struct fleet_section *s = j->sec;
	const char *tag = fleet_section_value(s, "tag");
	char names[200];

	if (j->to > j->from) {
		str_fmt(buf, size, "Create %d droplet%s %s in %s from %s, tagged %s.", j->to - j->from,
			j->to - j->from == 1 ? "" : "s", fleet_section_value(s, "size"),
			fleet_section_value(s, "region"), fleet_section_value(s, "image"), tag);
		return;
	}
	victims(j, names, sizeof(names));
	str_fmt(buf, size, "Delete the %d newest idle droplet%s tagged %s%s (busy runners are "
		"never deleted).", j->from - j->to, j->from - j->to == 1 ? "" : "s", tag, names);
}

const struct runner_provider runner_digitalocean = {
	.name = "digitalocean",
	.listing = RL_DOAPI,
	.describe = do_describe,
	.check = do_check,
	.scale = do_scale,
};
