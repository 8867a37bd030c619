#include "config.h"
#include "out/out.h"
#include "domain/domain.h"
#include "util/util.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

/* --once: a plain fixed-width table, one row per host, then the alerts.
 * Every remote or configured text goes through text_clean() (util/text.h):
 * no control byte (C0, C1, bidi) ever reaches the terminal or the pipe.
 * No colour and ASCII only, so it survives pipes, mail and old terminals.
 * Unknown values print as "-", never as 0. */

#define NAME_MIN 4
#define NAME_MAX 32
#define CELL 48

static const char *host_name(const struct fleet *f, size_t i, char *buf, size_t size)
{
	if (f && i < f->nhosts && f->hosts[i].name) {
		text_clean(buf, size, f->hosts[i].name);
		return buf;
	}
	str_fmt(buf, size, "#%zu", i);
	return buf;
}

static int name_width(const struct fleet *f, const struct snapshot *s)
{
	char name[NAME_MAX + 1];
	int w = NAME_MIN;

	for (size_t i = 0; i < s->nhosts; i++) {
		int len = (int)strlen(host_name(f, i, name, sizeof(name)));
		if (len > w)
			w = len;
	}
	return w;
}

static void cell_load(char *buf, size_t size, const struct host_sample *s)
{
	if (!(s->valid & HV_LOAD))
		str_copy(buf, "-", size);
	else
		str_fmt(buf, size, "%.2f %.2f %.2f", s->load[0], s->load[1], s->load[2]);
}

static void cell_cpu(char *buf, size_t size, const struct host_sample *s)
{
	if (!(s->valid & HV_CPU))
		str_copy(buf, "-", size);
	else
		str_fmt(buf, size, "%.0f%%", s->cpu_pct);
}

static void cell_mem(char *buf, size_t size, const struct host_sample *s)
{
	char avail[16], total[16];

	if (!(s->valid & HV_MEM)) {
		str_copy(buf, "-", size);
		return;
	}
	/* used of total, as the dashboard shows it */
	str_fmt(buf, size, "%s/%s", fmt_bytes(avail, sizeof(avail),
					      (double)(s->mem_total - s->mem_available)),
		fmt_bytes(total, sizeof(total), (double)s->mem_total));
}

static void cell_psi(char *buf, size_t size, const struct host_sample *s)
{
	if (!(s->valid & HV_PSI))
		str_copy(buf, "-", size);
	else
		str_fmt(buf, size, "%.1f", s->psi_some10);
}

/* The fullest readable disk; an unreadable one only when none is readable. */
static void cell_disk(char *buf, size_t size, const struct host_sample *s)
{
	const struct disk_sample *best = NULL, *bad = NULL;
	char mount[64];

	for (int i = 0; (s->valid & HV_DISKS) && i < s->ndisks && i < MODEL_MAX_DISKS; i++) {
		const struct disk_sample *d = &s->disks[i];

		if (!d->valid)
			bad = bad ? bad : d;
		else if (!best || d->used_pct > best->used_pct)
			best = d;
	}
	if (best) {
		text_clean(mount, sizeof(mount), best->mount);
		str_fmt(buf, size, "%.0f%% %s", best->used_pct, mount);
	} else if (bad) {
		text_clean(mount, sizeof(mount), bad->mount);
		str_fmt(buf, size, "? %s", mount);
	} else {
		str_copy(buf, "-", size);
	}
}

static void cell_latency(char *buf, size_t size, const struct host_sample *s)
{
	if (!(s->valid & HV_LATENCY))
		str_copy(buf, "-", size);
	else if (s->latency_ms < 10)
		str_fmt(buf, size, "%.1fms", s->latency_ms);
	else
		str_fmt(buf, size, "%.0fms", s->latency_ms);
}

static void cell_age(char *buf, size_t size, const struct host_eval *ev)
{
	char age[16];

	if (!ev || ev->age < 0)
		str_copy(buf, "never", size);
	else
		str_fmt(buf, size, "%s%s", fmt_age(age, sizeof(age), ev->age),
			ev->stale ? " stale" : "");
}

