#include "config.h"
#include "ui/bigtext.h"
#include "util/util.h"

#include <string.h>

#define FONT_W 3
#define FONT_H 5
#define ADVANCE (FONT_W + 1)

/* 3x5 pixels per character, '#' set. Shapes chosen to stay apart from each
 * other at a distance (O round, 0 square; M and N and H distinct). */
static const struct font_glyph {
	char ch;
	char rows[FONT_H][FONT_W + 1];
} font[] = {
	{ 'A', { ".#.", "#.#", "###", "#.#", "#.#" } },
	{ 'B', { "##.", "#.#", "##.", "#.#", "##." } },
	{ 'C', { ".##", "#..", "#..", "#..", ".##" } },
	{ 'D', { "##.", "#.#", "#.#", "#.#", "##." } },
	{ 'E', { "###", "#..", "##.", "#..", "###" } },
	{ 'F', { "###", "#..", "##.", "#..", "#.." } },
	{ 'G', { ".##", "#..", "#.#", "#.#", ".##" } },
	{ 'H', { "#.#", "#.#", "###", "#.#", "#.#" } },
	{ 'I', { "###", ".#.", ".#.", ".#.", "###" } },
	{ 'J', { "..#", "..#", "..#", "#.#", ".#." } },
	{ 'K', { "#.#", "#.#", "##.", "#.#", "#.#" } },
	{ 'L', { "#..", "#..", "#..", "#..", "###" } },
	{ 'M', { "#.#", "###", "#.#", "#.#", "#.#" } },
	{ 'N', { "##.", "#.#", "#.#", "#.#", "#.#" } },
	{ 'O', { ".#.", "#.#", "#.#", "#.#", ".#." } },
	{ 'P', { "##.", "#.#", "##.", "#..", "#.." } },
	{ 'Q', { ".#.", "#.#", "#.#", "##.", ".##" } },
	{ 'R', { "##.", "#.#", "##.", "#.#", "#.#" } },
	{ 'S', { ".##", "#..", ".#.", "..#", "##." } },
	{ 'T', { "###", ".#.", ".#.", ".#.", ".#." } },
	{ 'U', { "#.#", "#.#", "#.#", "#.#", "###" } },
	{ 'V', { "#.#", "#.#", "#.#", "#.#", ".#." } },
	{ 'W', { "#.#", "#.#", "#.#", "###", "#.#" } },
	{ 'X', { "#.#", "#.#", ".#.", "#.#", "#.#" } },
	{ 'Y', { "#.#", "#.#", ".#.", ".#.", ".#." } },
	{ 'Z', { "###", "..#", ".#.", "#..", "###" } },
	{ '0', { "###", "#.#", "#.#", "#.#", "###" } },
	{ '1', { ".#.", "##.", ".#.", ".#.", "###" } },
	{ '2', { "##.", "..#", ".#.", "#..", "###" } },
	{ '3', { "##.", "..#", ".#.", "..#", "##." } },
	{ '4', { "#.#", "#.#", "###", "..#", "..#" } },
	{ '5', { "###", "#..", "##.", "..#", "##." } },
	{ '6', { ".##", "#..", "###", "#.#", "###" } },
	{ '7', { "###", "..#", ".#.", ".#.", ".#." } },
	{ '8', { "###", "#.#", "###", "#.#", "###" } },
	{ '9', { "###", "#.#", "###", "..#", "##." } },
	{ ' ', { "...", "...", "...", "...", "..." } },
	{ ':', { "...", ".#.", "...", ".#.", "..." } },
	{ '.', { "...", "...", "...", "...", ".#." } },
	{ ',', { "...", "...", "...", ".#.", "#.." } },
	{ '-', { "...", "...", "###", "...", "..." } },
	{ '+', { "...", ".#.", "###", ".#.", "..." } },
	{ '=', { "...", "###", "...", "###", "..." } },
	{ '_', { "...", "...", "...", "...", "###" } },
	{ '/', { "..#", "..#", ".#.", "#..", "#.." } },
	{ '(', { ".#.", "#..", "#..", "#..", ".#." } },
	{ ')', { ".#.", "..#", "..#", "..#", ".#." } },
	{ '[', { "##.", "#..", "#..", "#..", "##." } },
	{ ']', { ".##", "..#", "..#", "..#", ".##" } },
	{ '<', { "..#", ".#.", "#..", ".#.", "..#" } },
	{ '>', { "#..", ".#.", "..#", ".#.", "#.." } },
	{ '%', { "#.#", "..#", ".#.", "#..", "#.#" } },
	{ '!', { ".#.", ".#.", ".#.", "...", ".#." } },
	{ '?', { "##.", "..#", ".#.", "...", ".#." } },
	{ '#', { "#.#", "###", "#.#", "###", "#.#" } },
	{ '*', { "#.#", ".#.", "#.#", "...", "..." } },
	{ '\'', { ".#.", ".#.", "...", "...", "..." } },
	{ '"', { "#.#", "#.#", "...", "...", "..." } },
	{ '|', { ".#.", ".#.", ".#.", ".#.", ".#." } },
	{ '&', { ".#.", "#.#", ".#.", "#.#", ".##" } },
	{ '@', { "###", "#.#", "#.#", "#..", ".##" } },
};

