#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "collect/gpu_parse.h"
#include "collect/plausible.h"
#include "util/util.h"
#include "util/text.h"

#define MIB 1048576.0
#define QUERY_FIELDS 9   /* index,uuid,name,util,mem.used,mem.total,temp,power,limit */
#define APPS_FIELDS 4    /* gpu_uuid,pid,process_name,used_memory */

#define STR_(x) #x
#define STR(x) STR_(x)

/* No `exit`: the script runs inside the host's long-lived shell. */
static const char nvidia_script[] =
	"if command -v nvidia-smi >/dev/null 2>&1; then\n"
	" if command -v timeout >/dev/null 2>&1; then fd_t='timeout " STR(GPU_SMI_TIMEOUT) "'; else fd_t=; fi\n"
	" echo @@GPUS\n"
	" $fd_t nvidia-smi --query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total,"
	"temperature.gpu,power.draw,power.limit --format=csv,noheader,nounits 2>&1\n"
	" fd_rc=$?\n"
	" echo \"@@RC $fd_rc\"\n"
	" if [ \"$fd_rc\" = 0 ]; then\n"
	"  echo @@APPS\n"
	"  fd_apps=$($fd_t nvidia-smi --query-compute-apps=gpu_uuid,pid,process_name,used_memory"
	" --format=csv,noheader,nounits 2>&1)\n"
	"  fd_arc=$?\n"
	"  printf '%s\\n' \"$fd_apps\"\n"
	"  echo \"@@RC $fd_arc\"\n"
	/* which container each process runs in: its cgroup path tells; the
	 * pid is checked to be digits before it goes into a path */
	"  echo @@CGROUPS\n"
	"  printf '%s\\n' \"$fd_apps\" | while IFS=', ' read -r fd_u fd_pid fd_rest; do\n"
	"   case $fd_pid in ''|*[!0-9]*) continue;; esac\n"
	"   while read -r fd_l; do echo \"$fd_pid $fd_l\"; done </proc/$fd_pid/cgroup 2>/dev/null\n"
	"  done\n"
	"  echo '@@RC 0'\n"
	" fi\n"
	"else\n"
	" echo @@NOSMI\n"
	"fi\n";

const char *gpu_nvidia_script(void)
{
	return nvidia_script;
}

/* A number, or false for "[N/A]", "[Not Supported]", "[Unknown Error]",
 * empty or anything else that is not entirely a number. */
static bool num_parse(const char *s, double *out)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '[')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		return false;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

/* Splits a line whose middle field (a name) may contain commas: `before`
 * fields, the name, then `after` fields. Returns false if too few fields. */
static bool csv_split_name(char *line, char **f, int before, int after)
{
	char *p;
	int i;

	for (i = 0; i < before; i++) {
		p = strchr(line, ',');
		if (!p)
			return false;
		*p = '\0';
		f[i] = str_trim(line);
		line = p + 1;
	}
	for (i = 0; i < after; i++) {
		p = strrchr(line, ',');
		if (!p)
			return false;
		*p = '\0';
		f[before + after - i] = str_trim(p + 1);
	}
	f[before] = str_trim(line);
	return true;
}

static void error_note(struct host_gpus *hg, const char *line)
{
	if (hg->error[0] || !*line)
		return;
	text_clean(hg->error, sizeof(hg->error), line);
}

/* A number of the query, checked against its kind's bounds: an
 * implausible one stays n/a and is named in g->implausible. */
static void set_num(struct gpu_sample *g, unsigned bit, const char *s, double *dst,
		    enum plaus kind, const char *field)
{
	double v;

	if (!num_parse(s, &v))
		return;
	if (!plausible_check(kind, v, field, g->implausible, sizeof(g->implausible)))
		return;
	*dst = v;
	g->valid |= bit;
}

/* MiB from nvidia-smi, bytes in the model: checked before the cast, which
 * is undefined for a double beyond the integer's range. */
