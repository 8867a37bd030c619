/* --record FILE (or `record =` in [fleet]): every round's changes, every
 * status change and every action appended to FILE in the recording format
 * (doc/history.md), rotated by size.
 *
 * A reader of the model like the UI: a thread of its own with its own
 * snapshot and rules state; it never writes to the model. */
#ifndef FLEETDECK_RECORD_RECORDER_H
#define FLEETDECK_RECORD_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet/fleet.h"
#include "model/model.h"

struct recorder_opts {
	const char *path;
	uint64_t max_bytes;          /* rotate past this size (0: default 64 MiB) */
	int keep;                    /* rotated files kept (0: default 9) */
	double period;               /* seconds between rounds (0: the fleet's shortest interval) */
	const char *audit_log;       /* actions are read from here (NULL: none) */
};

#define REC_DEFAULT_MAX_BYTES (64ull << 20)
#define REC_DEFAULT_KEEP 9

struct recorder;

/* Opens (or creates, 0600) the file now, so a bad path is said before
 * anything starts, then records from a thread of its own. NULL with a
 * sentence in err on failure. */
struct recorder *recorder_start(const struct recorder_opts *o, const struct fleet *f,
				struct model *m, char *err, size_t errlen);
/* The first write error into buf (the recording stopped there); false
 * while all is well. */
bool recorder_error(struct recorder *r, char *buf, size_t size);
/* Writes what is pending, closes the frame, stops the thread, frees r. */
void recorder_stop(struct recorder *r);

/* The options from the fleet file's [fleet] keys record, record_max_size
 * and record_keep, overridden by --record (cli_path, may be NULL).
 * Returns false when nothing is to be recorded. */
bool recorder_opts_from_fleet(const struct fleet *f, const char *cli_path,
			      struct recorder_opts *o, char **path_owned);

#endif
