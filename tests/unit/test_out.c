/* Outputs: the SPEC §4 JSON document parsed back with jansson, the same
 * document written as it is made (--once --json) byte for byte the tree
 * built whole, the --check line and exit code for each worst status, and
 * the --once table. */
#define _GNU_SOURCE 1  /* fopencookie */
#include "config.h"
#include "out/out.h"
#include "domain/domain.h"
#include "model/fields.h"
#include "util/text.h"
#include "util/util.h"

#include <check.h>
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SANITIZE_ADDRESS__)
/* libasan's (sanitizer/allocator_interface.h, not installed with gcc here) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#define T0 1795392540.0
#define GiB (1024.0 * 1024 * 1024)
#define MiB (1024.0 * 1024)

struct bench {
	struct fleet f;
	struct fleet_host hosts[4];
	struct snapshot snap;
	struct host_sample samples[4];
	struct rules_state st;
	struct evaluation ev;
	char *buf;
	size_t len;
};

static struct fleet_host mkhost(const char *name)
{
	static const struct fleet_thresholds th = { 10, 40, 90, 95, 600 };
	struct fleet_host h;

	memset(&h, 0, sizeof(h));
	h.name = (char *)name;
	h.ram_reserve = -1;
	h.interval = 2;
	h.th = th;
	return h;
}

static struct host_sample mksample(double now)
{
	struct host_sample s;

	memset(&s, 0, sizeof(s));
	s.conn = HC_OK;
	s.sampled_at = now - 0.5;
	s.interval = 2;
	s.valid = HV_LATENCY | HV_LOAD | HV_CPU | HV_CORES | HV_MEM | HV_SWAP | HV_PSI |
		  HV_OOM | HV_UPTIME | HV_KERNEL | HV_DISKS;
	s.latency_ms = 3.1;
	s.load[0] = 0.3;
	s.load[1] = 0.2;
	s.load[2] = 0.1;
	s.cpu_pct = 12.5;
	s.cores = 8;
	s.mem_total = 33554432000ULL;
	s.mem_available = 20000000000ULL;
	s.swap_total = (uint64_t)GiB;
	s.psi_some10 = 0.5;
	s.psi_full10 = 0.1;
	s.oom_kills = 2;
	s.uptime_s = 86400;
	s.boot_time = now - 86400;
	str_copy(s.kernel, "6.8.0-45-generic", sizeof(s.kernel));
	s.ndisks = 1;
	str_copy(s.disks[0].mount, "/", sizeof(s.disks[0].mount));
	s.disks[0].valid = true;
	s.disks[0].size = 100000000000ULL;
	s.disks[0].used = 45000000000ULL;
	s.disks[0].used_pct = 45;
	return s;
}

/* black: healthy with a reserve; vps-0: unreachable, never sampled;
 * apricot: answered but PSI and one disk unknown. */
static void bench_init(struct bench *b)
{
	memset(b, 0, sizeof(*b));
	b->f.name = (char *)"cocottetech";
	b->f.hosts = b->hosts;
	b->f.nhosts = 3;
	b->hosts[0] = mkhost("black");
	b->hosts[0].ram_reserve = 536870912;
	b->hosts[0].role = (char *)"prod DBs";
	b->hosts[1] = mkhost("vps-0");
	b->hosts[2] = mkhost("apricot");
	b->samples[0] = mksample(T0);
	b->samples[1].conn = HC_UNREACHABLE;
	str_copy(b->samples[1].error, "connection timed out after 5s", sizeof(b->samples[1].error));
	b->samples[2] = mksample(T0);
	b->samples[2].valid &= ~(unsigned)HV_PSI;
	b->samples[2].ndisks = 2;
	str_copy(b->samples[2].disks[1].mount, "/srv", sizeof(b->samples[2].disks[1].mount));
	b->snap.nhosts = 3;          /* bench_sync() copies the samples in */
	rules_state_init(&b->st, 3);
}

/* The snapshot holds published copies: publish the edited samples. */
static void bench_sync(struct bench *b)
{
	snapshot_put_hosts(&b->snap, b->samples, b->snap.nhosts);
}

static void bench_eval(struct bench *b)
{
	bench_sync(b);
	rules_evaluate(&b->f, &b->snap, T0, &b->st, &b->ev);
}

static void bench_free(struct bench *b)
{
	snapshot_free(&b->snap);
	evaluation_free(&b->ev);
	rules_state_free(&b->st);
	free(b->buf);
	b->buf = NULL;
}

typedef int (*out_fn)(FILE *, const struct fleet *, const struct snapshot *,
		      const struct evaluation *, double);

/* Runs an output into b->buf; returns its return value. */
static int bench_run(struct bench *b, out_fn fn)
{
	FILE *fp;
	int rc;

	free(b->buf);
	b->buf = NULL;
	fp = open_memstream(&b->buf, &b->len);
	ck_assert_ptr_nonnull(fp);
	bench_sync(b);
	rc = fn(fp, &b->f, &b->snap, &b->ev, T0);
	fclose(fp);
	return rc;
}

