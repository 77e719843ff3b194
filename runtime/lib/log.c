/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging as runc does it: --log FILE gets every message, as text lines or,
 * with --log-format json, as JSON lines {"level","msg","time"} (containerd
 * reads the last error from there). Errors also go to stderr.
 */
#include "runtime/lib/ozone.h"
#include "common/error.h"
#include "common/escape.h"
#include "common/json.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A message escaped for output: each byte may become four. */
#define LOG_LINE_MAX 4096

static int log_fd = -1;
static bool log_json;
static bool log_debug;
/* A detached proxy's stderr is the container's: nothing of ours may go there. */
static bool log_no_stderr;

int ozone_log_open(const struct ozone_globals *g)
{
	log_json = g->log_json;
	log_debug = g->debug;
	if (!g->log || !*g->log)
		return 0;
	log_fd = open(g->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (log_fd < 0)
		return err_set(errno, "open log file %s", g->log);
	return 0;
}

int ozone_log_detach(void)
{
	log_no_stderr = true;
	return log_fd;
}

void ozone_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

static void log_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

/*
 * Every line goes out through log_write() and log_error(). Guest text is
 * escaped where it is quoted; escape_controls() there is the net under
 * that: no control byte, from wherever it came, reaches the terminal or
 * splits a log line.
 */
static void log_write(int fd, const char *level, const char *raw)
{
	char when[48], clean[LOG_LINE_MAX];
	const char *msg = escape_controls(clean, sizeof(clean), raw);
	struct json_out o;
	char *text = NULL;
	size_t len = 0;

	log_time(when, sizeof(when));
	if (log_json && json_out_init(&o) == 0) {
		json_out_map_open(&o);
		json_out_kstr(&o, "level", level);
		json_out_kstr(&o, "msg", msg);
		json_out_kstr(&o, "time", when);
		json_out_map_close(&o);
		if (json_out_finish(&o, &text, &len) == 0) {
			dprintf(fd, "%s\n", text);
			free(text);
			return;
		}
	}
	dprintf(fd, "time=\"%s\" level=%s msg=\"%s\"\n", when, level, msg);
}

void ozone_debug(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!log_debug || (log_fd < 0 && log_no_stderr))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_write(log_fd >= 0 ? log_fd : STDERR_FILENO, "debug", msg);
}

static int log_error(const char *raw)
{
	char clean[LOG_LINE_MAX];
	const char *msg = escape_controls(clean, sizeof(clean), raw);

	fprintf(stderr, "ozone: %s\n", msg);
	fflush(stderr);
	if (log_fd >= 0)
		log_write(log_fd, "error", raw);
	return OZONE_EXIT_FAIL;
}

int ozone_fail(int ret)
{
	const char *msg = err_msg();

	if (!*msg)
		msg = strerror(ret < 0 ? -ret : ret);
	return log_error(msg);
}

int ozone_failf(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return log_error(msg);
}
