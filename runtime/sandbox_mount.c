/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared directory of a sandbox: bind mounts of the bundle's rootfs
 * and of the spec's bind mount sources, and their safe removal.
 *
 * Every bind is made from an fd opened first (mount("/proc/self/fd/N")),
 * so what gets mounted is exactly what was checked. shared/ is first bound
 * onto itself and made a peer group of its own: what is mounted below it
 * propagates only to the VMM's slave copy, and nothing from other mount
 * namespaces propagates in.
 */
#include "runtime/sandbox.h"
#include "common/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How many times unmounting is retried before giving up (mounts may reappear by propagation). */
#define UNSHARE_ROUNDS 16
/* How deep the removal walk goes into what the guest may have left in shared/. */
#define REMOVE_DEPTH_MAX 128

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

/* Binds the object behind fd onto target; read-only (recursively, if rec) when ro. */
static int share_bind(int fd, const char *target, bool rec, bool ro, const char *what)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, target, NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0)
		return err_set(errno, "bind mount %s", what);
	if (ro) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

		if (mount_setattr(AT_FDCWD, target, rec ? AT_RECURSIVE : 0, &attr, sizeof(attr)) <
		    0)
			return err_set(errno, "make %s read-only", what);
	}
	return 0;
}

static int share_mounts(const char *base, const struct bundle *b)
{
	char dir[PATH_MAX], target[PATH_MAX + 32], src[PATH_MAX * 2];
	int ret;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/mounts", base) >= sizeof(dir))
		return err_setx(ENAMETOOLONG, "%s/mounts: path too long", base);
	if (mkdir(dir, 0755) < 0)
		return err_set(errno, "mkdir %s", dir);
	for (size_t i = 0; i < b->spec.n_mounts; i++) {
		const struct oci_mount *m = &b->spec.mounts[i];
		struct stat st;
		int fd, tfd;

		if (!mount_is_bind(m))
			continue;
		if (!m->source)
			return err_setx(
			    EINVAL, "config.json: mounts[%zu].source: a bind mount needs a source",
			    i);
		/* A relative source is relative to the bundle, as runc (run in it) reads it. */
		if (m->source[0] == '/')
			snprintf(src, sizeof(src), "%s", m->source);
		else
			snprintf(src, sizeof(src), "%s/%s", b->path, m->source);
		/* Sources are the user's volumes: symlinks in them are followed, as runc does. */
		fd = open(src, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return err_set(errno, "mounts[%zu]: source %s", i, m->source);
		if (fstat(fd, &st) < 0) {
			ret = err_set(errno, "mounts[%zu]: stat %s", i, m->source);
			close(fd);
			return ret;
		}
		snprintf(target, sizeof(target), "%s/%zu", dir, i);
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(target, 0755) < 0) {
				ret = err_set(errno, "mkdir %s", target);
				close(fd);
				return ret;
			}
		} else {
			tfd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				   0600);
			if (tfd < 0) {
				ret = err_set(errno, "create %s", target);
				close(fd);
				return ret;
			}
			close(tfd);
		}
		snprintf(src, sizeof(src), "mounts[%zu] (%s)", i, m->source);
		ret =
		    share_bind(fd, target, mount_has_opt(m, "rbind"), mount_has_opt(m, "ro"), src);
		close(fd);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int sandbox_share(struct sandbox *sb, const char *id, const struct bundle *b)
{
	char base[PATH_MAX], target[PATH_MAX + 16];
	int fd, ret;

	/*
	 * A pod's VM has its shared/ already. Otherwise it is made, bound onto
	 * itself and cut from its parent's propagation (private), then made a
	 * peer group of its own (shared): what is mounted under it later (the
	 * rootfs of a pod's next container) reaches the VMM, whose copy is a
	 * slave of it (vmm/jail.c), and nothing reaches other namespaces.
	 */
	if (!sb->pod[0]) {
		if (mkdir(sb->shared, 0700) < 0)
			return err_set(errno, "mkdir %s", sb->shared);
		if (mount(sb->shared, sb->shared, NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, sb->shared, NULL, MS_PRIVATE, NULL) < 0 ||
		    mount(NULL, sb->shared, NULL, MS_SHARED, NULL) < 0) {
			ret = err_set(errno, "make %s a mount of its own", sb->shared);
			goto fail;
		}
	}
	if ((size_t)snprintf(base, sizeof(base), "%s/%s", sb->shared, id) >= sizeof(base)) {
		ret = err_setx(ENAMETOOLONG, "shared directory path too long");
		goto fail;
	}
	snprintf(target, sizeof(target), "%s/rootfs", base);
	if (mkdir(base, 0755) < 0 || mkdir(target, 0755) < 0) {
		ret = err_set(errno, "mkdir %s", target);
		goto fail;
	}
	fd = share_open_rootfs(b);
	if (fd < 0) {
		ret = fd;
		goto fail;
	}
	/* Shared read-only, the rootfs gets its missing mount points first, as runc makes them. */
	ret = b->spec.root_readonly ? sandbox_make_mount_points(fd, b) : 0;
	if (ret == 0)
		ret = share_bind(fd, target, true, b->spec.root_readonly, "rootfs");
	close(fd);
	if (ret == 0)
		ret = share_mounts(base, b);
	if (ret == 0)
		return 0;
fail:
	/* Keep the first error: the cleanup's own failures are secondary. */
	{
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		if (sb->pod[0])
			sandbox_unshare_container(sb, id);
		else
			sandbox_unshare(sb);
		err_setx(-ret, "%s", msg);
	}
	return ret;
}

