#include "config.h"
#include "ui/present.h"
#include "util/text.h"
#include "util/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

void present_init(struct presenter *p)
{
	memset(p, 0, sizeof(*p));
	cells_init(&p->prev, 0, 0, false);
	p->fd = STDOUT_FILENO;
	p->cx = p->cy = -1;
	for (int i = 0; i < ROLE_COUNT; i++)
		p->style[i] = p->sel_style[i] = (struct present_style){ -1, -1, 0 };
}

void present_free(struct presenter *p)
{
	cells_free(&p->prev);
	free(p->todo);
	p->todo = NULL;
	p->ntodo = p->captodo = 0;
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
}

void present_forget(struct presenter *p)
{
	cells_wipe(&p->prev);
	if (p->buf)
		explicit_bzero(p->buf, p->cap);   /* the bytes that carried it too */
	p->valid = false;
}

void present_invalidate(struct presenter *p)
{
	p->valid = false;
}

/* ---- the terminal ---- */

/* A string capability, or NULL when the terminal has none. */
static const char *cap_str(const char *name)
{
	char *s = tigetstr(name);

	return s && s != (char *)-1 && *s ? s : NULL;
}

/* True when a newline written to fd moves down without a return. */
static bool newline_stays(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0 && (!(t.c_oflag & OPOST) || !(t.c_oflag & ONLCR));
}

static void caps_read(struct presenter *p)
{
	p->cup = cap_str("cup");
	p->clear = cap_str("clear");
	p->sgr0 = cap_str("sgr0");
	p->bold = cap_str("bold");
	p->dim = cap_str("dim");
	p->rev = cap_str("rev");
	p->smul = cap_str("smul");
	p->setaf = cap_str("setaf");
	p->setab = cap_str("setab");
	p->cuf = cap_str("cuf");
	p->cub = cap_str("cub");
	p->cud = cap_str("cud");
	p->cuu = cap_str("cuu");
	p->cuf1 = cap_str("cuf1");
	p->cub1 = cap_str("cub1");
	p->cuu1 = cap_str("cuu1");
	/* a cud1 of "\n" comes out as "\r\n" where the tty adds the return
	 * (onlcr; curses' nonl() turns it off): only then is it no move down */
	p->cud1 = cap_str("cud1");
	if (p->cud1 && strchr(p->cud1, '\n') && !newline_stays(p->fd))
		p->cud1 = NULL;
	/* with auto margins, the bottom-right cell scrolls the screen unless
	 * the terminal delays the wrap (xenl, as xterm, tmux and screen do) */
	p->last_cell_ok = tigetflag("am") <= 0 || tigetflag("xenl") > 0;
}

/* ---- colours ---- */

/* A theme colour as this terminal can show it (theme.c maps it: nearest of
 * 8/16/256, or exact on a direct-colour terminal). */
static int color_for(int color, int ncolors, bool have_default, int fallback)
{
	if (color == THEME_COLOR_DEFAULT)
		return have_default ? -1 : fallback;
	return theme_color_reduce(color, ncolors);
}

static void colors_mono(struct presenter *p)
{
	struct theme mono;

	theme_mono(&mono);
	for (int i = 0; i < ROLE_COUNT; i++) {
		p->style[i] = (struct present_style){ -1, -1, mono.role[i].attrs };
		p->has_bg[i] = false;
		p->sel_style[i] = (struct present_style){ -1, -1,
			mono.role[i].attrs | mono.role[ROLE_SELECTED].attrs };
	}
}

/* "Role on the selection's background": the role's colour where it has one. */
static void colors_selected(struct presenter *p, const struct theme *t, int ncolors,
			    bool have_default)
{
	const struct theme_style *sel = &t->role[ROLE_SELECTED];

	for (int i = 0; i < ROLE_COUNT; i++) {
		int fg = t->role[i].fg != THEME_COLOR_DEFAULT ? t->role[i].fg : sel->fg;

		if (sel->bg == THEME_COLOR_DEFAULT) {
			/* no bar colour to keep roles on: the plain selection */
			p->sel_style[i] = p->style[ROLE_SELECTED];
			p->sel_style[i].attrs |= p->style[i].attrs & TA_DIM;
			continue;
		}
		p->sel_style[i] = (struct present_style){
			color_for(fg, ncolors, have_default, COLOR_WHITE),
			color_for(sel->bg, ncolors, have_default, COLOR_BLACK),
			t->role[i].attrs | (sel->attrs & ~(unsigned)TA_REVERSE) };
	}
}

