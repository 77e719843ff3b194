/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's root filesystem, built in its own mount namespace in
 * runc's order:
 *  1. "/" becomes rslave (or linux.rootfsPropagation), so nothing done
 *     here propagates back to the agent, while the agent's mounts still
 *     reach the container; the rootfs is bound on itself so that it is a
 *     mount pivot_root can take;
 *  2. /dev gets a tmpfs when the spec mounts none there (the rootfs may be
 *     virtio-fs, which takes no device nodes);
 *  3. every entry of `mounts`, in order, each on a target resolved inside
 *     the rootfs (ctr_path.c): a bind is made, then remounted for the flags
 *     a bind ignores (ro, nosuid, ...), then given its propagation and its
 *     recursive attributes;
 *  4. the devices (ctr_dev.c);
 *  5. maskedPaths (a read-only tmpfs over a directory, /dev/null over a
 *     file) and readonlyPaths (a read-only bind of itself), while the
 *     agent's own /dev/null and /proc are still reachable;
 *  6. pivot_root(".", ".") and a lazy unmount of the old root stacked on
 *     top; root.readonly remounts "/" read-only last.
 * pivot_root cannot leave an initramfs root (it has no parent mount), so
 * the agent moves off it at boot (agent/boot/main.c); a pivot_root failure
 * fails create: there is no weaker chroot fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "common/error.h"
#include "common/json.h"
#include "common/util.h"

int ctr_rootfs_propagation(const struct oci_spec *spec, unsigned long *flags)
{
	yajl_val root = NULL, lx = NULL;
	char name[32];
	int ret;

	*flags = 0;
	if (!spec->text)
		return 0;
	ret = json_parse(spec->text, spec->text_len, &root);
	if (ret < 0)
		return err_setx(EINVAL, "config.json: %s", "not JSON");
	ret = json_get_object(root, "linux", false, &lx);
	if (ret == 0)
		ret = json_get_strbuf(lx, "rootfsPropagation", false, name, sizeof(name));
	if (ret == 0 && *name)
		ret = ctr_propagation_parse(name, flags);
	yajl_tree_free(root);
	if (ret < 0)
		return err_setx(EINVAL, "linux.rootfsPropagation: must be one of private, "
					"rprivate, shared, rshared, slave, rslave, unbindable, "
					"runbindable");
	return 0;
}

static unsigned long ctr_statvfs_flags(int fd)
{
	static const struct {
		unsigned long st, ms;
	} map[] = {
	    {ST_RDONLY, MS_RDONLY},	{ST_NOSUID, MS_NOSUID},	  {ST_NODEV, MS_NODEV},
	    {ST_NOEXEC, MS_NOEXEC},	{ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME},
	    {ST_RELATIME, MS_RELATIME},
	};
	struct statvfs sv;
	unsigned long flags = 0;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	return flags;
}

/*
 * Remounts the bind mount at path with flags. A bind remount replaces every
 * per-mount flag; should the kernel refuse to clear one that is locked, the
 * mount's current nosuid/nodev/noexec/atime flags are kept as well.
 */
static int ctr_remount_bind(int rootfd, const char *path, unsigned long flags)
{
	char fdpath[32];
	unsigned long cur;
	int fd = ctr_path_open(rootfd, path, O_PATH);
	int ret = 0;

	if (fd < 0)
		return err_set(-fd, "%s", path);
	ctr_fd_path(fd, fdpath);
	cur = ctr_statvfs_flags(fd);
	if (!(flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)))
		flags |= cur & (MS_NOATIME | MS_RELATIME | MS_NODIRATIME);
	flags &= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
		 MS_RELATIME | MS_STRICTATIME | MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK |
		 MS_SILENT | MS_LAZYTIME;
	if (mount(NULL, fdpath, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0) {
		if (errno != EPERM ||
		    mount(NULL, fdpath, NULL, MS_BIND | MS_REMOUNT | flags | (cur & ~MS_RDONLY),
			  NULL) < 0)
			ret = err_set(errno, "remount %s", path);
	}
	close(fd);
	return ret;
}

static int ctr_mount_after(int rootfd, const char *path, const struct ctr_mount_opts *o)
{
	char fdpath[32];
	int fd, ret = 0;

	if (!o->propagation && !o->attr_set && !o->attr_clr)
		return 0;
	fd = ctr_path_open(rootfd, path, O_PATH);
	if (fd < 0)
		return err_set(-fd, "%s", path);
	ctr_fd_path(fd, fdpath);
	if (o->propagation && mount(NULL, fdpath, NULL, o->propagation, NULL) < 0)
		ret = err_set(errno, "set the propagation of %s", path);
	if (ret == 0 && (o->attr_set || o->attr_clr)) {
		struct mount_attr attr = {.attr_set = o->attr_set, .attr_clr = o->attr_clr};

		if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			ret = err_set(errno, "set the recursive mount attributes of %s", path);
	}
	close(fd);
	return ret;
}

