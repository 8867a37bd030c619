/* bench/replay_bench FILE: what moving through a replay costs (issue 15):
 * opening FILE (and its rotated siblings), jumping to random moments (g, }),
 * stepping one second forward (] and playback) and back ([). A long
 * recording to try it on: bench/long_recording.py OUT [HOURS] [HOSTS]. */
#include "config.h"
#include "record/replay.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double mono(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec / 1e9; }
int main(int argc, char **argv)
{
	struct replay rp; char err[256]; double a, b, worst = 0, sum = 0; int n = 0;
	a = mono();
	if (replay_open(&rp, argv[1], err, sizeof(err)) < 0) { fprintf(stderr, "%s\n", err); return 1; }
	b = mono();
	printf("open %.0f ms, span %.0f s, %zu frames\n", (b - a) * 1e3, rp.t1 - rp.t0, rp.nframes);
	/* random jumps (g): a frame's keyframe + rounds up to the moment */
	srand(1);
	for (int i = 0; i < 50; i++) {
		double t = rp.t0 + (rp.t1 - rp.t0) * (rand() / (double)RAND_MAX);
		a = mono(); replay_seek(&rp, t); b = mono();
		sum += b - a; n++; if (b - a > worst) worst = b - a;
	}
	printf("jump to a random moment: mean %.1f ms, worst %.1f ms (50)\n", sum / n * 1e3, worst * 1e3);
	/* ] step forward 1 s, 600 times from the middle */
	double t = rp.t0 + (rp.t1 - rp.t0) / 2; replay_seek(&rp, t); worst = 0; sum = 0;
	for (int i = 0; i < 600; i++) { t += 1; a = mono(); replay_seek(&rp, t); b = mono(); sum += b - a; if (b - a > worst) worst = b - a; }
	printf("] one round forward: mean %.2f ms, worst %.1f ms (600)\n", sum / 600 * 1e3, worst * 1e3);
	/* [ step back 1 s, 600 times */
	worst = 0; sum = 0;
	for (int i = 0; i < 600; i++) { t -= 1; a = mono(); replay_seek(&rp, t); b = mono(); sum += b - a; if (b - a > worst) worst = b - a; }
	printf("[ one round back: mean %.1f ms, worst %.1f ms (600)\n", sum / 600 * 1e3, worst * 1e3);
	replay_close(&rp);
	return 0;
}