/* ---- JSON ---- */

static json_t *bench_json(struct bench *b)
{
	json_error_t err;
	json_t *root;

	bench_eval(b);
	ck_assert_int_eq(bench_run(b, out_json), 0);
	root = json_loads(b->buf, 0, &err);
	ck_assert_msg(root != NULL, "invalid JSON: %s (line %d)", err.text, err.line);
	return root;
}

static json_t *get(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(v != NULL, "missing field \"%s\"", key);
	return v;
}

static void assert_number(json_t *o, const char *key)
{
	ck_assert_msg(json_is_number(get(o, key)), "\"%s\" is not a number", key);
}

static void assert_integer(json_t *o, const char *key)
{
	ck_assert_msg(json_is_integer(get(o, key)), "\"%s\" is not an integer", key);
}

static void assert_null(json_t *o, const char *key)
{
	ck_assert_msg(json_is_null(get(o, key)), "\"%s\" is not null", key);
}

static void assert_empty_array(json_t *o, const char *key)
{
	json_t *v = get(o, key);

	ck_assert_msg(json_is_array(v) && json_array_size(v) == 0, "\"%s\" is not []", key);
}

START_TEST(test_json_top_level)
{
	static const char *const empty[] = {
		"services", "databases", "backups", "links", "runners", "keys",
	};
	struct bench b;
	json_t *root;

	bench_init(&b);
	root = bench_json(&b);
	ck_assert_int_eq(json_integer_value(get(root, "schema")), 1);
	ck_assert_str_eq(json_string_value(get(root, "fleet")), "cocottetech");
	assert_number(root, "generated_at");
	ck_assert_double_eq_tol(json_number_value(get(root, "generated_at")), T0, 1e-3);
	ck_assert_str_eq(json_string_value(get(root, "status")), "crit");
	ck_assert(json_is_array(get(root, "hosts")));
	ck_assert_uint_eq(json_array_size(get(root, "hosts")), 3);
	for (size_t i = 0; i < ARRAY_LEN(empty); i++)
		assert_empty_array(root, empty[i]);
	ck_assert(json_is_array(get(root, "alerts")));
	/* pretty-printed with 2 spaces, ends with a newline */
	ck_assert(strncmp(b.buf, "{\n  \"schema\": 1,\n", 17) == 0);
	ck_assert_int_eq(b.buf[b.len - 1], '\n');
	ck_assert_int_eq(b.buf[b.len - 2], '}');
	json_decref(root);
	bench_free(&b);
}
END_TEST

START_TEST(test_json_host_full)
{
	struct bench b;
	json_t *root, *h, *load, *disks, *d;

	bench_init(&b);
	root = bench_json(&b);
	h = json_array_get(get(root, "hosts"), 0);
	ck_assert_str_eq(json_string_value(get(h, "name")), "black");
	ck_assert_str_eq(json_string_value(get(h, "status")), "ok");
	ck_assert(json_is_true(get(h, "reachable")));
	ck_assert_double_eq_tol(json_number_value(get(h, "sampled_at")), T0 - 0.5, 1e-3);
	ck_assert_double_eq_tol(json_number_value(get(h, "latency_ms")), 3.1, 1e-9);
	load = get(h, "load");
	ck_assert(json_is_array(load));
	ck_assert_uint_eq(json_array_size(load), 3);
	ck_assert_double_eq_tol(json_number_value(json_array_get(load, 2)), 0.1, 1e-9);
	assert_number(h, "cpu_pct");
	assert_integer(h, "cores");
	ck_assert_int_eq(json_integer_value(get(h, "mem_total")), 33554432000LL);
	ck_assert_int_eq(json_integer_value(get(h, "mem_available")), 20000000000LL);
	assert_integer(h, "swap_used");
	assert_number(h, "psi_mem_some_avg10");
	assert_number(h, "psi_mem_full_avg10");
	ck_assert_int_eq(json_integer_value(get(h, "oom_kills")), 2);
	ck_assert_int_eq(json_integer_value(get(h, "ram_reserve")), 536870912);
	disks = get(h, "disks");
	ck_assert_uint_eq(json_array_size(disks), 1);
	d = json_array_get(disks, 0);
	ck_assert_str_eq(json_string_value(get(d, "mount")), "/");
	ck_assert_int_eq(json_integer_value(get(d, "size")), 100000000000LL);
	ck_assert_int_eq(json_integer_value(get(d, "used")), 45000000000LL);
	ck_assert_double_eq_tol(json_number_value(get(d, "used_pct")), 45, 1e-9);
	assert_empty_array(h, "containers");
	assert_empty_array(h, "gpus");
	assert_empty_array(h, "problems");
	/* extras */
	ck_assert_str_eq(json_string_value(get(h, "role")), "prod DBs");
	ck_assert_str_eq(json_string_value(get(h, "kernel")), "6.8.0-45-generic");
	ck_assert(json_is_false(get(h, "stale")));
	assert_number(h, "age_s");
	assert_null(h, "error");
	json_decref(root);
	bench_free(&b);
}
END_TEST

