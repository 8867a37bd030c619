/* Fuzz target: theme files (ui/theme.c: "role = FG [on BG] [attrs]",
 * 256-colour numbers, #rrggbb, names), which a user may take from anywhere,
 * and the colour reduction every terminal depth applies to them. */
#include "config.h"
#include "ui/theme.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int depths[] = { 8, 16, 88, 256, THEME_COLORS_DIRECT };
	char *text = fuzz_text(data, size), err[256];
	struct theme th;

	if (theme_parse("fuzz.theme", text, &th, err, sizeof(err)) == 0)
		for (int r = 0; r < ROLE_COUNT; r++)
			for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
				(void)theme_color_reduce(th.role[r].fg, depths[d]);
				(void)theme_color_reduce(th.role[r].bg, depths[d]);
			}
	(void)theme_color_parse(text);
	free(text);
	return 0;
}
