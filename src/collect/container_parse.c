#include "config.h"
#include "collect/container_parse.h"
#include "collect/plausible.h"
#include "util/util.h"
#include "util/text.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t errlen, const char *fmt, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, what);
}

static json_t *load(const char *json, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	/* numbers as doubles: one integer beyond 64 bits (jansson refuses it
	 * as an integer) must not cost the whole list; each number is then
	 * range-checked where it is used */
	json_t *v = json_loadb(json, len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);

	if (!v)
		snprintf(err, errlen, "the engine's answer is not JSON (%s, line %d)",
			 je.text, je.line);
	return v;
}

/* Engine ids are hex; anything else never reaches a URL or a script. */
static bool id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CTR_ID_MAX)
		return false;
	return strspn(s, "0123456789abcdef") == n;
}

/* FNV-1a over a string and its NUL (so "ab","c" and "a","bc" differ). */
static uint64_t sig_add(uint64_t h, const char *s)
{
	if (!s)
		s = "";
	do {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	} while (*s++);
	return h;
}

/* What the list says of a container that inspect also reads (state, names,
 * image); not Status ("Up 5 minutes" changes by itself). */
static uint64_t list_sig(json_t *it)
{
	uint64_t h = 0xcbf29ce484222325ull;
	json_t *names = json_object_get(it, "Names"), *v;
	size_t i;

	h = sig_add(h, json_string_value(json_object_get(it, "State")));
	json_array_foreach(names, i, v)
		h = sig_add(h, json_string_value(v));
	h = sig_add(h, json_string_value(json_object_get(it, "Image")));
	return sig_add(h, json_string_value(json_object_get(it, "ImageID")));
}

/* A string of the list kept as it is in dst, or "" (false): refused when it
 * is not a string, holds a NUL, does not fit, or is not clean text. skip:
 * a leading character dropped when present ('/' of the API's names). */
static bool list_text(char *dst, size_t size, json_t *v, char skip)
{
	const char *s = json_string_value(v);
	size_t len = s ? json_string_length(v) : 0;

	dst[0] = 0;
	if (s && skip && s[0] == skip)
		s++, len--;
	if (!s || len == 0 || strlen(s) != len || len >= size || !text_is_clean(s))
		return false;
	memcpy(dst, s, len + 1);
	return true;
}

/* Either array may be NULL. */
static int list_parse(const char *json, size_t len, char (*ids)[CTR_ID_MAX],
		      struct ctr_listed *out, int max, int *total, char *err, size_t errlen)
{
	json_t *root = load(json, len, err, errlen), *it;
	size_t i;
	int n = 0;

	if (!root)
		return -1;
	if (!json_is_array(root)) {
		set_err(err, errlen, "the engine's container list is %s, not an array",
			json_is_object(root) ? "an object" : "not JSON");
		json_decref(root);
		return -1;
	}
	*total = 0;
	json_array_foreach(root, i, it) {
		const char *id = json_string_value(json_object_get(it, "Id"));

		if (!id || !id_valid(id))
			continue;
		(*total)++;
		if (n >= max)
			continue;
		if (ids)
			str_copy(ids[n], id, CTR_ID_MAX);
		if (out) {
			struct ctr_listed *l = &out[n];

			str_copy(l->id, id, sizeof(l->id));
			l->sig = list_sig(it);
			/* the API's names start with '/' ("/web"); a name cut
			 * to fit would be another container's name: refused */
			list_text(l->name, sizeof(l->name),
				  json_array_get(json_object_get(it, "Names"), 0), '/');
			list_text(l->state, sizeof(l->state), json_object_get(it, "State"), 0);
		}
		n++;
	}
	json_decref(root);
	return n;
}

int ctrp_list(const char *json, size_t len, char (*ids)[CTR_ID_MAX], int max, int *total,
	      char *err, size_t errlen)
{
	return list_parse(json, len, ids, NULL, max, total, err, errlen);
}

int ctrp_list_info(const char *json, size_t len, struct ctr_listed *out, int max, int *total,
		   char *err, size_t errlen)
{
	return list_parse(json, len, NULL, out, max, total, err, errlen);
}

void ctrp_unread(struct container_sample *c, const struct ctr_listed *l, const char *why)
{
	memset(c, 0, sizeof(*c));
	str_copy(c->id, l->id, 13);
	/* list_text() let only clean text through; the id is hex */
	str_copy(c->name, l->name[0] ? l->name : c->id, sizeof(c->name));
	str_copy(c->state, l->state[0] ? l->state : "unknown", sizeof(c->state));
	text_clean(c->unread, sizeof(c->unread), why && *why ? why : "not inspected");
}

/* A JSON number of kind k: 1 and *out when plausible, 0 when absent or not
 * a number, -1 when implausible (named in note). */
static int json_u64(json_t *v, enum plaus k, const char *field, uint64_t *out,
		    char *note, size_t size)
{
	double d;

	if (!json_is_number(v))
		return 0;
	d = json_number_value(v);
	if (!plausible_check(k, d, field, note, size))
		return -1;
	*out = (uint64_t)d;
	return 1;
}

