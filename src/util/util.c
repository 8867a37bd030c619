#include "config.h"
#include "util/util.h"
#include "util/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <ctype.h>
#include <time.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void)) { fatal_hook = hook; }

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook)
		fatal_hook();
	fputs("fleetdeck: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		fatal("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format string");
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

size_t str_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size == 0)
		return len;
	if (len >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
	} else {
		memcpy(dst, src, len + 1);
	}
	return len;
}

int str_fmt(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (size == 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0) {
		dst[0] = '\0';
		return 0;
	}
	return (size_t)n >= size ? (int)size - 1 : n;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);
	return ls >= lf && strcmp(s + ls - lf, suffix) == 0;
}

char *str_sanitize(char *s)
{
	text_clean(s, strlen(s) + 1, s);
	return s;
}

char *str_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

void thread_quiet(const char *name)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
#ifdef __linux__
	prctl(PR_SET_NAME, name);
#else
	(void)name;
#endif
}

double now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parses "<number><unit>" where the number is a non-negative decimal. */
static int parse_scaled(const char *s, double *num, const char **unit)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	*num = v;
	*unit = end;
	return 0;
}

/* Digits of a fixed width; -1 when they are not there. */
static int fixed_digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static int parse_iso8601(const char *s, double *t)
{
	struct tm tm = { 0 };
	double frac = 0;
	long off = 0;
	bool zone = false;
	const char *p = s;
	time_t base;

	tm.tm_year = fixed_digits(&p, 4) - 1900;
	if (*p++ != '-' || (tm.tm_mon = fixed_digits(&p, 2) - 1) < 0 || *p++ != '-' ||
	    (tm.tm_mday = fixed_digits(&p, 2)) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if ((tm.tm_hour = fixed_digits(&p, 2)) < 0 || *p++ != ':' || (tm.tm_min = fixed_digits(&p, 2)) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if ((tm.tm_sec = fixed_digits(&p, 2)) < 0)
			return -1;
		if (*p == '.' || *p == ',') {
			char *end;
			char buf[32];
			str_fmt(buf, sizeof(buf), "0.%.20s", p + 1);
			frac = strtod(buf, &end);
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		zone = true;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, hh, mm = 0;
		if ((hh = fixed_digits(&p, 2)) < 0)
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && (mm = fixed_digits(&p, 2)) < 0)
			return -1;
		off = sign * (hh * 3600L + mm * 60L);
		zone = true;
	}
	if (*p || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	if (zone) {
		base = timegm(&tm);
		base -= off;
	} else {
		tm.tm_isdst = -1;
		base = mktime(&tm);
	}
	if (base == (time_t)-1)
		return -1;
	*t = (double)base + frac;
	return 0;
}

int parse_time(const char *s, double *t)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	if (strlen(s) >= 10 && s[4] == '-')
		return parse_iso8601(s, t);
	v = strtod(s, &end);
	if (*end || !isfinite(v) || v < 0 || !isdigit((unsigned char)*s))
		return -1;
	*t = v;
	return 0;
}

char *format_time_iso(char *buf, size_t size, double t, bool utc)
{
	double whole = floor(t);
	long ms = lround((t - whole) * 1000);
	time_t tt = (time_t)whole;
	struct tm tm;
	char day[24], zone[16] = "Z";

	if (ms >= 1000) {
		tt++;
		ms -= 1000;
	}
	if (!(utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm))) {
		str_copy(buf, "?", size);
		return buf;
	}
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	if (!utc) {
		int off = (int)(labs(tm.tm_gmtoff) / 60 % (24 * 60));
		snprintf(zone, sizeof(zone), "%c%02d:%02d", tm.tm_gmtoff < 0 ? '-' : '+', off / 60, off % 60);
	}
	snprintf(buf, size, "%s.%03ld%s", day, ms, zone);
	return buf;
}

int parse_duration(const char *s, double *seconds)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
		{ "d", 86400 }, { "w", 604800 },
	};
	double v;
	const char *u;

	if (parse_scaled(s, &v, &u) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (strcmp(u, units[i].u) == 0) {
			*seconds = v * units[i].mul;
			return 0;
		}
	}
	return -1;
}

int parse_size(const char *s, int64_t *bytes)
{
	static const struct { const char *u; double mul; } units[] = {
		{ "", 1 }, { "B", 1 },
		{ "K", 1024.0 }, { "KiB", 1024.0 }, { "k", 1024.0 },
		{ "M", 1048576.0 }, { "MiB", 1048576.0 },
		{ "G", 1073741824.0 }, { "GiB", 1073741824.0 },
		{ "T", 1099511627776.0 }, { "TiB", 1099511627776.0 },
	};
	double v;
	const char *u;

	if (parse_scaled(s, &v, &u) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (strcmp(u, units[i].u) == 0) {
			double b = v * units[i].mul;
			if (b > 9.0e18)
				return -1;
			*bytes = (int64_t)b;
			return 0;
		}
	}
	return -1;
}