START_TEST(test_json_nulls_for_unknown)
{
	static const char *const nulls[] = {
		"sampled_at", "latency_ms", "load", "cpu_pct", "cores", "mem_total",
		"mem_available", "swap_used", "psi_mem_some_avg10", "psi_mem_full_avg10",
		"oom_kills", "ram_reserve", "disks", "age_s", "kernel", "uptime_s",
	};
	struct bench b;
	json_t *root, *h, *problems, *d;

	bench_init(&b);
	root = bench_json(&b);

	h = json_array_get(get(root, "hosts"), 1);
	ck_assert_str_eq(json_string_value(get(h, "name")), "vps-0");
	ck_assert_str_eq(json_string_value(get(h, "status")), "crit");
	ck_assert(json_is_false(get(h, "reachable")));
	for (size_t i = 0; i < ARRAY_LEN(nulls); i++)
		assert_null(h, nulls[i]);
	problems = get(h, "problems");
	ck_assert_uint_eq(json_array_size(problems), 1);
	ck_assert_str_eq(json_string_value(json_array_get(problems, 0)),
			 "unreachable: connection timed out after 5s");
	ck_assert_str_eq(json_string_value(get(h, "error")), "connection timed out after 5s");

	h = json_array_get(get(root, "hosts"), 2);
	ck_assert_str_eq(json_string_value(get(h, "status")), "unknown");
	assert_null(h, "psi_mem_some_avg10");
	assert_null(h, "psi_mem_full_avg10");
	assert_number(h, "cpu_pct");
	d = json_array_get(get(h, "disks"), 1);
	ck_assert_str_eq(json_string_value(get(d, "mount")), "/srv");
	assert_null(d, "size");
	assert_null(d, "used");
	assert_null(d, "used_pct");
	json_decref(root);
	bench_free(&b);
}
END_TEST

START_TEST(test_json_alerts)
{
	struct bench b;
	json_t *root, *alerts, *a;

	bench_init(&b);
	root = bench_json(&b);
	alerts = get(root, "alerts");
	ck_assert_uint_eq(json_array_size(alerts), 2);
	a = json_array_get(alerts, 0);
	ck_assert_str_eq(json_string_value(get(a, "severity")), "crit");
	ck_assert_str_eq(json_string_value(get(a, "target")), "host/vps-0");
	ck_assert_str_eq(json_string_value(get(a, "message")),
			 "unreachable: connection timed out after 5s");
	ck_assert_double_eq_tol(json_number_value(get(a, "since")), T0, 1e-3);
	a = json_array_get(alerts, 1);
	ck_assert_str_eq(json_string_value(get(a, "severity")), "unknown");
	ck_assert_str_eq(json_string_value(get(a, "message")), "disk /srv: cannot read");
	json_decref(root);
	bench_free(&b);
}
END_TEST

START_TEST(test_json_non_utf8_text)
{
	struct bench b;
	json_t *root, *h;

	bench_init(&b);
	str_copy(b.samples[1].error, "bad \xff\xfe bytes", sizeof(b.samples[1].error));
	root = bench_json(&b);
	h = json_array_get(get(root, "hosts"), 1);
	ck_assert_str_eq(json_string_value(get(h, "error")), "bad ?? bytes");
	json_decref(root);
	bench_free(&b);
}
END_TEST

START_TEST(test_json_empty_fleet)
{
	struct bench b;
	json_t *root;

	bench_init(&b);
	b.f.nhosts = 0;
	b.snap.nhosts = 0;
	root = bench_json(&b);
	ck_assert_str_eq(json_string_value(get(root, "status")), "ok");
	assert_empty_array(root, "hosts");
	assert_empty_array(root, "alerts");
	json_decref(root);
	bench_free(&b);
}
END_TEST

/* ---- --once --json written as it is made ---- */

/* Text a host, an API or a server could send: quotes, backslashes,
 * controls, C1, bidi, invalid and multi-byte UTF-8, empty. */
static const char *const odd[] = {
	"plain", "quote \" back\\slash /", "tab\tnew\nline\rcr", "esc \x1b[31mred\x1b[0m\a",
	"bidi \xe2\x80\xae" "desrever", "utf-8 \xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5 \xf0\x9f\x98\x80",
	"bad \xff\xfe \xc0\xaf bytes", "", "c1 \xc2\x9b" "31m", "</script><!--", "del \x7f nul-less",
};

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/* Every recorded field of a sample set, from a varied list per type:
 * known and unknown values, odd text, 1-3 elements in each array. */
