#include "config.h"
#include "ui/theme.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/fleetdeck"
#endif

#define THEME_MAX_BYTES (64 * 1024)

/* Every role once: its name in theme files, what it is for, the built-in
 * colour (basic 8, so it works everywhere) and the monochrome attributes. */
static const struct role_def {
	const char *name;
	const char *help;
	short fg, bg;
	unsigned attrs;
	unsigned mono;
} role_defs[ROLE_COUNT] = {
	[ROLE_NORMAL]       = { "normal", "ordinary text", -1, -1, 0, 0 },
	[ROLE_OK]           = { "ok", "healthy status", 2, -1, 0, 0 },
	[ROLE_WARN]         = { "warn", "warning status", 3, -1, TA_BOLD, TA_BOLD },
	[ROLE_CRIT]         = { "crit", "critical status", 1, -1, TA_BOLD, TA_BOLD | TA_REVERSE },
	[ROLE_UNKNOWN]      = { "unknown", "status that cannot be judged", 5, -1, 0, TA_UNDERLINE },
	[ROLE_STALE]        = { "stale", "data older than 3 intervals", -1, -1, TA_DIM, TA_DIM },
	[ROLE_BORDER]       = { "border", "box and separator lines", 4, -1, 0, 0 },
	[ROLE_TITLE]        = { "title", "top line and box titles", 6, -1, TA_BOLD, TA_BOLD },
	[ROLE_HEADER]       = { "header", "column headers", -1, -1, TA_BOLD | TA_UNDERLINE, TA_BOLD | TA_UNDERLINE },
	[ROLE_SELECTED]     = { "selected", "the selected row", -1, -1, TA_REVERSE, TA_REVERSE },
	[ROLE_DIM]          = { "dim", "secondary text", -1, -1, TA_DIM, TA_DIM },
	[ROLE_BAR_USED]     = { "bar.used", "used part of a bar", 2, -1, 0, 0 },
	[ROLE_BAR_FREE]     = { "bar.free", "free part of a bar", -1, -1, TA_DIM, TA_DIM },
	[ROLE_BAR_RESERVE]  = { "bar.reserve", "reserve marker on a memory bar", 3, -1, TA_BOLD, TA_BOLD },
	[ROLE_BAR_SWAP]     = { "bar.swap", "swap use", 5, -1, 0, 0 },
	[ROLE_TAB]          = { "tab", "view tabs", -1, -1, 0, 0 },
	[ROLE_TAB_ACTIVE]   = { "tab.active", "the current view's tab", -1, -1, TA_REVERSE | TA_BOLD, TA_REVERSE | TA_BOLD },
	[ROLE_ALERT]        = { "alert", "alert lines", 1, -1, 0, 0 },
	[ROLE_HELP]         = { "help", "help text and key hints", 6, -1, 0, 0 },
};

static const struct { const char *name; int color; } color_names[] = {
	{ "default", THEME_COLOR_DEFAULT },
	{ "black", 0 }, { "red", 1 }, { "green", 2 }, { "yellow", 3 },
	{ "blue", 4 }, { "magenta", 5 }, { "cyan", 6 }, { "white", 7 },
	{ "brightblack", 8 }, { "brightred", 9 }, { "brightgreen", 10 },
	{ "brightyellow", 11 }, { "brightblue", 12 }, { "brightmagenta", 13 },
	{ "brightcyan", 14 }, { "brightwhite", 15 }, { "grey", 8 }, { "gray", 8 },
};

static const struct { const char *name; unsigned attr; } attr_names[] = {
	{ "bold", TA_BOLD }, { "dim", TA_DIM }, { "reverse", TA_REVERSE },
	{ "underline", TA_UNDERLINE },
};

const char *theme_role_name(int role)
{
	return role >= 0 && role < ROLE_COUNT ? role_defs[role].name : NULL;
}

const char *theme_role_help(int role)
{
	return role >= 0 && role < ROLE_COUNT ? role_defs[role].help : NULL;
}

int theme_role_find(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(role_defs[i].name, name) == 0)
			return i;
	return -1;
}

