/* Unit tests of the action domain: runner list and time parsing, {count}
 * substitution, the audit log's format and mode, and the dialog's keys. */
#include "config.h"
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action/action.h"
#include "action/audit.h"
#include "provider/doapi.h"
#include "provider/parse.h"
#include "provider/provider.h"
#include "collect/http.h"
#include "ui/views.h"
#include "util/util.h"

START_TEST(test_list_lines_and_json)
{
	struct runners_sample r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(parse_runner_list("a busy\nb idle\n\nc\n", &r), 0);
	ck_assert_int_eq(r.count, 3);
	ck_assert_int_eq(r.busy, 1);
	ck_assert_int_eq(r.idle, 1);
	ck_assert_str_eq(r.r[2].state, "running");
	ck_assert_int_eq(parse_runner_list("[\"x\", {\"name\": \"y\", \"status\": \"offline\"}]", &r), 0);
	ck_assert_int_eq(r.count, 2);
	ck_assert_int_eq(r.offline, 1);
	ck_assert_int_eq(parse_runner_list("[\"a\\u001b[2Jb\"]", &r), 0);
	ck_assert_ptr_null(strchr(r.r[0].name, 0x1b));   /* no terminal escapes kept */
	ck_assert_int_eq(parse_runner_list("{\"not\": \"array\"}", &r), 0);  /* a line, not JSON */
}
END_TEST

START_TEST(test_times)
{
	double t;

	ck_assert_int_eq(parse_time_text("1700000000\n", &t), 0);
	ck_assert(t == 1700000000.0);
	ck_assert_int_eq(parse_time_text("2023-11-14T22:13:20Z", &t), 0);
	ck_assert(t == 1700000000.0);
	ck_assert_int_eq(parse_time_text("2023-11-15T00:13:20+02:00", &t), 0);
	ck_assert(t == 1700000000.0);
	ck_assert_int_eq(parse_time_text("2023-11-14", &t), 0);
	ck_assert(t == 1699920000.0);
	ck_assert_int_eq(parse_time_text("soon", &t), -1);
	ck_assert_int_eq(parse_time_text("", &t), -1);
}
END_TEST

START_TEST(test_template_quotes_count)
{
	char *s = provider_template("tf apply -var runners={count} # {count}", 4);

	ck_assert_str_eq(s, "tf apply -var runners='4' # '4'");
	free(s);
}
END_TEST

START_TEST(test_audit_line_and_mode)
{
	char dir[] = "/tmp/fdaudit.XXXXXX", path[256], err[256], *line = NULL;
	struct audit_entry e = { .time = 1.5 }, back[4];
	struct stat st;
	json_t *o, *p = json_pack("{s:i,s:i}", "from", 1, "to", 2);
	size_t cap = 0;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/audit.log", dir);
	str_copy(e.action, "scale", sizeof(e.action));
	str_copy(e.target, "runners/ci", sizeof(e.target));
	str_copy(e.result, "cancelled", sizeof(e.result));
	ck_assert_int_eq(audit_append(path, &e, p, err, sizeof(err)), 0);
	ck_assert_int_eq(audit_append(path, &e, p, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	fp = fopen(path, "r");
	ck_assert(getline(&line, &cap, fp) > 0);
	o = json_loads(line, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "result")), "cancelled");
	ck_assert(json_is_null(json_object_get(o, "error")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "parameters"), "to")), 2);
	ck_assert_ptr_nonnull(json_object_get(o, "user"));
	ck_assert_ptr_nonnull(json_object_get(o, "host"));
	json_decref(o);
	fclose(fp);
	free(line);
	ck_assert_uint_eq(audit_read_tail(path, back, 4), 2);
	ck_assert_str_eq(back[1].target, "runners/ci");
	json_decref(p);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	ck_assert_int_eq(system(err), 0);
}
END_TEST

