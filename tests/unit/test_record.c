/* The recording (issue 15): the codec's deltas round-trip and refuse bad
 * values, what the fleet header keeps (never a secret), --at's time
 * parsing, and a replay from memory: state, events, actions and alert
 * starts at given moments, a torn tail. */
#include "config.h"
#include "record/codec.h"
#include "model/fields.h"
#include "record/recfile.h"
#include "record/recorder.h"
#include "record/replay.h"
#include "model/databases.h"
#include "util/util.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define T0 1795392540.0

static const struct domain *dom(const char *name)
{
	const struct domain *d = rec_domain_by_name(name);

	ck_assert_msg(d != NULL, "no recorded domain %s", name);
	return d;
}

static void mkhost(struct host_sample *h)
{
	memset(h, 0, sizeof(*h));
	h->conn = HC_OK;
	h->sampled_at = T0 - 0.25;
	h->valid = HV_LOAD | HV_CPU | HV_MEM | HV_DISKS;
	h->load[0] = 0.5;
	h->load[1] = 0.25;
	h->load[2] = 0.125;
	h->cpu_pct = 12.3456;
	h->mem_total = 33554432000ULL;
	h->mem_available = 20000000000ULL;
	str_copy(h->kernel, "6.1.0", sizeof(h->kernel));
	h->ndisks = 2;
	str_copy(h->disks[0].mount, "/", sizeof(h->disks[0].mount));
	h->disks[0].valid = true;
	h->disks[0].used_pct = 50;
	str_copy(h->disks[1].mount, "/srv", sizeof(h->disks[1].mount));
	h->disks[1].used_pct = 91;
}

START_TEST(test_codec_roundtrip)
{
	struct host_sample h, r;
	json_t *d;

	mkhost(&h);
	d = rec_delta(dom("hosts"), NULL, &h, T0);
	ck_assert_ptr_nonnull(d);
	/* relative times, rounded numbers */
	ck_assert(fabs(json_real_value(json_object_get(d, "sampled_at")) + 0.25) < 1e-9);
	ck_assert(fabs(json_real_value(json_object_get(d, "cpu_pct")) - 12.346) < 1e-9);
	ck_assert_ptr_null(json_object_get(d, "ndisks"));
	memset(&r, 0, sizeof(r));
	rec_apply(dom("hosts"), &r, d, T0, NULL);
	json_decref(d);
	ck_assert_int_eq(r.conn, HC_OK);
	ck_assert(fabs(r.sampled_at - h.sampled_at) < 1e-6);
	ck_assert(r.load[2] == 0.125);
	ck_assert(r.mem_available == h.mem_available);
	ck_assert_str_eq(r.kernel, "6.1.0");
	ck_assert_int_eq(r.ndisks, 2);
	ck_assert_str_eq(r.disks[1].mount, "/srv");
	ck_assert(r.disks[1].used_pct == 91);
	/* nothing changed: no delta at all */
	ck_assert_ptr_null(rec_delta(dom("hosts"), &r, &h, T0 + 1));
}
END_TEST

START_TEST(test_codec_delta_only_changes)
{
	struct host_sample h, r;
	json_t *d;

	mkhost(&h);
	memset(&r, 0, sizeof(r));
	d = rec_delta(dom("hosts"), NULL, &h, T0);
	rec_apply(dom("hosts"), &r, d, T0, NULL);
	json_decref(d);
	h.cpu_pct = 80;
	h.ndisks = 1;                       /* /srv went away */
	memset(&h.disks[1], 0, sizeof(h.disks[1]));
	d = rec_delta(dom("hosts"), &r, &h, T0 + 2);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq((int)json_object_size(d), 2);
	ck_assert_ptr_nonnull(json_object_get(d, "cpu_pct"));
	ck_assert_int_eq((int)json_array_size(json_object_get(d, "disks")), 1);
	rec_apply(dom("hosts"), &r, d, T0 + 2, NULL);
	json_decref(d);
	ck_assert(r.cpu_pct == 80);
	ck_assert_int_eq(r.ndisks, 1);
	ck_assert_str_eq(r.disks[0].mount, "/");
	ck_assert_str_eq(r.disks[1].mount, "");
	/* the time stayed: still the same absolute sampled_at */
	ck_assert(fabs(r.sampled_at - (T0 - 0.25)) < 1e-6);
}
END_TEST

