/* Parsers for what runner and key commands print (unit-tested). Everything
 * from a remote answer is sanitized and only ever stored as data. */
#ifndef FLEETDECK_ACTION_PARSE_H
#define FLEETDECK_ACTION_PARSE_H

#include "model/actions.h"

/* `list` output: one runner a line ("NAME [STATE]") or a JSON array of
 * names or objects {"name": ..., "state"|"status": ...}. Fills r->n, r->r,
 * count, busy, idle, offline. Returns 0, -1 with r->error set. */
int parse_runner_list(const char *text, struct runners_sample *r);
/* A creation time: Unix seconds, or ISO-8601 (2025-01-31T12:00:00Z, a date,
 * or with a +hh:mm offset). Returns 0 or -1. */
int parse_time_text(const char *text, double *t);

#endif
