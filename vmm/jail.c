/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The jail: a private mount namespace whose root is a small tmpfs holding
 * bind mounts of exactly what this monitor serves. See jail.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "jail.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* Rewritten paths live here: cfg keeps pointers into it. */
static struct {
	char kernel[32], initrd[32], console[32];
	char vsock[PATH_MAX];
	char fs[VMM_MAX_FS][32];
} jail_paths;

/* Closes [lo, hi]. */
static void close_fd_range(unsigned lo, unsigned hi)
{
	if (lo > hi || syscall(SYS_close_range, lo, hi, 0U) == 0)
		return;
	/* Kernels before 5.9: the slow way. */
	long max = sysconf(_SC_OPEN_MAX);

	for (long fd = lo; fd < (max > 0 ? max : 1024) && fd <= (long)hi; fd++)
		close((int)fd);
}

void jail_close_stray_fds(const struct vmm_config *cfg)
{
	unsigned lo = 3;

	/* The NICs' taps are inherited on purpose: close what lies between them, in fd order. */
	for (;;) {
		unsigned next = ~0U;

		for (unsigned i = 0; i < cfg->nr_net; i++)
			if ((unsigned)cfg->net[i].fd >= lo && (unsigned)cfg->net[i].fd < next)
				next = (unsigned)cfg->net[i].fd;
		if (next == ~0U)
			break;
		if (next > lo)
			close_fd_range(lo, next - 1);
		lo = next + 1;
	}
	close_fd_range(lo, ~0U);
}