static bool mib_to_bytes(double mib, uint64_t *out, const char *field, char *note, size_t size)
{
	char text[40];

	if (!plausible(P_BYTES, mib * MIB)) {
		str_fmt(text, sizeof(text), "%.6g MiB", mib);
		plausible_note_text(P_BYTES, text, strlen(text), field, note, size);
		return false;
	}
	*out = (uint64_t)(mib * MIB);
	return true;
}

static void set_mem(struct gpu_sample *g, unsigned bit, const char *s, uint64_t *dst,
		    const char *field)
{
	double v;

	if (num_parse(s, &v) && mib_to_bytes(v, dst, field, g->implausible, sizeof(g->implausible)))
		g->valid |= bit;
}

/* One GPU line; false if it is not one (error text). */
static bool query_line(char *line, struct gpu_sample *g)
{
	char *f[QUERY_FIELDS];
	double idx;

	if (!csv_split_name(line, f, 2, QUERY_FIELDS - 3))
		return false;
	if (!num_parse(f[0], &idx) || idx < 0 || idx > 1e6 || idx != floor(idx))
		return false;
	memset(g, 0, sizeof(*g));
	g->index = (int)idx;
	text_clean(g->uuid, sizeof(g->uuid), f[1]);
	if (*f[2] && *f[2] != '[') {
		text_clean(g->name, sizeof(g->name), f[2]);
		g->valid |= GV_NAME;
	}
	set_num(g, GV_UTIL, f[3], &g->util_pct, P_PERCENT, "utilization.gpu");
	set_mem(g, GV_MEM_USED, f[4], &g->mem_used, "memory.used");
	set_mem(g, GV_MEM_TOTAL, f[5], &g->mem_total, "memory.total");
	set_num(g, GV_TEMP, f[6], &g->temp_c, P_TEMP_C, "temperature.gpu");
	set_num(g, GV_POWER, f[7], &g->power_w, P_WATTS, "power.draw");
	set_num(g, GV_POWER_LIMIT, f[8], &g->power_limit_w, P_WATTS, "power.limit");
	return true;
}

/* Calls fn on each line of text (a private copy, so lines can be cut). */
static void lines_each(const char *text, void (*fn)(char *line, void *arg), void *arg)
{
	char *copy = xstrdup(text ? text : ""), *p = copy, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*str_trim(p))
			fn(p, arg);
		if (!nl)
			break;
		p = nl + 1;
	}
	free(copy);
}

static void query_cb(char *line, void *arg)
{
	struct host_gpus *hg = arg;
	char keep[256];

	str_copy(keep, line, sizeof(keep));
	if (hg->n >= MODEL_MAX_GPUS)
		return;
	if (query_line(line, &hg->g[hg->n]))
		hg->n++;
	else
		error_note(hg, keep);
}

int gpu_parse_query(const char *csv, struct host_gpus *hg)
{
	hg->n = 0;
	hg->error[0] = '\0';
	lines_each(csv, query_cb, hg);
	for (int i = 0; i < hg->n; i++)
		hg->g[i].valid |= GV_PROCS;
	return hg->n;
}

static struct gpu_sample *gpu_by_uuid(struct host_gpus *hg, const char *uuid)
{
	for (int i = 0; i < hg->n; i++)
		if (hg->g[i].uuid[0] && strcmp(hg->g[i].uuid, uuid) == 0)
			return &hg->g[i];
	/* one GPU and no usable UUID (MIG devices): it must be that one */
	return hg->n == 1 ? &hg->g[0] : NULL;
}

