/* THE one sanitiser of untrusted text, and the one JSON string helper.
 *
 * Everything a monitored host, an API or a child process says (probe
 * output, container/GPU/process names, runner and key ids, error texts) is
 * passed through text_clean() before it is stored, drawn, printed, put in
 * JSON or written to the audit log, so it is inert on a terminal:
 *   - the result is valid UTF-8: a byte that does not start a valid,
 *     shortest-form sequence becomes '?' (so the text never grows and can
 *     be cleaned in place);
 *   - tab, newline and carriage return become a space;
 *   - every other C0 control, DEL, every C1 control (U+0080-U+009F, which a
 *     terminal may read as ESC [ and the like) and the bidirectional
 *     controls (U+202A-U+202E, U+2066-U+2069, and the marks U+200E, U+200F,
 *     U+061C) are removed;
 *   - the text is cut to the destination on a character boundary.
 * The TUI drops exactly the characters text_cp_dropped() names, so widths
 * measured on cleaned text are the widths drawn. Fuzzed: tests/fuzz/fuzz_text.c. */
#ifndef FLEETDECK_UTIL_TEXT_H
#define FLEETDECK_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Cleans src (NUL-terminated) into dst of size bytes (size >= 1). dst may be
 * src. Returns the length written. */
size_t text_clean(char *dst, size_t size, const char *src);
/* The same for len bytes of src, which may hold NUL bytes (removed). */
size_t text_clean_n(char *dst, size_t size, const char *src, size_t len);
/* The same, malloc'd, never cut. */
char *text_clean_dup(const char *src);

/* Whether text_clean() would leave s as it is (a name fit to show as is). */
bool text_is_clean(const char *s);

/* Characters never stored or drawn (C0 but none, DEL, C1, bidi controls). */
bool text_cp_dropped(uint32_t cp);

/* One codepoint from s (NUL-terminated): returns its length in bytes and
 * *cp, 1 byte and U+FFFD for an invalid sequence, 0 at the end. */
int utf8_decode(const char *s, uint32_t *cp);
/* The same within len bytes. */
int utf8_decode_n(const char *s, size_t len, uint32_t *cp);
/* Encodes cp into buf (4 bytes); returns the length. */
int utf8_encode(uint32_t cp, char *buf);

/* THE JSON string helper: s cleaned as above, as a JSON string; NULL (and
 * "" when empty_is_null) becomes null. Never fails for lack of UTF-8. */
json_t *json_text(const char *s, bool empty_is_null);

#endif