static void copy_clean(char *dst, size_t size, const char *src)
{
	text_clean(dst, size, src);
}

/* Fills one sample from one inspect object; false if it is not one. */
static bool inspect_one(json_t *o, struct container_sample *c, long *pid)
{
	const char *id = json_string_value(json_object_get(o, "Id"));
	const char *name = json_string_value(json_object_get(o, "Name"));
	json_t *state = json_object_get(o, "State");
	json_t *cfg = json_object_get(o, "Config");
	json_t *hc = json_object_get(o, "HostConfig");
	json_t *mem = json_object_get(hc, "Memory");
	json_t *rc = json_object_get(o, "RestartCount");
	json_t *p = json_object_get(state, "Pid");
	const char *image = json_string_value(json_object_get(cfg, "Image"));
	const char *status = json_string_value(json_object_get(state, "Status"));
	uint64_t v;

	if (!json_is_object(o) || !id || !name)
		return false;
	memset(c, 0, sizeof(*c));
	copy_clean(c->id, 13, id);
	copy_clean(c->name, sizeof(c->name), name[0] == '/' ? name + 1 : name);
	/* Config.Image is the name the user gave; Image is often only a digest */
	if (!image || !*image)
		image = json_string_value(json_object_get(o, "ImageName"));
	if (!image || !*image)
		image = json_string_value(json_object_get(o, "Image"));
	copy_clean(c->image, sizeof(c->image), image);
	if (!status && json_is_string(state))
		status = json_string_value(state);
	copy_clean(c->state, sizeof(c->state), status ? status : "unknown");
	/* the kernel's "unlimited" (LONG_MAX rounded to a page) is no limit */
	if (json_is_number(mem) && json_number_value(mem) >= (double)P_NOLIMIT &&
	    json_number_value(mem) <= 9223372036854775807.0) {
		c->mem_limit = 0;
		c->valid |= CV_LIMIT;
	} else if (json_u64(mem, P_BYTES, "HostConfig.Memory", &v, c->implausible,
			    sizeof(c->implausible)) > 0) {
		c->mem_limit = v;
		c->valid |= CV_LIMIT;
	}
	if (json_u64(rc, P_COUNT, "RestartCount", &v, c->implausible, sizeof(c->implausible)) > 0) {
		c->restarts = (int)v;
		c->valid |= CV_RESTARTS;
	}
	/* pid_max is at most 2^22: anything else is no pid to look up */
	*pid = json_is_number(p) && json_number_value(p) >= 1 &&
	       json_number_value(p) < 1 << 30 ? (long)json_number_value(p) : 0;
	return true;
}

int ctrp_inspect(const char *json, size_t len, struct container_sample *out, long *pids,
		 int max, int *n, char *err, size_t errlen)
{
	json_t *root = load(json, len, err, errlen), *it;
	size_t i;
	int bad = 0, start = *n;

	if (!root)
		return -1;
	if (json_is_object(root)) {
		json_t *arr = json_array();
		json_array_append(arr, root);
		json_decref(root);
		root = arr;
	}
	if (!json_is_array(root)) {
		set_err(err, errlen, "the engine's inspect answer is %s", "neither an object nor an array");
		json_decref(root);
		return -1;
	}
	json_array_foreach(root, i, it) {
		if (*n >= max)
			break;
		if (inspect_one(it, &out[*n], &pids[*n]))
			(*n)++;
		else
			bad++;
	}
	json_decref(root);
	if (bad && *n == 0) {
		set_err(err, errlen, "the engine's inspect answer has %s", "no container in it");
		return -1;
	}
	/* "[]" is an answer (the CLI's for a host without containers), but
	 * one that yields nothing says so: a caller that wanted one has its
	 * reason, never an unwritten err */
	if (*n == start)
		set_err(err, errlen, "the engine's answer held %s", "no container");
	return 0;
}

int ctrp_stats(const char *json, size_t len, struct ctr_usage *u, char *err, size_t errlen)
{
	json_t *root = load(json, len, err, errlen), *ms, *st, *inact;
	uint64_t inactive = 0;
	char *note = u->implausible;
	size_t nsz = sizeof(u->implausible);

	memset(u, 0, sizeof(*u));
	if (!root)
		return -1;
	if (!json_is_object(root)) {
		set_err(err, errlen, "the engine's stats answer is %s", "not an object");
		json_decref(root);
		return -1;
	}
	ms = json_object_get(root, "memory_stats");
	st = json_object_get(ms, "stats");
	if (json_u64(json_object_get(ms, "usage"), P_BYTES, "memory_stats.usage", &u->mem_used,
		     note, nsz) > 0) {
		/* what docker stats shows: the page cache that can be dropped is not "used"
		 * (cgroup v1 has total_inactive_file, v2 only inactive_file) */
		inact = json_object_get(st, "total_inactive_file");
		if (!inact)
			inact = json_object_get(st, "inactive_file");
		if (json_u64(inact, P_BYTES, "inactive_file", &inactive, note, nsz) > 0 &&
		    inactive < u->mem_used)
			u->mem_used -= inactive;
		u->mem_ok = true;
	}
	u->cpu_ok = json_u64(json_object_get(json_object_get(json_object_get(root, "cpu_stats"),
							     "cpu_usage"), "total_usage"),
			     P_COUNTER, "cpu_usage.total_usage", &u->cpu_ns, note, nsz) > 0;
	json_decref(root);
	return 0;
}