int parse_bool(const char *s, bool *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int parse_percent(const char *s, double *pct)
{
	double v;
	const char *u;

	if (parse_scaled(s, &v, &u) < 0)
		return -1;
	if (*u && strcmp(u, "%") != 0)
		return -1;
	if (v > 100)
		return -1;
	*pct = v;
	return 0;
}

char *fmt_bytes(char *buf, size_t size, double bytes)
{
	static const char units[] = "BKMGTP";
	int i = 0;

	while (bytes >= 1024 && i < 5) {
		bytes /= 1024;
		i++;
	}
	if (i == 0)
		str_fmt(buf, size, "%.0fB", bytes);
	else if (bytes < 10)
		str_fmt(buf, size, "%.1f%c", bytes, units[i]);
	else
		str_fmt(buf, size, "%.0f%c", bytes, units[i]);
	return buf;
}

char *fmt_age(char *buf, size_t size, double s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		str_fmt(buf, size, "%.0fs", s);
	else if (s < 3600)
		str_fmt(buf, size, "%.0fm", s / 60);
	else if (s < 86400 * 2)
		str_fmt(buf, size, "%.0fh", s / 3600);
	else
		str_fmt(buf, size, "%.0fd", s / 86400);
	return buf;
}

char *path_expand(const char *path)
{
	const char *home;

	if (path[0] != '~' || (path[1] && path[1] != '/'))
		return xstrdup(path);
	home = getenv("HOME");
	if (!home || !*home)
		home = "/";
	return xasprintf("%s%s", home, path + 1);
}

char *path_relative_to(const char *base_file, const char *path)
{
	const char *slash;
	char *expanded = path_expand(path);
	char *joined;

	if (expanded[0] == '/' || !base_file)
		return expanded;
	slash = strrchr(base_file, '/');
	if (!slash)
		return expanded;
	joined = xasprintf("%.*s/%s", (int)(slash - base_file), base_file, expanded);
	free(expanded);
	return joined;
}

static char run_dir[256];
static char run_err[200];
static pthread_once_t run_once = PTHREAD_ONCE_INIT;

static void run_dir_remove(void)
{
	/* sockets are unlinked by their owners; a leftover keeps it (tmpfs) */
	rmdir(run_dir);
}

static void run_dir_make(void)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char tmpl[256];

	if (!base || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077))
		base = "/tmp";     /* no private runtime dir: our own 0700 one in /tmp */
	str_fmt(tmpl, sizeof(tmpl), "%s/fleetdeck.XXXXXX", base);
	if (!mkdtemp(tmpl)) {
		str_fmt(run_err, sizeof(run_err), "cannot make a private directory in %s: %s", base,
			strerror(errno));
		return;
	}
	/* mkdtemp makes it 0700; check rather than trust */
	if (lstat(tmpl, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		str_fmt(run_err, sizeof(run_err), "%s is not a private directory of ours", tmpl);
		return;
	}
	str_copy(run_dir, tmpl, sizeof(run_dir));
	atexit(run_dir_remove);
}

const char *runtime_dir(char *err, size_t errlen)
{
	pthread_once(&run_once, run_dir_make);
	if (!run_dir[0]) {
		str_copy(err, run_err, errlen);
		return NULL;
	}
	return run_dir;
}

char *runtime_socket(int *n, char *err, size_t errlen)
{
	static int seq;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const char *dir = runtime_dir(err, errlen);

	if (!dir)
		return NULL;
	pthread_mutex_lock(&lock);
	*n = 10000 + seq++;
	pthread_mutex_unlock(&lock);
	return xasprintf("%s/.s.PGSQL.%d", dir, *n);
}

void fd_close_from(int lowfd)
{
	struct rlimit rl;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576)
		rl.rlim_cur = 65536;
	for (int fd = lowfd; fd < (int)rl.rlim_cur; fd++)
		close(fd);
}

char *sh_command(const char *cmd)
{
	char *q = sh_quote(cmd ? cmd : ""), *s = xasprintf("sh -c %s", q);

	free(q);
	return s;
}

char *sh_quote(const char *s)
{
	size_t n = 2;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	out = o = xmalloc(n + 1);
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

char *base64_encode(const unsigned char *data, size_t len, bool pad)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((len + 2) / 3 * 4 + 1);
	char *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
		*o++ = tbl[v >> 18 & 63];
		*o++ = tbl[v >> 12 & 63];
		*o++ = tbl[v >> 6 & 63];
		*o++ = tbl[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)data[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)data[i + 1] << 8;
		*o++ = tbl[v >> 18 & 63];
		*o++ = tbl[v >> 12 & 63];
		if (i + 1 < len)
			*o++ = tbl[v >> 6 & 63];
		else if (pad)
			*o++ = '=';
		if (pad)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}