static void apps_cb(char *line, void *arg)
{
	struct host_gpus *hg = arg;
	char *f[APPS_FIELDS];
	struct gpu_sample *g;
	struct gpu_proc *p;
	double pid, mem;

	if (!csv_split_name(line, f, 2, APPS_FIELDS - 3))
		return;   /* "No running processes found" and the like */
	if (!num_parse(f[1], &pid) || pid <= 0 || pid > 4194304)
		return;
	g = gpu_by_uuid(hg, f[0]);
	if (!g)
		return;
	g->nprocs_total++;
	if (g->nprocs >= MODEL_MAX_GPU_PROCS)
		return;
	p = &g->procs[g->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = (int)pid;
	text_clean(p->name, sizeof(p->name), f[2]);
	if (num_parse(f[3], &mem))
		p->mem_valid = mib_to_bytes(mem, &p->mem, "used_memory", g->implausible,
					    sizeof(g->implausible));
}

void gpu_parse_apps(const char *csv, struct host_gpus *hg)
{
	for (int i = 0; i < hg->n; i++) {
		hg->g[i].nprocs = 0;
		hg->g[i].nprocs_total = 0;
	}
	lines_each(csv, apps_cb, hg);
}

/* The engine's container id in a cgroup path, as Docker (v1 "/docker/ID",
 * v2 "docker-ID.scope"), Podman ("libpod-ID.scope", "/libpod/ID"),
 * containerd and CRI-O write it: the first 12 of its 64 hex digits. */
static bool cgroup_container_id(const char *path, char *id, size_t idlen)
{
	static const char *const marks[] = {
		"docker-", "/docker/", "libpod-", "/libpod/", "cri-containerd-", "crio-",
	};
	for (size_t i = 0; i < ARRAY_LEN(marks); i++) {
		const char *p = strstr(path, marks[i]);
		size_t n = 0;
		if (!p)
			continue;
		p += strlen(marks[i]);
		while (isxdigit((unsigned char)p[n]))
			n++;
		if (n < 12)
			continue;
		str_copy(id, p, idlen < 13 ? idlen : 13);
		return true;
	}
	return false;
}

/* The systemd service of a cgroup path ("/system.slice/model-boss.service"):
 * a GPU process outside containers is usually a service. */
static bool cgroup_unit(const char *path, char *unit, size_t size)
{
	const char *end = strstr(path, ".service"), *start;

	if (!end)
		return false;
	start = end;
	while (start > path && start[-1] != '/')
		start--;
	end += strlen(".service");
	if ((size_t)(end - start) >= size || end == start)
		return false;
	memcpy(unit, start, (size_t)(end - start));
	unit[end - start] = '\0';
	return true;
}

/* "PID cgroup-line": tags the GPU processes with that pid. */
static void cgroups_cb(char *line, void *arg)
{
	struct host_gpus *hg = arg;
	char *sp = strchr(line, ' '), id[16];
	long pid;

	if (!sp)
		return;
	*sp = '\0';
	char unit[48] = "";
	bool ctr;

	pid = strtol(line, NULL, 10);
	if (pid <= 0)
		return;
	ctr = cgroup_container_id(sp + 1, id, sizeof(id));
	if (!ctr && !cgroup_unit(sp + 1, unit, sizeof(unit)))
		return;
	str_sanitize(unit);
	for (int i = 0; i < hg->n; i++)
		for (int k = 0; k < hg->g[i].nprocs; k++) {
			struct gpu_proc *p = &hg->g[i].procs[k];
			if (p->pid != pid)
				continue;
			/* a container wins over the service that runs its engine */
			if (ctr) {
				str_copy(p->container, id, sizeof(p->container));
				p->unit[0] = '\0';
			} else if (!p->unit[0] && !p->container[0]) {
				str_copy(p->unit, unit, sizeof(p->unit));
			}
		}
}

void gpu_parse_cgroups(const char *text, struct host_gpus *hg)
{
	lines_each(text, cgroups_cb, hg);
}

/* The text of section `tag` ("@@GPUS\n") up to the next "@@" line, and the
 * exit status on its "@@RC n" line (-1 if missing). malloc'd or NULL. */
static char *section_get(const char *out, const char *tag, int *rc)
{
	const char *p = strstr(out, tag), *end, *r;

	*rc = -1;
	if (!p || (p != out && p[-1] != '\n'))
		return NULL;
	p += strlen(tag);
	if (str_starts(p, "@@RC ")) {
		end = p;
		r = p + 5;
	} else {
		end = strstr(p, "\n@@RC ");
		if (!end)
			return xstrdup(p);
		r = end + 6;
	}
	*rc = atoi(r);
	return xstrndup(p, (size_t)(end - p));
}

static int smi_failed(struct host_gpus *hg, int rc, const char *text)
{
	char first[200] = "";
	const char *nl;

	if (text) {
		while (*text == '\n')
			text++;
		nl = strchr(text, '\n');
		str_copy(first, text, nl && (size_t)(nl - text) < sizeof(first) ?
			 (size_t)(nl - text) + 1 : sizeof(first));
		str_sanitize(str_trim(first));
	}
	if (rc == 124)
		str_fmt(hg->error, sizeof(hg->error), "nvidia-smi did not answer within %d s "
			"(is the driver hung?)", GPU_SMI_TIMEOUT);
	else if (first[0])
		str_fmt(hg->error, sizeof(hg->error), "nvidia-smi failed (exit %d): %s", rc, first);
	else
		str_fmt(hg->error, sizeof(hg->error), "nvidia-smi failed (exit %d) without a message", rc);
	hg->n = 0;
	return -1;
}

int gpu_parse_nvidia_output(const char *out, struct host_gpus *hg)
{
	char *gpus, *apps;
	int rc, arc;

	hg->absent = false;
	hg->n = 0;
	hg->error[0] = '\0';
	if (strstr(out, "@@NOSMI") == out || strstr(out, "\n@@NOSMI")) {
		hg->absent = true;
		return 0;
	}
	gpus = section_get(out, "@@GPUS\n", &rc);
	if (!gpus) {
		str_copy(hg->error, "the GPU query printed something unexpected", sizeof(hg->error));
		return -1;
	}
	if (rc != 0) {
		smi_failed(hg, rc, gpus);
		free(gpus);
		return -1;
	}
	gpu_parse_query(gpus, hg);
	free(gpus);
	apps = section_get(out, "@@APPS\n", &arc);
	if (apps && arc == 0)
		gpu_parse_apps(apps, hg);
	else
		for (int i = 0; i < hg->n; i++)
			hg->g[i].valid &= ~(unsigned)GV_PROCS;
	free(apps);
	apps = section_get(out, "@@CGROUPS\n", &arc);
	if (apps)
		gpu_parse_cgroups(apps, hg);
	free(apps);
	return 0;
}

/* --- http-json ------------------------------------------------------------ */

/* RFC 6901: "" is the whole document, "/a/0/b~1c" walks objects and arrays. */
static json_t *json_pointer(json_t *doc, const char *ptr)
{
	char tok[128];
	size_t n;

	if (!ptr || !*ptr)
		return doc;
	if (*ptr != '/')
		return NULL;
	while (doc && *ptr == '/') {
		ptr++;
		n = 0;
		while (*ptr && *ptr != '/' && n + 1 < sizeof(tok)) {
			if (ptr[0] == '~' && (ptr[1] == '0' || ptr[1] == '1')) {
				tok[n++] = ptr[1] == '0' ? '~' : '/';
				ptr += 2;
				continue;
			}
			tok[n++] = *ptr++;
		}
		tok[n] = '\0';
		if (json_is_object(doc)) {
			doc = json_object_get(doc, tok);
		} else if (json_is_array(doc)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);
			doc = (*tok && !*end) ? json_array_get(doc, i) : NULL;
		} else {
			doc = NULL;
		}
	}
	return doc;
}

