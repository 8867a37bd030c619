#include "config.h"
#include "collect/hosts.h"
#include "collect/local.h"
#include "collect/probe.h"
#include "collect/resolver.h"
#include "collect/ssh.h"
#include "util/util.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define ONCE_SECOND_PROBE_S 0.25
#define STATS_PERIOD_S 1.0
#define PROBE_SLOW_S 30.0     /* swap, cores, btime, oom_kill, kernel */
#define PROBE_DISKS_S 30.0    /* df: disks fill slowly */
#define RESOLVER_THREADS 4
#define SSHG_PARALLEL 8      /* ssh -G children at once */
#define NO_JOB ((size_t)-1)

struct host_poller {
	struct hosts *owner;
	size_t index;
	const struct fleet_host *fh;
	struct ssh_conn *ssh;          /* exactly one of ssh/local */
	struct local_conn *local;
	char *script[4];               /* regular, +PROBE_SLOW, +PROBE_DISKS, +PROBE_BOOT */
	double next_poll;              /* monotonic */
	double next_slow, next_disks;  /* when those parts are due again */
	bool reread_boot;              /* btime and kernel again (after a failure) */
	bool in_flight;
	double started_wall;           /* when the poll in flight was sent */
	int good, failed;              /* for --once */
	/* our copy, published whole; NULL for a host read elsewhere
	 * (Prometheus): 1.6 KB a host it never publishes */
	struct host_sample *work;
	/* a host read from elsewhere (Prometheus) has no shell: requests sent to
	 * it are failed, with the reason, on the next dispatch */
	struct shell noshell;
	size_t job;                    /* its ssh -G job, NO_JOB: none */
	uint64_t logins;               /* its session's logins published so far */
};

struct hosts {
	const struct fleet *f;
	struct model *m;
	void (*notify)(void *);
	void *notify_arg;
	size_t n;
	struct host_poller *p;
	int *dest_setups;              /* one counter per distinct address */
	char *ssh_config;              /* [fleet] ssh_config, NULL: ssh's own */
	/* jump hosts that only the ssh configuration names (ProxyJump): not
	 * in the fleet, not shown, but connected through like any jump */
	struct ssh_conn **hops;
	size_t nhops;
	bool once, paused;
	struct ssh_sched sched;        /* every SSH setup of the fleet */
	char *stats_path;              /* $FLEETDECK_STATS, for benchmarks and tests */
	double next_stats;
	int dns_idx;                   /* the resolver's fd in the pollset */
	uint64_t trim_setups;          /* setups when memory was last trimmed */
	/* ssh -G, once per distinct alias/user/port, SSHG_PARALLEL at a time,
	 * from the loop: start-up never waits for it */
	struct cfg_job *jobs;
	size_t njobs, jobs_started, jobs_running;
	size_t *hop_job;               /* per hop: its job */
	uint64_t relogin_gen;          /* the actions' asks looked at (model_relogin_gen) */
};

struct cfg_job {
	struct sshconfig_job job;
	int poll_idx;
};

/* A host discovered from a [prometheus] section is read by that source
 * (collect/prometheus.c): it has no transport here and is never waited for. */
static bool poller_elsewhere(const struct host_poller *hp)
{
	return hp->fh->prometheus >= 0;
}

static struct shell *poller_shell(struct host_poller *hp)
{
	if (hp->ssh)
		return ssh_conn_shell(hp->ssh);
	if (hp->local)
		return local_conn_shell(hp->local);
	return &hp->noshell;
}

static void publish(struct host_poller *hp)
{
	struct hosts *h = hp->owner;

	model_publish_host(h->m, hp->index, hp->work);
	if (h->notify)
		h->notify(h->notify_arg);
}

