/* Parsers for what runner and key commands print (unit-tested). Everything
 * from a remote answer is sanitized and only ever stored as data. */
#ifndef FLEETDECK_PROVIDER_PARSE_H
#define FLEETDECK_PROVIDER_PARSE_H

#include "model/actions.h"

/* `list` output: one runner a line ("NAME [STATE]") or a JSON array of
 * names or objects {"name": ..., "state"|"status": ...}. Fills r->n, r->r,
 * count, busy, idle, offline. Returns 0, -1 with r->error set. */
int parse_runner_list(const char *text, struct runners_sample *r);
/* provider = systemd. The instances of template UNIT ("forgejo-runner@",
 * a trailing ".service" ignored) are UNIT1.service, UNIT2.service, ...
 * systemd_unit_name() is one of them (malloc'd, not quoted);
 * systemd_list_script() the listing command, with the pattern quoted. */
char *systemd_unit_name(const char *unit, int k);
char *systemd_list_script(const char *unit);
/* `systemctl list-units --plain --no-legend` output (UNIT LOAD ACTIVE SUB
 * DESCRIPTION a line): the instances of unit, count = active or
 * activating ones (state "running"/"starting"); failed ones are listed
 * but not counted, inactive ones left out. Returns 0. */
int parse_systemd_units(const char *text, const char *unit, struct runners_sample *r);
/* k of an instance name UNITk.service, or -1 when it is not one. */
int systemd_instance(const char *unit, const char *name);
/* A creation time: Unix seconds, or ISO-8601 (2025-01-31T12:00:00Z, a date,
 * or with a +hh:mm offset). Returns 0 or -1. */
int parse_time_text(const char *text, double *t);

#endif
