#include "config.h"
#include "options.h"
#include "collect/collector.h"
#include "collect/hosts.h"
#include "collect/prometheus.h"
#include "fleet/fleet.h"
#include "model/model.h"
#include "out/out.h"
#include "rules/rules.h"
#include "serve/serve.h"
#include "ui/ui.h"
#include "util/util.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -i and --timeout replace the fleet-wide defaults; a [host] that sets its
 * own interval or timeout keeps it (SPEC §1). */
static void apply_overrides(const struct options *o, struct fleet *f)
{
	for (size_t i = 0; i < f->nhosts; i++) {
		struct fleet_host *h = &f->hosts[i];
		bool own_interval = h->sec && fleet_section_get(h->sec, "interval");
		bool own_timeout = h->sec && fleet_section_get(h->sec, "timeout");
		if (o->interval > 0 && !own_interval)
			h->interval = o->interval;
		if (o->timeout > 0 && !own_timeout)
			h->timeout = o->timeout;
	}
	if (o->interval > 0)
		f->interval = o->interval;
	if (o->timeout > 0)
		f->timeout = o->timeout;
	if (o->read_only)
		f->read_only = true;
}

static int load_fleet(const struct options *o, struct fleet *f)
{
	char *path = fleet_resolve_path(o->config);
	struct fleet_diags diags = { 0 };
	int rc = 0;

	if (!path) {
		fleet_default(f);
		if (o->mode == MODE_VALIDATE)
			printf("no fleet file: using the built-in default (this machine)\n");
		return 0;
	}
	if (fleet_load(path, f, &diags) < 0)
		rc = 2;
	fleet_diags_print(stderr, &diags);
	if (rc == 0 && o->mode == MODE_VALIDATE)
		printf("%s: ok (fleet %s, %zu host%s, %zu section%s%s)\n", path, f->name,
		       f->nhosts, f->nhosts == 1 ? "" : "s", f->nsections,
		       f->nsections == 1 ? "" : "s", diags.n ? ", with warnings" : "");
	else if (rc != 0)
		fprintf(stderr, "%s: %zu error%s\n", path, diags.nerrors, diags.nerrors == 1 ? "" : "s");
	/* a monitoring system reads exit 2 as CRITICAL: a broken fleet file
	 * is UNKNOWN to it, said on the one line it reads */
	if (rc != 0 && o->mode == MODE_CHECK) {
		printf("FLEETDECK UNKNOWN - fleet file %s: %zu error%s (run fleetdeck --validate)\n",
		       path, diags.nerrors, diags.nerrors == 1 ? "" : "s");
		rc = 3;
	}
	fleet_diags_free(&diags);
	free(path);
	/* before any thread or child: no child inherits an env:NAME secret */
	if (rc == 0)
		fleet_hide_env_secrets(f);
	return rc;
}

/* The longest a one-shot round may take (a safety net: the round ends as
 * soon as every host answered or failed). */
static double once_limit(const struct fleet *f)
{
	return hosts_round_limit(f);
}

static int run_once(const struct options *o, const struct fleet *f)
{
	struct model m;
	struct collector *c;
	struct snapshot snap = { 0 };
	struct rules_state st = { 0 };
	struct evaluation ev = { 0 };
	double now, started = now_wall();
	int rc;

	model_init_fleet(&m, f);
	c = collector_new(f, &m);
	collector_run_once(c, once_limit(f));
	model_snapshot(&m, &snap);
	now = now_wall();
	rules_state_init(&st, f->nhosts);
	st.fresh_since = started;
	rules_evaluate(f, &snap, now, &st, &ev);
	if (o->mode == MODE_CHECK)
		rc = out_check(stdout, f, &snap, &ev, now);
	else
		rc = out_format(stdout, o->format, f, &snap, &ev, now) < 0 ? 1 : 0;
	if (fflush(stdout) != 0)
		rc = o->mode == MODE_CHECK ? 3 : 1;
	evaluation_free(&ev);
	rules_state_free(&st);
	snapshot_free(&snap);
	collector_free(c);
	model_free(&m);
	return rc;
}