static int ctr_mount_one(int rootfd, const struct ctr_rootfs_args *a, size_t i)
{
	const struct oci_mount *m = &a->spec->mounts[i];
	const char *type = m->type, *src = m->source;
	struct ctr_mount_opts o;
	char srcbuf[OCI_SPEC_PATH_MAX + 32], fdpath[32];
	unsigned long flags;
	bool dir = true;
	int fd, ret;

	ret = ctr_mount_opts_parse(m->options, m->n_options, &o);
	if (ret < 0)
		goto bad;
	if (type && !strcmp(type, "bind"))
		o.bind = true;
	if (o.bind) {
		struct stat st;

		if (!a->mounts_dir) {
			ret = err_setx(EINVAL, "bind source not shared with the guest");
			goto bad;
		}
		snprintf(srcbuf, sizeof(srcbuf), "%s/%zu", a->mounts_dir, i);
		src = srcbuf;
		if (stat(src, &st) < 0) {
			ret = err_set(errno, "bind source %s", src);
			goto bad;
		}
		dir = S_ISDIR(st.st_mode);
	} else if (!type || !*type) {
		ret = err_setx(EINVAL, "no type");
		goto bad;
	} else if (!strcmp(type, "cgroup")) {
		type = "cgroup2"; /* the guest has only the unified hierarchy */
	}
	if (!src || !*src)
		src = type;

	fd = ctr_path_mkopen(rootfd, m->destination, dir, 0644);
	if (fd < 0) {
		ret = fd;
		goto bad;
	}
	ctr_fd_path(fd, fdpath);
	flags = o.flags & ~(MS_REMOUNT | MS_BIND | MS_REC);
	if (o.bind)
		ret = mount(src, fdpath, NULL, MS_BIND | (o.flags & MS_REC), NULL);
	else
		ret = mount(src, fdpath, type, flags, o.data[0] ? o.data : NULL);
	if (ret < 0)
		ret = err_set(errno, "mount %s", o.bind ? "bind" : type);
	close(fd);
	if (ret < 0)
		goto bad;
	/* A bind takes no flags; they need a remount of the new mount. */
	if (o.bind && (flags & ~MS_SILENT) &&
	    (ret = ctr_remount_bind(rootfd, m->destination, flags)) < 0)
		goto bad;
	if ((ret = ctr_mount_after(rootfd, m->destination, &o)) < 0)
		goto bad;
	return 0;
bad : {
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", err_msg());
	return err_setx(-ret, "mounts[%zu] %.256s: %s", i, m->destination, msg);
}
}

static int ctr_mask(int rootfd, const char *path)
{
	char fdpath[32];
	struct stat st;
	int fd = ctr_path_open(rootfd, path, O_PATH), ret = 0;

	if (fd == -ENOENT)
		return 0; /* nothing to hide */
	if (fd < 0)
		return err_set(-fd, "maskedPaths %s", path);
	ctr_fd_path(fd, fdpath);
	if (fstat(fd, &st) < 0)
		ret = err_set(errno, "maskedPaths %s", path);
	else if (S_ISDIR(st.st_mode))
		ret = mount("tmpfs", fdpath, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			    "size=0k,mode=0755");
	else
		/* The agent's own /dev/null: the container's could be anything. */
		ret = mount("/dev/null", fdpath, NULL, MS_BIND, NULL);
	if (ret < 0)
		ret = err_set(errno, "maskedPaths %s", path);
	close(fd);
	return ret;
}

