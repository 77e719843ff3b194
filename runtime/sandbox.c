/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/sandbox.h"
#include "runtime/store.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sandbox_read_pid(struct sandbox *sb)
{
	char path[PATH_MAX + 16], buf[64];
	unsigned long long start;
	ssize_t n;
	int fd, pid;

	snprintf(path, sizeof(path), "%s/vmm.pid", sb->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(errno, "open %s", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return err_set(errno, "read %s", path);
	buf[n] = '\0';
	if (sscanf(buf, "%d %llu", &pid, &start) != 2 || pid <= 0)
		return err_setx(EINVAL, "%s: not \"<pid> <start time>\"", path);
	sb->vmm_pid = pid;
	sb->vmm_start = start;
	return 0;
}

int sandbox_init(struct sandbox *sb, const struct ozone_globals *g, const char *id)
{
	char path[PATH_MAX];
	int ret = store_path(g, id, path, sizeof(path));

	memset(sb, 0, sizeof(*sb));
	if (ret < 0)
		return ret;
	/* Canonical, so that it matches the mount points /proc/self/mountinfo shows. */
	if (!realpath(path, sb->dir))
		return err_set(errno, "%s", path);
	if ((size_t)snprintf(sb->shared, sizeof(sb->shared), "%s/shared", sb->dir) >=
		sizeof(sb->shared) ||
	    (size_t)snprintf(sb->sock, sizeof(sb->sock), "%s/vsock.sock", sb->dir) >=
		sizeof(sb->sock) ||
	    (size_t)snprintf(sb->log, sizeof(sb->log), "%s/vmm.log", sb->dir) >= sizeof(sb->log))
		return err_setx(ENAMETOOLONG, "%s: path too long", sb->dir);
	return sandbox_read_pid(sb);
}

int sandbox_destroy(struct sandbox *sb)
{
	static const char *const files[] = {"vmm.pid", "vmm.pid.tmp", "vsock.sock", "vmm.log"};
	char path[PATH_MAX + 16];
	int ret = sandbox_stop_vmm(sb);

	/* Unmount even when the VMM would not die: its own copies of the mounts die with it. */
	int r2 = sandbox_unshare(sb);

	if (ret == 0)
		ret = r2;
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", sb->dir, files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return err_set(errno, "remove %s", path);
	}
	sb->vmm_pid = 0;
	return 0;
}
