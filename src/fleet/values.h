/* Format checks for fleet-file values (values.c). Each check returns NULL
 * when the value is well-formed, else a message saying what was expected;
 * messages never quote the value, which may hold a secret. */
#ifndef FLEETDECK_FLEET_VALUES_H
#define FLEETDECK_FLEET_VALUES_H

#include <stdbool.h>
#include <stddef.h>

/* A whole number from 0 to max. Returns 0, or -1. */
int values_number(const char *s, long max, long *out);
/* The position of value among space-separated choices, or -1. */
int values_enum_index(const char *choices, const char *value);
/* HOST[:PORT] or [V6ADDR]:PORT; *host is malloc'd (NULL on error). */
const char *values_host_port(const char *s, char **host, int *port);
/* http(s)://HOST[:PORT]/..., without a password. */
const char *values_url(const char *s);
/* libpq conninfo or URI; *secret tells whether it holds a value libpq
 * marks as secret (password, sslpassword, ...: PQconndefaults dispchar "*"). */
const char *values_dsn(const char *s, bool *secret);
/* Whether a conninfo keyword (len bytes) is one of libpq's secret options. */
bool values_dsn_secret_key(const char *key, size_t len);
/* The DSN with every secret value (conninfo keyword, URI user-info password
 * or query parameter) replaced by "****", the rest as written; a DSN that
 * does not parse is not shown at all. */
void values_dsn_mask(const char *dsn, char *out, size_t size);
/* The DSN as conninfo without host, hostaddr and port (what a tunnel's
 * host=DIR port=N completes); malloc'd. NULL with err when it does not
 * parse, or when it demands encryption (sslmode=require/verify-*,
 * gssencmode=require), which libpq does not do on a Unix socket. */
char *values_dsn_without_address(const char *dsn, char *err, size_t errlen);
/* A service or link check: http(s)://... or tcp HOST:PORT. */
const char *values_check(const char *s);
/* A runners status; *token_file gets a malloc'd copy of token_file=PATH's
 * PATH, or NULL. */
const char *values_runner_status(const char *s, char **token_file);
/* gpu_fields: FIELD=/pointer pairs; buf holds a composed message. */
const char *values_field_map(const char *s, char *buf, size_t size);

#endif
