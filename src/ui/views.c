#include "config.h"
#include "ui/views.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every view once, in tab order; its --view name, title and help live in
 * the view, its key follows from its place here. */
const struct view *const views_table[] = {
	&view_overview, &view_topology, &view_ram, &view_gpus,
	&view_databases, &view_runners, &view_keys, &view_events,
};
const int views_count = (int)ARRAY_LEN(views_table);
_Static_assert(ARRAY_LEN(views_table) <= VIEW_MAX, "raise VIEW_MAX in views.h");

/* Each domain's part of the views that show every domain (views.h). */
const struct domain_view domain_views[DOM__COUNT] = {
	[DOM_CONTAINER] = { .overview = &ctr_column },
	[DOM_GPU] = { .overview = &gpu_column },
};

int views_key(int i)
{
	static const char keys[] = "1234567890";

	if (i < 0 || i >= views_count || i >= (int)sizeof(keys) - 1)
		return 0;
	return keys[i];
}

int views_by_key(int key)
{
	for (int i = 0; i < views_count; i++)
		if (key && views_key(i) == key)
			return i;
	return -1;
}

void views_names(char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (int i = 0; i < views_count && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					views_table[i]->name);
}

void views_help_line(char *keys, size_t ksize, char *what, size_t wsize)
{
	int last = views_count < 10 ? views_count - 1 : 9;
	size_t len;

	str_fmt(keys, ksize, "%c-%c", views_key(0), views_key(last));
	len = (size_t)snprintf(what, wsize, "switch view (");
	for (int i = 0; i < views_count && len < wsize; i++)
		len += (size_t)snprintf(what + len, wsize - len, "%s%s", i ? " " : "",
					views_table[i]->title);
	if (len < wsize)
		snprintf(what + len, wsize - len, ")");
}

void views_usage(FILE *fp)
{
	fprintf(fp, "\nViews (--view NAME; on screen: its key, or Tab):\n");
	for (int i = 0; i < views_count; i++)
		fprintf(fp, "  %c %-10s %s\n", views_key(i) ? views_key(i) : ' ',
			views_table[i]->name, views_table[i]->help);
}

int views_find(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < views_count; i++)
		if (strcmp(views_table[i]->name, name) == 0)
			return i;
	if (name[0] && name[1] == '\0')
		return views_by_key((unsigned char)name[0]);
	return -1;
}

void ui_state_init(struct ui_state *s, const char *start, bool wall, double now)
{
	int v = views_find(start);

	memset(s, 0, sizeof(*s));
	s->view = v < 0 ? 0 : v;
	s->screen = SCREEN_VIEW;
	s->wall = wall;
	s->detail_host = -1;
	s->tabs_y = -1;
	for (int i = 0; i < VIEW_MAX; i++)
		s->vs[i].target = -1;
}

void ui_message(struct ui_state *s, double now, const char *msg)
{
	str_copy(s->message, msg, sizeof(s->message));
	s->message_at = now;
}

void view_list_layout(struct view_state *vs, int nitems, int page, int y)
{
	vs->nitems = nitems < 0 ? 0 : nitems;
	vs->page = page < 1 ? 1 : page;
	vs->list_y = y;
	if (vs->sel >= vs->nitems)
		vs->sel = vs->nitems - 1;
	if (vs->sel < 0)
		vs->sel = 0;
	if (vs->sel < vs->top)
		vs->top = vs->sel;
	if (vs->sel >= vs->top + vs->page)
		vs->top = vs->sel - vs->page + 1;
	/* no empty space at the end when items were removed */
	if (vs->top > vs->nitems - vs->page)
		vs->top = vs->nitems - vs->page;
	if (vs->top < 0)
		vs->top = 0;
}

/* Case-insensitive (ASCII) substring search. */
static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return false;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] &&
		       tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}

bool view_text_matches(const char *text, const char *filter)
{
	return !filter || !*filter || contains_nocase(text, filter);
}

bool view_host_matches(const struct fleet *f, size_t i, const char *filter)
{
	if (!filter || !*filter)
		return true;
	if (i >= f->nhosts)
		return false;
	return contains_nocase(f->hosts[i].name, filter) ||
	       contains_nocase(f->hosts[i].role, filter);
}

int view_status_role(enum status st)
{
	switch (st) {
	case ST_OK: return ROLE_OK;
	case ST_WARN: return ROLE_WARN;
	case ST_CRIT: return ROLE_CRIT;
	case ST_UNKNOWN: break;
	}
	return ROLE_UNKNOWN;
}

const char *view_status_word(enum status st)
{
	switch (st) {
	case ST_OK: return "OK";
	case ST_WARN: return "WARN";
	case ST_CRIT: return "CRIT";
	case ST_UNKNOWN: break;
	}
	return "UNKNOWN";
}

size_t view_nhosts(const struct ui_ctx *u)
{
	size_t n = u->f ? u->f->nhosts : 0;

	if (!u->snap || u->snap->nhosts < n)
		n = u->snap ? u->snap->nhosts : 0;
	if (!u->ev || u->ev->nhosts < n)
		n = u->ev ? u->ev->nhosts : 0;
	return n;
}

static int alert_cmp(const void *a, const void *b)
{
	const struct alert *x = *(const struct alert *const *)a;
	const struct alert *y = *(const struct alert *const *)b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return x < y ? -1 : x > y;
}

size_t view_alerts_sorted(const struct ui_ctx *u, size_t *idx, size_t max)
{
	const struct alert **tmp;
	size_t n, all;

	if (!u->ev || !u->ev->alerts || !u->ev->nalerts)
		return 0;
	all = u->ev->nalerts;
	tmp = xcalloc(all, sizeof(*tmp));
	for (size_t i = 0; i < all; i++)
		tmp[i] = &u->ev->alerts[i];
	/* rules promise this order; sorting again keeps a crit from ever
	 * hiding below a warning if that promise breaks */
	qsort(tmp, all, sizeof(*tmp), alert_cmp);
	n = all < max ? all : max;
	for (size_t i = 0; i < n; i++)
		idx[i] = (size_t)(tmp[i] - u->ev->alerts);
	free(tmp);
	return n;
}
