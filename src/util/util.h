/* Small helpers shared by every module: allocation that never returns NULL,
 * time, string copying and the value formats of the fleet file. */
#ifndef FLEETDECK_UTIL_H
#define FLEETDECK_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Called before fatal() exits, so the terminal can be restored first. */
void util_set_fatal_hook(void (*hook)(void));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t size);
/* snprintf that never overflows and never returns more than size-1. */
int str_fmt(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* text_clean() (util/text.h) in place: the one sanitiser of remote text
 * (valid UTF-8, no C0/C1/bidi controls). Returns s. */
char *str_sanitize(char *s);
/* Trims ASCII white space in place; returns s. */
char *str_trim(char *s);

/* Wall clock (Unix seconds) and a monotonic clock, both as doubles. */
/* For a thread of ours that is not the main one: blocks every signal (the
 * main thread receives them) and names it for top -H and make bench. */
void thread_quiet(const char *name);

double now_wall(void);
double now_mono(void);

/* Fleet-file value formats. Each returns 0 on success, -1 on a malformed value. */
int parse_duration(const char *s, double *seconds);  /* 250ms 2s 15m 1h 1d */
int parse_size(const char *s, int64_t *bytes);        /* 512K 2G, plain = bytes */
int parse_bool(const char *s, bool *out);             /* yes/no/true/false/on/off */
int parse_percent(const char *s, double *pct);        /* 90 or 90% */
/* A moment: Unix seconds (1795392540, 1795392540.25) or ISO 8601
 * (2026-11-27T03:12:09Z, +01:00 offsets, a space for the T, seconds and
 * fractions optional; without a zone: local time). */
int parse_time(const char *s, double *t);
/* The same moment back as parse_time reads it, to the millisecond:
 * 2026-11-27T03:12:09.250Z (utc) or 2026-11-27T04:12:09.250+01:00 (local).
 * Returns buf (at least 32 bytes). */
char *format_time_iso(char *buf, size_t size, double t, bool utc);

/* Human formats for views and text output; return buf. */
char *fmt_bytes(char *buf, size_t size, double bytes);     /* 1.5G, 512M */
char *fmt_age(char *buf, size_t size, double seconds);     /* 3s, 4m, 2h, 5d */

/* Expands a leading ~ to $HOME; the result is malloc'd. */
char *path_expand(const char *path);
/* Joins a path relative to the directory of base (if not absolute). */
char *path_relative_to(const char *base_file, const char *path);

/* In a child between fork() and exec(): closes every descriptor from lowfd
 * up (close_range, or one by one up to the descriptor limit), so a child
 * gets only what was dup2()ed to 0-2, whatever another thread opened
 * without O_CLOEXEC meanwhile. Async-signal-safe. */
void fd_close_from(int lowfd);

/* This process's private directory for local sockets (forwards): a fresh
 * 0700 directory of its own under $XDG_RUNTIME_DIR (else /tmp), checked
 * to be ours and private, removed at exit. NULL (err set) when it cannot
 * be made. Thread-safe; made once. */
const char *runtime_dir(char *err, size_t errlen);
/* A new socket path in runtime_dir(): DIR/.s.PGSQL.N with a fresh N, the
 * name libpq looks for with host=DIR port=N. *n gets N. malloc'd. */
char *runtime_socket(int *n, char *err, size_t errlen);

/* Quotes s for POSIX sh inside single quotes: never run remote or
 * configured text unquoted. The result is malloc'd. */
char *sh_quote(const char *s);
/* An operator's command (a fleet-file value such as [runners] list, [key]
 * age, a backup command) as one `sh -c 'CMD'` line: run in its own shell,
 * so an unbalanced quote or an `exit` in it fails that command alone and
 * never the host's long-lived shell the other collectors share. malloc'd. */
char *sh_command(const char *cmd);

/* Standard base64 (no line breaks). Returns malloc'd text. */
char *base64_encode(const unsigned char *data, size_t len, bool pad);

#endif
