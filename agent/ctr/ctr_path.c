/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Paths inside the container's rootfs. The rootfs is the container's, so
 * any of its symlinks may point anywhere ("/etc -> /../../host/etc"): every
 * lookup goes through openat2(RESOLVE_IN_ROOT), which resolves "/" and ".."
 * as the rootfs itself, and missing parents are created one component at a
 * time under a directory fd that was itself resolved that way. Mounts are
 * then made on "/proc/self/fd/N" of the resolved target, never on a path
 * the kernel would walk again.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "common/error.h"

void ctr_fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
}

int ctr_path_open(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN); /* a rename raced the lookup */
	return fd < 0 ? -errno : (int)fd;
}

int ctr_path_mkopen(int rootfd, const char *path, bool dir, mode_t mode)
{
	char buf[OCI_SPEC_PATH_MAX + 1];
	size_t len = strlen(path), pos = 0;
	int cur, fd;

	if (len > OCI_SPEC_PATH_MAX)
		return err_setx(ENAMETOOLONG, "%.64s...: path too long", path);
	fd = ctr_path_open(rootfd, path, O_PATH);
	if (fd >= 0 || fd != -ENOENT)
		return fd < 0 ? err_set(-fd, "%s", path) : fd;

	cur = ctr_path_open(rootfd, "/", O_PATH | O_DIRECTORY);
	if (cur < 0)
		return err_set(-cur, "rootfs");
	while (pos < len) {
		size_t start, end;
		bool last;

		while (path[pos] == '/')
			pos++;
		if (pos >= len)
			break;
		start = pos;
		while (pos < len && path[pos] != '/')
			pos++;
		end = pos;
		while (pos < len && path[pos] == '/')
			pos++;
		last = pos >= len;

		memcpy(buf, path, end);
		buf[end] = '\0';
		fd = ctr_path_open(rootfd, buf, O_PATH | (last && !dir ? 0 : O_DIRECTORY));
		if (fd == -ENOENT) {
			char name[256];
			int ret;

			if (end - start >= sizeof(name)) {
				close(cur);
				return err_setx(ENAMETOOLONG, "%s: name too long", path);
			}
			memcpy(name, path + start, end - start);
			name[end - start] = '\0';
			/* One component under a resolved directory: nothing here can be a link out.
			 */
			if (last && !dir) {
				ret = openat(cur, name,
					     O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
					     mode);
				if (ret >= 0)
					close(ret);
			} else {
				ret = mkdirat(cur, name, last ? mode : 0755);
			}
			if (ret < 0 && errno != EEXIST) {
				ret = errno;
				close(cur);
				return err_set(ret, "create %s in the rootfs", buf);
			}
			fd = ctr_path_open(rootfd, buf, O_PATH | (last && !dir ? 0 : O_DIRECTORY));
		}
		close(cur);
		if (fd < 0)
			return err_set(-fd, "%s in the rootfs", buf);
		cur = fd;
	}
	return cur;
}
