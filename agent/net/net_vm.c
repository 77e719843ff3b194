/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VM's network namespace: the one that holds the guest's NICs and
 * that every container whose spec names a network namespace by path joins
 * (the pod's, or the container's, namespace on the host). The agent stays
 * in the guest's root namespace, where the NICs appear and where nothing
 * of a container runs.
 *
 * It is kept alive by an fd the agent holds for its lifetime, and joined
 * by the path /proc/<agent>/fd/<fd>: no mount in the agent's tree (which a
 * host-mode agent in a test would leave on the host), nothing to clean
 * up, and the path works wherever the agent's /proc is seen, which is
 * where a container's init joins its namespaces (before its pivot_root).
 *
 * Made on first use: by the `network` request, or by the first container
 * that asks for it when no request came (no link in the host's namespace):
 * then it is empty but for `lo`, up, and a later request still fills it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "agent/net/net.h"
#include "common/error.h"
#include "common/netns_run.h"

static pthread_mutex_t net_vm_lock = PTHREAD_MUTEX_INITIALIZER;
static int net_vm_fd = -1;
static bool net_vm_done; /* a `network` request was handled */

static int net_vm_lo_up(void *arg)
{
	(void)arg;
	return net_lo_up(NULL);
}

/* With net_vm_lock held. */
static int net_vm_get(int *fd)
{
	int ret;

	if (net_vm_fd < 0) {
		ret = netns_run(-1, &net_vm_fd, net_vm_lo_up, NULL);
		if (ret < 0)
			return err_prefix(ret, "the VM's network namespace");
	}
	*fd = net_vm_fd;
	return 0;
}

int net_vm_ns(int *fd)
{
	int ret;

	pthread_mutex_lock(&net_vm_lock);
	ret = net_vm_get(fd);
	pthread_mutex_unlock(&net_vm_lock);
	return ret;
}

int net_vm_ns_path(char *buf, size_t n)
{
	int fd = -1, ret = net_vm_ns(&fd);

	if (ret < 0)
		return ret;
	if ((size_t)snprintf(buf, n, "/proc/%d/fd/%d", (int)getpid(), fd) >= n)
		return err_setx(ENAMETOOLONG, "the VM's network namespace: path too long");
	return 0;
}

int net_vm_configure(const struct net_config *c, unsigned *skipped6)
{
	int fd = -1, ret;

	pthread_mutex_lock(&net_vm_lock);
	/*
	 * Once: the NICs have left the root namespace after the first, and the
	 * runtime sends the request once per VM. A second is a runtime's bug.
	 */
	if (net_vm_done) {
		ret = err_setx(EEXIST, "network: the guest's network was configured already");
		goto out;
	}
	/* A config refused before anything is touched does not count. */
	if ((ret = net_config_check(c, EINVAL)) < 0)
		goto out;
	net_vm_done = true;
	if ((ret = net_vm_get(&fd)) < 0)
		goto out;
	ret = net_apply(c, fd, net_ipv6(), skipped6);
out:
	pthread_mutex_unlock(&net_vm_lock);
	return ret;
}