static void fill(const struct rec_desc *desc, unsigned char *p, unsigned *seed)
{
	static const double dbl[] = { 0, 0.1, 12.5, 99.999, 1e9, -1, 1.0 / 3, 250, 0.30000000000000004 };
	static const uint64_t u64[] = { 0, 7, 1ULL << 40, 33554432000ULL, UINT64_MAX };

	for (size_t i = 0; i < desc->n; i++) {
		const struct rec_field *f = &desc->f[i];
		unsigned char *q = p + f->off;
		unsigned r = rnd(seed);

		switch (f->type) {
		case RF_DBL:
			for (int v = 0; v < (f->n > 1 ? f->n : 1); v++) {
				double x = dbl[(r + (unsigned)v) % ARRAY_LEN(dbl)];
				memcpy(q + (size_t)v * sizeof(x), &x, sizeof(x));
			}
			break;
		case RF_TIME: {
			double t = r % 5 ? T0 - (double)(r % 100000) / 7 : 0;
			memcpy(q, &t, sizeof(t));
			break;
		}
		case RF_U64: memcpy(q, &u64[r % ARRAY_LEN(u64)], sizeof(uint64_t)); break;
		case RF_INT: { int v = (int)(r % 3); memcpy(q, &v, sizeof(v)); break; }
		case RF_UINT: { unsigned v = r % 3 ? ~0u : rnd(seed); memcpy(q, &v, sizeof(v)); break; }
		case RF_BOOL: { bool v = r % 4 != 0; memcpy(q, &v, sizeof(v)); break; }
		case RF_STR: str_copy((char *)q, odd[r % ARRAY_LEN(odd)], f->size); break;
		case RF_ARR: {
			int n = 1 + (int)(r % 3);
			if (n > f->max)
				n = f->max;
			memcpy(p + f->count_off, &n, sizeof(n));
			for (int e = 0; e < n; e++)
				fill(f->sub, q + (size_t)e * f->size, seed);
			break;
		}
		}
	}
}

/* A fleet with every domain, and a [prometheus] section judged on the
 * server whose every host --once fetched, named as a server may name them. */
static const char varied_fleet[] =
	"[fleet varied]\n"
	"[host black]\nssh = ops@black\nrole = prod \"DBs\"\nram_reserve = 2G\ndisk = / /srv\n"
	"[host vps-0]\nssh = deploy@vps-0\njump = black\n"
	"[host apricot]\nssh = ops@apricot\ngpus = nvidia\n"
	"[host plum]\nssh = ops@plum\n"
	"[service quinn.api]\nhost = black\ncheck = http://localhost:3050/health\n"
	"[service edge]\nhost = vps-0\ncheck = tcp 10.0.0.1:443\n"
	"[database quinn.db]\nhost = black\ndsn = host=localhost dbname=quinn user=m\n"
	"[database mirror]\nhost = plum\ndsn = host=localhost dbname=m user=m\nreplica_of = quinn.db\n"
	"[backup quinn.db-wal]\nsource = pg-archiver\ndatabase = quinn.db\nrpo = 15m\n"
	"[backup black-etc]\nsource = restic\nhost = apricot\nrepo = /srv/restic\npath = /etc\nrpo = 26h\n"
	"[link vps-0 -> black]\nlabel = HTTPS \"api\"\ncheck = tcp 10.0.0.2:3060\n"
	"[link black -> plum]\ncheck = tcp 10.0.0.3:22\n"
	"[runners forge]\nprovider = systemd\nhost = black\nunit = r@\n"
	"[key ops-deploy]\nprovider = ssh-authorized-key\nhosts = black vps-0\nuser = ops\n"
	"identity_file = ~/.ssh/id\nmax_age = 180d\n"
	"[prometheus dc]\nurl = http://127.0.0.1:1\nserver_rules_above = 1\ndisk = / /srv\n";

/* The [prometheus] section's hosts, as the collector keeps them. */
struct prom_all {
	size_t n;
	char (*name)[PROM_NAME_MAX];
	const char **names;
	struct prom_values *v;
};