static void probe_done(void *arg, const struct shell_result *r)
{
	struct host_poller *hp = arg;
	struct host_sample *s = hp->work;
	struct host_sample prev = *s;
	char err[MODEL_ERR_LEN];

	hp->in_flight = false;
	s->poll_running_since = 0;
	s->attempted_at = now_wall();
	if (!r->ok) {
		const char *msg, *fp = "";
		s->conn = r->fail;
		str_copy(s->error, r->message ? r->message : "failed", sizeof(s->error));
		if (hp->ssh)
			ssh_conn_last_fail(hp->ssh, &msg, &fp);
		if (fp && *fp)
			str_copy(s->fingerprint, fp, sizeof(s->fingerprint));
		/* what a broken login shell printed is the best clue */
		if (r->fail == HC_PROBE && r->outlen) {
			size_t len = strlen(s->error);
			str_fmt(s->error + len, sizeof(s->error) - len, " (it printed: \"%.60s\")", r->out);
		}
		/* remote bytes never reach a terminal as control sequences */
		str_sanitize(s->error);
		hp->failed++;
		/* read them on the next good poll */
		hp->next_slow = hp->next_disks = 0;
		hp->reread_boot = true;
		publish(hp);
		return;
	}
	if (probe_parse(r->out, r->outlen, &prev, s, err, sizeof(err)) < 0) {
		s->conn = HC_PROBE;
		str_copy(s->error, err, sizeof(s->error));
		str_sanitize(s->error);
		hp->failed++;
		hp->next_slow = hp->next_disks = 0;
		hp->reread_boot = true;
		publish(hp);
		return;
	}
	s->conn = HC_OK;
	s->error[0] = '\0';
	if (hp->ssh) {
		const char *msg, *fp = "";
		ssh_conn_last_fail(hp->ssh, &msg, &fp);
		str_copy(s->fingerprint, fp, sizeof(s->fingerprint));
		s->slow_login = ssh_conn_slow_login(hp->ssh);
	}
	s->sampled_at = s->attempted_at;
	s->latency_ms = r->latency_ms;
	s->valid |= HV_LATENCY;
	s->rounds++;
	hp->good++;
	if (hp->owner->once && hp->good == 1)
		hp->next_poll = now_mono() + ONCE_SECOND_PROBE_S;
	publish(hp);
}

/* A poll still running when the next is due: that one is skipped (one
 * poll per host at a time, never a pile of them on a struggling host) and
 * the host says so, once, until the running poll ends. */
static void poller_overdue(struct host_poller *hp, double now)
{
	if (!hp->in_flight || now < hp->next_poll || hp->work->poll_running_since > 0)
		return;
	hp->work->poll_running_since = hp->started_wall;
	publish(hp);
}

static bool poller_wants_poll(const struct hosts *h, const struct host_poller *hp, double now)
{
	if (hp->in_flight || now < hp->next_poll)
		return false;
	if (h->once)
		return hp->good < 2 && hp->failed == 0;
	return !h->paused;
}

static void poller_start(struct host_poller *hp, double now)
{
	int k = 0;

	hp->in_flight = true;
	hp->started_wall = now_wall();
	hp->next_poll = now + hp->fh->interval;
	if (now >= hp->next_slow) {
		k = 1;
		hp->next_slow = now + PROBE_SLOW_S;
	}
	if (now >= hp->next_disks) {
		k = 2;
		hp->next_disks = now + PROBE_DISKS_S;
	}
	/* a sample that failed lost its kernel: the shell would not send it */
	if (k == 2 && hp->reread_boot) {
		k = 3;
		hp->reread_boot = false;
	}
	/* builtins only (but for df): no subshell, no process on the host */
	shell_submit_builtins(poller_shell(hp), hp->script[k], hp->fh->timeout, probe_done, hp);
	if (hp->ssh)
		ssh_conn_kick(hp->ssh, now);
	else
		local_conn_kick(hp->local, now);
}

