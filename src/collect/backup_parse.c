#include "config.h"
#include "collect/backup_parse.h"
#include "collect/plausible.h"
#include "util/util.h"
#include "fleet/values.h"
#include "util/text.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm): no timegm(), no TZ, no locale. */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, long *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

static int parse_epoch(const char *s, double *t)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end || !isfinite(v) || v > 1e11)
		return -1;
	*t = v;
	return 0;
}

/* "Z", "+02:00", "-0530", "+02" or nothing (UTC): seconds east of UTC. */
static int parse_zone(const char *p, long *off)
{
	long hh, mm = 0;
	int sign;

	*off = 0;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &hh) < 0)
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &mm) < 0)
			return -1;
		if (hh > 23 || mm > 59)
			return -1;
		*off = sign * (hh * 3600 + mm * 60);
	}
	while (isspace((unsigned char)*p))
		p++;
	return *p ? -1 : 0;
}

static int parse_iso(const char *p, double *t)
{
	long y, mo, d, h, mi, sec = 0, off;
	double frac = 0;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec) < 0)
			return -1;
		if (*p == '.' || *p == ',') {
			double scale = 0.1;
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			for (; isdigit((unsigned char)*p); p++, scale /= 10)
				frac += (*p - '0') * scale;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (parse_zone(p, &off) < 0)
		return -1;
	*t = (double)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec + frac - off;
	return 0;
}

int backup_parse_time(const char *s, double *t)
{
	while (isspace((unsigned char)*s))
		s++;
	if (strlen(s) >= 10 && s[4] == '-')
		return parse_iso(s, t);
	return parse_epoch(s, t);
}

static int fail(struct backup_sample *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct backup_sample *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	str_sanitize(out->error);
	out->known = false;
	return -1;
}

static bool json_array_has_string(json_t *a, const char *want)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
			return true;
	return false;
}

/* Remote numbers go through collect/plausible.h: a snapshot dated 2150 or
 * 1970 is never the "newest good backup" an RPO is judged on; a size or a
 * time that cannot be is left out and named in the warning. */
#define NOTE(out) (out)->warning, sizeof((out)->warning)

/* JSON numbers are decoded as doubles (JSON_DECODE_INT_AS_REAL): one
 * integer beyond 64 bits must not cost the whole list. */
static json_t *load_json(const char *text, size_t len)
{
	json_error_t jerr;

	return json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &jerr);
}

/* The implausible value named in the warning becomes the reason the source
 * is unknown. */
static int fail_implausible(struct backup_sample *out)
{
	fail(out, "%s", out->warning);
	out->warning[0] = '\0';
	return -1;
}

/* A size of kind bytes from a JSON number: true and *size when plausible. */
static bool json_size(json_t *v, const char *field, struct backup_sample *out)
{
	double d;

	if (!json_is_number(v))
		return false;
	d = json_number_value(v);
	if (!plausible_check(P_BYTES, d, field, NOTE(out)))
		return false;
	out->size = (uint64_t)d;
	out->has_size = true;
	return true;
}

static void set_item(struct backup_sample *out, const char *s)
{
	text_clean(out->item, sizeof(out->item), s ? s : "");
}

int backup_parse_restic(const char *text, size_t len, const char *tag, const char *path,
			struct backup_sample *out)
{
	json_t *root = load_json(text, len), *snap, *newest = NULL;
	double best = 0, t;
	size_t i;
	int n = 0;

	if (!json_is_array(root)) {
		json_decref(root);
		return fail(out, "restic snapshots --json printed no JSON list of snapshots");
	}
	json_array_foreach(root, i, snap) {
		const char *ts = json_string_value(json_object_get(snap, "time"));
		if (!ts || backup_parse_time(ts, &t) < 0)
			continue;
		if (!plausible_check(P_EPOCH, t, "snapshot time", NOTE(out)))
			continue;
		if (tag && *tag && !json_array_has_string(json_object_get(snap, "tags"), tag))
			continue;
		if (path && *path && !json_array_has_string(json_object_get(snap, "paths"), path))
			continue;
		n++;
		if (!newest || t > best) {
			newest = snap;
			best = t;
		}
	}
	out->count = n;
	if (!newest) {
		json_decref(root);
		return fail(out, "no restic snapshot%s%s%s%s", tag && *tag ? " tagged " : "",
			    tag && *tag ? tag : "", path && *path ? " of " : "", path && *path ? path : "");
	}
	out->known = true;
	out->last_at = best;
	set_item(out, json_string_value(json_object_get(newest, "short_id")));
	/* restic >= 0.17 adds a summary; older ones say nothing of the size */
	json_size(json_object_get(json_object_get(newest, "summary"), "total_bytes_processed"),
		  "total_bytes_processed", out);
	json_decref(root);
	return 0;
}

/* The newest backup of one stanza object; returns its stop time or -1. */
static double pgbr_newest(json_t *st, json_t **which, struct backup_sample *out)
{
	json_t *b;
	size_t i;
	double best = -1, t;

	json_array_foreach(json_object_get(st, "backup"), i, b) {
		json_t *stop = json_object_get(json_object_get(b, "timestamp"), "stop");
		if (!json_is_number(stop))
			continue;
		t = json_number_value(stop);
		if (!plausible_check(P_EPOCH, t, "backup stop time", NOTE(out)))
			continue;
		if (json_is_true(json_object_get(b, "error")))
			continue;   /* a backup pgBackRest marks as errored is not good */
		if (t > best) {
			best = t;
			*which = b;
		}
	}
	return best;
}

