/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/net_ns.h"
#include "common/cleanup.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether st is the namespace at path. */
static bool is_ns(const struct stat *st, const char *path)
{
	struct stat other;

	return stat(path, &other) == 0 && st->st_dev == other.st_dev && st->st_ino == other.st_ino;
}

int net_ns_open(const char *path, struct net_ns *ns)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int type;

	ns->fd = -1;
	if ((size_t)snprintf(ns->path, sizeof(ns->path), "%s", path) >= sizeof(ns->path))
		return err_setx(ENAMETOOLONG, "network namespace %s: path too long", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "network namespace %s", path);
	if (fstat(fd, &st) < 0)
		return err_set(errno, "network namespace %s", path);
	/* nsfs answers NS_GET_NSTYPE; a file or a directory does not. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 && (errno == ENOTTY || errno == EINVAL))
		return err_setx(EINVAL, "network namespace %s: not a namespace", path);
	if (type < 0)
		return err_set(errno, "network namespace %s", path);
	if (type != CLONE_NEWNET)
		return err_setx(EINVAL, "network namespace %s: not a network namespace", path);
	/*
	 * A VMM in the host's stack would give a guest that took it over the
	 * host's network: refused, whether it is ozone's own namespace or init's
	 * (when /proc/1 may be read: where ozone lacks the right to, the
	 * caller's is the one to compare).
	 */
	if (is_ns(&st, "/proc/self/ns/net") || is_ns(&st, "/proc/1/ns/net"))
		return err_setx(EINVAL,
				"network namespace %s is the host's: a VM cannot share the host's "
				"network",
				path);
	ns->dev = st.st_dev;
	ns->ino = st.st_ino;
	ns->fd = take_fd(&fd);
	return 0;
}

int net_ns_from_spec(const struct oci_spec *spec, struct net_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
	ns->fd = -1;
	for (size_t i = 0; spec->has_linux && i < spec->lnx.n_namespaces; i++) {
		const struct oci_namespace *n = &spec->lnx.namespaces[i];

		if (strcmp(n->type, "network"))
			continue;
		if (!n->path || !*n->path)
			return 0;
		return net_ns_open(n->path, ns);
	}
	return err_setx(EINVAL, "host networking (no network namespace in the spec) cannot be "
				"given to a VM; use a network namespace");
}

void net_ns_close(struct net_ns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
}
