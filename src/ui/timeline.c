#include "config.h"
#include "ui/timeline.h"
#include "record/codec.h"
#include "ui/views.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_PLAYING_MS 250
static const double speeds[] = { 1, 10, 60 };

struct timeline {
	struct replay *rp;
	struct model m;              /* what the dashboard reads */
	double step;                 /* one round of the recording */
	bool playing;
	int speed;                   /* index into speeds */
	double last_mono;            /* playback: when the moment last moved */
	uint64_t *pub[DOM__COUNT];   /* per domain: the generation last published */
	size_t npub[DOM__COUNT];
	unsigned char *scratch;
	bool goto_editing;           /* g: typing a time */
	char goto_buf[48];
};

/* The replay's state into the dashboard's model (same fleet, same sizes):
 * only the targets the replay changed since the last publish. */
static void publish(struct timeline *tl)
{
	const struct snapshot *s = &tl->rp->snap;

	REC_DOMAINS_FOREACH(dom) {
		size_t d = dom->id, n = snapshot_count(s, d);

		if (tl->npub[d] < n) {
			tl->pub[d] = xrealloc(tl->pub[d], n * sizeof(*tl->pub[d]));
			memset(tl->pub[d] + tl->npub[d], 0, (n - tl->npub[d]) * sizeof(*tl->pub[d]));
			tl->npub[d] = n;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t gen = snapshot_gen(s, dom->id, i);
			if (gen == tl->pub[d][i])
				continue;
			tl->pub[d][i] = gen;
			rec_elem_read(dom, s, i, tl->scratch);
			model_put(&tl->m, dom->id, i, tl->scratch, dom->sample_size);
		}
	}
}

void timeline_seek(struct timeline *tl, double t)
{
	const struct replay *rp = tl->rp;

	if (!(t >= rp->t0))
		t = rp->t0;
	if (t > rp->t1)
		t = rp->t1;
	if (replay_seek(tl->rp, t) == 0)
		publish(tl);
}

struct timeline *timeline_new(struct replay *rp)
{
	struct timeline *tl = xcalloc(1, sizeof(*tl));

	tl->rp = rp;
	model_init_fleet(&tl->m, &rp->f);
	tl->scratch = xmalloc(rec_scratch_size());
	tl->step = rec_fleet_period(&rp->f);
	timeline_seek(tl, rp->t0);
	return tl;
}

void timeline_free(struct timeline *tl)
{
	if (!tl)
		return;
	model_free(&tl->m);
	for (size_t d = 0; d < DOM__COUNT; d++)
		free(tl->pub[d]);
	free(tl->scratch);
	free(tl);
}

struct model *timeline_model(struct timeline *tl)
{
	return &tl->m;
}

struct rules_state *timeline_rules(struct timeline *tl)
{
	return &tl->rp->st;
}

const struct replay *timeline_replay(const struct timeline *tl)
{
	return tl->rp;
}

double timeline_now(const struct timeline *tl)
{
	return tl->rp->at;
}

bool timeline_tick(struct timeline *tl, double mono)
{
	double dt;

	if (!tl->playing) {
		tl->last_mono = mono;
		return false;
	}
	dt = mono - tl->last_mono;
	if (dt <= 0)
		return false;
	tl->last_mono = mono;
	if (tl->rp->at >= tl->rp->t1) {
		tl->playing = false;       /* the end: stop there */
		return false;
	}
	timeline_seek(tl, tl->rp->at + dt * speeds[tl->speed]);
	return true;
}

int timeline_wait_ms(const struct timeline *tl)
{
	return tl->playing ? WAIT_PLAYING_MS : -1;
}

/* The moment as --at and g read it (local time, its offset, to the
 * millisecond): what is on screen can be pasted into --once --at. */
static void moment_text(char *buf, size_t size, double t)
{
	format_time_iso(buf, size, t, false);
}

/* What g accepts: a full time (ISO 8601, Unix seconds), a clock time on
 * the shown day (HH:MM or HH:MM:SS, local), or a move (+5m, -30s). */
static bool goto_parse(const struct timeline *tl, const char *in, double *t)
{
	double d;
	int hh, mm, ss = 0;
	char tail;

	if ((in[0] == '+' || in[0] == '-') && parse_duration(in + 1, &d) == 0) {
		*t = tl->rp->at + (in[0] == '-' ? -d : d);
		return true;
	}
	if (parse_time(in, t) == 0)
		return true;
	if (sscanf(in, "%d:%d:%d%c", &hh, &mm, &ss, &tail) == 3 ||
	    sscanf(in, "%d:%d%c", &hh, &mm, &tail) == 2) {
		time_t now = (time_t)tl->rp->at;
		struct tm tm;
		if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 || !localtime_r(&now, &tm))
			return false;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		tm.tm_isdst = -1;
		*t = (double)mktime(&tm);
		return true;
	}
	return false;
}