static void varied_init(struct fleet *f, struct snapshot *snap, struct prom_all *all, size_t nall)
{
	struct fleet_diags d = { 0 };
	struct prom_fleet pf;
	unsigned seed = 11;

	ck_assert_int_eq(fleet_load_buffer("v.fleet", varied_fleet, strlen(varied_fleet), f, &d), 0);
	fleet_diags_free(&d);
	memset(snap, 0, sizeof(*snap));
	DOMAINS_FOREACH(dom) {
		size_t n = dom->per_host || dom->id == DOM_HOST ? f->nhosts : fleet_count(f, dom->section);
		unsigned char *sample;

		if (!dom->record)
			continue;
		sample = xcalloc(1, dom->sample_size);
		for (size_t i = 0; i < n; i++) {
			memset(sample, 0, dom->sample_size);
			fill(dom->record, sample, &seed);
			if (dom->id == DOM_GPU) {
				/* every host shows its GPUs, whatever the draw: a
				 * row added to a field table shifts the draws */
				struct host_gpus *hg = (struct host_gpus *)(void *)sample;

				hg->collected = true;
				hg->absent = false;
				if (hg->sampled_at <= 0)
					hg->sampled_at = T0 - 1;
			}
			snapshot_put(snap, dom->id, i, sample, dom->sample_size);
		}
		free(sample);
	}
	all->n = nall;
	all->name = xcalloc(nall, sizeof(*all->name));
	all->names = xcalloc(nall, sizeof(*all->names));
	all->v = xcalloc(nall, sizeof(*all->v));
	for (size_t k = 0; k < nall; k++) {
		struct prom_values *v = &all->v[k];
		unsigned r = rnd(&seed);

		str_fmt(all->name[k], sizeof(all->name[k]), "%s:%zu", odd[k % ARRAY_LEN(odd)], 9100 + k);
		all->names[k] = all->name[k];
		v->have = r % 4 ? ~0u : rnd(&seed);
		v->v[PV_UP] = r % 7 != 0;
		for (int i = PV_LOAD1; i < PV__N; i++)
			v->v[i] = (double)(rnd(&seed) % 100000) / 8;
		v->v[PV_MEMTOTAL] = 64e9;
		v->v[PV_SWAPTOTAL] = 8e9;
		for (int m = 0; m < 2; m++) {
			v->fs_have[m] = (uint8_t)(k % 5 ? 7 : rnd(&seed) & 7);
			v->fs[m][PROM_FS_SIZE] = 1e12;
			v->fs[m][PROM_FS_FREE] = (double)(rnd(&seed) % 1000) * 1e9;
			v->fs[m][PROM_FS_AVAIL] = v->fs[m][PROM_FS_FREE] * 0.95;
		}
		str_copy(v->release, odd[(k + 3) % ARRAY_LEN(odd)], sizeof(v->release));
	}
	memset(&pf, 0, sizeof(pf));
	pf.state = PF_READY;
	pf.sampled_at = T0 - 3;
	pf.interval = 15;
	pf.nhosts = nall;
	pf.all_names = all->names;
	pf.all = all->v;
	pf.nall = nall;
	snapshot_put(snap, DOM_PROMFLEET, 0, &pf, sizeof(pf));
}

static void prom_all_free(struct prom_all *all)
{
	free(all->name);
	free(all->names);
	free(all->v);
}

static void varied_free(struct fleet *f, struct snapshot *snap, struct prom_all *all,
			struct rules_state *st, struct evaluation *ev)
{
	evaluation_free(ev);
	rules_state_free(st);
	snapshot_free(snap);
	fleet_free(f);
	prom_all_free(all);
}

/* What the outputs wrote before they were streamed: the §4 document built
 * whole, then dumped by jansson (fmt FMT_JSON) or rendered as csv,
 * openmetrics or (FMT_TEXT here) the classic Prometheus text. */
static char *render_whole(enum out_format fmt, const struct fleet *f, const struct snapshot *s,
			  const struct evaluation *ev, double now)
{
	json_t *doc = out_json_document(f, s, ev, now);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	if (fmt == FMT_JSON) {
		ck_assert_int_eq(json_dumpf(doc, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					    JSON_REAL_PRECISION(15)), 0);
		fputc('\n', fp);
	} else {
		ck_assert_int_eq(fmt == FMT_CSV ? out_csv_doc(fp, doc, true) :
				 out_metrics_doc(fp, doc, fmt == FMT_OPENMETRICS), 0);
	}
	fclose(fp);
	json_decref(doc);
	return buf;
}

static char *dump_whole(const struct fleet *f, const struct snapshot *s,
			const struct evaluation *ev, double now)
{
	return render_whole(FMT_JSON, f, s, ev, now);
}

