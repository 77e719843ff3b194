/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text that came from the guest (its console, the agent's error replies,
 * names in its messages) is shown on the host only in escaped form: one
 * line of printable ASCII that cannot move a terminal's cursor, change its
 * colours or title, or split a log line. The form is that of C's and Go's
 * \x escapes: every byte outside 0x20..0x7e is written as \xNN (two
 * lower-case hex digits) and a backslash as \\, so the original bytes can
 * be told from the escaped text. It is always bounded by the caller's
 * buffer: text that does not fit is cut at a whole escape and ends in
 * "...".
 */
#ifndef OZONE_COMMON_ESCAPE_H
#define OZONE_COMMON_ESCAPE_H

#include <stddef.h>

/* The usual bound for a piece of guest text inside an error message (with its NUL). */
#define ESCAPE_TEXT_MAX 256

/*
 * Writes the escaped form of src[0..len) to dst (size > 0 bytes, always
 * NUL-terminated; dst and src do not overlap). Returns dst, so that it can
 * be an argument of a format.
 */
char *escape_bytes(char *dst, size_t size, const void *src, size_t len);
/* The same for a NUL-terminated string; NULL gives "". */
char *escape_str(char *dst, size_t size, const char *src);

/*
 * The last step before a message built on the host reaches a terminal or a
 * log line: control bytes (0x00..0x1f, 0x7f) become \xNN, everything else
 * is kept (backslashes too: pieces escaped above stay as they were, and
 * host paths keep their UTF-8). Bounded by size as escape_bytes is.
 */
char *escape_controls(char *dst, size_t size, const char *src);

#endif