static bool json_num(json_t *v, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return isfinite(*out);
	}
	return json_is_string(v) && num_parse(json_string_value(v), out);
}

struct field_map {
	const char *name;
	char *ptr;
};

enum { F_LIST, F_INDEX, F_NAME, F_UTIL, F_MEM_USED, F_MEM_TOTAL, F_TEMP, F_POWER,
       F_POWER_LIMIT, F__COUNT };

static const char *const field_names[F__COUNT] = {
	"list", "index", "name", "util", "mem_used", "mem_total", "temp", "power", "power_limit",
};

/* Fills ptr[] from "list=/gpus util=/u ..."; unknown fields are ignored (the
 * fleet file validator reports them). */
static void fields_parse(const char *fields, char **ptr)
{
	char *copy = xstrdup(fields ? fields : ""), *save = NULL, *w;

	for (w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		char *eq = strchr(w, '=');
		if (!eq)
			continue;
		*eq = '\0';
		for (int k = 0; k < F__COUNT; k++)
			if (strcmp(w, field_names[k]) == 0 && !ptr[k])
				ptr[k] = xstrdup(eq + 1);
	}
	free(copy);
}

static void json_field(json_t *gpu, const char *ptr, struct gpu_sample *g, unsigned bit,
		       double *dst, enum plaus kind, const char *field)
{
	double v;

	if (ptr && json_num(json_pointer(gpu, ptr), &v) &&
	    plausible_check(kind, v, field, g->implausible, sizeof(g->implausible))) {
		*dst = v;
		g->valid |= bit;
	}
}

