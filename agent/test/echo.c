/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test aid, only in ozone-agent-test and off unless the kernel command
 * line has `ozone.echo=PORT`: echoes every byte received on vsock port
 * PORT back to its sender, and half-closes when the sender half-closes.
 * The integration tests use it to push many streams and many MiB through
 * virtio-vsock.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/server/transport.h"
#include "echo.h"

static void *echo_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[16384];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			off += w;
		}
	}
	shutdown(fd, SHUT_WR);
out:
	close(fd);
	return NULL;
}

int echo_start(uint32_t port)
{
	return transport_listen(port, echo_conn);
}