START_TEST(test_codec_refuses_bad_values)
{
	struct host_sample r;
	int refused = 0;
	json_error_t e;
	json_t *bad = json_loads("{\"cores\":\"x\",\"mem_total\":-5,\"load\":[1,2],\"conn\":1e300,"
				 "\"sampled_at\":1e300,\"valid\":-1,\"kernel\":7,\"unknown_field\":1,"
				 "\"error\":\"a\\u001b[31mred\"}", 0, &e);
	json_t *many = json_array();

	ck_assert_ptr_nonnull(bad);
	memset(&r, 0, sizeof(r));
	r.cores = 4;
	rec_apply(dom("hosts"), &r, bad, T0, &refused);
	ck_assert_int_eq(refused, 7);
	ck_assert_int_eq(r.cores, 4);
	ck_assert(r.mem_total == 0);
	ck_assert(r.sampled_at == 0);
	/* remote text stays inert */
	ck_assert_ptr_null(strchr(r.error, 0x1b));
	/* an array longer than the struct holds is cut to its capacity */
	for (int i = 0; i < 100; i++)
		json_array_append_new(many, json_pack("{s:s}", "mount", "/x"));
	json_object_set_new(bad, "disks", many);
	rec_apply(dom("hosts"), &r, bad, T0, NULL);
	ck_assert_int_eq(r.ndisks, MODEL_MAX_DISKS);
	json_decref(bad);
}
END_TEST

/* Every recorded row of the domain table: its fields lie inside its sample,
 * have one name each, and a keyframe of a sample with every plain field
 * set names each of them and applies back to the same bytes. */
START_TEST(test_codec_every_domain)
{
	size_t ndom = 0;

	REC_DOMAINS_FOREACH(d) {
		const struct rec_desc *desc = d->record;
		unsigned char *cur = xcalloc(1, d->sample_size), *back = xcalloc(1, d->sample_size);
		size_t plain = 0;
		json_t *k;

		ndom++;
		ck_assert_ptr_eq(rec_domain_by_name(d->json_key), d);
		for (size_t i = 0; i < desc->n; i++) {
			const struct rec_field *f = &desc->f[i];
			unsigned char *p = cur + f->off;
			size_t span = f->type == RF_ARR ? (size_t)f->max * f->size :
				      (size_t)(f->n > 1 ? f->n : 1) * f->size;

			ck_assert_msg(f->off + span <= d->sample_size, "%s.%s", d->name, f->name);
			for (size_t j = 0; j < i; j++)
				ck_assert_str_ne(desc->f[j].name, f->name);
			plain += f->type != RF_ARR;
			switch (f->type) {
			case RF_DBL:
				for (int v = 0; v < (f->n > 1 ? f->n : 1); v++)
					((double *)(void *)p)[v] = 1.5 + v;
				break;
			case RF_TIME: { double t = T0 - 1; memcpy(p, &t, sizeof(t)); break; }
			case RF_U64: { uint64_t u = 7; memcpy(p, &u, sizeof(u)); break; }
			case RF_INT: { int v = 3; memcpy(p, &v, sizeof(v)); break; }
			case RF_UINT: { unsigned v = 5; memcpy(p, &v, sizeof(v)); break; }
			case RF_BOOL: { bool v = true; memcpy(p, &v, sizeof(v)); break; }
			case RF_STR: memcpy(p, "x", 2); break;
			case RF_ARR: break;
			}
		}
		k = rec_delta(d, NULL, cur, T0);
		ck_assert_ptr_nonnull(k);
		ck_assert_uint_eq(json_object_size(k), plain);
		rec_apply(d, back, k, T0, NULL);
		json_decref(k);
		ck_assert_msg(memcmp(back, cur, d->sample_size) == 0, "%s round trip", d->name);
		free(cur);
		free(back);
	}
	ck_assert_uint_ge(ndom, DOM__COUNT - 1);
}
END_TEST

START_TEST(test_parse_time)
{
	double t;

	ck_assert_int_eq(parse_time("1795392540", &t), 0);
	ck_assert(t == 1795392540.0);
	ck_assert_int_eq(parse_time("1795392540.25", &t), 0);
	ck_assert(t == 1795392540.25);
	ck_assert_int_eq(parse_time("2026-11-23T00:09:00Z", &t), 0);
	ck_assert(t == 1795392540.0);
	ck_assert_int_eq(parse_time("2026-11-23T01:09:00+01:00", &t), 0);
	ck_assert(t == 1795392540.0);
	ck_assert_int_eq(parse_time("2026-11-22T19:09-0500", &t), 0);
	ck_assert(t == 1795392540.0);
	ck_assert_int_eq(parse_time("2026-11-23 00:09:00.5Z", &t), 0);
	ck_assert(t == 1795392540.5);
	ck_assert_int_eq(parse_time("2026-11-23", &t), -1);
	ck_assert_int_eq(parse_time("yesterday", &t), -1);
	ck_assert_int_eq(parse_time("2026-13-01T00:00Z", &t), -1);
	ck_assert_int_eq(parse_time("-5", &t), -1);
}
END_TEST

