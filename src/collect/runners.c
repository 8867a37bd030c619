/* The runners collector: lists every [runners] fleet every interval.
 * provider = command runs `list` on `host` over the host's persistent
 * session (hosts_submit); other providers are listed as "not supported
 * yet" rather than silently empty. */
#include "config.h"
#include "collect/source.h"
#include "collect/hosts.h"
#include "action/parse.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

struct rfleet {
	struct runners_src *rs;
	size_t index;
	const struct fleet_section *sec;
	int host;                    /* -1: no usable host */
	double interval, timeout;
	double next;                 /* monotonic */
	bool in_flight, done;
	struct runners_sample sample;
};

struct runners_src {
	const struct collect_env *env;
	struct rfleet *v;
	size_t n;
};

static double section_duration(const struct fleet_section *sec, const char *key, double dflt)
{
	const char *s = fleet_section_value(sec, key);
	double d;

	return s && parse_duration(s, &d) == 0 && d > 0 ? d : dflt;
}

/* The host a command runs on: the section's `host`, else this machine if the
 * fleet has it as a [host] (ssh = local). */
static int command_host(const struct fleet *f, const struct fleet_section *sec)
{
	const char *h = fleet_section_get(sec, "host");

	if (h)
		return fleet_host_index(f, h);
	for (size_t i = 0; i < f->nhosts; i++)
		if (f->hosts[i].local)
			return (int)i;
	return -1;
}

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
		r->host = command_host(env->f, r->sec);
		r->interval = section_duration(r->sec, "interval", env->f->interval);
		r->timeout = section_duration(r->sec, "timeout", env->f->timeout);
		r->sample.interval = r->interval;
		r->sample.count = r->sample.busy = r->sample.idle = -1;
		r->sample.offline = r->sample.queued = -1;
	}
	return rs;
}

static void publish(struct rfleet *r)
{
	collect_publish(r->rs->env, &r->rs->env->m->runners[r->index], &r->sample, sizeof(r->sample));
}

static void list_done(void *arg, const struct shell_result *res)
{
	struct rfleet *r = arg;
	struct runners_sample *s = &r->sample;

	r->in_flight = false;
	r->done = true;
	s->collected = true;
	s->error[0] = '\0';
	if (!res->ok) {
		str_fmt(s->error, sizeof(s->error), "cannot list runners: %s", res->message);
	} else if (res->status != 0) {
		char line[160];
		str_copy(line, res->err ? res->err : "", sizeof(line));
		line[strcspn(line, "\n")] = '\0';
		str_fmt(s->error, sizeof(s->error), "the list command failed (exit %d%s%s)",
			res->status, line[0] ? ": " : "", line);
	} else if (parse_runner_list(res->out, s) == 0) {
		s->sampled_at = now_wall();
		s->queued = -1;      /* a command lists runners, not the queue */
	}
	str_sanitize(s->error);
	if (s->error[0])
		s->count = s->busy = s->idle = s->offline = -1;
	publish(r);
}

static void rfleet_start(struct rfleet *r, double now)
{
	const char *prov = fleet_section_value(r->sec, "provider");
	const char *list = fleet_section_value(r->sec, "list");

	r->next = now + r->interval;
	if (!prov || strcmp(prov, "command") != 0 || r->host < 0 || !list) {
		r->done = true;
		r->sample.collected = true;
		if (!prov || strcmp(prov, "command") != 0)
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
	hosts_submit(r->rs->env->hosts, (size_t)r->host, list, r->timeout, list_done, r);
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
