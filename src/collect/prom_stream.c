/* The incremental JSON reader (see prom_stream.h): a byte-at-a-time state
 * machine, so an answer can be cut anywhere between two reads. */
#include "config.h"
#include "collect/prom_stream.h"
#include "util/util.h"

#include <string.h>

enum state {
	ST_VALUE,          /* a value must come (start, after ':' or ',' in an array) */
	ST_VALUE_OR_END,   /* after '[' */
	ST_KEY_OR_END,     /* after '{' */
	ST_KEY,            /* after ',' in an object */
	ST_COLON,          /* after a key */
	ST_NEXT,           /* after a member or element: ',' or the end */
	ST_DONE,           /* the root value is complete */
	ST_ERROR,
};

enum lex { LX_NONE, LX_STRING, LX_ESCAPE, LX_UHEX, LX_NUMBER, LX_LITERAL };

void pj_init(struct pj *p, pj_handler handler, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->handler = handler;
	p->arg = arg;
	p->state = ST_VALUE;
	p->lex = LX_NONE;
}

static int fail(struct pj *p, const char *why)
{
	if (p->state != ST_ERROR)
		str_fmt(p->err, sizeof(p->err), "%s at byte %zu", why, p->offset);
	p->state = ST_ERROR;
	return -1;
}

static void buf_put(struct pj *p, char c)
{
	if (p->len + 1 < sizeof(p->buf))
		p->buf[p->len++] = c;
	else
		p->cut = true;
}

