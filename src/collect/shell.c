#define _GNU_SOURCE 1  /* memmem */
#include "config.h"
#include "collect/shell.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct shell_req {
	char *script;
	char *payload;           /* framed with the token when sending starts */
	size_t len, sent;
	unsigned seq;
	double timeout;
	bool builtins;           /* run in the shell itself: no subshell fork */
	size_t max_output;
	double sent_at;          /* 0 until the first byte went out */
	double first_byte_at;
	shell_cb cb;
	void *arg;
	struct shell_req *next;
};

/* Defined once per channel, before its first request. __fdr T SCRIPT runs
 * SCRIPT under GNU timeout when the host has it: in a process group of its
 * own (timeout's default), TERM to the whole group at T seconds, KILL 2 s
 * later; stdin from /dev/null so no command can eat the next request. BusyBox'
 * timeout kills only its child, so it is not used: a plain subshell then.
 * __fdx T CMD ARG... the same for one command given as words: no sh -c in
 * between (one exec less). */
static const char prelude[] =
	"__fdg=; case $(timeout --version 2>/dev/null) in *GNU*|*coreutils*) __fdg=1;; esac\n"
	"__fdr() { if [ -n \"$__fdg\" ]; then timeout -k 2 \"$1\" sh -c \"$2\" </dev/null;"
	" else (eval \"$2\") </dev/null; fi; }\n"
	"__fdx() { __fdt=$1; shift; if [ -n \"$__fdg\" ]; then timeout -k 2 \"$__fdt\" \"$@\" </dev/null;"
	" else (\"$@\") </dev/null; fi; }\n";

const char *shell_prelude(void)
{
	return prelude;
}

/* The exit status of GNU timeout when it had to kill (TERM, or KILL after). */
#define TIMEOUT_TERM 124
#define TIMEOUT_KILL 137

static void random_token(char *out, size_t size)
{
	unsigned char raw[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, raw, sizeof(raw)) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(raw)) {
		/* no urandom: still unique enough to frame our own output */
		double t = now_mono();
		memcpy(raw, &t, sizeof(t));
		memcpy(raw + 8, &out, sizeof(out) < 8 ? sizeof(out) : 8);
	}
	for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

void shell_init(struct shell *sh)
{
	memset(sh, 0, sizeof(*sh));
	random_token(sh->token, sizeof(sh->token));
}

void shell_restart(struct shell *sh)
{
	random_token(sh->token, sizeof(sh->token));
	sh->outlen = sh->errlen = 0;
	sh->scanned = sh->dropped = 0;
	sh->prelude_sent = sh->ready = false;
	/* a request half-sent to the old channel starts again on the new one */
	if (sh->head) {
		free(sh->head->payload);
		sh->head->payload = NULL;
		sh->head->sent = 0;
		sh->head->sent_at = 0;
		sh->head->first_byte_at = 0;
	}
}

static struct shell_req *submit(struct shell *sh, const char *script, const struct shell_limits *lim,
			  shell_cb cb, void *arg)
{
	struct shell_req *r = xcalloc(1, sizeof(*r));

	r->seq = ++sh->seq;
	r->script = xstrdup(script);
	r->timeout = lim->timeout > 0 ? lim->timeout : 5;
	r->max_output = lim->max_output ? lim->max_output : SHELL_DEFAULT_OUTPUT;
	r->builtins = lim->builtins;
	r->cb = cb;
	r->arg = arg;
	if (sh->tail)
		sh->tail->next = r;
	else
		sh->head = r;
	sh->tail = r;
	return r;
}

void shell_submit_limited(struct shell *sh, const char *script, const struct shell_limits *lim,
			  shell_cb cb, void *arg)
{
	submit(sh, script, lim, cb, arg);
}

void shell_submit(struct shell *sh, const char *script, double timeout, shell_cb cb, void *arg)
{
	struct shell_limits lim = { .timeout = timeout };

	submit(sh, script, &lim, cb, arg);
}

void shell_submit_builtins(struct shell *sh, const char *script, double timeout, shell_cb cb,
			   void *arg)
{
	struct shell_limits lim = { .timeout = timeout, .builtins = true };

	submit(sh, script, &lim, cb, arg);
}

bool shell_busy(const struct shell *sh)
{
	return sh->head != NULL;
}

bool shell_wants_write(const struct shell *sh)
{
	return sh->head && (!sh->head->payload || sh->head->sent < sh->head->len);
}