START_TEST(test_json_streamed_is_the_whole_document)
{
	struct prom_all all;
	struct fleet f;
	struct snapshot snap;
	struct rules_state st = { 0 };
	struct evaluation ev = { 0 };
	char *streamed = NULL, *whole;
	size_t len = 0, line = 1, ncont = 0, ngpus = 0;
	json_error_t err;
	json_t *doc, *h;
	FILE *fp;

	varied_init(&f, &snap, &all, 23);
	rules_state_init(&st, f.nhosts);
	rules_evaluate(&f, &snap, T0, &st, &ev);
	fp = open_memstream(&streamed, &len);
	ck_assert_int_eq(out_json(fp, &f, &snap, &ev, T0), 0);
	fclose(fp);
	whole = dump_whole(&f, &snap, &ev, T0);
	for (size_t i = 0; streamed[i] && streamed[i] == whole[i]; i++)
		line += streamed[i] == '\n';
	ck_assert_msg(strcmp(streamed, whole) == 0, "the streamed document differs from line %zu",
		      line);

	/* the fixture is varied: every domain's array has elements, hosts
	 * have containers and GPUs, odd text was escaped, alerts came */
	doc = json_loads(streamed, 0, &err);
	ck_assert_msg(doc != NULL, "invalid JSON: %s (line %d)", err.text, err.line);
	ck_assert_uint_eq(json_array_size(get(doc, "hosts")), f.nhosts + all.n);
	DOMAINS_FOREACH(dom)
		if (dom->json)
			ck_assert_msg(json_array_size(get(doc, dom->json_key)) > 0, "%s", dom->json_key);
	for (size_t i = 0; i < f.nhosts; i++) {
		h = json_array_get(get(doc, "hosts"), i);
		ncont += json_array_size(get(h, "containers"));
		ngpus += json_array_size(get(h, "gpus"));
	}
	ck_assert_uint_gt(ncont, 1);
	ck_assert_uint_gt(ngpus, 1);
	ck_assert_uint_gt(json_array_size(get(doc, "alerts")), 2);
	ck_assert_str_eq(json_string_value(get(json_array_get(get(doc, "hosts"), f.nhosts + 1), "name")),
			 "quote \" back\\slash /:9101");
	ck_assert_ptr_nonnull(strstr(streamed, "\"quote \\\" back\\\\slash \\/:9101\"") ?:
			      strstr(streamed, "\"quote \\\" back\\\\slash /:9101\""));
	ck_assert_ptr_null(strchr(streamed, '\x1b'));
	/* the problem hosts of the section, named by the server: each has its
	 * name, made inert (no ESC, C1 or bidi control once decoded) */
	h = get(json_array_get(get(doc, "prometheus"), 0), "problem_hosts");
	ck_assert_uint_gt(json_array_size(h), 10);
	for (size_t i = 0; i < json_array_size(h); i++) {
		const char *name = json_string_value(get(json_array_get(h, i), "name"));
		ck_assert_ptr_nonnull(name);
		ck_assert_msg(text_is_clean(name), "problem host %zu: %s", i, name);
	}
	json_decref(doc);

	/* an empty fleet: empty arrays written [] as jansson writes them */
	free(streamed);
	free(whole);
	evaluation_free(&ev);
	rules_state_free(&st);
	snapshot_free(&snap);
	memset(&snap, 0, sizeof(snap));
	memset(&st, 0, sizeof(st));
	rules_state_init(&st, 0);
	rules_evaluate(&f, &snap, T0, &st, &ev);
	fp = open_memstream(&streamed, &len);
	ck_assert_int_eq(out_json(fp, &f, &snap, &ev, T0), 0);
	fclose(fp);
	whole = dump_whole(&f, &snap, &ev, T0);
	ck_assert_str_eq(streamed, whole);
	ck_assert_ptr_nonnull(strstr(streamed, "\"hosts\": [],"));
	free(streamed);
	free(whole);
	varied_free(&f, &snap, &all, &st, &ev);
}
END_TEST

/* The export formats (and --serve-metrics' body, classic and OpenMetrics)
 * written as the document is walked are what the document built whole
 * renders to. */
static int metrics_classic(FILE *fp, const struct fleet *f, const struct snapshot *s,
			   const struct evaluation *ev, double now)
{
	return out_metrics(fp, f, s, ev, now, false);
}

static void exports_compare(size_t nall)
{
	static const out_fn fns[] = { out_csv, out_openmetrics, metrics_classic };
	static const enum out_format fmts[] = { FMT_CSV, FMT_OPENMETRICS, FMT_TEXT };
	static const char *const names[] = { "csv", "openmetrics", "classic text" };
	struct prom_all all;
	struct fleet f;
	struct snapshot snap;
	struct rules_state st = { 0 };
	struct evaluation ev = { 0 };

	varied_init(&f, &snap, &all, nall);
	rules_state_init(&st, f.nhosts);
	rules_evaluate(&f, &snap, T0, &st, &ev);
	for (int k = 0; k < 3; k++) {
		char *streamed = NULL, *whole = render_whole(fmts[k], &f, &snap, &ev, T0);
		size_t len = 0, line = 1;
		FILE *fp = open_memstream(&streamed, &len);

		ck_assert_int_eq(fns[k](fp, &f, &snap, &ev, T0), 0);
		fclose(fp);
		for (size_t i = 0; streamed[i] && streamed[i] == whole[i]; i++)
			line += streamed[i] == '\n';
		ck_assert_msg(strcmp(streamed, whole) == 0, "%zu hosts: %s differs from line %zu",
			      nall, names[k], line);
		/* every kind was written: hosts, their containers and GPUs,
		 * every domain; odd text stayed inert */
		ck_assert_ptr_null(strchr(streamed, '\x1b'));
		if (k == 0) {
			ck_assert_ptr_nonnull(strstr(streamed, ",\"host/quote \"\" back\\slash /:9101\","));
			ck_assert_ptr_nonnull(strstr(streamed, ",container/"));
			ck_assert_ptr_nonnull(strstr(streamed, ",gpu/"));
			ck_assert_ptr_nonnull(strstr(streamed, ",database/"));
		} else {
			ck_assert_ptr_nonnull(strstr(streamed, "fleetdeck_host_status{host=\"quote \\\" back\\\\slash /:9101\""));
			ck_assert_ptr_nonnull(strstr(streamed, "\nfleetdeck_container_"));
			ck_assert_ptr_nonnull(strstr(streamed, "\nfleetdeck_gpu_"));
			ck_assert_ptr_nonnull(strstr(streamed, "\nfleetdeck_database_"));
			ck_assert_ptr_nonnull(strstr(streamed, "\nfleetdeck_alert_since_timestamp_seconds{"));
		}
		free(streamed);
		free(whole);
	}
	varied_free(&f, &snap, &all, &st, &ev);
}