/* Creates host i's transport, its jump host's first (jumps may chain). */
static void make_conn(struct hosts *h, size_t i, int depth)
{
	struct host_poller *hp = &h->p[i];
	const struct fleet_host *fh = hp->fh;
	struct ssh_params sp = { 0 };

	if (hp->ssh || hp->local || poller_elsewhere(hp))
		return;
	if (fh->local) {
		hp->local = local_conn_new(fh->timeout);
		return;
	}
	if (fh->jump_index >= 0 && (size_t)fh->jump_index < h->n && depth < 8) {
		make_conn(h, (size_t)fh->jump_index, depth + 1);
		sp.jump = h->p[fh->jump_index].ssh;  /* NULL if the jump is local */
	}
	sp.name = fh->name;
	sp.alias = fh->address ? fh->address : fh->name;
	sp.user = fh->user;
	sp.port = fh->port;
	sp.identity_file = fh->identity_file;
	sp.known_hosts = h->f->known_hosts_set ? h->f->known_hosts : NULL;
	sp.ssh_config = h->ssh_config;
	sp.policy = h->f->host_key_policy;
	sp.timeout = fh->timeout > 0 ? fh->timeout : 5;
	sp.sched = &h->sched;
	/* hosts sharing an address share one setup counter */
	for (size_t j = 0; j <= i; j++) {
		const char *a = h->p[j].fh->address;
		if (a && sp.alias && strcmp(a, sp.alias) == 0) {
			sp.dest_setups = &h->dest_setups[j];
			break;
		}
	}
	hp->ssh = ssh_conn_new(&sp);
}

static size_t job_for(struct hosts *h, struct ssh_conn *c);
static void conn_resolved(struct hosts *h, struct ssh_conn *c, size_t k);

/* A hop of a ProxyJump list, "[user@]host[:port]": a fleet host of that
 * name or address, else a hidden conn of our own. */
static struct ssh_conn *hop_conn(struct hosts *h, const char *spec, struct ssh_conn *via)
{
	char *copy = xstrdup(spec), *host = copy, *user = NULL, *colon;
	struct ssh_params sp = { 0 };
	struct ssh_conn *c;
	int port = 0;

	for (size_t i = 0; i < h->n; i++) {
		const struct fleet_host *fh = h->p[i].fh;
		if (h->p[i].ssh && (strcmp(fh->name, spec) == 0 ||
				    (fh->address && strcmp(fh->address, spec) == 0))) {
			free(copy);
			return h->p[i].ssh;
		}
	}
	if ((colon = strrchr(copy, '@'))) {
		*colon = '\0';
		user = copy;
		host = colon + 1;
	}
	if ((colon = strrchr(host, ':')) && !strchr(colon + 1, ']')) {
		*colon = '\0';
		port = atoi(colon + 1);
	}
	/* ssh -G writes an address with a port as [addr]:port */
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		host++;
	}
	sp.name = spec;
	sp.alias = host;
	sp.user = user;
	sp.port = port;
	sp.known_hosts = h->f->known_hosts_set ? h->f->known_hosts : NULL;
	sp.ssh_config = h->ssh_config;
	sp.policy = h->f->host_key_policy;
	sp.timeout = h->f->timeout > 0 ? h->f->timeout : 5;
	sp.jump = via;
	sp.sched = &h->sched;
	c = ssh_conn_new(&sp);
	free(copy);
	h->hops = xrealloc(h->hops, (h->nhops + 1) * sizeof(*h->hops));
	h->hop_job = xrealloc(h->hop_job, (h->nhops + 1) * sizeof(*h->hop_job));
	h->hops[h->nhops] = c;
	h->hop_job[h->nhops] = job_for(h, c);
	h->nhops++;
	/* the hop's alias may have been read already for another conn */
	if (h->jobs[h->hop_job[h->nhops - 1]].job.done)
		conn_resolved(h, c, h->hop_job[h->nhops - 1]);
	return c;
}

/* Follows a conn's ProxyJump from the ssh configuration ("a,b": through
 * a, then b) when the fleet file gave it no jump of its own. */
static void follow_proxyjump(struct hosts *h, struct ssh_conn *c)
{
	struct ssh_conn *via = NULL;
	char *list, *save = NULL;

	if (!c || ssh_conn_has_jump(c) || !ssh_conn_proxyjump(c)[0])
		return;
	list = xstrdup(ssh_conn_proxyjump(c));
	for (char *hop = strtok_r(list, ",", &save); hop; hop = strtok_r(NULL, ",", &save))
		via = hop_conn(h, hop, via);
	ssh_conn_set_jump(c, via);
	free(list);
}

static void conn_resolved(struct hosts *h, struct ssh_conn *c, size_t k)
{
	ssh_conn_set_target(c, &h->jobs[k].job.req);
	follow_proxyjump(h, c);
}