void theme_builtin(struct theme *out)
{
	memset(out, 0, sizeof(*out));
	str_copy(out->name, "built-in", sizeof(out->name));
	for (int i = 0; i < ROLE_COUNT; i++)
		out->role[i] = (struct theme_style){ role_defs[i].fg, role_defs[i].bg,
						     role_defs[i].attrs };
}

void theme_mono(struct theme *out)
{
	memset(out, 0, sizeof(*out));
	str_copy(out->name, "monochrome", sizeof(out->name));
	for (int i = 0; i < ROLE_COUNT; i++)
		out->role[i] = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT,
						     role_defs[i].mono };
}

/* The xterm palette as RGB, for nearest-colour mapping. */
static void palette_rgb(int c, int rgb[3])
{
	static const int base[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
		{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	static const int cube[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < 16) {
		memcpy(rgb, base[c], sizeof(base[c]));
	} else if (c < 232) {
		c -= 16;
		rgb[0] = cube[c / 36];
		rgb[1] = cube[c / 6 % 6];
		rgb[2] = cube[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + (c - 232) * 10;
	}
}

static int nearest_of(const int rgb[3], int ncolors)
{
	int best = 0;
	long best_d = -1;

	for (int i = 0; i < ncolors; i++) {
		int p[3];
		long d = 0;

		palette_rgb(i, p);
		for (int k = 0; k < 3; k++)
			d += (long)(p[k] - rgb[k]) * (p[k] - rgb[k]);
		if (best_d < 0 || d < best_d) {
			best = i;
			best_d = d;
		}
	}
	return best;
}

static void rgb_split(int packed, int rgb[3])
{
	rgb[0] = packed >> 16 & 0xff;
	rgb[1] = packed >> 8 & 0xff;
	rgb[2] = packed & 0xff;
}

int theme_palette_size(int colors)
{
	if (colors >= THEME_COLORS_DIRECT)
		return THEME_COLORS_DIRECT;
	return colors >= 256 ? 256 : colors >= 16 ? 16 : 8;
}

/* A direct-colour terminal takes 0xRRGGBB, except that 0..7 name the
 * terminal's own ANSI colours (its palette, which users tune): those stay. */
static int direct_of(int color)
{
	int rgb[3];

	if (color & THEME_RGB_FLAG) {
		color &= 0xffffff;
		return color < 8 ? 0 : color;     /* below 8 reads as an ANSI index */
	}
	if (color < 8)
		return color;
	palette_rgb(color, rgb);
	return rgb[0] << 16 | rgb[1] << 8 | rgb[2];
}

int theme_color_reduce(int color, int ncolors)
{
	int rgb[3];

	if (color < 0)
		return color;
	if (ncolors >= THEME_COLORS_DIRECT)
		return direct_of(color);
	if (color & THEME_RGB_FLAG) {
		rgb_split(color, rgb);
		return nearest_of(rgb, ncolors < 8 ? 8 : ncolors);
	}
	if (color < ncolors)
		return color;
	if (ncolors <= 8 && color >= 8 && color < 16)
		return color - 8;          /* bright red is still red */
	palette_rgb(color, rgb);
	return nearest_of(rgb, ncolors < 8 ? 8 : ncolors);
}

static int hex_color(const char *w)
{
	if (strlen(w) != 7)
		return -2;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)w[i]))
			return -2;
	return THEME_RGB((int)strtol(w + 1, NULL, 16));
}

static int number_color(const char *w)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*w))
		return -2;
	errno = 0;
	v = strtol(w, &end, 10);
	if (errno || *end || v < 0 || v > 255)
		return -2;
	return (int)v;
}

int theme_color_parse(const char *w)
{
	if (w[0] == '#')
		return hex_color(w);
	if (strncmp(w, "colour", 6) == 0)
		return number_color(w + 6);
	if (strncmp(w, "color", 5) == 0)
		return number_color(w + 5);
	if (isdigit((unsigned char)w[0]))
		return number_color(w);
	for (size_t i = 0; i < ARRAY_LEN(color_names); i++)
		if (strcasecmp(w, color_names[i].name) == 0)
			return color_names[i].color;
	return -2;
}

