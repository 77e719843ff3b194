/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared directory of a sandbox: the bundle's rootfs and the spec's
 * bind mount sources attached in it (sandbox_unshare.c takes it apart).
 *
 * The guest writes to the share through the VMM while the runtime adds a
 * pod's next container to it, so nothing here resolves a path in it:
 *
 * - shared/'s own mount, the top, is read-only (and nosuid, nodev): the
 *   guest can write inside a rootfs or volume mount only, never make,
 *   rename or fill an entry of the top (the state directory's tmpfs). The
 *   runtime makes its directories there through a writable view that only
 *   it holds (share_writable: a private, detached clone of the top).
 * - Each rootfs and volume is cloned from an fd opened and checked first
 *   into a detached tree (open_tree(OPEN_TREE_CLONE)), made nosuid, nodev
 *   and, when the spec says so, read-only there, before anyone can see it
 *   (so every propagated copy, the VMM's included, has those flags from
 *   the start: a flag changed later does not propagate), and attached
 *   with move_mount onto a target fd opened beneath shared/ by
 *   share_open_beneath and checked to be the inode just made through the
 *   writable view. A failure detaches what was attached by the fds held.
 *
 * shared/ is a peer group of its own: what is attached below it propagates
 * only to the VMM's slave copy (vmm/jail.c), and nothing from other mount
 * namespaces propagates in. Only what Linux 6.1 has is used: move_mount
 * attaches to mounts of our own namespace, never to a detached tree.
 */
#include "runtime/lib/sandbox.h"
#include "runtime/lib/sandbox_share.h"
#include "common/cleanup.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int share_open_beneath(int dirfd, const char *name, int flags)
{
	struct open_how how = {.flags = (unsigned)flags | O_CLOEXEC | O_NOFOLLOW,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};

	return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
}

int share_writable(int dirfd)
{
	struct mount_attr attr = {.attr_clr = MOUNT_ATTR_RDONLY, .propagation = MS_PRIVATE};
	int fd = open_tree(dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

	if (fd < 0)
		return err_set(errno, "clone the shared directory's mount");
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		int e = errno;

		close(fd);
		return err_set(e, "make a writable view of the shared directory");
	}
	return fd;
}

int share_detach_fd(int fd)
{
	char path[64];

	/* The magic link is the fd's own (mount, dentry): nothing is looked up by name. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return err_set(errno, "detach a mount in the shared directory");
	return 0;
}

static bool mount_has_opt(const struct oci_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (!strcmp(m->options[i], opt))
			return true;
	return false;
}

static bool mount_is_bind(const struct oci_mount *m)
{
	return (m->type && !strcmp(m->type, "bind")) || mount_has_opt(m, "bind") ||
	       mount_has_opt(m, "rbind");
}

/* Opens the rootfs by the rule in sandbox.h; an O_PATH fd of the directory. */
static int share_open_rootfs(const struct bundle *b)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC};
	struct stat st, root;
	int fd, bfd;

	if (b->spec.root_path[0] == '/') {
		how.flags |= O_NOFOLLOW;
		how.resolve = RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, AT_FDCWD, b->spec.root_path, &how, sizeof(how));
	} else {
		bfd = open(b->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (bfd < 0)
			return err_set(errno, "open bundle %s", b->path);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, bfd, b->spec.root_path, &how, sizeof(how));
		close(bfd);
	}
	if (fd < 0) {
		if (errno == ELOOP || errno == EXDEV || errno == ENOTDIR)
			return err_setx(ELOOP,
					"rootfs (\"%s\"): a symlink or a path out of the bundle: "
					"ozone does not follow symlinks in root.path",
					b->rootfs);
		return err_set(errno, "rootfs %s", b->rootfs);
	}
	if (fstat(fd, &st) < 0 || stat("/", &root) < 0) {
		int e = errno;

		close(fd);
		return err_set(e, "stat rootfs %s", b->rootfs);
	}
	if (st.st_dev == root.st_dev && st.st_ino == root.st_ino) {
		close(fd);
		return err_setx(EPERM, "rootfs (\"%s\") is the host's root directory", b->rootfs);
	}
	return fd;
}

/* What one sandbox_share call holds: fds only. */
struct share {
	const char *id;
	int top, wtop; /* shared/ (O_PATH), and the writable view of its top */
	int dir, wdir; /* shared/<id> in each */
	int *attached; /* the trees attached so far, to detach on failure */
	size_t n_attached;
};