/* The job that reads c's ssh configuration: one per distinct key. */
static size_t job_for(struct hosts *h, struct ssh_conn *c)
{
	const char *alias, *user;
	int port;
	struct cfg_job *j;

	ssh_conn_resolve_key(c, &alias, &user, &port);
	for (size_t k = 0; k < h->njobs; k++) {
		const struct sshconfig_req *r = &h->jobs[k].job.req;
		if (r->port == port && strcmp(r->alias, alias) == 0 &&
		    (r->user == user || (r->user && user && strcmp(r->user, user) == 0)))
			return k;
	}
	h->jobs = xrealloc(h->jobs, (h->njobs + 1) * sizeof(*h->jobs));
	j = &h->jobs[h->njobs];
	memset(j, 0, sizeof(*j));
	j->poll_idx = -1;
	j->job.req.alias = alias;   /* the conn's: conns outlive jobs */
	j->job.req.user = user;
	j->job.req.port = port;
	j->job.req.config = h->ssh_config;
	return h->njobs++;
}

/* A job finished: every conn waiting for it gets its configuration. */
static void job_done(struct hosts *h, size_t k)
{
	size_t nhops = h->nhops;

	for (size_t i = 0; i < h->n; i++)
		if (h->p[i].job == k)
			conn_resolved(h, h->p[i].ssh, k);
	for (size_t i = 0; i < nhops; i++)
		if (h->hop_job[i] == k)
			conn_resolved(h, h->hops[i], k);
}

static void jobs_prepare(struct hosts *h, struct pollset *ps, double now, double *deadline)
{
	while (h->jobs_started < h->njobs && h->jobs_running < SSHG_PARALLEL) {
		size_t k = h->jobs_started++;
		sshconfig_job_start(&h->jobs[k].job, now);
		if (h->jobs[k].job.done)
			job_done(h, k);
		else
			h->jobs_running++;
	}
	for (size_t k = 0; k < h->jobs_started; k++) {
		struct cfg_job *j = &h->jobs[k];
		j->poll_idx = -1;
		if (j->job.done)
			continue;
		j->poll_idx = pollset_add(ps, sshconfig_job_fd(&j->job), POLLIN);
		deadline_min(deadline, j->job.deadline);
	}
}

static void jobs_dispatch(struct hosts *h, const struct pollset *ps, double now)
{
	for (size_t k = 0; k < h->jobs_started; k++) {
		struct cfg_job *j = &h->jobs[k];
		if (j->job.done || (!pollset_revents(ps, j->poll_idx) && now < j->job.deadline))
			continue;
		if (sshconfig_job_step(&j->job, now)) {
			h->jobs_running--;
			job_done(h, k);
		}
	}
}

static int fleet_handshake_cap(const struct fleet *f)
{
	int cap = 0;

	if (fleet_count(f, SEC_FLEET))
		cap = fleet_section_int(fleet_nth(f, SEC_FLEET, 0), "max_handshakes", 0);
	return cap > 0 ? cap : ssh_sched_default_cap();
}

/* A socket per host, plus pipes and tunnels: a big fleet needs more than
 * the usual soft limit of 1,024 descriptors. */
static void raise_fd_limit(size_t nhosts)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)nhosts * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

