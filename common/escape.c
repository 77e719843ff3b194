/* SPDX-License-Identifier: Apache-2.0 */
#include "common/escape.h"

#include <stdbool.h>
#include <string.h>

static const char escape_hex[] = "0123456789abcdef";

/* Byte c in escaped form into piece (4 bytes); returns its length. */
static size_t escape_piece(unsigned char c, bool all, char piece[4])
{
	if (all ? (c < 0x20 || c > 0x7e) : (c < 0x20 || c == 0x7f)) {
		piece[0] = '\\';
		piece[1] = 'x';
		piece[2] = escape_hex[c >> 4];
		piece[3] = escape_hex[c & 15];
		return 4;
	}
	if (all && c == '\\') {
		piece[0] = piece[1] = '\\';
		return 2;
	}
	piece[0] = (char)c;
	return 1;
}

/*
 * The one loop behind both forms. all: escape every byte outside printable
 * ASCII and the backslash; else only control bytes. When the whole does
 * not fit, pieces go in while "..." and the NUL still fit after them.
 */
static char *escape_into(char *dst, size_t size, const unsigned char *s, size_t len, bool all)
{
	static const char more[] = "...";
	size_t need = 0, room, o = 0;
	char piece[4];

	if (size == 0)
		return dst;
	for (size_t i = 0; i < len && need < size; i++)
		need += escape_piece(s[i], all, piece);
	room = need < size ? size - 1 : size > sizeof(more) ? size - sizeof(more) : 0;
	for (size_t i = 0; i < len; i++) {
		size_t n = escape_piece(s[i], all, piece);

		if (o + n > room)
			break;
		memcpy(dst + o, piece, n);
		o += n;
	}
	if (need >= size && o + sizeof(more) <= size) {
		memcpy(dst + o, more, sizeof(more) - 1);
		o += sizeof(more) - 1;
	}
	dst[o] = '\0';
	return dst;
}

char *escape_bytes(char *dst, size_t size, const void *src, size_t len)
{
	return escape_into(dst, size, src, len, true);
}

char *escape_str(char *dst, size_t size, const char *src)
{
	return escape_into(dst, size, (const unsigned char *)(src ? src : ""),
			   src ? strlen(src) : 0, true);
}

char *escape_controls(char *dst, size_t size, const char *src)
{
	return escape_into(dst, size, (const unsigned char *)(src ? src : ""),
			   src ? strlen(src) : 0, false);
}
