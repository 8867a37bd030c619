#include "config.h"
#include "record/replay.h"
#include "record/codec.h"
#include "util/text.h"
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ROUND_PREFIX[] = "{\"k\":\"round\",\"t\":";

static double rec_time(json_t *o)
{
	json_t *t = json_object_get(o, "t");

	return json_is_number(t) && isfinite(json_number_value(t)) ? json_number_value(t) : NAN;
}

static const char *rec_kind(json_t *o)
{
	json_t *k = json_object_get(o, "k");

	return json_is_string(k) ? json_string_value(k) : "";
}

static enum status status_parse(const char *s)
{
	for (int k = ST_OK; k <= ST_CRIT; k++)
		if (s && strcmp(s, status_name((enum status)k)) == 0)
			return (enum status)k;
	return ST_UNKNOWN;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void add_event(struct replay *rp, json_t *o, double t)
{
	struct event *e;

	if (rp->nevents % 64 == 0)
		rp->events = xrealloc(rp->events, (rp->nevents + 64) * sizeof(*rp->events));
	e = &rp->events[rp->nevents++];
	memset(e, 0, sizeof(*e));
	e->at = t;
	e->from = status_parse(jstr(o, "from"));
	e->to = status_parse(jstr(o, "to"));
	text_clean(e->target, sizeof(e->target), jstr(o, "target"));
	text_clean(e->message, sizeof(e->message), jstr(o, "text"));
}

static void add_action(struct replay *rp, json_t *o, double t)
{
	struct audit_entry *a;
	json_t *params = json_object_get(o, "parameters");
	char *p;

	if (rp->nactions % 16 == 0)
		rp->actions = xrealloc(rp->actions, (rp->nactions + 16) * sizeof(*rp->actions));
	a = &rp->actions[rp->nactions++];
	memset(a, 0, sizeof(*a));
	a->time = t;
	text_clean(a->action, sizeof(a->action), jstr(o, "action"));
	text_clean(a->target, sizeof(a->target), jstr(o, "target"));
	text_clean(a->result, sizeof(a->result), jstr(o, "result"));
	text_clean(a->error, sizeof(a->error), jstr(o, "error"));
	p = params ? json_dumps(params, JSON_COMPACT) : NULL;
	text_clean(a->params, sizeof(a->params), p ? p : "");
	free(p);
}

/* Every target of the fleet, zeroed (nothing collected yet): what the
 * state is before a keyframe. */
static void state_zero(struct replay *rp)
{
	/* generations go on across the reset: a reader (the timeline) tells
	 * changed targets by them */
	uint64_t gen = rp->snap.generation;

	snapshot_free(&rp->snap);
	rp->snap.generation = gen;
	REC_DOMAINS_FOREACH(d) {
		size_t n = rec_elem_count(d, &rp->f);
		if (n)
			rec_elem_edit(d, &rp->snap, n - 1);
	}
}

/* The first header gives the fleet; the state arrays are sized for it. */
static int take_header(struct replay *rp, json_t *o, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, "v");

	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > REC_VERSION) {
		str_fmt(err, errlen, "recording format %s: this fleetdeck reads version %d",
			json_is_integer(v) ? "newer" : "unknown", REC_VERSION);
		return -1;
	}
	rec_fleet_load(&rp->f, jstr(o, "fleet"), jstr(o, "conf"), json_object_get(o, "hosts"));
	state_zero(rp);
	rules_state_init(&rp->st, rp->f.nhosts);
	return 0;
}

static void note_problems(struct replay *rp)
{
	size_t n = strlen(rp->problems);

	if (rp->rd.damage[0])
		n += (size_t)str_fmt(rp->problems + n, sizeof(rp->problems) - n, "%s", rp->rd.damage);
	if (rp->rd.bad_lines && n < sizeof(rp->problems))
		str_fmt(rp->problems + n, sizeof(rp->problems) - n, "%s%d unreadable record%s skipped",
			n ? "; " : "", rp->rd.bad_lines, rp->rd.bad_lines == 1 ? "" : "s");
}

/* One pass over everything: span, frames, status changes, actions. Round
 * records are only dated, not parsed. */
