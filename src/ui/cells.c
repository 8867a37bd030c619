#include "config.h"
#include "ui/cells.h"
#include "util/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t glyphs_utf8[GLYPH_COUNT] = {
	[G_HLINE] = 0x2500, [G_VLINE] = 0x2502, [G_TL] = 0x250c, [G_TR] = 0x2510,
	[G_BL] = 0x2514, [G_BR] = 0x2518, [G_TEE_L] = 0x251c, [G_TEE_R] = 0x2524,
	[G_BAR_FULL] = 0x2588, [G_BAR_FREE] = 0x2591, [G_MARKER] = 0x2502,
	[G_DOT] = 0x25cf, [G_ELLIPSIS] = 0x2026, [G_ARROW_UP] = 0x25b2,
	[G_ARROW_DOWN] = 0x25bc, [G_SHADE] = 0x2592,
};

static const uint32_t glyphs_ascii[GLYPH_COUNT] = {
	[G_HLINE] = '-', [G_VLINE] = '|', [G_TL] = '+', [G_TR] = '+',
	[G_BL] = '+', [G_BR] = '+', [G_TEE_L] = '+', [G_TEE_R] = '+',
	[G_BAR_FULL] = '#', [G_BAR_FREE] = '.', [G_MARKER] = '|',
	[G_DOT] = '*', [G_ELLIPSIS] = '~', [G_ARROW_UP] = '^',
	[G_ARROW_DOWN] = 'v', [G_SHADE] = ':',
};

/* Eighths of a block, for bars and sparklines. */
static const uint32_t partial_blocks[8] = {
	0x20, 0x258f, 0x258e, 0x258d, 0x258c, 0x258b, 0x258a, 0x2589,
};
static const uint32_t spark_utf8[8] = {
	0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588,
};
static const char spark_ascii[] = "_.-=+*#@";

static struct rect rect_intersect(struct rect a, struct rect b)
{
	int x0 = a.x > b.x ? a.x : b.x;
	int y0 = a.y > b.y ? a.y : b.y;
	int x1 = a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w;
	int y1 = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;

	if (x1 < x0)
		x1 = x0;
	if (y1 < y0)
		y1 = y0;
	return (struct rect){ x0, y0, x1 - x0, y1 - y0 };
}

