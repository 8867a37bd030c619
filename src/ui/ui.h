/* The interactive dashboard (and wall mode). The only module that includes
 * curses. Runs on the main thread; never waits on the network: it reads the
 * model through snapshots and talks to the collector through collector.h. */
#ifndef FLEETDECK_UI_H
#define FLEETDECK_UI_H

#include "options.h"
#include "fleet/fleet.h"
#include "model/model.h"
#include "collect/collector.h"

/* Runs until the user quits or SIGHUP/SIGTERM/SIGINT arrives; returns the
 * exit code: 128 + the signal's number after one (main() then dies of it).
 * The terminal is always restored, and running actions finish and are
 * audited, before returning. */
int ui_run(const struct options *o, const struct fleet *f, struct model *m,
	   struct collector *c);

/* --replay: the same dashboard over a recording's timeline (ui/timeline.h):
 * no collector, no actions, the timeline's keys and bar. */
struct timeline;
int ui_run_replay(const struct options *o, struct timeline *tl);

#endif