/* What the timeline and messages show is what --at reads back. */
START_TEST(test_format_time)
{
	static const char *const zones[] = { "UTC0", "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT", "IST-5:30" };
	char buf[40];
	double t;

	ck_assert_str_eq(format_time_iso(buf, sizeof(buf), 1795392540.25, true), "2026-11-23T00:09:00.250Z");
	ck_assert_str_eq(format_time_iso(buf, sizeof(buf), 1795392540.9996, true), "2026-11-23T00:09:01.000Z");
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (double x = 1795392540.125; x < 1795392540.125 + 200 * 86400; x += 86400 * 7.3) {
			ck_assert_int_eq(parse_time(format_time_iso(buf, sizeof(buf), x, false), &t), 0);
			ck_assert_msg(fabs(t - x) < 1e-6, "%s in %s read back as %.3f, not %.3f", buf, zones[z], t, x);
		}
	}
	setenv("TZ", "IST-5:30", 1);
	tzset();
	ck_assert_str_eq(format_time_iso(buf, sizeof(buf), 1795392540.0, false), "2026-11-23T05:39:00.000+05:30");
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(test_fleet_text_keeps_no_secrets)
{
	static const char conf[] =
		"[fleet f]\naudit_log = /tmp/audit.log\n"
		"[host a]\nssh = ops@10.0.0.1\nidentity_file = /k/id\nrole = db tier\nram_reserve = 1G\n"
		"[database pg]\ndsn = host=10.0.0.1 user=monitor\npassword_file = /k/pgpass\nrpo = 15m\n"
		"[backup b]\nsource = command\nhost = a\ncommand = curl -H 'Authorization: Bearer s3cr3t' x\nrpo = 1h\n"
		"[runners r]\nprovider = digitalocean\ntoken_file = /k/do\ntag = t\nmax = 4\n"
		"status = forgejo https://f.example token_file=/k/fj\n";
	struct fleet f, g;
	struct fleet_diags d = { 0 };
	char *text;
	json_t *hosts;

	fleet_load_buffer("t.fleet", conf, sizeof(conf) - 1, &f, &d);
	fleet_diags_free(&d);
	text = rec_fleet_text(&f);
	ck_assert_ptr_null(strstr(text, "s3cr3t"));
	ck_assert_ptr_null(strstr(text, "/k/"));
	ck_assert_ptr_null(strstr(text, "user=monitor"));
	ck_assert_ptr_null(strstr(text, "/tmp/audit.log"));
	ck_assert_ptr_nonnull(strstr(text, "role = db tier\n"));
	ck_assert_ptr_nonnull(strstr(text, "rpo = 15m\n"));
	/* and it reads back as the same fleet, for the rules and views */
	hosts = rec_fleet_hosts(&f);
	rec_fleet_load(&g, "f", text, hosts);
	json_decref(hosts);
	ck_assert_int_eq((int)g.nhosts, 1);
	ck_assert_str_eq(g.hosts[0].role, "db tier");
	ck_assert(g.hosts[0].ram_reserve == 1073741824);
	ck_assert_int_eq((int)fleet_count(&g, SEC_BACKUP), 1);
	ck_assert(g.read_only);
	free(text);
	fleet_free(&f);
	fleet_free(&g);
}
END_TEST

/* A small recording of every domain (tests/fuzz/corpus/record/domains.jsonl
 * without its first byte), compressed here as the recorder does: one
 * frame, flushed after every line. */
static void *load_recording(size_t *len)
{
	FILE *fp = fopen(SRCDIR "/tests/fuzz/corpus/record/domains.jsonl", "rb");
	char buf[8192];
	size_t n, cap;
	unsigned char *z;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_outBuffer out;

	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	cap = ZSTD_compressBound(n) * 4 + 1024;
	z = xmalloc(cap);
	out = (ZSTD_outBuffer){ z, cap, 0 };
	for (char *line = buf + 1, *nl; line < buf + n; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + n - line));
		ck_assert_ptr_nonnull(nl);
		ZSTD_inBuffer in = { line, (size_t)(nl + 1 - line), 0 };
		size_t left;
		do
			left = ZSTD_compressStream2(cc, &out, &in, nl + 1 < buf + n ? ZSTD_e_flush : ZSTD_e_end);
		while (left && !ZSTD_isError(left));
		ck_assert(!ZSTD_isError(left));
	}
	ZSTD_freeCCtx(cc);
	*len = out.pos;
	return z;
}

