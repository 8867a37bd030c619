/* Themes: plain files mapping roles to colours and attributes.
 *
 *   # comment
 *   role = FG [on BG] [bold] [dim] [reverse] [underline]
 *
 * Colours: default, black red green yellow blue magenta cyan white, their
 * bright variants (brightred, ...), grey, colour0..colour255 (or color0..),
 * a plain 0..255 number, or #rrggbb (kept exact for truecolor terminals,
 * the nearest of the palette elsewhere).
 * A role the file does not mention keeps its built-in default. Loading never
 * touches the terminal, so main.c can reject a bad --theme before curses
 * starts; present.c maps the result onto what the terminal can show. */
#ifndef FLEETDECK_UI_THEME_H
#define FLEETDECK_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/cells.h"

#define THEME_COLOR_DEFAULT (-1)
/* A #rrggbb colour: this flag over 0xRRGGBB. */
#define THEME_RGB_FLAG 0x1000000
#define THEME_RGB(rgb) (THEME_RGB_FLAG | ((rgb) & 0xffffff))
/* theme_color_reduce()'s ncolors for a direct-colour (truecolor) terminal:
 * the result is 0xRRGGBB as ncurses takes it (0..7 stay the ANSI colours). */
#define THEME_COLORS_DIRECT 0x1000000

enum theme_attr {
	TA_BOLD = 1u << 0,
	TA_DIM = 1u << 1,
	TA_REVERSE = 1u << 2,
	TA_UNDERLINE = 1u << 3,
};

struct theme_style {
	int fg, bg;              /* 0..255, THEME_RGB(...), or THEME_COLOR_DEFAULT */
	unsigned attrs;          /* enum theme_attr */
};

struct theme {
	char name[64];
	struct theme_style role[ROLE_COUNT];
};

/* Loads a theme: NULL or "default" is the shipped default (the built-in
 * table when the file is not installed); a NAME is looked up in
 * $XDG_DATA_HOME/fleetdeck/themes, then PKGDATADIR/themes (or, for the tests
 * and an uninstalled build, $FLEETDECK_DATADIR/themes instead); anything
 * with a '/' is a path.
 * Returns 0, or -1 with "file:line: message" (or "theme 'x' not found ...")
 * in err. */
int theme_load(const char *name_or_path, struct theme *out, char *err, size_t errlen);

/* theme_load(), but a theme that cannot be loaded never stops anything:
 * err gets its "file:line: message" and out the `fallback` theme (a name;
 * NULL is "default"; the built-in table as a last resort). Returns 0 when
 * the theme asked for was loaded, 1 when the fallback was. */
int theme_load_or(const char *name_or_path, const char *fallback, struct theme *out,
		  char *err, size_t errlen);

/* Parses theme text; `file` is used in messages only. Same return as above. */
int theme_parse(const char *file, const char *text, struct theme *out,
		char *err, size_t errlen);

/* The built-in defaults (8 basic colours), and the monochrome table used by
 * --no-color, NO_COLOR and terminals without colour. */
void theme_builtin(struct theme *out);
void theme_mono(struct theme *out);

/* Role names as written in theme files ("bar.used"); NULL if out of range. */
const char *theme_role_name(int role);
const char *theme_role_help(int role);
/* Role index for a name, or -1. */
int theme_role_find(const char *name);

/* Parses one colour word; returns 0..255, THEME_RGB(...),
 * THEME_COLOR_DEFAULT, or -2. */
int theme_color_parse(const char *word);
/* The colour as a terminal of `ncolors` shows it: the nearest among the
 * first 8, 16 or 256 of the xterm palette, or for THEME_COLORS_DIRECT the
 * exact 0xRRGGBB; THEME_COLOR_DEFAULT stays as is. */
int theme_color_reduce(int color, int ncolors);
/* How many colours to map onto for a terminal that reports `colors`:
 * 8, 16, 256 or THEME_COLORS_DIRECT. */
int theme_palette_size(int colors);

#endif
