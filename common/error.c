/* SPDX-License-Identifier: Apache-2.0 */
#include "common/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static __thread char err_buf[512];

static int __attribute__((format(printf, 3, 0)))
err_vset(int errnum, int with_errno, const char *fmt, va_list ap)
{
	int n;

	if (errnum <= 0)
		errnum = EIO;
	n = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);

	if (with_errno && n >= 0 && (size_t)n < sizeof(err_buf))
		snprintf(err_buf + n, sizeof(err_buf) - n, ": %s", strerror(errnum));
	return -errnum;
}

int err_set(int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = err_vset(errnum, 1, fmt, ap);
	va_end(ap);
	return ret;
}

int err_setx(int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = err_vset(errnum, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int err_prefix(int ret, const char *fmt, ...)
{
	char prefix[256], msg[sizeof(err_buf)];
	va_list ap;
	int n;

	/* Copied first: the new message is written into the buffer the old one is in. */
	snprintf(msg, sizeof(msg), "%s", err_buf[0] ? err_buf : strerror(ret < 0 ? -ret : EIO));
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	n = snprintf(err_buf, sizeof(err_buf), "%s: ", prefix);
	if (n >= 0 && (size_t)n < sizeof(err_buf)) {
		/* Cut to what is left, as the message would have been. */
		size_t len = strnlen(msg, sizeof(err_buf) - 1 - (size_t)n);

		memcpy(err_buf + n, msg, len);
		err_buf[n + len] = '\0';
	}
	return ret < 0 ? ret : -EIO;
}

const char *err_msg(void)
{
	return err_buf;
}

void err_print(const char *prog, int ret)
{
	if (err_buf[0])
		fprintf(stderr, "%s: %s\n", prog, err_buf);
	else
		fprintf(stderr, "%s: %s\n", prog, strerror(ret < 0 ? -ret : ret));
}

void err_printf(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
