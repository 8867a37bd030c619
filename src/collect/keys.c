/* The keys collector: reads every [key]'s creation time every interval,
 * the way its provider's row says (provider/providers.c): KR_SHELL
 * (command) runs `age` on `host` over the host's session; KR_WORKER
 * (pg-apikey reads created_at of the live row) on a short-lived worker,
 * since libpq's connect blocks; KR_LOCAL (ssh-authorized-key stats
 * identity_file) right here. */
#include "config.h"
#include "collect/source.h"
#include "collect/hosts.h"
#include "provider/parse.h"
#include "provider/provider.h"
#include "loop/wake.h"
#include "util/util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kitem {
	struct keys_src *ks;
	size_t index;
	const struct fleet_section *sec;
	int host;
	double interval, timeout, next;
	bool in_flight, done;
	/* KR_WORKER (pg-apikey): a worker thread, finished when `ready` */
	const struct key_provider *prov;
	pthread_t thread;
	atomic_bool ready;
	bool joinable;
	struct key_sample work;
	struct key_sample sample;
};

struct keys_src {
	const struct collect_env *env;
	struct kitem *v;
	size_t n;
	struct wake done;            /* workers poke it when they finish */
};

static void *keys_create(const struct collect_env *env)
{
	size_t n = fleet_count(env->f, SEC_KEY);
	struct keys_src *ks;

	if (n == 0)
		return NULL;
	ks = xcalloc(1, sizeof(*ks));
	ks->env = env;
	ks->n = n;
	ks->v = xcalloc(n, sizeof(*ks->v));
	wake_open_or_die(&ks->done, "keys");
	for (size_t i = 0; i < n; i++) {
		struct kitem *k = &ks->v[i];
		k->ks = ks;
		k->index = i;
		k->sec = fleet_nth(env->f, SEC_KEY, i);
		k->host = fleet_command_host(env->f, k->sec);
		k->interval = fleet_section_duration(k->sec, "interval", env->f->interval * 15);
		k->timeout = fleet_section_duration(k->sec, "timeout", env->f->timeout);
		k->sample.interval = k->interval;
	}
	return ks;
}

static void publish(struct kitem *k)
{
	str_sanitize(k->sample.error);
	str_sanitize(k->sample.id);
	k->sample.collected = true;
	k->done = true;
	k->in_flight = false;
	collect_publish(k->ks->env, DOM_KEY, k->index, &k->sample, sizeof(k->sample));
}

static void age_done(void *arg, const struct shell_result *res)
{
	struct kitem *k = arg;
	struct key_sample *s = &k->sample;

	s->error[0] = '\0';
	if (!res->ok)
		str_fmt(s->error, sizeof(s->error), "cannot read the key's age: %s", res->message);
	else if (res->status != 0)
		str_fmt(s->error, sizeof(s->error), "the age command failed (exit %d)", res->status);
	else if (parse_time_text(res->out, &s->created_at) < 0)
		str_copy(s->error, "the age command printed no epoch or ISO-8601 time",
			 sizeof(s->error));
	else
		s->sampled_at = now_wall();
	publish(k);
}

/* KR_WORKER: the blocking read, off the collector's loop. */
static void *read_worker(void *arg)
{
	struct kitem *k = arg;
	memset(&k->work, 0, sizeof(k->work));
	if (k->prov->read(k->ks->env->f, k->sec, k->timeout, &k->work.created_at, k->work.id,
			  sizeof(k->work.id), k->work.error, sizeof(k->work.error)) == 0)
		k->work.sampled_at = now_wall();
	atomic_store(&k->ready, true);
	wake_poke(&k->ks->done);
	return NULL;
}

/* KR_SHELL: the section's age command on its host, once the host answered
 * its probe (as runners.c). */