static bool goto_key(struct timeline *tl, struct ui_state *s, const struct ui_ctx *u, int key)
{
	size_t n = strlen(tl->goto_buf);
	double t;
	char msg[128], a[40], b[40];

	if (key == UK_ESC) {
		tl->goto_editing = false;
	} else if (key == UK_BACKSPACE) {
		if (n)
			tl->goto_buf[n - 1] = '\0';
	} else if (key == UK_ENTER) {
		tl->goto_editing = false;
		if (!goto_parse(tl, tl->goto_buf, &t)) {
			ui_message(s, u->now, "go to: a time such as 03:12, 2026-11-27T03:12:09Z or -5m");
		} else if (t < tl->rp->t0 || t > tl->rp->t1) {
			moment_text(a, sizeof(a), tl->rp->t0);
			moment_text(b, sizeof(b), tl->rp->t1);
			str_fmt(msg, sizeof(msg), "the recording covers %s to %s", a, b);
			ui_message(s, u->now, msg);
		} else {
			tl->playing = false;
			timeline_seek(tl, t);
		}
	} else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(tl->goto_buf)) {
		tl->goto_buf[n] = (char)key;
		tl->goto_buf[n + 1] = '\0';
	}
	return true;
}

static void jump_event(struct timeline *tl, struct ui_state *s, const struct ui_ctx *u, bool next)
{
	long i = next ? replay_event_after(tl->rp, tl->rp->at + 1e-3)
		      : replay_event_before(tl->rp, tl->rp->at - 1e-3);

	if (i < 0) {
		ui_message(s, u->now, next ? "no later status change" : "no earlier status change");
		return;
	}
	tl->playing = false;
	timeline_seek(tl, tl->rp->events[i].at);
}

bool timeline_key(struct timeline *tl, struct ui_state *s, const struct ui_ctx *u, int key)
{
	double t;

	if (s->filter_editing)
		return false;
	if (tl->goto_editing)
		return goto_key(tl, s, u, key);
	switch (key) {
	case '[':
	case ']':
		tl->playing = false;
		timeline_seek(tl, tl->rp->at + (key == '[' ? -tl->step : tl->step));
		return true;
	case '{':
	case '}':
		jump_event(tl, s, u, key == '}');
		return true;
	case ' ':
		if (!tl->playing && tl->rp->at >= tl->rp->t1)
			timeline_seek(tl, tl->rp->t0);     /* at the end: play again */
		tl->playing = !tl->playing;
		tl->last_mono = now_mono();
		return true;
	case '<':
	case '>':
		tl->speed += key == '>' ? 1 : -1;
		tl->speed = tl->speed < 0 ? 0 : tl->speed >= (int)ARRAY_LEN(speeds) ? (int)ARRAY_LEN(speeds) - 1 : tl->speed;
		return true;
	case 'g':
		tl->goto_editing = true;
		tl->goto_buf[0] = '\0';
		return true;
	case UK_ENTER:
		/* on an event of the Events view: its moment */
		if (s->screen == SCREEN_VIEW && strcmp(views_table[s->view]->name, "events") == 0 &&
		    events_selected_time(u, s, &t)) {
			tl->playing = false;
			timeline_seek(tl, t);
			return true;
		}
		return false;
	case 'p':
	case 'R':
		ui_message(s, u->now, "replay: nothing is polled (space plays, p and R are for live data)");
		return true;
	}
	return false;
}

const char *timeline_hints(const struct ui_ctx *u)
{
	(void)u;
	return "[ ] step  { } status change  space play  < > speed  g go to  ? help  q quit";
}

void timeline_draw(struct cells *c, const struct ui_ctx *u, struct rect r)
{
	const struct timeline *tl = u->timeline;
	const struct replay *rp;
	char when[48], state[24];
	int x = r.x + 1, bw;
	double span;

	if (!tl || r.h < 1 || r.w < 20)
		return;
	rp = tl->rp;
	cells_fill(c, r, ' ', ROLE_NORMAL);
	if (tl->goto_editing) {
		x += cells_text(c, x, r.y, r.w - 2, ROLE_TITLE, "go to: ");
		x += cells_text(c, x, r.y, r.w - x, ROLE_NORMAL, tl->goto_buf);
		x += cells_put(c, x, r.y, '_', ROLE_SELECTED);
		cells_text(c, x + 2, r.y, r.x + r.w - x - 2, ROLE_HELP,
			   "03:12  2026-11-27T03:12:09Z  -5m   Enter go  Esc cancel");
		return;
	}
	if (tl->playing)
		str_fmt(state, sizeof(state), "REPLAY %s %gx", c->ascii ? ">" : "\u25b6", speeds[tl->speed]);
	else
		str_fmt(state, sizeof(state), "REPLAY paused %gx", speeds[tl->speed]);
	x += cells_text(c, x, r.y, r.w - 2, tl->playing ? ROLE_OK : ROLE_WARN, state) + 2;
	moment_text(when, sizeof(when), rp->at);
	x += cells_text(c, x, r.y, r.x + r.w - x, ROLE_TITLE, when) + 2;
	bw = r.x + r.w - 1 - x;
	if (bw < 8)
		return;
	/* the span, its status changes coloured by what they became, and the
	 * moment shown */
	span = rp->t1 - rp->t0;
	cells_hline(c, x, r.y, bw, ROLE_DIM);
	for (size_t i = 0; i < rp->nevents; i++) {
		int ex = span > 0 ? x + (int)((rp->events[i].at - rp->t0) / span * (bw - 1)) : x;
		if (ex >= x && ex < x + bw)
			cells_put(c, ex, r.y, '|', view_status_role(rp->events[i].to));
	}
	int cx = span > 0 ? x + (int)((rp->at - rp->t0) / span * (bw - 1)) : x;
	if (cx >= x && cx < x + bw)
		cells_put(c, cx, r.y, c->ascii ? '#' : 0x2588, ROLE_SELECTED);
}
