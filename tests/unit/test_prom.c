/* The Prometheus HTTP API parsers on recorded answers (tests/data/prometheus,
 * shaped as the API documentation and Prometheus 2.42 give them): instant
 * vectors, NaN/Inf values, error documents, other result types, the series
 * list, active targets; answers fed in pieces; the JSON grammar; and the
 * PromQL builders that must never let a value break a query. */
#include "config.h"
#include "collect/prom_exporters.h"
#include "collect/prom_parse.h"
#include "util/util.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *name, size_t *len)
{
	char *path = xasprintf("%s/tests/data/prometheus/%s", SRCDIR, name);
	FILE *fp = fopen(path, "rb");
	char *buf;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	buf = xcalloc(1, 65536);
	*len = fread(buf, 1, 65535, fp);
	fclose(fp);
	free(path);
	return buf;
}

/* What a reader passed on, kept for the assertions. */
struct got {
	size_t n;
	char host[16][64], extra[16][64];
	double value[16], ts[16];
	bool cut[16];
};

static void collect(void *arg, const struct prom_sample *s)
{
	struct got *g = arg;

	if (g->n >= 16)
		return;
	str_copy(g->host[g->n], s->label[0], sizeof(g->host[0]));
	str_copy(g->extra[g->n], s->label[1], sizeof(g->extra[0]));
	g->value[g->n] = s->value;
	g->ts[g->n] = s->ts;
	g->cut[g->n] = s->cut;
	g->n++;
}

/* Reads body fed in pieces of `step` bytes (0: all at once). */
static int read_pieces(enum prom_doc doc, const char *body, size_t len, size_t step,
		       const char *extra, struct got *g, double *eval, char *err, size_t errlen)
{
	struct prom_reader r;
	const char *want[] = { "instance", extra, NULL };
	int rc;

	memset(g, 0, sizeof(*g));
	prom_reader_init(&r, doc, want, collect, g);
	for (size_t off = 0; off < len; off += step ? step : len)
		if (prom_reader_feed(&r, body + off, step && len - off > step ? step : len - off) < 0)
			break;
	rc = prom_reader_finish(&r, err, errlen);
	if (eval)
		*eval = r.eval_time;
	return rc;
}

static int parse_file(const char *name, const char *extra, struct got *g, double *eval,
		      char *err, size_t errlen)
{
	size_t len;
	char *body = slurp(name, &len);
	int rc = read_pieces(PROM_DOC_VECTOR, body, len, 0, extra, g, eval, err, errlen);

	free(body);
	return rc;
}

