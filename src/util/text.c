#include "config.h"
#include "util/text.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

bool text_cp_dropped(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

int utf8_decode_n(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	uint32_t v, min;

	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2, v = u[0] & 0x1f, min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3, v = u[0] & 0x0f, min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4, v = u[0] & 0x07, min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (n > len) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		v = v << 6 | (u[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are not UTF-8 */
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = v;
	return (int)n;
}

int utf8_decode(const char *s, uint32_t *cp)
{
	if (!s[0])
		return 0;
	/* a continuation byte is never NUL, so 4 is safe as a bound */
	return utf8_decode_n(s, strnlen(s, 4), cp);
}

int utf8_encode(uint32_t cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xe0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (cp >> 18 & 0x07));
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	buf[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t text_clean_n(char *dst, size_t size, const char *src, size_t len)
{
	size_t in = 0, out = 0;

	if (size == 0)
		return 0;
	/* out never passes in: each step writes at most the bytes it read, so
	 * dst == src is safe */
	while (in < len) {
		uint32_t cp;
		size_t n = (size_t)utf8_decode_n(src + in, len - in, &cp), plen = n;
		char one = 0;

		if (cp == 0xfffd && n == 1)
			one = '?';           /* not UTF-8 */
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			one = ' ';
		else if (text_cp_dropped(cp)) {
			in += n;
			continue;
		}
		if (one)
			plen = 1;
		if (out + plen >= size)
			break;               /* cut before a character, never inside */
		if (one)
			dst[out] = one;
		else
			memmove(dst + out, src + in, plen);
		out += plen;
		in += n;
	}
	dst[out] = '\0';
	return out;
}

size_t text_clean(char *dst, size_t size, const char *src)
{
	return text_clean_n(dst, size, src ? src : "", src ? strlen(src) : 0);
}

char *text_clean_dup(const char *src)
{
	size_t len = src ? strlen(src) : 0;
	char *out = xmalloc(len + 1);

	text_clean_n(out, len + 1, src ? src : "", len);
	return out;
}

bool text_is_clean(const char *s)
{
	char *c = text_clean_dup(s);
	bool same = strcmp(c, s ? s : "") == 0;

	free(c);
	return same;
}

json_t *json_text(const char *s, bool empty_is_null)
{
	char *clean;
	json_t *v;

	if (!s || (empty_is_null && !*s))
		return json_null();
	clean = text_clean_dup(s);
	v = json_string(clean);
	free(clean);
	return v ? v : json_null();
}