void present_colors(struct presenter *p, const struct theme *t, bool no_color)
{
	int ncolors = tigetnum("colors");
	bool have_default;

	caps_read(p);
	p->valid = false;
	if (no_color || !p->setaf || !p->setab || ncolors < 8) {
		colors_mono(p);
		return;
	}
	/* the default colours are reached with sgr0 (orig_pair is part of it
	 * on every terminal that has it) */
	have_default = cap_str("op") != NULL || tigetflag("AX") > 0;
	ncolors = theme_palette_size(ncolors);
	for (int i = 0; i < ROLE_COUNT; i++) {
		p->style[i] = (struct present_style){
			color_for(t->role[i].fg, ncolors, have_default, COLOR_WHITE),
			color_for(t->role[i].bg, ncolors, have_default, COLOR_BLACK),
			t->role[i].attrs };
		p->has_bg[i] = t->role[i].bg != THEME_COLOR_DEFAULT;
	}
	colors_selected(p, t, ncolors, have_default);
}

/* ---- building a frame ---- */

static void put(struct presenter *p, const char *s, size_t n)
{
	if (!s || !n)
		return;
	if (p->len + n > p->cap) {
		p->cap = (p->len + n) * 2 + 4096;
		p->buf = xrealloc(p->buf, p->cap);
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
}

static void puts_cap(struct presenter *p, const char *s)
{
	if (s)
		put(p, s, strlen(s));
}

static bool style_same(const struct present_style *a, const struct present_style *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs;
}

static void style_emit(struct presenter *p, const struct present_style *s)
{
	if (p->cur_known && style_same(&p->cur, s))
		return;
	puts_cap(p, p->sgr0);
	if (s->attrs & TA_BOLD)
		puts_cap(p, p->bold);
	if (s->attrs & TA_DIM)
		puts_cap(p, p->dim);
	if (s->attrs & TA_REVERSE)
		puts_cap(p, p->rev);
	if (s->attrs & TA_UNDERLINE)
		puts_cap(p, p->smul);
	if (s->fg >= 0 && p->setaf)
		puts_cap(p, tiparm(p->setaf, s->fg));
	if (s->bg >= 0 && p->setab)
		puts_cap(p, tiparm(p->setab, s->bg));
	p->cur = *s;
	p->cur_known = true;
}

/* A move of n steps into buf: the one-step capability repeated, or the
 * parameterised one, whichever is shorter; SIZE_MAX if the terminal has
 * neither. */
static size_t move_str(char *buf, size_t size, const char *one, const char *parm, int n)
{
	const char *s;
	size_t len = SIZE_MAX;

	buf[0] = '\0';
	if (n <= 0)
		return 0;
	if (parm && (s = tiparm(parm, n)))
		len = str_copy(buf, s, size);
	if (one && (size_t)n * strlen(one) < len && (size_t)n * strlen(one) < size) {
		buf[0] = '\0';
		for (int i = 0; i < n; i++)
			strcat(buf, one);
		len = strlen(buf);
	}
	return len;
}

/* Moves the cursor the shortest way this terminal knows: an absolute cup,
 * or relative moves from where it is (the next changed cell is often a
 * few columns on, or the row below). */
static void cursor_to(struct presenter *p, int x, int y)
{
	char v[32], h[32], best[64];
	size_t nv, nh;

	if (p->cx == x && p->cy == y)
		return;
	str_copy(best, p->cup ? tiparm(p->cup, y, x) : "", sizeof(best));
	if (p->cx >= 0 && p->cy >= 0) {
		nv = y >= p->cy ? move_str(v, sizeof(v), p->cud1, p->cud, y - p->cy)
				: move_str(v, sizeof(v), p->cuu1, p->cuu, p->cy - y);
		nh = x >= p->cx ? move_str(h, sizeof(h), p->cuf1, p->cuf, x - p->cx)
				: move_str(h, sizeof(h), p->cub1, p->cub, p->cx - x);
		if (nv != SIZE_MAX && nh != SIZE_MAX && nv + nh < strlen(best))
			str_fmt(best, sizeof(best), "%s%s", v, h);
	}
	puts_cap(p, best);
	p->cx = x;
	p->cy = y;
}

static struct present_style cell_style(const struct presenter *p, const struct cell *cell)
{
	int role = cell->role < ROLE_COUNT ? cell->role : ROLE_NORMAL;
	struct present_style s = cell->flags & CF_SELECTED ? p->sel_style[role] : p->style[role];

	if (cell->flags & CF_BOLD)
		s.attrs |= TA_BOLD;
	if ((cell->flags & CF_REVERSE) && !p->has_bg[role])
		s.attrs |= TA_REVERSE;
	return s;
}

static void cell_emit(struct presenter *p, const struct present_cell *t, const struct cell *cell,
		      int w)
{
	char utf8[8];
	int n;

	style_emit(p, &t->style);
	cursor_to(p, t->x, t->y);
	n = cell->ch >= 0x20 && cell->ch != 0x7f ? utf8_encode(cell->ch, utf8) : 0;
	if (n <= 0) {
		utf8[0] = ' ';
		n = 1;
	}
	put(p, utf8, (size_t)n);
	p->cx += t->wide ? 2 : 1;
	if (p->cx >= w)
		p->cx = p->cy = -1;  /* a pending wrap: where the cursor is is unclear */
}

static void todo_add(struct presenter *p, const struct present_cell *t)
{
	if (p->ntodo == p->captodo) {
		p->captodo = p->captodo ? p->captodo * 2 : 256;
		p->todo = xrealloc(p->todo, p->captodo * sizeof(*p->todo));
	}
	p->todo[p->ntodo++] = *t;
}

/* Changed cells grouped by style, then in screen order: each style is set
 * once per frame, and cells side by side go out without a move. */
static int todo_cmp(const void *a, const void *b)
{
	const struct present_cell *x = a, *y = b;

	if (x->style.attrs != y->style.attrs)
		return x->style.attrs < y->style.attrs ? -1 : 1;
	if (x->style.fg != y->style.fg)
		return x->style.fg < y->style.fg ? -1 : 1;
	if (x->style.bg != y->style.bg)
		return x->style.bg < y->style.bg ? -1 : 1;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return (x->x > y->x) - (x->x < y->x);
}

/* One write(2) for the frame (a short write is finished with more). */
static void flush_frame(struct presenter *p)
{
	size_t off = 0;

	while (off < p->len) {
		ssize_t n = write(p->fd, p->buf + off, p->len - off);

		p->writes++;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;      /* the terminal is gone: the loop sees EOF on stdin */
		}
		off += (size_t)n;
	}
	p->bytes += p->len;
	p->frames++;
	p->len = 0;
}

