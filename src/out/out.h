/* Non-interactive outputs: --once (text table), --once --json (SPEC §4) and
 * --check (monitoring-plugin line). All read the same snapshot and evaluation
 * as the views. */
#ifndef FLEETDECK_OUT_H
#define FLEETDECK_OUT_H

#include <stdio.h>
#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"

/* Each returns 0, or -1 if writing failed. */
int out_text(FILE *fp, const struct fleet *f, const struct snapshot *s,
	     const struct evaluation *ev, double now);
int out_json(FILE *fp, const struct fleet *f, const struct snapshot *s,
	     const struct evaluation *ev, double now);
/* Prints the one-line summary; returns the plugin exit code 0/1/2/3. */
int out_check(FILE *fp, const struct fleet *f, const struct snapshot *s,
	      const struct evaluation *ev, double now);

#endif
