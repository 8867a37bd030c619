#include "config.h"
#include "record/recorder.h"
#include "record/codec.h"
#include "record/recfile.h"
#include "loop/wake.h"
#include "rules/rules.h"
#include "util/text.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* A frame is closed (and a new one starts with a header and a keyframe)
 * after this long or this many uncompressed bytes: the unit of seeking,
 * and of what a damaged byte can cost. */
#define FRAME_SECONDS 600.0
#define FRAME_RAW_MAX (8u << 20)
#define ZSTD_LEVEL 3
#define AUDIT_READ_MAX (1u << 20)

struct recorder {
	struct recorder_opts o;
	char *path;
	const struct fleet *f;
	struct model *m;
	int fd;
	uint64_t file_size;
	ZSTD_CCtx *cc;
	unsigned char *zout;
	size_t zcap;
	unsigned char *pend;         /* compressed bytes to write at the end of the tick */
	size_t npend, cappend;
	bool frame_open;
	double frame_t0;
	uint64_t frame_raw;
	char *conf;                  /* the fleet as recorded */
	/* the reader's side */
	struct snapshot cur, prev;   /* prev: exactly what a replay rebuilds */
	unsigned char *scratch;      /* one whole sample of any domain */
	bool prev_sized;
	struct rules_state st;
	struct evaluation ev;
	/* actions, read from the audit log as it grows */
	int afd;
	uint64_t aoff;
	char *abuf;
	size_t alen;
	/* the thread */
	pthread_t thread;
	struct wake stop;
	bool started;
	pthread_mutex_t lock;
	char error[256];
};

/* ---- files ---- */

/* FILE exists: it may be appended to only if it is a recording whose
 * frames are all complete. -1: not a recording (never touched); 0: torn
 * (rotated away first); 1: complete. */
static int file_state(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *map;
	size_t off = 0;
	int rc = 1;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		str_fmt(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		return 1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		str_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_size < 4 || ZSTD_getFrameContentSize(map, (size_t)st.st_size) == ZSTD_CONTENTSIZE_ERROR) {
		str_fmt(err, errlen, "%s exists and is not a fleetdeck recording: not touching it", path);
		rc = -1;
	}
	while (rc == 1 && off < (size_t)st.st_size) {
		size_t n = ZSTD_findFrameCompressedSize(map + off, (size_t)st.st_size - off);
		if (ZSTD_isError(n))
			rc = 0;
		else
			off += n;
	}
	munmap(map, (size_t)st.st_size);
	return rc;
}

/* FILE -> FILE.1 -> ... -> FILE.keep (the oldest is dropped). */
static void rotate_files(const char *path, int keep)
{
	for (int n = keep; n >= 1; n--) {
		char *from = n == 1 ? xstrdup(path) : rec_rotated_name(path, n - 1);
		char *to = rec_rotated_name(path, n);
		rename(from, to);
		free(from);
		free(to);
	}
}

/* Another fleetdeck records to path now (its lock, recfile.h). */
static bool file_in_use(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool used = fd >= 0 && rec_file_in_use(fd);

	if (fd >= 0)
		close(fd);
	return used;
}