static const struct alert *find_alert(const struct evaluation *ev, const char *target)
{
	for (size_t i = 0; i < ev->nalerts; i++)
		if (strcmp(ev->alerts[i].target, target) == 0)
			return &ev->alerts[i];
	return NULL;
}

START_TEST(test_replay_moments)
{
	struct replay rp;
	struct evaluation ev = { 0 };
	char err[256];
	size_t len;
	void *z = load_recording(&len);
	int b;

	ck_assert_int_eq(replay_open_mem(&rp, z, len, err, sizeof(err)), 0);
	ck_assert_str_eq(rp.problems, "");
	ck_assert(rp.t0 == T0 && rp.t1 == T0 + 4);
	ck_assert_int_eq((int)rp.nframes, 1);
	ck_assert_int_eq((int)rp.nevents, 1);
	ck_assert_str_eq(rp.events[0].target, "host/b");
	ck_assert_int_eq(rp.events[0].to, ST_OK);
	ck_assert_int_eq((int)rp.nactions, 1);
	ck_assert_str_eq(rp.actions[0].result, "succeeded");
	ck_assert_str_eq(rp.actions[0].params, "{\"count\":2}");
	/* the discovered host came back from the header */
	ck_assert_int_eq((int)rp.f.nhosts, 3);
	ck_assert_int_ge(fleet_host_index(&rp.f, "p1"), 0);
	b = fleet_host_index(&rp.f, "b");

	ck_assert_int_eq(replay_seek(&rp, T0 - 1), -1);
	ck_assert_int_eq(replay_seek(&rp, T0 + 1), 0);
	rules_evaluate(&rp.f, &rp.snap, T0 + 1, &rp.st, &ev);
	ck_assert_int_eq(ev.hosts[b].status, ST_CRIT);
	/* the alert started before the keyframe: its live start is kept */
	ck_assert_ptr_nonnull(find_alert(&ev, "host/b"));
	ck_assert(find_alert(&ev, "host/b")->since == T0 - 60);
	ck_assert(snap_host(&rp.snap, 0)->cpu_pct == 5);

	ck_assert_int_eq(replay_seek(&rp, T0 + 3), 0);
	rules_evaluate(&rp.f, &rp.snap, T0 + 3, &rp.st, &ev);
	ck_assert_int_eq(ev.hosts[b].status, ST_OK);
	ck_assert(snap_host(&rp.snap, 0)->cpu_pct == 7);
	ck_assert_int_eq(snap_host(&rp.snap, 0)->ndisks, 1);

	/* back in time: from the keyframe again */
	ck_assert_int_eq(replay_seek(&rp, T0), 0);
	ck_assert(snap_host(&rp.snap, 0)->cpu_pct == 5);
	ck_assert_int_eq(replay_seek(&rp, T0 + 10), 0);
	ck_assert_int_eq(snap_host(&rp.snap, 0)->ndisks, 0);
	ck_assert_int_eq(snap_containers(&rp.snap, 0)->n, 0);
	ck_assert_int_eq(rp.refused, 0);

	ck_assert_int_eq((int)replay_event_after(&rp, T0), 0);
	ck_assert_int_eq((int)replay_event_after(&rp, T0 + 2), -1);
	ck_assert_int_eq((int)replay_event_before(&rp, T0 + 3), 0);
	evaluation_free(&ev);
	replay_close(&rp);
	free(z);
}
END_TEST