static void pgbr_size(json_t *b, struct backup_sample *out)
{
	json_t *info = json_object_get(b, "info");
	json_t *sz = json_object_get(json_object_get(info, "repository"), "delta");

	if (!json_is_number(sz))
		sz = json_object_get(info, "size");
	json_size(sz, "backup size", out);
}

int backup_parse_pgbackrest(const char *text, size_t len, const char *stanza,
			    struct backup_sample *out)
{
	json_t *root = load_json(text, len), *st, *found = NULL, *b = NULL;
	size_t i;
	double best;

	if (!json_is_array(root)) {
		json_decref(root);
		return fail(out, "pgbackrest info --output=json printed no JSON list of stanzas");
	}
	json_array_foreach(root, i, st) {
		const char *name = json_string_value(json_object_get(st, "name"));
		if (name && stanza && strcmp(name, stanza) == 0)
			found = st;
	}
	if (!found) {
		json_decref(root);
		return fail(out, "pgbackrest knows no stanza %s", stanza ? stanza : "");
	}
	out->count = (int)json_array_size(json_object_get(found, "backup"));
	best = pgbr_newest(found, &b, out);
	json_t *status = json_object_get(found, "status");
	double dcode = json_number_value(json_object_get(status, "code"));
	long long code = fabs(dcode) < 1e9 ? (long long)dcode : -1;
	const char *msg = json_string_value(json_object_get(status, "message"));
	if (best < 0) {
		int rc = fail(out, "stanza %s has no good backup: %s", stanza,
			      msg ? msg : "no backup listed");
		json_decref(root);
		return rc;
	}
	out->known = true;
	out->last_at = best;
	set_item(out, json_string_value(json_object_get(b, "label")));
	pgbr_size(b, out);
	if (code != 0 && msg) {
		str_fmt(out->warning, sizeof(out->warning), "stanza %s: %s (code %lld)", stanza,
			msg, code);
		str_sanitize(out->warning);
	}
	json_decref(root);
	return 0;
}

/* "KEY MTIME SIZE [COUNT]": -1 when there is no such line, -2 when its
 * numbers are implausible (named in the warning). */
static int file_line(const char *text, const char *key, double *mtime, uint64_t *size,
		     long *count, struct backup_sample *out)
{
	const char *p = text;
	size_t kl = strlen(key);
	double m;
	uint64_t c = 0;
	char *end;
	char field[32];

	for (;;) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			break;
		p = strchr(p, '\n');
		if (!p)
			return -1;
		p++;
	}
	p += kl;
	m = strtod(p, &end);
	if (end == p)
		return -1;
	str_fmt(field, sizeof(field), "%s file's mtime", key);
	if (!plausible_check(P_EPOCH, m, field, NOTE(out)))
		return -2;
	p = end;
	while (*p == ' ')
		p++;
	str_fmt(field, sizeof(field), "%s file's size", key);
	if (!plausible_u64(P_BYTES, p, 1, size, field, NOTE(out)))
		return -2;
	p += strspn(p, "0123456789");
	while (*p == ' ')
		p++;
	if (count) {
		*count = -1;
		if (isdigit((unsigned char)*p) &&
		    plausible_u64(P_COUNT, p, 1, &c, "file count", NOTE(out)))
			*count = (long)c;
	}
	*mtime = m;
	return 0;
}

int backup_parse_file(const char *text, struct backup_sample *out)
{
	double nt, gt;
	uint64_t ns, gs;
	long count;
	const char *name;

	int rc = file_line(text, "newest", &nt, &ns, &count, out);

	if (rc == -2)
		return fail_implausible(out);
	if (rc < 0)
		return fail(out, "could not read the newest file's time and size");
	out->count = (int)count;
	name = strstr(text, "\nname ");
	if (name) {
		char buf[sizeof(out->item)];
		str_copy(buf, name + 6, sizeof(buf));
		buf[strcspn(buf, "\n")] = '\0';
		set_item(out, buf);
	}
	if (ns == 0)
		str_fmt(out->failure, sizeof(out->failure),
			"the newest file %s is empty (0 bytes): the last backup failed", out->item);
	rc = file_line(text, "good", &gt, &gs, NULL, out);
	if (rc == -2)
		return fail_implausible(out);
	if (rc < 0)
		return fail(out, "every matching file is empty (0 bytes): no good backup");
	out->known = true;
	out->last_at = gt;
	out->has_size = true;
	out->size = gs;
	return 0;
}

int backup_parse_command(const char *text, struct backup_sample *out)
{
	char line[128];
	size_t n = strcspn(text, "\n");
	double t;

	if (n >= sizeof(line))
		return fail(out, "the command's first line is not a time (too long)");
	memcpy(line, text, n);
	line[n] = '\0';
	if (backup_parse_time(line, &t) < 0) {
		str_sanitize(line);
		return fail(out, "the command's first line is not an epoch or ISO-8601 time: \"%.60s\"",
			    line);
	}
	/* a time that cannot be is no backup time: unknown, never "fresh" */
	if (!plausible_check(P_EPOCH, t, "the command's time", NOTE(out)))
		return fail_implausible(out);
	out->known = true;
	out->last_at = t;
	return 0;
}

void db_dsn_mask(const char *dsn, char *out, size_t len)
{
	/* libpq's own secret options, masked by the one DSN walker */
	values_dsn_mask(dsn, out, len);
	str_sanitize(out);
}
