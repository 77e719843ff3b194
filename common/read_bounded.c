/* SPDX-License-Identifier: Apache-2.0 */
#include "common/read_bounded.h"

#include <errno.h>
#include <unistd.h>

int read_bounded(int fd, char *buf, size_t max, size_t *got)
{
	*got = 0;
	while (*got <= max) {
		ssize_t n = read(fd, buf + *got, max + 1 - *got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}
