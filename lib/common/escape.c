/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"

/*
 * The length of the valid UTF-8 sequence at S (at most N bytes), 0 if there
 * is none (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF).  *cp: its code point.
 */
static size_t
utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return len;
}

char *
mr_escape(const char *s, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	/* At worst every byte becomes \xNN. */
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	char *res = malloc(len * 4 + 1);
	if (res == NULL)
		return NULL;
	char *o = res;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_len(p + i, len - i, &cp);
		/* C1 controls (U+0080..U+009F): some terminals act on them (CSI is U+009B). */
		if (n == 0 || (cp >= 0x80 && cp <= 0x9f)) {
			o += sprintf(o, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (n > 1) {
			memcpy(o, p + i, n);
			o += n;
			i += n;
			continue;
		}
		const char *e = NULL;
		switch (cp) {
		case '\a':
			e = "\\a";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\v':
			e = "\\v";
			break;
		case '\f':
			e = "\\f";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\\':
			if (!(flags & MR_ESCAPE_KEEP_BACKSLASH))
				e = "\\\\";
			break;
		case '"':
			if (flags & MR_ESCAPE_QUOTE)
				e = "\\\"";
			break;
		default:
			break;
		}
		if (e != NULL) {
			memcpy(o, e, 2);
			o += 2;
		} else if (cp < 0x20 || cp == 0x7f) {
			o += sprintf(o, "\\x%02x", (unsigned)cp);
		} else {
			*o++ = (char)cp;
		}
		i++;
	}
	*o = '\0';
	return res;
}

char *
mr_escape_str(const char *s, unsigned flags)
{
	return mr_escape(s, strlen(s), flags);
}
