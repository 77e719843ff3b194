/* SPDX-License-Identifier: Apache-2.0 */
/* Console lines: one write per line so lines never interleave. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "common/util.h"

static enum agent_level min_level = AGENT_INFO;

void agent_log_set_level(enum agent_level level)
{
	min_level = level;
}

int agent_log_parse_level(const char *name, enum agent_level *level)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0) {
			*level = (enum agent_level)i;
			return 0;
		}
	return -EINVAL;
}

static void vlog(const char *fmt, va_list ap)
{
	char line[512];
	size_t n = strlen(AGENT_PREFIX);
	int len;

	memcpy(line, AGENT_PREFIX, n);
	len = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (len < 0)
		len = 0;
	n += (size_t)len < sizeof(line) - n - 1 ? (size_t)len : sizeof(line) - n - 2;
	line[n++] = '\n';
	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDOUT_FILENO, line + off, n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

void agent_logl(enum agent_level level, const char *fmt, ...)
{
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void agent_log(const char *fmt, ...)
{
	va_list ap;

	if (AGENT_INFO < min_level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void agent_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	agent_poweroff();
}
