/* SPDX-License-Identifier: Apache-2.0 */
/* What the guest sees of its VM: CPUs, memory, entropy source. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "guest_info.h"

#define RNG_READ_BYTES 64
#define RNG_TIMEOUT_MS 2000

int cpulist_count(const char *list)
{
	const char *p = list;
	int count = 0;

	while (*p && *p != '\n') {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			return -EINVAL;
		p = end;
		if (*p == '-') {
			hi = strtoul(++p, &end, 10);
			if (end == p || hi < lo)
				return -EINVAL;
			p = end;
		}
		count += (int)(hi - lo + 1);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return count > 0 ? count : -EINVAL;
}

long long meminfo_total_kib(const char *meminfo)
{
	const char *p = strstr(meminfo, "MemTotal:");

	if (!p)
		return -EINVAL;
	return strtoll(p + strlen("MemTotal:"), NULL, 10);
}

/* Reads a small file into `buf` (NUL-terminated, trailing newline dropped). */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Reads up to `len` bytes from /dev/hwrng within RNG_TIMEOUT_MS; count or -errno. */
static int read_hwrng(unsigned char *buf, size_t len)
{
	_cleanup_close_ int fd = open("/dev/hwrng", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	long long deadline = now_ms() + RNG_TIMEOUT_MS;
	size_t got = 0;
	int ret = -ENODATA; /* also for an end of file */

	if (fd < 0)
		return -errno;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno != EAGAIN && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (now_ms() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		nanosleep(&(struct timespec){.tv_nsec = 2 * 1000 * 1000}, NULL);
	}
	return got > 0 ? (int)got : ret;
}

void guest_info_report(void)
{
	static char meminfo[4096];
	char cpus[64] = "?", mem[32] = "?", rng[64], errs[256] = "";
	char buf[256];
	unsigned char rnd[RNG_READ_BYTES];
	int ret, nbytes;

	ret = read_small("/sys/devices/system/cpu/online", buf, sizeof(buf));
	if (ret == 0)
		ret = cpulist_count(buf);
	if (ret > 0)
		snprintf(cpus, sizeof(cpus), "%d", ret);
	else
		snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), " cpus_error=%s",
			 strerror(-ret));

	ret = read_small("/proc/meminfo", meminfo, sizeof(meminfo));
	if (ret == 0) {
		long long kib = meminfo_total_kib(meminfo);
		if (kib > 0)
			snprintf(mem, sizeof(mem), "%lld", kib);
		else
			ret = -EINVAL;
	}
	if (ret < 0)
		snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), " mem_error=%s",
			 strerror(-ret));

	if (read_small("/sys/class/misc/hw_random/rng_current", rng, sizeof(rng)) < 0 || !rng[0])
		snprintf(rng, sizeof(rng), "none");

	nbytes = read_hwrng(rnd, sizeof(rnd));
	if (nbytes < 0) {
		snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), " rng_error=%s",
			 strerror(-nbytes));
		nbytes = 0;
	}

	agent_log("cpus=%s mem_total_kib=%s rng=%s rng_bytes=%d%s", cpus, mem, rng, nbytes, errs);
}
