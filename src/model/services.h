/* Model: [service] checks and [link] checks (issue: GPUs, services, topology). */
#ifndef FLEETDECK_MODEL_SERVICES_H
#define FLEETDECK_MODEL_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

struct service_sample {
	bool collected;
	double sampled_at;
	bool ok;
	int http_status;             /* 0: none (tcp check) */
	double latency_ms;
	double cert_days_left;       /* < 0: no certificate */
	char error[256];
};

struct link_sample {
	bool collected;
	double sampled_at;
	bool ok;
	double latency_ms;
	char error[256];
};

#endif