struct hosts *hosts_new(const struct fleet *f, struct model *m,
			void (*notify)(void *arg), void *arg)
{
	struct hosts *h = xcalloc(1, sizeof(*h));

	h->f = f;
	h->m = m;
	h->notify = notify;
	h->notify_arg = arg;
	h->n = f->nhosts;
	raise_fd_limit(h->n);
	h->p = xcalloc(h->n, sizeof(*h->p));
	h->dest_setups = xcalloc(h->n, sizeof(*h->dest_setups));
	if (fleet_count(f, SEC_FLEET))
		h->ssh_config = fleet_section_path(fleet_nth(f, SEC_FLEET, 0), "ssh_config");
	ssh_sched_init(&h->sched, fleet_handshake_cap(f), 0);
	h->sched.resolver = resolver_new(RESOLVER_THREADS);
	if (getenv("FLEETDECK_STATS") && *getenv("FLEETDECK_STATS"))
		h->stats_path = xstrdup(getenv("FLEETDECK_STATS"));
	for (size_t i = 0; i < h->n; i++) {
		struct host_poller *hp = &h->p[i];
		hp->owner = h;
		hp->index = i;
		hp->fh = &f->hosts[i];
		/* a host read from a [prometheus] section is never probed: no
		 * scripts (4.6 KB a host, 46 MB of a 10,000-host section) */
		if (!poller_elsewhere(hp)) {
			hp->script[0] = probe_script(hp->fh, 0);
			hp->script[1] = probe_script(hp->fh, PROBE_SLOW);
			hp->script[2] = probe_script(hp->fh, PROBE_SLOW | PROBE_DISKS);
			hp->script[3] = probe_script(hp->fh, PROBE_SLOW | PROBE_DISKS | PROBE_BOOT);
		}
		shell_init(&hp->noshell);
		if (!poller_elsewhere(hp)) {
			hp->work = xcalloc(1, sizeof(*hp->work));
			hp->work->interval = hp->fh->interval;
		}
		/* spread the first polls a little: a big fleet does not connect at once */
		hp->next_poll = now_mono() + (h->n > 16 ? 0.002 * (double)i : 0);
	}
	for (size_t i = 0; i < h->n; i++)
		make_conn(h, i, 0);
	/* the ssh configuration is read later, from the loop, in fleet order */
	for (size_t i = 0; i < h->n; i++)
		h->p[i].job = h->p[i].ssh ? job_for(h, h->p[i].ssh) : NO_JOB;
	return h;
}

/* FLEETDECK_STATS=FILE: the connection counters as one JSON object,
 * rewritten every second and at exit (make bench, tests). */
static void stats_write(struct hosts *h)
{
	const struct ssh_stats *st = &h->sched.stats;
	char *tmp;
	FILE *fp;
	size_t ready = 0, nssh = 0, nlat = 0;
	unsigned long long probes_ok = 0;
	double now = now_wall(), age_max = 0, lat_sum = 0, lat_max = 0;

	if (!h->stats_path)
		return;
	for (size_t i = 0; i < h->n; i++) {
		const struct host_sample *s = h->p[i].work;
		if (!h->p[i].ssh)
			continue;
		nssh++;
		ready += ssh_conn_ready(h->p[i].ssh);
		probes_ok += (unsigned long long)h->p[i].good;
		if (s->sampled_at <= 0)
			continue;
		/* how old the data a user sees is right now (hosts with data) */
		if (now - s->sampled_at > age_max)
			age_max = now - s->sampled_at;
		lat_sum += s->latency_ms;
		nlat++;
		if (s->latency_ms > lat_max)
			lat_max = s->latency_ms;
	}
	tmp = xasprintf("%s.tmp", h->stats_path);
	fp = fopen(tmp, "w");
	if (!fp) {
		free(tmp);
		return;
	}
	fprintf(fp, "{\"ssh_hosts\": %zu, \"ready\": %zu, \"handshake_cap\": %d, "
		"\"in_flight\": %d, \"max_in_flight\": %d, \"queued\": %s, "
		"\"setups\": %llu, \"setups_ok\": %llu, \"recv_calls\": %llu, "
		"\"recv_eagain\": %llu, \"send_calls\": %llu, \"send_eagain\": %llu, "
		"\"probes_ok\": %llu, \"age_max_s\": %.3f, \"latency_avg_ms\": %.2f, "
		"\"latency_max_ms\": %.2f, "
		"\"phase_max_s\": {\"dns\": %.3f, \"tcp\": %.3f, \"kex\": %.3f, \"auth\": %.3f, "
		"\"shell\": %.3f, \"answer\": %.3f}}\n",
		nssh, ready, h->sched.cap, h->sched.in_flight, h->sched.max_in_flight,
		h->sched.qhead ? "true" : "false",
		(unsigned long long)st->setups, (unsigned long long)st->setups_ok,
		(unsigned long long)st->recv_calls, (unsigned long long)st->recv_eagain,
		(unsigned long long)st->send_calls, (unsigned long long)st->send_eagain,
		probes_ok, age_max, nlat ? lat_sum / (double)nlat : 0.0, lat_max,
		st->phase_max[SP_DNS], st->phase_max[SP_TCP], st->phase_max[SP_KEX], st->phase_max[SP_AUTH],
		st->phase_max[SP_SHELL], st->phase_max[SP_ANSWER]);
	if (fclose(fp) == 0)
		rename(tmp, h->stats_path);
	free(tmp);
}

