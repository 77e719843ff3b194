/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/sandbox.h"
#include "runtime/lib/host_cgroup.h"
#include "runtime/lib/store.h"
#include "common/error.h"
#include "common/oci_state.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Reads the small file dir/name into buf (NUL-terminated, at most size - 1
 * bytes): 1 when read, 0 when it does not exist, -errno otherwise.
 */
static int sandbox_read_file(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX + 16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(errno, "open %s", path);
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return err_set(errno, "read %s", path);
	buf[n] = '\0';
	return 1;
}

/* Writes text to the small file dir/name (flags: O_TRUNC or O_EXCL). */
static int sandbox_write_file(const char *dir, const char *name, const char *text, int flags)
{
	char path[PATH_MAX + 16];
	size_t len = strlen(text);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, 0600);
	if (fd < 0)
		return err_set(errno, "create %s", path);
	if (write(fd, text, len) != (ssize_t)len)
		ret = err_set(errno ? errno : EIO, "write %s", path);
	close(fd);
	return ret;
}

static int sandbox_read_pid(struct sandbox *sb)
{
	char buf[64];
	unsigned long long start;
	int pid, ret;

	sb->vmm_pid = 0;
	ret = sandbox_read_file(sb->vm_dir, "vmm.pid", buf, sizeof(buf));
	if (ret <= 0)
		return ret;
	if (sscanf(buf, "%d %llu", &pid, &start) != 2 || pid <= 0)
		return err_setx(EINVAL, "%s/vmm.pid: not \"<pid> <start time>\"", sb->vm_dir);
	/* Written by us, but read as untrusted: sandbox_vmm_alive() verifies the start time. */
	sb->vmm_pid = pid;
	sb->vmm_start = start;
	/* Only a VMM whose start time matches may hold the socket the runtime dials. */
	if (start && store_pid_start(pid) == start)
		agent_expect_peer(pid);
	return 0;
}

static void sandbox_read_cgroup(struct sandbox *sb)
{
	if (sandbox_read_file(sb->dir, "cgroup", sb->cgroup, sizeof(sb->cgroup)) <= 0)
		sb->cgroup[0] = '\0';
}

int sandbox_set_cgroup(struct sandbox *sb, const char *path)
{
	snprintf(sb->cgroup, sizeof(sb->cgroup), "%s", path);
	if (!*path)
		return 0;
	return sandbox_write_file(sb->dir, "cgroup", path, O_TRUNC);
}

int sandbox_remove_cgroup(struct sandbox *sb)
{
	char file[PATH_MAX + 16];
	int ret = host_cgroup_remove(sb->cgroup);

	if (ret < 0)
		return ret;
	snprintf(file, sizeof(file), "%s/cgroup", sb->dir);
	if (unlink(file) < 0 && errno != ENOENT)
		return err_set(errno, "remove %s", file);
	sb->cgroup[0] = '\0';
	return 0;
}

/* The VM's files, under vm_dir. */
static int sandbox_vm_paths(struct sandbox *sb)
{
	if ((size_t)snprintf(sb->shared, sizeof(sb->shared), "%s/shared", sb->vm_dir) >=
		sizeof(sb->shared) ||
	    (size_t)snprintf(sb->sock_dir, sizeof(sb->sock_dir), "%s/vsock", sb->vm_dir) >=
		sizeof(sb->sock_dir) ||
	    (size_t)snprintf(sb->sock, sizeof(sb->sock), "%s/vsock.sock", sb->sock_dir) >=
		sizeof(sb->sock) ||
	    (size_t)snprintf(sb->log, sizeof(sb->log), "%s/vmm.log", sb->vm_dir) >= sizeof(sb->log))
		return err_setx(ENAMETOOLONG, "%s: path too long", sb->vm_dir);
	return 0;
}

/* <dir>/pod: the id of the pod's sandbox container, for a container of a pod. */
static int sandbox_read_pod(struct sandbox *sb)
{
	int ret = sandbox_read_file(sb->dir, "pod", sb->pod, sizeof(sb->pod));

	if (ret <= 0) {
		sb->pod[0] = '\0';
		return ret;
	}
	if (oci_id_check(sb->pod) < 0)
		return err_setx(EINVAL, "%s/pod: not a container id", sb->dir);
	return 0;
}

/* Points vm_dir at the pod sandbox's state directory (which may be gone already). */
static int sandbox_pod_dir(struct sandbox *sb, const struct ozone_globals *g)
{
	char path[PATH_MAX];
	int ret = store_path(g, sb->pod, path, sizeof(path));

	if (ret < 0)
		return ret;
	if (!realpath(path, sb->vm_dir))
		snprintf(sb->vm_dir, sizeof(sb->vm_dir), "%s", path);
	return sandbox_vm_paths(sb);
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
	ret = sandbox_read_pod(sb);
	if (ret < 0)
		return ret;
	if (sb->pod[0]) {
		ret = sandbox_pod_dir(sb, g);
	} else {
		snprintf(sb->vm_dir, sizeof(sb->vm_dir), "%s", sb->dir);
		ret = sandbox_vm_paths(sb);
	}
	if (ret < 0)
		return ret;
	/* As runc: permission errors on cgroups are no failure for a rootless ozone. */
	sb->cgroup_ignore_perm =
	    !strcmp(g->rootless, "true") || (!strcmp(g->rootless, "auto") && geteuid() != 0);
	sandbox_read_cgroup(sb);
	return sandbox_read_pid(sb);
}