static int index_all(struct replay *rp, char *err, size_t errlen)
{
	const char *line;
	size_t len;
	struct rec_pos pos;
	bool header = false;

	rp->t0 = INFINITY;
	rp->t1 = -INFINITY;
	while (rec_reader_next(&rp->rd, &line, &len, &pos)) {
		json_t *o;
		double t;
		const char *k;

		if (len > sizeof(ROUND_PREFIX) && memcmp(line, ROUND_PREFIX, sizeof(ROUND_PREFIX) - 1) == 0) {
			t = strtod(line + sizeof(ROUND_PREFIX) - 1, NULL);
			if (isfinite(t) && t > rp->t1)
				rp->t1 = t;
			continue;
		}
		o = json_loadb(line, len, 0, NULL);
		t = rec_time(o);
		if (!o || isnan(t)) {
			rp->rd.bad_lines++;
			json_decref(o);
			continue;
		}
		k = rec_kind(o);
		if (strcmp(k, REC_MAGIC) == 0) {
			if (!header && take_header(rp, o, err, errlen) < 0) {
				json_decref(o);
				return -1;
			}
			header = true;
			rp->frames = xrealloc(rp->frames, (rp->nframes + 1) * sizeof(*rp->frames));
			rp->frames[rp->nframes].pos = pos;
			rp->frames[rp->nframes++].t = t;
		} else if (strcmp(k, "key") == 0 && rp->nframes &&
			   rp->frames[rp->nframes - 1].pos.file == pos.file &&
			   rp->frames[rp->nframes - 1].pos.off == pos.off) {
			rp->frames[rp->nframes - 1].t = t;
		} else if (strcmp(k, "status") == 0) {
			add_event(rp, o, t);
		} else if (strcmp(k, "action") == 0) {
			add_action(rp, o, t);
		}
		if (t < rp->t0)
			rp->t0 = t;
		if (t > rp->t1)
			rp->t1 = t;
		json_decref(o);
	}
	note_problems(rp);
	if (!header) {
		str_fmt(err, errlen, "not a fleetdeck recording (no header found)%s%s",
			rp->problems[0] ? ": " : "", rp->problems);
		return -1;
	}
	return 0;
}

static int open_with(struct replay *rp, const char *path, bool siblings, char *err,
		     size_t errlen)
{
	memset(rp, 0, sizeof(*rp));
	if ((siblings ? rec_reader_open : rec_reader_open_file)(&rp->rd, path, err, errlen) < 0)
		return -1;
	if (index_all(rp, err, errlen) < 0) {
		replay_close(rp);
		return -1;
	}
	rp->at = NAN;
	return 0;
}

int replay_open(struct replay *rp, const char *path, char *err, size_t errlen)
{
	return open_with(rp, path, true, err, errlen);
}

int replay_open_file(struct replay *rp, const char *path, char *err, size_t errlen)
{
	return open_with(rp, path, false, err, errlen);
}

int replay_open_mem(struct replay *rp, const void *data, size_t len, char *err, size_t errlen)
{
	memset(rp, 0, sizeof(*rp));
	rec_reader_open_mem(&rp->rd, data, len);
	if (index_all(rp, err, errlen) < 0) {
		replay_close(rp);
		return -1;
	}
	rp->at = NAN;
	return 0;
}

/* ---- state ---- */

/* Applies each domain's changes. */
static void apply_changes(struct replay *rp, json_t *o, double t)
{
	REC_DOMAINS_FOREACH(dom) {
		json_t *part = json_object_get(o, dom->json_key), *v;
		const char *name;

		if (!json_is_object(part))
			continue;
		json_object_foreach(part, name, v) {
			int i = rec_elem_index(dom, &rp->f, &rp->snap, name);
			void *e;

			if (i < 0)
				continue;
			e = rec_elem_edit(dom, &rp->snap, (size_t)i);
			rec_apply(dom, e, v, t, &rp->refused);
		}
	}
}

static int alert_key_cmp(const void *a, const void *b)
{
	const struct alert *x = a, *y = b;
	int c = strcmp(x->target, y->target);

	return c ? c : strcmp(x->code, y->code);
}

/* The rules' memory at the keyframe: open alerts with their start, the
 * OOM baseline. (prev is kept sorted by target and code, as rules.c
 * searches it.) */