/* "key value" inside a stat file. */
static bool stat_line(const char *line, const char *key, enum plaus k, uint64_t *out,
		      char *note, size_t size)
{
	size_t n = strlen(key);

	return strncmp(line, key, n) == 0 && line[n] == ' ' &&
	       plausible_u64(k, line + n + 1, 1, out, key, note, size);
}

struct cg_acc {
	bool used, max, inact, cpu;
	uint64_t used_v, max_v, inact_v, cpu_ns;
	bool max_none;
	char note[80];
};

/* A cgroup v1 limit: LONG_MAX rounded to a page means none. */
static bool cg_v1_limit(const char *line, uint64_t *v, char *note, size_t size)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(line, &end, 10);
	if (!errno && end != line && x >= P_NOLIMIT && x <= INT64_MAX) {
		*v = x;
		return true;
	}
	return plausible_u64(P_BYTES, line, 1, v, "memory.limit_in_bytes", note, size);
}

/* One line of the file `file` of the block being read. */
static void cg_line(struct cg_acc *a, const char *file, const char *line)
{
	uint64_t v;
	char *note = a->note;
	size_t nsz = sizeof(a->note);

	if (!strcmp(file, "memory.current") || !strcmp(file, "memory.usage_in_bytes")) {
		if (plausible_u64(P_BYTES, line, 1, &v, file, note, nsz))
			a->used = true, a->used_v = v;
	} else if (!strcmp(file, "memory.max")) {
		if (!strncmp(line, "max", 3) && (line[3] == 0 || line[3] == '\n'))
			a->max = a->max_none = true;
		else if (plausible_u64(P_BYTES, line, 1, &v, file, note, nsz))
			a->max = true, a->max_v = v;
	} else if (!strcmp(file, "memory.limit_in_bytes")) {
		if (cg_v1_limit(line, &v, note, nsz)) {
			a->max = true;
			a->max_none = v >= P_NOLIMIT;
			a->max_v = v;
		}
	} else if (!strcmp(file, "memory.stat")) {
		if (stat_line(line, "inactive_file", P_BYTES, &v, note, nsz) ||
		    stat_line(line, "total_inactive_file", P_BYTES, &v, note, nsz))
			a->inact = true, a->inact_v = v;
	} else if (!strcmp(file, "cpu.stat")) {
		if (stat_line(line, "usage_usec", P_COUNTER, &v, note, nsz) && v < UINT64_MAX / 1000)
			a->cpu = true, a->cpu_ns = v * 1000;
	} else if (!strcmp(file, "cpuacct.usage")) {
		if (plausible_u64(P_COUNTER, line, 1, &v, file, note, nsz))
			a->cpu = true, a->cpu_ns = v;
	}
}

int ctrp_cgroup(const char *text, size_t len, long pid, struct ctr_usage *u)
{
	struct cg_acc a = { 0 };
	char line[256], file[64] = "";
	bool in = false, seen = false;
	size_t i = 0;

	memset(u, 0, sizeof(*u));
	while (i < len) {
		size_t j = i, n;
		while (j < len && text[j] != '\n')
			j++;
		n = j - i < sizeof(line) - 1 ? j - i : sizeof(line) - 1;
		memcpy(line, text + i, n);
		line[n] = 0;
		i = j + 1;
		if (!strncmp(line, "@@pid ", 6)) {
			char *end;
			long p = strtol(line + 6, &end, 10);
			in = end != line + 6 && p == pid;
			seen |= in;
			file[0] = 0;
		} else if (!strncmp(line, "@@file ", 7)) {
			str_copy(file, line + 7, sizeof(file));
		} else if (in && file[0]) {
			cg_line(&a, file, line);
		}
	}
	str_copy(u->implausible, a.note, sizeof(u->implausible));
	if (!seen || (!a.used && !a.cpu && !a.max))
		return -1;
	if (a.used) {
		u->mem_ok = true;
		u->mem_used = a.inact && a.inact_v < a.used_v ? a.used_v - a.inact_v : a.used_v;
	}
	if (a.max) {
		u->limit_ok = true;
		u->limit = a.max_none ? 0 : a.max_v;
	}
	u->cpu_ok = a.cpu;
	u->cpu_ns = a.cpu_ns;
	return 0;
}

double ctrp_cpu_pct(uint64_t prev_ns, uint64_t cur_ns, double dt)
{
	if (dt <= 0 || cur_ns < prev_ns)
		return -1;
	return (double)(cur_ns - prev_ns) / (dt * 1e9) * 100.0;
}

void ctrp_apply_limit(struct container_sample *c, const struct ctr_usage *u)
{
	if (!u->limit_ok)
		return;
	c->mem_limit = u->limit;
	c->valid |= CV_LIMIT;
}