int present_frame(struct presenter *p, const struct cells *c)
{
	int written;

	if (p->prev.w != c->w || p->prev.h != c->h) {
		cells_resize(&p->prev, c->w, c->h);
		p->valid = false;
	}
	if (!p->valid) {
		/* what the terminal shows is unknown: clear it, draw every cell */
		p->cur_known = false;
		puts_cap(p, p->sgr0);
		puts_cap(p, p->clear);
		p->cx = p->cy = p->clear ? 0 : -1;
	}
	p->ntodo = 0;
	for (int y = 0; y < c->h; y++) {
		for (int x = 0; x < c->w; x++) {
			const struct cell *cell = cells_get(c, x, y);
			struct cell *old = &p->prev.v[(size_t)y * (size_t)c->w + (size_t)x];
			struct present_cell t;

			if (p->valid && old->ch == cell->ch && old->role == cell->role &&
			    old->flags == cell->flags)
				continue;
			*old = *cell;
			if (cell->flags & CF_WIDE)
				continue;   /* drawn with its left half */
			if (y == c->h - 1 && x == c->w - 1 && !p->last_cell_ok)
				continue;
			t.style = cell_style(p, cell);
			t.x = x;
			t.y = y;
			t.wide = x + 1 < c->w && (cells_get(c, x + 1, y)->flags & CF_WIDE);
			todo_add(p, &t);
		}
	}
	qsort(p->todo, p->ntodo, sizeof(*p->todo), todo_cmp);
	for (size_t i = 0; i < p->ntodo; i++)
		cell_emit(p, &p->todo[i], cells_get(c, p->todo[i].x, p->todo[i].y), c->w);
	written = (int)p->ntodo;
	if (!p->valid && !written)
		written = 1;     /* the clear itself */
	p->valid = true;
	if (p->len)
		flush_frame(p);
	return written;
}

void present_stop(struct presenter *p, int rows)
{
	p->cur_known = false;
	puts_cap(p, p->sgr0);
	if (rows > 0)
		cursor_to(p, 0, rows - 1);
	if (p->len)
		flush_frame(p);
}
