/* Discovery of the hosts a [prometheus] section knows, at start, before the
 * model is sized (the model's host array is fixed for the session): a
 * section of at most server_rules_above hosts gets them as model hosts
 * ("classic", collect/prometheus.c); a larger one, or one whose server does
 * not answer within the start budget, gets none and is judged on the
 * server (collect/prom_fleet.c), which discovers again by itself.
 *
 * Per section, a bounded label-values question (is it large?) and, only
 * for a section that may be small, one instant query for the names,
 * through the one HTTP client (collect/http.c) driven here until it
 * answers, like the one `ssh -G` per host at start: together at most the
 * start budget (each the section's timeout without one), and a server that
 * does not answer costs only a message and an unknown placeholder host,
 * never the start. */
#include "config.h"
#include "collect/http.h"
#include "collect/prom_client.h"
#include "collect/prometheus.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

char *prom_base_url(const struct fleet_section *s)
{
	const char *u = fleet_section_get(s, "url");
	size_t n = u ? strlen(u) : 0;

	while (n > 0 && u[n - 1] == '/')
		n--;
	return xstrndup(u ? u : "", n);
}

static void wipe(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static char *read_secret_key(const struct fleet_section *s, const char *key, char *err,
			     size_t errlen)
{
	char *path = fleet_section_path(s, key), *v, msg[256];

	if (!path)
		return NULL;
	v = fleet_read_secret(path, msg, sizeof(msg));
	free(path);
	if (!v)
		str_fmt(err, errlen, "%s: %s", key, msg);
	return v;
}

char *prom_auth_header(const struct fleet_section *s, char *err, size_t errlen)
{
	const char *user;
	char *tok, *pass, *pair, *b64, *hdr;

	err[0] = '\0';
	if ((tok = read_secret_key(s, "bearer_token_file", err, errlen))) {
		hdr = xasprintf("Authorization: Bearer %s", tok);
		wipe(tok);
		return hdr;
	}
	if (err[0])
		return NULL;
	user = (char *)fleet_section_get(s, "basic_auth_user");
	if (!user)
		return NULL;
	pass = read_secret_key(s, "basic_auth_password_file", err, errlen);
	if (!pass) {
		if (!err[0])
			str_fmt(err, errlen, "basic_auth_password_file is needed with basic_auth_user");
		return NULL;
	}
	pair = xasprintf("%s:%s", user, pass);
	b64 = base64_encode((const unsigned char *)pair, strlen(pair), true);
	hdr = xasprintf("Authorization: Basic %s", b64);
	wipe(pass);
	wipe(pair);
	wipe(b64);
	return hdr;
}

char *prom_ca_file(const struct fleet_section *s)
{
	return fleet_section_path(s, "ca_file");
}

char *prom_discovery_query(const struct fleet_section *s, char *err, size_t errlen)
{
	const char *label = fleet_section_value(s, "host_label"), *m = fleet_section_get(s, "match");
	char *uname, *up, *q = NULL;

	if (!prom_label_name_ok(label)) {
		str_fmt(err, errlen, "host_label \"%s\" is not a label name", label ? label : "");
		return NULL;
	}
	uname = prom_selector("node_uname_info", m, NULL, err, errlen);
	up = prom_selector("up", m, NULL, err, errlen);
	/* the node_exporters that answer, and the targets that do not (their
	 * node_uname_info went stale with the failed scrape, up == 0 stays) */
	if (uname && up)
		q = xasprintf("count by (%s) (%s) or count by (%s) (%s == 0)", label, uname, label, up);
	free(uname);
	free(up);
	return q;
}

/* ---- the names (start-up, and the large-fleet collector) ---- */

static bool name_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void on_name(void *arg, const struct prom_sample *s)
{
	struct prom_names *nm = arg;

	if (!s->label[0][0] || s->cut)
		return;
	/* remote text becomes a name on screen only when it is printable */
	if (!name_printable(s->label[0])) {
		nm->skipped++;
		return;
	}
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? 2 * nm->cap : 64;
		nm->v = xrealloc(nm->v, nm->cap * sizeof(*nm->v));
	}
	nm->v[nm->n++] = xstrdup(s->label[0]);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void prom_names_init(struct prom_names *nm, struct prom_conn *conn)
{
	memset(nm, 0, sizeof(*nm));
	nm->call = (struct prom_call){
		.conn = conn, .doc = PROM_DOC_VECTOR, .want = { conn->label, NULL },
		.fn = on_name, .arg = nm, .cap = PROM_DISCOVER_MAX,
	};
}

int prom_names_args(struct prom_names *nm, char **args, char *err, size_t errlen)
{
	char *q = prom_discovery_query(nm->call.conn->sec, err, errlen);

	if (!q)
		return -1;
	*args = prom_query_args(q, PROM_DISCOVER_MAX + 1);
	free(q);
	return 0;
}

int prom_names_finish(struct prom_names *nm, char *err, size_t errlen)
{
	size_t k = 0;

	if (!nm->call.ok) {
		str_copy(err, nm->call.over ? "more than 1,000,000 hosts match: narrow match"
			 : nm->call.err, errlen);
		return -1;
	}
	if (nm->n > 1)  /* an empty answer leaves v NULL: qsort(NULL) is UB */
		qsort(nm->v, nm->n, sizeof(*nm->v), cmp_str);
	for (size_t i = 0; i < nm->n; i++) {  /* distinct */
		if (k > 0 && strcmp(nm->v[k - 1], nm->v[i]) == 0)
			free(nm->v[i]);
		else
			nm->v[k++] = nm->v[i];
	}
	nm->n = k;
	return 0;
}

void prom_names_free(struct prom_names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	prom_call_clear(&nm->call);
	nm->v = NULL;
	nm->n = nm->cap = 0;
}

/* The distinct host names the section's server knows (sorted), or -1 with
 * err; conn is set up (its timeout the budget left). */
static int section_names(struct prom_conn *conn, struct prom_names *nm, char *err, size_t errlen)
{
	char *args;

	prom_names_init(nm, conn);
	if (prom_names_args(nm, &args, err, errlen) < 0)
		return -1;
	prom_call_run(&nm->call, "query", args);
	free(args);
	if (prom_names_finish(nm, err, errlen) < 0)
		return -1;
	if (!nm->n)
		str_fmt(err, errlen, "no host matches");
	return 0;
}

/* ---- is the section large? (a cheap question before the names) ---- */

/* The probe reads host_label values seen this recently (the engines'
 * index is coarser: VictoriaMetrics answers the whole day's, Prometheus
 * its head block's). */
#define PROBE_WINDOW 300

enum probe { PROBE_SMALL, PROBE_LARGE, PROBE_DOWN };

/* Whether the section has more than above hosts, without the names query
 * (which reads two metrics of every host: at 100,000 hosts it cannot
 * answer within the start budget, and an abandoned one goes on using the
 * server's CPU beside the large-fleet collector's first round): the
 * host_label values of node_uname_info{M} from the server's index (the
 * names query's own metric: up{M} would also count every other job's
 * targets when match leaves the job open, e.g. a host's cAdvisor and
 * postgres_exporter beside its node_exporter; a host down, with no
 * current node_uname_info, is only missed, and an answer too low is
 * checked by the names query),
 * /api/v1/label/L/values with limit=above+1 (VictoriaMetrics and
 * Prometheus 2.51+ stop there; an engine that does not is read only up
 * to one more than above). PROBE_LARGE: more than above; PROBE_DOWN: no
 * answer (err says why); PROBE_SMALL: at most above, or a server that did
 * not know the question: the names query tells. */
static enum probe section_probe(struct prom_conn *conn, int above, char *err, size_t errlen)
{
	struct prom_call call = {
		.conn = conn, .doc = PROM_DOC_VALUES, .want = { conn->label, NULL },
		.cap = (size_t)above,
	};
	char *sel = prom_selector("node_uname_info", fleet_section_get(conn->sec, "match"), NULL,
				  err, errlen);
	char *enc, *path, *args;

	if (!sel)
		return PROBE_SMALL;  /* the names query says why */
	enc = prom_url_encode(sel);
	args = xasprintf("match%%5B%%5D=%s&limit=%d&start=%.0f", enc, above + 1,
			 now_wall() - PROBE_WINDOW);
	path = xasprintf("label/%s/values", conn->label);
	prom_call_run(&call, path, args);
	free(path);
	free(args);
	free(enc);
	free(sel);
	prom_call_clear(&call);
	if (call.over || (call.ok && call.reader.samples > (size_t)above))
		return PROBE_LARGE;
	if (call.ok)
		return PROBE_SMALL;
	if (call.status == 0) {  /* no answer: the names query would get none either */
		str_copy(err, call.err, errlen);
		return PROBE_DOWN;
	}
	return PROBE_SMALL;
}

/* Names already taken (sorted, borrowed from f): explicit [host]s win. */
static const char **taken_names(const struct fleet *f)
{
	const char **v = xcalloc(f->nhosts + 1, sizeof(*v));

	for (size_t i = 0; i < f->nhosts; i++)
		v[i] = f->hosts[i].name;
	qsort(v, f->nhosts, sizeof(*v), cmp_str);
	return v;
}

static bool name_taken(const char **taken, size_t n, const char *name)
{
	return bsearch(&name, taken, n, sizeof(*taken), cmp_str) != NULL;
}

static void host_append(struct fleet *f, const struct fleet_section *s, int index,
			const char *name, char **mounts, size_t nmounts)
{
	struct fleet_host *h;

	f->hosts = xrealloc(f->hosts, (f->nhosts + 1) * sizeof(*f->hosts));
	h = &f->hosts[f->nhosts++];
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
	h->jump_index = -1;
	h->prometheus = index;
	h->role = xasprintf("via prometheus %s", s->name);
	h->ram_reserve = -1;
	/* no shell on these hosts: their containers and GPUs come from the
	 * exporters the section names, if any (prom_exporters.c) */
	h->containers = fleet_section_get(s, "cadvisor") ? CONT_AUTO : CONT_NONE;
	h->gpus = fleet_section_get(s, "dcgm") ? GPUS_AUTO : GPUS_NONE;
	for (size_t i = 0; i < nmounts && i < FLEET_MAX_DISKS; i++)
		h->disks[h->ndisks++] = xstrdup(mounts[i]);
	if (!h->ndisks)
		h->disks[h->ndisks++] = xstrdup("/");
	h->interval = fleet_section_duration(s, "interval", f->interval > 0 ? f->interval : 2);
	h->timeout = fleet_section_duration(s, "timeout", f->timeout > 0 ? f->timeout : 5);
	h->th = f->th;
	h->sec = s;
}

/* One section: its hosts, when the server answers in time with at most
 * server_rules_above of them. Otherwise none: the section is then judged
 * on the server (collect/prom_fleet.c), which also retries discovery.
 * The names query runs only for a section that may be small: none when
 * server_rules_above is 0, none when the probe finds more hosts. The
 * probe and the names share the budget. */
static size_t discover_section(struct fleet *f, const struct fleet_section *s, int index,
			       double budget, FILE *msg)
{
	char err[512] = "", **mounts;
	struct prom_names nm = { 0 };
	struct prom_conn conn;
	size_t added = 0, ntaken = f->nhosts, nmounts = 0;
	int above = fleet_section_int(s, "server_rules_above", 2000), rc = -1;
	const char **taken;
	enum probe pr = PROBE_SMALL;
	double t0 = now_mono(), left;

	if (above == 0)
		return 0;  /* judged on the server whatever it holds */
	prom_conn_init(&conn, s, f->timeout);
	if (budget > 0 && conn.timeout > budget)
		conn.timeout = budget;
	if (above > 0 && above < PROM_DISCOVER_MAX)
		pr = section_probe(&conn, above, err, sizeof(err));
	if (pr == PROBE_SMALL) {
		if (budget > 0) {  /* what the probe left, at least a tenth */
			left = budget - (now_mono() - t0);
			if (left < budget / 10)
				left = budget / 10;
			if (conn.timeout > left)
				conn.timeout = left;
		}
		rc = section_names(&conn, &nm, err, sizeof(err));
	}
	if (nm.skipped)
		fprintf(msg, "fleetdeck: [prometheus %s]: %zu host name%s with control "
			"characters left out\n", s->name, nm.skipped, nm.skipped == 1 ? "" : "s");
	if (pr == PROBE_LARGE) {
		/* too many to poll one by one: judged on the server */
	} else if (rc < 0 || !nm.n) {
		fprintf(msg, "fleetdeck: [prometheus %s]: no hosts from %s yet: %s; retrying in "
			"the background\n", s->name, fleet_section_get(s, "url"), err);
	} else if (above >= 0 && nm.n > (size_t)above) {
		/* too many to poll one by one: judged on the server */
	} else {
		mounts = fleet_list_split(fleet_section_value(s, "disk"), &nmounts);
		taken = taken_names(f);
		for (size_t i = 0; i < nm.n; i++) {
			if (name_taken(taken, ntaken, nm.v[i]))
				continue;  /* a [host] of that name keeps its SSH polling */
			host_append(f, s, index, nm.v[i], mounts, nmounts);
			added++;
		}
		free(taken);
		fleet_list_free(mounts);
	}
	prom_names_free(&nm);
	prom_conn_free(&conn);
	return added;
}

double prom_start_budget(void)
{
	const char *e = getenv("FLEETDECK_PROM_START_BUDGET");
	char *end;
	double v;

	if (!e || !*e)
		return PROM_START_BUDGET;
	v = strtod(e, &end);
	return *end == 0 && v > 0 && v <= 3600 ? v : PROM_START_BUDGET;
}

size_t prom_discover(struct fleet *f, FILE *msg, double budget)
{
	size_t n = fleet_count(f, SEC_PROMETHEUS), added = 0;

	for (size_t i = 0; i < n; i++)
		added += discover_section(f, fleet_nth(f, SEC_PROMETHEUS, i), (int)i, budget, msg);
	return added;
}
