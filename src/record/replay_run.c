#include "config.h"
#include "options.h"
#include "out/out.h"
#include "record/replay.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void replay_say_problems(const struct replay *rp, const char *path)
{
	/* the damage names its file (FILE or a rotated sibling) */
	if (rp->problems[0])
		fprintf(stderr, "fleetdeck: %s\n", rp->problems);
	if (rp->refused)
		fprintf(stderr, "fleetdeck: %s: %d recorded value%s refused (wrong type or out of range)\n",
			path, rp->refused, rp->refused == 1 ? "" : "s");
}

int replay_run_once(const struct options *o)
{
	struct replay rp;
	struct evaluation ev = { 0 };
	char err[512], a[40], b[40], c[40];
	double t;
	int rc;

	if (replay_open(&rp, o->replay, err, sizeof(err)) < 0) {
		fprintf(stderr, "fleetdeck: --replay %s: %s\n", o->replay, err);
		return 1;
	}
	replay_say_problems(&rp, o->replay);
	t = o->has_at ? o->at : rp.t1;
	if (t > rp.t1 + 1e-3 || replay_seek(&rp, t) < 0) {
		fprintf(stderr, "fleetdeck: --at %s: the recording covers %s to %s\n",
			format_time_iso(a, sizeof(a), t, true), format_time_iso(b, sizeof(b), rp.t0, true),
			format_time_iso(c, sizeof(c), rp.t1, true));
		replay_close(&rp);
		return 2;
	}
	rules_evaluate(&rp.f, &rp.snap, t, &rp.st, &ev);
	/* a table pasted into a postmortem says which moment it is (the
	 * machine formats carry it: generated_at, the time columns) */
	if (o->format == FMT_TEXT)
		printf("At %s, replayed from %s:\n\n", format_time_iso(a, sizeof(a), t, true),
		       o->replay);
	rc = out_format(stdout, o->format, &rp.f, &rp.snap, &ev, t) < 0 ? 1 : 0;
	if (fflush(stdout) != 0)
		rc = 1;
	evaluation_free(&ev);
	replay_close(&rp);
	return rc;
}