START_TEST(test_replay_torn)
{
	struct replay rp;
	char err[256];
	size_t len, cut;
	void *z = load_recording(&len);

	/* cut inside the last record's bytes: that record is skipped, all
	 * before it replays (the first cut that loses it, scanning back) */
	for (cut = len - 1; cut > 0; cut--) {
		ck_assert_int_eq(replay_open_mem(&rp, z, cut, err, sizeof(err)), 0);
		if (rp.t1 < T0 + 4)
			break;
		replay_close(&rp);
	}
	ck_assert_msg(len - cut < 200, "the last record was lost %zu bytes before the end", len - cut);
	ck_assert_ptr_nonnull(strstr(rp.problems, "ends in the middle of a record"));
	ck_assert(rp.t1 == T0 + 3);
	ck_assert_int_eq((int)rp.nevents, 1);
	ck_assert_int_eq((int)rp.nactions, 1);
	ck_assert_int_eq(replay_seek(&rp, rp.t1), 0);
	ck_assert_int_eq(snap_host(&rp.snap, 0)->ndisks, 1);     /* the lost round emptied it */
	ck_assert(snap_host(&rp.snap, 0)->cpu_pct == 7);
	replay_close(&rp);
	/* garbage: a clear error, no crash */
	ck_assert_int_eq(replay_open_mem(&rp, "not zstd at all", 15, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a fleetdeck recording"));
	free(z);
}
END_TEST

/* A database found through [prometheus] that goes while another is found:
 * the new one may take its model row between two records. The replay
 * must show the new one whole and the old one gone, never the new name
 * on the old one's row with only the fields that differed. */
START_TEST(test_found_row_taken_over)
{
	static const char text[] = "[host a]\nrole = r\n[prometheus p]\n"
				   "url = http://127.0.0.1:1\npostgres = {job=\"postgres\"}\n";
	char dir[] = "/tmp/fd-rec-XXXXXX", path[64], err[256];
	struct recorder_opts o = { .period = 0.05 };
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct model m;
	struct recorder *r;
	struct replay rp;
	double now = (double)time(NULL);
	struct db_sample s = { .collected = true, .up = true, .interval = 2, .valid = DBV_CONNECTIONS,
			       .connections = 7, .prometheus = 1, .host = "a" };
	int seen_b = 0, seen_a = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	str_fmt(path, sizeof(path), "%s/rec", dir);
	o.path = path;
	ck_assert_int_eq(fleet_load_buffer("u.fleet", text, strlen(text), &f, &d), 0);
	model_init_fleet(&m, &f);
	model_resize(&m, DOM_DATABASE, 1, false);
	s.sampled_at = s.attempted_at = now;
	str_copy(s.name, "a:9187", sizeof(s.name));
	model_put(&m, DOM_DATABASE, 0, &s, sizeof(s));
	ck_assert_ptr_nonnull(r = recorder_start(&o, &f, &m, err, sizeof(err)));
	usleep(1000 * 1000);         /* some records of a:9187 */
	str_copy(s.name, "b:9187", sizeof(s.name));
	model_put(&m, DOM_DATABASE, 0, &s, sizeof(s));
	usleep(1000 * 1000);
	recorder_stop(r);

	ck_assert_int_eq(replay_open(&rp, path, err, sizeof(err)), 0);
	ck_assert_int_eq(replay_seek(&rp, rp.t1), 0);
	for (size_t i = 0; i < snapshot_count(&rp.snap, DOM_DATABASE); i++) {
		const struct db_sample *x = snap_database(&rp.snap, i);
		if (strcmp(x->name, "a:9187") == 0)
			seen_a++;
		if (strcmp(x->name, "b:9187") != 0)
			continue;
		seen_b++;
		ck_assert_msg(x->collected && x->up && x->connections == 7 &&
			      strcmp(x->host, "a") == 0, "b:9187 replayed partly: up %d, %d connections",
			      x->up, x->connections);
	}
	ck_assert_int_eq(seen_b, 1);
	ck_assert_int_eq(seen_a, 0);
	replay_close(&rp);
	unlink(path);
	rmdir(dir);
	model_free(&m);
	fleet_diags_free(&d);
	fleet_free(&f);
}
END_TEST

static bool has_problem(const struct target_eval *t, const char *code, const char *text)
{
	for (int p = 0; t && p < t->ev.nproblems; p++)
		if (!strcmp(t->ev.problems[p].code, code) && !strcmp(t->ev.problems[p].text, text))
			return true;
	return false;
}

/* A container whose inspect failed (unread) and one whose numbers were
 * refused (implausible) are unknown with their reasons on the screen: the
 * replay must show them so, never ok from the list alone. Once an inspect
 * answers the reasons are gone on replay too; a recording made before the
 * fields were recorded replays them empty; recorded text is inert and
 * bounded. */
START_TEST(test_container_reasons_replayed)
{
	static const char text[] = "[host a]\nrole = r\n";
	static const char why[] = "inspect timed out after 5 s";
	static const char odd[] = "memory limit refused: 1e+30 bytes is not plausible";
	char dir[] = "/tmp/fd-rec-XXXXXX", path[64], err[256], big[400];
	struct recorder_opts o = { .period = 0.05 };
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct model m;
	struct recorder *r;
	struct replay rp;
	struct evaluation ev = { 0 };
	struct host_sample h;
	struct host_containers *hc = xcalloc(1, sizeof(*hc)), *back = xcalloc(1, sizeof(*hc));
	const struct host_containers *x;
	const struct target_eval *t;
	double now = now_wall(), answered;
	json_t *dirty;
	size_t len;
	void *z;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	str_fmt(path, sizeof(path), "%s/rec", dir);
	o.path = path;
	ck_assert_int_eq(fleet_load_buffer("u.fleet", text, strlen(text), &f, &d), 0);
	model_init_fleet(&m, &f);
	mkhost(&h);
	h.sampled_at = now;
	h.interval = 2;
	model_publish_host(&m, 0, &h);
	hc->collected = true;
	hc->sampled_at = now;
	hc->interval = 2;
	hc->n = hc->total = 2;
	/* as ctrp_unread leaves it: the list's name and state, nothing else */
	str_copy(hc->c[0].id, "b3b8e1f6a0c2", sizeof(hc->c[0].id));
	str_copy(hc->c[0].name, "web", sizeof(hc->c[0].name));
	str_copy(hc->c[0].state, "running", sizeof(hc->c[0].state));
	str_copy(hc->c[0].unread, why, sizeof(hc->c[0].unread));
	str_copy(hc->c[1].id, "4cb07b47f9fb", sizeof(hc->c[1].id));
	str_copy(hc->c[1].name, "db", sizeof(hc->c[1].name));
	str_copy(hc->c[1].state, "running", sizeof(hc->c[1].state));
	hc->c[1].valid = CV_MEM | CV_CPU | CV_RESTARTS;
	hc->c[1].mem_used = 1 << 20;
	str_copy(hc->c[1].implausible, odd, sizeof(hc->c[1].implausible));
	model_put(&m, DOM_CONTAINER, 0, hc, host_containers_size(hc));
	ck_assert_ptr_nonnull(r = recorder_start(&o, &f, &m, err, sizeof(err)));
	usleep(800 * 1000);
	/* the next round's inspect answers: no reason left */
	answered = now_wall();
	hc->c[0].unread[0] = '\0';
	hc->c[0].valid = CV_MEM | CV_CPU | CV_RESTARTS;
	hc->c[1].implausible[0] = '\0';
	model_put(&m, DOM_CONTAINER, 0, hc, host_containers_size(hc));
	usleep(800 * 1000);
	recorder_stop(r);

	ck_assert_int_eq(replay_open(&rp, path, err, sizeof(err)), 0);
	ck_assert_int_eq(replay_seek(&rp, answered - 0.3), 0);
	x = snap_containers(&rp.snap, 0);
	ck_assert_int_eq(x->n, 2);
	ck_assert_str_eq(x->c[0].unread, why);
	ck_assert_str_eq(x->c[1].implausible, odd);
	ck_assert_str_eq(x->c[0].implausible, "");
	ck_assert_str_eq(x->c[1].unread, "");
	rules_evaluate(&rp.f, &rp.snap, answered - 0.3, &rp.st, &ev);
	t = rules_target_find(&ev, DOM_CONTAINER, 0, 0);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->target, "container/a/web");
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	ck_assert(has_problem(t, "inspect", why));
	t = rules_target_find(&ev, DOM_CONTAINER, 0, 1);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	ck_assert(has_problem(t, "implausible", odd));
	/* after the inspect answered: the usual rows, on replay too */
	ck_assert_int_eq(replay_seek(&rp, rp.t1), 0);
	x = snap_containers(&rp.snap, 0);
	ck_assert_str_eq(x->c[0].unread, "");
	ck_assert_str_eq(x->c[1].implausible, "");
	rules_evaluate(&rp.f, &rp.snap, rp.t1, &rp.st, &ev);
	ck_assert_int_eq(rules_target_find(&ev, DOM_CONTAINER, 0, 0)->ev.status, ST_OK);
	ck_assert_int_eq(rules_target_find(&ev, DOM_CONTAINER, 0, 1)->ev.status, ST_OK);
	replay_close(&rp);
	unlink(path);
	rmdir(dir);

	/* an older recording has neither field: empty, the row as recorded */
	z = load_recording(&len);
	ck_assert_int_eq(replay_open_mem(&rp, z, len, err, sizeof(err)), 0);
	ck_assert_int_eq(replay_seek(&rp, T0 + 1), 0);
	x = snap_containers(&rp.snap, 0);
	ck_assert_int_eq(x->n, 1);
	ck_assert_str_eq(x->c[0].name, "web");
	ck_assert_str_eq(x->c[0].unread, "");
	ck_assert_str_eq(x->c[0].implausible, "");
	ck_assert_int_eq(rp.refused, 0);
	replay_close(&rp);
	free(z);

	/* recorded text stays inert and within the field */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dirty = json_pack("{s:[{s:s,s:s}]}", "c", "unread", "a\x1b[31mred\xc2\x9b\n", "implausible", big);
	ck_assert_ptr_nonnull(dirty);
	rec_apply(dom("containers"), back, dirty, T0, NULL);
	json_decref(dirty);
	ck_assert_int_eq(back->n, 1);
	ck_assert_ptr_null(strchr(back->c[0].unread, 0x1b));
	ck_assert_ptr_null(strchr(back->c[0].unread, '\n'));
	ck_assert_str_eq(back->c[0].unread, "a[31mred ");
	ck_assert_uint_eq(strlen(back->c[0].implausible), sizeof(back->c[0].implausible) - 1);

	evaluation_free(&ev);
	free(hc);
	free(back);
	model_free(&m);
	fleet_diags_free(&d);
	fleet_free(&f);
}
END_TEST

/* A host, a database and a GPU whose values were refused (implausible)
 * are unknown with that reason on the screen: the replay must show them
 * so, never ok from the other fields alone. Once the values read well the
 * reason is gone on replay too; a recording made before the field was
 * recorded replays it empty; recorded text is inert and bounded. */
START_TEST(test_implausible_replayed)
{
	static const char text[] = "[host a]\nrole = r\ngpus = nvidia\n"
				   "[database pg]\ndsn = host=127.0.0.1 user=m\n";
	static const char hodd[] = "load refused: -3 is not plausible";
	static const char dodd[] = "connections refused: 9e+12 of 100 is not plausible";
	static const char godd[] = "temperature refused: 9000 C is not plausible";
	char dir[] = "/tmp/fd-rec-XXXXXX", path[64], err[256], gtext[200], big[400];
	struct recorder_opts o = { .period = 0.05 };
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct model m;
	struct recorder *r;
	struct replay rp;
	struct evaluation ev = { 0 };
	struct host_sample h, hb;
	struct db_sample s = { .collected = true, .up = true, .interval = 2, .valid = DBV_CONNECTIONS,
			       .connections = 7, .max_connections = 100 };
	struct db_sample db;
	struct host_gpus *hg = xcalloc(1, sizeof(*hg)), *gb = xcalloc(1, sizeof(*gb));
	const struct target_eval *t;
	double now = now_wall(), fixed;
	json_t *dirty;
	size_t len;
	void *z;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	str_fmt(path, sizeof(path), "%s/rec", dir);
	o.path = path;
	ck_assert_int_eq(fleet_load_buffer("u.fleet", text, strlen(text), &f, &d), 0);
	model_init_fleet(&m, &f);
	mkhost(&h);
	h.ndisks = 1;
	h.sampled_at = now;
	h.interval = 2;
	h.valid &= ~(unsigned)HV_LOAD;       /* as the probe leaves a refused value */
	str_copy(h.implausible, hodd, sizeof(h.implausible));
	model_publish_host(&m, 0, &h);
	s.sampled_at = s.attempted_at = now;
	str_copy(s.implausible, dodd, sizeof(s.implausible));
	model_put(&m, DOM_DATABASE, 0, &s, sizeof(s));
	hg->collected = true;
	hg->source = GPU_SRC_NVIDIA;
	hg->sampled_at = hg->attempted_at = now;
	hg->interval = 2;
	hg->n = 1;
	hg->g[0].index = 0;
	str_copy(hg->g[0].name, "NVIDIA L4", sizeof(hg->g[0].name));
	str_copy(hg->g[0].uuid, "GPU-1f2e", sizeof(hg->g[0].uuid));
	hg->g[0].valid = GV_NAME | GV_UTIL;
	hg->g[0].util_pct = 40;
	str_copy(hg->g[0].implausible, godd, sizeof(hg->g[0].implausible));
	model_put(&m, DOM_GPU, 0, hg, host_gpus_size(hg));
	ck_assert_ptr_nonnull(r = recorder_start(&o, &f, &m, err, sizeof(err)));
	usleep(800 * 1000);
	/* the next round reads well: no reason left */
	fixed = now_wall();
	h.implausible[0] = '\0';
	h.valid |= HV_LOAD;
	model_publish_host(&m, 0, &h);
	s.implausible[0] = '\0';
	model_put(&m, DOM_DATABASE, 0, &s, sizeof(s));
	hg->g[0].implausible[0] = '\0';
	model_put(&m, DOM_GPU, 0, hg, host_gpus_size(hg));
	usleep(800 * 1000);
	recorder_stop(r);

	ck_assert_int_eq(replay_open(&rp, path, err, sizeof(err)), 0);
	ck_assert_int_eq(replay_seek(&rp, fixed - 0.3), 0);
	ck_assert_str_eq(snap_host(&rp.snap, 0)->implausible, hodd);
	ck_assert_str_eq(snap_database(&rp.snap, 0)->implausible, dodd);
	ck_assert_int_eq(snap_gpus(&rp.snap, 0)->n, 1);
	ck_assert_str_eq(snap_gpus(&rp.snap, 0)->g[0].implausible, godd);
	rules_evaluate(&rp.f, &rp.snap, fixed - 0.3, &rp.st, &ev);
	ck_assert_int_eq(ev.hosts[0].status, ST_UNKNOWN);
	{
		struct target_eval ht = { .ev = ev.hosts[0] };
		ck_assert(has_problem(&ht, "implausible", hodd));
	}
	t = rules_target_find(&ev, DOM_DATABASE, 0, -1);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->target, "database/pg");
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	ck_assert(has_problem(t, "implausible", dodd));
	t = rules_target_find(&ev, DOM_GPU, 0, 0);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->target, "gpu/a/0");
	ck_assert_int_eq(t->ev.status, ST_UNKNOWN);
	str_fmt(gtext, sizeof(gtext), "GPU 0: %s", godd);
	ck_assert(has_problem(t, "gpu-implausible", gtext));
	/* after the values read well: the usual rows, on replay too */
	ck_assert_int_eq(replay_seek(&rp, rp.t1), 0);
	ck_assert_str_eq(snap_host(&rp.snap, 0)->implausible, "");
	ck_assert_str_eq(snap_database(&rp.snap, 0)->implausible, "");
	ck_assert_str_eq(snap_gpus(&rp.snap, 0)->g[0].implausible, "");
	rules_evaluate(&rp.f, &rp.snap, rp.t1, &rp.st, &ev);
	ck_assert_int_eq(ev.hosts[0].status, ST_OK);
	ck_assert_int_eq(rules_target_find(&ev, DOM_DATABASE, 0, -1)->ev.status, ST_OK);
	ck_assert_int_eq(rules_target_find(&ev, DOM_GPU, 0, 0)->ev.status, ST_OK);
	replay_close(&rp);
	unlink(path);
	rmdir(dir);

	/* an older recording has no such field: empty, the rows as recorded */
	z = load_recording(&len);
	ck_assert_int_eq(replay_open_mem(&rp, z, len, err, sizeof(err)), 0);
	ck_assert_int_eq(replay_seek(&rp, T0 + 1), 0);
	ck_assert(snap_host(&rp.snap, 0)->cpu_pct == 5);
	ck_assert_str_eq(snap_host(&rp.snap, 0)->implausible, "");
	ck_assert_int_eq(snap_database(&rp.snap, 0)->connections, 95);
	ck_assert_str_eq(snap_database(&rp.snap, 0)->implausible, "");
	ck_assert_int_eq(snap_gpus(&rp.snap, 0)->n, 1);
	ck_assert_str_eq(snap_gpus(&rp.snap, 0)->g[0].implausible, "");
	ck_assert_int_eq(rp.refused, 0);
	replay_close(&rp);
	free(z);

	/* recorded text stays inert and within the field */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&hb, 0, sizeof(hb));
	dirty = json_pack("{s:s}", "implausible", "a\x1b[31mred\xc2\x9b\n");
	rec_apply(dom("hosts"), &hb, dirty, T0, NULL);
	json_decref(dirty);
	ck_assert_str_eq(hb.implausible, "a[31mred ");
	memset(&db, 0, sizeof(db));
	dirty = json_pack("{s:s}", "implausible", big);
	rec_apply(dom("databases"), &db, dirty, T0, NULL);
	json_decref(dirty);
	ck_assert_uint_eq(strlen(db.implausible), sizeof(db.implausible) - 1);
	dirty = json_pack("{s:[{s:s}]}", "g", "implausible", big);
	rec_apply(dom("gpus"), gb, dirty, T0, NULL);
	json_decref(dirty);
	ck_assert_int_eq(gb->n, 1);
	ck_assert_uint_eq(strlen(gb->g[0].implausible), sizeof(gb->g[0].implausible) - 1);

	evaluation_free(&ev);
	free(hg);
	free(gb);
	model_free(&m);
	fleet_diags_free(&d);
	fleet_free(&f);
}
END_TEST

static Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *c = tcase_create("codec");
	TCase *r = tcase_create("replay");

	tcase_add_test(c, test_codec_roundtrip);
	tcase_add_test(c, test_codec_delta_only_changes);
	tcase_add_test(c, test_codec_refuses_bad_values);
	tcase_add_test(c, test_codec_every_domain);
	tcase_add_test(c, test_parse_time);
	tcase_add_test(c, test_format_time);
	tcase_add_test(c, test_fleet_text_keeps_no_secrets);
	tcase_add_test(r, test_replay_moments);
	tcase_add_test(r, test_replay_torn);
	tcase_add_test(r, test_found_row_taken_over);
	tcase_add_test(r, test_container_reasons_replayed);
	tcase_add_test(r, test_implausible_replayed);
	tcase_set_timeout(r, 30);
	suite_add_tcase(s, c);
	suite_add_tcase(s, r);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(record_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