int sandbox_join_pod(struct sandbox *sb, const struct ozone_globals *g, const char *pod)
{
	struct stat st;
	int ret;

	snprintf(sb->pod, sizeof(sb->pod), "%s", pod);
	ret = sandbox_pod_dir(sb, g);
	if (ret < 0)
		return ret;
	if (stat(sb->vm_dir, &st) < 0)
		return err_setx(ENOENT, "pod sandbox %s: no such container", pod);
	ret = sandbox_read_pid(sb);
	if (ret < 0)
		return ret;
	if (!sandbox_vmm_alive(sb))
		return err_setx(ESRCH, "pod sandbox %s: its VM is not running", pod);
	/* Recorded before anything is made in the VM, so that delete finds it. */
	return sandbox_write_file(sb->dir, "pod", pod, O_EXCL);
}

/* The agent destroys the container id in the pod's VM. */
static int pod_destroy(struct sandbox *sb, const char *id)
{
	struct agent_conn c;
	int ret = agent_open(&c, sb->sock, 10000);

	if (ret < 0)
		return ret;
	c.timeout_ms = agent_reply_timeout_ms();
	ret = agent_call_simple(&c, PROTO_OP_DESTROY, id);
	agent_close(&c);
	return ret;
}

int sandbox_leave_pod(struct sandbox *sb, const char *id)
{
	char path[PATH_MAX + 16];
	int ret;

	if (sandbox_vmm_alive(sb)) {
		ret = pod_destroy(sb, id);
		/* Not there: its create failed, or it was forgotten already. */
		if (ret == -ENOENT)
			ret = 0;
		/* While its processes may run, their rootfs stays. */
		if (ret < 0)
			return ret;
	}
	ret = sandbox_unshare_container(sb, id);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/pod", sb->dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_set(errno, "remove %s", path);
	return 0;
}

/*
 * Empties sock_dir, and removes it when rm. It is a small tmpfs of its own
 * (sandbox_make_sock_dir), so detaching it takes whatever the VMM made
 * there; below it, and in a directory made before it had one, whatever is
 * left is removed entry by entry beneath an fd, never followed. An entry
 * that is a directory goes only if it is empty.
 */
static int sandbox_remove_sock_dir(struct sandbox *sb, bool rm)
{
	struct dirent *e;
	DIR *d;
	int fd, ret = 0;

	/* sock_dir lies in vm_dir, which no VMM sees: its path is ours to resolve. */
	while (umount2(sb->sock_dir, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		;
	if (errno != EINVAL && errno != ENOENT)
		return err_set(errno, "unmount %s", sb->sock_dir);
	fd = open(sb->sock_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(errno, "open %s", sb->sock_dir);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(errno, "open %s", sb->sock_dir);
	}
	while (ret == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT &&
		    (errno != EISDIR || unlinkat(fd, e->d_name, AT_REMOVEDIR) < 0))
			ret = err_set(errno, "remove %s/%s", sb->sock_dir, e->d_name);
	}
	closedir(d);
	if (ret < 0)
		return ret;
	if (rm && rmdir(sb->sock_dir) < 0 && errno != ENOENT)
		return err_set(errno, "remove %s", sb->sock_dir);
	return 0;
}

/*
 * The VMM writes in sock_dir (it binds its socket there), and a VMM that
 * runs the guest's code could fill it: it is a tmpfs of its own, a few
 * inodes and no room for data, so nothing it makes there can grow the
 * host's /run.
 */
#define SOCK_DIR_TMPFS "mode=0700,size=4k,nr_inodes=8"

int sandbox_make_sock_dir(struct sandbox *sb)
{
	struct stat st;
	int ret;

	if (mkdir(sb->sock_dir, 0700) < 0) {
		if (errno != EEXIST)
			return err_set(errno, "mkdir %s", sb->sock_dir);
		/* Left by an earlier VMM of this sandbox: emptied as delete would. */
		if (lstat(sb->sock_dir, &st) < 0)
			return err_set(errno, "%s", sb->sock_dir);
		if (!S_ISDIR(st.st_mode))
			return err_setx(ENOTDIR, "%s: not a directory", sb->sock_dir);
		ret = sandbox_remove_sock_dir(sb, false);
		if (ret < 0)
			return ret;
	}
	if (mount("ozone-vsock", sb->sock_dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  SOCK_DIR_TMPFS) < 0)
		return err_set(errno, "mount a tmpfs on %s", sb->sock_dir);
	return 0;
}

int sandbox_destroy(struct sandbox *sb)
{
	/* vsock.sock: where the socket was before it had a directory of its own. */
	static const char *const files[] = {"vmm.pid", "vmm.pid.tmp", "vsock.sock", "vmm.log"};
	char path[PATH_MAX + 16];
	int ret;

	/* The VM of a pod's container is its sandbox's: never stopped from here. */
	if (sb->pod[0])
		return err_setx(EINVAL, "%s: a container of pod %s has no VM of its own", sb->dir,
				sb->pod);
	ret = sandbox_stop_vmm(sb);

	/* Unmount even when the VMM would not die: its own copies of the mounts die with it. */
	int r2 = sandbox_unshare(sb);

	if (ret == 0)
		ret = r2;
	/* The taps went with the VMM's fds; the qdiscs on the CNI's links go now. */
	r2 = sandbox_net_teardown(sb);
	if (ret == 0)
		ret = r2;
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", sb->dir, files[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return err_set(errno, "remove %s", path);
	}
	ret = sandbox_remove_sock_dir(sb, true);
	if (ret < 0)
		return ret;
	/* The VMM's jail: empty on this side (its mounts lived in the VMM's own namespace). */
	snprintf(path, sizeof(path), "%s/jail", sb->dir);
	if (rmdir(path) < 0 && errno != ENOENT)
		return err_set(errno, "remove %s", path);
	sb->vmm_pid = 0;
	return 0;
}
