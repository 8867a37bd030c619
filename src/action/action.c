#include "config.h"
#include "action/action.h"
#include "provider/provider.h"
#include "loop/wake.h"
#include "util/util.h"
#include "util/text.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUDIT_RECENT 128

struct slot {
	struct actions *a;
	struct action_plan plan;
	struct action_job job;
	struct action_progress prog;
	pthread_t thread;
	bool joinable;
	bool result_pending;         /* a dialog should show the result once */
};

struct actions {
	const struct fleet *f;
	struct model *m;
	pthread_mutex_t lock;
	struct wake wake;             /* a worker finished or progressed */
	struct slot *runners, *keys;
	size_t nrunners, nkeys;
	struct audit_entry recent[AUDIT_RECENT];
	size_t nrecent;
	atomic_bool quit;             /* actions_free: waiting steps end */
};

const char *action_kind_name(enum action_kind k)
{
	return k == AK_ROTATE ? "rotate" : "scale";
}

static void wake(struct actions *a)
{
	wake_poke(&a->wake);
}

struct actions *actions_new(const struct fleet *f, struct model *m)
{
	struct actions *a = xcalloc(1, sizeof(*a));

	a->f = f;
	a->m = m;
	atomic_init(&a->quit, false);
	pthread_mutex_init(&a->lock, NULL);
	wake_open_or_die(&a->wake, "actions");
	a->nrunners = fleet_count(f, SEC_RUNNERS);
	a->nkeys = fleet_count(f, SEC_KEY);
	a->runners = xcalloc(a->nrunners + 1, sizeof(struct slot));
	a->keys = xcalloc(a->nkeys + 1, sizeof(struct slot));
	a->nrecent = audit_read_tail(f->audit_log, a->recent, AUDIT_RECENT);
	return a;
}

static void slot_join(struct slot *s)
{
	if (s->joinable)
		pthread_join(s->thread, NULL);
	s->joinable = false;
}

