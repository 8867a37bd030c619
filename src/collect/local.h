/* This machine as a host: the same probe and shell framing as over SSH, fed
 * to a long-lived local `sh` child through pipes. */
#ifndef FLEETDECK_LOCAL_H
#define FLEETDECK_LOCAL_H

#include "collect/shell.h"
#include "loop/pollset.h"

struct local_conn;

struct local_conn *local_conn_new(double timeout);
void local_conn_free(struct local_conn *c);
struct shell *local_conn_shell(struct local_conn *c);
/* Starts the shell if needed; -1 while backing off after a failure. */
int local_conn_kick(struct local_conn *c, double now);
void local_conn_prepare(struct local_conn *c, struct pollset *ps, double *deadline);
void local_conn_dispatch(struct local_conn *c, const struct pollset *ps, double now);
const char *local_conn_last_error(const struct local_conn *c);

#endif