START_TEST(test_exports_streamed_are_the_whole_document)
{
	exports_compare(23);
	/* past SPOOL_CHUNK a family's lines move to the temporary file */
	exports_compare(600);
}
END_TEST

/* Heap bytes in use now (the sanitizers' allocator has its own count). */
static size_t heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

/* A FILE that throws the bytes away and notes the most heap in use
 * whenever stdio hands it a buffer: what the output held meanwhile. */
static ssize_t peak_write(void *cookie, const char *buf, size_t n)
{
	size_t *peak = cookie, now = heap_in_use();

	(void)buf;
	if (now > *peak)
		*peak = now;
	return (ssize_t)n;
}

/* The heap an output (--once --json, csv, openmetrics) of a fleet with
 * nall [prometheus] hosts grows by while it is written. */
static size_t out_growth(out_fn fn, size_t nall)
{
	struct prom_all all;
	struct fleet f;
	struct snapshot snap;
	struct rules_state st = { 0 };
	struct evaluation ev = { 0 };
	size_t base, peak;
	FILE *fp;

	varied_init(&f, &snap, &all, nall);
	rules_state_init(&st, f.nhosts);
	rules_evaluate(&f, &snap, T0, &st, &ev);
	fp = fopencookie(&peak, "w", (cookie_io_functions_t){ .write = peak_write });
	ck_assert_ptr_nonnull(fp);
	fputc('\n', fp);             /* stdio's buffer is allocated before the base */
	fflush(fp);
	peak = base = heap_in_use();
	ck_assert_int_eq(fn(fp, &f, &snap, &ev, T0), 0);
	fclose(fp);
	varied_free(&f, &snap, &all, &st, &ev);
	return peak - base;
}

/* Issue #11: what --once --json holds to write 100,000 hosts must not grow
 * with the fleet (the document built whole was 590 MiB there): ten times
 * the hosts, not even twice the memory. */
START_TEST(test_json_streamed_memory_bounded)
{
	size_t small = out_growth(out_json, 1000), large = out_growth(out_json, 10000);

	ck_assert_msg(large < 2 * small + 4096,
		      "writing 10,000 hosts held %zu bytes more, 1,000 hosts %zu", large, small);
}
END_TEST

/* The same for the export formats, which group their lines by family or
 * kind (out/spool.h): the document built whole was what grew. */
START_TEST(test_exports_streamed_memory_bounded)
{
	static const struct {
		const char *name;
		out_fn fn;
	} fmt[] = { { "csv", out_csv }, { "openmetrics", out_openmetrics } };

	for (size_t k = 0; k < ARRAY_LEN(fmt); k++) {
		size_t small = out_growth(fmt[k].fn, 1000), large = out_growth(fmt[k].fn, 10000);

		ck_assert_msg(large < 2 * small + 4096,
			      "%s: writing 10,000 hosts held %zu bytes more, 1,000 hosts %zu",
			      fmt[k].name, large, small);
	}
}
END_TEST

/* ---- --check ---- */

static void all_ok(struct bench *b)
{
	b->samples[1] = mksample(T0);
	b->samples[2] = mksample(T0);
}

START_TEST(test_check_ok)
{
	struct bench b;

	bench_init(&b);
	all_ok(&b);
	bench_eval(&b);
	ck_assert_int_eq(bench_run(&b, out_check), 0);
	ck_assert_str_eq(b.buf, "FLEETDECK OK - 3 hosts ok | hosts_up=3;;;0;3 hosts_ok=3;;;0;3 "
			 "hosts_warn=0;;;0;3 hosts_crit=0;;;0;3 hosts_unknown=0;;;0;3 "
			 "hosts_stale=0;;;0;3 targets_crit=0;;;0;0 targets_warn=0;;;0;0 "
			 "alerts=0;;;0; oldest_age=0.5s;;;0;\n");
	bench_free(&b);
}
END_TEST

START_TEST(test_check_warning)
{
	struct bench b;

	bench_init(&b);
	all_ok(&b);
	b.samples[0].psi_some10 = 20;
	bench_eval(&b);
	ck_assert_int_eq(bench_run(&b, out_check), 1);
	ck_assert(str_starts(b.buf, "FLEETDECK WARNING - 1 warning | hosts_up=3;;;0;3 "));
	bench_free(&b);
}
END_TEST

START_TEST(test_check_critical)
{
	struct bench b;

	bench_init(&b);
	b.samples[0].psi_some10 = 20;
	bench_eval(&b);
	ck_assert_int_eq(bench_run(&b, out_check), 2);
	ck_assert(str_starts(b.buf, "FLEETDECK CRITICAL - 1 critical, 1 warning, 1 unknown | "
			     "hosts_up=2;;;0;3 hosts_ok=0;;;0;3 hosts_warn=1;;;0;3 "
			     "hosts_crit=1;;;0;3 hosts_unknown=1;;;0;3 "));
	ck_assert_ptr_nonnull(strstr(b.buf, " alerts=3;;;0;"));
	ck_assert(strchr(b.buf, '\n') == b.buf + b.len - 1);    /* one line */
	bench_free(&b);
}
END_TEST

