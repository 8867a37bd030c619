#include "config.h"
#include "collect/collector.h"
#include "collect/hosts.h"
#include "collect/http.h"
#include "collect/source.h"
#include "domain/domain.h"
#include "loop/pollset.h"
#include "loop/wake.h"
#include "util/util.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SLEEP_S 1.0

/* Every collector besides the hosts' own probe: the domain table's sources,
 * each once (two domains may share one). */
#define NSOURCES DOM__COUNT

struct collector {
	const struct fleet *f;
	struct model *m;
	struct hosts *hosts;
	struct http *http;
	struct collect_env env;
	const struct source_ops *sources[NSOURCES];
	void *state[NSOURCES];       /* per source; NULL: nothing to do */
	bool once;
	struct pollset ps;
	pthread_t thread;
	bool started;
	struct wake ctl;         /* UI -> collector: look at the flags */
	struct wake wake;        /* collector -> UI: the model changed */
	atomic_bool stop, paused, poll_now;
};

static void notify_ui(void *arg)
{
	struct collector *c = arg;
	wake_poke(&c->wake);
}

static void sources_from_domains(const struct source_ops *out[NSOURCES])
{
	size_t n = 0;

	DOMAINS_FOREACH(d) {
		bool seen = !d->source;

		for (size_t k = 0; k < n && !seen; k++)
			seen = out[k] == d->source;
		if (!seen)
			out[n++] = d->source;
	}
}

struct collector *collector_new(const struct fleet *f, struct model *m)
{
	struct collector *c = xcalloc(1, sizeof(*c));

	c->f = f;
	c->m = m;
	wake_open_or_die(&c->ctl, "collector");
	wake_open_or_die(&c->wake, "collector");
	c->hosts = hosts_new(f, m, notify_ui, c);
	c->http = http_new();
	c->env = (struct collect_env){ f, m, c->hosts, c->http, notify_ui, c };
	sources_from_domains(c->sources);
	for (size_t i = 0; i < NSOURCES; i++)
		if (c->sources[i])
			c->state[i] = c->sources[i]->create(&c->env);
	return c;
}

/* One iteration: start due work, wait for fds or the next deadline, dispatch. */
static void loop_once(struct collector *c)
{
	double now = now_mono(), deadline = 0, wait;
	int ctl_idx, timeout_ms;
	struct collect_flags fl = { 0 };

	fl.poll_now = atomic_exchange(&c->poll_now, false);
	fl.paused = atomic_load(&c->paused);
	fl.once = c->once;
	if (fl.poll_now)
		hosts_poll_now(c->hosts, now);
	hosts_set_paused(c->hosts, fl.paused);
	pollset_reset(&c->ps);
	ctl_idx = pollset_add(&c->ps, wake_fd(&c->ctl), POLLIN);
	hosts_prepare(c->hosts, &c->ps, now, &deadline);
	for (size_t i = 0; i < NSOURCES; i++)
		if (c->state[i])
			c->sources[i]->prepare(c->state[i], &c->ps, now, &deadline, &fl);
	http_prepare(c->http, &c->ps, now, &deadline);
	wait = deadline > 0 ? deadline - now : MAX_SLEEP_S;
	if (wait > MAX_SLEEP_S)
		wait = MAX_SLEEP_S;
	timeout_ms = wait <= 0 ? 0 : (int)ceil(wait * 1000);
	if (poll(c->ps.fds, c->ps.n, timeout_ms) < 0 && errno != EINTR)
		fatal("poll: %s", strerror(errno));
	if (pollset_revents(&c->ps, ctl_idx))
		wake_drain(&c->ctl);
	now = now_mono();
	hosts_dispatch(c->hosts, &c->ps, now);
	http_dispatch(c->http, &c->ps, now);
	for (size_t i = 0; i < NSOURCES; i++)
		if (c->state[i])
			c->sources[i]->dispatch(c->state[i], &c->ps, now);
}

static bool round_done(struct collector *c)
{
	if (!hosts_round_done(c->hosts))
		return false;
	for (size_t i = 0; i < NSOURCES; i++)
		if (c->state[i] && c->sources[i]->round_done && !c->sources[i]->round_done(c->state[i]))
			return false;
	return true;
}

static void *collector_main(void *arg)
{
	struct collector *c = arg;

	while (!atomic_load(&c->stop))
		loop_once(c);
	return NULL;
}

int collector_start(struct collector *c)
{
	sigset_t all, old;
	int rc;

	/* signals belong to the UI thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&c->thread, NULL, collector_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	c->started = true;
	return 0;
}

void collector_run_once(struct collector *c, double limit)
{
	double end = now_mono() + limit;

	c->once = true;
	hosts_set_once(c->hosts, true);
	while (!round_done(c) && now_mono() < end)
		loop_once(c);
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	if (c->started) {
		atomic_store(&c->stop, true);
		wake_poke(&c->ctl);
		pthread_join(c->thread, NULL);
	}
	/* sources first: they hold requests on the hosts and the http engine */
	for (size_t i = 0; i < NSOURCES; i++)
		if (c->state[i])
			c->sources[i]->destroy(c->state[i]);
	http_free(c->http);
	hosts_free(c->hosts);
	pollset_free(&c->ps);
	wake_close(&c->ctl);
	wake_close(&c->wake);
	free(c);
}

int collector_wake_fd(const struct collector *c)
{
	return wake_fd(&c->wake);
}

void collector_drain_wake(struct collector *c)
{
	wake_drain(&c->wake);
}

void collector_set_paused(struct collector *c, bool paused)
{
	atomic_store(&c->paused, paused);
	wake_poke(&c->ctl);
}

bool collector_paused(const struct collector *c)
{
	return atomic_load(&((struct collector *)c)->paused);
}

void collector_poll_now(struct collector *c)
{
	atomic_store(&c->poll_now, true);
	wake_poke(&c->ctl);
}

void collector_wake(struct collector *c)
{
	wake_poke(&c->ctl);
}
