#include "config.h"
#include "provider/doapi.h"
#include "provider/parse.h"
#include "fleet/fleet.h"
#include "util/util.h"
#include "util/text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int doapi_parse_droplets(const char *body, struct do_droplet *v, size_t max, size_t *n,
			 char *next, size_t nextlen)
{
	json_t *o = json_loads(body ? body : "", 0, NULL), *a, *d;
	const char *nx;
	size_t i;

	next[0] = '\0';
	a = json_object_get(o, "droplets");
	if (!json_is_array(a)) {
		json_decref(o);
		return -1;
	}
	json_array_foreach(a, i, d) {
		struct do_droplet *x;
		const char *s;
		if (*n >= max)
			break;
		x = &v[(*n)++];
		memset(x, 0, sizeof(*x));
		x->id = (long long)json_integer_value(json_object_get(d, "id"));
		str_copy(x->name, json_string_value(json_object_get(d, "name")) ?
			 json_string_value(json_object_get(d, "name")) : "?", sizeof(x->name));
		str_sanitize(x->name);
		s = json_string_value(json_object_get(d, "status"));
		text_clean(x->status, sizeof(x->status), s ? s : "?");
		s = json_string_value(json_object_get(d, "created_at"));
		if (!s || parse_time_text(s, &x->created_at) < 0)
			x->created_at = 0;
		str_copy(x->state, strcmp(x->status, "active") == 0 ? "running" : "starting",
			 sizeof(x->state));
	}
	nx = json_string_value(json_object_get(json_object_get(json_object_get(o, "links"), "pages"), "next"));
	if (nx)
		str_copy(next, nx, nextlen);
	json_decref(o);
	return 0;
}

void doapi_foreign_next(const char *next, const char *api, char *err, size_t errlen)
{
	str_fmt(err, errlen, "the API's next page %.120s is not on %.120s: not followed (the token "
		"goes only to the configured api), the listing is incomplete", next, api);
	str_sanitize(err);
}

int doapi_parse_price(const char *body, const char *slug, double *price)
{
	json_t *o = json_loads(body ? body : "", 0, NULL), *s;
	size_t i;
	int rc = -1;

	json_array_foreach(json_object_get(o, "sizes"), i, s) {
		const char *sl = json_string_value(json_object_get(s, "slug"));
		if (sl && slug && strcmp(sl, slug) == 0 && json_is_number(json_object_get(s, "price_hourly"))) {
			*price = json_number_value(json_object_get(s, "price_hourly"));
			rc = 0;
		}
	}
	json_decref(o);
	return rc;
}

void doapi_describe_error(const char *api, long status, const char *body, const char *reset,
			  char *err, size_t errlen)
{
	json_t *o = json_loads(body ? body : "", 0, NULL);
	const char *m = json_string_value(json_object_get(o, "message"));
	char msg[160] = "", when[32] = "";

	if (m)
		str_fmt(msg, sizeof(msg), ": %s", m);
	str_sanitize(msg);
	if (status == 429) {
		double t = reset ? strtod(reset, NULL) : 0;
		if (t > 0) {
			time_t tt = (time_t)t;
			struct tm tm;
			localtime_r(&tt, &tm);
			strftime(when, sizeof(when), " until %H:%M:%S", &tm);
		}
		str_fmt(err, errlen, "rate limited by the %s API (429)%s%s; try again later", api, when, msg);
	} else if (status == 401 || status == 403) {
		str_fmt(err, errlen, "the %s API refused the token (%ld)%s; check token_file", api, status, msg);
	} else if (status >= 500) {
		str_fmt(err, errlen, "the %s API failed (server error %ld)%s; nothing more was changed",
			api, status, msg);
	} else {
		str_fmt(err, errlen, "the %s API answered %ld%s", api, status, msg);
	}
	json_decref(o);
}

