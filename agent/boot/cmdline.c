/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel command line, as /proc/cmdline shows it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"

int cmdline_read(char *buf, size_t len)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
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
	return 0;
}

bool cmdline_find(const char *cmdline, const char *name, char *val, size_t len)
{
	size_t nlen = strlen(name);
	const char *p = cmdline;

	while (*p) {
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		end = p + strcspn(p, " \t\n");
		if ((size_t)(end - p) >= nlen && strncmp(p, name, nlen) == 0 &&
		    (p + nlen == end || p[nlen] == '=')) {
			const char *v = p + nlen == end ? end : p + nlen + 1;
			size_t vlen = (size_t)(end - v);

			if (len > 0) {
				if (vlen >= len)
					vlen = len - 1;
				memcpy(val, v, vlen);
				val[vlen] = '\0';
			}
			return true;
		}
		p = end;
	}
	return false;
}
