/* The help screen ('?'): the keys, and what the colours mean. The view
 * keys come from the view table, a domain's own keys from its row of the
 * domain table. */
#include "config.h"
#include "ui/views.h"
#include "domain/domain.h"
#include "util/util.h"

static const struct help_key {
	const char *keys;
	const char *what;
} help_keys[] = {
	{ NULL, NULL },   /* the view keys: views_help_line() */
	{ "Tab  Shift-Tab", "next / previous view" },
	{ "j k  Up Down", "move the selection" },
	{ "PgUp PgDn Home End", "move by a page, to the first / last" },
	{ "Enter", "open the selected host's detail" },
	{ "Esc", "back; clears the filter" },
	{ "/", "filter rows by name or role (Enter keeps it, Esc clears it)" },
	{ "p", "pause / resume polling (data then turns stale)" },
	{ "R", "poll every target now" },
	{ "", NULL },     /* the domains' own keys: their rows' .help (domain/domains.c) */
	{ "Ctrl-L", "repaint the screen" },
	{ "?", "this help" },
	{ "q", "quit" },
	{ "mouse", "click a tab to switch; click a row to select it, again to open it" },
};

void help_draw(struct cells *c, struct rect body, const struct ui_ctx *u,
	       const struct ui_state *s, struct view_state *vs)
{
	static const enum status statuses[] = { ST_OK, ST_WARN, ST_CRIT, ST_UNKNOWN };
	int line = 0, lines = (int)ARRAY_LEN(help_keys) - 1 + 9;   /* the domains' slot counts below */
	int y0;

	DOMAINS_FOREACH(d)
		for (const char *const *h = d->help; h && h[0]; h += 2)
			lines++;

	view_list_layout(vs, lines - body.h + 1, 1, body.y);
	y0 = body.y - vs->sel;
	cells_text(c, body.x + 1, y0 + line++, body.w - 2, ROLE_HEADER, "Keys");
	for (size_t i = 0; i < ARRAY_LEN(help_keys); i++, line++) {
		char keys[16], what[256];

		if (help_keys[i].keys && !help_keys[i].what) {
			DOMAINS_FOREACH(d)
				for (const char *const *h = d->help; h && h[0]; h += 2, line++) {
					cells_text(c, body.x + 2, y0 + line, 20, ROLE_TITLE, h[0]);
					cells_text(c, body.x + 23, y0 + line, body.w - 24, ROLE_HELP, h[1]);
				}
			line--;
			continue;
		}
		if (help_keys[i].keys) {
			str_copy(keys, help_keys[i].keys, sizeof(keys));
			str_copy(what, help_keys[i].what, sizeof(what));
		} else {
			views_help_line(keys, sizeof(keys), what, sizeof(what));
		}
		cells_text(c, body.x + 2, y0 + line, 20, ROLE_TITLE, keys);
		cells_text(c, body.x + 23, y0 + line, body.w - 24, ROLE_HELP, what);
	}
	line++;
	cells_text(c, body.x + 1, y0 + line++, body.w - 2, ROLE_HEADER, "Status");
	for (size_t i = 0; i < ARRAY_LEN(statuses); i++) {
		int x = body.x + 2 + (int)i * 10;
		cells_text(c, x, y0 + line, 9, view_status_role(statuses[i]),
			   view_status_word(statuses[i]));
	}
	cells_text(c, body.x + 42, y0 + line++, body.w - 43, ROLE_STALE,
		   "STALE: older than 3 intervals, counted unknown");
	line++;
	cells_text(c, body.x + 2, y0 + line++, body.w - 3, ROLE_DIM,
		   "n/a: not measured (never a made-up zero).  -: not collected for this host.");
	if (u->read_only)
		cells_text(c, body.x + 2, y0 + line++, body.w - 3, ROLE_WARN,
			   "Read-only: every action key is disabled.");
	vs->target = -1;
}