/* Decodes mountinfo's octal escapes (\040 for a space) in place. */
static void unshare_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static int unshare_cmp_len(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* The mount points at or under dir, longest (deepest) first; *n of them. */
static int unshare_find(const char *dir, char ***out, size_t *n)
{
	size_t dlen = strlen(dir), cap = 0;
	char *line = NULL, **v = NULL;
	size_t lcap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	*out = NULL;
	*n = 0;
	if (!f)
		return err_set(errno, "open /proc/self/mountinfo");
	while (getline(&line, &lcap, f) > 0) {
		char *save, *tok = strtok_r(line, " ", &save);

		/* Fields: id parent major:minor root mountpoint ... */
		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (!tok)
			continue;
		unshare_unescape(tok);
		if (strncmp(tok, dir, dlen) || (tok[dlen] != '\0' && tok[dlen] != '/'))
			continue;
		if (*n + 1 >= cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		v[*n] = strdup(tok);
		if (v[*n])
			(*n)++;
	}
	free(line);
	fclose(f);
	if (*n)
		qsort(v, *n, sizeof(*v), unshare_cmp_len);
	*out = v;
	return 0;
}

static void unshare_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * Removes what is left under dirfd/name once nothing is mounted there: only
 * on the filesystem dev, never into a mount point (a bind of the same
 * filesystem keeps its st_dev, so the mount root attribute is checked too).
 */
static int unshare_remove(int dirfd, const char *name, dev_t dev, int depth)
{
	struct statx stx;
	int ret = 0;

	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
		return errno == ENOENT ? 0 : err_set(errno, "stat %s", name);
	if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return err_setx(EBUSY, "%s is still a mount point: not removed", name);
	if (makedev(stx.stx_dev_major, stx.stx_dev_minor) != dev)
		return err_setx(EXDEV, "%s is on another filesystem: not removed", name);
	if (S_ISDIR(stx.stx_mode)) {
		struct dirent *de;
		DIR *d;
		int fd;

		if (depth >= REMOVE_DEPTH_MAX)
			return err_setx(ELOOP, "%s: too deep to remove", name);
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return err_set(errno, "open %s", name);
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return err_set(errno, "open %s", name);
		}
		while (ret == 0 && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			ret = unshare_remove(fd, de->d_name, dev, depth + 1);
		}
		closedir(d);
		if (ret == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			ret = err_set(errno, "remove %s", name);
		return ret;
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return err_set(errno, "remove %s", name);
	return 0;
}

/* Detaches every mount at or under dir, then removes it (see sandbox.h). */
static int unshare_dir(const char *dir)
{
	char **v = NULL, parent[PATH_MAX];
	const char *slash;
	struct stat st;
	size_t n = 0;
	int round, ret, pfd;

	for (round = 0; round < UNSHARE_ROUNDS; round++) {
		ret = unshare_find(dir, &v, &n);
		if (ret < 0)
			return ret;
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (umount2(v[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
			    errno != ENOENT)
				ozone_debug("umount %s: %s", v[i], strerror(errno));
		unshare_free(v, n);
		v = NULL;
	}
	if (n) {
		ret = err_setx(EBUSY, "%s: %zu mounts could not be detached; nothing removed", dir,
			       n);
		unshare_free(v, n);
		return ret;
	}
	/* Nothing is mounted under shared/ any more: what is left there is ours. */
	slash = strrchr(dir, '/');
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir);
	pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return errno == ENOENT ? 0 : err_set(errno, "open %s", parent);
	if (fstat(pfd, &st) < 0) {
		ret = err_set(errno, "stat %s", parent);
		close(pfd);
		return ret;
	}
	ret = unshare_remove(pfd, slash + 1, st.st_dev, 0);
	close(pfd);
	return ret;
}

int sandbox_unshare(struct sandbox *sb)
{
	return unshare_dir(sb->shared);
}

int sandbox_unshare_container(struct sandbox *sb, const char *id)
{
	char dir[PATH_MAX];

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", sb->shared, id) >= sizeof(dir))
		return err_setx(ENAMETOOLONG, "%s/%s: path too long", sb->shared, id);
	return unshare_dir(dir);
}