static void start_shell(struct kitem *k, double now)
{
	const char *age = fleet_section_value(k->sec, "age");
	enum host_conn hc;
	char *cmd;

	if (!age || k->host < 0) {
		str_copy(k->sample.error, !age ? "no age command: the age is not known" :
			 "set host = a [host] (or add a [host] with ssh = local)", sizeof(k->sample.error));
		k->next = now + 3600;
		publish(k);
		return;
	}
	hc = hosts_conn(k->ks->env->hosts, (size_t)k->host);
	if (hc == HC_NEVER) {
		k->next = now + 0.2;
		return;
	}
	if (hc != HC_OK) {
		str_fmt(k->sample.error, sizeof(k->sample.error), "%s is not reachable",
			k->ks->env->f->hosts[k->host].name);
		publish(k);
		return;
	}
	cmd = sh_command(age);
	k->in_flight = true;
	hosts_submit(k->ks->env->hosts, (size_t)k->host, cmd, k->timeout, age_done, k);
	free(cmd);
}

/* How the key is read is its provider's row (provider/providers.c). */
static void kitem_start(struct kitem *k, double now)
{
	const struct key_provider *p = key_provider_of(k->sec);

	k->next = now + k->interval;
	if (!p) {
		const char *prov = fleet_section_value(k->sec, "provider");
		str_fmt(k->sample.error, sizeof(k->sample.error),
			"provider %s: the age is not collected yet in this build", prov ? prov : "?");
		k->next = now + 3600;
		publish(k);
		return;
	}
	switch (p->reading) {
	case KR_SHELL:
		start_shell(k, now);
		return;
	case KR_LOCAL:
		k->sample.error[0] = '\0';
		if (p->read(k->ks->env->f, k->sec, k->timeout, &k->sample.created_at, k->sample.id,
			    sizeof(k->sample.id), k->sample.error, sizeof(k->sample.error)) == 0)
			k->sample.sampled_at = now_wall();
		publish(k);
		return;
	case KR_WORKER:
		k->prov = p;
		atomic_store(&k->ready, false);
		if (pthread_create(&k->thread, NULL, read_worker, k) == 0) {
			k->joinable = true;
			k->in_flight = true;
			return;
		}
		str_copy(k->sample.error, "cannot start a worker thread", sizeof(k->sample.error));
		publish(k);
		return;
	}
}

static void keys_prepare(void *s, struct pollset *ps, double now, double *deadline,
			 const struct collect_flags *fl)
{
	struct keys_src *ks = s;

	pollset_add(ps, wake_fd(&ks->done), POLLIN);
	for (size_t i = 0; i < ks->n; i++) {
		struct kitem *k = &ks->v[i];
		if (k->in_flight || (fl->once && k->done))
			continue;
		if (!fl->paused && (fl->poll_now || now >= k->next))
			kitem_start(k, now);
		if (!k->in_flight && (*deadline == 0 || k->next < *deadline))
			*deadline = k->next;
	}
}

static void keys_dispatch(void *s, const struct pollset *ps, double now)
{
	struct keys_src *ks = s;
	(void)ps; (void)now;
	wake_drain(&ks->done);
	for (size_t i = 0; i < ks->n; i++) {
		struct kitem *k = &ks->v[i];
		if (!k->joinable || !atomic_load(&k->ready))
			continue;
		pthread_join(k->thread, NULL);
		k->joinable = false;
		k->sample = k->work;
		k->sample.interval = k->interval;
		publish(k);
	}
}

static bool keys_round_done(void *s)
{
	struct keys_src *ks = s;

	for (size_t i = 0; i < ks->n; i++)
		if (!ks->v[i].done)
			return false;
	return true;
}

static void keys_destroy(void *s)
{
	struct keys_src *ks = s;

	if (!ks)
		return;
	for (size_t i = 0; i < ks->n; i++)
		if (ks->v[i].joinable)
			pthread_join(ks->v[i].thread, NULL);
	wake_close(&ks->done);
	free(ks->v);
	free(ks);
}

const struct source_ops source_keys = {
	.name = "keys",
	.create = keys_create,
	.prepare = keys_prepare,
	.dispatch = keys_dispatch,
	.round_done = keys_round_done,
	.destroy = keys_destroy,
};
