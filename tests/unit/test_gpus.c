/* GPUs and service checks: the nvidia-smi parser on recordings
 * (tests/data/gpus, several boards, [N/A] fields, MIG, no processes, driver
 * error), the http-json back end, the check parsers, and the rules a user
 * relies on (hot GPU, full memory, a GPU that disappears, certificates). */
#include "config.h"
#include "collect/gpu_parse.h"
#include "collect/svc_check.h"
#include "fleet/fleet.h"
#include "rules/rules.h"
#include "util/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *slurp(const char *name)
{
	char *path = xasprintf("%s/tests/data/gpus/%s", SRCDIR, name);
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	buf = xcalloc(1, 65536);
	n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	free(path);
	return buf;
}

/* What gpu_nvidia_script() prints on a host with this recording. */
static char *script_output(const char *name, int rc)
{
	char qn[64], an[64], *q, *a, *out;

	str_fmt(qn, sizeof(qn), "%s.query.csv", name);
	str_fmt(an, sizeof(an), "%s.apps.csv", name);
	q = slurp(qn);
	a = slurp(an);
	out = xasprintf("@@GPUS\n%s@@RC %d\n@@APPS\n%s@@RC 0\n", q, rc, a);
	free(q);
	free(a);
	return out;
}

static void parse_recording(const char *name, struct host_gpus *hg)
{
	char *out = script_output(name, 0);

	memset(hg, 0, sizeof(*hg));
	ck_assert_int_eq(gpu_parse_nvidia_output(out, hg), 0);
	free(out);
}

START_TEST(rtx4090_pair)
{
	struct host_gpus hg;

	parse_recording("rtx4090x2", &hg);
	ck_assert_int_eq(hg.n, 2);
	ck_assert_str_eq(hg.error, "");
	ck_assert_str_eq(hg.g[0].name, "NVIDIA GeForce RTX 4090");
	ck_assert_int_eq(hg.g[1].index, 1);
	ck_assert_uint_eq(hg.g[0].valid & 0x7f, 0x7f);
	ck_assert_double_eq_tol(hg.g[0].util_pct, 87, 1e-9);
	ck_assert_uint_eq(hg.g[0].mem_used, 21034ull << 20);
	ck_assert_uint_eq(hg.g[0].mem_total, 24564ull << 20);
	ck_assert_double_eq_tol(hg.g[1].temp_c, 88, 1e-9);
	ck_assert_double_eq_tol(hg.g[0].power_w, 398.52, 1e-9);
	ck_assert_double_eq_tol(hg.g[0].power_limit_w, 450, 1e-9);
	/* processes go to their GPU by UUID; the same pid may use both */
	ck_assert_int_eq(hg.g[0].nprocs, 1);
	ck_assert_int_eq(hg.g[1].nprocs, 2);
	ck_assert_int_eq(hg.g[1].procs[1].pid, 30412);
	ck_assert_str_eq(hg.g[1].procs[1].name, "ollama_llama_server");
	ck_assert_uint_eq(hg.g[1].procs[0].mem, 18022ull << 20);
}
END_TEST

START_TEST(mig_and_na)
{
	struct host_gpus hg;

	parse_recording("a100_mig", &hg);
	ck_assert_int_eq(hg.n, 1);
	ck_assert(!(hg.g[0].valid & GV_UTIL));     /* [N/A] is not 0 % */
	ck_assert(hg.g[0].valid & GV_MEM_USED);
	ck_assert_int_eq(hg.g[0].nprocs, 2);
	ck_assert(!hg.g[0].procs[0].mem_valid);

	parse_recording("t4_na", &hg);
	ck_assert_int_eq(hg.n, 2);
	ck_assert(hg.g[0].valid & GV_POWER);
	ck_assert(!(hg.g[1].valid & GV_POWER));
	ck_assert(!(hg.g[1].valid & GV_POWER_LIMIT));
	ck_assert(hg.g[1].valid & GV_TEMP);
	ck_assert(hg.g[0].valid & GV_PROCS);        /* read, and empty */
	ck_assert_int_eq(hg.g[0].nprocs, 0);
}
END_TEST

