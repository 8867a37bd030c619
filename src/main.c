#include "config.h"
#include "options.h"
#include "collect/collector.h"
#include "collect/hosts.h"
#include "collect/prometheus.h"
#include "fleet/fleet.h"
#include "model/model.h"
#include "out/out.h"
#include "rules/rules.h"
#include "record/recorder.h"
#include "record/replay.h"
#include "serve/serve.h"
#include "ui/timeline.h"
#include "ui/ui.h"
#include "util/util.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

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

/* The model's other readers beside the dashboard: the metrics endpoint and
 * the recorder, each a thread of its own. Started before the collector so
 * that a port in use or a bad recording path is said at once. */
struct readers {
	struct metrics_server *srv;
	struct recorder *rec;
	char *rec_path;
};

static void readers_stop(struct readers *r)
{
	char err[512];

	serve_stop(r->srv);
	if (recorder_error(r->rec, err, sizeof(err)))
		fprintf(stderr, "fleetdeck: %s\n", err);
	recorder_stop(r->rec);
	free(r->rec_path);
	memset(r, 0, sizeof(*r));
}

static int readers_start(const struct options *o, const struct fleet *f, struct model *m,
			 struct readers *r)
{
	struct recorder_opts ro;
	char err[512];

	memset(r, 0, sizeof(*r));
	if (o->serve_metrics) {
		r->srv = serve_start(o->serve_metrics, o->serve_remote, f, m, err, sizeof(err));
		if (!r->srv) {
			fprintf(stderr, "fleetdeck: --serve-metrics %s: %s\n", o->serve_metrics, err);
			return 2;
		}
	}
	if (recorder_opts_from_fleet(f, o->record, &ro, &r->rec_path)) {
		r->rec = recorder_start(&ro, f, m, err, sizeof(err));
		if (!r->rec) {
			fprintf(stderr, "fleetdeck: cannot record: %s\n", err);
			readers_stop(r);
			return 2;
		}
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
	struct readers rd;
	sigset_t set;
	int sig = 0, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	model_init_fleet(&m, f);
	rc = readers_start(o, f, &m, &rd);
	if (rc == 0 && !rd.srv && !rd.rec) {
		/* (the fleet file's record key counts: known only now) */
		fprintf(stderr, "fleetdeck: --headless has nothing to do without --serve-metrics, "
			"--record or a record key in [fleet]\nTry 'fleetdeck --help'.\n");
		rc = 2;
	}
	if (rc != 0) {
		readers_stop(&rd);
		model_free(&m);
		return rc;
	}
	c = collector_new(f, &m);
	if (collector_start(c) < 0) {
		fprintf(stderr, "fleetdeck: cannot start the collector thread\n");
		rc = 1;
	} else {
		fprintf(stderr, "fleetdeck: watching %zu host%s", f->nhosts, f->nhosts == 1 ? "" : "s");
		if (rd.srv)
			fprintf(stderr, "; metrics at http://%s/metrics", serve_address(rd.srv));
		if (rd.rec)
			fprintf(stderr, "; recording to %s", rd.rec_path);
		fprintf(stderr, "\n");
		sigwait(&set, &sig);
		rc = 128 + sig;
	}
	collector_free(c);
	readers_stop(&rd);
	model_free(&m);
	return rc;
}

static int run_ui(const struct options *o, const struct fleet *f)
{
	struct model m;
	struct collector *c;
	struct readers rd;
	int rc;

	/* a bad --theme stops nothing: ui_run() says file:line and falls back
	 * to the default theme (a wall restarted by systemd must come up) */
	model_init_fleet(&m, f);
	rc = readers_start(o, f, &m, &rd);
	if (rc != 0) {
		model_free(&m);
		return rc;
	}
	c = collector_new(f, &m);
	if (collector_start(c) < 0) {
		fprintf(stderr, "fleetdeck: cannot start the collector thread\n");
		collector_free(c);
		readers_stop(&rd);
		model_free(&m);
		return 1;
	}
	rc = ui_run(o, f, &m, c);
	collector_free(c);
	readers_stop(&rd);
	model_free(&m);
	return rc;
}

/* --replay FILE: the dashboard over the recording, from its start (or
 * --at); what is wrong with the file is said after the screen is back. */
static int run_replay_ui(const struct options *o)
{
	struct replay rp;
	struct timeline *tl;
	char err[512];
	int rc;

	if (replay_open(&rp, o->replay, err, sizeof(err)) < 0) {
		fprintf(stderr, "fleetdeck: --replay %s: %s\n", o->replay, err);
		return 1;
	}
	tl = timeline_new(&rp);
	if (o->has_at)
		timeline_seek(tl, o->at);
	rc = ui_run_replay(o, tl);
	replay_say_problems(&rp, o->replay);
	timeline_free(tl);
	replay_close(&rp);
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
#ifdef __SANITIZE_ADDRESS__
		__lsan_do_leak_check();   /* dying of a signal skips its exit-time check */
#endif
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
	/* a recording brings its own fleet */
	if (o.replay)
		return exit_status(o.mode == MODE_ONCE ? replay_run_once(&o) : run_replay_ui(&o));
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
	prom_discover(&f, stderr, o.mode == MODE_ONCE || o.mode == MODE_CHECK ? 0 : prom_start_budget());
	if (o.mode == MODE_ONCE || o.mode == MODE_CHECK)
		rc = run_once(&o, &f);
	else if (o.mode == MODE_HEADLESS)
		rc = run_headless(&o, &f);
	else
		rc = run_ui(&o, &f);
	fleet_free(&f);
	return exit_status(rc);
}
