#include "config.h"
#include "action/parse.h"
#include "util/util.h"

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
	str_copy(it->name, name, sizeof(it->name));
	str_sanitize(it->name);
	str_copy(it->state, state && *state ? state : "running", sizeof(it->state));
	str_sanitize(it->state);
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
