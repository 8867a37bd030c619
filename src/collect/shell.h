/* Requests over a long-lived remote (or local) `sh` reading stdin.
 *
 * Every poll of a host is a script written to the same shell; its output is
 * framed by a marker line carrying a per-shell random token and a sequence
 * number, so a command's output can neither end a request early nor be
 * mistaken for another's. The transport (ssh.c, local.c) only moves bytes
 * through shell_io; everything about requests lives here.
 *
 * The monitored host is never harmed: each request runs under a deadline
 * kept on the host itself, in a process group of its own (GNU timeout(1):
 * `timeout -k 2 T sh -c SCRIPT`), so a command that hangs (df on a dead NFS
 * mount) is killed there with everything it started, even if fleetdeck is
 * gone; the request then fails ("ran past its N s deadline on the host")
 * and the session stays. Only a host without GNU timeout falls back to a
 * plain subshell, where fleetdeck's own deadline (the request's + grace)
 * rebuilds the session. Each request also has its own output cap: more than
 * that fails the request, never the session. */
#ifndef FLEETDECK_SHELL_H
#define FLEETDECK_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "model/model.h"

#define SHELL_AGAIN (-2)   /* would block */
#define SHELL_ERR (-1)     /* the stream broke */
/* The output cap of a request that names none: far above what a probe, a
 * GPU query or a runner list prints. */
#define SHELL_DEFAULT_OUTPUT ((size_t)1 << 20)
/* How long after its deadline a request may take to come back killed (the
 * host's TERM, then KILL after 2 s) before fleetdeck gives the session up. */
#define SHELL_KILL_GRACE 5.0

struct shell_io {
	/* bytes written, SHELL_AGAIN or SHELL_ERR */
	ssize_t (*write)(void *ctx, const char *buf, size_t len);
	/* stream 0 = stdout, 1 = stderr: bytes read, 0 at EOF, SHELL_AGAIN, SHELL_ERR */
	ssize_t (*read)(void *ctx, int stream, char *buf, size_t len);
};

struct shell_result {
	bool ok;                 /* the request completed; status is its exit code */
	int status;
	const char *out;         /* stdout, NUL-terminated */
	size_t outlen;
	const char *err;         /* stderr seen meanwhile, NUL-terminated */
	size_t errlen;
	double latency_ms;       /* request sent -> first byte of its answer */
	enum host_conn fail;     /* when !ok: why */
	const char *message;     /* when !ok: what to tell the user */
};

typedef void (*shell_cb)(void *arg, const struct shell_result *r);

/* What one request may cost the host and fleetdeck. */
struct shell_limits {
	double timeout;          /* seconds: killed on the host after this */
	size_t max_output;       /* bytes of stdout; 0 = SHELL_DEFAULT_OUTPUT */
	bool builtins;           /* see shell_submit_builtins() */
};

/* The deadline wrapper, defined in every channel: SHELL_RUN " 5 'df -k /'"
 * runs df under the host-side deadline of 5 s, in its own process group;
 * exit status 124 or 137 when it had to be killed. */
#define SHELL_RUN "__fdr"
/* The same for one command given as words, SHELL_RUN_ARGV " 5 df -k '/'":
 * no sh -c in between (one process less on the host). */
#define SHELL_RUN_ARGV "__fdx"
/* A builtins script may leave the end of its output in this variable
 * instead of printing it: it goes out in the same write as the end marker. */
#define SHELL_OUT_VAR "__fdo"
/* What defines SHELL_RUN: sent once per channel, before its first request. */
const char *shell_prelude(void);

struct shell_req;

struct shell {
	char token[33];
	unsigned seq;
	bool prelude_sent;               /* the deadline wrapper is on its way */
	bool ready;                      /* ... and the shell answered it */
	struct shell_req *head, *tail;   /* head is being sent/answered */
	char *out, *err;
	size_t outlen, outcap, errlen, errcap;
	size_t scanned;                  /* out[0..scanned) holds no end marker */
	size_t dropped;                  /* head's bytes over its cap, not kept */
};

void shell_init(struct shell *sh);
/* A fresh channel: new token, buffers cleared (queued requests stay). */
void shell_restart(struct shell *sh);
void shell_submit(struct shell *sh, const char *script, double timeout, shell_cb cb, void *arg);
/* For fleetdeck's own scripts made of shell builtins only, with no exit or
 * cd (the host probe): run in the long-lived shell itself, not a subshell,
 * so a poll costs the host no fork at all. Their stderr is discarded on the
 * host (the answer's err is empty). Such a script runs any external
 * command as SHELL_RUN " SECONDS 'CMD'", to keep the deadline on the host. */
void shell_submit_builtins(struct shell *sh, const char *script, double timeout, shell_cb cb,
			   void *arg);
/* The same with an output cap of its own (a domain that legitimately sends
 * more than SHELL_DEFAULT_OUTPUT, e.g. 120 containers' inspect). */
void shell_submit_limited(struct shell *sh, const char *script, const struct shell_limits *lim,
			  shell_cb cb, void *arg);
/* The framing of one request as sent on the channel (for tests). Malloc'd. */
char *shell_frame(const struct shell *sh, const char *script, double timeout, bool builtins,
		  unsigned seq);
bool shell_busy(const struct shell *sh);
bool shell_wants_write(const struct shell *sh);
/* Moves bytes both ways and completes requests. Returns 0, or -1 when the
 * stream broke (msg says how; the caller tears down and calls shell_fail_all). */
int shell_pump(struct shell *sh, const struct shell_io *io, void *ctx, double now,
	       char *msg, size_t msglen);
/* fleetdeck's deadline of the request in flight, 0 if none: its own, plus
 * SHELL_KILL_GRACE once the shell has answered (the host kills it first);
 * a shell that never answered (a ForceCommand, a banner) gets no grace. */
double shell_deadline(const struct shell *sh);
/* Fails every queued request with kind/msg (callbacks may submit again). */
void shell_fail_all(struct shell *sh, enum host_conn kind, const char *msg);
void shell_free(struct shell *sh);

#endif