START_TEST(vector_up)
{
	struct got g;
	double eval;
	char err[256];

	ck_assert_int_eq(parse_file("query_up.json", NULL, &g, &eval, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.host[0], "127.0.70.2:9100");
	ck_assert_str_eq(g.extra[0], "");
	ck_assert(g.value[1] == 0.0);
	ck_assert(g.value[2] == 1.0);
	ck_assert(fabs(eval - 1714000000.123) < 1e-6);
}
END_TEST

START_TEST(vector_labels_and_specials)
{
	struct got g;
	double eval;
	char err[256];

	ck_assert_int_eq(parse_file("query_fs.json", "mountpoint", &g, &eval, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_str_eq(g.extra[1], "/");
	ck_assert(g.value[0] == 52521566208.0);

	ck_assert_int_eq(parse_file("query_cpu_nan.json", NULL, &g, &eval, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 4);
	ck_assert(g.value[0] == 12.5);
	ck_assert(isnan(g.value[1]));
	ck_assert(isinf(g.value[2]) && g.value[2] > 0);
	ck_assert(isinf(g.value[3]) && g.value[3] < 0);

	ck_assert_int_eq(parse_file("query_uname.json", "release", &g, &eval, err, sizeof(err)), 0);
	ck_assert_str_eq(g.extra[0], "6.1.0-18-amd64");

	ck_assert_int_eq(parse_file("query_empty.json", NULL, &g, &eval, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 0);
	ck_assert(eval == 0);
}
END_TEST

static bool same_samples(const struct got *a, const struct got *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->host[i], b->host[i]) || strcmp(a->extra[i], b->extra[i]) ||
		    a->ts[i] != b->ts[i] || a->cut[i] != b->cut[i] ||
		    !(a->value[i] == b->value[i] || (isnan(a->value[i]) && isnan(b->value[i]))))
			return false;
	return true;
}

/* Every recording gives the same samples whether it arrives whole or a
 * byte, 7 bytes or 100 bytes at a time (a network read can end anywhere). */
START_TEST(vector_in_pieces)
{
	static const char *const files[] = {
		"query_up.json", "query_fs.json", "query_cpu_nan.json", "query_uname.json",
		"error_bad_data.json", "query_matrix.json",
	};
	static const size_t steps[] = { 1, 7, 100 };

	for (size_t f = 0; f < ARRAY_LEN(files); f++) {
		size_t len;
		char *body = slurp(files[f], &len), err0[256], err1[256];
		struct got whole, piece;
		int rc0 = read_pieces(PROM_DOC_VECTOR, body, len, 0, "mountpoint", &whole, NULL,
				      err0, sizeof(err0));
		for (size_t s = 0; s < ARRAY_LEN(steps); s++) {
			int rc1 = read_pieces(PROM_DOC_VECTOR, body, len, steps[s], "mountpoint",
					      &piece, NULL, err1, sizeof(err1));
			ck_assert_int_eq(rc0, rc1);
			ck_assert_msg(same_samples(&whole, &piece), "%s in pieces of %zu", files[f],
				      steps[s]);
			if (rc0 < 0)
				ck_assert_str_eq(err0, err1);
		}
		free(body);
	}
}
END_TEST

START_TEST(vector_errors)
{
	struct got g;
	char err[256];

	ck_assert_int_eq(parse_file("error_bad_data.json", NULL, &g, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "refused the query (bad_data)") && strstr(err, "parse error"), "%s", err);
	ck_assert_uint_eq(g.n, 0);
	ck_assert_int_eq(parse_file("error_timeout.json", NULL, &g, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "(timeout)"), "%s", err);
	ck_assert_int_eq(parse_file("query_matrix.json", NULL, &g, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not an instant vector"), "%s", err);
	ck_assert_int_eq(parse_file("query_scalar.json", NULL, &g, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(read_pieces(PROM_DOC_VECTOR, "<html>404</html>", 16, 0, NULL, &g, NULL,
				     err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "base URL"), "%s", err);
	ck_assert_int_eq(read_pieces(PROM_DOC_VECTOR, "", 0, 0, NULL, &g, NULL, err, sizeof(err)), -1);
	/* a malformed element costs only itself; a value that is not a number is dropped */
	static const char odd[] = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		"{\"metric\":{\"instance\":\"a\"},\"value\":[1,\"x1\"]},"
		"{\"metric\":{\"instance\":\"b\"},\"value\":[\"1\",\"1\"]},"
		"{\"metric\":{\"instance\":7},\"value\":[2,\"3\"]},"
		"{\"metric\":{\"instance\":\"d\"},\"value\":[2]},"
		"\"junk\",{\"metric\":{\"instance\":\"e\"},\"value\":[3,\"4\"]}]}}";
	ck_assert_int_eq(read_pieces(PROM_DOC_VECTOR, odd, sizeof(odd) - 1, 0, NULL, &g, NULL,
				     err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_str_eq(g.host[0], "");
	ck_assert_str_eq(g.host[1], "e");
	/* the server's error text reaches the screen without control characters */
	static const char esc[] = "{\"status\":\"error\",\"errorType\":\"x\",\"error\":\"a\\u001b[2Jb\"}";
	ck_assert_int_eq(read_pieces(PROM_DOC_VECTOR, esc, sizeof(esc) - 1, 0, NULL, &g, NULL,
				     err, sizeof(err)), -1);
	ck_assert_msg(!strchr(err, 0x1b), "%s", err);
	/* cut short: what was read is reported as a failed answer */
	ck_assert_int_eq(read_pieces(PROM_DOC_VECTOR, odd, 120, 0, NULL, &g, NULL,
				     err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cut or malformed"), "%s", err);
	/* a host name longer than a label may be is marked cut, never matched */
	char longname[601];
	char *doc;
	memset(longname, 'h', 600);
	longname[600] = '\0';
	doc = xasprintf("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			"{\"metric\":{\"instance\":\"%s\"},\"value\":[1,\"1\"]}]}}", longname);
	ck_assert_int_eq(read_pieces(PROM_DOC_VECTOR, doc, strlen(doc), 0, NULL, &g, NULL,
				     err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert(g.cut[0]);
	free(doc);
}
END_TEST

/* The JSON grammar is checked byte by byte: nothing that is not JSON is
 * taken for an answer, and nesting is bounded. */
static void count_events(void *arg, struct pj *p, enum pj_event ev, const char *text, size_t len,
			 bool cut)
{
	(void)p;
	(void)ev;
	(void)text;
	(void)len;
	(void)cut;
	(*(int *)arg)++;
}

static int pj_whole(const char *doc, int *events)
{
	struct pj p;

	*events = 0;
	pj_init(&p, count_events, events);
	if (pj_feed(&p, doc, strlen(doc)) < 0)
		return -1;
	return pj_finish(&p);
}

START_TEST(stream_grammar)
{
	static const char *const bad[] = {
		"{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}",
		"{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\x01\"}",
		"{}}", "[}", "{\"a\":1} 2", "\"open", "{\"a\":[1,2]", "", "nulll", "[,1]",
	};
	static const char *const good[] = {
		"{}", "[]", " {\"a\" : [1, -0.5e+3, true, false, null, \"\\u00e9\\ud83d\\ude00\"]} ",
		"7", "\"x\"",
	};
	char deep[PJ_MAX_DEPTH + 2];
	int events;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		ck_assert_msg(pj_whole(bad[i], &events) < 0, "accepted: %s", bad[i]);
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		ck_assert_msg(pj_whole(good[i], &events) == 0, "refused: %s", good[i]);
	ck_assert_int_eq(pj_whole(good[2], &events), 0);
	ck_assert_int_eq(events, 10);  /* { [ 6 scalars ] } */
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	ck_assert_int_eq(pj_whole(deep, &events), -1);
}
END_TEST

START_TEST(series_and_targets)
{
	size_t len;
	char *body = slurp("series.json", &len), err[256];
	struct got g;

	ck_assert_int_eq(read_pieces(PROM_DOC_SERIES, body, len, 3, NULL, &g, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 4);
	ck_assert_str_eq(g.host[0], "web-2:9100");
	ck_assert_str_eq(g.host[3], "");
	free(body);
	body = slurp("query_up.json", &len);
	ck_assert_int_eq(read_pieces(PROM_DOC_SERIES, body, len, 0, NULL, &g, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no list of series"), "%s", err);
	free(body);

	static const char targets[] = "{\"status\":\"success\",\"data\":{\"activeTargets\":["
		"{\"labels\":{\"instance\":\"a:9100\",\"job\":\"node\"},\"scrapePool\":\"node\","
		"\"scrapeInterval\":\"1m30s\",\"health\":\"up\"},"
		"{\"labels\":{\"instance\":\"b:9100\"},\"scrapeInterval\":\"bogus\"},"
		"{\"labels\":{\"instance\":\"c:9100\"},\"scrapeInterval\":\"500ms\"}],"
		"\"droppedTargets\":[]}}";
	ck_assert_int_eq(read_pieces(PROM_DOC_TARGETS, targets, sizeof(targets) - 1, 5, "job", &g,
				     NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_str_eq(g.host[0], "a:9100");
	ck_assert_str_eq(g.extra[0], "node");
	ck_assert(g.value[0] == 90);
	ck_assert(fabs(g.value[1] - 0.5) < 1e-9);

	ck_assert(prom_duration("15s") == 15);
	ck_assert(prom_duration("1h2m") == 3720);
	ck_assert(prom_duration("") < 0);
	ck_assert(prom_duration("5") < 0);
	ck_assert(prom_duration("-5s") < 0);
	ck_assert(prom_duration("5x") < 0);
}
END_TEST

/* /api/v1/label/instance/values (the start probe: is the section large?),
 * as VictoriaMetrics 1.79 answered it: each string is one element, read
 * in any pieces; another shape is not taken for a list of names. */
START_TEST(label_values)
{
	static const char values[] = "{\"status\":\"success\",\"data\":[\"host-000001:9100\","
		"\"host-000002:9100\",\"h\\u00e9:9100\",7,null,\"host-000003:9100\"]}";
	static const char empty[] = "{\"status\":\"success\",\"data\":[]}";
	static const char refused[] = "{\"status\":\"error\",\"errorType\":\"422\","
		"\"error\":\"cannot parse matches[]\"}";
	char err[256];
	struct got g;

	ck_assert_int_eq(read_pieces(PROM_DOC_VALUES, values, sizeof(values) - 1, 4, NULL, &g,
				     NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 4);  /* the number and null are not names */
	ck_assert_str_eq(g.host[0], "host-000001:9100");
	ck_assert_str_eq(g.host[2], "h\xc3\xa9:9100");
	ck_assert_str_eq(g.host[3], "host-000003:9100");
	ck_assert_int_eq(read_pieces(PROM_DOC_VALUES, empty, sizeof(empty) - 1, 0, NULL, &g,
				     NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(g.n, 0);
	ck_assert_int_eq(read_pieces(PROM_DOC_VALUES, refused, sizeof(refused) - 1, 0, NULL, &g,
				     NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "refused"), "%s", err);
	/* an instant vector is not a list of values */
	size_t len;
	char *body = slurp("query_up.json", &len);
	ck_assert_int_eq(read_pieces(PROM_DOC_VALUES, body, len, 0, NULL, &g, NULL, err,
				     sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no list of values"), "%s", err);
	ck_assert_uint_eq(g.n, 0);
	free(body);
}
END_TEST

START_TEST(builders)
{
	char err[256], *s, *r, *q;

	s = prom_quote("a\"b\\c\nd\x01");
	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\nd\\x01\"");
	free(s);
	r = prom_regex_literal("/var/lib.d(x)|*");
	ck_assert_str_eq(r, "/var/lib\\.d\\(x\\)\\|\\*");
	q = prom_quote(r);
	ck_assert_str_eq(q, "\"/var/lib\\\\.d\\\\(x\\\\)\\\\|\\\\*\"");
	free(r);
	free(q);

	s = prom_selector("node_uname_info", "{job=\"node\"}", NULL, err, sizeof(err));
	ck_assert_str_eq(s, "node_uname_info{job=\"node\"}");
	free(s);
	s = prom_selector("up", " {job=\"node\", } ", "mode=\"idle\"", err, sizeof(err));
	ck_assert_str_eq(s, "up{job=\"node\",mode=\"idle\"}");
	free(s);
	s = prom_selector("up", NULL, NULL, err, sizeof(err));
	ck_assert_str_eq(s, "up{}");
	free(s);
	s = prom_selector(NULL, "", "__name__=~\"a|b\"", err, sizeof(err));
	ck_assert_str_eq(s, "{__name__=~\"a|b\"}");
	free(s);
	ck_assert_ptr_null(prom_selector("up", "up{job=\"node\"}", NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "braces"), "%s", err);
	ck_assert_ptr_null(prom_selector("up", "{", NULL, err, sizeof(err)));

	ck_assert(prom_label_name_ok("instance"));
	ck_assert(prom_label_name_ok("_host2"));
	ck_assert(!prom_label_name_ok("2host"));
	ck_assert(!prom_label_name_ok("in-stance"));
	ck_assert(!prom_label_name_ok(""));
	ck_assert(!prom_label_name_ok("a) or vector(1"));

	s = prom_url_encode("up{job=\"a b\"}&x=/");
	ck_assert_str_eq(s, "up%7Bjob%3D%22a%20b%22%7D%26x%3D%2F");
	free(s);
}
END_TEST

/* An exporter's series belong to the host whose label is the same without
 * a ":port" (node_exporter web-1:9100, cAdvisor web-1:8080). */
START_TEST(host_key)
{
	char b[64];

	ck_assert_str_eq(prom_host_key("web-1:9100", b, sizeof(b)), "web-1");
	ck_assert_str_eq(prom_host_key("web-1", b, sizeof(b)), "web-1");
	ck_assert_str_eq(prom_host_key("10.0.0.7:8080", b, sizeof(b)), "10.0.0.7");
	ck_assert_str_eq(prom_host_key("[::1]:9400", b, sizeof(b)), "[::1]");
	ck_assert_str_eq(prom_host_key("fe80::1", b, sizeof(b)), "fe80::1");
	ck_assert_str_eq(prom_host_key("web-1:metrics", b, sizeof(b)), "web-1:metrics");
	ck_assert_str_eq(prom_host_key("web-1:", b, sizeof(b)), "web-1:");
	ck_assert_str_eq(prom_host_key("abcdefgh:1", b, 5), "abcd");
}
END_TEST

static Suite *prom_suite(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, vector_up);
	tcase_add_test(tc, vector_labels_and_specials);
	tcase_add_test(tc, vector_errors);
	tcase_add_test(tc, vector_in_pieces);
	tcase_add_test(tc, stream_grammar);
	tcase_add_test(tc, series_and_targets);
	tcase_add_test(tc, label_values);
	tcase_add_test(tc, builders);
	tcase_add_test(tc, host_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(prom_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
