/* Key provider `command`: a rotate command that prints the new key's id on
 * its first line (an id, never the secret: that stays where the command
 * put it). */
#include "config.h"
#include "provider/provider.h"
#include "provider/exec.h"
#include "util/util.h"

#include <string.h>

static void kcommand_describe(const struct action_job *j, char *buf, size_t size)
{
	const char *cmd = fleet_section_value(j->sec, "rotate");
	const char *host = fleet_section_get(j->sec, "host");

	str_fmt(buf, size, "Runs on %s: %s", host ? host : "this machine", cmd ? cmd : "(none)");
}

static int kcommand_rotate(struct action_job *j, char *err, size_t errlen)
{
	const char *cmd = fleet_section_value(j->sec, "rotate");
	struct exec_result r;
	char what[256];
	int rc;

	if (!cmd) {
		str_fmt(err, errlen, "[key %s] has no rotate command", j->sec->name);
		return -1;
	}
	j->progress(j, "running the rotate command");
	if (exec_script(j->f, provider_host(j->f, j->sec), cmd, action_timeout(j->sec), &r, err, errlen) < 0)
		return -1;
	rc = 0;
	if (r.status != 0 || r.timed_out) {
		exec_describe(&r, what, sizeof(what));
		str_fmt(err, errlen, "the rotate command failed (%s)", what);
		rc = -1;
	} else {
		str_copy(j->new_id, r.out, sizeof(j->new_id));
		j->new_id[strcspn(j->new_id, "\r\n")] = '\0';
		str_sanitize(str_trim(j->new_id));
	}
	exec_result_free(&r);
	return rc;
}

const struct key_provider key_command = {
	.name = "command",
	.reading = KR_SHELL,
	.describe = kcommand_describe,
	.rotate = kcommand_rotate,
};