void hosts_free(struct hosts *h)
{
	if (!h)
		return;
	stats_write(h);
	for (size_t i = 0; i < h->n; i++)
		if (h->p[i].ssh)
			ssh_conn_disconnect(h->p[i].ssh);
	for (size_t i = 0; i < h->nhops; i++)
		ssh_conn_disconnect(h->hops[i]);
	for (size_t i = 0; i < h->nhops; i++)
		ssh_conn_free(h->hops[i]);
	free(h->hops);
	for (size_t i = 0; i < h->n; i++) {
		ssh_conn_free(h->p[i].ssh);
		local_conn_free(h->p[i].local);
		shell_free(&h->p[i].noshell);
		free(h->p[i].work);
		for (int k = 0; k < (int)ARRAY_LEN(h->p[i].script); k++)
			free(h->p[i].script[k]);
	}
	free(h->p);
	/* after every conn let go of its lookups */
	resolver_free(h->sched.resolver);
	for (size_t k = 0; k < h->njobs; k++)
		sshconfig_job_free(&h->jobs[k].job);
	free(h->jobs);
	free(h->hop_job);
	free(h->dest_setups);
	free(h->ssh_config);
	free(h->stats_path);
	free(h);
}

void hosts_set_once(struct hosts *h, bool once)
{
	h->once = once;
}

void hosts_set_paused(struct hosts *h, bool paused)
{
	h->paused = paused;
}

void hosts_poll_now(struct hosts *h, double now)
{
	for (size_t i = 0; i < h->n; i++)
		if (!h->p[i].in_flight)
			h->p[i].next_poll = now;
}

/* An action asks for new logins (a key rotation: model_relogin_ask);
 * a paused collector makes none. */
static void relogins_start(struct hosts *h, double now)
{
	uint64_t gen;
	char key[4096];

	if (h->paused || h->once || (gen = model_relogin_gen(h->m)) == h->relogin_gen)
		return;
	h->relogin_gen = gen;
	for (size_t i = 0; i < h->n; i++)
		if (model_relogin_take(h->m, i, key, sizeof(key)) && h->p[i].ssh)
			ssh_conn_relogin(h->p[i].ssh, key, now);
}

/* A session that logged in: when, and with which key, for the actions. */
static void login_publish(struct hosts *h, struct host_poller *hp)
{
	double at;
	const char *key;
	uint64_t n = ssh_conn_login(hp->ssh, &at, &key);

	if (n == hp->logins)
		return;
	hp->logins = n;
	model_login_done(h->m, hp->index, at, key);
}

void hosts_prepare(struct hosts *h, struct pollset *ps, double now, double *deadline)
{
	relogins_start(h, now);
	for (size_t i = 0; i < h->n; i++) {
		if (poller_wants_poll(h, &h->p[i], now) && !poller_elsewhere(&h->p[i]))
			poller_start(&h->p[i], now);
		else if (!h->once && !h->paused)
			poller_overdue(&h->p[i], now);
	}
	/* the polls just started may have queued setups: admit what fits */
	ssh_sched_admit(&h->sched, now);
	if (h->stats_path) {
		if (now >= h->next_stats) {
			stats_write(h);
			h->next_stats = now + STATS_PERIOD_S;
		}
		deadline_min(deadline, h->next_stats);
	}
	h->dns_idx = pollset_add(ps, resolver_fd(h->sched.resolver), POLLIN);
	jobs_prepare(h, ps, now, deadline);
	for (size_t i = 0; i < h->nhops; i++)
		ssh_conn_prepare(h->hops[i], ps, deadline);
	for (size_t i = 0; i < h->n; i++) {
		struct host_poller *hp = &h->p[i];
		if (poller_elsewhere(hp))
			continue;
		if (!hp->in_flight && (!h->paused || h->once))
			deadline_min(deadline, hp->next_poll);
		if (hp->ssh)
			ssh_conn_prepare(hp->ssh, ps, deadline);
		else
			local_conn_prepare(hp->local, ps, deadline);
	}
}