static bool clip_has(const struct cells *c, int x, int y)
{
	const struct rect *r = &c->clip;

	return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

void cells_init(struct cells *c, int w, int h, bool ascii)
{
	memset(c, 0, sizeof(*c));
	c->ascii = ascii;
	cells_resize(c, w, h);
}

void cells_resize(struct cells *c, int w, int h)
{
	if (w < 0)
		w = 0;
	if (h < 0)
		h = 0;
	cells_wipe(c);               /* a frame may have shown a secret */
	free(c->v);
	c->w = w;
	c->h = h;
	c->v = xcalloc((size_t)w * (size_t)h + 1, sizeof(*c->v));
	cells_clear(c);
}

void cells_wipe(struct cells *c)
{
	if (c->v)
		explicit_bzero(c->v, (size_t)c->w * (size_t)c->h * sizeof(*c->v));
}

void cells_free(struct cells *c)
{
	cells_wipe(c);
	free(c->v);
	c->v = NULL;
	c->w = c->h = 0;
}

void cells_clear(struct cells *c)
{
	size_t n = (size_t)c->w * (size_t)c->h;

	for (size_t i = 0; i < n; i++)
		c->v[i] = (struct cell){ ' ', ROLE_NORMAL, 0 };
	cells_unclip(c);
}

struct rect cells_clip(struct cells *c, struct rect r)
{
	struct rect old = c->clip;

	c->clip = rect_intersect(r, (struct rect){ 0, 0, c->w, c->h });
	return old;
}

void cells_unclip(struct cells *c)
{
	c->clip = (struct rect){ 0, 0, c->w, c->h };
}

const struct cell *cells_get(const struct cells *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return NULL;
	return &c->v[(size_t)y * (size_t)c->w + (size_t)x];
}

static struct cell *cell_at(struct cells *c, int x, int y)
{
	if (!clip_has(c, x, y))
		return NULL;
	return &c->v[(size_t)y * (size_t)c->w + (size_t)x];
}

uint32_t cells_glyph(const struct cells *c, enum glyph g)
{
	if ((unsigned)g >= GLYPH_COUNT)
		return '?';
	return c->ascii ? glyphs_ascii[g] : glyphs_utf8[g];
}

/* Zero-width and wide ranges that matter for hostnames, roles and our own
 * glyphs; anything not listed is one column. */
int codepoint_width(uint32_t cp)
{
	static const struct { uint32_t lo, hi; } zero[] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
		{ 0x0610, 0x061a }, { 0x064b, 0x065f }, { 0x200b, 0x200f },
		{ 0x202a, 0x202e }, { 0x2060, 0x2064 }, { 0x20d0, 0x20ff },
		{ 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff },
	};
	static const struct { uint32_t lo, hi; } wide[] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};

	for (size_t i = 0; i < ARRAY_LEN(zero); i++)
		if (cp >= zero[i].lo && cp <= zero[i].hi)
			return 0;
	for (size_t i = 0; i < ARRAY_LEN(wide); i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

/* What --ascii shows for a non-ASCII codepoint of user or view text. */
static uint32_t ascii_fold(uint32_t cp)
{
	static const struct { uint32_t from; char to; } fold[] = {
		{ 0x2013, '-' }, { 0x2014, '-' }, { 0x2212, '-' }, { 0x2018, '\'' },
		{ 0x2019, '\'' }, { 0x201c, '"' }, { 0x201d, '"' }, { 0x00b7, '.' },
		{ 0x2022, '*' }, { 0x25cf, '*' }, { 0x00d7, 'x' }, { 0x00b0, 'o' },
		{ 0x2192, '>' }, { 0x2190, '<' }, { 0x00a0, ' ' }, { 0x2026, '~' },
		{ 0x2191, '^' }, { 0x2193, 'v' }, { 0x25b2, '^' }, { 0x25bc, 'v' },
	};

	for (size_t i = 0; i < ARRAY_LEN(fold); i++)
		if (fold[i].from == cp)
			return (uint32_t)fold[i].to;
	return '?';
}

/* The codepoint actually stored for cp, or 0 to store nothing. */
static uint32_t cells_normalise(const struct cells *c, uint32_t cp)
{
	/* the one sanitiser's rule (util/text.h): dropped, never drawn, so
	 * cells_text_width() and cells_text() agree on every column */
	if (text_cp_dropped(cp))
		return 0;
	if (cp < 0x80)
		return cp;
	if (codepoint_width(cp) == 0)
		return 0;
	if (c->ascii)
		return ascii_fold(cp);
	return cp;
}

/* Before (x, y) is overwritten: never leave half of a wide character. */
static void cells_unwide(struct cells *c, int x, int y, int width)
{
	struct cell *cell = &c->v[(size_t)y * (size_t)c->w + (size_t)x];

	if ((cell->flags & CF_WIDE) && x > 0)
		cell[-1] = (struct cell){ ' ', cell[-1].role, 0 };
	if (width == 1 && x + 1 < c->w && (cell[1].flags & CF_WIDE))
		cell[1] = (struct cell){ ' ', cell[1].role, 0 };
}

int cells_put(struct cells *c, int x, int y, uint32_t ch, int role)
{
	struct cell *cell, *next;
	int width;

	ch = cells_normalise(c, ch);
	if (!ch)
		return 0;
	width = codepoint_width(ch);
	cell = cell_at(c, x, y);
	if (!cell)
		return 0;
	if (width == 2) {
		next = cell_at(c, x + 1, y);
		if (!next) {
			/* half a wide character would garble the line */
			cells_unwide(c, x, y, 1);
			*cell = (struct cell){ ' ', (uint8_t)role, 0 };
			return 1;
		}
		cells_unwide(c, x, y, 2);
		cells_unwide(c, x + 1, y, 1);
		*next = (struct cell){ 0, (uint8_t)role, CF_WIDE };
	} else {
		cells_unwide(c, x, y, 1);
	}
	*cell = (struct cell){ ch, (uint8_t)role, 0 };
	return width;
}

int cells_text_width(const struct cells *c, const char *s)
{
	int w = 0, n;
	uint32_t cp;

	while ((n = utf8_decode(s, &cp)) > 0) {
		s += n;
		cp = cells_normalise(c, n == 1 && cp == 0xfffd ? '?' : cp);
		if (cp)
			w += codepoint_width(cp);
	}
	return w;
}

int cells_text(struct cells *c, int x, int y, int maxw, int role, const char *s)
{
	int used = 0, n;
	uint32_t cp;

	if (!s)
		return 0;
	/* what is cut by the clip's right edge is not "used" */
	if (maxw > c->clip.x + c->clip.w - x)
		maxw = c->clip.x + c->clip.w - x;
	while (used < maxw && (n = utf8_decode(s, &cp)) > 0) {
		uint32_t ch;

		if (n == 1 && cp == 0xfffd)
			cp = '?';            /* not UTF-8, as text_clean() shows it */
		ch = cells_normalise(c, cp);
		int w = ch ? codepoint_width(ch) : 0;

		s += n;
		if (!ch)
			continue;
		if (used + w > maxw)
			break;
		cells_put(c, x + used, y, cp, role);
		used += w;
	}
	return used;
}

int cells_textf(struct cells *c, int x, int y, int maxw, int role, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cells_text(c, x, y, maxw, role, buf);
}

int cells_text_right(struct cells *c, int x, int y, int w, int role, const char *s)
{
	int tw = cells_text_width(c, s);

	if (tw >= w)
		return cells_text(c, x, y, w, role, s);
	return cells_text(c, x + w - tw, y, tw, role, s);
}

int cells_text_ellipsis(struct cells *c, int x, int y, int maxw, int role, const char *s)
{
	int used;

	if (maxw <= 0)
		return 0;
	if (cells_text_width(c, s) <= maxw)
		return cells_text(c, x, y, maxw, role, s);
	used = cells_text(c, x, y, maxw - 1, role, s);
	cells_put(c, x + used, y, cells_glyph(c, G_ELLIPSIS), role);
	return used + 1;
}

void cells_fill(struct cells *c, struct rect r, uint32_t ch, int role)
{
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			cells_put(c, x, y, ch, role);
}

void cells_paint(struct cells *c, struct rect r, int role, unsigned flags)
{
	r = rect_intersect(r, c->clip);
	for (int y = r.y; y < r.y + r.h; y++) {
		for (int x = r.x; x < r.x + r.w; x++) {
			struct cell *cell = &c->v[(size_t)y * (size_t)c->w + (size_t)x];
			if (role >= 0)
				cell->role = (uint8_t)role;
			cell->flags |= (uint8_t)(flags & ~CF_WIDE);
		}
	}
}

void cells_hline(struct cells *c, int x, int y, int w, int role)
{
	for (int i = 0; i < w; i++)
		cells_put(c, x + i, y, cells_glyph(c, G_HLINE), role);
}

void cells_vline(struct cells *c, int x, int y, int h, int role)
{
	for (int i = 0; i < h; i++)
		cells_put(c, x, y + i, cells_glyph(c, G_VLINE), role);
}

void cells_box(struct cells *c, struct rect r, int role, const char *title)
{
	if (r.w < 2 || r.h < 2)
		return;
	cells_hline(c, r.x + 1, r.y, r.w - 2, role);
	cells_hline(c, r.x + 1, r.y + r.h - 1, r.w - 2, role);
	cells_vline(c, r.x, r.y + 1, r.h - 2, role);
	cells_vline(c, r.x + r.w - 1, r.y + 1, r.h - 2, role);
	cells_put(c, r.x, r.y, cells_glyph(c, G_TL), role);
	cells_put(c, r.x + r.w - 1, r.y, cells_glyph(c, G_TR), role);
	cells_put(c, r.x, r.y + r.h - 1, cells_glyph(c, G_BL), role);
	cells_put(c, r.x + r.w - 1, r.y + r.h - 1, cells_glyph(c, G_BR), role);
	if (title && *title && r.w > 4)
		cells_text_ellipsis(c, r.x + 2, r.y, r.w - 4, ROLE_TITLE, title);
}

static double clamp01(double v)
{
	if (isnan(v) || v < 0)
		return 0;
	return v > 1 ? 1 : v;
}

void cells_bar(struct cells *c, int x, int y, int w, double used, int used_role,
	       const struct bar_marker *markers, int nmarkers)
{
	double eighths;
	int full, part;

	if (w <= 0)
		return;
	eighths = clamp01(used) * w * 8;
	full = (int)(eighths / 8);
	part = c->ascii ? 0 : (int)eighths % 8;
	for (int i = 0; i < w; i++) {
		if (i < full)
			cells_put(c, x + i, y, cells_glyph(c, G_BAR_FULL), used_role);
		else if (i == full && part)
			cells_put(c, x + i, y, partial_blocks[part], used_role);
		else
			cells_put(c, x + i, y, cells_glyph(c, G_BAR_FREE), ROLE_BAR_FREE);
	}
	for (int i = 0; i < nmarkers; i++) {
		int at;

		if (isnan(markers[i].at))
			continue;
		at = (int)(clamp01(markers[i].at) * w);
		if (at >= w)
			at = w - 1;
		cells_put(c, x + at, y, cells_glyph(c, G_MARKER), markers[i].role);
	}
}

void cells_sparkline(struct cells *c, int x, int y, int w, const struct history *h,
		     double lo, double hi, int role)
{
	int n = h->len < w ? h->len : w;

	if (w <= 0)
		return;
	if (hi <= lo) {
		hi = lo;
		for (int i = 0; i < n; i++)
			if (history_get(h, i) > hi)
				hi = history_get(h, i);
		if (hi <= lo)
			hi = lo + 1;
	}
	for (int i = 0; i < n; i++) {
		double v = history_get(h, i), f = (v - lo) / (hi - lo) * 7 + 0.5;
		int level;
		uint32_t ch;

		if (isnan(f))   /* a gap (NaN), or an infinite range */
			continue;
		/* clamped before the cast: a NaN or huge double in int is undefined */
		level = f < 0 ? 0 : f > 7 ? 7 : (int)f;
		ch = c->ascii ? (uint32_t)spark_ascii[level] : spark_utf8[level];
		cells_put(c, x + w - 1 - i, y, ch, role);
	}
}

char *cells_row_text(const struct cells *c, int y)
{
	char *out, *o;

	if (y < 0 || y >= c->h)
		return xstrdup("");
	out = o = xmalloc((size_t)c->w * 4 + 1);
	for (int x = 0; x < c->w; x++) {
		const struct cell *cell = cells_get(c, x, y);
		if (cell->flags & CF_WIDE)
			continue;
		o += utf8_encode(cell->ch, o);
	}
	*o = '\0';
	return out;
}

char *cells_dump(const struct cells *c)
{
	size_t cap = ((size_t)c->w * 4 + 1) * (size_t)c->h + 1;
	char *out = xmalloc(cap), *o = out;

	for (int y = 0; y < c->h; y++) {
		char *row = cells_row_text(c, y);
		size_t n = strlen(row);
		memcpy(o, row, n);
		o += n;
		*o++ = '\n';
		free(row);
	}
	*o = '\0';
	return out;
}