char *shell_frame(const struct shell *sh, const char *script, double timeout, bool builtins,
		  unsigned seq)
{
	char *q, *p;

	/* fleetdeck's own builtin-only script (no exit, no cd): a brace group
	 * in the long-lived shell costs the host no process; what it runs
	 * outside the shell goes through __fdr itself (SHELL_RUN). Its stderr
	 * is nobody's (no stderr marker to wait for), and what it left in
	 * SHELL_OUT_VAR goes out with the end marker: one write, one SSH
	 * packet for the whole answer (sshd wakes once, not three times) */
	if (builtins)
		return xasprintf(SHELL_OUT_VAR "=\n{\n%s\n} </dev/null 2>/dev/null\n"
				 "printf '%%s\\n@@FDEND-%s-%u %%s\\n' \"$" SHELL_OUT_VAR "\" \"$?\"\n",
				 script, sh->token, seq);
	/* A shell of its own (sh -c or a subshell), so a script's `exit` or
	 * `cd` cannot end or change the long-lived shell; the end marker
	 * carries the exit status */
	q = sh_quote(script);
	p = xasprintf("__fdr %.3f %s\nprintf '\\n@@FDEND-%s-%u %%s\\n' \"$?\"\n"
		      "printf '\\n@@FDERR-%s-%u\\n' >&2\n",
		      timeout, q, sh->token, seq, sh->token, seq);
	free(q);
	return p;
}

/* Frames the script with the token of the channel it is sent on; the
 * channel's first request brings the wrapper's definition along. */
static void req_frame(struct shell *sh, struct shell_req *r)
{
	char *framed = shell_frame(sh, r->script, r->timeout, r->builtins, r->seq);

	if (!sh->prelude_sent) {
		/* answered with a marker of sequence 0: then the shell is ready */
		r->payload = xasprintf("%sprintf '\\n@@FDEND-%s-0 %%s\\n' \"$?\"\n"
				       "printf '\\n@@FDERR-%s-0\\n' >&2\n%s", prelude,
				       sh->token, sh->token, framed);
		free(framed);
		sh->prelude_sent = true;
	} else {
		r->payload = framed;
	}
	r->len = strlen(r->payload);
	r->sent = 0;
}

double shell_deadline(const struct shell *sh)
{
	if (!sh->head || sh->head->sent_at == 0)
		return 0;
	return sh->head->sent_at + sh->head->timeout + (sh->ready ? SHELL_KILL_GRACE : 0);
}

static struct shell_req *pop(struct shell *sh)
{
	struct shell_req *r = sh->head;

	sh->head = r->next;
	if (!sh->head)
		sh->tail = NULL;
	return r;
}

static void req_free(struct shell_req *r)
{
	free(r->script);
	free(r->payload);
	free(r);
}

static void buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Hands the user what was kept of a big buffer: memory is not held at the
 * size of the largest answer ever seen, on a thousand hosts. */
static void buf_shrink(struct shell *sh)
{
	size_t keep = 65536;

	if (sh->outcap > 4 * keep && sh->outlen < keep) {
		sh->out = xrealloc(sh->out, keep);
		sh->outcap = keep;
	}
}

/* Completes the head request with what came back. */
static void complete(struct shell *sh, struct shell_req *r, long status, size_t outlen,
		     const char *err, size_t errlen, double now)
{
	struct shell_result res = { 0 };
	char why[160];
	double took = now - r->sent_at;

	res.status = (int)status;
	res.out = sh->out;
	res.outlen = outlen;
	res.err = errlen ? err : "";
	res.errlen = errlen;
	res.latency_ms = (r->first_byte_at - r->sent_at) * 1000.0;
	res.ok = true;
	if (sh->dropped) {
		/* the request failed, the session did not: nothing to rebuild */
		res.ok = false;
		res.fail = HC_PROBE;
		str_fmt(why, sizeof(why), "the host sent more than %zu KiB for one request "
			"(its limit): not read", r->max_output >> 10);
		res.message = why;
		res.out = "";
		res.outlen = 0;
	} else if ((status == TIMEOUT_TERM || status == TIMEOUT_KILL) && took >= 0.9 * r->timeout) {
		res.ok = false;
		res.fail = HC_PROBE;
		str_fmt(why, sizeof(why), "ran past its %.0f s deadline on the host and was killed "
			"there (with everything it started)", r->timeout);
		res.message = why;
		res.out = "";   /* half an answer: nothing to read into it */
		res.outlen = 0;
	}
	pop(sh);
	r->cb(r->arg, &res);
	req_free(r);
}

/* Looks for the head request's end marker; completes it if found. Only
 * what arrived since the last look is searched (plus a marker's length),
 * so a big answer costs one pass, not one per chunk. */
/* The prelude's own marker (sequence 0): the shell runs what we send.
 * What came before it (a banner) is dropped. */
