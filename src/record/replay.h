/* --replay FILE: the fleet as a recording saw it, at any moment.
 *
 * Opening reads the whole recording once (cheaply: round records are not
 * parsed) to learn its span, where each frame starts and every status
 * change and action. A seek then decodes only the one frame holding the
 * moment: its keyframe, then its rounds up to that time, judging each with
 * the rules as the live run did (so an alert's "since" is the live one). */
#ifndef FLEETDECK_RECORD_REPLAY_H
#define FLEETDECK_RECORD_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "action/audit.h"
#include "fleet/fleet.h"
#include "model/model.h"
#include "record/recfile.h"
#include "rules/rules.h"

struct rec_frame {
	struct rec_pos pos;
	double t;                    /* its keyframe's time */
};

struct replay {
	struct fleet f;              /* rebuilt from the recording (read-only) */
	struct snapshot snap;        /* the fleet's state at `at` */
	struct rules_state st;
	double at;                   /* the moment snap shows */
	double t0, t1;               /* the recording's first and last record */
	/* what opening found */
	struct rec_frame *frames;
	size_t nframes;
	struct event *events;        /* every status change, oldest first */
	size_t nevents;
	struct audit_entry *actions; /* every action, oldest first */
	size_t nactions;
	char problems[640];          /* damage, skipped lines: "" when none */
	/* reading */
	struct rec_reader rd;
	bool have_state;
	size_t frame;                /* the frame being read */
	json_t *held;                /* a record read beyond the moment */
	int refused;                 /* fields refused while applying (damage) */
	struct evaluation ev;        /* scratch for judging each round */
};

/* Reads the recording at path (and its rotated siblings). Returns 0, or -1
 * with a sentence in err (not a recording, unreadable, empty). */
int replay_open(struct replay *rp, const char *path, char *err, size_t errlen);
/* FILE alone, without its rotated siblings (what the dashboard reads at
 * start: the status changes of the runs recorded before it). */
int replay_open_file(struct replay *rp, const char *path, char *err, size_t errlen);
/* The same from a recording in memory (the fuzz target). */
int replay_open_mem(struct replay *rp, const void *data, size_t len, char *err, size_t errlen);
/* Moves to moment t: the newest state recorded at or before it. Returns 0,
 * or -1 when t is before the recording starts. */
int replay_seek(struct replay *rp, double t);
void replay_close(struct replay *rp);

/* The status change at or after t (next) or before t (previous); -1 if
 * none. Index into rp->events. */
long replay_event_after(const struct replay *rp, double t);
long replay_event_before(const struct replay *rp, double t);

/* --replay FILE --once [--at TIME] [--format ...]: the fleet as it was
 * (the end of the recording without --at), in the same document as a live
 * --once. Exit 0; 1 when the file cannot be read; 2 when TIME is outside
 * the recording. Problems with the file go to stderr. */
struct options;
int replay_run_once(const struct options *o);
/* What was wrong with the file (a tear, refused values), on stderr. */
void replay_say_problems(const struct replay *rp, const char *path);

#endif
