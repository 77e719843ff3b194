/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error reporting: a failing function records one line saying what failed
 * and why, and returns -errno. Callers propagate the value; the program's
 * top level prints the line once as "<prog>: <what failed>: <why>".
 */
#ifndef OZONE_COMMON_ERROR_H
#define OZONE_COMMON_ERROR_H

#include <errno.h>

/*
 * Records "<what>: strerror(errnum)" and returns -errnum. An errnum that is
 * not positive (errno after a short write is 0) records and returns EIO:
 * an error is never reported as success.
 */
int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records "<what>" with no errno text and returns -errnum. */
int err_setx(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Puts "<formatted>: " before the message recorded last and returns ret
 * (a -errno), so a caller adds its context without formatting the buffer
 * into itself: return err_prefix(ret, "vCPU %u", id);
 */
int err_prefix(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last recorded message of this thread ("" when none). */
const char *err_msg(void);
/* Prints "<prog>: <message>\n" to stderr, using strerror(-ret) if nothing was recorded. */
void err_print(const char *prog, int ret);
/* Prints "<prog>: <formatted>\n" to stderr. */
void err_printf(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
