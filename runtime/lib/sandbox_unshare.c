/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Taking a shared directory apart (sandbox.h's delete-safety rule) without
 * following a name the guest could have changed, and without a depth
 * limit the guest could reach.
 *
 * The mounts are found by their ids through fds, not in
 * /proc/self/mountinfo by mount-point path: the walk opens each directory
 * of the share beneath the one before (O_NOFOLLOW), and an entry whose
 * statx(STATX_MNT_ID) is not the top's has a mount on it, which is opened
 * (O_PATH: the mount's root) and detached through that fd. Only what is on
 * the top filesystem is ever removed, and only through a writable view of
 * the top that holds no mount at all (share_writable): an unlink or rmdir
 * there cannot reach a file of a rootfs or volume, whatever happens.
 *
 * The walk keeps an explicit stack on the heap (the name and inode of
 * each directory above) and one directory open at a time: it goes down by
 * name and back up by "..", checked against the recorded inode, so any
 * depth is removed with a bounded number of fds and no recursion.
 */
#include "runtime/lib/sandbox.h"
#include "runtime/lib/sandbox_share.h"
#include "common/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How many mounts stacked on one entry are detached before giving up. */
#define UNSHARE_ROUNDS 16

struct walk_frame {
	char *name;   /* the directory's name in the one above */
	uint64_t ino; /* its inode */
};

static int walk_statx(int dirfd, const char *name, struct statx *stx)
{
	int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);

	if (statx(dirfd, name, flags, STATX_TYPE | STATX_INO | STATX_MNT_ID, stx) < 0)
		return -errno;
	if (!(stx->stx_mask & STATX_MNT_ID))
		return err_setx(ENOTSUP, "statx: no mount ids from this kernel");
	return 0;
}

/*
 * Detaches whatever is mounted on dirfd/name (dirfd on mount top), the
 * topmost first, until the entry is on top again: 0, or 1 when there is
 * no such entry any more.
 */
static int walk_detach(int dirfd, const char *name, uint64_t top, struct statx *stx)
{
	for (int round = 0; round <= UNSHARE_ROUNDS; round++) {
		int fd, ret = walk_statx(dirfd, name, stx);

		if (ret == -ENOENT)
			return 1;
		if (ret < 0)
			return ret == -ENOTSUP ? ret : err_set(-ret, "stat shared entry %s", name);
		if (stx->stx_mnt_id == top)
			return 0;
		if (round == UNSHARE_ROUNDS)
			break;
		/* The path walk ends on the mount's root: its fd is the mount. */
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		ret = share_detach_fd(fd);
		close(fd);
		if (ret < 0)
			return ret;
	}
	return err_setx(EBUSY, "%s: mounts could not be detached; not removed", name);
}

static void walk_free(struct walk_frame *st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(st[i].name);
	free(st);
}

/* Whether fd is the directory ino on mount mnt (mnt 0: any). */
static bool walk_is(int fd, uint64_t ino, uint64_t mnt)
{
	struct statx stx;

	return walk_statx(fd, "", &stx) == 0 && S_ISDIR(stx.stx_mode) && stx.stx_ino == ino &&
	       (!mnt || stx.stx_mnt_id == mnt);
}

/* Records the directory name (inode ino) at st[depth], growing st as needed. */
static int walk_push(struct walk_frame **st, size_t *cap, size_t depth, uint64_t ino,
		     const char *name)
{
	if (depth + 1 >= *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct walk_frame *n = realloc(*st, ncap * sizeof(*n));

		if (!n)
			return err_set(ENOMEM, "remove %s", name);
		*st = n;
		*cap = ncap;
	}
	(*st)[depth].ino = ino;
	(*st)[depth].name = strdup(name);
	if (!(*st)[depth].name)
		return err_set(ENOMEM, "remove %s", name);
	return 0;
}

/*
 * Empties the directory sfd is open on (O_RDONLY): every mount in it
 * detached, everything on its own filesystem removed.
 */
static int walk_clear(int sfd)
{
	struct walk_frame *st = NULL;
	size_t depth = 0, cap = 0;
	struct statx top;
	int cur = -1, wcur = -1, ret;

	ret = walk_statx(sfd, "", &top);
	if (ret < 0)
		return ret == -ENOTSUP ? ret : err_set(-ret, "stat the shared directory");
	wcur = share_writable(sfd);
	if (wcur < 0)
		return wcur;
	cur = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0) {
		ret = err_set(errno, "open the shared directory");
		goto out;
	}
	for (;;) {
		struct dirent *de;
		bool down = false;
		int rfd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = rfd < 0 ? NULL : fdopendir(rfd);

		if (!d) {
			ret = err_set(errno, "read a directory of the share");
			if (rfd >= 0)
				close(rfd);
			break;
		}
		/* From the start each time: what was removed is gone, what is left fails. */
		while (ret == 0 && (de = readdir(d))) {
			struct statx stx;
			int next, wnext;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			ret = walk_detach(cur, de->d_name, top.stx_mnt_id, &stx);
			if (ret == 1) {
				ret = 0;
				continue;
			}
			if (ret < 0)
				break;
			if (stx.stx_dev_major != top.stx_dev_major ||
			    stx.stx_dev_minor != top.stx_dev_minor) {
				ret = err_setx(EXDEV, "%s is on another filesystem: not removed",
					       de->d_name);
				break;
			}
			if (!S_ISDIR(stx.stx_mode)) {
				if (unlinkat(wcur, de->d_name, 0) < 0 && errno != ENOENT)
					ret = err_set(errno, "remove %s", de->d_name);
				continue;
			}
			next = openat(cur, de->d_name,
				      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			wnext =
			    openat(wcur, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0 || wnext < 0 || !walk_is(next, stx.stx_ino, top.stx_mnt_id) ||
			    !walk_is(wnext, stx.stx_ino, 0))
				ret =
				    err_setx(ESTALE, "%s changed while it was removed", de->d_name);
			else
				ret = walk_push(&st, &cap, depth, stx.stx_ino, de->d_name);
			if (ret < 0) {
				if (next >= 0)
					close(next);
				if (wnext >= 0)
					close(wnext);
				break;
			}
			depth++;
			close(cur);
			close(wcur);
			cur = next;
			wcur = wnext;
			down = true;
			break;
		}
		closedir(d);
		if (ret < 0 || (!down && depth == 0))
			break;
		if (down)
			continue;
		/* cur is empty: up one, to the directory recorded there, and remove it. */
		{
			uint64_t up = depth > 1 ? st[depth - 2].ino : top.stx_ino;
			int pfd =
			    openat(cur, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int wpfd =
			    openat(wcur, "..", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			close(cur);
			close(wcur);
			cur = pfd;
			wcur = wpfd;
			depth--;
			if (pfd < 0 || wpfd < 0 || !walk_is(pfd, up, top.stx_mnt_id) ||
			    !walk_is(wpfd, up, 0)) {
				ret = err_setx(ESTALE, "%s moved while it was removed",
					       st[depth].name);
			} else if (unlinkat(wcur, st[depth].name, AT_REMOVEDIR) < 0 &&
				   errno != ENOENT) {
				ret = err_set(errno, "remove %s", st[depth].name);
			}
			free(st[depth].name);
			if (ret < 0)
				break;
		}
	}
	walk_free(st, depth);
out:
	if (cur >= 0)
		close(cur);
	if (wcur >= 0)
		close(wcur);
	return ret;
}

/*
 * Detaches and removes parent/name: its content first (walk_clear), then,
 * while it is a mount itself (shared/), that mount, and what it covered
 * the same way; then the directory, through a writable view of parent.
 */
static int unshare_dir(int parent, const char *name)
{
	struct statx pst, stx;
	int wparent, ret;

	ret = walk_statx(parent, "", &pst);
	if (ret < 0)
		return ret == -ENOTSUP ? ret : err_set(-ret, "stat %s's directory", name);
	wparent = share_writable(parent);
	if (wparent < 0)
		return wparent;
	for (int round = 0;; round++) {
		int fd;

		ret = walk_statx(parent, name, &stx);
		if (ret == -ENOENT) {
			ret = 0;
			goto out;
		}
		if (ret < 0) {
			ret = ret == -ENOTSUP ? ret : err_set(-ret, "stat %s", name);
			goto out;
		}
		if (round == UNSHARE_ROUNDS) {
			ret =
			    err_setx(EBUSY, "%s: mounts could not be detached; not removed", name);
			goto out;
		}
		if (!S_ISDIR(stx.stx_mode)) {
			/* Not ours (a directory is): whatever is mounted there goes, then it. */
			ret = walk_detach(parent, name, pst.stx_mnt_id, &stx);
			if (ret != 0) /* an error, or 1: gone already */
				goto out;
			if (unlinkat(wparent, name, 0) < 0 && errno != ENOENT)
				ret = err_set(errno, "remove %s", name);
			goto out;
		}
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			ret = err_set(errno, "open %s", name);
			goto out;
		}
		ret = walk_clear(fd);
		if (ret < 0) {
			close(fd);
			goto out;
		}
		if (stx.stx_mnt_id != pst.stx_mnt_id) {
			/* A mount of its own (shared/): emptied, it goes; then what it covered. */
			ret = share_detach_fd(fd);
			close(fd);
			if (ret < 0)
				goto out;
			continue;
		}
		close(fd);
		break;
	}
	if (unlinkat(wparent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		ret = err_set(errno, "remove %s", name);
out:
	close(wparent);
	return ret;
}

int sandbox_unshare(struct sandbox *sb)
{
	int fd = open(sb->vm_dir, O_PATH | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(errno, "open %s", sb->vm_dir);
	ret = unshare_dir(fd, "shared");
	close(fd);
	return ret;
}

int sandbox_unshare_container(struct sandbox *sb, const char *id)
{
	int fd = open(sb->shared, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), ret;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(errno, "open %s", sb->shared);
	/* <id> is a name on the read-only top, which only the runtime changes. */
	ret = unshare_dir(fd, id);
	close(fd);
	return ret;
}
