/* Unit tests of the action domain: runner list and time parsing, {count}
 * substitution, the audit log's format and mode, and the dialog's keys. */
#include "config.h"
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action/action.h"
#include "action/audit.h"
#include "provider/doapi.h"
#include "provider/parse.h"
#include "provider/provider.h"
#include "provider/sshcmd.h"
#include "fleet/values.h"
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


/* ---- how a jump chain's ProxyCommand reaches sh(1) and ssh(1) ----------- */

#define PWNED "pwned"
/* words that would run something, or be an option or a %-token, if any
 * level of quoting let them be more than text */
static const char *const hostile[] = {
	"", "'", "''", "'\\''", "\"", "\\", "\\'", "$(touch " PWNED ")", "`touch " PWNED "`",
	"; touch " PWNED, "' ; touch " PWNED " ; '", "\"; touch " PWNED "; \"", "a b  c",
	"%h %p %r %%", "%", "-oProxyCommand=touch " PWNED, "--", "-", "*", "~root", "$HOME",
	"${IFS}", "!!", "#x", "a|b&c>d<e", "(x){y}", "é ü \xe2\x80\xae", "x\\", "\\\\'",
	"'\\\"", "a\\'b",
};

/* What sh(1) makes of cmd as arguments: its words in w (malloc'd), run in
 * dir (where an injected `touch pwned` would leave its file). */