START_TEST(driver_error)
{
	struct host_gpus hg = { 0 };
	char *text = slurp("driver_error.txt");
	char *out = xasprintf("@@GPUS\n%s@@RC 9\n", text);

	ck_assert_int_eq(gpu_parse_nvidia_output(out, &hg), -1);
	ck_assert_int_eq(hg.n, 0);
	ck_assert_msg(strstr(hg.error, "couldn't communicate with the NVIDIA driver"), "%s", hg.error);
	ck_assert_msg(strstr(hg.error, "exit 9"), "%s", hg.error);
	free(out);
	free(text);

	ck_assert_int_eq(gpu_parse_nvidia_output("@@GPUS\n@@RC 124\n", &hg), -1);
	ck_assert_msg(strstr(hg.error, "did not answer within 5 s"), "%s", hg.error);

	ck_assert_int_eq(gpu_parse_nvidia_output("@@NOSMI\n", &hg), 0);
	ck_assert(hg.absent);
	ck_assert_int_eq(hg.n, 0);

	ck_assert_int_eq(gpu_parse_nvidia_output("Welcome to Ubuntu\n", &hg), -1);
	ck_assert_str_ne(hg.error, "");
}
END_TEST

START_TEST(hostile_text)
{
	struct host_gpus hg = { 0 };

	/* escapes in names are neutralised; garbage lines become the error */
	gpu_parse_query("0, GPU-x, Evil\x1b[2J GPU, 1, 2, 3, 4, 5, 6\n"
			"Unable to determine the device handle for GPU0000:41:00.0: Unknown Error\n", &hg);
	ck_assert_int_eq(hg.n, 1);
	ck_assert_ptr_null(strchr(hg.g[0].name, '\x1b'));
	ck_assert_msg(strstr(hg.error, "Unable to determine"), "%s", hg.error);
	/* a name with commas keeps them */
	gpu_parse_query("3, GPU-y, Board, rev 2, 10, 1, 2, 30, 5, 6\n", &hg);
	ck_assert_int_eq(hg.n, 1);
	ck_assert_str_eq(hg.g[0].name, "Board, rev 2");
	ck_assert_double_eq_tol(hg.g[0].util_pct, 10, 1e-9);
}
END_TEST

/* The cgroup lines are as Linux prints /proc/PID/cgroup: v2 (Docker's
 * systemd driver), v1 (cgroupfs driver, Podman), and a host process. */
START_TEST(processes_in_containers)
{
	struct host_gpus hg;
	const char *out =
		"@@GPUS\n"
		"0, GPU-5b6f2c1e-8a0d-4b8e-93f1-2c7d0e4a9b11, NVIDIA GeForce RTX 4090, 91, 21040, 24564, 72, 401.10, 450.00\n"
		"@@RC 0\n@@APPS\n"
		"GPU-5b6f2c1e-8a0d-4b8e-93f1-2c7d0e4a9b11, 21877, /opt/model-boss/bin/python3, 20990\n"
		"GPU-5b6f2c1e-8a0d-4b8e-93f1-2c7d0e4a9b11, 21900, /usr/bin/python3, 100\n"
		"GPU-5b6f2c1e-8a0d-4b8e-93f1-2c7d0e4a9b11, 22000, /usr/bin/Xorg, 10\n"
		"@@RC 0\n@@CGROUPS\n"
		"21877 0::/system.slice/docker-4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b.scope\n"
		"21900 11:memory:/libpod_parent/libpod-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"22000 0::/user.slice/user-1000.slice/session-2.scope\n"
		"21900 1:name=systemd:/system.slice/podman.service\n"
		"abc 0::/docker-ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.scope\n"
		"@@RC 0\n";

	memset(&hg, 0, sizeof(hg));
	ck_assert_int_eq(gpu_parse_nvidia_output(out, &hg), 0);
	ck_assert_int_eq(hg.g[0].nprocs, 3);
	ck_assert_str_eq(hg.g[0].procs[0].container, "4f3c2a1b0e9d");
	ck_assert_str_eq(hg.g[0].procs[1].container, "0123456789ab");
	ck_assert_str_eq(hg.g[0].procs[2].container, "");
	ck_assert_str_eq(hg.g[0].procs[2].unit, "");
	/* in a container: the container, not the engine's service */
	ck_assert_str_eq(hg.g[0].procs[1].unit, "");
}
END_TEST

