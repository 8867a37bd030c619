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
	double sent_at;          /* 0 until the first byte went out */
	double first_byte_at;
	shell_cb cb;
	void *arg;
	struct shell_req *next;
};

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
	/* a request half-sent to the old channel starts again on the new one */
	if (sh->head) {
		free(sh->head->payload);
		sh->head->payload = NULL;
		sh->head->sent = 0;
		sh->head->sent_at = 0;
		sh->head->first_byte_at = 0;
	}
}

static struct shell_req *submit(struct shell *sh, const char *script, double timeout,
			        shell_cb cb, void *arg)
{
	struct shell_req *r = xcalloc(1, sizeof(*r));

	r->seq = ++sh->seq;
	r->script = xstrdup(script);
	r->timeout = timeout;
	r->cb = cb;
	r->arg = arg;
	if (sh->tail)
		sh->tail->next = r;
	else
		sh->head = r;
	sh->tail = r;
	return r;
}

void shell_submit(struct shell *sh, const char *script, double timeout, shell_cb cb, void *arg)
{
	submit(sh, script, timeout, cb, arg);
}

void shell_submit_builtins(struct shell *sh, const char *script, double timeout, shell_cb cb,
			   void *arg)
{
	submit(sh, script, timeout, cb, arg)->builtins = true;
}

bool shell_busy(const struct shell *sh)
{
	return sh->head != NULL;
}

bool shell_wants_write(const struct shell *sh)
{
	return sh->head && (!sh->head->payload || sh->head->sent < sh->head->len);
}

/* Frames the script with the token of the channel it is sent on. */
static void req_frame(const struct shell *sh, struct shell_req *r)
{
	/* A subshell, so a script's `exit` or `cd` cannot end or change the
	 * long-lived shell (one fork per request, ~1 ms), and stdin from
	 * /dev/null, so no command can eat the next request. */
	if (r->builtins)
		/* our own builtin-only script (no exit, no cd): a brace group
		 * costs the host no process */
		r->payload = xasprintf("{\n%s\n} </dev/null\nprintf '\\n@@FDEND-%s-%u %%s\\n' \"$?\"\n",
				       r->script, sh->token, r->seq);
	else
		r->payload = xasprintf("(\n%s\n) </dev/null\nprintf '\\n@@FDEND-%s-%u %%s\\n' \"$?\"\n",
				       r->script, sh->token, r->seq);
	r->len = strlen(r->payload);
	r->sent = 0;
}

double shell_deadline(const struct shell *sh)
{
	if (!sh->head || sh->head->sent_at == 0)
		return 0;
	return sh->head->sent_at + sh->head->timeout;
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

/* Looks for the head request's end marker; completes it if found. */
static bool try_complete(struct shell *sh)
{
	char marker[96];
	struct shell_req *r = sh->head;
	char *m, *nl, *end;
	long status;
	struct shell_result res;
	size_t mlen, outlen;

	if (!r || !sh->out)
		return false;
	mlen = (size_t)str_fmt(marker, sizeof(marker), "\n@@FDEND-%s-%u ", sh->token, r->seq);
	m = memmem(sh->out, sh->outlen, marker, mlen);
	if (!m)
		return false;
	nl = memchr(m + mlen, '\n', sh->outlen - (size_t)(m - sh->out) - mlen);
	if (!nl)
		return false;
	status = strtol(m + mlen, &end, 10);
	if (end == m + mlen)
		status = -1;
	outlen = (size_t)(m - sh->out);
	sh->out[outlen] = '\0';

	res = (struct shell_result){ 0 };
	res.ok = true;
	res.status = (int)status;
	res.out = sh->out;
	res.outlen = outlen;
	res.err = sh->errlen ? sh->err : "";
	res.errlen = sh->errlen;
	res.latency_ms = (r->first_byte_at - r->sent_at) * 1000.0;
	pop(sh);
	r->cb(r->arg, &res);
	req_free(r);

	/* keep what followed the marker line (normally nothing) */
	{
		size_t rest = sh->outlen - (size_t)(nl + 1 - sh->out);
		memmove(sh->out, nl + 1, rest);
		sh->outlen = rest;
		sh->out[rest] = '\0';
	}
	sh->errlen = 0;
	return true;
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
	char buf[16384];

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
				if (sh->outlen > SHELL_MAX_OUTPUT) {
					str_fmt(msg, msglen, "the remote shell sent more than %u MiB",
						SHELL_MAX_OUTPUT >> 20);
					return -1;
				}
			} else if (sh->errlen < 65536) {
				buf_append(&sh->err, &sh->errlen, &sh->errcap, buf, (size_t)n);
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
			while (try_complete(sh))
				;
			return -1;
		}
		while (try_complete(sh))
			progress = true;
	}
	/* output with no request waiting for it is noise (e.g. a banner) */
	if (!sh->head && sh->outlen > 65536)
		sh->outlen = 0;
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
}

void shell_free(struct shell *sh)
{
	while (sh->head)
		req_free(pop(sh));
	free(sh->out);
	free(sh->err);
	memset(sh, 0, sizeof(*sh));
}
