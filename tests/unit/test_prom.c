/* The Prometheus HTTP API parsers on recorded answers (tests/data/prometheus,
 * shaped as the API documentation and Prometheus 2.42 give them): instant
 * vectors, NaN/Inf values, error documents, other result types, the series
 * list; and the PromQL builders that must never let a value break a query. */
#include "config.h"
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

static int parse_file(const char *name, const char *extra, struct prom_vector *v,
		      char *err, size_t errlen)
{
	size_t len;
	char *body = slurp(name, &len);
	int rc = prom_parse_vector(body, len, "instance", extra, v, err, errlen);

	free(body);
	return rc;
}

START_TEST(vector_up)
{
	struct prom_vector v;
	char err[256];

	ck_assert_int_eq(parse_file("query_up.json", NULL, &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_str_eq(v.v[0].host, "127.0.70.2:9100");
	ck_assert_str_eq(v.v[0].name, "up");
	ck_assert_str_eq(v.v[0].extra, "");
	ck_assert(v.v[1].value == 0.0);
	ck_assert(v.v[2].value == 1.0);
	ck_assert(fabs(v.eval_time - 1714000000.123) < 1e-6);
	prom_vector_free(&v);
}
END_TEST

START_TEST(vector_labels_and_specials)
{
	struct prom_vector v;
	char err[256];

	ck_assert_int_eq(parse_file("query_fs.json", "mountpoint", &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_str_eq(v.v[1].name, "node_filesystem_avail_bytes");
	ck_assert_str_eq(v.v[1].extra, "/");
	ck_assert(v.v[0].value == 52521566208.0);
	prom_vector_free(&v);

	ck_assert_int_eq(parse_file("query_cpu_nan.json", NULL, &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 4);
	ck_assert_str_eq(v.v[0].name, "");
	ck_assert(v.v[0].value == 12.5);
	ck_assert(isnan(v.v[1].value));
	ck_assert(isinf(v.v[2].value) && v.v[2].value > 0);
	ck_assert(isinf(v.v[3].value) && v.v[3].value < 0);
	prom_vector_free(&v);

	ck_assert_int_eq(parse_file("query_uname.json", "release", &v, err, sizeof(err)), 0);
	ck_assert_str_eq(v.v[0].extra, "6.1.0-18-amd64");
	prom_vector_free(&v);

	ck_assert_int_eq(parse_file("query_empty.json", NULL, &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 0);
	ck_assert(v.eval_time == 0);
	prom_vector_free(&v);
}
END_TEST

START_TEST(vector_errors)
{
	struct prom_vector v;
	char err[256];

	ck_assert_int_eq(parse_file("error_bad_data.json", NULL, &v, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "refused the query (bad_data)") && strstr(err, "parse error"), "%s", err);
	ck_assert_uint_eq(v.n, 0);
	ck_assert_int_eq(parse_file("error_timeout.json", NULL, &v, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "(timeout)"), "%s", err);
	ck_assert_int_eq(parse_file("query_matrix.json", NULL, &v, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not an instant vector"), "%s", err);
	ck_assert_int_eq(parse_file("query_scalar.json", NULL, &v, err, sizeof(err)), -1);
	ck_assert_int_eq(prom_parse_vector("<html>404</html>", 16, "instance", NULL, &v,
					   err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "base URL"), "%s", err);
	ck_assert_int_eq(prom_parse_vector("", 0, "instance", NULL, &v, err, sizeof(err)), -1);
	/* a malformed element costs only itself; a value that is not a number is dropped */
	static const char odd[] = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		"{\"metric\":{\"instance\":\"a\"},\"value\":[1,\"x1\"]},"
		"{\"metric\":{\"instance\":\"b\"},\"value\":[\"1\",\"1\"]},"
		"{\"metric\":{\"instance\":7},\"value\":[2,\"3\"]},"
		"{\"metric\":{\"instance\":\"d\"},\"value\":[2]},"
		"\"junk\",{\"metric\":{\"instance\":\"e\"},\"value\":[3,\"4\"]}]}}";
	ck_assert_int_eq(prom_parse_vector(odd, sizeof(odd) - 1, "instance", NULL, &v,
					   err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 2);
	ck_assert_str_eq(v.v[0].host, "");
	ck_assert_str_eq(v.v[1].host, "e");
	prom_vector_free(&v);
	/* the server's error text reaches the screen without control characters */
	static const char esc[] = "{\"status\":\"error\",\"errorType\":\"x\",\"error\":\"a\\u001b[2Jb\"}";
	ck_assert_int_eq(prom_parse_vector(esc, sizeof(esc) - 1, "instance", NULL, &v,
					   err, sizeof(err)), -1);
	ck_assert_msg(!strchr(err, 0x1b), "%s", err);
}
END_TEST

START_TEST(series_distinct)
{
	size_t len, n;
	char *body = slurp("series.json", &len), **vals, err[256];

	ck_assert_int_eq(prom_parse_series(body, len, "instance", &vals, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(vals[0], "web-1:9100");
	ck_assert_str_eq(vals[1], "web-2:9100");
	ck_assert_ptr_null(vals[2]);
	prom_values_free(vals);
	ck_assert_int_eq(prom_parse_series(body, len, "nodename", &vals, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	prom_values_free(vals);
	free(body);
	body = slurp("query_up.json", &len);
	ck_assert_int_eq(prom_parse_series(body, len, "instance", &vals, &n, err, sizeof(err)), -1);
	ck_assert_ptr_null(vals);
	free(body);
	body = slurp("error_bad_data.json", &len);
	ck_assert_int_eq(prom_parse_series(body, len, "instance", &vals, &n, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "bad_data"), "%s", err);
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

static Suite *prom_suite(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, vector_up);
	tcase_add_test(tc, vector_labels_and_specials);
	tcase_add_test(tc, vector_errors);
	tcase_add_test(tc, series_distinct);
	tcase_add_test(tc, builders);
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