/* A GPU process run by systemd (model-boss on apricot): its service. */
START_TEST(processes_in_services)
{
	struct host_gpus hg;
	const char *out =
		"@@GPUS\n"
		"0, GPU-5b6f2c1e-8a0d-4b8e-93f1-2c7d0e4a9b11, NVIDIA GeForce RTX 4090, 91, 21040, 24564, 72, 401.10, 450.00\n"
		"@@RC 0\n@@APPS\n"
		"GPU-5b6f2c1e-8a0d-4b8e-93f1-2c7d0e4a9b11, 4242, /opt/model-boss/bin/python3, 20990\n"
		"@@RC 0\n@@CGROUPS\n"
		"4242 0::/system.slice/model-boss.service\n"
		"@@RC 0\n";

	memset(&hg, 0, sizeof(hg));
	ck_assert_int_eq(gpu_parse_nvidia_output(out, &hg), 0);
	ck_assert_str_eq(hg.g[0].procs[0].unit, "model-boss.service");
	ck_assert_str_eq(hg.g[0].procs[0].container, "");
}
END_TEST

START_TEST(json_metrics)
{
	struct host_gpus hg = { 0 };
	char *doc = slurp("tinybox_metrics.json");
	const char *fields = "list=/gpus index=/index name=/name util=/utilization_pct "
			     "mem_used=/memory/used_bytes mem_total=/memory/total_bytes "
			     "temp=/temperature_c power=/power/draw_w power_limit=/power/limit_w";

	ck_assert_int_eq(gpu_parse_json(doc, strlen(doc), fields, &hg), 0);
	ck_assert_int_eq(hg.n, 2);
	ck_assert_str_eq(hg.g[0].name, "AMD Radeon RX 7900 XTX");
	ck_assert_uint_eq(hg.g[0].mem_used, 20401094656ull);
	ck_assert_double_eq_tol(hg.g[1].util_pct, 12, 1e-9);   /* numeric string */
	ck_assert(!(hg.g[1].valid & GV_POWER));                /* null */
	ck_assert(hg.g[1].valid & GV_POWER_LIMIT);
	ck_assert_int_eq(gpu_parse_json("{", 1, fields, &hg), -1);
	ck_assert_int_eq(gpu_parse_json("{\"x\":1}", 7, fields, &hg), -1);
	ck_assert_msg(strstr(hg.error, "/gpus"), "%s", hg.error);
	/* without list= the document is one GPU */
	ck_assert_int_eq(gpu_parse_json("{\"u\":5}", 7, "util=/u", &hg), 0);
	ck_assert_int_eq(hg.n, 1);
	ck_assert_double_eq_tol(hg.g[0].util_pct, 5, 1e-9);
	free(doc);
}
END_TEST

