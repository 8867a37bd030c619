/* Runner provider `systemd`: instances UNIT1 ... UNITn of a template unit
 * (`unit = forgejo-runner@`) on `host`, run over ssh(1) from the worker as
 * the `command` provider does (exec_script). The worker lists first (the
 * collector's systemctl list-units), then starts the lowest instance
 * numbers that are not active, or stops the highest-numbered active ones,
 * and lists again to check the count.
 *
 * Only names built here from the fleet's `unit` and a number reach the
 * command line, each sh_quote()d: names in systemctl's answer are data
 * (shown sanitized; an instance that is not UNIT<k>.service is counted but
 * never stopped). The host's user must be allowed to start and stop the
 * units (root, or a polkit/sudo rule the operator set up). */
#include "config.h"
#include "provider/provider.h"
#include "provider/exec.h"
#include "provider/parse.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define SYSTEMD_TIMEOUT 120.0

static const char *unit_of(const struct action_job *j)
{
	return fleet_section_value(j->sec, "unit");
}

/* Runs script on the section's host; its failure becomes err. */
static int systemd_run(struct action_job *j, const char *script, struct exec_result *r,
		       char *err, size_t errlen)
{
	char what[256];

	if (exec_script(j->f, provider_host(j->f, j->sec), script, SYSTEMD_TIMEOUT, r, err, errlen) < 0)
		return -1;
	if (r->status == 0 && !r->timed_out)
		return 0;
	exec_describe(r, what, sizeof(what));
	str_fmt(err, errlen, "systemctl failed on %s (%s)", fleet_section_get(j->sec, "host"), what);
	exec_result_free(r);
	return -1;
}

static int systemd_list(struct action_job *j, struct runners_sample *s, char *err, size_t errlen)
{
	char *script = systemd_list_script(unit_of(j));
	struct exec_result r;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = systemd_run(j, script, &r, err, errlen);
	free(script);
	if (rc < 0)
		return -1;
	parse_systemd_units(r.out, unit_of(j), s);
	exec_result_free(&r);
	return 0;
}

static bool is_active(const struct runner_item *it)
{
	return strcmp(it->state, "running") == 0 || strcmp(it->state, "starting") == 0;
}

static bool number_active(const struct action_job *j, const struct runners_sample *s, int k)
{
	for (int i = 0; i < s->n; i++)
		if (is_active(&s->r[i]) && systemd_instance(unit_of(j), s->r[i].name) == k)
			return true;
	return false;
}

/* Appends the quoted instance name of k to *cmd. */
static void cmd_add(char **cmd, const struct action_job *j, int k)
{
	char *name = systemd_unit_name(unit_of(j), k), *q = sh_quote(name);
	char *next = xasprintf("%s %s", *cmd, q);

	free(*cmd);
	*cmd = next;
	free(name);
	free(q);
}

/* systemctl start of the `add` lowest instance numbers not active. */
static char *start_command(const struct action_job *j, const struct runners_sample *s, int add)
{
	char *cmd = xstrdup("systemctl start");

	for (int k = 1; add > 0; k++) {
		if (number_active(j, s, k))
			continue;
		cmd_add(&cmd, j, k);
		add--;
	}
	return cmd;
}

static int by_number_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

/* systemctl stop of the `remove` highest-numbered active instances; NULL
 * when fewer than that are UNIT<k> instances. */
static char *stop_command(const struct action_job *j, const struct runners_sample *s, int remove)
{
	int nums[MODEL_MAX_RUNNERS], n = 0;
	char *cmd;

	for (int i = 0; i < s->n; i++) {
		int k = systemd_instance(unit_of(j), s->r[i].name);
		if (k > 0 && is_active(&s->r[i]))
			nums[n++] = k;
	}
	if (n < remove)
		return NULL;
	qsort(nums, (size_t)n, sizeof(nums[0]), by_number_desc);
	cmd = xstrdup("systemctl stop");
	for (int i = 0; i < remove; i++)
		cmd_add(&cmd, j, nums[i]);
	return cmd;
}

static int systemd_scale(struct action_job *j, char *err, size_t errlen)
{
	struct runners_sample *s = xcalloc(1, sizeof(*s));
	struct exec_result r;
	char *cmd = NULL;
	int rc = -1;

	j->progress(j, "listing the units");
	if (systemd_list(j, s, err, errlen) < 0)
		goto out;
	if (j->to == s->count) {
		rc = 0;
		goto out;
	}
	cmd = j->to > s->count ? start_command(j, s, j->to - s->count) :
	      stop_command(j, s, s->count - j->to);
	if (!cmd) {
		str_fmt(err, errlen, "fewer than %d active instances are named %sN.service; nothing "
			"was stopped", s->count - j->to, unit_of(j));
		goto out;
	}
	j->progress(j, j->to > s->count ? "starting units" : "stopping units");
	if (systemd_run(j, cmd, &r, err, errlen) < 0)
		goto out;
	exec_result_free(&r);
	j->progress(j, "checking the count");
	if (systemd_list(j, s, err, errlen) < 0)
		goto out;
	if (s->count != j->to) {
		str_fmt(err, errlen, "systemctl succeeded but %d instances are active, not %d "
			"(see journalctl -u '%s*' on %s)", s->count, j->to, unit_of(j),
			fleet_section_get(j->sec, "host"));
		goto out;
	}
	rc = 0;
out:
	free(cmd);
	free(s);
	return rc;
}

static void systemd_describe(const struct action_job *j, char *buf, size_t size)
{
	const char *host = fleet_section_get(j->sec, "host");
	char *first, *last;

	if (j->to < j->from) {
		str_fmt(buf, size, "Runs on %s: systemctl stop of the %d highest-numbered active "
			"instance%s of %s.", host, j->from - j->to, j->from - j->to == 1 ? "" : "s",
			unit_of(j));
		return;
	}
	/* the instance numbers are chosen after a fresh listing; as planned
	 * they are the next ones when 1..from run */
	first = systemd_unit_name(unit_of(j), j->from + 1);
	last = systemd_unit_name(unit_of(j), j->to);
	str_fmt(buf, size, "Runs on %s: systemctl start %s%s%s (the lowest instance numbers not "
		"running).", host, first, j->to > j->from + 1 ? " .. " : "",
		j->to > j->from + 1 ? last : "");
	free(first);
	free(last);
}

static char *systemd_list_command(const struct fleet_section *sec)
{
	return systemd_list_script(fleet_section_value(sec, "unit"));
}

static int systemd_list_parse(const struct fleet_section *sec, const char *out,
			      struct runners_sample *r)
{
	return parse_systemd_units(out, fleet_section_value(sec, "unit"), r);
}

const struct runner_provider runner_systemd = {
	.name = "systemd",
	.listing = RL_SHELL,
	.list_script = systemd_list_command,
	.list_parse = systemd_list_parse,
	.describe = systemd_describe,
	.scale = systemd_scale,
};
