/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mount points in a read-only rootfs. The rootfs is shared with the guest
 * read-only when root.readonly, so the agent cannot make a mount point the
 * image lacks (Kubernetes' pause image has no /proc, /dev or /sys). As
 * runc does, the missing ones are made in the rootfs before it is shared:
 * a directory, or an empty file for a bind mount of a file. The rootfs may
 * come from an untrusted image, so every path is resolved inside it
 * (openat2 RESOLVE_IN_ROOT: its symlinks and ".." stay in it) and only one
 * name is made at a time, in a directory opened that way. A destination
 * under another mount's (/dev/pts under /dev) is left to the guest: it
 * lands on that mount, not in the rootfs.
 */
#include "runtime/lib/sandbox.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {.flags = flags | O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};

	return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
}

/* The next component of *p ("" and "." skipped); its length, 0 at the end. */
static size_t next_component(const char **p)
{
	for (;;) {
		size_t n;

		*p += strspn(*p, "/");
		n = strcspn(*p, "/");
		if (n == 1 && (*p)[0] == '.') {
			*p += 1;
			continue;
		}
		return n;
	}
}

/* Whether dest lies under (or on) prefix, component by component. */
static bool path_under(const char *dest, const char *prefix)
{
	const char *d = dest, *p = prefix;

	for (;;) {
		size_t np = next_component(&p), nd;

		if (!np)
			return true;
		nd = next_component(&d);
		if (nd != np || strncmp(d, p, np))
			return false;
		d += nd;
		p += np;
	}
}

/* Makes dest (a directory, or an empty file) with its missing parents, inside rootfd. */
static int make_point(int rootfd, const char *dest, bool file)
{
	char prefix[OCI_SPEC_PATH_MAX + 2] = "";
	const char *p = dest;
	size_t len = 0, n;
	int fd = open_in_root(rootfd, dest, 0);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno != ENOENT)
		return err_set(errno, "mount point %s in the rootfs", dest);
	while ((n = next_component(&p))) {
		bool last = !p[n + strspn(p + n, "/")];
		char name[NAME_MAX + 1];
		int parent, ret = 0;

		if (n > NAME_MAX || len + n + 2 > sizeof(prefix))
			return err_setx(ENAMETOOLONG, "mount point %s: name too long", dest);
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		/* A symlink to nothing in the rootfs is not followed out of it: refused. */
		parent = open_in_root(rootfd, prefix, O_DIRECTORY);
		if (parent < 0)
			return err_set(errno, "make mount point %s in the rootfs: /%s", dest,
				       prefix);
		if (last && file) {
			fd = openat(parent, name,
				    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd >= 0)
				close(fd);
			else if (errno != EEXIST)
				ret = err_set(errno, "make mount point %s in the rootfs", dest);
		} else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
			ret = err_set(errno, "make mount point %s in the rootfs", dest);
		}
		close(parent);
		if (ret < 0)
			return ret;
		len += (size_t)snprintf(prefix + len, sizeof(prefix) - len, "%s%s", len ? "/" : "",
					name);
		p += n;
	}
	/* What is there now must resolve inside the rootfs (not a dangling symlink). */
	fd = open_in_root(rootfd, dest, 0);
	if (fd < 0)
		return err_set(errno, "mount point %s in the rootfs", dest);
	close(fd);
	return 0;
}

/* Whether mounts[i] binds a file: then its mount point is a file. */
static bool binds_file(const struct bundle *b, const struct oci_mount *m)
{
	char src[PATH_MAX * 2];
	struct stat st;
	bool bind = m->type && !strcmp(m->type, "bind");

	for (size_t k = 0; k < m->n_options && !bind; k++)
		bind = !strcmp(m->options[k], "bind") || !strcmp(m->options[k], "rbind");
	if (!bind || !m->source)
		return false;
	if (m->source[0] == '/')
		snprintf(src, sizeof(src), "%s", m->source);
	else
		snprintf(src, sizeof(src), "%s/%s", b->path, m->source);
	return stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
}

int sandbox_make_mount_points(int rootfd, const struct bundle *b)
{
	const struct oci_spec *spec = &b->spec;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const char *dest = spec->mounts[i].destination;
		bool nested = false;
		int ret;

		if (!dest || dest[0] != '/')
			continue; /* the agent says what is wrong with it */
		for (size_t j = 0; j < i && !nested; j++)
			nested = spec->mounts[j].destination &&
				 spec->mounts[j].destination[0] == '/' &&
				 path_under(dest, spec->mounts[j].destination);
		if (nested)
			continue;
		ret = make_point(rootfd, dest, binds_file(b, &spec->mounts[i]));
		if (ret < 0)
			return ret;
	}
	return 0;
}
