#include "config.h"
#include "collect/probe.h"
#include "collect/plausible.h"
#include "collect/shell.h"
#include "util/util.h"
#include "util/text.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The probe costs the host no process on a regular poll: sh builtins only
 * (`read` from /proc, `case`, string concatenation), run in the long-lived
 * shell itself (shell_submit_builtins: no subshell), and its output goes
 * out with the request's end marker (SHELL_OUT_VAR: one write, one SSH
 * packet). Every section starts with
 * an "@name" line. dash's `read` takes a byte per syscall, so what is read
 * is what it costs: each file is read only up to the line wanted. What
 * changes slowly is read at its own cadence (the caller picks the parts):
 * swap, the per-CPU lines (up to the first line that is not a CPU's) and
 * oom_kill (a walk over most of /proc/vmstat) with PROBE_SLOW; disks (df:
 * the one process) only with PROBE_DISKS. What changes only with a reboot
 * (btime, after /proc/stat's long intr line, and the kernel release) is
 * read by the first slow probe of each shell, that is of each session (a
 * reboot ends it), or again with PROBE_BOOT; the shell remembers it in
 * __fdb. A section or line left out keeps its previous value. */
static const char probe_head[] =
	"o=@uptime\n"
	"read -r l </proc/uptime && o=\"$o\n$l\"\n"
	"o=\"$o\n@loadavg\"\n"
	"read -r l </proc/loadavg && o=\"$o\n$l\"\n"
	"o=\"$o\n@meminfo\"\n"
	/* MemAvailable is the third line: stop there (swap is a slow part) */
	"while read -r k v u; do case $k in MemTotal:|SwapTotal:|SwapFree:) o=\"$o\n$k $v\";; "
	"MemAvailable:) o=\"$o\n$k $v\"; break;; esac; done </proc/meminfo\n"
	"o=\"$o\n@psi\"\n"
	"[ -r /proc/pressure/memory ] && while read -r l; do o=\"$o\n$l\"; done </proc/pressure/memory\n";
/* the first line of /proc/stat only: the CPU totals */
static const char probe_stat_fast[] =
	"o=\"$o\n@stat\"\n"
	"read -r l </proc/stat && o=\"$o\n$l\"\n";
static const char probe_slow[] =
	"o=\"$o\n@meminfo\"\n"
	"while read -r k v u; do case $k in SwapTotal:) o=\"$o\n$k $v\";; "
	"SwapFree:) o=\"$o\n$k $v\"; break;; esac; done </proc/meminfo\n"
	"o=\"$o\n@stat\"\n"
	/* the CPUs' lines come first: stop after them, unless btime is wanted */
	"while read -r k r; do case $k in cpu) o=\"$o\ncpu $r\";; cpu[0-9]*) o=\"$o\nc\";; "
	"btime) o=\"$o\nbtime $r\"; break;; *) [ -z \"$__fdb\" ] || break;; esac; done </proc/stat\n"
	"o=\"$o\n@vmstat\"\n"
	"while read -r k v; do [ \"$k\" = oom_kill ] && { o=\"$o\n$k $v\"; break; }; done </proc/vmstat\n"
	"[ -n \"$__fdb\" ] || { o=\"$o\n@kernel\"; "
	"read -r l </proc/sys/kernel/osrelease && o=\"$o\n$l\"; }\n"
	"__fdb=1\n";
/* PROBE_BOOT: btime and the kernel release again, in this shell too */
static const char probe_boot[] = "__fdb=\n";
/* the answer goes out with the request's end marker (collect/shell.h) */
static const char probe_tail[] = SHELL_OUT_VAR "=\"$o\n@end\n\"\n";

/* A df's deadline on the host: the host's timeout, at least 1 s. */
static double df_deadline(const struct fleet_host *h)
{
	double t = h && h->timeout > 0 ? h->timeout : 5;

	return t < 1 ? 1 : t;
}

char *probe_script(const struct fleet_host *h, unsigned parts)
{
	size_t cap = sizeof(probe_head) + sizeof(probe_boot) + sizeof(probe_slow) + sizeof(probe_tail) + 64;
	char *s;
	int ndisks = h && h->ndisks > 0 ? h->ndisks : 1;

	for (int i = 0; i < ndisks; i++)
		cap += 4 * strlen(h && h->ndisks > 0 ? h->disks[i] : "/") * 4 + 160;
	s = xmalloc(cap);
	strcpy(s, probe_head);
	if ((parts & PROBE_SLOW) && (parts & PROBE_BOOT))
		strcat(s, probe_boot);
	strcat(s, parts & PROBE_SLOW ? probe_slow : probe_stat_fast);
	if (!(parts & PROBE_DISKS)) {
		strcat(s, probe_tail);
		return s;
	}
	/* what was gathered, then one df per watched mount (quoted), under the
	 * deadline kept on the host: a df hung on a dead mount is killed there
	 * with its children, and says so */
	strcat(s, "printf '%s\\n' \"$o\"\n");
	for (int i = 0; i < ndisks; i++) {
		char *q = sh_quote(h && h->ndisks > 0 ? h->disks[i] : "/");
		size_t len = strlen(s);
		str_fmt(s + len, cap - len, "printf '@disk %%s\\n' %s; " SHELL_RUN_ARGV " %.0f df -P -k -- %s 2>&1; "
			"case $? in 124|137) echo @df-hung;; esac\n", q, df_deadline(h), q);
		free(q);
	}
	strcat(s, "echo @end\n");
	return s;
}

/* A cursor over the output's lines. */
struct lines {
	const char *p, *end;
};

static bool lines_next(struct lines *ls, const char **line, size_t *len)
{
	const char *nl;

	if (ls->p >= ls->end)
		return false;
	nl = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
	*line = ls->p;
	*len = nl ? (size_t)(nl - ls->p) : (size_t)(ls->end - ls->p);
	ls->p = nl ? nl + 1 : ls->end;
	return true;
}

/* Copies a line into a bounded, NUL-terminated buffer. */
static void line_copy(char *buf, size_t size, const char *line, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
}

/* Every number below is checked against collect/plausible.h: a refused
 * one leaves its field invalid and is named in s->implausible. */
#define NOTE(s) (s)->implausible, sizeof((s)->implausible)

static void parse_uptime(struct host_sample *s, const char *l)
{
	double up;

	if (sscanf(l, "%lf", &up) == 1 && plausible_check(P_SECONDS, up, "uptime", NOTE(s))) {
		s->uptime_s = up;
		s->valid |= HV_UPTIME;
	}
}

static void parse_loadavg(struct host_sample *s, const char *l)
{
	double a, b, c;

	if (sscanf(l, "%lf %lf %lf", &a, &b, &c) == 3 &&
	    plausible_check(P_LOAD, a, "load1", NOTE(s)) &&
	    plausible_check(P_LOAD, b, "load5", NOTE(s)) &&
	    plausible_check(P_LOAD, c, "load15", NOTE(s))) {
		s->load[0] = a;
		s->load[1] = b;
		s->load[2] = c;
		s->valid |= HV_LOAD;
	}
}

/* "cpu user nice system idle iowait irq softirq steal ..." */
static void parse_stat_cpu(struct host_sample *s, const char *l)
{
	uint64_t v[10] = { 0 };
	int n = 0;
	const char *p = l + 3;
	uint64_t total = 0, idle;

	while (n < 10) {
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		/* ticks: 2^53 is 2.8 million years of 100 Hz on 1000 cores */
		if (!plausible_u64(P_COUNTER, p, 1, &v[n], "/proc/stat cpu", NOTE(s)) ||
		    v[n] > (1ull << 53))
			return;
		n++;
		p += strspn(p, "0123456789");
	}
	if (n < 4)
		return;
	/* guest and guest_nice are already counted in user and nice */
	for (int i = 0; i < n && i < 8; i++)
		total += v[i];
	idle = v[3] + (n > 4 ? v[4] : 0);
	s->cpu_total = total;
	s->cpu_busy = total - idle;
}

static void parse_meminfo(struct host_sample *s, const char *l, unsigned *seen)
{
	static const struct { const char *key; enum plaus kind; } keys[] = {
		{ "MemTotal:", P_RAM }, { "MemAvailable:", P_BYTES },
		{ "SwapTotal:", P_BYTES }, { "SwapFree:", P_BYTES },
	};
	uint64_t *const dst[] = { &s->mem_total, &s->mem_available, &s->swap_total, &s->swap_used };
	char key[32], field[48];
	const char *sp = strchr(l, ' ');

	if (!sp || (size_t)(sp - l) >= sizeof(key))
		return;
	line_copy(key, sizeof(key), l, (size_t)(sp - l));
	for (unsigned i = 0; i < ARRAY_LEN(keys); i++) {
		if (strcmp(key, keys[i].key) != 0)
			continue;
		str_fmt(field, sizeof(field), "%.*s (kB)", (int)strlen(key) - 1, key);
		/* SwapFree goes into swap_used for now, fixed below */
		if (plausible_u64(keys[i].kind, sp + 1, 1024, dst[i], field, NOTE(s)))
			*seen |= 1u << i;
	}
}

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" */
static void parse_psi(struct host_sample *s, const char *l, unsigned *seen)
{
	double v;
	const char *a = strstr(l, "avg10=");

	if (!a || sscanf(a + 6, "%lf", &v) != 1 ||
	    !plausible_check(P_PERCENT, v, "memory pressure avg10", NOTE(s)))
		return;
	if (str_starts(l, "some ")) {
		s->psi_some10 = v;
		*seen |= 1;
	} else if (str_starts(l, "full ")) {
		s->psi_full10 = v;
		*seen |= 2;
	}
}

/* df -P -k: "Filesystem 1024-blocks Used Available Capacity Mounted-on".
 * "-1" or 2^70 blocks is no disk: the mount stays unreadable, never 100 %. */
static void parse_df(struct host_sample *s, struct disk_sample *d, const char *l)
{
	static const char *const cols[] = { "1024-blocks", "Used", "Available" };
	uint64_t v[3];
	char fs[256], field[96];
	int off = 0;

	if (str_starts(l, "Filesystem"))
		return;
	if (strcmp(l, "@df-hung") == 0) {
		d->hung = true;
		return;
	}
	if (sscanf(l, "%255s %n", fs, &off) != 1 || off == 0)
		return;
	l += off;
	/* "df: /x: No such file or directory": no numbers, nothing to refuse */
	if (!strchr("0123456789-+", *l) || !*l)
		return;
	for (int i = 0; i < 3; i++) {
		while (*l == ' ' || *l == '\t')
			l++;
		str_fmt(field, sizeof(field), "disk %s %s", d->mount, cols[i]);
		if (!plausible_u64(P_BYTES, l, 1024, &v[i], field, NOTE(s)))
			return;
		l += strcspn(l, " \t");
	}
	d->size = v[0];
	d->used = v[1];
	d->used_pct = v[1] + v[2] ? 100.0 * (double)v[1] / ((double)v[1] + (double)v[2]) : 0;
	d->valid = true;
}

enum section { SEC_NONE, SEC_UPTIME, SEC_LOADAVG, SEC_STAT, SEC_MEMINFO, SEC_PSI,
	       SEC_VMSTAT, SEC_KERNEL, SEC_DISK, SEC_END };

static enum section section_of(const char *l)
{
	static const struct { const char *name; enum section sec; } tbl[] = {
		{ "@uptime", SEC_UPTIME }, { "@loadavg", SEC_LOADAVG }, { "@stat", SEC_STAT },
		{ "@meminfo", SEC_MEMINFO }, { "@psi", SEC_PSI }, { "@vmstat", SEC_VMSTAT },
		{ "@kernel", SEC_KERNEL }, { "@end", SEC_END },
	};
	for (size_t i = 0; i < ARRAY_LEN(tbl); i++)
		if (strcmp(l, tbl[i].name) == 0)
			return tbl[i].sec;
	if (str_starts(l, "@disk "))
		return SEC_DISK;
	return SEC_NONE;
}

/* A poll without the slow parts (PROBE_SLOW, PROBE_DISKS) keeps what the
 * last one that had them read. */
static void keep_slow_parts(const struct host_sample *prev, struct host_sample *s,
			    unsigned sections, bool saw_cores, unsigned mem_seen)
{
	if (!prev)
		return;
	if (!(mem_seen & 12) && (prev->valid & HV_SWAP)) {
		s->swap_total = prev->swap_total;
		s->swap_used = prev->swap_used;
		s->valid |= HV_SWAP;
	}
	if (!saw_cores && (prev->valid & HV_CORES)) {
		s->cores = prev->cores;
		s->boot_time = prev->boot_time;
		s->valid |= HV_CORES;
	}
	if (!(sections & (1u << SEC_VMSTAT)) && (prev->valid & HV_OOM)) {
		s->oom_kills = prev->oom_kills;
		s->valid |= HV_OOM;
	}
	if (!(sections & (1u << SEC_KERNEL)) && (prev->valid & HV_KERNEL)) {
		memcpy(s->kernel, prev->kernel, sizeof(s->kernel));
		s->valid |= HV_KERNEL;
	}
	if (!(sections & (1u << SEC_DISK)) && (prev->valid & HV_DISKS)) {
		s->ndisks = prev->ndisks;
		memcpy(s->disks, prev->disks, sizeof(s->disks));
	}
}

static void compute_cpu(const struct host_sample *prev, struct host_sample *s)
{
	uint64_t dt, db;

	if (!prev || prev->cpu_total == 0 || s->cpu_total <= prev->cpu_total ||
	    s->cpu_busy < prev->cpu_busy)
		return;
	dt = s->cpu_total - prev->cpu_total;
	db = s->cpu_busy - prev->cpu_busy;
	if (db > dt)
		return;
	s->cpu_pct = 100.0 * (double)db / (double)dt;
	s->valid |= HV_CPU;
}

int probe_parse(const char *out, size_t len, const struct host_sample *prev,
		struct host_sample *s, char *err, size_t errlen)
{
	struct lines ls = { out, out + len };
	const char *line;
	size_t llen;
	enum section sec = SEC_NONE;
	unsigned mem_seen = 0, psi_seen = 0, sections = 0;
	int cores = 0;
	struct disk_sample *disk = NULL;
	bool ended = false;
	char buf[512];

	s->valid &= HV_LATENCY;
	s->ndisks = 0;
	s->cpu_busy = s->cpu_total = 0;
	s->implausible[0] = '\0';
	while (lines_next(&ls, &line, &llen)) {
		enum section next;

		line_copy(buf, sizeof(buf), line, llen);
		if (buf[0] == '@' && (next = section_of(buf)) != SEC_NONE) {
			sec = next;
			sections |= 1u << sec;
			disk = NULL;
			if (sec == SEC_END) {
				ended = true;
				break;
			}
			if (sec == SEC_DISK && s->ndisks < MODEL_MAX_DISKS) {
				disk = &s->disks[s->ndisks++];
				memset(disk, 0, sizeof(*disk));
				str_copy(disk->mount, buf + 6, sizeof(disk->mount));
			}
			continue;
		}
		switch (sec) {
		case SEC_UPTIME: parse_uptime(s, buf); break;
		case SEC_LOADAVG: parse_loadavg(s, buf); break;
		case SEC_STAT:
			if (strcmp(buf, "c") == 0) {
				cores++;
			} else if (str_starts(buf, "cpu ")) {
				parse_stat_cpu(s, buf);
			} else if (str_starts(buf, "btime ")) {
				uint64_t bt;
				if (plausible_u64(P_EPOCH, buf + 6, 1, &bt, "btime", NOTE(s)))
					s->boot_time = (double)bt;
			}
			break;
		case SEC_MEMINFO: parse_meminfo(s, buf, &mem_seen); break;
		case SEC_PSI: parse_psi(s, buf, &psi_seen); break;
		case SEC_VMSTAT:
			if (str_starts(buf, "oom_kill ") &&
			    plausible_u64(P_COUNTER, buf + 9, 1, &s->oom_kills, "oom_kill", NOTE(s)))
				s->valid |= HV_OOM;
			break;
		case SEC_KERNEL:
			if (buf[0]) {
				/* a lying host's kernel is remote text like any other */
				text_clean(s->kernel, sizeof(s->kernel), buf);
				s->valid |= HV_KERNEL;
			}
			break;
		case SEC_DISK:
			if (disk)
				parse_df(s, disk, buf);
			break;
		case SEC_NONE:
		case SEC_END:
			break;
		}
	}
	if (!ended || !(sections & (1u << SEC_UPTIME)) || !(sections & (1u << SEC_MEMINFO))) {
		const char *what = !ended ? "truncated" : "incomplete";
		char shown[48];
		size_t n = 0;
		for (size_t i = 0; i < len && n < sizeof(shown) - 1; i++)
			shown[n++] = isprint((unsigned char)out[i]) ? out[i] : '.';
		shown[n] = '\0';
		if (len == 0)
			str_fmt(err, errlen, "probe printed nothing: is the login shell a POSIX sh?");
		else
			str_fmt(err, errlen, "probe output %s or not from the probe (starts \"%s\")",
				what, shown);
		s->valid &= HV_LATENCY;
		return -1;
	}
	if (cores > 0) {
		s->cores = cores;
		s->valid |= HV_CORES;
	}
	keep_slow_parts(prev, s, sections, cores > 0, mem_seen);
	if ((mem_seen & 3) == 3 && s->mem_available <= s->mem_total)
		s->valid |= HV_MEM;
	if ((mem_seen & 12) == 12 && s->swap_used <= s->swap_total) {
		s->swap_used = s->swap_total - s->swap_used;
		s->valid |= HV_SWAP;
	}
	if ((psi_seen & 3) == 3)
		s->valid |= HV_PSI;
	if (s->ndisks > 0)
		s->valid |= HV_DISKS;
	compute_cpu(prev, s);
	return 0;
}