static void try_ready(struct shell *sh)
{
	char marker[96];
	size_t mlen;
	char *m, *nl;

	if (sh->ready || !sh->prelude_sent || !sh->out)
		return;
	mlen = (size_t)str_fmt(marker, sizeof(marker), "\n@@FDEND-%s-0 ", sh->token);
	m = memmem(sh->out, sh->outlen, marker, mlen);
	if (!m || !(nl = memchr(m + mlen, '\n', sh->outlen - (size_t)(m - sh->out) - mlen)))
		return;
	sh->ready = true;
	sh->outlen -= (size_t)(nl + 1 - sh->out);
	memmove(sh->out, nl + 1, sh->outlen);
	sh->out[sh->outlen] = '\0';
	sh->scanned = 0;
}

/* The head request's stderr ends at its own marker on stderr: sshd (or a
 * pipe pair) may deliver stdout's end marker before the stderr written
 * just ahead of it, so a request completes only when both arrived, and
 * gets the stderr between the previous marker and its own. At the
 * channel's end (stderr_done) whatever arrived counts. *e and *elen: the
 * request's stderr (NUL-terminated in place); *consumed: up to where the
 * buffer is the request's. */
static bool err_take(struct shell *sh, unsigned seq, bool stderr_done, char **e, size_t *elen,
		     size_t *consumed)
{
	char marker[96], any[80];
	size_t mlen, alen;
	char *m, *start, *p;

	if (!sh->err) {
		if (!stderr_done)
			return false;
		*e = NULL;
		*elen = *consumed = 0;
		return true;
	}
	mlen = (size_t)str_fmt(marker, sizeof(marker), "\n@@FDERR-%s-%u\n", sh->token, seq);
	m = memmem(sh->err, sh->errlen, marker, mlen);
	if (!m && !stderr_done)
		return false;
	if (!m) {
		m = sh->err + sh->errlen;
		*consumed = sh->errlen;
	} else {
		*consumed = (size_t)(m - sh->err) + mlen;
	}
	/* after an earlier marker still here (the prelude's): not this request's */
	alen = (size_t)str_fmt(any, sizeof(any), "\n@@FDERR-%s-", sh->token);
	start = sh->err;
	while ((p = memmem(start, (size_t)(m - start), any, alen)) != NULL) {
		char *nl = memchr(p + alen, '\n', (size_t)(m - (p + alen)));
		if (!nl)
			break;
		start = nl + 1;
	}
	*m = '\0';
	*e = start;
	*elen = (size_t)(m - start);
	return true;
}

static bool try_complete(struct shell *sh, double now, bool stderr_done)
{
	char marker[96];
	struct shell_req *r = sh->head;
	char *m, *nl, *end, *e;
	long status;
	size_t mlen, from, rest, elen, consumed;

	try_ready(sh);
	if (!r || !sh->out)
		return false;
	mlen = (size_t)str_fmt(marker, sizeof(marker), "\n@@FDEND-%s-%u ", sh->token, r->seq);
	from = sh->scanned > mlen + 24 ? sh->scanned - mlen - 24 : 0;
	m = memmem(sh->out + from, sh->outlen - from, marker, mlen);
	if (!m) {
		sh->scanned = sh->outlen;
		return false;
	}
	nl = memchr(m + mlen, '\n', sh->outlen - (size_t)(m - sh->out) - mlen);
	if (!nl) {
		sh->scanned = (size_t)(m - sh->out);
		return false;
	}
	if (r->builtins) {
		e = NULL;
		elen = consumed = 0;
	} else if (!err_take(sh, r->seq, stderr_done, &e, &elen, &consumed)) {
		sh->scanned = (size_t)(m - sh->out);
		return false;
	}
	status = strtol(m + mlen, &end, 10);
	if (end == m + mlen)
		status = -1;
	rest = sh->outlen - (size_t)(nl + 1 - sh->out);
	sh->out[m - sh->out] = '\0';
	complete(sh, r, status, (size_t)(m - sh->out), e, elen, now);

	/* keep what followed the marker lines (normally nothing) */
	memmove(sh->out, nl + 1, rest);
	sh->outlen = rest;
	sh->out[rest] = '\0';
	sh->scanned = 0;
	sh->dropped = 0;
	if (sh->err) {
		sh->errlen -= consumed;
		memmove(sh->err, sh->err + consumed, sh->errlen);
		sh->err[sh->errlen] = '\0';
	}
	buf_shrink(sh);
	return true;
}

/* A request's stderr is kept up to ERR_KEEP bytes, its end (where the
 * marker arrives, and the last line a message is taken from). */
