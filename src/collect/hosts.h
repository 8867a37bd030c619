/* The host source: schedules a probe per host every interval over the
 * host's transport (SSH session or local shell) and publishes samples. */
#ifndef FLEETDECK_HOSTS_H
#define FLEETDECK_HOSTS_H

#include <stdbool.h>
#include "fleet/fleet.h"
#include "model/model.h"
#include "loop/pollset.h"

struct hosts;

/* notify is called (on the collector thread) after every publish. */
struct hosts *hosts_new(const struct fleet *f, struct model *m,
			void (*notify)(void *arg), void *arg);
void hosts_free(struct hosts *h);

/* once: poll each host twice (for CPU deltas) then stop polling it. */
void hosts_set_once(struct hosts *h, bool once);
void hosts_set_paused(struct hosts *h, bool paused);
void hosts_poll_now(struct hosts *h, double now);

void hosts_prepare(struct hosts *h, struct pollset *ps, double now, double *deadline);
void hosts_dispatch(struct hosts *h, const struct pollset *ps, double now);
/* --once: every host has two good samples or a failure. */
bool hosts_round_done(const struct hosts *h);

#endif