static void put_codepoint(struct pj *p, unsigned cp)
{
	if (cp < 0x80) {
		buf_put(p, (char)cp);
	} else if (cp < 0x800) {
		buf_put(p, (char)(0xc0 | (cp >> 6)));
		buf_put(p, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_put(p, (char)(0xe0 | (cp >> 12)));
		buf_put(p, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_put(p, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_put(p, (char)(0xf0 | (cp >> 18)));
		buf_put(p, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_put(p, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_put(p, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A \u escape: surrogate pairs combine; a lone half becomes U+FFFD. */
static void put_escape(struct pj *p, unsigned u)
{
	if (p->uhigh && u >= 0xdc00 && u <= 0xdfff) {
		put_codepoint(p, 0x10000 + ((p->uhigh - 0xd800) << 10) + (u - 0xdc00));
		p->uhigh = 0;
		return;
	}
	if (p->uhigh)
		put_codepoint(p, 0xfffd);
	p->uhigh = 0;
	if (u >= 0xd800 && u <= 0xdbff)
		p->uhigh = u;
	else if (u >= 0xdc00 && u <= 0xdfff)
		put_codepoint(p, 0xfffd);
	else
		put_codepoint(p, u);
}

static void flush_surrogate(struct pj *p)
{
	if (p->uhigh)
		put_codepoint(p, 0xfffd);
	p->uhigh = 0;
}

/* After a complete value: the container (or the document) moves on. */
static void value_done(struct pj *p)
{
	p->state = p->depth == 0 ? ST_DONE : ST_NEXT;
}

static int open_container(struct pj *p, bool object)
{
	struct pj_level *l;

	if (p->depth >= PJ_MAX_DEPTH)
		return fail(p, "nested too deep");
	l = &p->lv[p->depth++];
	l->object = object;
	l->key[0] = '\0';
	l->key_cut = false;
	l->index = 0;
	l->role = 0;
	p->handler(p->arg, p, object ? PJ_BEGIN_OBJECT : PJ_BEGIN_ARRAY, NULL, 0, false);
	p->state = object ? ST_KEY_OR_END : ST_VALUE_OR_END;
	return 0;
}

static int close_container(struct pj *p, bool object)
{
	if (p->depth == 0 || p->lv[p->depth - 1].object != object)
		return fail(p, object ? "unexpected '}'" : "unexpected ']'");
	p->handler(p->arg, p, object ? PJ_END_OBJECT : PJ_END_ARRAY, NULL, 0, false);
	p->depth--;
	value_done(p);
	return 0;
}

static void scalar(struct pj *p, enum pj_event ev)
{
	p->buf[p->len] = '\0';
	p->handler(p->arg, p, ev, p->buf, p->len, p->cut);
	value_done(p);
}

static void string_done(struct pj *p)
{
	flush_surrogate(p);
	p->buf[p->len] = '\0';
	if (p->in_key) {
		struct pj_level *l = &p->lv[p->depth - 1];
		str_copy(l->key, p->buf, sizeof(l->key));
		l->key_cut = p->cut || p->len >= sizeof(l->key);
		p->in_key = false;
		p->state = ST_COLON;
		return;
	}
	scalar(p, PJ_STRING);
}

/* The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number_ok(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static int token_end(struct pj *p)
{
	p->buf[p->len] = '\0';
	if (p->lex == LX_NUMBER) {
		p->lex = LX_NONE;
		if (p->cut || !number_ok(p->buf))
			return fail(p, "malformed number");
		scalar(p, PJ_NUMBER);
		return 0;
	}
	p->lex = LX_NONE;
	if (strcmp(p->buf, "true") == 0)
		scalar(p, PJ_TRUE);
	else if (strcmp(p->buf, "false") == 0)
		scalar(p, PJ_FALSE);
	else if (strcmp(p->buf, "null") == 0)
		scalar(p, PJ_NULL);
	else
		return fail(p, "not JSON");
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One byte inside a string. */
static int string_byte(struct pj *p, char c)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	const char *e;

	switch (p->lex) {
	case LX_ESCAPE:
		p->lex = LX_STRING;
		if (c == 'u') {
			p->lex = LX_UHEX;
			p->uacc = 0;
			p->udigits = 0;
			return 0;
		}
		if (!c || !(e = strchr(esc_in, c)))
			return fail(p, "bad escape in a string");
		flush_surrogate(p);
		buf_put(p, esc_out[e - esc_in]);
		return 0;
	case LX_UHEX:
		if (hexval(c) < 0)
			return fail(p, "bad \\u escape");
		p->uacc = p->uacc * 16 + (unsigned)hexval(c);
		if (++p->udigits == 4) {
			p->lex = LX_STRING;
			put_escape(p, p->uacc);
		}
		return 0;
	default:
		break;
	}
	if (c == '"') {
		p->lex = LX_NONE;
		string_done(p);
	} else if (c == '\\') {
		p->lex = LX_ESCAPE;
	} else if ((unsigned char)c < 0x20) {
		return fail(p, "control character in a string");
	} else {
		flush_surrogate(p);
		buf_put(p, c);
	}
	return 0;
}

static void token_start(struct pj *p, int lex)
{
	p->lex = lex;
	p->len = 0;
	p->cut = false;
	p->uhigh = 0;
}

/* One byte between tokens (or the one that ended a number or literal). */
static int structural(struct pj *p, char c)
{
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return 0;
	switch (p->state) {
	case ST_KEY_OR_END:
		if (c == '}')
			return close_container(p, true);
		/* fall through */
	case ST_KEY:
		if (c != '"')
			return fail(p, "expected a key");
		token_start(p, LX_STRING);
		p->in_key = true;
		return 0;
	case ST_COLON:
		if (c != ':')
			return fail(p, "expected ':'");
		p->state = ST_VALUE;
		return 0;
	case ST_NEXT:
		if (c == ',') {
			struct pj_level *l = &p->lv[p->depth - 1];
			if (l->object) {
				p->state = ST_KEY;
			} else {
				l->index++;
				p->state = ST_VALUE;
			}
			return 0;
		}
		if (c == '}' || c == ']')
			return close_container(p, c == '}');
		return fail(p, "expected ',' or the end of a container");
	case ST_VALUE_OR_END:
		if (c == ']')
			return close_container(p, false);
		/* fall through */
	case ST_VALUE:
		if (c == '{' || c == '[')
			return open_container(p, c == '{');
		if (c == '"') {
			token_start(p, LX_STRING);
			return 0;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			token_start(p, LX_NUMBER);
			buf_put(p, c);
			return 0;
		}
		if (c >= 'a' && c <= 'z') {
			token_start(p, LX_LITERAL);
			buf_put(p, c);
			return 0;
		}
		return fail(p, "not JSON");
	case ST_DONE:
		return fail(p, "more after the end of the document");
	default:
		return -1;
	}
}

int pj_feed(struct pj *p, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++, p->offset++) {
		char c = data[i];

		if (p->state == ST_ERROR)
			return -1;
		switch (p->lex) {
		case LX_STRING:
		case LX_ESCAPE:
		case LX_UHEX:
			if (string_byte(p, c) < 0)
				return -1;
			continue;
		case LX_NUMBER:
			if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
			    c == '+' || c == '-') {
				buf_put(p, c);
				continue;
			}
			if (token_end(p) < 0)
				return -1;
			break;  /* c itself is structural */
		case LX_LITERAL:
			if (c >= 'a' && c <= 'z') {
				buf_put(p, c);
				if (p->len > 5)
					return fail(p, "not JSON");
				continue;
			}
			if (token_end(p) < 0)
				return -1;
			break;
		default:
			break;
		}
		if (structural(p, c) < 0)
			return -1;
	}
	return p->state == ST_ERROR ? -1 : 0;
}

int pj_finish(struct pj *p)
{
	if (p->state == ST_ERROR)
		return -1;
	if ((p->lex == LX_NUMBER || p->lex == LX_LITERAL) && token_end(p) < 0)
		return -1;
	if (p->lex != LX_NONE || p->state != ST_DONE)
		return fail(p, p->offset ? "the answer ends early" : "empty answer");
	return 0;
}