static int attr_parse(const char *w, unsigned *attr)
{
	for (size_t i = 0; i < ARRAY_LEN(attr_names); i++) {
		if (strcasecmp(w, attr_names[i].name) == 0) {
			*attr = attr_names[i].attr;
			return 0;
		}
	}
	return -1;
}

/* Edit distance, small strings only: for "did you mean". */
static int edit_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	int row[40];

	if (la >= 39 || lb >= 39)
		return 99;
	for (int j = 0; j <= lb; j++)
		row[j] = j;
	for (int i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = i;
		for (int j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *role_suggest(const char *name)
{
	const char *best = NULL;
	int best_d = 3;

	for (int i = 0; i < ROLE_COUNT; i++) {
		int d = edit_distance(name, role_defs[i].name);
		if (d < best_d) {
			best = role_defs[i].name;
			best_d = d;
		}
	}
	return best;
}

static bool is_hex_word(const char *p)
{
	if (p[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	return p[7] == '\0' || isspace((unsigned char)p[7]);
}

/* Removes a comment: '#' or ';' at the start of a word, unless the word is
 * a #rrggbb colour. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++) {
		bool word_start = p == s || isspace((unsigned char)p[-1]);

		if (!word_start || (*p != '#' && *p != ';') || is_hex_word(p))
			continue;
		*p = '\0';
		return;
	}
}

static int theme_fail(char *err, size_t errlen, const char *file, int line,
		      const char *fmt, const char *arg, const char *hint)
{
	char msg[256];

	str_fmt(msg, sizeof(msg), fmt, arg);
	str_fmt(err, errlen, "%s:%d: %s%s", file, line, msg, hint ? hint : "");
	return -1;
}

/* Parses "FG [on BG] [attrs...]" into *st. */
static int style_parse(char *value, struct theme_style *st, const char *file, int line,
		       char *err, size_t errlen)
{
	char *save = NULL;
	bool want_bg = false, have_fg = false;

	*st = (struct theme_style){ THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
	for (char *w = strtok_r(value, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		unsigned attr;
		int color;

		if (strcasecmp(w, "on") == 0 && !want_bg) {
			want_bg = true;
			continue;
		}
		if (!want_bg && attr_parse(w, &attr) == 0) {
			st->attrs |= attr;
			continue;
		}
		color = theme_color_parse(w);
		if (color == -2)
			return theme_fail(err, errlen, file, line, "unknown colour or attribute '%s'", w,
				" (expected a colour such as red, brightblue, 0-255 or #rrggbb, "
				"'on' and a colour, or bold, dim, reverse, underline)");
		if (want_bg) {
			st->bg = color;
			want_bg = false;
		} else if (!have_fg) {
			st->fg = color;
			have_fg = true;
		} else {
			return theme_fail(err, errlen, file, line,
				"second foreground colour '%s'", w, " (use 'on COLOUR' for the background)");
		}
	}
	if (want_bg)
		return theme_fail(err, errlen, file, line, "%s", "'on' without a colour", NULL);
	return 0;
}

static int line_parse(char *line, int lineno, const char *file, struct theme *out,
		      char *err, size_t errlen)
{
	char *eq, *key, *value;
	int role;

	strip_comment(line);
	key = str_trim(line);
	if (!*key)
		return 0;
	eq = strchr(key, '=');
	if (!eq)
		return theme_fail(err, errlen, file, lineno,
			"expected 'role = colour [on colour] [bold] ...', got '%s'", key, NULL);
	*eq = '\0';
	key = str_trim(key);
	value = str_trim(eq + 1);
	role = theme_role_find(key);
	if (role < 0) {
		const char *hint = role_suggest(key);
		char buf[96];

		if (hint)
			str_fmt(buf, sizeof(buf), " (did you mean '%s'?)", hint);
		return theme_fail(err, errlen, file, lineno, "unknown role '%s'", key,
				  hint ? buf : " (see doc/ui.md for the roles)");
	}
	if (!*value)
		return theme_fail(err, errlen, file, lineno, "role '%s' has no value", key, NULL);
	return style_parse(value, &out->role[role], file, lineno, err, errlen);
}

int theme_parse(const char *file, const char *text, struct theme *out,
		char *err, size_t errlen)
{
	char *copy = xstrdup(text), *p = copy;
	int lineno = 0, rc = 0;

	theme_builtin(out);
	while (p) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		lineno++;
		if (line_parse(p, lineno, file, out, err, errlen) < 0) {
			rc = -1;
			break;
		}
		p = nl ? nl + 1 : NULL;
	}
	free(copy);
	return rc;
}

/* Reads a small regular file; NULL with errno set on failure. */
static char *file_slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t n;

	if (!fp)
		return NULL;
	buf = xmalloc(THEME_MAX_BYTES + 1);
	n = fread(buf, 1, THEME_MAX_BYTES + 1, fp);
	if (ferror(fp) || n > THEME_MAX_BYTES) {
		int e = ferror(fp) ? EIO : EFBIG;
		fclose(fp);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

static bool theme_name_ok(const char *name)
{
	if (!*name || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return true;
}

static int theme_load_file(const char *path, const char *name, struct theme *out,
			   char *err, size_t errlen)
{
	char *text = file_slurp(path);
	int rc;

	if (!text) {
		str_fmt(err, errlen, "cannot read theme '%s': %s", path, strerror(errno));
		return -1;
	}
	rc = theme_parse(path, text, out, err, errlen);
	free(text);
	if (rc == 0)
		str_copy(out->name, name, sizeof(out->name));
	return rc;
}

/* The directories a theme NAME is looked for in, first match wins: the
 * user's own ($XDG_DATA_HOME/fleetdeck/themes, default
 * ~/.local/share/fleetdeck/themes), then the installed ones
 * (PKGDATADIR/themes), or instead of those $FLEETDECK_DATADIR/themes: the
 * tests and an uninstalled build set it, because a binary never looks into
 * the tree it was built from. Returns how many of dirs[] were set. */
static size_t theme_dirs(char *dirs[2])
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	const char *data = getenv("FLEETDECK_DATADIR");
	size_t n = 0;

	if (xdg && *xdg == '/')
		dirs[n++] = xasprintf("%s/fleetdeck/themes", xdg);
	else if (home && *home == '/')
		dirs[n++] = xasprintf("%s/.local/share/fleetdeck/themes", home);
	dirs[n++] = xasprintf("%s/themes", data && *data ? data : PKGDATADIR);
	return n;
}

int theme_load(const char *name, struct theme *out, char *err, size_t errlen)
{
	char *dirs[2];
	size_t ndirs;
	struct stat st;
	int rc = 1;

	if (!name)
		name = "default";
	if (strchr(name, '/'))
		return theme_load_file(name, name, out, err, errlen);
	if (!theme_name_ok(name)) {
		str_fmt(err, errlen, "invalid theme name '%s'", name);
		return -1;
	}
	ndirs = theme_dirs(dirs);
	for (size_t i = 0; i < ndirs && rc > 0; i++) {
		char *path = xasprintf("%s/%s", dirs[i], name);

		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = theme_load_file(path, name, out, err, errlen);
		free(path);
	}
	if (rc > 0 && strcmp(name, "default") == 0) {
		/* an uninstalled binary still gets readable colours */
		theme_builtin(out);
		rc = 0;
	}
	if (rc > 0) {
		str_fmt(err, errlen, "theme '%s' not found in %s%s%s (shipped: default, light, "
			"mono, high-contrast; or give a path; an uninstalled build: "
			"FLEETDECK_DATADIR=SOURCE-DIR)", name, dirs[0],
			ndirs > 1 ? " or " : "", ndirs > 1 ? dirs[1] : "");
		rc = -1;
	}
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i]);
	return rc;
}

int theme_load_or(const char *name, const char *fallback, struct theme *out,
		  char *err, size_t errlen)
{
	char ignored[256];

	if (theme_load(name, out, err, errlen) == 0)
		return 0;
	if (theme_load(fallback, out, ignored, sizeof(ignored)) < 0)
		theme_builtin(out);
	return 1;
}