/* The half-block characters of scale 1 (UTF-8 only). */
#define UPPER_HALF 0x2580
#define LOWER_HALF 0x2584

static const struct font_glyph *glyph_of(char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch = (char)(ch - 'a' + 'A');
	for (size_t i = 0; i < ARRAY_LEN(font); i++)
		if (font[i].ch == ch)
			return &font[i];
	return NULL;
}

static bool pixel(const struct font_glyph *g, int px, int py)
{
	return py >= 0 && py < FONT_H && g->rows[py][px] == '#';
}

int bigtext_height(const struct cells *c, int scale)
{
	if (scale >= 2)
		return FONT_H * (scale / 2);
	return c->ascii ? FONT_H : (FONT_H + 1) / 2;
}

int bigtext_width(const char *text, int scale)
{
	size_t n = strlen(text);

	if (scale < 1)
		scale = 1;
	return n ? (int)n * ADVANCE * scale - scale : 0;
}

bool bigtext_can(const char *text)
{
	for (const char *p = text; *p; p++)
		if (!glyph_of(*p))
			return false;
	return true;
}

int bigtext_fit(const char *text, int scale, int maxw)
{
	int n = 0, len = (int)strlen(text);

	if (scale < 1)
		scale = 1;
	while (n < len && (n + 1) * ADVANCE * scale - scale <= maxw)
		n++;
	return n;
}

/* Scale 1 on a UTF-8 buffer: two pixel rows per cell row. */
static void draw_half(struct cells *c, int x, int y, const struct font_glyph *g, int role)
{
	for (int r = 0; r < (FONT_H + 1) / 2; r++) {
		for (int px = 0; px < FONT_W; px++) {
			bool top = pixel(g, px, 2 * r), bottom = pixel(g, px, 2 * r + 1);

			if (top && bottom)
				cells_put(c, x + px, y + r, cells_glyph(c, G_BAR_FULL), role);
			else if (top)
				cells_put(c, x + px, y + r, UPPER_HALF, role);
			else if (bottom)
				cells_put(c, x + px, y + r, LOWER_HALF, role);
		}
	}
}

/* Whole cells per pixel: sx columns by sy rows. */
static void draw_blocks(struct cells *c, int x, int y, const struct font_glyph *g, int role,
			int sx, int sy)
{
	uint32_t block = cells_glyph(c, G_BAR_FULL);

	for (int py = 0; py < FONT_H; py++)
		for (int px = 0; px < FONT_W; px++)
			if (pixel(g, px, py))
				for (int dy = 0; dy < sy; dy++)
					for (int dx = 0; dx < sx; dx++)
						cells_put(c, x + px * sx + dx, y + py * sy + dy, block, role);
}

int bigtext_draw(struct cells *c, int x, int y, int maxw, int role, const char *text,
		 int scale)
{
	int n, used;

	if (scale < 1)
		scale = 1;
	n = bigtext_fit(text, scale, maxw);
	for (int i = 0; i < n; i++) {
		const struct font_glyph *g = glyph_of(text[i]);
		int gx = x + i * ADVANCE * scale;

		if (!g)
			g = glyph_of('?');
		if (scale >= 2)
			draw_blocks(c, gx, y, g, role, scale, scale / 2);
		else if (c->ascii)
			draw_blocks(c, gx, y, g, role, 1, 1);
		else
			draw_half(c, gx, y, g, role);
	}
	used = n ? n * ADVANCE * scale - scale : 0;
	return used;
}