int doapi_apply_github_runners(const char *body, struct do_droplet *v, size_t n)
{
	json_t *o = json_loads(body ? body : "", 0, NULL), *a = json_object_get(o, "runners"), *r;
	size_t i;

	if (!json_is_array(a)) {
		json_decref(o);
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		str_copy(v[k].state, "starting", sizeof(v[k].state));
	json_array_foreach(a, i, r) {
		const char *name = json_string_value(json_object_get(r, "name"));
		const char *st = json_string_value(json_object_get(r, "status"));
		bool busy = json_is_true(json_object_get(r, "busy"));
		for (size_t k = 0; name && k < n; k++) {
			if (strcmp(v[k].name, name) != 0)
				continue;
			str_copy(v[k].state, st && strcmp(st, "online") == 0 ? (busy ? "busy" : "idle") :
				 "offline", sizeof(v[k].state));
		}
	}
	json_decref(o);
	return 0;
}

int doapi_parse_queued(const char *body)
{
	json_t *o = json_loads(body ? body : "", 0, NULL);
	json_t *t = json_object_get(o, "total_count");
	int q = json_is_integer(t) ? (int)json_integer_value(t) : -1;

	json_decref(o);
	return q;
}

void doapi_fill_sample(struct runners_sample *r, const struct do_droplet *v, size_t n, bool states)
{
	r->n = 0;
	r->count = (int)n;
	r->busy = r->idle = r->offline = states ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		if (states && strcmp(v[i].state, "busy") == 0)
			r->busy++;
		else if (states && strcmp(v[i].state, "idle") == 0)
			r->idle++;
		else if (states && strcmp(v[i].state, "offline") == 0)
			r->offline++;
		if (r->n >= MODEL_MAX_RUNNERS)
			continue;
		str_copy(r->r[r->n].name, v[i].name, sizeof(r->r[r->n].name));
		str_copy(r->r[r->n].state, v[i].state, sizeof(r->r[r->n].state));
		r->r[r->n].created_at = v[i].created_at;
		r->n++;
	}
}

void doapi_status_of(const char *value, struct do_status *st)
{
	size_t n = 0;
	char **w = fleet_list_split(value ? value : "none", &n);

	memset(st, 0, sizeof(*st));
	if (n >= 2 && (strcmp(w[0], "github") == 0 || strcmp(w[0], "forgejo") == 0)) {
		str_copy(st->kind, w[0], sizeof(st->kind));
		str_copy(st->repo, w[1], sizeof(st->repo));
		if (n >= 3 && str_starts(w[2], "token_file="))
			str_copy(st->token_file, w[2] + 11, sizeof(st->token_file));
	}
	fleet_list_free(w);
}

int doapi_forgejo_base(const char *url, char *base, size_t size)
{
	char buf[512], *path, *repo, *owner;
	size_t len;

	str_copy(buf, url ? url : "", sizeof(buf));
	path = strstr(buf, "://");
	if (!path || !(path = strchr(path + 3, '/')))
		return -1;
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	if (len > 4 && strcmp(path + len - 4, ".git") == 0)
		path[len - 4] = '\0';
	/* the last two segments are OWNER/REPO; what comes before is the
	 * instance's own prefix (Forgejo served under https://HOST/git/) */
	repo = strrchr(path, '/');
	if (!repo || repo == path || !repo[1])
		return -1;
	*repo++ = '\0';
	owner = strrchr(path, '/');
	if (!owner[1])
		return -1;
	*owner++ = '\0';
	str_fmt(base, size, "%.*s%s/api/v1/repos/%s/%s", (int)(path - buf), buf, path, owner, repo);
	return 0;
}

int doapi_parse_forgejo_tasks(const char *body, int *queued, int *running)
{
	json_t *o = json_loads(body ? body : "", 0, NULL), *a = json_object_get(o, "workflow_runs"), *t;
	size_t i;

	*queued = *running = 0;
	if (!json_is_array(a)) {
		json_decref(o);
		return -1;
	}
	json_array_foreach(a, i, t) {
		const char *st = json_string_value(json_object_get(t, "status"));
		if (!st)
			continue;
		if (strcmp(st, "waiting") == 0 || strcmp(st, "blocked") == 0)
			(*queued)++;
		else if (strcmp(st, "running") == 0)
			(*running)++;
	}
	json_decref(o);
	return 0;
}