static void text_header(FILE *fp, const struct fleet *f, const struct snapshot *s,
			const struct evaluation *ev)
{
	char name[NAME_MAX + 1] = "fleet", age[16];

	if (f && f->name)
		text_clean(name, sizeof(name), f->name);
	fprintf(fp, "%s: %s - %zu host%s: %d ok, %d warn, %d crit, %d unknown", name,
		status_name(ev->worst), s->nhosts, s->nhosts == 1 ? "" : "s",
		ev->counts[ST_OK], ev->counts[ST_WARN], ev->counts[ST_CRIT],
		ev->counts[ST_UNKNOWN]);
	if (ev->ntargets)
		fprintf(fp, "; %zu other target%s: %d ok, %d warn, %d crit, %d unknown",
			ev->ntargets, ev->ntargets == 1 ? "" : "s", ev->target_counts[ST_OK],
			ev->target_counts[ST_WARN], ev->target_counts[ST_CRIT],
			ev->target_counts[ST_UNKNOWN]);
	if (ev->oldest_age >= 0)
		fprintf(fp, "; oldest data %s", fmt_age(age, sizeof(age), ev->oldest_age));
	fputs("\n\n", fp);
}

static void text_row(FILE *fp, int nw, const char *name, const struct host_sample *s,
		     const struct host_eval *ev)
{
	char load[CELL], cpu[CELL], mem[CELL], psi[CELL], disk[CELL], lat[CELL], age[CELL];

	cell_load(load, sizeof(load), s);
	cell_cpu(cpu, sizeof(cpu), s);
	cell_mem(mem, sizeof(mem), s);
	cell_psi(psi, sizeof(psi), s);
	cell_disk(disk, sizeof(disk), s);
	cell_latency(lat, sizeof(lat), s);
	cell_age(age, sizeof(age), ev);
	fprintf(fp, "%-7s  %-*.*s  %-14s  %4s  %-11s  %5s  %-14.14s  %7s  %s\n",
		status_name(ev ? ev->status : ST_UNKNOWN), nw, nw, name,
		load, cpu, mem, psi, disk, lat, age);
}

static void text_hosts(FILE *fp, const struct fleet *f, const struct snapshot *s,
		       const struct evaluation *ev)
{
	char name[NAME_MAX + 1];
	int nw = name_width(f, s);

	fprintf(fp, "%-7s  %-*s  %-14s  %4s  %-11s  %5s  %-14s  %7s  %s\n",
		"STATUS", nw, "NAME", "LOAD", "CPU", "MEM USED", "PSI", "DISK", "LATENCY", "AGE");
	for (size_t i = 0; i < s->nhosts; i++)
		text_row(fp, nw, host_name(f, i, name, sizeof(name)), snap_host(s, i),
			 i < ev->nhosts ? &ev->hosts[i] : NULL);
}

static void text_alerts(FILE *fp, const struct evaluation *ev, double now)
{
	char target[96], msg[RULES_TEXT_LEN], age[16];
	int tw = 6;

	if (!ev->nalerts) {
		fputs("\nno alerts\n", fp);
		return;
	}
	/* widths of the text as printed: what the sanitiser drops takes no column */
	for (size_t i = 0; i < ev->nalerts; i++) {
		int len = (int)text_clean(target, sizeof(target), ev->alerts[i].target);
		if (len > tw)
			tw = len;
	}
	fprintf(fp, "\n%-7s  %-*s  %s\n", "ALERT", tw, "TARGET", "PROBLEM");
	for (size_t i = 0; i < ev->nalerts; i++) {
		const struct alert *a = &ev->alerts[i];

		text_clean(target, sizeof(target), a->target);
		text_clean(msg, sizeof(msg), a->message);
		fprintf(fp, "%-7s  %-*s  %s (for %s)\n", status_name(a->severity), tw, target,
			msg, fmt_age(age, sizeof(age), now - a->since));
	}
}

/* Writes buf line by line through the one sanitiser: whatever a domain's
 * section printed, no control, C1 or bidi character reaches fp. */
static void emit_clean(FILE *fp, const char *buf, size_t len)
{
	char *line = xmalloc(len + 1);

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;

		text_clean_n(line, len + 1, buf + at, n);
		fputs(line, fp);
		if (nl)
			fputc('\n', fp);
		at += n + (nl ? 1 : 0);
	}
	free(line);
}

int out_text(FILE *fp, const struct fleet *f, const struct snapshot *s,
	     const struct evaluation *ev, double now)
{
	struct snapshot empty = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		return -1;
	if (!s)
		s = &empty;
	text_header(mem, f, s, ev);
	text_hosts(mem, f, s, ev);
	/* each domain's section, when the fleet has any */
	DOMAINS_FOREACH(d)
		if (d->text)
			d->text(mem, f, s, ev, now);
	text_alerts(mem, ev, now);
	if (fclose(mem) == EOF) {
		free(buf);
		return -1;
	}
	emit_clean(fp, buf, len);
	free(buf);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}
