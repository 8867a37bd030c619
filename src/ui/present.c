#include "config.h"
#include "ui/present.h"
#include "util/util.h"

#include <string.h>
#include <wchar.h>

void present_init(struct presenter *p)
{
	memset(p, 0, sizeof(*p));
	cells_init(&p->prev, 0, 0, false);
	for (int i = 0; i < ROLE_COUNT; i++)
		p->attr[i] = A_NORMAL;
}

void present_free(struct presenter *p)
{
	cells_free(&p->prev);
}

void present_forget(struct presenter *p)
{
	cells_wipe(&p->prev);
	p->valid = false;
}

void present_invalidate(struct presenter *p)
{
	p->valid = false;
}

static attr_t attrs_of(unsigned ta)
{
	attr_t a = A_NORMAL;

	if (ta & TA_BOLD)
		a |= A_BOLD;
	if (ta & TA_DIM)
		a |= A_DIM;
	if (ta & TA_REVERSE)
		a |= A_REVERSE;
	if (ta & TA_UNDERLINE)
		a |= A_UNDERLINE;
	return a;
}

static void colors_mono(struct presenter *p)
{
	struct theme mono;

	theme_mono(&mono);
	for (int i = 0; i < ROLE_COUNT; i++) {
		p->attr[i] = attrs_of(mono.role[i].attrs);
		p->pair[i] = 0;
		p->has_bg[i] = false;
		p->sel_attr[i] = p->attr[i] | attrs_of(mono.role[ROLE_SELECTED].attrs);
		p->sel_pair[i] = 0;
	}
}

/* A theme colour as this terminal can show it (theme.c maps it: nearest of
 * 8/16/256, or exact on a direct-colour terminal, hence int and
 * init_extended_pair). */
static int color_for(int color, int ncolors, bool have_default, int fallback)
{
	if (color == THEME_COLOR_DEFAULT)
		return have_default ? -1 : fallback;
	return theme_color_reduce(color, ncolors);
}

/* Pairs ROLE_COUNT+1.. are "role on the selection's background". */
static void colors_selected(struct presenter *p, const struct theme *t, int ncolors,
			    bool have_default)
{
	const struct theme_style *sel = &t->role[ROLE_SELECTED];

	for (int i = 0; i < ROLE_COUNT; i++) {
		int fg = t->role[i].fg != THEME_COLOR_DEFAULT ? t->role[i].fg : sel->fg;
		short pair = (short)(ROLE_COUNT + 1 + i);

		if (sel->bg == THEME_COLOR_DEFAULT || COLOR_PAIRS <= 2 * ROLE_COUNT + 1) {
			/* no bar colour to keep roles on: the plain selection */
			p->sel_attr[i] = p->attr[ROLE_SELECTED] | (p->attr[i] & A_DIM);
			p->sel_pair[i] = p->pair[ROLE_SELECTED];
			continue;
		}
		init_extended_pair(pair, color_for(fg, ncolors, have_default, COLOR_WHITE),
				   color_for(sel->bg, ncolors, have_default, COLOR_BLACK));
		p->sel_attr[i] = attrs_of(t->role[i].attrs | (sel->attrs & ~TA_REVERSE));
		p->sel_pair[i] = pair;
	}
}

void present_colors(struct presenter *p, const struct theme *t, bool no_color)
{
	bool have_default;
	int ncolors;

	p->valid = false;
	if (no_color || !has_colors() || start_color() == ERR || COLOR_PAIRS <= ROLE_COUNT) {
		colors_mono(p);
		return;
	}
	have_default = use_default_colors() == OK;
	ncolors = theme_palette_size(COLORS);
	for (int i = 0; i < ROLE_COUNT; i++) {
		int fg = color_for(t->role[i].fg, ncolors, have_default, COLOR_WHITE);
		int bg = color_for(t->role[i].bg, ncolors, have_default, COLOR_BLACK);

		init_extended_pair(i + 1, fg, bg);
		p->pair[i] = (short)(i + 1);
		p->attr[i] = attrs_of(t->role[i].attrs);
		p->has_bg[i] = t->role[i].bg != THEME_COLOR_DEFAULT;
	}
	colors_selected(p, t, ncolors, have_default);
}

static void cell_cchar(const struct presenter *p, const struct cell *cell, cchar_t *cc)
{
	int role = cell->role < ROLE_COUNT ? cell->role : ROLE_NORMAL;
	wchar_t wch[2] = { (wchar_t)cell->ch, L'\0' };
	attr_t a;

	a = cell->flags & CF_SELECTED ? p->sel_attr[role] : p->attr[role];
	if (cell->flags & CF_BOLD)
		a |= A_BOLD;
	if ((cell->flags & CF_REVERSE) && !p->has_bg[role])
		a |= A_REVERSE;
	setcchar(cc, wch, a, cell->flags & CF_SELECTED ? p->sel_pair[role] : p->pair[role], NULL);
}

static bool cell_same(const struct cell *a, const struct cell *b)
{
	return a->ch == b->ch && a->role == b->role && a->flags == b->flags;
}

int present_frame(struct presenter *p, const struct cells *c)
{
	int written = 0;

	if (p->prev.w != c->w || p->prev.h != c->h) {
		cells_resize(&p->prev, c->w, c->h);
		p->valid = false;
	}
	for (int y = 0; y < c->h; y++) {
		for (int x = 0; x < c->w; x++) {
			const struct cell *cell = cells_get(c, x, y);
			struct cell *old = &p->prev.v[(size_t)y * (size_t)c->w + (size_t)x];
			cchar_t cc;

			if (p->valid && cell_same(cell, old))
				continue;
			*old = *cell;
			if (cell->flags & CF_WIDE)
				continue;   /* drawn with its left half */
			cell_cchar(p, cell, &cc);
			mvwadd_wch(stdscr, y, x, &cc);
			written++;
		}
	}
	p->valid = true;
	if (written == 0)
		return 0;
	wnoutrefresh(stdscr);
	doupdate();
	return written;
}