void actions_free(struct actions *a)
{
	if (!a)
		return;
	atomic_store(&a->quit, true);
	for (size_t i = 0; i < a->nrunners; i++)
		slot_join(&a->runners[i]);
	for (size_t i = 0; i < a->nkeys; i++)
		slot_join(&a->keys[i]);
	for (size_t i = 0; i < a->nkeys; i++)
		explicit_bzero(a->keys[i].job.secret, sizeof(a->keys[i].job.secret));
	free(a->runners);
	free(a->keys);
	wake_close(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

int actions_wake_fd(const struct actions *a)
{
	return wake_fd(&a->wake);
}

void actions_drain_wake(struct actions *a)
{
	wake_drain(&a->wake);
}

static struct slot *slot_of(struct actions *a, enum section_kind k, int index)
{
	if (index < 0)
		return NULL;
	if (k == SEC_RUNNERS && (size_t)index < a->nrunners)
		return &a->runners[index];
	if (k == SEC_KEY && (size_t)index < a->nkeys)
		return &a->keys[index];
	return NULL;
}

/* ---- audit --------------------------------------------------------------- */

static void recent_add(struct actions *a, const struct audit_entry *e)
{
	pthread_mutex_lock(&a->lock);
	if (a->nrecent == AUDIT_RECENT) {
		memmove(a->recent, a->recent + 1, (AUDIT_RECENT - 1) * sizeof(*e));
		a->nrecent--;
	}
	a->recent[a->nrecent++] = *e;
	pthread_mutex_unlock(&a->lock);
	wake(a);
}

/* Parameters are built here from the request and plan only: never from a
 * provider's output, so no secret can reach the log. */
static json_t *params_json(const struct action_req *req, const struct action_plan *p,
			   const struct action_job *j)
{
	json_t *o = json_object();

	if (req->skind == SEC_RUNNERS) {
		if (p) {
			json_object_set_new(o, "from", json_integer(p->from));
			json_object_set_new(o, "to", json_integer(p->to));
		} else {
			json_object_set_new(o, "key", json_string(req->kind == AK_SCALE_UP ? "+" :
				req->kind == AK_SCALE_DOWN ? "-" : "="));
		}
	}
	if (j && j->new_id[0])
		json_object_set_new(o, "new_id", json_text(j->new_id, false));
	return o;
}

static int audit(struct actions *a, const struct action_req *req, const char *target,
		 const struct action_plan *p, const struct action_job *j,
		 const char *result, const char *error, char *err, size_t errlen)
{
	struct audit_entry e;
	json_t *params = params_json(req, p, j);
	char *ps = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char tmp[256];
	int rc;

	memset(&e, 0, sizeof(e));
	e.time = now_wall();
	str_copy(e.action, action_kind_name(req->kind), sizeof(e.action));
	str_copy(e.target, target, sizeof(e.target));
	str_copy(e.result, result, sizeof(e.result));
	str_copy(e.error, error ? error : "", sizeof(e.error));
	str_copy(e.params, ps ? ps : "{}", sizeof(e.params));
	free(ps);
	rc = audit_append(a->f->audit_log, &e, params, err ? err : tmp, err ? errlen : sizeof(tmp));
	json_decref(params);
	if (rc < 0 && !err) {
		/* nowhere better to say it than the event list itself */
		str_copy(e.error, tmp, sizeof(e.error));
	}
	recent_add(a, &e);
	return rc;
}

static void req_target(const struct actions *a, const struct action_req *req, char *buf, size_t size)
{
	const struct fleet_section *sec = fleet_nth(a->f, req->skind, (size_t)req->index);

	str_fmt(buf, size, "%s/%s", req->skind == SEC_KEY ? "key" : "runners",
		sec ? sec->name : "?");
}

void actions_refuse(struct actions *a, const struct action_req *req, const char *why)
{
	char target[96];

	req_target(a, req, target, sizeof(target));
	audit(a, req, target, NULL, NULL, "refused", why, NULL, 0);
}

void actions_reject(struct actions *a, const struct action_req *req, const char *why)
{
	char target[96];

	req_target(a, req, target, sizeof(target));
	audit(a, req, target, NULL, NULL, "rejected", why, NULL, 0);
}

void actions_cancel(struct actions *a, const struct action_req *req, int from, int to)
{
	struct action_plan p = { .req = *req, .from = from, .to = to };
	char target[96];

	req_target(a, req, target, sizeof(target));
	audit(a, req, target, req->skind == SEC_RUNNERS && to >= 0 ? &p : NULL, NULL,
	      "cancelled", NULL, NULL, 0);
}

/* ---- planning ------------------------------------------------------------ */

static bool policy_allows(const struct fleet_section *sec, const char *what)
{
	const char *v = fleet_section_value(sec, "actions");
	char **list;
	bool ok = false;

	if (!v)
		return true;
	list = fleet_list_split(v, NULL);
	for (char **p = list; p && *p; p++)
		if (strcmp(*p, what) == 0)
			ok = true;
	fleet_list_free(list);
	return ok;
}

static int plan_scale(struct actions *a, const struct snapshot *snap, const struct fleet_section *sec,
		      struct action_plan *p, char *err, size_t errlen)
{
	const struct runner_provider *rp = runner_provider_of(sec);
	const struct runners_sample *rs = (size_t)p->req.index < snapshot_count(snap, DOM_RUNNERS) ?
		snap_runners(snap, (size_t)p->req.index) : NULL;
	int min = fleet_section_int(sec, "min", 0), max = fleet_section_int(sec, "max", -1);
	int step = fleet_section_int(sec, "step", 1);
	struct action_job j = { .f = a->f, .sec = sec };
	char how[300];

	if (!rp) {
		str_fmt(err, errlen, "%s: scaling with provider %s is not supported yet", p->target,
			fleet_section_value(sec, "provider"));
		return -1;
	}
	if (!rs || !rs->collected || rs->count < 0) {
		str_fmt(err, errlen, "%s: the current count is not known yet%s%s", p->target,
			rs && rs->error[0] ? ": " : " (wait for the first listing)",
			rs && rs->error[0] ? rs->error : "");
		return -1;
	}
	p->from = rs->count;
	switch (p->req.kind) {
	case AK_SCALE_UP: p->to = p->from + step; break;
	case AK_SCALE_DOWN: p->to = p->from - step; break;
	default: p->to = p->req.count; break;
	}
	if (p->to < min) {
		str_fmt(err, errlen, "%s: %d is below min = %d", p->target, p->to, min);
		return -1;
	}
	if (max >= 0 && p->to > max) {
		str_fmt(err, errlen, "%s: %d is above max = %d", p->target, p->to, max);
		return -1;
	}
	if (p->to == p->from) {
		str_fmt(err, errlen, "%s: already at %d", p->target, p->to);
		return -1;
	}
	j.from = p->from;
	j.to = p->to;
	j.rs = rs;
	if (rp->check && rp->check(&j, err, errlen) < 0)
		return -1;
	rp->describe(&j, how, sizeof(how));
	p->destructive = p->to == 0;
	str_fmt(p->text, sizeof(p->text), "Scale %s from %d to %d runners (min %d, max %s). %s",
		sec->name, p->from, p->to, min, max >= 0 ? fleet_section_value(sec, "max") : "none", how);
	return 0;
}

static int plan_rotate(struct actions *a, const struct fleet_section *sec, struct action_plan *p,
		       char *err, size_t errlen)
{
	const struct key_provider *kp = key_provider_of(sec);
	struct action_job j = { .f = a->f, .sec = sec };
	char how[400];

	if (!kp) {
		str_fmt(err, errlen, "%s: rotating with provider %s is not supported yet", p->target,
			fleet_section_value(sec, "provider"));
		return -1;
	}
	kp->describe(&j, how, sizeof(how));
	p->destructive = true;
	str_fmt(p->text, sizeof(p->text), "Rotate key %s. %s", sec->name, how);
	return 0;
}

int actions_plan(struct actions *a, const struct snapshot *snap, const struct action_req *req,
		 struct action_plan *p, char *err, size_t errlen)
{
	const struct fleet_section *sec = fleet_nth(a->f, req->skind, (size_t)req->index);
	struct slot *s = slot_of(a, req->skind, req->index);
	bool busy;

	memset(p, 0, sizeof(*p));
	p->req = *req;
	if (!sec || !s) {
		str_copy(err, "nothing selected to act on", errlen);
		return -1;
	}
	req_target(a, req, p->target, sizeof(p->target));
	str_copy(p->name, sec->name, sizeof(p->name));
	if (!policy_allows(sec, action_kind_name(req->kind))) {
		str_fmt(err, errlen, "%s is view-only (actions = %s)", p->target,
			fleet_section_value(sec, "actions"));
		return -1;
	}
	pthread_mutex_lock(&a->lock);
	busy = s->prog.active;
	pthread_mutex_unlock(&a->lock);
	if (busy) {
		str_fmt(err, errlen, "%s: an action is already running on it", p->target);
		return -1;
	}
	if (req->skind == SEC_RUNNERS)
		return plan_scale(a, snap, sec, p, err, errlen);
	return plan_rotate(a, sec, p, err, errlen);
}

/* ---- running ------------------------------------------------------------- */

static void job_progress(struct action_job *j, const char *text)
{
	struct slot *s = j->priv;

	pthread_mutex_lock(&s->a->lock);
	text_clean(s->prog.text, sizeof(s->prog.text), text);
	pthread_mutex_unlock(&s->a->lock);
	wake(s->a);
}

static void *worker(void *arg)
{
	struct slot *s = arg;
	struct actions *a = s->a;
	char err[512] = "";
	int rc;

	if (s->plan.req.skind == SEC_RUNNERS)
		rc = runner_provider_of(s->job.sec)->scale(&s->job, err, sizeof(err));
	else
		rc = key_provider_of(s->job.sec)->rotate(&s->job, err, sizeof(err));
	str_sanitize(err);
	audit(a, &s->plan.req, s->plan.target, &s->plan, &s->job,
	      rc == 0 ? "succeeded" : rc == ACTION_CHECK ? "check" : "failed", rc == 0 ? NULL : err, NULL, 0);
	pthread_mutex_lock(&a->lock);
	s->prog.active = false;
	s->prog.finished = true;
	s->prog.ok = rc == 0;
	s->prog.check = rc == ACTION_CHECK;
	s->prog.ended = now_wall();
	if (rc == 0 && s->plan.req.skind == SEC_RUNNERS)
		str_fmt(s->prog.text, sizeof(s->prog.text), "scaled %d -> %d", s->plan.from, s->plan.to);
	else if (rc == 0)
		str_fmt(s->prog.text, sizeof(s->prog.text), "rotated%s%s", s->job.new_id[0] ? ": new key " : "",
			s->job.new_id);
	else
		str_fmt(s->prog.text, sizeof(s->prog.text), "%s: %s", rc == ACTION_CHECK ? "CHECK" : "failed",
			err);
	s->result_pending = true;
	pthread_mutex_unlock(&a->lock);
	wake(a);
	return NULL;
}

int actions_start(struct actions *a, const struct action_plan *p, char *err, size_t errlen)
{
	struct slot *s = slot_of(a, p->req.skind, p->req.index);

	if (!s)
		return -1;
	pthread_mutex_lock(&a->lock);
	if (s->prog.active) {
		pthread_mutex_unlock(&a->lock);
		str_fmt(err, errlen, "%s: an action is already running on it", p->target);
		return -1;
	}
	s->prog.active = true;      /* claimed: one action per target */
	pthread_mutex_unlock(&a->lock);
	slot_join(s);
	if (audit(a, &p->req, p->target, p, NULL, "confirmed", NULL, err, errlen) < 0) {
		pthread_mutex_lock(&a->lock);
		s->prog.active = false;
		pthread_mutex_unlock(&a->lock);
		return -1;          /* never act unaudited */
	}
	explicit_bzero(s->job.secret, sizeof(s->job.secret));
	s->a = a;
	s->plan = *p;
	s->job = (struct action_job){ .f = a->f, .m = a->m,
				      .sec = fleet_nth(a->f, p->req.skind, (size_t)p->req.index),
				      .from = p->from, .to = p->to, .progress = job_progress, .quit = &a->quit,
				      .priv = s };
	pthread_mutex_lock(&a->lock);
	s->prog = (struct action_progress){ .active = true, .started = now_wall() };
	str_copy(s->prog.text, "starting", sizeof(s->prog.text));
	s->result_pending = false;
	pthread_mutex_unlock(&a->lock);
	if (pthread_create(&s->thread, NULL, worker, s) != 0) {
		str_copy(err, "cannot start a worker thread", errlen);
		audit(a, &p->req, p->target, p, NULL, "failed", err, NULL, 0);
		pthread_mutex_lock(&a->lock);
		s->prog.active = false;
		pthread_mutex_unlock(&a->lock);
		return -1;
	}
	s->joinable = true;
	return 0;
}

bool actions_progress(struct actions *a, enum section_kind skind, int index,
		      struct action_progress *out)
{
	struct slot *s = a ? slot_of(a, skind, index) : NULL;

	memset(out, 0, sizeof(*out));
	if (!s)
		return false;
	pthread_mutex_lock(&a->lock);
	*out = s->prog;
	pthread_mutex_unlock(&a->lock);
	return out->active || out->finished;
}

static bool take_one(struct actions *a, struct slot *s, char *title, size_t tlen, char *text,
		     size_t xlen, char *secret, size_t slen)
{
	if (!s->result_pending)
		return false;
	s->result_pending = false;
	str_fmt(title, tlen, "%s %s: %s", action_kind_name(s->plan.req.kind), s->plan.target,
		s->prog.ok ? "done" : s->prog.check ? "CHECK (outcome unknown)" : "FAILED");
	str_fmt(text, xlen, "%s%s%s", s->prog.text, s->job.note[0] ? ". " : "", s->job.note);
	str_copy(secret, s->job.secret, slen);
	explicit_bzero(s->job.secret, sizeof(s->job.secret));
	(void)a;
	return true;
}

bool actions_take_result(struct actions *a, char *title, size_t tlen, char *text, size_t xlen,
			 char *secret, size_t slen)
{
	bool got = false;

	if (!a)
		return false;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; !got && i < a->nkeys; i++)
		got = take_one(a, &a->keys[i], title, tlen, text, xlen, secret, slen);
	for (size_t i = 0; !got && i < a->nrunners; i++)
		got = take_one(a, &a->runners[i], title, tlen, text, xlen, secret, slen);
	pthread_mutex_unlock(&a->lock);
	return got;
}

size_t actions_audit_recent(struct actions *a, struct audit_entry *out, size_t max)
{
	size_t n, from;

	if (!a)
		return 0;
	pthread_mutex_lock(&a->lock);
	n = a->nrecent < max ? a->nrecent : max;
	from = a->nrecent - n;
	memcpy(out, a->recent + from, n * sizeof(*out));
	pthread_mutex_unlock(&a->lock);
	return n;
}

/* ---- helpers for providers ------------------------------------------------ */

int provider_host(const struct fleet *f, const struct fleet_section *sec)
{
	const char *h = fleet_section_get(sec, "host");

	return h ? fleet_host_index(f, h) : -1;
}

char *provider_template(const char *tmpl, int count)
{
	char num[16], *q, *out = xstrdup("");
	const char *p = tmpl, *hit;

	str_fmt(num, sizeof(num), "%d", count);
	q = sh_quote(num);
	while ((hit = strstr(p, "{count}"))) {
		char *next = xasprintf("%s%.*s%s", out, (int)(hit - p), p, q);
		free(out);
		out = next;
		p = hit + strlen("{count}");
	}
	{
		char *next = xasprintf("%s%s", out, p);
		free(out);
		out = next;
	}
	free(q);
	return out;
}