/* The model's other readers (beside the dashboard): the metrics endpoint.
 * Started before the collector so that a port in use is said at once. */
static int readers_start(const struct options *o, const struct fleet *f, struct model *m,
			 struct metrics_server **srv)
{
	char err[256];

	*srv = NULL;
	if (!o->serve_metrics)
		return 0;
	*srv = serve_start(o->serve_metrics, o->serve_remote, f, m, err, sizeof(err));
	if (!*srv) {
		fprintf(stderr, "fleetdeck: --serve-metrics %s: %s\n", o->serve_metrics, err);
		return 2;
	}
	return 0;
}

/* --headless: the collector and the readers, no terminal, until SIGTERM,
 * SIGINT or SIGHUP (a systemd service). Signals are blocked before any
 * thread starts, so only sigwait() here receives them. */
static int run_headless(const struct options *o, const struct fleet *f)
{
	struct model m;
	struct collector *c;
	struct metrics_server *srv;
	sigset_t set;
	int sig = 0, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	model_init_fleet(&m, f);
	rc = readers_start(o, f, &m, &srv);
	if (rc != 0) {
		model_free(&m);
		return rc;
	}
	c = collector_new(f, &m);
	if (collector_start(c) < 0) {
		fprintf(stderr, "fleetdeck: cannot start the collector thread\n");
		rc = 1;
	} else {
		fprintf(stderr, "fleetdeck: watching %zu host%s; metrics at http://%s/metrics\n",
			f->nhosts, f->nhosts == 1 ? "" : "s", serve_address(srv));
		sigwait(&set, &sig);
		rc = 128 + sig;
	}
	collector_free(c);
	serve_stop(srv);
	model_free(&m);
	return rc;
}

static int run_ui(const struct options *o, const struct fleet *f)
{
	struct model m;
	struct collector *c;
	struct metrics_server *srv;
	int rc;

	/* a bad --theme stops nothing: ui_run() says file:line and falls back
	 * to the default theme (a wall restarted by systemd must come up) */
	model_init_fleet(&m, f);
	rc = readers_start(o, f, &m, &srv);
	if (rc != 0) {
		model_free(&m);
		return rc;
	}
	c = collector_new(f, &m);
	if (collector_start(c) < 0) {
		fprintf(stderr, "fleetdeck: cannot start the collector thread\n");
		collector_free(c);
		serve_stop(srv);
		model_free(&m);
		return 1;
	}
	rc = ui_run(o, f, &m, c);
	collector_free(c);
	serve_stop(srv);
	model_free(&m);
	return rc;
}

/* After SIGTERM, SIGINT or SIGHUP, once everything is cleaned up: die of
 * that signal, so that a supervisor (systemd, a shell: status 128 + N) can
 * tell a kill from a quit, and a script interrupted with ^C stops too. */
static int exit_status(int rc)
{
	if (rc == 128 + SIGTERM || rc == 128 + SIGINT || rc == 128 + SIGHUP) {
		sigset_t set;
		fflush(NULL);
		signal(rc - 128, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, rc - 128);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);   /* --headless blocks it */
		raise(rc - 128);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct fleet f;
	int rc = options_parse(argc, argv, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	/* a peer that went away must be an error return, never a signal */
	signal(SIGPIPE, SIG_IGN);
	memset(&f, 0, sizeof(f));
	rc = load_fleet(&o, &f);
	if (rc != 0 || o.mode == MODE_VALIDATE) {
		fleet_free(&f);
		return rc;
	}
	apply_overrides(&o, &f);
	/* [prometheus] hosts join the fleet before the model is sized for it;
	 * the dashboard's first frame waits at most PROM_START_BUDGET for that
	 * (a section not found by then is discovered in the background) */
	prom_discover(&f, stderr, o.mode == MODE_ONCE || o.mode == MODE_CHECK ? 0 : PROM_START_BUDGET);
	if (o.mode == MODE_ONCE || o.mode == MODE_CHECK)
		rc = run_once(&o, &f);
	else if (o.mode == MODE_HEADLESS)
		rc = run_headless(&o, &f);
	else
		rc = run_ui(&o, &f);
	fleet_free(&f);
	return exit_status(rc);
}
