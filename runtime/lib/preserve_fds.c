/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/preserve_fds.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

int preserve_fd_dir(int fd, uint8_t *dir)
{
	int fl = fcntl(fd, F_GETFL), listening = 0;
	socklen_t len = sizeof(listening);

	if (fl < 0)
		return err_setx(EBADF, "--preserve-fds: fd %d is not open", fd);
	if (fl & O_PATH)
		return err_setx(EINVAL, "--preserve-fds: fd %d is an O_PATH fd: no data to relay",
				fd);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening)
		return err_setx(EINVAL,
				"--preserve-fds: fd %d is a listening socket: its connections "
				"cannot be relayed into a microVM",
				fd);
	switch (fl & O_ACCMODE) {
	case O_RDONLY:
		*dir = PROTO_FD_IN;
		return 0;
	case O_WRONLY:
		*dir = PROTO_FD_OUT;
		return 0;
	default:
		*dir = PROTO_FD_INOUT;
		return 0;
	}
}

int preserve_fds_check(long long n, struct proto_fds *f)
{
	memset(f, 0, sizeof(*f));
	if (n < 0 || n > PROTO_FDS_MAX)
		return err_setx(EINVAL, "--preserve-fds: %lld is more than the %d fds relayed", n,
				PROTO_FDS_MAX);
	for (long long i = 0; i < n; i++) {
		int ret = preserve_fd_dir(PRESERVE_FDS_FIRST + (int)i, &f->dir[i]);

		if (ret < 0) {
			memset(f, 0, sizeof(*f));
			return ret;
		}
	}
	f->count = (uint32_t)n;
	return 0;
}