START_TEST(test_forgejo_base_and_tasks)
{
	char b[256];
	int q, run;

	ck_assert_int_eq(doapi_forgejo_base("https://codeberg.org/owner/repo", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "https://codeberg.org/api/v1/repos/owner/repo");
	ck_assert_int_eq(doapi_forgejo_base("http://h:3000/git/o/r.git/", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "http://h:3000/git/api/v1/repos/o/r");
	ck_assert_int_eq(doapi_forgejo_base("https://git.example.org", b, sizeof(b)), -1);
	ck_assert_int_eq(doapi_forgejo_base("https://git.example.org/repo", b, sizeof(b)), -1);
	ck_assert_int_eq(doapi_parse_forgejo_tasks("{\"workflow_runs\": [{\"status\": \"waiting\"}, "
		"{\"status\": \"running\"}, {\"status\": \"blocked\"}, {\"status\": \"success\"}], "
		"\"total_count\": 4}", &q, &run), 0);
	ck_assert_int_eq(q, 2);
	ck_assert_int_eq(run, 1);
	ck_assert_int_eq(doapi_parse_forgejo_tasks("{\"runners\": []}", &q, &run), -1);
}
END_TEST

START_TEST(test_systemd_units)
{
	struct runners_sample r;
	char *s;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(parse_systemd_units(
		"forgejo-runner@1.service loaded active running Forgejo runner\n"
		"forgejo-runner@2.service loaded activating start Forgejo runner\n"
		"forgejo-runner@3.service loaded failed failed Forgejo runner\n"
		"forgejo-runner@4.service loaded inactive dead Forgejo runner\n"
		"other.service loaded active running Other\n", "forgejo-runner@", &r), 0);
	ck_assert_int_eq(r.count, 2);
	ck_assert_int_eq(r.n, 3);
	ck_assert_str_eq(r.r[1].state, "starting");
	ck_assert_str_eq(r.r[2].state, "failed");
	ck_assert_int_eq(systemd_instance("forgejo-runner@", "forgejo-runner@12.service"), 12);
	ck_assert_int_eq(systemd_instance("forgejo-runner@.service", "forgejo-runner@3.service"), 3);
	ck_assert_int_eq(systemd_instance("forgejo-runner@", "forgejo-runner@$(x).service"), -1);
	ck_assert_int_eq(systemd_instance("forgejo-runner@", "forgejo-runner@01.service"), -1);
	s = systemd_list_script("forgejo-runner@");
	ck_assert_str_eq(s, "systemctl list-units --all --plain --no-legend --type=service 'forgejo-runner@*'");
	free(s);
	s = systemd_unit_name("a'b@", 2);
	ck_assert_str_eq(s, "a'b@2.service");   /* quoted by the caller */
	free(s);
}
END_TEST

START_TEST(test_dialog_default_no_and_typed_name)
{
	struct ui_state s;

	memset(&s, 0, sizeof(s));
	s.confirm.mode = CONFIRM_PLAN;
	ck_assert_int_eq(confirm_key(&s, UK_ENTER), UA_CANCEL);     /* default No */
	ck_assert_int_eq(confirm_key(&s, 'y'), UA_CONFIRM);
	s.confirm.destructive = true;
	str_copy(s.confirm.word, "ci", sizeof(s.confirm.word));
	ck_assert_int_eq(confirm_key(&s, 'y'), UA_DRAW);            /* typed, not confirmed */
	ck_assert_int_eq(confirm_key(&s, UK_ENTER), UA_CANCEL);
	s.confirm.typed[0] = '\0';
	confirm_key(&s, 'c');
	confirm_key(&s, 'i');
	ck_assert_int_eq(confirm_key(&s, UK_ENTER), UA_CONFIRM);
	memset(&s, 0, sizeof(s));
	s.confirm.mode = CONFIRM_COUNT;
	confirm_key(&s, '3');
	confirm_key(&s, 'x');
	ck_assert_int_eq(confirm_key(&s, UK_ENTER), UA_ACTION);
	ck_assert_int_eq(s.act.count, 3);
	ck_assert(s.act.pending);
}
END_TEST

/* Credentials follow only URLs on the configured scheme, host and port. */
START_TEST(test_same_origin)
{
	const char *api = "https://api.digitalocean.com/v2";

	ck_assert(http_same_origin("https://api.digitalocean.com/v2/droplets?page=2", api));
	ck_assert(http_same_origin("https://API.DigitalOcean.com:443/v2/x", api));
	ck_assert(!http_same_origin("http://api.digitalocean.com/v2/droplets", api));
	ck_assert(!http_same_origin("https://api.digitalocean.com:8443/v2/droplets", api));
	ck_assert(!http_same_origin("https://api.digitalocean.com.evil.example/v2", api));
	ck_assert(!http_same_origin("https://evil.example/?https://api.digitalocean.com/", api));
	ck_assert(!http_same_origin("https://user@evil.example/v2", api));
	ck_assert(!http_same_origin("//evil.example/v2", api));
	ck_assert(!http_same_origin("not a url", api));
	ck_assert(!http_same_origin(NULL, api));
	ck_assert(http_same_origin("http://127.0.0.1:28080/v2/droplets", "http://127.0.0.1:28080/v2"));
	ck_assert(!http_same_origin("http://127.0.0.1:28081/v2/droplets", "http://127.0.0.1:28080/v2"));
}
END_TEST

/* The rotation's asks to the collector and the logins it waits for
 * (model/logins.c): an ask is taken once; a login says when and with what. */
START_TEST(test_relogin_asks_and_logins)
{
	struct model m;
	char key[64];
	uint64_t g0;

	model_init(&m, 3);
	g0 = model_relogin_gen(&m);
	ck_assert(!model_relogin_take(&m, 1, key, sizeof(key)));
	ck_assert(model_login_get(&m, 1, key, sizeof(key)) == 0 && key[0] == '\0');
	model_relogin_ask(&m, 1, "/k/deploy");
	ck_assert(model_relogin_gen(&m) != g0);
	ck_assert(!model_relogin_take(&m, 0, key, sizeof(key)));
	ck_assert(model_relogin_take(&m, 1, key, sizeof(key)));
	ck_assert_str_eq(key, "/k/deploy");
	ck_assert(!model_relogin_take(&m, 1, key, sizeof(key)));
	model_login_done(&m, 2, 1000.5, "ssh-agent");
	model_login_done(&m, 2, 1001.5, "/k/deploy");
	ck_assert(model_login_get(&m, 2, key, sizeof(key)) == 1001.5);
	ck_assert_str_eq(key, "/k/deploy");
	ck_assert(model_login_get(&m, 7, key, sizeof(key)) == 0);
	model_free(&m);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("actions");
	TCase *tc = tcase_create("actions");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_list_lines_and_json);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_template_quotes_count);
	tcase_add_test(tc, test_audit_line_and_mode);
	tcase_add_test(tc, test_dialog_default_no_and_typed_name);
	tcase_add_test(tc, test_forgejo_base_and_tasks);
	tcase_add_test(tc, test_systemd_units);
	tcase_add_test(tc, test_same_origin);
	tcase_add_test(tc, test_relogin_asks_and_logins);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
