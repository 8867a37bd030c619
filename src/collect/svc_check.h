/* Service and link checks: the pure parts (parsing `check =`, building the
 * script a host runs for a remote check, reading its answer), shared by
 * collect/services.c and the unit tests. */
#ifndef FLEETDECK_SVC_CHECK_H
#define FLEETDECK_SVC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include "model/services.h"

struct svc_check {
	enum check_kind kind;
	char host[256];              /* tcp, and https (for its certificate) */
	int port;                    /* tcp, and https */
	char url[1024];              /* http(s) */
	bool https;
};

/* Parses "tcp HOST:PORT" ("tcp [v6]:PORT") or "http(s)://...". Returns 0, or
 * -1 with a message in err. */
int svc_check_parse(const char *value, struct svc_check *out, char *err, size_t errlen);

/* The POSIX sh script that runs the check on a host (malloc'd). tcp uses
 * `nc -z -w`, else bash's /dev/tcp under `timeout`; http uses curl. Every
 * configured value is quoted. */
char *svc_remote_script(const struct svc_check *c, double timeout, const char *cafile);

/* Reads the script's answer (stdout, exit status, stderr) into s: ok,
 * http_status, latency, error. expect (may be NULL) must occur in the body. */
void svc_remote_parse(const struct svc_check *c, const char *expect, const char *out,
		      size_t outlen, const char *err, double shell_latency_ms,
		      struct service_sample *s);

/* Judges an HTTP answer: 2xx and expect (if any) in body. Fills ok/error. */
void svc_http_judge(long status, const char *body, size_t len, const char *expect,
		    struct service_sample *s);

#endif
