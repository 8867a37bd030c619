/* make bench (model and screen part, issue #9): what the model costs per
 * host, and what one frame costs, on a synthetic fleet in one process.
 *
 *   model_bench bytes            model bytes per host: bare, with 10
 *                                containers, with 2 GPUs
 *   model_bench rss N            RSS after N bare hosts are published,
 *                                snapshotted, judged and drawn once
 *   model_bench frames N TICKS [CHANGING]
 *                                CPU per frame with CHANGING (default 1 %)
 *                                of the N hosts changing per tick: snapshot, rules, draw,
 *                                present (to /dev/null, as xterm-256color);
 *                                hosts are polled every 60 s, so none turns
 *                                stale during the run
 *
 * The samples are made up (what a probe would publish); the code that
 * stores, copies, judges and draws them is fleetdeck's own. */
#include "config.h"
#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"
#include "ui/present.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <time.h>
#include <unistd.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	if (fp)
		fclose(fp);
	return kib;
}

/* A fleet of n hosts, "h00000".., as the parser would leave it (built
 * directly: a fleet file stops at 10,000 sections). */
static void fleet_make(struct fleet *f, size_t n)
{
	static char slash[] = "/";

	memset(f, 0, sizeof(*f));
	f->name = xstrdup("bench");
	f->interval = 60;
	f->timeout = 5;
	f->hosts = xcalloc(n, sizeof(*f->hosts));
	f->nhosts = n;
	for (size_t i = 0; i < n; i++) {
		struct fleet_host *h = &f->hosts[i];
		char name[16];

		str_fmt(name, sizeof(name), "h%05zu", i);
		h->name = xstrdup(name);
		h->local = true;
		h->jump_index = -1;
		h->ram_reserve = -1;
		h->containers = CONT_AUTO;
		h->gpus = GPUS_AUTO;
		h->disks[0] = slash;
		h->ndisks = 1;
		h->interval = 60;
		h->timeout = 5;
		h->prometheus = -1;
	}
}

static void fleet_drop(struct fleet *f)
{
	for (size_t i = 0; i < f->nhosts; i++)
		free(f->hosts[i].name);
	free(f->hosts);
	free(f->name);
}

static struct host_sample sample(double now, unsigned seed)
{
	struct host_sample s = { 0 };

	s.conn = HC_OK;
	s.sampled_at = now;
	s.attempted_at = now;
	s.interval = 60;
	s.rounds = 10;
	s.valid = HV_LATENCY | HV_LOAD | HV_CPU | HV_CORES | HV_MEM | HV_SWAP | HV_PSI |
		  HV_OOM | HV_UPTIME | HV_KERNEL | HV_DISKS;
	s.latency_ms = 1 + seed % 7;
	s.load[0] = s.load[1] = s.load[2] = (double)(seed % 400) / 100;
	s.cpu_pct = seed % 100;
	s.cores = 8;
	s.mem_total = 32ull << 30;
	s.mem_available = (8ull + seed % 16) << 30;
	s.swap_total = 4ull << 30;
	s.psi_some10 = (double)(seed % 50) / 10;
	s.uptime_s = 86400;
	s.boot_time = now - 86400;
	str_copy(s.kernel, "6.1.0-13-amd64", sizeof(s.kernel));
	s.ndisks = 1;
	str_copy(s.disks[0].mount, "/", sizeof(s.disks[0].mount));
	s.disks[0].valid = true;
	s.disks[0].size = 100ull << 30;
	s.disks[0].used = (20ull + seed % 60) << 30;
	s.disks[0].used_pct = 20 + seed % 60;
	return s;
}

/* What a host with no engine and no nvidia-smi publishes for them. */
static void publish_bare(struct model *m, size_t i, double now, unsigned seed)
{
	struct host_sample s = sample(now, seed);
	struct host_containers hc = { .collected = true, .sampled_at = now, .interval = 60,
				      .err = CE_NO_ENGINE };
	struct host_gpus hg = { .collected = true, .absent = true, .sampled_at = now,
				.interval = 60 };

	str_copy(hc.error, "no container engine (no socket at /var/run/docker.sock)",
		 sizeof(hc.error));
	model_publish_host(m, i, &s);
	model_put(m, DOM_CONTAINER, i, &hc, host_containers_size(&hc));
	model_put(m, DOM_GPU, i, &hg, host_gpus_size(&hg));
}

static size_t bytes_per_host(struct model *m, size_t n)
{
	return model_bytes(m, DOM__COUNT) / n;
}

static int cmd_bytes(void)
{
	struct fleet f;
	struct model m;
	struct host_containers hc = { .collected = true, .n = 10, .total = 10 };
	struct host_gpus hg = { .collected = true, .n = 2, .source = GPU_SRC_NVIDIA };
	size_t n = 1000, bare;
	double now = now_wall();

	fleet_make(&f, n);
	model_init_fleet(&m, &f);
	for (size_t i = 0; i < n; i++)
		publish_bare(&m, i, now, (unsigned)i);
	bare = bytes_per_host(&m, n);
	printf("model bytes per host: bare %zu", bare);
	for (size_t i = 0; i < n; i++)
		model_put(&m, DOM_CONTAINER, i, &hc, host_containers_size(&hc));
	printf(", with 10 containers %zu", bytes_per_host(&m, n));
	for (size_t i = 0; i < n; i++)
		model_put(&m, DOM_GPU, i, &hg, host_gpus_size(&hg));
	printf(", with 10 containers and 2 GPUs %zu\n", bytes_per_host(&m, n));
	printf("before (every host, whatever it has): %zu = host_sample %zu + host_containers %zu"
	       " + host_gpus %zu\n",
	       sizeof(struct host_sample) + sizeof(struct host_containers) + sizeof(struct host_gpus),
	       sizeof(struct host_sample), sizeof(struct host_containers), sizeof(struct host_gpus));
	model_free(&m);
	fleet_drop(&f);
	return 0;
}

