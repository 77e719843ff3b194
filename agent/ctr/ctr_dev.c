/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev of the container: runc's default devices (null, zero, full, random,
 * urandom, tty; 0666), the links every program expects (/dev/fd,
 * /dev/std{in,out,err}, /dev/ptmx -> pts/ptmx, /dev/core), a devpts on
 * /dev/pts and a tmpfs on /dev/shm when the spec mounts none, then
 * linux.devices with their mode and owner; and the terminal's pty on
 * /dev/console (ctr_dev_console).
 * A /dev bound from elsewhere gets only linux.devices, as with runc.
 * Everything is created under a directory resolved inside the rootfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "common/error.h"
#include "common/util.h"

struct ctr_default_dev {
	const char *name;
	unsigned major, minor;
};

static const struct ctr_default_dev ctr_default_devs[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
	const char *name, *target;
} ctr_dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

int ctr_dev_check(const struct oci_device *d)
{
	if (d->type == 'p' && (d->major || d->minor))
		return err_setx(EINVAL, "linux.devices %s: a fifo has no major/minor", d->path);
	if (strstr(d->path, "/../") || !strncmp(d->path, "/..", 3) ||
	    (strlen(d->path) >= 3 && !strcmp(d->path + strlen(d->path) - 3, "/..")))
		return err_setx(EINVAL, "linux.devices %s: path must not hold '..'", d->path);
	return 0;
}

/* Splits path into its parent (resolved, created) and its last name. */
static int ctr_dev_parent(int rootfd, const char *path, char *name, size_t len)
{
	char parent[OCI_SPEC_PATH_MAX + 1];
	const char *slash = strrchr(path, '/');
	size_t plen;

	if (!slash || !slash[1] || strlen(slash + 1) >= len || !strcmp(slash + 1, ".") ||
	    !strcmp(slash + 1, ".."))
		return err_setx(EINVAL, "%s: not a device path", path);
	plen = (size_t)(slash - path);
	if (plen > OCI_SPEC_PATH_MAX)
		return err_setx(ENAMETOOLONG, "%.64s: too long", path);
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	strcpy(name, slash + 1);
	return ctr_path_mkopen(rootfd, plen ? parent : "/", true, 0755);
}

/* mknod, or (where the kernel refuses, e.g. on a filesystem mounted nodev) a bind of ours. */
static int ctr_mknod(int rootfd, const char *path, mode_t mode, dev_t dev, uid_t uid, gid_t gid)
{
	char name[256];
	int dir = ctr_dev_parent(rootfd, path, name, sizeof(name));
	int ret = 0;

	if (dir < 0)
		return dir;
	if (unlinkat(dir, name, 0) < 0 && errno != ENOENT) {
		ret = err_set(errno, "remove %s", path);
		goto out;
	}
	if (mknodat(dir, name, mode, dev) < 0) {
		ret = err_set(errno, "mknod %s", path);
		goto out;
	}
	/* mknod honours the umask; the spec's mode is exact. */
	if (fchmodat(dir, name, mode & 07777, 0) < 0 ||
	    fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		ret = err_set(errno, "set the mode and owner of %s", path);
out:
	close(dir);
	return ret;
}

static int ctr_symlink(int rootfd, const char *target, const char *path)
{
	char name[256];
	int dir = ctr_dev_parent(rootfd, path, name, sizeof(name));
	int ret = 0;

	if (dir < 0)
		return dir;
	if (unlinkat(dir, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
		ret = err_set(errno, "remove %s", path);
	else if (symlinkat(target, dir, name) < 0 && errno != EEXIST)
		ret = err_set(errno, "symlink %s -> %s", path, target);
	close(dir);
	return ret;
}

static int ctr_mount_on(int rootfd, const char *path, bool dir, const char *src, const char *type,
			unsigned long flags, const char *data)
{
	char fdpath[32];
	int fd = ctr_path_mkopen(rootfd, path, dir, 0644);
	int ret = 0;

	if (fd < 0)
		return fd;
	ctr_fd_path(fd, fdpath);
	if (mount(src, fdpath, type, flags, data) < 0)
		ret = err_set(errno, "mount %s on %s", type ? type : src, path);
	close(fd);
	return ret;
}

/*
 * The slave is a file of the container's devpts, mounted in this mount
 * namespace: "/proc/self/fd/N" (the agent's /proc, before pivot_root)
 * reaches it for the bind.
 */
int ctr_dev_console(int rootfd, int slave)
{
	char src[32];

	ctr_fd_path(slave, src);
	return ctr_mount_on(rootfd, "/dev/console", false, src, NULL, MS_BIND, NULL);
}

static bool ctr_spec_mounts(const struct oci_spec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (!strcmp(spec->mounts[i].destination, dest))
			return true;
	return false;
}

/* A bind on /dev (a privileged container given the guest's /dev): its nodes are already there. */
static bool ctr_dev_is_bind(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct oci_mount *m = &spec->mounts[i];

		if (strcmp(m->destination, "/dev"))
			continue;
		if (m->type && !strcmp(m->type, "bind"))
			return true;
		for (size_t k = 0; k < m->n_options; k++)
			if (!strcmp(m->options[k], "bind") || !strcmp(m->options[k], "rbind"))
				return true;
	}
	return false;
}

int ctr_dev_setup(int rootfd, const struct oci_spec *spec)
{
	int ret;

	if (ctr_dev_is_bind(spec))
		goto devices;

	for (size_t i = 0; i < ARRAY_SIZE(ctr_default_devs); i++) {
		const struct ctr_default_dev *d = &ctr_default_devs[i];
		char path[32];

		snprintf(path, sizeof(path), "/dev/%s", d->name);
		ret = ctr_mknod(rootfd, path, S_IFCHR | 0666, makedev(d->major, d->minor), 0, 0);
		if (ret == -EPERM)
			ret = ctr_mount_on(rootfd, path, false, path, NULL, MS_BIND, NULL);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ctr_dev_links); i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/%s", ctr_dev_links[i].name);
		if ((ret = ctr_symlink(rootfd, ctr_dev_links[i].target, path)) < 0)
			return ret;
	}
	if (access("/proc/kcore", F_OK) == 0 &&
	    (ret = ctr_symlink(rootfd, "/proc/kcore", "/dev/core")) < 0)
		return ret;
	if (!ctr_spec_mounts(spec, "/dev/pts") &&
	    (ret = ctr_mount_on(rootfd, "/dev/pts", true, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
				"newinstance,ptmxmode=0666,mode=0620,gid=5")) < 0)
		return ret;
	if (!ctr_spec_mounts(spec, "/dev/shm") &&
	    (ret = ctr_mount_on(rootfd, "/dev/shm", true, "shm", "tmpfs",
				MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k")) < 0)
		return ret;
	if ((ret = ctr_symlink(rootfd, "pts/ptmx", "/dev/ptmx")) < 0)
		return ret;
devices:
	for (size_t i = 0; i < spec->lnx.n_devices; i++) {
		const struct oci_device *d = &spec->lnx.devices[i];
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		mode_t perm = d->has_file_mode ? d->file_mode & 07777 : 0666;

		if ((ret = ctr_dev_check(d)) < 0)
			return ret;
		ret = ctr_mknod(rootfd, d->path, type | perm,
				makedev((unsigned)d->major, (unsigned)d->minor),
				d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0);
		if (ret < 0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", err_msg());
			return err_setx(-ret, "linux.devices: %s", msg);
		}
	}
	return 0;
}