static void json_mem(json_t *gpu, const char *ptr, struct gpu_sample *g, unsigned bit,
		     uint64_t *dst, const char *field)
{
	double v;

	if (ptr && json_num(json_pointer(gpu, ptr), &v) &&
	    plausible_check(P_BYTES, v, field, g->implausible, sizeof(g->implausible))) {
		*dst = (uint64_t)v;
		g->valid |= bit;
	}
}

static void json_gpu(json_t *gpu, char **ptr, int pos, struct gpu_sample *g)
{
	json_t *name = ptr[F_NAME] ? json_pointer(gpu, ptr[F_NAME]) : NULL;
	double idx;

	memset(g, 0, sizeof(*g));
	g->index = pos;
	if (ptr[F_INDEX] && json_num(json_pointer(gpu, ptr[F_INDEX]), &idx) &&
	    idx >= 0 && idx < 1e6)
		g->index = (int)idx;
	if (json_is_string(name)) {
		text_clean(g->name, sizeof(g->name), json_string_value(name));
		g->valid |= GV_NAME;
	}
	json_field(gpu, ptr[F_UTIL], g, GV_UTIL, &g->util_pct, P_PERCENT, "util");
	json_mem(gpu, ptr[F_MEM_USED], g, GV_MEM_USED, &g->mem_used, "mem_used");
	json_mem(gpu, ptr[F_MEM_TOTAL], g, GV_MEM_TOTAL, &g->mem_total, "mem_total");
	json_field(gpu, ptr[F_TEMP], g, GV_TEMP, &g->temp_c, P_TEMP_C, "temp");
	json_field(gpu, ptr[F_POWER], g, GV_POWER, &g->power_w, P_WATTS, "power");
	json_field(gpu, ptr[F_POWER_LIMIT], g, GV_POWER_LIMIT, &g->power_limit_w, P_WATTS,
		   "power_limit");
}

int gpu_parse_json(const char *text, size_t len, const char *fields, struct host_gpus *hg)
{
	char *ptr[F__COUNT] = { 0 };
	json_error_t jerr;
	json_t *doc, *list;
	int rc = 0;

	hg->absent = false;
	hg->n = 0;
	hg->error[0] = '\0';
	doc = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
	if (!doc) {
		str_fmt(hg->error, sizeof(hg->error), "the GPU metrics are not JSON (%s)", jerr.text);
		str_sanitize(hg->error);
		return -1;
	}
	fields_parse(fields, ptr);
	list = ptr[F_LIST] ? json_pointer(doc, ptr[F_LIST]) : doc;
	if (ptr[F_LIST] && !json_is_array(list)) {
		str_fmt(hg->error, sizeof(hg->error), "no GPU list at %s in the metrics", ptr[F_LIST]);
		str_sanitize(hg->error);
		rc = -1;
	} else if (json_is_array(list)) {
		for (size_t i = 0; i < json_array_size(list) && hg->n < MODEL_MAX_GPUS; i++)
			if (json_is_object(json_array_get(list, i)))
				json_gpu(json_array_get(list, i), ptr, (int)i, &hg->g[hg->n++]);
	} else if (json_is_object(list)) {
		json_gpu(list, ptr, 0, &hg->g[hg->n++]);
	} else {
		str_copy(hg->error, "the GPU metrics are not a JSON object or array", sizeof(hg->error));
		rc = -1;
	}
	for (int k = 0; k < F__COUNT; k++)
		free(ptr[k]);
	json_decref(doc);
	return rc;
}