START_TEST(check_values)
{
	struct svc_check c;
	char err[128];

	ck_assert_int_eq(svc_check_parse("tcp 10.0.0.11:3060", &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.kind, CHECK_TCP);
	ck_assert_str_eq(c.host, "10.0.0.11");
	ck_assert_int_eq(c.port, 3060);
	ck_assert_int_eq(svc_check_parse("tcp [fd00::1]:22", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.host, "fd00::1");
	ck_assert_int_eq(svc_check_parse("https://x/health", &c, err, sizeof(err)), 0);
	ck_assert(c.https);
	ck_assert_int_eq(svc_check_parse("tcp host:99999", &c, err, sizeof(err)), -1);
	ck_assert_int_eq(svc_check_parse("ftp://x", &c, err, sizeof(err)), -1);
}
END_TEST

START_TEST(remote_answers)
{
	struct svc_check tcp, http;
	struct service_sample s = { 0 };
	char err[128], *script;

	svc_check_parse("tcp 127.0.0.1:5", &tcp, err, sizeof(err));
	svc_check_parse("http://h/x?a='b'", &http, err, sizeof(err));
	script = svc_remote_script(&http, 2, NULL);
	ck_assert_msg(strstr(script, "'http://h/x?a='\\''b'\\'''"), "%s", script);  /* quoted */
	ck_assert_ptr_null(strstr(script, "openssl"));   /* plain http: no certificate */
	free(script);
	{
		/* https from a host: the CA file and the certificate's host:port
		 * are quoted words; its end date is read back in days */
		struct svc_check tls;
		struct service_sample ts = { 0 };
		char out[200];
		time_t in5 = time(NULL) + 5 * 86400;
		char date[64];

		ck_assert_int_eq(svc_check_parse("https://[::1]:8443/h", &tls, err, sizeof(err)), 0);
		ck_assert_str_eq(tls.host, "[::1]");
		ck_assert_int_eq(tls.port, 8443);
		ck_assert_int_eq(svc_check_parse("https://web.example/h", &tls, err, sizeof(err)), 0);
		ck_assert_int_eq(tls.port, 443);
		script = svc_remote_script(&tls, 2, "/etc/ca dir/it's.pem");
		ck_assert_msg(strstr(script, "--cacert '/etc/ca dir/it'\\''s.pem'"), "%s", script);
		ck_assert_msg(strstr(script, "-connect 'web.example:443' -servername 'web.example'"), "%s", script);
		free(script);
		strftime(date, sizeof(date), "%b %e %H:%M:%S %Y GMT", gmtime(&in5));
		str_fmt(out, sizeof(out), "ok\n@@HTTP 200 0.01\n@@RC 0\n@@CERT notAfter=%s\n", date);
		svc_remote_parse(&tls, NULL, out, strlen(out), "", 9, &ts);
		ck_assert(ts.ok);
		ck_assert_double_eq_tol(ts.cert_days_left, 5.0, 0.01);
		svc_remote_parse(&tls, NULL, "ok\n@@HTTP 200 0.01\n@@RC 0\n", 27, "", 9, &ts);
		ck_assert_double_eq_tol(ts.cert_days_left, -1, 1e-9);   /* no openssl: unknown */
	}

	svc_remote_parse(&tcp, NULL, "@@TCP 0 bash 1000000000 1002500000\n", 40, "", 9, &s);
	ck_assert(s.ok);
	ck_assert_double_eq_tol(s.latency_ms, 2.5, 1e-6);
	svc_remote_parse(&tcp, NULL, "@@TCP 1 nc 1 2\n", 15, "", 9, &s);
	ck_assert(!s.ok);
	ck_assert_msg(strstr(s.error, "cannot connect to 127.0.0.1:5"), "%s", s.error);
	svc_remote_parse(&tcp, NULL, "@@TCP 127 none  \n", 17, "", 9, &s);
	ck_assert_msg(strstr(s.error, "neither nc nor bash"), "%s", s.error);

	svc_remote_parse(&http, "ok", "status: ok\n@@HTTP 200 0.012\n@@RC 0\n", 36, "", 9, &s);
	ck_assert(s.ok);
	ck_assert_int_eq(s.http_status, 200);
	ck_assert_double_eq_tol(s.latency_ms, 12, 1e-6);
	svc_remote_parse(&http, "ok", "nope\n@@HTTP 200 0.012\n@@RC 0\n", 30, "", 9, &s);
	ck_assert(!s.ok);
	svc_remote_parse(&http, NULL, "\n@@HTTP 503 0.01\n@@RC 0\n", 25, "", 9, &s);
	ck_assert(!s.ok);
	ck_assert_msg(strstr(s.error, "HTTP 503"), "%s", s.error);
	svc_remote_parse(&http, NULL, "\n@@HTTP 000 0.0\n@@RC 7\n", 23,
			 "curl: (7) Failed to connect to h port 80\n", 9, &s);
	ck_assert_msg(strstr(s.error, "Failed to connect"), "%s", s.error);
	svc_remote_parse(&http, NULL, "@@NOCURL\n", 9, "", 9, &s);
	ck_assert_msg(strstr(s.error, "curl is not installed"), "%s", s.error);
}
END_TEST

/* --- rules ------------------------------------------------------------------ */

static const char fleet_text[] =
	"[fleet t]\ninterval = 2s\n"
	"[host apricot]\nssh = local\ngpus = nvidia\n"
	"[service api]\nhost = apricot\ncheck = https://127.0.0.1:1/\n"
	"[link apricot -> apricot]\ncheck = tcp 127.0.0.1:1\n";

struct world {
	struct fleet f;
	struct snapshot snap;
	struct rules_state st;
	struct evaluation ev;
};

/* The world's samples, edited in place in its snapshot. */
static struct host_sample *w_host(struct world *w)
{
	return snapshot_edit(&w->snap, DOM_HOST, 0, sizeof(struct host_sample));
}

static struct host_gpus *w_gpus(struct world *w)
{
	return snapshot_edit(&w->snap, DOM_GPU, 0, sizeof(struct host_gpus));
}

static struct service_sample *w_service(struct world *w)
{
	return snapshot_edit(&w->snap, DOM_SERVICE, 0, sizeof(struct service_sample));
}

static struct link_sample *w_link(struct world *w)
{
	return snapshot_edit(&w->snap, DOM_LINK, 0, sizeof(struct link_sample));
}

static void world_init(struct world *w)
{
	struct fleet_diags d = { 0 };

	memset(w, 0, sizeof(*w));
	ck_assert_int_eq(fleet_load_buffer("t.fleet", fleet_text, strlen(fleet_text), &w->f, &d), 0);
	fleet_diags_free(&d);
	w_host(w)->conn = HC_OK;   /* the host answers; its GPUs are judged */
	w_gpus(w);
	w_service(w);
	w_link(w);
	rules_state_init(&w->st, 1);
}

static void world_free(struct world *w)
{
	evaluation_free(&w->ev);
	rules_state_free(&w->st);
	snapshot_free(&w->snap);
	fleet_free(&w->f);
}

static void world_gpus(struct world *w, const char *recording, double now)
{
	struct host_gpus *hg = w_gpus(w);

	parse_recording(recording, hg);
	hg->collected = true;
	hg->interval = 2;
	hg->sampled_at = hg->attempted_at = now;
}

static enum status gpu_status(struct world *w, int idx)
{
	const struct target_eval *t = rules_target_find(&w->ev, DOM_GPU, 0, idx);

	ck_assert_msg(t != NULL, "no target for GPU %d", idx);
	return t->ev.status;
}

START_TEST(gpu_rules)
{
	struct world w;
	double now = 1e9;

	world_init(&w);
	world_gpus(&w, "rtx4090x2", now);
	rules_evaluate(&w.f, &w.snap, now, &w.st, &w.ev);
	ck_assert_int_eq(gpu_status(&w, 0), ST_OK);
	ck_assert_int_eq(gpu_status(&w, 1), ST_WARN);           /* 88 °C and 96 % */
	ck_assert_int_eq(rules_target_find(&w.ev, DOM_GPU, 0, 1)->ev.nproblems, 2);
	/* stale 3 x 2 s after the reading: the screen is drawn again then */
	ck_assert_double_eq_tol(rules_target_find(&w.ev, DOM_GPU, 0, 0)->ev.stale_at, now + 6, 1e-9);
	ck_assert(w.ev.next_change <= now + 6);

	world_gpus(&w, "rtx4090x1", now + 2);                     /* GPU 1 fell off */
	rules_evaluate(&w.f, &w.snap, now + 2, &w.st, &w.ev);
	ck_assert_int_eq(gpu_status(&w, 0), ST_OK);
	ck_assert_int_eq(gpu_status(&w, 1), ST_CRIT);
	ck_assert_msg(strstr(rules_target_find(&w.ev, DOM_GPU, 0, 1)->ev.problems[0].text, "gone"),
		      "missing GPU named");

	/* the driver dies: both GPUs are gone, with nvidia-smi's words */
	w_gpus(&w)->n = 0;
	str_copy(w_gpus(&w)->error, "nvidia-smi failed (exit 9): NVIDIA-SMI has failed",
		 sizeof(w_gpus(&w)->error));
	rules_evaluate(&w.f, &w.snap, now + 4, &w.st, &w.ev);
	ck_assert_int_eq(gpu_status(&w, 0), ST_CRIT);
	ck_assert_int_eq(w.ev.worst, ST_CRIT);

	/* data that stopped coming is unknown, not ok */
	world_gpus(&w, "rtx4090x2", now + 6);
	rules_evaluate(&w.f, &w.snap, now + 6 + 7, &w.st, &w.ev);
	ck_assert_int_eq(gpu_status(&w, 0), ST_UNKNOWN);

	/* the host itself stops answering: one crit problem (the host's), not
	 * another alert per GPU on top of it */
	w_host(&w)->conn = HC_UNREACHABLE;
	rules_evaluate(&w.f, &w.snap, now + 20, &w.st, &w.ev);
	ck_assert_ptr_null(rules_target_find(&w.ev, DOM_GPU, 0, 0));
	world_free(&w);
}
END_TEST

/* Issue #13: garbage numbers from nvidia-smi or a metrics endpoint are n/a
 * with a problem naming the field and the value, never a status; and no
 * undefined float-to-integer cast on any finite value (the sanitizer build
 * with float-cast-overflow fails this test on the old code). */
START_TEST(implausible_values)
{
	struct world w;
	struct host_gpus *hg;
	const struct target_eval *t;
	double now = 1e9;

	world_init(&w);
	hg = w_gpus(&w);
	gpu_parse_query("0, GPU-a, T4, -50, 70000000000000000000000, 1000, 1e308, 70, 70\n"
			"1, GPU-b, T4, 1e21, 10, -5, 40, 1e9, -1\n", hg);
	ck_assert_int_eq(hg->n, 2);
	ck_assert_uint_eq(hg->g[0].valid & (GV_UTIL | GV_MEM_USED | GV_TEMP), 0);
	ck_assert(hg->g[0].valid & GV_MEM_TOTAL);
	ck_assert_msg(strstr(hg->g[0].implausible, "utilization.gpu = -50: implausible"),
		      "%s", hg->g[0].implausible);
	ck_assert_msg(strstr(hg->g[0].implausible, "temperature.gpu = 1e+308"), "%s",
		      hg->g[0].implausible);
	ck_assert_msg(strstr(hg->g[0].implausible, "memory.used = 7e+22 MiB"), "%s",
		      hg->g[0].implausible);
	ck_assert_uint_eq(hg->g[1].valid & (GV_UTIL | GV_MEM_TOTAL | GV_POWER | GV_POWER_LIMIT), 0);
	ck_assert_msg(strstr(hg->g[1].implausible, "utilization.gpu = 1e+21"), "%s",
		      hg->g[1].implausible);
	/* processes with absurd memory keep their pid, not the number */
	gpu_parse_apps("GPU-a, 42, python, 1e300\n", hg);
	ck_assert_int_eq(hg->g[0].nprocs, 1);
	ck_assert(!hg->g[0].procs[0].mem_valid);
	/* the http-json back end goes through the same bounds */
	{
		struct host_gpus hj = { 0 };
		const char doc[] = "[{\"u\": 1e21, \"t\": -300, \"m\": 1e30, \"p\": 300}]";
		ck_assert_int_eq(gpu_parse_json(doc, strlen(doc), "u=/u temp=/t mem_used=/m "
						"power=/p util=/u", &hj), 0);
		ck_assert_int_eq(hj.n, 1);
		ck_assert_uint_eq(hj.g[0].valid & (GV_UTIL | GV_TEMP | GV_MEM_USED), 0);
		ck_assert(hj.g[0].valid & GV_POWER);
		ck_assert_msg(strstr(hj.g[0].implausible, "temp = -300"), "%s", hj.g[0].implausible);
	}
	/* the rules: unknown, with the words, and no temperature warning */
	hg->collected = true;
	hg->interval = 2;
	hg->sampled_at = hg->attempted_at = now;
	rules_evaluate(&w.f, &w.snap, now, &w.st, &w.ev);
	ck_assert_int_eq(gpu_status(&w, 0), ST_UNKNOWN);
	t = rules_target_find(&w.ev, DOM_GPU, 0, 0);
	ck_assert_int_eq(t->ev.nproblems, 1);
	ck_assert_msg(strstr(t->ev.problems[0].text, "GPU 0: utilization.gpu = -50"), "%s",
		      t->ev.problems[0].text);
	world_free(&w);
}
END_TEST

START_TEST(service_rules)
{
	struct world w;
	double now = 1e9;
	struct service_sample *s;
	const struct target_eval *t;

	world_init(&w);
	rules_evaluate(&w.f, &w.snap, now, &w.st, &w.ev);
	t = rules_target_find(&w.ev, DOM_SERVICE, 0, -1);
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);              /* not checked yet */

	s = w_service(&w);
	*s = (struct service_sample){ .collected = true, .sampled_at = now, .interval = 2,
				      .ok = true, .http_status = 200, .cert_days_left = 30 };
	rules_evaluate(&w.f, &w.snap, now, &w.st, &w.ev);
	ck_assert_int_eq(rules_target_find(&w.ev, DOM_SERVICE, 0, -1)->ev.status, ST_OK);
	s->cert_days_left = 10;
	rules_evaluate(&w.f, &w.snap, now, &w.st, &w.ev);
	ck_assert_int_eq(rules_target_find(&w.ev, DOM_SERVICE, 0, -1)->ev.status, ST_WARN);
	s->cert_days_left = 2;
	rules_evaluate(&w.f, &w.snap, now, &w.st, &w.ev);
	ck_assert_int_eq(rules_target_find(&w.ev, DOM_SERVICE, 0, -1)->ev.status, ST_CRIT);

	w_link(&w)->c = (struct service_sample){ .collected = true, .sampled_at = now,
		.interval = 2, .ok = false, .error = "cannot connect" };
	rules_evaluate(&w.f, &w.snap, now, &w.st, &w.ev);
	t = rules_target_find(&w.ev, DOM_LINK, 0, -1);
	ck_assert_str_eq(t->target, "link/apricot->apricot");
	ck_assert_int_eq(t->ev.status, ST_CRIT);
	rules_evaluate(&w.f, &w.snap, now + 60, &w.st, &w.ev);
	ck_assert_int_eq(rules_target_find(&w.ev, DOM_LINK, 0, -1)->ev.status, ST_UNKNOWN);
	world_free(&w);
}
END_TEST

static Suite *gpus_suite(void)
{
	Suite *s = suite_create("gpus");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rtx4090_pair);
	tcase_add_test(tc, mig_and_na);
	tcase_add_test(tc, driver_error);
	tcase_add_test(tc, hostile_text);
	tcase_add_test(tc, processes_in_containers);
	tcase_add_test(tc, processes_in_services);
	tcase_add_test(tc, json_metrics);
	tcase_add_test(tc, check_values);
	tcase_add_test(tc, remote_answers);
	tcase_add_test(tc, gpu_rules);
	tcase_add_test(tc, implausible_values);
	tcase_add_test(tc, service_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gpus_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