static void share_close(struct share *s, bool detach)
{
	for (size_t i = 0; i < s->n_attached; i++) {
		if (detach)
			share_detach_fd(s->attached[i]);
		close(s->attached[i]);
	}
	free(s->attached);
	s->attached = NULL;
	s->n_attached = 0;
	for (int *fd = &s->top; fd <= &s->wdir; fd++) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

/* Whether a and b are open on the same inode, of the same type. */
static bool same_inode(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino && (sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT);
}

/*
 * Makes name (a directory, or an empty file) in wdir, the writable view,
 * and returns an O_PATH fd of the same inode opened beneath dir, the
 * shared tree itself: what a mount can be attached to.
 */
static int share_make(struct share *s, int dir, int wdir, const char *name, bool isdir,
		      const char *shown)
{
	int made, fd, flags = O_PATH | (isdir ? O_DIRECTORY : 0);

	if (isdir) {
		if (mkdirat(wdir, name, 0755) < 0)
			return err_set(errno, "mkdir shared/%s/%s", s->id, shown);
	} else {
		fd = openat(wdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return err_set(errno, "create shared/%s/%s", s->id, shown);
		close(fd);
	}
	made = openat(wdir, name, flags | O_NOFOLLOW | O_CLOEXEC);
	fd = made < 0 ? -1 : share_open_beneath(dir, name, flags);
	if (fd < 0 || !same_inode(made, fd)) {
		if (made >= 0)
			close(made);
		if (fd >= 0)
			close(fd);
		return err_setx(ESTALE, "shared/%s/%s changed while it was made", s->id, shown);
	}
	close(made);
	return fd;
}

/*
 * Attaches a clone of what srcfd is open on (recursively when rec) onto
 * target: nosuid and nodev (what the guest leaves there stays inert for
 * the host), read-only when ro, all set before anyone can see it.
 */
static int share_attach(struct share *s, int srcfd, int target, bool rec, bool ro, const char *what)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					      (ro ? MOUNT_ATTR_RDONLY : 0)};
	int tree = open_tree(srcfd, "",
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
				 (rec ? AT_RECURSIVE : 0));

	if (tree < 0)
		return err_set(errno, "bind mount %s", what);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr, sizeof(attr)) <
	    0) {
		int e = errno;

		close(tree);
		return err_set(e, "set the mount flags of %s", what);
	}
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0) {
		int e = errno;

		close(tree);
		return err_set(e, "bind mount %s", what);
	}
	/* The fd now names the attached mount: kept to detach it should a later step fail. */
	s->attached[s->n_attached++] = tree;
	return 0;
}

static int share_mounts(struct share *s, const struct bundle *b)
{
	char src[PATH_MAX * 2], name[32], shown[48];
	int dir, wdir, ret = 0;

	dir = share_make(s, s->dir, s->wdir, "mounts", true, "mounts");
	if (dir < 0)
		return dir;
	wdir = openat(s->wdir, "mounts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (wdir < 0 || !same_inode(dir, wdir)) {
		ret = err_setx(ESTALE, "shared/%s/mounts changed while it was made", s->id);
		goto out;
	}
	for (size_t i = 0; i < b->spec.n_mounts && ret == 0; i++) {
		const struct oci_mount *m = &b->spec.mounts[i];
		struct stat st;
		int fd, target;

		if (!mount_is_bind(m))
			continue;
		if (!m->source) {
			ret = err_setx(
			    EINVAL, "config.json: mounts[%zu].source: a bind mount needs a source",
			    i);
			break;
		}
		/* A relative source is relative to the bundle, as runc (run in it) reads it. */
		if (m->source[0] == '/')
			snprintf(src, sizeof(src), "%s", m->source);
		else
			snprintf(src, sizeof(src), "%s/%s", b->path, m->source);
		/* Sources are the user's volumes: symlinks in them are followed, as runc does. */
		fd = open(src, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			ret = err_set(errno, "mounts[%zu]: source %s", i, m->source);
			break;
		}
		if (fstat(fd, &st) < 0) {
			ret = err_set(errno, "mounts[%zu]: stat %s", i, m->source);
			close(fd);
			break;
		}
		snprintf(name, sizeof(name), "%zu", i);
		snprintf(shown, sizeof(shown), "mounts/%zu", i);
		target = share_make(s, dir, wdir, name, S_ISDIR(st.st_mode), shown);
		if (target < 0) {
			ret = target;
			close(fd);
			break;
		}
		snprintf(src, sizeof(src), "mounts[%zu] (%s)", i, m->source);
		ret = share_attach(s, fd, target, mount_has_opt(m, "rbind"), mount_has_opt(m, "ro"),
				   src);
		close(target);
		close(fd);
	}
out:
	close(dir);
	if (wdir >= 0)
		close(wdir);
	return ret;
}