void hosts_dispatch(struct hosts *h, const struct pollset *ps, double now)
{
	jobs_dispatch(h, ps, now);
	h->sched.dns_ready = pollset_revents(ps, h->dns_idx) != 0;
	if (h->sched.dns_ready)
		resolver_drain(h->sched.resolver);
	for (size_t i = 0; i < h->nhops; i++)
		ssh_conn_dispatch(h->hops[i], ps, now);
	for (size_t i = 0; i < h->n; i++) {
		struct host_poller *hp = &h->p[i];
		if (poller_elsewhere(hp)) {
			if (shell_busy(&hp->noshell)) {
				char why[160];
				str_fmt(why, sizeof(why), "%s is read from Prometheus: fleetdeck has no "
					"shell on it", hp->fh->name);
				shell_fail_all(&hp->noshell, HC_PROBE, why);
			}
			continue;
		}
		if (hp->ssh) {
			ssh_conn_dispatch(hp->ssh, ps, now);
			login_publish(h, hp);
		} else {
			local_conn_dispatch(hp->local, ps, now);
		}
	}
	h->sched.dns_ready = false;
	/* slots freed by setups that finished or failed go to the queue */
	ssh_sched_admit(&h->sched, now);
	/* a wave of setups is over: give the key exchanges' scratch memory
	 * back (at 1,000 hosts it is most of the heap's high-water mark) */
	if (h->sched.in_flight == 0 && !h->sched.qhead && h->trim_setups != h->sched.stats.setups) {
		h->trim_setups = h->sched.stats.setups;
		malloc_trim(0);
	}
}

void hosts_submit(struct hosts *h, size_t i, const char *script, double timeout,
		  shell_cb cb, void *arg)
{
	struct shell_limits lim = { .timeout = timeout };

	hosts_submit_limited(h, i, script, &lim, cb, arg);
}

void hosts_submit_limited(struct hosts *h, size_t i, const char *script,
			  const struct shell_limits *limits, shell_cb cb, void *arg)
{
	struct host_poller *hp = &h->p[i];
	struct shell_limits lim = *limits;
	double now = now_mono();

	if (lim.timeout <= 0)
		lim.timeout = hp->fh->timeout;
	shell_submit_limited(poller_shell(hp), script, &lim, cb, arg);
	if (hp->ssh)
		ssh_conn_kick(hp->ssh, now);
	else if (hp->local)
		local_conn_kick(hp->local, now);
	/* else: no shell (Prometheus host); failed on the next dispatch */
}

enum host_conn hosts_conn(const struct hosts *h, size_t i)
{
	return h->p[i].work ? h->p[i].work->conn : HC_NEVER;
}

bool hosts_is_local(const struct hosts *h, size_t i)
{
	return h->p[i].local != NULL;
}

int hosts_forward(struct hosts *h, size_t i, const char *dest, int port, const char *path,
		  char *err, size_t errlen)
{
	if (!h->p[i].ssh) {
		str_fmt(err, errlen, "%s is this machine: connect directly", h->p[i].fh->name);
		return -1;
	}
	return ssh_conn_forward(h->p[i].ssh, dest, port, path, err, errlen);
}

struct ssh_tunnel *hosts_open_socket(struct hosts *h, size_t i, const char *path, int *fd)
{
	return h->p[i].ssh ? ssh_conn_open_socket(h->p[i].ssh, path, fd, now_mono()) : NULL;
}

double hosts_round_limit(const struct fleet *f)
{
	double t = f->timeout > 0 ? f->timeout : 5;
	size_t waves;

	for (size_t i = 0; i < f->nhosts; i++)
		if (f->hosts[i].timeout > t)
			t = f->hosts[i].timeout;
	waves = (f->nhosts + (size_t)fleet_handshake_cap(f) - 1) / (size_t)fleet_handshake_cap(f);
	/* a jumped host: two setups of TCP+kex+auth (t each) and shell (3t),
	 * then the first answer (3t); each wave ahead holds a slot <= 6t */
	return 15 * t + 2 + (double)waves * 6 * t;
}

bool hosts_round_done(const struct hosts *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (!poller_elsewhere(&h->p[i]) && h->p[i].good < 2 && h->p[i].failed == 0)
			return false;
	return true;
}
