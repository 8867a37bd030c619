/* Model: [service] checks and [link] checks (issue 5: GPUs, services,
 * topology). Index i is the i-th [service] / [link] section in file order. */
#ifndef FLEETDECK_MODEL_SERVICES_H
#define FLEETDECK_MODEL_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

enum check_kind { CHECK_NONE, CHECK_HTTP, CHECK_TCP };

/* One check result; services and links share it. */
struct service_sample {
	bool collected;              /* a check is configured and has a result */
	enum check_kind kind;
	double sampled_at;           /* wall time of the newest result */
	double interval;
	double timeout;              /* a check may take this long: staleness allows it */
	bool ok;
	int http_status;             /* 0: none (tcp check, or no answer) */
	bool latency_valid;
	double latency_ms;
	double cert_days_left;       /* < 0: no certificate / unknown */
	bool remote;                 /* ran on a host over SSH (from =, links) */
	char error[256];             /* why the check failed, "" when ok */
};

/* A link's check has the same shape; it runs from the link's first end. */
struct link_sample {
	struct service_sample c;
};

#endif