/*
 * Makes shared/ a mount of its own: a clone of the directory, read-only,
 * nosuid and nodev, private (cut from its parent's propagation) while it
 * is attached, then a peer group of its own (shared), so that what is
 * attached below it later (a pod's next container) reaches the VMM, whose
 * copy is a slave of it, and nothing else.
 */
static int share_make_top(struct sandbox *sb)
{
	struct mount_attr top = {.attr_set =
				     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				 .propagation = MS_PRIVATE};
	struct mount_attr peer = {.propagation = MS_SHARED};
	int fd, ret = 0;

	if (mkdir(sb->shared, 0700) < 0)
		return err_set(errno, "mkdir %s", sb->shared);
	fd = open_tree(AT_FDCWD, sb->shared,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (fd < 0 || mount_setattr(fd, "", AT_EMPTY_PATH, &top, sizeof(top)) < 0 ||
	    move_mount(fd, "", AT_FDCWD, sb->shared, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
	    mount_setattr(fd, "", AT_EMPTY_PATH, &peer, sizeof(peer)) < 0)
		ret = err_set(errno, "make %s a read-only mount of its own", sb->shared);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Opens shared/ and its writable view, and makes shared/<id> in it. */
static int share_open(struct share *s, struct sandbox *sb, size_t n_mounts)
{
	int ret;

	s->attached = calloc(n_mounts + 1, sizeof(*s->attached));
	if (!s->attached)
		return err_set(ENOMEM, "share %s", s->id);
	s->top = open(sb->shared, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->top < 0)
		return err_set(errno, "open %s", sb->shared);
	s->wtop = share_writable(s->top);
	if (s->wtop < 0)
		return s->wtop;
	s->dir = share_make(s, s->top, s->wtop, s->id, true, "");
	if (s->dir < 0)
		return s->dir;
	s->wdir = openat(s->wtop, s->id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->wdir < 0 || !same_inode(s->dir, s->wdir)) {
		ret = err_setx(ESTALE, "shared/%s changed while it was made", s->id);
		return ret;
	}
	return 0;
}

/* The bundle's rootfs, bound at shared/<id>/rootfs. */
static int share_rootfs(struct share *s, const struct bundle *b)
{
	_cleanup_close_ int fd = share_open_rootfs(b);
	_cleanup_close_ int target = -1;
	int ret;

	if (fd < 0)
		return fd;
	/* Shared read-only, the rootfs gets its missing mount points first, as runc makes them. */
	if (b->spec.root_readonly) {
		ret = sandbox_make_mount_points(fd, b);
		if (ret < 0)
			return ret;
	}
	target = share_make(s, s->dir, s->wdir, "rootfs", true, "rootfs");
	if (target < 0)
		return target;
	return share_attach(s, fd, target, true, b->spec.root_readonly, "rootfs");
}

int sandbox_share(struct sandbox *sb, const char *id, const struct bundle *b)
{
	struct share s = {.id = id, .top = -1, .wtop = -1, .dir = -1, .wdir = -1};
	int ret;

	if (!sb->pod[0]) {
		ret = share_make_top(sb);
		if (ret < 0)
			goto fail;
	}
	ret = share_open(&s, sb, b->spec.n_mounts);
	if (ret < 0)
		goto fail;
	ret = share_rootfs(&s, b);
	if (ret < 0)
		goto fail;
	ret = share_mounts(&s, b);
	if (ret < 0)
		goto fail;
	share_close(&s, false);
	return 0;

fail:
	/* Keep the first error: the cleanup's own failures are secondary. */
	{
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		share_close(&s, true);
		if (sb->pod[0])
			sandbox_unshare_container(sb, id);
		else
			sandbox_unshare(sb);
		err_setx(-ret, "%s", msg);
	}
	return ret;
}