struct world {
	struct fleet f;
	struct model m;
	struct snapshot snap;
	struct rules_state rs;
	struct evaluation ev;
	struct cells cells;
	struct ui_state st;
	struct presenter pr;
	struct theme theme;
};

static void world_init(struct world *w, size_t n, int cols, int rows)
{
	double now = now_wall();
	char err[256];
	int fd = open("/dev/null", O_WRONLY), e;

	memset(w, 0, sizeof(*w));
	fleet_make(&w->f, n);
	model_init_fleet(&w->m, &w->f);
	for (size_t i = 0; i < n; i++)
		publish_bare(&w->m, i, now, (unsigned)i);
	rules_state_init(&w->rs, n);
	w->ev.ages_on_read = true;      /* as the dashboard (ui.c) */
	cells_init(&w->cells, cols, rows, false);
	ui_state_init(&w->st, NULL, false, now);
	present_init(&w->pr);
	w->pr.fd = fd;
	if (setupterm("xterm-256color", fd, &e) != OK)
		setupterm("xterm", fd, &e);
	if (theme_load(NULL, &w->theme, err, sizeof(err)) < 0)
		theme_mono(&w->theme);
	present_colors(&w->pr, &w->theme, false);
}

struct split {
	double snap, rules, draw, present;
};

static void frame(struct world *w, struct split *t)
{
	struct ui_ctx u = { 0 };
	double now = now_wall(), c0 = cpu_now(), c1, c2, c3;

	model_snapshot(&w->m, &w->snap);
	c1 = cpu_now();
	rules_evaluate(&w->f, &w->snap, now, &w->rs, &w->ev);
	c2 = cpu_now();
	u.f = &w->f;
	u.snap = &w->snap;
	u.ev = &w->ev;
	u.now = now;
	u.rs = &w->rs;
	frame_draw(&w->cells, &u, &w->st);
	c3 = cpu_now();
	present_frame(&w->pr, &w->cells);
	t->snap += c1 - c0;
	t->rules += c2 - c1;
	t->draw += c3 - c2;
	t->present += cpu_now() - c3;
}

static int cmd_rss(size_t n)
{
	struct world w;
	struct split t = { 0 };
	long before = rss_kib();

	world_init(&w, n, 200, 60);
	frame(&w, &t);
	printf("RSS at %zu hosts: %ld KiB (%.0f bytes per host over the empty process's %ld KiB);"
	       " model %zu bytes per host\n", n, rss_kib(),
	       (double)(rss_kib() - before) * 1024 / (double)n, before, bytes_per_host(&w.m, n));
	return 0;
}

static int cmd_frames(size_t n, int ticks, size_t changing)
{
	struct world w;
	struct split t = { 0 }, warm = { 0 };

	unsigned seed = 12345;
	double now;

	world_init(&w, n, 200, 60);
	frame(&w, &warm);        /* the first frame takes everything */
	for (int k = 0; k < ticks; k++) {
		now = now_wall();
		for (size_t j = 0; j < changing; j++) {
			size_t i;

			seed = seed * 1103515245u + 12345u;
			i = (seed >> 8) % n;
			publish_bare(&w.m, i, now, seed);
		}
		frame(&w, &t);
	}
	if (getenv("BENCH_DEBUG"))
		fprintf(stderr, "targets %zu, alerts %zu%s%s\n", w.ev.ntargets, w.ev.nalerts,
			w.ev.nalerts ? ": " : "", w.ev.nalerts ? w.ev.alerts[0].message : "");
	printf("%zu hosts, %zu changing per tick, 200x60 overview: CPU per frame %.3f ms"
	       " (snapshot %.3f, rules %.3f, draw %.3f, present %.3f); first frame %.1f ms;"
	       " %.0f bytes and %.2f write(2) per frame\n",
	       n, changing, (t.snap + t.rules + t.draw + t.present) * 1000 / ticks,
	       t.snap * 1000 / ticks, t.rules * 1000 / ticks, t.draw * 1000 / ticks,
	       t.present * 1000 / ticks,
	       (warm.snap + warm.rules + warm.draw + warm.present) * 1000,
	       (double)w.pr.bytes / (double)w.pr.frames, (double)w.pr.writes / (double)w.pr.frames);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "bytes") == 0)
		return cmd_bytes();
	if (argc >= 3 && strcmp(argv[1], "rss") == 0)
		return cmd_rss((size_t)atol(argv[2]));
	if (argc >= 4 && strcmp(argv[1], "frames") == 0) {
		size_t n = (size_t)atol(argv[2]);
		size_t changing = argc >= 5 ? (size_t)atol(argv[4]) : n / 100;
		return cmd_frames(n, atoi(argv[3]), changing ? changing : 1);
	}
	fprintf(stderr, "usage: model_bench bytes | rss N | frames N TICKS [CHANGING]\n");
	return 2;
}