#define ERR_KEEP 65536
static void err_cap(struct shell *sh)
{
	if (sh->errlen <= ERR_KEEP)
		return;
	memmove(sh->err, sh->err + sh->errlen - ERR_KEEP / 2, ERR_KEEP / 2);
	sh->errlen = ERR_KEEP / 2;
	sh->err[sh->errlen] = '\0';
}

/* Over the head request's cap: forget its output but the last bytes, where
 * the end marker may be arriving, and count what was dropped. */
static void over_cap(struct shell *sh)
{
	size_t keep = 256;

	if (!sh->head || sh->outlen <= sh->head->max_output || sh->outlen <= keep)
		return;
	sh->dropped += sh->outlen - keep;
	memmove(sh->out, sh->out + sh->outlen - keep, keep);
	sh->outlen = keep;
	sh->out[keep] = '\0';
	sh->scanned = 0;
}

static int pump_write(struct shell *sh, const struct shell_io *io, void *ctx, double now,
		      char *msg, size_t msglen)
{
	while (shell_wants_write(sh)) {
		struct shell_req *r = sh->head;
		ssize_t n;
		if (!r->payload)
			req_frame(sh, r);
		n = io->write(ctx, r->payload + r->sent, r->len - r->sent);
		if (n == SHELL_AGAIN)
			return 0;
		if (n < 0) {
			str_fmt(msg, msglen, "writing to the remote shell failed");
			return -1;
		}
		if (r->sent_at == 0)
			r->sent_at = now;
		r->sent += (size_t)n;
	}
	return 0;
}

static int pump_read(struct shell *sh, const struct shell_io *io, void *ctx, double now,
		     char *msg, size_t msglen, bool *progress)
{
	char buf[65536];

	for (int stream = 0; stream < 2; stream++) {
		for (;;) {
			ssize_t n = io->read(ctx, stream, buf, sizeof(buf));
			if (n == SHELL_AGAIN)
				break;
			if (n == 0 && stream == 0) {
				str_fmt(msg, msglen, "the remote shell exited%s%.120s",
					sh->errlen ? ": " : "", sh->errlen ? sh->err : "");
				return -1;
			}
			if (n <= 0) {
				if (n == 0)
					break;
				str_fmt(msg, msglen, "reading from the remote shell failed");
				return -1;
			}
			*progress = true;
			if (stream == 0) {
				if (sh->head && sh->head->first_byte_at == 0)
					sh->head->first_byte_at = now;
				buf_append(&sh->out, &sh->outlen, &sh->outcap, buf, (size_t)n);
				/* complete as we go: a cap applies to one request only */
				while (try_complete(sh, now, false))
					;
				over_cap(sh);
			} else {
				buf_append(&sh->err, &sh->errlen, &sh->errcap, buf, (size_t)n);
				err_cap(sh);
			}
		}
	}
	return 0;
}

int shell_pump(struct shell *sh, const struct shell_io *io, void *ctx, double now,
	       char *msg, size_t msglen)
{
	bool progress = true;

	while (progress) {
		progress = false;
		if (pump_write(sh, io, ctx, now, msg, msglen) < 0)
			return -1;
		if (pump_read(sh, io, ctx, now, msg, msglen, &progress) < 0) {
			/* an answer that arrived whole before EOF still counts */
			while (try_complete(sh, now, true))
				;
			return -1;
		}
		while (try_complete(sh, now, false))
			progress = true;
	}
	/* output with no request waiting for it is noise (e.g. a banner) */
	if (!sh->head && sh->outlen > 65536) {
		sh->outlen = sh->scanned = 0;
		buf_shrink(sh);
	}
	return 0;
}

void shell_fail_all(struct shell *sh, enum host_conn kind, const char *msg)
{
	struct shell_req *list = sh->head;

	/* detach first: callbacks may submit new requests */
	sh->head = sh->tail = NULL;
	while (list) {
		struct shell_req *r = list;
		struct shell_result res = { 0 };
		list = r->next;
		res.fail = kind;
		res.message = msg;
		res.out = sh->outlen ? sh->out : "";
		res.outlen = sh->outlen;
		res.err = sh->errlen ? sh->err : "";
		res.errlen = sh->errlen;
		r->cb(r->arg, &res);
		req_free(r);
	}
	sh->outlen = sh->errlen = 0;
	sh->scanned = sh->dropped = 0;
	buf_shrink(sh);
}

void shell_free(struct shell *sh)
{
	while (sh->head)
		req_free(pop(sh));
	free(sh->out);
	free(sh->err);
	memset(sh, 0, sizeof(*sh));
}
