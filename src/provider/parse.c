#include "config.h"
#include "provider/parse.h"
#include "util/util.h"
#include "util/text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void runner_add(struct runners_sample *r, const char *name, const char *state)
{
	struct runner_item *it;

	r->count++;
	if (r->n >= MODEL_MAX_RUNNERS)
		return;
	it = &r->r[r->n++];
	text_clean(it->name, sizeof(it->name), name);
	text_clean(it->state, sizeof(it->state), state && *state ? state : "running");
	if (strcmp(it->state, "busy") == 0 || strcmp(it->state, "active") == 0)
		r->busy++;
	else if (strcmp(it->state, "idle") == 0)
		r->idle++;
	else if (strcmp(it->state, "offline") == 0)
		r->offline++;
}

static int parse_json_list(const char *text, struct runners_sample *r)
{
	json_error_t je;
	json_t *a = json_loads(text, 0, &je), *v;
	size_t i;

	if (!json_is_array(a)) {
		str_fmt(r->error, sizeof(r->error), "the list command printed JSON that is not an array");
		json_decref(a);
		return -1;
	}
	json_array_foreach(a, i, v) {
		const char *name = json_string_value(v), *state = NULL;
		if (json_is_object(v)) {
			name = json_string_value(json_object_get(v, "name"));
			state = json_string_value(json_object_get(v, "state"));
			if (!state)
				state = json_string_value(json_object_get(v, "status"));
		}
		if (name)
			runner_add(r, name, state);
	}
	json_decref(a);
	return 0;
}

int parse_runner_list(const char *text, struct runners_sample *r)
{
	const char *p = text;

	r->n = r->count = r->busy = r->idle = r->offline = 0;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '[')
		return parse_json_list(p, r);
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *name, *state;

		name = str_trim(line);
		state = name + strcspn(name, " \t");
		if (*state) {
			*state++ = '\0';
			state = str_trim(state);
		}
		if (*name && *name != '#')
			runner_add(r, name, state);
		free(line);
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

/* days_from_civil (Howard Hinnant): calendar date to days since 1970-01-01. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int parse_iso(const char *s, double *t)
{
	int y, mo, d, h = 0, mi = 0, n = 0, oh = 0, om = 0;
	double sec = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		if (sscanf(p + 1, "%2d:%2d:%lf%n", &h, &mi, &sec, &n) < 2)
			return -1;
		p += 1 + n;
		if (*p == 'Z') {
			p++;
		} else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) >= 1) {
			int sign = *p == '+' ? 1 : -1;
			oh *= sign;
			om *= sign;
			p += strlen(p);
		}
	}
	*t = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec
	     - oh * 3600 - om * 60;
	return 0;
}

int parse_time_text(const char *text, double *t)
{
	char buf[64], *s, *end;
	double v;

	str_copy(buf, text, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	s = str_trim(buf);
	if (!*s)
		return -1;
	if (strchr(s, '-'))
		return parse_iso(s, t);
	v = strtod(s, &end);
	if (end == s || *end != '\0' || v <= 0)
		return -1;
	*t = v;
	return 0;
}

/* ---- provider = systemd --------------------------------------------------- */

/* The template without ".service": "forgejo-runner@". malloc'd. */
static char *systemd_prefix(const char *unit)
{
	size_t len = strlen(unit ? unit : "");
	char *p = xstrndup(unit ? unit : "", len);

	if (len > 8 && strcmp(p + len - 8, ".service") == 0)
		p[len - 8] = '\0';
	return p;
}

char *systemd_unit_name(const char *unit, int k)
{
	char *p = systemd_prefix(unit), *name = xasprintf("%s%d.service", p, k);

	free(p);
	return name;
}

char *systemd_list_script(const char *unit)
{
	char *p = systemd_prefix(unit), *pat = xasprintf("%s*", p), *q = sh_quote(pat);
	char *s = xasprintf("systemctl list-units --all --plain --no-legend --type=service %s", q);

	free(p);
	free(pat);
	free(q);
	return s;
}

int systemd_instance(const char *unit, const char *name)
{
	char *p = systemd_prefix(unit);
	size_t plen = strlen(p);
	const char *d;
	long k = -1;

	if (strncmp(name, p, plen) == 0) {
		d = name + plen;
		if (*d >= '1' && *d <= '9' && strspn(d, "0123456789") < 7 &&
		    strcmp(d + strspn(d, "0123456789"), ".service") == 0)
			k = strtol(d, NULL, 10);
	}
	free(p);
	return (int)k;
}

/* One list-units line into the sample: only instances of the template. */
static void systemd_line(char *line, const char *prefix, struct runners_sample *r)
{
	char *save = NULL, *name, *load, *active;
	const char *state;
	struct runner_item *it;

	name = strtok_r(line, " \t", &save);
	if (name && (strcmp(name, "*") == 0 || strcmp(name, "\xe2\x97\x8f") == 0))
		name = strtok_r(NULL, " \t", &save);      /* a failed-unit marker */
	load = strtok_r(NULL, " \t", &save);
	active = strtok_r(NULL, " \t", &save);
	if (!name || !load || !active || strncmp(name, prefix, strlen(prefix)) != 0)
		return;
	if (strcmp(active, "active") == 0)
		state = "running";
	else if (strcmp(active, "activating") == 0)
		state = "starting";
	else if (strcmp(active, "failed") == 0)
		state = "failed";
	else
		return;
	if (strcmp(state, "failed") != 0)
		r->count++;
	if (r->n >= MODEL_MAX_RUNNERS)
		return;
	it = &r->r[r->n++];
	memset(it, 0, sizeof(*it));
	text_clean(it->name, sizeof(it->name), name);
	str_copy(it->state, state, sizeof(it->state));
}

int parse_systemd_units(const char *text, const char *unit, struct runners_sample *r)
{
	char *prefix = systemd_prefix(unit);
	const char *p = text ? text : "";

	r->n = r->count = r->busy = r->idle = r->offline = 0;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		systemd_line(line, prefix, r);
		free(line);
		p += len;
		if (*p)
			p++;
	}
	free(prefix);
	return 0;
}