/* Makes an empty file or directory at path (inside the jail's tmpfs) to mount on. */
static int make_target(const char *path, bool dir)
{
	if (dir) {
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return err_set(errno, "jail: mkdir %s", path);
		return 0;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return err_set(errno, "jail: create %s", path);
	close(fd);
	return 0;
}

/*
 * Binds src onto root/name. A read-only bind needs a second mount call: the
 * kernel ignores MS_RDONLY on the first.
 */
static int bind_in(const char *root, const char *name, const char *src, bool dir, bool ro,
		   bool slave)
{
	char target[PATH_MAX];
	struct stat st;
	int ret;

	if (stat(src, &st) < 0)
		return err_set(errno, "jail: %s", src);
	if (dir != !!S_ISDIR(st.st_mode))
		return err_setx(dir ? ENOTDIR : EISDIR, "jail: %s: %s", src,
				dir ? "not a directory" : "is a directory");
	if (snprintf(target, sizeof(target), "%s/%s", root, name) >= (int)sizeof(target))
		return err_setx(ENAMETOOLONG, "jail: path too long: %s/%s", root, name);
	ret = make_target(target, dir);
	if (ret < 0)
		return ret;
	if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set(errno, "jail: bind %s", src);
	/* Only a share may go on receiving mounts from the host. */
	if (!slave && mount(NULL, target, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(errno, "jail: make %s private", src);
	if (ro && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
			NULL) < 0)
		return err_set(errno, "jail: make %s read-only", src);
	return 0;
}

/* The directory part of a socket path, and its last component. */
static int split_path(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		if (!getcwd(dir, dlen))
			return err_set(errno, "getcwd");
		*base = path;
		return 0;
	}
	if ((size_t)(slash - path) >= dlen)
		return err_setx(ENAMETOOLONG, "jail: path too long: %s", path);
	if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
	*base = slash + 1;
	return 0;
}

/*
 * The socket's directory is bound in writable (the socket is made there,
 * and guest connections to host port P reach <socket>_P beside it), so it
 * must be one of the socket's own: a directory that holds anything but
 * sockets (the caller's state, a config file) would be the monitor's to
 * rewrite. Refused rather than bound.
 */
static int check_socket_dir(const char *dir)
{
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return err_set(errno, "jail: --vsock-socket directory %s", dir);
	while (ret == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			ret = errno == ENOENT ? 0 : err_set(errno, "jail: %s/%s", dir, e->d_name);
		else if (!S_ISSOCK(st.st_mode))
			ret =
			    err_setx(EEXIST,
				     "jail: --vsock-socket directory %s holds %s: with --jail the "
				     "socket needs a directory of its own (the monitor may write "
				     "there)",
				     dir, e->d_name);
	}
	closedir(d);
	return ret;
}

/* Everything the monitor serves, bound into the new root at root. */
static int populate(const char *root, struct vmm_config *cfg)
{
	char dir[PATH_MAX], name[32];
	int ret;

	ret = make_target(strcat(strcpy(dir, root), "/dev"), true);
	if (ret < 0)
		return ret;
	ret = bind_in(root, "dev/kvm", "/dev/kvm", false, false, false);
	if (ret < 0)
		return ret;
	ret = bind_in(root, "kernel", cfg->kernel, false, true, false);
	if (ret < 0)
		return ret;
	if (cfg->initrd) {
		ret = bind_in(root, "initrd", cfg->initrd, false, true, false);
		if (ret < 0)
			return ret;
	}
	if (cfg->console == CONSOLE_FILE) {
		/* The file may not exist yet: the console appends to it. */
		int fd = open(cfg->console_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

		if (fd < 0)
			return err_set(errno, "open console file %s", cfg->console_path);
		close(fd);
		ret = bind_in(root, "console", cfg->console_path, false, false, false);
		if (ret < 0)
			return ret;
	}
	if (cfg->nr_fs) {
		ret = make_target(strcat(strcpy(dir, root), "/fs"), true);
		if (ret < 0)
			return ret;
		for (unsigned i = 0; i < cfg->nr_fs; i++) {
			snprintf(name, sizeof(name), "fs/%u", i);
			ret = bind_in(root, name, cfg->fs[i].dir, true, false, true);
			if (ret < 0)
				return ret;
		}
	}
	if (cfg->vsock_socket) {
		const char *base = NULL;

		ret = split_path(cfg->vsock_socket, dir, sizeof(dir), &base);
		if (ret < 0)
			return ret;
		ret = check_socket_dir(dir);
		if (ret < 0)
			return ret;
		ret = bind_in(root, "vsock", dir, true, false, false);
		if (ret < 0)
			return ret;
		if (snprintf(jail_paths.vsock, sizeof(jail_paths.vsock), "/vsock/%s", base) >=
		    (int)sizeof(jail_paths.vsock))
			return err_setx(ENAMETOOLONG, "--vsock-socket: path too long");
	}
	return 0;
}

static void rewrite(struct vmm_config *cfg)
{
	cfg->kernel = strcpy(jail_paths.kernel, "/kernel");
	if (cfg->initrd)
		cfg->initrd = strcpy(jail_paths.initrd, "/initrd");
	if (cfg->console == CONSOLE_FILE)
		cfg->console_path = strcpy(jail_paths.console, "/console");
	for (unsigned i = 0; i < cfg->nr_fs; i++) {
		snprintf(jail_paths.fs[i], sizeof(jail_paths.fs[i]), "/fs/%u", i);
		cfg->fs[i].dir = jail_paths.fs[i];
	}
	if (cfg->vsock_socket)
		cfg->vsock_socket = jail_paths.vsock;
}

int jail_enter(const char *dir, struct vmm_config *cfg)
{
	char root[PATH_MAX];
	struct stat st;
	int ret;

	if (!realpath(dir, root))
		return err_set(errno, "--jail %s", dir);
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_setx(ENOTDIR, "--jail %s: not a directory", dir);
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
		return err_set(errno, "jail: unshare");
	/*
	 * Nothing we mount from here on may propagate back to the host: every
	 * mount becomes a slave. The shares keep receiving what the host mounts
	 * under them (the rootfs of a pod's next container); everything else is
	 * made private once bound in (populate).
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return err_set(errno, "jail: make mounts slaves");
	if (mount("ozone-jail", root, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0711,size=64k,nr_inodes=64") < 0)
		return err_set(errno, "jail: mount tmpfs on %s", root);
	ret = populate(root, cfg);
	if (ret < 0)
		return ret;
	/* pivot_root(".", "."): the old root ends up on top of the new one, then goes. */
	if (chdir(root) < 0)
		return err_set(errno, "jail: chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_set(errno, "jail: pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return err_set(errno, "jail: detach the old root");
	if (chdir("/") < 0)
		return err_set(errno, "jail: chdir /");
	/* The jail's own tree cannot change any more; the binds inside keep their modes. */
	if (mount(NULL, "/", NULL,
		  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return err_set(errno, "jail: make the root read-only");
	if (sethostname("ozone", 5) < 0)
		return err_set(errno, "jail: sethostname");
	rewrite(cfg);
	return 0;
}

/*
 * What the FUSE server needs to serve a tree owned by many users as they
 * see it: create files as the requesting uid/gid (setfsuid/setfsgid: SETUID,
 * SETGID; the seccomp filter allows no other set*id call), set any owner
 * (CHOWN), reach and change any file whatever its mode (DAC_OVERRIDE,
 * FOWNER), keep setgid bits on chmod (FSETID), and make device nodes
 * (MKNOD).
 */
static const cap_value_t fs_caps[] = {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_SETUID, CAP_SETGID,
};

int jail_lock_down(bool keep_fs)
{
	size_t nkeep = keep_fs ? ARRAY_SIZE(fs_caps) : 0;
	cap_t caps;
	int ret = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	/*
	 * Not dumpable: another process of the same uid (root without
	 * CAP_SYS_PTRACE included) can neither ptrace this one nor open its
	 * /proc entries (root, cwd, fds, memory), and no core file of guest
	 * memory is written. The process's threads still reach their own.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return err_set(errno, "prctl(PR_SET_DUMPABLE)");
	/* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		bool keep = false;

		for (size_t i = 0; i < nkeep; i++)
			keep |= fs_caps[i] == c;
		if (!keep && cap_drop_bound(c) < 0 && errno != EINVAL)
			return err_set(errno, "drop capability %d from the bounding set", c);
	}
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return err_set(errno, "clear ambient capabilities");
	caps = cap_init();
	if (!caps)
		return err_set(errno, "cap_init");
	if (nkeep && (cap_set_flag(caps, CAP_PERMITTED, (int)nkeep, fs_caps, CAP_SET) < 0 ||
		      cap_set_flag(caps, CAP_EFFECTIVE, (int)nkeep, fs_caps, CAP_SET) < 0))
		ret = err_set(errno, "cap_set_flag");
	if (ret == 0 && cap_set_proc(caps) < 0)
		ret = err_set(errno, "drop capabilities");
	cap_free(caps);
	return ret;
}
