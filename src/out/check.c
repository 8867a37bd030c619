#include "config.h"
#include "model/prometheus.h"
#include "out/out.h"
#include "util/util.h"

/* --check: one line in the monitoring-plugin format (Nagios, Icinga,
 * Sensu, ...), exit code from the fleet's worst status.
 *
 *   FLEETDECK CRITICAL - 2 critical, 1 warning, 1 unknown | perfdata
 *   FLEETDECK OK - 6 hosts ok | perfdata
 *
 * Perfdata (label=value[UOM];warn;crit;min;max), always in this order:
 *   hosts_up       hosts whose last probe answered, with fresh data
 *   hosts_ok, hosts_warn, hosts_crit, hosts_unknown
 *                  hosts per status (stale hosts count as unknown, or worse)
 *   hosts_stale    hosts whose data is older than 3 x their interval
 *   alerts         open alerts (one host may have several)
 *   oldest_age     age of the oldest host data in seconds, U when none
 * Host counts have min 0 and max the number of hosts. */

enum { CHECK_OK = 0, CHECK_WARNING = 1, CHECK_CRITICAL = 2, CHECK_UNKNOWN = 3 };

static int check_code(enum status worst)
{
	switch (worst) {
	case ST_OK: return CHECK_OK;
	case ST_WARN: return CHECK_WARNING;
	case ST_CRIT: return CHECK_CRITICAL;
	case ST_UNKNOWN: break;
	}
	return CHECK_UNKNOWN;
}

static const char *check_word(int code)
{
	static const char *const words[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return words[code];
}

static int all(const struct evaluation *ev, enum status st)
{
	return ev->counts[st] + ev->target_counts[st];
}

/* Hosts judged: the model's, and those of [prometheus] sections judged on
 * the server (in counts[], not in the snapshot's hosts). */
static size_t hosts_judged(const struct evaluation *ev)
{
	return (size_t)ev->counts[ST_OK] + (size_t)ev->counts[ST_WARN] +
	       (size_t)ev->counts[ST_CRIT] + (size_t)ev->counts[ST_UNKNOWN];
}

/* "2 critical, 1 warning, 1 unknown": only what is wrong, worst first. */
static void check_summary(FILE *fp, const struct snapshot *s, const struct evaluation *ev)
{
	const char *sep = "";

	(void)s;
	if (ev->worst == ST_OK) {
		size_t n = hosts_judged(ev);
		if (!n)
			fputs("no hosts", fp);
		else
			fprintf(fp, "%zu host%s ok", n, n == 1 ? "" : "s");
		return;
	}
	/* hosts and every other target (databases, backups, ...) together */
	if (all(ev, ST_CRIT)) {
		fprintf(fp, "%d critical", all(ev, ST_CRIT));
		sep = ", ";
	}
	if (all(ev, ST_WARN)) {
		fprintf(fp, "%s%d warning", sep, all(ev, ST_WARN));
		sep = ", ";
	}
	if (all(ev, ST_UNKNOWN))
		fprintf(fp, "%s%d unknown", sep, all(ev, ST_UNKNOWN));
}

static void check_perfdata(FILE *fp, const struct snapshot *s, const struct evaluation *ev)
{
	size_t n = hosts_judged(ev), nm = s ? s->nhosts : 0;
	size_t up = 0, stale = 0;

	for (size_t i = 0; i < nm && i < ev->nhosts; i++) {
		stale += ev->hosts[i].stale;
		up += snap_host(s, i)->conn == HC_OK && snap_host(s, i)->sampled_at > 0 &&
		      !ev->hosts[i].stale;
	}
	/* the hosts of [prometheus] sections judged on the server: --check
	 * reads every one (all[]); up == 1 is a scrape that answered */
	for (size_t i = 0; s && i < snapshot_count(s, DOM_PROMFLEET); i++) {
		const struct prom_fleet *pf = snap_promfleet(s, i);
		for (size_t j = 0; j < pf->nall; j++)
			up += (pf->all[j].have & (1u << PV_UP)) && pf->all[j].v[PV_UP] == 1;
	}
	fprintf(fp, "hosts_up=%zu;;;0;%zu", up, n);
	fprintf(fp, " hosts_ok=%d;;;0;%zu", ev->counts[ST_OK], n);
	fprintf(fp, " hosts_warn=%d;;;0;%zu", ev->counts[ST_WARN], n);
	fprintf(fp, " hosts_crit=%d;;;0;%zu", ev->counts[ST_CRIT], n);
	fprintf(fp, " hosts_unknown=%d;;;0;%zu", ev->counts[ST_UNKNOWN], n);
	fprintf(fp, " hosts_stale=%zu;;;0;%zu", stale, n);
	fprintf(fp, " targets_crit=%d;;;0;%zu", ev->target_counts[ST_CRIT], ev->ntargets);
	fprintf(fp, " targets_warn=%d;;;0;%zu", ev->target_counts[ST_WARN], ev->ntargets);
	fprintf(fp, " alerts=%zu;;;0;", ev->nalerts);
	if (ev->oldest_age >= 0)
		fprintf(fp, " oldest_age=%.1fs;;;0;", ev->oldest_age);
	else
		fputs(" oldest_age=U;;;0;", fp);
}

int out_check(FILE *fp, const struct fleet *f, const struct snapshot *s,
	      const struct evaluation *ev, double now)
{
	int code = check_code(ev->worst);

	(void)f;
	(void)now;
	fprintf(fp, "FLEETDECK %s - ", check_word(code));
	check_summary(fp, s, ev);
	fputs(" | ", fp);
	check_perfdata(fp, s, ev);
	fputc('\n', fp);
	/* a plugin whose output was lost has not told anyone anything */
	if (fflush(fp) == EOF || ferror(fp))
		return CHECK_UNKNOWN;
	return code;
}