START_TEST(test_check_unknown)
{
	struct bench b;

	bench_init(&b);
	all_ok(&b);
	b.samples[2].sampled_at = T0 - 60;      /* stale */
	bench_eval(&b);
	ck_assert_int_eq(bench_run(&b, out_check), 3);
	ck_assert(str_starts(b.buf, "FLEETDECK UNKNOWN - 1 unknown | hosts_up=2;;;0;3 "));
	ck_assert_ptr_nonnull(strstr(b.buf, " hosts_stale=1;;;0;3 "));
	ck_assert_ptr_nonnull(strstr(b.buf, " oldest_age=60.0s;;;0;"));
	bench_free(&b);
}
END_TEST

START_TEST(test_check_empty_fleet)
{
	struct bench b;

	bench_init(&b);
	b.f.nhosts = 0;
	b.snap.nhosts = 0;
	bench_eval(&b);
	ck_assert_int_eq(bench_run(&b, out_check), 0);
	ck_assert(str_starts(b.buf, "FLEETDECK OK - no hosts | hosts_up=0;;;0;0 "));
	ck_assert_ptr_nonnull(strstr(b.buf, " oldest_age=U;;;0;"));
	bench_free(&b);
}
END_TEST

/* ---- --once table ---- */

START_TEST(test_text_table)
{
	struct bench b;
	char *line;

	bench_init(&b);
	str_copy(b.samples[1].error, "evil \x1b[2J text", sizeof(b.samples[1].error));
	bench_eval(&b);
	ck_assert_int_eq(bench_run(&b, out_text), 0);
	ck_assert(str_starts(b.buf, "cocottetech: crit - 3 hosts: 1 ok, 0 warn, 1 crit, 1 unknown"));
	ck_assert_ptr_null(strchr(b.buf, '\x1b'));
	line = strstr(b.buf, "\nSTATUS ");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, "NAME"));
	ck_assert_ptr_nonnull(strstr(line, "LATENCY"));
	line = strstr(b.buf, "\nok       black  ");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, "0.30 0.20 0.10"));
	ck_assert_ptr_nonnull(strstr(line, "13G/31G"));   /* used of total */
	ck_assert_ptr_nonnull(strstr(line, "45% /"));
	ck_assert_ptr_nonnull(strstr(line, "3.1ms"));
	/* unknown values are dashes, never zeros */
	line = strstr(b.buf, "\ncrit     vps-0    -");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, "never\n"));
	ck_assert_ptr_nonnull(strstr(b.buf, "\nALERT    TARGET"));
	ck_assert_ptr_nonnull(strstr(b.buf, "\ncrit     host/vps-0    unreachable: evil [2J text (for 0s)\n"));
	ck_assert_ptr_nonnull(strstr(b.buf, "\nunknown  host/apricot  disk /srv: cannot read"));
	bench_free(&b);
}
END_TEST

START_TEST(test_text_no_alerts)
{
	struct bench b;

	bench_init(&b);
	all_ok(&b);
	bench_eval(&b);
	ck_assert_int_eq(bench_run(&b, out_text), 0);
	ck_assert(str_ends(b.buf, "\nno alerts\n"));
	bench_free(&b);
}
END_TEST

static Suite *out_suite(void)
{
	Suite *s = suite_create("out");
	TCase *json = tcase_create("json");
	TCase *big = tcase_create("json_big");
	TCase *check = tcase_create("check");
	TCase *text = tcase_create("text");

	tcase_add_test(json, test_json_top_level);
	tcase_add_test(json, test_json_host_full);
	tcase_add_test(json, test_json_nulls_for_unknown);
	tcase_add_test(json, test_json_alerts);
	tcase_add_test(json, test_json_non_utf8_text);
	tcase_add_test(json, test_json_empty_fleet);
	tcase_add_test(json, test_json_streamed_is_the_whole_document);
	suite_add_tcase(s, json);
	/* 11,000 [prometheus] hosts judged and written twice, for each of
	 * three formats, and 600 rendered six times: seconds under the
	 * sanitizers */
	tcase_set_timeout(big, 180);
	tcase_add_test(big, test_exports_streamed_are_the_whole_document);
	tcase_add_test(big, test_json_streamed_memory_bounded);
	tcase_add_test(big, test_exports_streamed_memory_bounded);
	suite_add_tcase(s, big);
	tcase_add_test(check, test_check_ok);
	tcase_add_test(check, test_check_warning);
	tcase_add_test(check, test_check_critical);
	tcase_add_test(check, test_check_unknown);
	tcase_add_test(check, test_check_empty_fleet);
	suite_add_tcase(s, check);
	tcase_add_test(text, test_text_table);
	tcase_add_test(text, test_text_no_alerts);
	suite_add_tcase(s, text);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(out_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