static int ctr_readonly(int rootfd, const char *path)
{
	char fdpath[32];
	int fd = ctr_path_open(rootfd, path, O_PATH), ret;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return err_set(-fd, "readonlyPaths %s", path);
	ctr_fd_path(fd, fdpath);
	ret = mount(fdpath, fdpath, NULL, MS_BIND | MS_REC, NULL);
	close(fd);
	if (ret < 0)
		return err_set(errno, "readonlyPaths %s", path);
	ret = ctr_remount_bind(rootfd, path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	if (ret < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		return err_setx(-ret, "readonlyPaths %s: %s", path, msg);
	}
	return 0;
}

/* pivot_root needs the rootfs' parent mount not to be shared. */
static int ctr_parent_private(const char *rootfs)
{
	char dir[OCI_SPEC_PATH_MAX + 1];

	snprintf(dir, sizeof(dir), "%s", rootfs);
	for (;;) {
		char *slash = strrchr(dir, '/');
		struct statx stx;

		if (!slash || slash == dir) {
			strcpy(dir, "/");
			break;
		}
		*slash = '\0';
		if (statx(AT_FDCWD, dir, 0, STATX_BASIC_STATS, &stx) == 0 &&
		    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
		    (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
			break;
	}
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
		return err_set(errno, "make %s private", dir);
	return 0;
}

static int ctr_pivot(int rootfd)
{
	int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (oldroot < 0)
		return err_set(errno, "open /");
	if (fchdir(rootfd) < 0) {
		ret = err_set(errno, "chdir to the rootfs");
	} else if (syscall(SYS_pivot_root, ".", ".") == 0) {
		/*
		 * The old root now sits on top of the new one. From inside it,
		 * make it (and only it) a slave, so that detaching it does not
		 * propagate back to the agent, and detach it.
		 */
		if (fchdir(oldroot) < 0)
			ret = err_set(errno, "chdir to the old root");
		else if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			ret = err_set(errno, "make the old root a slave");
		else if (umount2(".", MNT_DETACH) < 0)
			ret = err_set(errno, "detach the old root");
	} else {
		ret = err_set(errno, "pivot_root");
	}
	close(oldroot);
	if (ret == 0 && chdir("/") < 0)
		ret = err_set(errno, "chdir /");
	return ret;
}

int ctr_rootfs_setup(struct ctr_rootfs_args *a)
{
	const struct oci_spec *spec = a->spec;
	unsigned long prop = a->root_propagation ? a->root_propagation : MS_SLAVE | MS_REC;
	bool dev_mounted = false;
	int rootfd, ret;

	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return err_set(errno, "set the propagation of /");
	/* Before the bind: a bind of a shared mount is shared, and pivot_root refuses that. */
	if ((prop & MS_SHARED) && (ret = ctr_parent_private(a->rootfs)) < 0)
		return ret;
	if (mount(a->rootfs, a->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set(errno, "bind the rootfs %s", a->rootfs);
	rootfd = open(a->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_set(errno, "rootfs %s", a->rootfs);

	for (size_t i = 0; i < spec->n_mounts; i++)
		if (!strcmp(spec->mounts[i].destination, "/dev"))
			dev_mounted = true;
	if (!dev_mounted) {
		int fd = ctr_path_mkopen(rootfd, "/dev", true, 0755);
		char fdpath[32];

		if (fd < 0) {
			ret = fd;
			goto out;
		}
		ctr_fd_path(fd, fdpath);
		ret = mount("tmpfs", fdpath, "tmpfs", MS_NOSUID | MS_STRICTATIME,
			    "mode=755,size=65536k");
		close(fd);
		if (ret < 0) {
			ret = err_set(errno, "mount tmpfs on /dev");
			goto out;
		}
	}
	for (size_t i = 0; i < spec->n_mounts; i++)
		if ((ret = ctr_mount_one(rootfd, a, i)) < 0)
			goto out;
	if ((ret = ctr_dev_setup(rootfd, spec)) < 0)
		goto out;
	/* The container's devpts is there now: the terminal comes from it. */
	if (a->terminal &&
	    ((ret = ctr_console_open(rootfd, &spec->process, &a->pty_master, &a->pty_slave)) < 0 ||
	     (ret = ctr_dev_console(rootfd, a->pty_slave)) < 0))
		goto out;
	for (size_t i = 0; i < spec->lnx.n_masked_paths; i++)
		if ((ret = ctr_mask(rootfd, spec->lnx.masked_paths[i])) < 0)
			goto out;
	for (size_t i = 0; i < spec->lnx.n_readonly_paths; i++)
		if ((ret = ctr_readonly(rootfd, spec->lnx.readonly_paths[i])) < 0)
			goto out;
	if ((ret = ctr_pivot(rootfd)) < 0)
		goto out;
	if (a->root_propagation && mount(NULL, "/", NULL, a->root_propagation, NULL) < 0) {
		ret = err_set(errno, "linux.rootfsPropagation");
		goto out;
	}
	if (spec->root_readonly) {
		int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			ret = err_set(errno, "open /");
			goto out;
		}
		ret = ctr_remount_bind(fd, "/", MS_RDONLY);
		close(fd);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	close(rootfd);
	if (ret < 0 && a->pty_master >= 0) {
		close(a->pty_master);
		close(a->pty_slave);
		a->pty_master = a->pty_slave = -1;
	}
	return ret;
}
