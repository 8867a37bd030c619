/* An incremental JSON reader for the answers of the Prometheus HTTP API.
 *
 * An answer for 100,000 hosts is tens of MiB: it is never held whole. Bytes
 * are fed as they arrive from the network (prom_stream_feed), and the reader
 * keeps only its position (the open containers, the current key at each
 * level, one string being read), so its memory is a few KiB whatever the
 * size of the answer. It calls back once per scalar and per container
 * begin/end; prom_parse.c turns those into samples. Remote, untrusted input:
 * depth and string lengths are bounded, every byte is checked against the
 * JSON grammar (RFC 8259), and the first error stops the reader. */
#ifndef FLEETDECK_PROM_STREAM_H
#define FLEETDECK_PROM_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#define PJ_MAX_DEPTH 24
#define PJ_KEY_MAX 64          /* keys longer than this are cut (and never match) */
#define PJ_STR_MAX 1024        /* strings longer than this are cut, `cut` is set */

enum pj_event {
	PJ_BEGIN_OBJECT, PJ_END_OBJECT, PJ_BEGIN_ARRAY, PJ_END_ARRAY,
	PJ_STRING, PJ_NUMBER, PJ_TRUE, PJ_FALSE, PJ_NULL,
};

struct pj_level {
	bool object;               /* else an array */
	bool key_cut;              /* the key was longer than PJ_KEY_MAX - 1 */
	char key[PJ_KEY_MAX];      /* objects: the current member's key */
	size_t index;              /* arrays: the current element's index */
	int role;                  /* free for the handler (set on BEGIN) */
};

struct pj;

/* Called for every value. For BEGIN and END events p->depth counts the
 * container itself (its level is p->lv[p->depth - 1]); any value sits in
 * the container p->lv[d], d = depth - 2 for BEGIN/END and depth - 1 for
 * scalars (pj_parent()). text is NUL-terminated for strings and numbers,
 * NULL otherwise; cut: the string was longer than PJ_STR_MAX - 1. */
typedef void (*pj_handler)(void *arg, struct pj *p, enum pj_event ev, const char *text,
			   size_t len, bool cut);

struct pj {
	pj_handler handler;
	void *arg;
	int depth;                 /* open containers */
	struct pj_level lv[PJ_MAX_DEPTH];
	/* lexer state (private) */
	int state, lex;
	bool in_key;
	char buf[PJ_STR_MAX];
	size_t len;
	bool cut;
	unsigned uacc, uhigh;      /* \uXXXX being read, pending high surrogate */
	int udigits;
	size_t offset;             /* bytes consumed */
	char err[96];
};

void pj_init(struct pj *p, pj_handler handler, void *arg);
/* Feeds n more bytes. Returns 0, or -1 once the input is not JSON (err says
 * where and why; later calls keep returning -1). */
int pj_feed(struct pj *p, const char *data, size_t n);
/* The input ended: returns 0 when it held exactly one complete value. */
int pj_finish(struct pj *p);

/* The level of the container holding the current value (see pj_handler). */
static inline struct pj_level *pj_parent(struct pj *p, enum pj_event ev)
{
	int d = p->depth - (ev <= PJ_END_ARRAY ? 2 : 1);
	return d >= 0 ? &p->lv[d] : NULL;
}

#endif
