/* Requests over a long-lived remote (or local) `sh` reading stdin.
 *
 * Every poll of a host is a script written to the same shell; its output is
 * framed by a marker line carrying a per-shell random token and a sequence
 * number, so a command's output can neither end a request early nor be
 * mistaken for another's. The transport (ssh.c, local.c) only moves bytes
 * through shell_io; everything about requests lives here. */
#ifndef FLEETDECK_SHELL_H
#define FLEETDECK_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "model/model.h"

#define SHELL_AGAIN (-2)   /* would block */
#define SHELL_ERR (-1)     /* the stream broke */
#define SHELL_MAX_OUTPUT (4u << 20)

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

struct shell_req;

struct shell {
	char token[33];
	unsigned seq;
	struct shell_req *head, *tail;   /* head is being sent/answered */
	char *out, *err;
	size_t outlen, outcap, errlen, errcap;
};

void shell_init(struct shell *sh);
/* A fresh channel: new token, buffers cleared (queued requests stay). */
void shell_restart(struct shell *sh);
void shell_submit(struct shell *sh, const char *script, double timeout, shell_cb cb, void *arg);
/* For fleetdeck's own scripts made of shell builtins only, with no exit or
 * cd (the host probe): run in the long-lived shell itself, not a subshell,
 * so a poll costs the host no fork at all. */
void shell_submit_builtins(struct shell *sh, const char *script, double timeout, shell_cb cb,
			   void *arg);
bool shell_busy(const struct shell *sh);
bool shell_wants_write(const struct shell *sh);
/* Moves bytes both ways and completes requests. Returns 0, or -1 when the
 * stream broke (msg says how; the caller tears down and calls shell_fail_all). */
int shell_pump(struct shell *sh, const struct shell_io *io, void *ctx, double now,
	       char *msg, size_t msglen);
/* Deadline of the request in flight, 0 if none. */
double shell_deadline(const struct shell *sh);
/* Fails every queued request with kind/msg (callbacks may submit again). */
void shell_fail_all(struct shell *sh, enum host_conn kind, const char *msg);
void shell_free(struct shell *sh);

#endif
