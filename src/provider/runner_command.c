/* Runner provider `command`: the fleet's own scale command (terraform,
 * a script), run on `host` over SSH or on this machine. Only {count} is
 * substituted, as a single-quoted word; the template itself comes from the
 * fleet file, which the operator wrote. */
#include "config.h"
#include "provider/provider.h"
#include "provider/exec.h"
#include "provider/parse.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static void command_describe(const struct action_job *j, char *buf, size_t size)
{
	const char *tmpl = fleet_section_value(j->sec, "scale");
	const char *host = fleet_section_get(j->sec, "host");
	char *cmd;

	if (!tmpl) {
		str_copy(buf, "No scale command is configured: this will fail.", size);
		return;
	}
	cmd = provider_template(tmpl, j->to);
	str_fmt(buf, size, "Runs on %s: %s", host ? host : "this machine", cmd);
	free(cmd);
}

static int command_scale(struct action_job *j, char *err, size_t errlen)
{
	const char *tmpl = fleet_section_value(j->sec, "scale");
	struct exec_result r;
	char *cmd, what[256];
	int rc;

	if (!tmpl) {
		str_fmt(err, errlen, "[runners %s] has no scale command (add scale = ... {count})",
			j->sec->name);
		return -1;
	}
	cmd = provider_template(tmpl, j->to);
	j->progress(j, "running the scale command");
	rc = exec_script(j->f, provider_host(j->f, j->sec), cmd, action_timeout(j->sec), &r, err, errlen);
	free(cmd);
	if (rc < 0)
		return -1;
	if (r.status != 0 || r.timed_out) {
		exec_describe(&r, what, sizeof(what));
		str_fmt(err, errlen, "the scale command failed (%s)", what);
		rc = -1;
	}
	exec_result_free(&r);
	return rc;
}

static char *command_list_script(const struct fleet_section *sec)
{
	const char *list = fleet_section_value(sec, "list");

	return list ? sh_command(list) : NULL;
}

static int command_list_parse(const struct fleet_section *sec, const char *out,
			      struct runners_sample *r)
{
	(void)sec;
	return parse_runner_list(out, r);
}

const struct runner_provider runner_command = {
	.name = "command",
	.listing = RL_SHELL,
	.list_script = command_list_script,
	.list_parse = command_list_parse,
	.describe = command_describe,
	.scale = command_scale,
};