static int sh_words_back(const char *cmd, const char *dir, char **w, int max)
{
	char *line = xasprintf("cd '%s' && printf '%%s\\0' %s", dir, cmd);
	FILE *p = popen(line, "r");
	static char buf[1 << 17];
	size_t n, at = 0;
	int nw = 0;

	ck_assert_ptr_nonnull(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	ck_assert_int_eq(pclose(p), 0);
	free(line);
	while (at < n && nw < max) {
		w[nw++] = xstrdup(buf + at);
		at += strlen(buf + at) + 1;
	}
	return nw;
}

/* ssh(1)'s expansion of a ProxyCommand: every % must come as %%. */
static char *pct_back(const char *s)
{
	char *o = xmalloc(strlen(s) + 1), *q = o;

	for (; *s; s++) {
		if (*s == '%') {
			ck_assert_msg(s[1] == '%', "a lone %% would be a token: %s", s);
			s++;
		}
		*q++ = *s;
	}
	*q = '\0';
	return o;
}

/* ssh(1) takes opt ("ProxyCommand=...") as a -o option: ssh splits every
 * option line into words by its own rules first (a backslash escapes a
 * quote even inside quotes) and refuses it when the quotes do not balance
 * ("invalid quotes"), whatever the option. */
static bool ssh_accepts(const char *opt)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		execlp("ssh", "ssh", "-G", "-F", "/dev/null", "-o", opt, "--", "host", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* "ProxyCommand=" cmd with its % doubled, as args_build gives it to ssh. */
static bool ssh_accepts_proxy(const char *cmd)
{
	char *pct = sshcmd_pct_escape(cmd), *opt = xasprintf("ProxyCommand=%s", pct);
	bool ok = ssh_accepts(opt);

	free(pct);
	free(opt);
	return ok;
}

static char *tmpdir_make(void)
{
	char tmpl[] = "/tmp/fdtest-sshq.XXXXXX";
	char *d = mkdtemp(tmpl);

	ck_assert_ptr_nonnull(d);
	return xstrdup(d);
}

static void tmpdir_drop(char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

START_TEST(test_sh_words_hostile)
{
	size_t n = sizeof(hostile) / sizeof(hostile[0]);
	char *dir = tmpdir_make(), *q, *w[64], *pwned;

	q = sshcmd_sh_words((char *const *)hostile, (int)n);
	ck_assert_msg(ssh_accepts_proxy(q), "ssh refuses %s", q);
	ck_assert_int_eq(sh_words_back(q, dir, w, 64), (int)n);
	/* each word with a quote or backslash alone too: a word's last
	 * backslash, a lone quote */
	for (size_t i = 0; i < n; i++) {
		char *one;

		if (!strpbrk(hostile[i], "'\"\\"))
			continue;
		one = sshcmd_sh_words((char *const *)&hostile[i], 1);

		ck_assert_msg(ssh_accepts_proxy(one), "ssh refuses %s", one);
		free(one);
	}
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(w[i], hostile[i]);
		free(w[i]);
	}
	free(q);
	/* and nested: the whole line as one word of another line */
	{
		char *inner = sshcmd_sh_words((char *const *)hostile, (int)n);
		char *one[] = { "ProxyCommand", inner };
		char *outer = sshcmd_sh_words(one, 2), *w2[4];

		ck_assert_msg(ssh_accepts_proxy(outer), "ssh refuses %s", outer);
		ck_assert_int_eq(sh_words_back(outer, dir, w2, 4), 2);
		ck_assert_str_eq(w2[1], inner);
		ck_assert_int_eq(sh_words_back(w2[1], dir, w, 64), (int)n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_str_eq(w[i], hostile[i]);
			free(w[i]);
		}
		free(w2[0]);
		free(w2[1]);
		free(outer);
		free(inner);
	}
	for (size_t i = 0; i < n; i++) {
		char *e = sshcmd_pct_escape(hostile[i]), *b = pct_back(e);

		ck_assert_str_eq(b, hostile[i]);
		free(e);
		free(b);
	}
	pwned = xasprintf("%s/" PWNED, dir);
	ck_assert_msg(access(pwned, F_OK) != 0, "a word was run as a command");
	free(pwned);
	tmpdir_drop(dir);
}
END_TEST

/* The index of word `what` in w (from `from`), or -1. */
static int word_at(char **w, int n, int from, const char *what)
{
	for (int i = from; i < n; i++)
		if (strcmp(w[i], what) == 0)
			return i;
	return -1;
}

/* The value after option opt ("-l", "-i", "-W") in w. */
static const char *opt_value(char **w, int n, const char *opt)
{
	int i = word_at(w, n, 0, opt);

	ck_assert_msg(i >= 0 && i + 1 < n, "no %s", opt);
	return w[i + 1];
}

/* The "-o KEY=..." value in w, or NULL. */
static const char *o_value(char **w, int n, const char *key)
{
	size_t k = strlen(key);

	for (int i = 0; i + 1 < n; i++)
		if (strcmp(w[i], "-o") == 0 && strncmp(w[i + 1], key, k) == 0 && w[i + 1][k] == '=')
			return w[i + 1] + k + 1;
	return NULL;
}

/* A chain of two hops whose users, identity files and known_hosts file
 * carry quotes, command substitutions, blanks, %-tokens and leading '-':
 * the login's argv, and at each level what sh(1) and ssh(1) make of the
 * ProxyCommand, hold each value exactly, as one argument, after its option
 * or after "--" for a host; nothing runs. ssh -G resolves each login (no
 * connection is made). */
START_TEST(test_chain_hostile_values)
{
	char *dir = tmpdir_make(), *id1, *kh, *text, *pwned, err[512] = "";
	struct fleet f;
	struct fleet_diags d = { 0 };
	struct sshcmd c;
	char *w[SSHCMD_MAX_ARGS], *w2[SSHCMD_MAX_ARGS], *pc, *want;
	int n, n2, t = -1;
	FILE *fp;

	id1 = xasprintf("%s/id x%%d'y\"z", dir);
	kh = xasprintf("%s/k h%%u\\\"q", dir);
	fp = fopen(id1, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	chmod(id1, 0600);
	fp = fopen(kh, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	text = xasprintf("[fleet f]\nknown_hosts = %s\ntimeout = 2s\n\n"
			 "[host hop1]\nssh = u%%h$HOME*!~#/%%%%:x@127.0.0.9:2201\nidentity_file = %s\n\n"
			 "[host hop2]\nssh = x$IFS\\%%p@127.0.0.10\njump = hop1\n\n"
			 "[host target]\nssh = %%r%%%%$\\x@127.0.0.11:2203\njump = hop2\n", kh, id1);
	ck_assert_msg(fleet_load_buffer("/t.fleet", text, strlen(text), &f, &d) == 0, "%s", text);
	for (size_t i = 0; i < f.nhosts; i++)
		if (strcmp(f.hosts[i].name, "target") == 0)
			t = (int)i;
	ck_assert_int_ge(t, 0);
	ck_assert_msg(sshcmd_open(&c, &f, t, NULL, NULL, 2, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(c.nhops, 2);

	/* ssh runs the ProxyCommand with $SHELL: sh(1), whatever the user's */
	ck_assert_str_eq(c.argv[0], "env");
	ck_assert_str_eq(c.argv[1], "SHELL=/bin/sh");
	ck_assert_str_eq(c.argv[2], "ssh");
	/* the login (exec'd, no shell): the user after -l, the host after -- */
	ck_assert_str_eq(opt_value(c.argv, c.argc, "-l"), "%r%%$\\x");
	ck_assert_str_eq(c.argv[c.argc - 2], "--");
	ck_assert_str_eq(c.argv[c.argc - 1], "127.0.0.11");
	ck_assert_str_eq(opt_value(c.argv, c.argc, "-p"), "2203");
	ck_assert_ptr_nonnull(o_value(c.argv, c.argc, "ProxyCommand"));
	pc = xasprintf("ProxyCommand=%s", o_value(c.argv, c.argc, "ProxyCommand"));
	ck_assert_msg(ssh_accepts(pc), "ssh refuses the login's %s", pc);
	free(pc);

	/* hop2's ssh, as ssh(1) then sh(1) read the login's ProxyCommand */
	pc = pct_back(o_value(c.argv, c.argc, "ProxyCommand"));
	n = sh_words_back(pc, dir, w, SSHCMD_MAX_ARGS);
	free(pc);
	ck_assert_str_eq(w[0], "ssh");
	ck_assert_str_eq(opt_value(w, n, "-l"), "x$IFS\\%p");
	ck_assert_str_eq(opt_value(w, n, "-W"), "127.0.0.11:2203");
	ck_assert_str_eq(w[n - 2], "--");
	ck_assert_str_eq(w[n - 1], "127.0.0.10");
	ck_assert_ptr_nonnull(o_value(w, n, "ProxyCommand"));
	pc = xasprintf("ProxyCommand=%s", o_value(w, n, "ProxyCommand"));
	ck_assert_msg(ssh_accepts(pc), "ssh refuses hop2's %s", pc);
	free(pc);
	/* ssh -G resolves the options hop1's ssh gets, as they are (tokens,
	 * quotes and blanks in the file names) */

	/* hop1's ssh, from hop2's ProxyCommand */
	pc = pct_back(o_value(w, n, "ProxyCommand"));
	n2 = sh_words_back(pc, dir, w2, SSHCMD_MAX_ARGS);
	free(pc);
	ck_assert_str_eq(w2[0], "ssh");
	ck_assert_ptr_null(o_value(w2, n2, "ProxyCommand"));
	ck_assert_str_eq(opt_value(w2, n2, "-l"), "u%h$HOME*!~#/%%:x");
	ck_assert_str_eq(opt_value(w2, n2, "-W"), "127.0.0.10:22");
	ck_assert_str_eq(w2[n2 - 2], "--");
	ck_assert_str_eq(w2[n2 - 1], "127.0.0.9");
	ck_assert_str_eq(opt_value(w2, n2, "-p"), "2201");
	/* ssh expands tokens in -i and UserKnownHostsFile: ours come doubled;
	 * UserKnownHostsFile is split into words as a config line: quoted */
	want = sshcmd_pct_escape(id1);
	ck_assert_str_eq(opt_value(w2, n2, "-i"), want);
	free(want);
	want = xasprintf("\"%s/k h%%%%u\\\\\\\"q\"", dir);
	ck_assert_str_eq(o_value(w2, n2, "UserKnownHostsFile"), want);
	free(want);
	for (int i = 0; i < n; i++)
		free(w[i]);
	for (int i = 0; i < n2; i++)
		free(w2[i]);

	pwned = xasprintf("%s/" PWNED, dir);
	ck_assert_msg(access(pwned, F_OK) != 0, "a value was run as a command");
	free(pwned);
	sshcmd_close(&c);
	fleet_free(&f);
	fleet_diags_free(&d);
	free(text);
	free(id1);
	free(kh);
	tmpdir_drop(dir);
}
END_TEST

/* Addresses ssh(1) refuses (it resolves each with ssh -G) are refused when
 * the fleet file is read, with the key named. */
START_TEST(test_hostile_address_refused)
{
	static const char *const bad[] = {
		"h'x", "h\"x", "h`id`", "h$(id)", "h;id", "h&x", "h|x", "h<x", "h>x", "h(x", "h{x}",
		"h\\x", "-oProxyCommand=x", "[-x]:22", "u@h;x:22",
		/* and user names */
		"-oProxyCommand=x@h", "u'x@h", "u\"x@h", "u`x`@h", "u;x@h", "u(x)@h", "u|x@h", "u&x@h", "u\\@h",
	};
	char *host;
	int port;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *text = xasprintf("[host a]\nssh = %s\n", bad[i]);
		struct fleet f;
		struct fleet_diags d = { 0 };

		fleet_load_buffer("/t.fleet", text, strlen(text), &f, &d);
		ck_assert_msg(d.nerrors > 0 && strstr(d.v[0].msg, "ssh: ") &&
			      (strstr(d.v[0].msg, "address") || strstr(d.v[0].msg, "user name")),
			      "%s: %s", bad[i], d.n ? d.v[0].msg : "(accepted)");
		fleet_free(&f);
		fleet_diags_free(&d);
		free(text);
	}
	/* what ssh accepts stays accepted: a zone, a wildcard-ish name */
	ck_assert_ptr_null(values_host_port("fe80::1%eth0", &host, &port));
	free(host);
	ck_assert_ptr_null(values_host_port("web-1.example:2222", &host, &port));
	free(host);
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
	/* these run sh(1) and ssh -G some 30 times: a hang guard, not a
	 * measure (CK_TIMEOUT_MULTIPLIER scales it under sanitizers) */
	tc = tcase_create("ssh quoting");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sh_words_hostile);
	tcase_add_test(tc, test_chain_hostile_values);
	tcase_add_test(tc, test_hostile_address_refused);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