static void seed_rules(struct replay *rp, json_t *rules)
{
	json_t *alerts = json_object_get(rules, "alerts"), *a, *oom = json_object_get(rules, "oom"), *v;
	const char *name;
	size_t i;

	rules_state_free(&rp->st);
	rules_state_init(&rp->st, rp->f.nhosts);
	rp->st.prev = xcalloc(json_array_size(alerts) + 1, sizeof(*rp->st.prev));
	json_array_foreach(alerts, i, a) {
		struct alert *al = &rp->st.prev[rp->st.nprev];
		json_t *since = json_array_get(a, 2);
		if (!json_is_string(json_array_get(a, 0)) || !json_is_string(json_array_get(a, 1)) ||
		    !json_is_number(since))
			continue;
		str_copy(al->target, json_string_value(json_array_get(a, 0)), sizeof(al->target));
		str_copy(al->code, json_string_value(json_array_get(a, 1)), sizeof(al->code));
		al->since = json_number_value(since);
		rp->st.nprev++;
	}
	qsort(rp->st.prev, rp->st.nprev, sizeof(*rp->st.prev), alert_key_cmp);
	json_object_foreach(oom, name, v) {
		int h = fleet_host_index(&rp->f, name);
		json_t *seen = json_array_get(v, 0), *at = json_array_get(v, 1);
		if (h < 0 || (size_t)h >= rp->st.nhosts || !json_is_integer(seen) || !json_is_number(at) ||
		    json_integer_value(seen) < 0)
			continue;
		rp->st.oom_seen[h] = (uint64_t)json_integer_value(seen);
		rp->st.oom_known[h] = true;
		rp->st.oom_at[h] = json_number_value(at);
	}
}

/* One record onto the state. */
static void apply(struct replay *rp, json_t *o, double t)
{
	const char *k = rec_kind(o);

	if (strcmp(k, "key") == 0) {
		state_zero(rp);
		apply_changes(rp, o, t);
		seed_rules(rp, json_object_get(o, "rules"));
		rp->have_state = true;
	} else if (strcmp(k, "round") == 0 && rp->have_state) {
		apply_changes(rp, o, t);
	} else {
		return;
	}
	/* judged at each round, so alerts start when they started */
	rules_evaluate(&rp->f, &rp->snap, t, &rp->st, &rp->ev);
}

static size_t frame_for(const struct replay *rp, double t)
{
	size_t k = 0;

	for (size_t i = 0; i < rp->nframes; i++)
		if (rp->frames[i].t <= t)
			k = i;
	return k;
}

int replay_seek(struct replay *rp, double t)
{
	const char *line;
	size_t len;
	struct rec_pos pos;
	size_t k;

	if (!rp->nframes || t < rp->frames[0].t)
		return -1;
	k = frame_for(rp, t);
	/* forward within what is being read: go on; else from the frame */
	if (!rp->have_state || !(rp->at <= t) || k != rp->frame) {
		json_decref(rp->held);
		rp->held = NULL;
		rp->have_state = false;
		rec_reader_seek(&rp->rd, &rp->frames[k].pos);
		rp->frame = k;
	}
	for (;;) {
		json_t *o = rp->held;
		double rt;

		rp->held = NULL;
		if (!o) {
			if (!rec_reader_next(&rp->rd, &line, &len, &pos))
				break;
			o = json_loadb(line, len, 0, NULL);
			if (!o)
				continue;
		}
		rt = rec_time(o);
		if (isnan(rt)) {
			json_decref(o);
			continue;
		}
		if (rt > t) {
			rp->held = o;
			break;
		}
		if (strcmp(rec_kind(o), REC_MAGIC) == 0)
			rp->frame = frame_for(rp, rt);
		apply(rp, o, rt);
		json_decref(o);
	}
	rp->at = t;
	return 0;
}

long replay_event_after(const struct replay *rp, double t)
{
	for (size_t i = 0; i < rp->nevents; i++)
		if (rp->events[i].at > t)
			return (long)i;
	return -1;
}

long replay_event_before(const struct replay *rp, double t)
{
	for (size_t i = rp->nevents; i-- > 0;)
		if (rp->events[i].at < t)
			return (long)i;
	return -1;
}

void replay_close(struct replay *rp)
{
	json_decref(rp->held);
	rec_reader_close(&rp->rd);
	snapshot_free(&rp->snap);
	rules_state_free(&rp->st);
	evaluation_free(&rp->ev);
	fleet_free(&rp->f);
	free(rp->frames);
	free(rp->events);
	free(rp->actions);
	memset(rp, 0, sizeof(*rp));
}
