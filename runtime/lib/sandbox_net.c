/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/sandbox_net.h"
#include "runtime/lib/net_wire.h"
#include "runtime/lib/sandbox.h"
#include "common/cleanup.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NET_RECORD "net"

void sandbox_net_init(struct sandbox_net *n)
{
	memset(n, 0, sizeof(*n));
	n->ns.fd = -1;
	for (unsigned i = 0; i < NET_LINKS_MAX; i++)
		n->tap_fd[i] = -1;
}

void sandbox_net_release(struct sandbox_net *n)
{
	for (unsigned i = 0; i < NET_LINKS_MAX; i++)
		if (n->tap_fd[i] >= 0) {
			close(n->tap_fd[i]);
			n->tap_fd[i] = -1;
		}
	net_ns_close(&n->ns);
	free(n->cfg);
	n->cfg = NULL;
}

/* <dir>/net, whole or not at all (written beside it, then renamed). */
static int record_write(const struct sandbox *sb, const struct sandbox_net *n)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
	_cleanup_fclose_ FILE *f = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/" NET_RECORD, sb->dir);
	snprintf(tmp, sizeof(tmp), "%s/" NET_RECORD ".tmp", sb->dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set(errno, "create %s", tmp);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return err_set(errno, "create %s", tmp);
	}
	fprintf(f, "netns %llu %llu %s\n", (unsigned long long)n->ns.dev,
		(unsigned long long)n->ns.ino, n->ns.path);
	for (unsigned i = 0; i < n->cfg->nlinks; i++)
		fprintf(f, "link %s\n", n->cfg->links[i].name);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		return err_set(errno ? errno : EIO, "write %s", tmp);
	if (rename(tmp, path) < 0)
		return err_set(errno, "rename %s", tmp);
	return 0;
}

int sandbox_net_setup(struct sandbox *sb, struct sandbox_net *n)
{
	int ret;

	/* A new namespace has loopback alone: the agent brings it up in the guest. */
	if (n->ns.fd < 0)
		return 0;
	n->cfg = calloc(1, sizeof(*n->cfg));
	if (!n->cfg)
		return err_set(ENOMEM, "network configuration");
	ret = net_ns_scan(n->ns.fd, n->cfg);
	if (ret < 0)
		return err_prefix(ret, "network namespace %s", n->ns.path);
	if (n->cfg->nlinks == 0)
		return 0;
	/* Recorded before anything is made: delete then finds whatever a killed create made. */
	ret = record_write(sb, n);
	if (ret < 0)
		return ret;
	ret = net_ns_wire(n->ns.fd, n->cfg, n->tap_fd);
	if (ret < 0)
		return err_prefix(ret, "network namespace %s", n->ns.path);
	return 0;
}

/* Reads the record's namespace and links; 0 when there is no record. */
static int record_read(const char *path, char *ns, size_t ns_size, unsigned long long *dev,
		       unsigned long long *ino, char (*links)[IFNAMSIZ], unsigned *n)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[PATH_MAX + 64];
	int first = 1;

	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : err_set(errno, "open %s", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (first) {
			int off = 0;

			if (sscanf(line, "netns %llu %llu %n", dev, ino, &off) != 2 || !off ||
			    (size_t)snprintf(ns, ns_size, "%s", line + off) >= ns_size)
				return err_setx(EINVAL, "%s: not a record of a network", path);
			first = 0;
			continue;
		}
		if (strncmp(line, "link ", 5) || strlen(line + 5) >= IFNAMSIZ ||
		    *n == NET_LINKS_MAX)
			return err_setx(EINVAL, "%s: not a record of a network", path);
		snprintf(links[(*n)++], IFNAMSIZ, "%s", line + 5);
	}
	if (first)
		return err_setx(EINVAL, "%s: empty", path);
	return 1;
}

int sandbox_net_teardown(struct sandbox *sb)
{
	char path[PATH_MAX + 16], ns[PATH_MAX], links[NET_LINKS_MAX][IFNAMSIZ];
	unsigned long long dev, ino;
	_cleanup_close_ int fd = -1;
	struct stat st;
	unsigned n;
	int ret;

	/* One a killed create left half-written recorded nothing that was made. */
	snprintf(path, sizeof(path), "%s/" NET_RECORD ".tmp", sb->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" NET_RECORD, sb->dir);
	ret = record_read(path, ns, sizeof(ns), &dev, &ino, links, &n);
	if (ret <= 0)
		return ret;
	/*
	 * Only the namespace recorded: a path that is gone, or now names
	 * another namespace, means ours is gone, and our taps and qdiscs with it.
	 */
	fd = open(ns, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino) {
		ret = net_ns_unwire(fd, links, n);
		if (ret < 0)
			return err_prefix(ret, "network namespace %s", ns);
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return err_set(errno, "remove %s", path);
	return 0;
}
