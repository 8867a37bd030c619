/* --replay FILE in the dashboard: the recording's timeline (the moment
 * shown, playback, the keys that move it) and the bar that draws it.
 *
 * The dashboard reads the replayed fleet through an ordinary model (the
 * timeline publishes the replay's state into it at every move), judges it
 * at the recorded moment with the replay's rules state, and lets the
 * timeline have its keys first:
 *   [ ]  one round back / forward      { }  previous / next status change
 *   space  play / pause                < >  slower / faster (1x 10x 60x)
 *   g    go to a time                  Enter on an event (Events view): its moment */
#ifndef FLEETDECK_UI_TIMELINE_H
#define FLEETDECK_UI_TIMELINE_H

#include <stdbool.h>

#include "model/model.h"
#include "record/replay.h"
#include "rules/rules.h"
#include "ui/cells.h"

struct ui_ctx;
struct ui_state;
struct timeline;

/* Starts at the recording's first moment; owns nothing of rp. */
struct timeline *timeline_new(struct replay *rp);
void timeline_free(struct timeline *tl);

struct model *timeline_model(struct timeline *tl);
struct rules_state *timeline_rules(struct timeline *tl);
const struct replay *timeline_replay(const struct timeline *tl);
/* The moment shown: the dashboard's "now". */
double timeline_now(const struct timeline *tl);
/* Moves to t, clamped to the recording. */
void timeline_seek(struct timeline *tl, double t);

/* Playback: advances the moment by the time passed (monotonic clock) x
 * speed; true when it moved. timeline_wait_ms: how soon to call again
 * (-1: paused, nothing to wait for). */
bool timeline_tick(struct timeline *tl, double mono);
int timeline_wait_ms(const struct timeline *tl);

/* The timeline's keys, before the views' (never while a filter is being
 * typed). True when the key was used. */
bool timeline_key(struct timeline *tl, struct ui_state *s, const struct ui_ctx *u, int key);

/* The bar: play state, the moment, the span with its status changes. */
void timeline_draw(struct cells *c, const struct ui_ctx *u, struct rect r);
/* The footer's key hints in replay. */
const char *timeline_hints(const struct ui_ctx *u);

#endif