static int file_open(struct recorder *r, char *err, size_t errlen)
{
	struct stat st;

	if (stat(r->path, &st) == 0) {
		int s;
		if (file_in_use(r->path))
			goto in_use;
		s = file_state(r->path, err, errlen);
		if (s < 0)
			return -1;
		if (s == 0)
			rotate_files(r->path, r->o.keep);   /* a crash's torn tail stays at its file's end */
	}
	r->fd = open(r->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (r->fd < 0) {
		str_fmt(err, errlen, "%s: %s", r->path, strerror(errno));
		return -1;
	}
	if (rec_file_lock(r->fd) < 0) {
		close(r->fd);
		r->fd = -1;
		if (errno == EAGAIN || errno == EACCES)
			goto in_use;
		str_fmt(err, errlen, "%s: cannot lock it: %s", r->path, strerror(errno));
		return -1;
	}
	r->file_size = fstat(r->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
in_use:
	str_fmt(err, errlen, "%s is being recorded by another fleetdeck: not touching it", r->path);
	return -1;
}

static void set_error(struct recorder *r, const char *what)
{
	pthread_mutex_lock(&r->lock);
	if (!r->error[0])
		str_fmt(r->error, sizeof(r->error), "recording to %s stopped: %s", r->path, what);
	pthread_mutex_unlock(&r->lock);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* ---- compression ---- */

static void pend_add(struct recorder *r, const void *p, size_t n)
{
	if (n == 0)          /* nothing out yet: pend may still be NULL */
		return;
	if (r->npend + n > r->cappend) {
		r->cappend = (r->npend + n) * 2;
		r->pend = xrealloc(r->pend, r->cappend);
	}
	memcpy(r->pend + r->npend, p, n);
	r->npend += n;
}

static void compress(struct recorder *r, const void *src, size_t len, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { src, len, 0 };

	for (;;) {
		ZSTD_outBuffer out = { r->zout, r->zcap, 0 };
		size_t left = ZSTD_compressStream2(r->cc, &out, &in, mode);
		if (ZSTD_isError(left)) {
			set_error(r, ZSTD_getErrorName(left));
			return;
		}
		pend_add(r, r->zout, out.pos);
		if (mode == ZSTD_e_continue ? in.pos == in.size : left == 0)
			return;
	}
}

static void put_line(struct recorder *r, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	size_t n;

	json_decref(o);
	if (!text || r->fd < 0) {
		free(text);
		return;
	}
	n = strlen(text);
	text[n] = '\n';      /* the NUL becomes the line's end */
	compress(r, text, n + 1, ZSTD_e_continue);
	r->frame_raw += n + 1;
	free(text);
}

/* Every byte of the tick reaches the file in one write() per buffer: a
 * crash can tear only the end. A frame's end is synced to disk. */
static void write_out(struct recorder *r, bool end_frame)
{
	size_t done = 0;

	if (r->fd < 0)
		return;
	compress(r, "", 0, end_frame ? ZSTD_e_end : ZSTD_e_flush);
	while (done < r->npend && r->fd >= 0) {
		ssize_t n = write(r->fd, r->pend + done, r->npend - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			set_error(r, n < 0 ? strerror(errno) : "short write");
			break;
		}
		done += (size_t)n;
	}
	r->file_size += done;
	r->npend = 0;
	if (end_frame && r->fd >= 0)
		fdatasync(r->fd);
}

/* ---- records ---- */

static json_t *record(const char *kind, double t)
{
	json_t *o = json_object();

	json_object_set_new(o, "k", json_string(kind));
	json_object_set_new(o, "t", json_real(t));
	return o;
}

static void put_header(struct recorder *r, double t)
{
	json_t *o = record(REC_MAGIC, t);

	json_object_set_new(o, "v", json_integer(REC_VERSION));
	json_object_set_new(o, "fleet", json_text(r->f->name, false));
	json_object_set_new(o, "fleetdeck", json_string(PACKAGE_VERSION));
	/* (every line of it went through text_clean: valid UTF-8; still, a
	 * NULL from json_string would drop the key) */
	json_t *conf = json_string(r->conf ? r->conf : "");
	json_object_set_new(o, "conf", conf ? conf : json_string(""));
	json_object_set_new(o, "hosts", rec_fleet_hosts(r->f));
	put_line(r, o);
}

/* The rules' memory a replay needs to judge like the live run did: when
 * each open alert started, the OOM baseline per host. */
static json_t *rules_json(const struct recorder *r)
{
	json_t *o = json_object(), *alerts = json_array(), *oom = json_object();

	for (size_t i = 0; i < r->st.nprev; i++) {
		const struct alert *a = &r->st.prev[i];
		json_array_append_new(alerts, json_pack("[ssf]", a->target, a->code, a->since));
	}
	for (size_t i = 0; i < r->st.nhosts && i < r->f->nhosts; i++)
		if (r->st.oom_known[i])
			json_object_set_new(oom, r->f->hosts[i].name,
					    json_pack("[If]", (json_int_t)(r->st.oom_seen[i] > INT64_MAX ?
						INT64_MAX : r->st.oom_seen[i]), r->st.oom_at[i]));
	json_object_set_new(o, "alerts", alerts);
	json_object_set_new(o, "oom", oom);
	return o;
}

/* r->scratch's changes to target i since prev, under key in parts[its
 * domain], applied to prev. key must not point into prev: it is edited. */
static bool put_delta(struct recorder *r, json_t **parts, const struct domain *dom, size_t i,
		      const char *key, double t)
{
	json_t *delta = rec_delta(dom, snapshot_get(&r->prev, dom->id, i), r->scratch, t);

	if (!delta)
		return false;
	rec_apply(dom, rec_elem_edit(dom, &r->prev, i), delta, t, NULL);
	if (!parts[dom->id])
		parts[dom->id] = json_object();
	json_object_set_new(parts[dom->id], key, delta);
	return true;
}

/* Target i's changes since prev, into parts[its domain], applied to prev. */
static bool add_target(struct recorder *r, json_t **parts, const struct domain *dom, size_t i,
		       double t)
{
	const char *name = rec_elem_name(dom, r->f, &r->cur, i);
	const char *was = rec_elem_name(dom, r->f, &r->prev, i);
	char gone[256];
	bool changed = false;

	if ((!name && !was) || i >= snapshot_count(&r->prev, dom->id))
		return false;
	/* a found target that went, or whose row another found target took
	 * since the last record: its empty row under the name it had, so the
	 * replay never reads the new one as a change of the old */
	if (was && (!name || strcmp(was, name) != 0)) {
		str_copy(gone, was, sizeof(gone));
		memset(r->scratch, 0, dom->sample_size);
		changed = put_delta(r, parts, dom, i, gone, t);
		if (!name)
			return changed;
	}
	rec_elem_read(dom, &r->cur, i, r->scratch);
	return put_delta(r, parts, dom, i, name, t) || changed;
}

/* What changed since prev (every target when all, else those the last
 * model_snapshot() took), applied to prev, one object per domain in the
 * record. Returns how many targets changed. */
static size_t add_changes(struct recorder *r, json_t *rec, double t, bool all)
{
	json_t *parts[DOM__COUNT] = { 0 };
	size_t changed = 0;

	if (all || r->cur.changed_all) {
		REC_DOMAINS_FOREACH(d)
			for (size_t i = 0; i < snapshot_count(&r->cur, d->id); i++)
				changed += add_target(r, parts, d, i, t);
	} else {
		for (size_t k = 0; k < r->cur.nchanged; k++) {
			const struct domain *dom = r->cur.changed[k].dom < DOM__COUNT ?
				&domains[r->cur.changed[k].dom] : NULL;
			if (dom && dom->record)
				changed += add_target(r, parts, dom, r->cur.changed[k].index, t);
		}
	}
	REC_DOMAINS_FOREACH(d)
		if (parts[d->id])
			json_object_set_new(rec, d->json_key, parts[d->id]);
	return changed;
}

/* prev takes cur's shape, zeroed: what a reader has before a keyframe. */
static void prev_reset(struct recorder *r)
{
	snapshot_free(&r->prev);
	REC_DOMAINS_FOREACH(d) {
		size_t n = snapshot_count(&r->cur, d->id);
		if (n)
			rec_elem_edit(d, &r->prev, n - 1);
	}
	r->prev_sized = true;
}

static bool shape_changed(const struct recorder *r)
{
	if (!r->prev_sized)
		return true;
	REC_DOMAINS_FOREACH(d)
		if (snapshot_count(&r->cur, d->id) != snapshot_count(&r->prev, d->id))
			return true;
	return false;
}

static void start_frame(struct recorder *r, double t)
{
	json_t *key = record("key", t);

	prev_reset(r);
	put_header(r, t);
	add_changes(r, key, t, true);
	json_object_set_new(key, "rules", rules_json(r));
	put_line(r, key);
	r->frame_open = true;
	r->frame_t0 = t;
	r->frame_raw = 0;
}

/* Status changes the rules logged during this evaluation. */
static void put_events(struct recorder *r, size_t pos0, size_t n0)
{
	size_t n;

	if (r->st.nevents < RULES_MAX_EVENTS)
		n = r->st.nevents - n0;
	else
		n = (r->st.event_pos + RULES_MAX_EVENTS - pos0) % RULES_MAX_EVENTS;
	for (size_t k = 0; k < n; k++) {
		const struct event *e = &r->st.events[(r->st.event_pos + RULES_MAX_EVENTS - n + k) %
						      RULES_MAX_EVENTS];
		json_t *o = record("status", rec_round(e->at));

		json_object_set_new(o, "target", json_text(e->target, false));
		json_object_set_new(o, "from", json_string(status_name(e->from)));
		json_object_set_new(o, "to", json_string(status_name(e->to)));
		json_object_set_new(o, "text", json_text(e->message, false));
		put_line(r, o);
	}
}

/* One audit line as an action record: the audit log's own fields, which
 * never hold a secret (action/audit.h). */
static void put_action(struct recorder *r, const char *line, size_t len)
{
	static const char *const keys[] = { "user", "host", "action", "target", "parameters",
					    "result", "error" };
	json_t *a = json_loadb(line, len, 0, NULL), *o;
	json_t *t = a ? json_object_get(a, "time") : NULL;

	if (!json_is_number(t)) {
		json_decref(a);
		return;
	}
	o = record("action", rec_round(json_number_value(t)));
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(a, keys[i]);
		if (v)
			json_object_set(o, keys[i], v);
	}
	json_decref(a);
	put_line(r, o);
}

/* New complete lines of the audit log since the last look. */
static void put_actions(struct recorder *r)
{
	struct stat st;
	size_t start = 0;

	if (!r->o.audit_log)
		return;
	if (r->afd < 0) {
		r->afd = open(r->o.audit_log, O_RDONLY | O_CLOEXEC);
		if (r->afd < 0)
			return;
	}
	if (fstat(r->afd, &st) < 0)
		return;
	if ((uint64_t)st.st_size < r->aoff)
		r->aoff = 0;               /* rotated or truncated: start over */
	while ((uint64_t)st.st_size > r->aoff && r->alen < AUDIT_READ_MAX) {
		ssize_t n;
		r->abuf = xrealloc(r->abuf, AUDIT_READ_MAX + 1);
		n = pread(r->afd, r->abuf + r->alen, AUDIT_READ_MAX - r->alen, (off_t)r->aoff);
		if (n <= 0)
			break;
		r->alen += (size_t)n;
		r->aoff += (uint64_t)n;
	}
	for (;;) {
		char *nl = r->alen > start ? memchr(r->abuf + start, '\n', r->alen - start) : NULL;
		if (!nl)
			break;
		put_action(r, r->abuf + start, (size_t)(nl - (r->abuf + start)));
		start = (size_t)(nl - r->abuf) + 1;
	}
	if (start == 0 && r->alen == AUDIT_READ_MAX)
		start = r->alen;           /* an absurd line: dropped */
	memmove(r->abuf, r->abuf + start, r->alen - start);
	r->alen -= start;
}

static void tick(struct recorder *r, bool last)
{
	double t = rec_round(now_wall());
	bool changed = model_snapshot(r->m, &r->cur);
	size_t pos0 = r->st.event_pos, n0 = r->st.nevents;
	bool end;

	if (r->fd < 0)
		return;
	rules_evaluate(r->f, &r->cur, t, &r->st, &r->ev);
	if (r->frame_open && shape_changed(r)) {
		write_out(r, true);
		r->frame_open = false;
	}
	if (!r->frame_open) {
		start_frame(r, t);
	} else if (changed) {
		json_t *round = record("round", t);
		if (add_changes(r, round, t, false))
			put_line(r, round);
		else
			json_decref(round);
	}
	put_events(r, pos0, n0);
	put_actions(r);
	/* a frame also ends once the file reached its size, so that rotation
	 * (only ever at a frame's end) follows record_max_size within a round */
	end = last || t - r->frame_t0 >= FRAME_SECONDS || r->frame_raw >= FRAME_RAW_MAX ||
	      r->file_size >= r->o.max_bytes;
	write_out(r, end);
	if (!end)
		return;
	r->frame_open = false;
	if (!last && r->fd >= 0 && r->file_size >= r->o.max_bytes) {
		char err[256];
		close(r->fd);
		r->fd = -1;
		rotate_files(r->path, r->o.keep);
		if (file_open(r, err, sizeof(err)) < 0)
			set_error(r, err);
	}
}

static void *recorder_thread(void *arg)
{
	struct recorder *r = arg;

	thread_quiet("fd-record");
	for (;;) {
		struct pollfd p = { wake_fd(&r->stop), POLLIN, 0 };
		int rc = poll(&p, 1, (int)(r->o.period * 1000));

		if (rc > 0)
			break;
		if (rc < 0 && errno != EINTR)
			break;
		tick(r, false);
	}
	tick(r, true);
	return NULL;
}

struct recorder *recorder_start(const struct recorder_opts *o, const struct fleet *f,
				struct model *m, char *err, size_t errlen)
{
	struct recorder *r = xcalloc(1, sizeof(*r));

	r->o = *o;
	r->path = xstrdup(o->path);
	r->o.path = r->path;
	r->o.audit_log = o->audit_log ? xstrdup(o->audit_log) : NULL;
	if (!r->o.max_bytes)
		r->o.max_bytes = REC_DEFAULT_MAX_BYTES;
	if (r->o.keep <= 0)
		r->o.keep = REC_DEFAULT_KEEP;
	if (r->o.keep > REC_MAX_FILES - 1)
		r->o.keep = REC_MAX_FILES - 1;   /* what --replay reads */
	if (r->o.period <= 0)
		r->o.period = rec_fleet_period(f);
	r->f = f;
	r->m = m;
	r->fd = r->afd = -1;
	r->stop.fd[0] = r->stop.fd[1] = -1;
	pthread_mutex_init(&r->lock, NULL);
	rules_state_init(&r->st, f->nhosts);
	r->conf = rec_fleet_text(f);
	r->cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(r->cc, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(r->cc, ZSTD_c_checksumFlag, 1);
	r->zcap = ZSTD_CStreamOutSize();
	r->zout = xmalloc(r->zcap);
	r->scratch = xmalloc(rec_scratch_size());
	if (file_open(r, err, errlen) < 0) {
		recorder_stop(r);
		return NULL;
	}
	/* actions before the recording started are not its business */
	if (r->o.audit_log) {
		struct stat st;
		r->afd = open(r->o.audit_log, O_RDONLY | O_CLOEXEC);
		if (r->afd >= 0 && fstat(r->afd, &st) == 0)
			r->aoff = (uint64_t)st.st_size;
	}
	if (wake_open(&r->stop) < 0 || pthread_create(&r->thread, NULL, recorder_thread, r) != 0) {
		str_fmt(err, errlen, "cannot start the recording thread");
		recorder_stop(r);
		return NULL;
	}
	r->started = true;
	return r;
}

bool recorder_error(struct recorder *r, char *buf, size_t size)
{
	if (!r)
		return false;
	pthread_mutex_lock(&r->lock);
	str_copy(buf, r->error, size);
	pthread_mutex_unlock(&r->lock);
	return buf[0] != '\0';
}

void recorder_stop(struct recorder *r)
{
	if (!r)
		return;
	if (r->started) {
		wake_poke(&r->stop);
		pthread_join(r->thread, NULL);
	}
	wake_close(&r->stop);
	if (r->fd >= 0)
		close(r->fd);
	if (r->afd >= 0)
		close(r->afd);
	ZSTD_freeCCtx(r->cc);
	free(r->zout);
	free(r->pend);
	free(r->abuf);
	free(r->scratch);
	free(r->conf);
	free((char *)r->o.audit_log);
	free(r->path);
	snapshot_free(&r->cur);
	snapshot_free(&r->prev);
	evaluation_free(&r->ev);
	rules_state_free(&r->st);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

bool recorder_opts_from_fleet(const struct fleet *f, const char *cli_path,
			      struct recorder_opts *o, char **path_owned)
{
	const struct fleet_section *sec = fleet_nth(f, SEC_FLEET, 0);
	const char *v;
	int64_t size;

	memset(o, 0, sizeof(*o));
	*path_owned = NULL;
	if (cli_path && *cli_path)
		*path_owned = path_expand(cli_path);
	else if (sec)
		*path_owned = fleet_section_path(sec, "record");
	if (!*path_owned)
		return false;
	o->path = *path_owned;
	if (sec && (v = fleet_section_get(sec, "record_max_size")) && parse_size(v, &size) == 0 && size > 0)
		o->max_bytes = (uint64_t)size;
	if (sec)
		o->keep = fleet_section_int(sec, "record_keep", REC_DEFAULT_KEEP);
	o->audit_log = f->audit_log;
	return true;
}
