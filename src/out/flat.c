#include "config.h"
#include "out/flat.h"
#include "out/domains.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The exports' tables are each domain's (.export in its row: its kinds,
 * each with its families; out/flat.h says how to write one). The host's
 * and its disks' are here, as the "hosts" array is json.c's. Adding a
 * number to the exports is one row of its kind's families. */

static const struct flat_family host_families[] = {
	FLAT("host_status", "", "status", 1, FH_STATUS, "Status of the host (1 for the current one): ok, warn, crit or unknown (stale counts unknown)."),
	FLAT("host_up", "", "reachable", 1, FH_BOOL, "1 when the host answered its last probe over SSH (or locally)."),
	FLAT("host_sampled_timestamp_seconds", "seconds", "sampled_at", 1, FH_NUMBER, "Unix time of the host's newest good sample."),
	FLAT("host_latency_seconds", "seconds", "latency_ms", FLAT_MS, FH_NUMBER, "Round trip of the last probe request."),
	{ "fleetdeck_host_load1", "", "load.0", 1, FH_NUMBER, "Load average over 1 minute.", "load1" },
	{ "fleetdeck_host_load5", "", "load.1", 1, FH_NUMBER, "Load average over 5 minutes.", "load5" },
	{ "fleetdeck_host_load15", "", "load.2", 1, FH_NUMBER, "Load average over 15 minutes.", "load15" },
	FLAT("host_cpu_busy_ratio", "ratio", "cpu_pct", FLAT_PCT, FH_NUMBER, "Share of CPU time busy since the previous probe (/proc/stat deltas)."),
	FLAT("host_cores", "", "cores", 1, FH_NUMBER, "CPU cores."),
	FLAT("host_memory_total_bytes", "bytes", "mem_total", 1, FH_NUMBER, "MemTotal."),
	FLAT("host_memory_available_bytes", "bytes", "mem_available", 1, FH_NUMBER, "MemAvailable."),
	FLAT("host_memory_reserve_bytes", "bytes", "ram_reserve", 1, FH_NUMBER, "Free memory that must stay available (ram_reserve)."),
	FLAT("host_swap_used_bytes", "bytes", "swap_used", 1, FH_NUMBER, "Swap in use."),
	FLAT("host_memory_pressure_some_ratio", "ratio", "psi_mem_some_avg10", FLAT_PCT, FH_NUMBER, "Memory PSI some avg10 (/proc/pressure/memory)."),
	FLAT("host_memory_pressure_full_ratio", "ratio", "psi_mem_full_avg10", FLAT_PCT, FH_NUMBER, "Memory PSI full avg10 (/proc/pressure/memory)."),
	FLAT("host_oom_kills", "", "oom_kills", 1, FH_NUMBER, "OOM kills since the host booted (/proc/vmstat oom_kill; cumulative)."),
	FLAT("host_uptime_seconds", "seconds", "uptime_s", 1, FH_NUMBER, "Time since boot."),
};
const struct flat_kind flat_host = {
	"host", "hosts", NULL, { "host" }, { "name" }, NULL,
	FLAT_FAMILIES(host_families)
};

static const struct flat_family disk_families[] = {
	FLAT("disk_size_bytes", "bytes", "size", 1, FH_NUMBER, "Size of a watched mount."),
	FLAT("disk_used_bytes", "bytes", "used", 1, FH_NUMBER, "Space used on a watched mount."),
	FLAT("disk_used_ratio", "ratio", "used_pct", FLAT_PCT, FH_NUMBER, "Share of a watched mount used."),
};
const struct flat_kind flat_disk = {
	"disk", "disks", &flat_host, { "mount" }, { "mount" }, ":",
	FLAT_FAMILIES(disk_families)
};

const char *const flat_statuses[4] = { "ok", "warn", "crit", "unknown" };

json_t *flat_get(json_t *obj, const char *path)
{
	char part[64];

	while (obj && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (json_is_array(obj)) {
			char *end;
			long i = strtol(part, &end, 10);
			obj = *end || i < 0 ? NULL : json_array_get(obj, (size_t)i);
		} else {
			obj = json_object_get(obj, part);
		}
		path += n + (path[n] == '.');
	}
	return obj;
}

bool flat_value(const struct flat_family *fam, json_t *obj, double *v)
{
	json_t *j = flat_get(obj, fam->field);

	switch (fam->how) {
	case FH_BOOL:
		if (!json_is_boolean(j))
			return false;
		*v = json_is_true(j);
		return true;
	case FH_NUMBER:
		if (!json_is_number(j))
			return false;
		*v = json_number_value(j) * fam->scale;
		return isfinite(*v);
	case FH_STATUS:
		break;
	}
	return false;
}

/* A label value as text: strings as they are (JSON strings are UTF-8),
 * numbers printed; "" when absent. */
static void label_text(char *buf, size_t size, json_t *j)
{
	if (json_is_string(j))
		str_copy(buf, json_string_value(j), size);
	else if (json_is_integer(j))
		str_fmt(buf, size, "%lld", (long long)json_integer_value(j));
	else
		buf[0] = '\0';
}

static void elem_name(struct flat_elem *e, const struct flat_kind *fk, json_t *obj)
{
	for (int l = 0; l < 2 && fk->label[l] && e->nlabels < 4; l++) {
		e->lname[e->nlabels] = fk->label[l];
		label_text(e->lvalue[e->nlabels], sizeof(e->lvalue[0]), json_object_get(obj, fk->field[l]));
		e->nlabels++;
	}
}

/* The target as alerts name it: "host/black", "container/black/web",
 * "link/vps-0->black". */
static void elem_target(struct flat_elem *e, const struct flat_kind *fk)
{
	size_t n = (size_t)str_fmt(e->target, sizeof(e->target), "%s", fk->kind);

	for (int l = 0; l < e->nlabels && n < sizeof(e->target); l++)
		n += (size_t)str_fmt(e->target + n, sizeof(e->target) - n, "%s%s",
				     l == e->nlabels - 1 && fk->sep ? fk->sep : "/",
				     e->lvalue[l]);
}

static void elem_call(const struct flat_kind *fk, json_t *holder, json_t *obj,
		      flat_elem_fn fn, void *ctx)
{
	struct flat_elem e;

	memset(&e, 0, sizeof(e));
	e.obj = obj;
	if (fk->parent)
		elem_name(&e, fk->parent, holder);
	elem_name(&e, fk, obj);
	elem_target(&e, fk);
	fn(ctx, &e);
}

void flat_part(const struct flat_kind *fk, const char *key, json_t *v, flat_elem_fn fn,
	       void *ctx)
{
	size_t i;
	json_t *obj;

	if (!fk->parent) {
		if (strcmp(key, fk->array) == 0)
			elem_call(fk, NULL, v, fn, ctx);
		return;
	}
	if (strcmp(key, fk->parent->array) != 0)
		return;
	json_array_foreach(json_object_get(v, fk->array), i, obj)
		elem_call(fk, v, obj, fn, ctx);
}
