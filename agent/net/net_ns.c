/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Work inside another network namespace, on a thread of its own. A
 * thread's network namespace is its own (setns and unshare with
 * CLONE_NEWNET change only the caller), so a short-lived thread enters
 * the namespace, does the work and ends: the agent's long-lived threads
 * stay in the guest's root namespace whatever fails, with no way back to
 * get wrong. What the thread opens stays bound to the namespace it was
 * opened in (a netlink socket, the namespace's own fd).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/net/net.h"
#include "common/netns_run.h"
#include "common/error.h"

static int net_ns_open_sock(void *arg)
{
	int ret = nl_open(arg);

	return ret < 0 ? err_set(-ret, "open a netlink socket") : 0;
}

int net_ns_sock(int nsfd, int *newfd, struct nl_sock *s)
{
	return netns_run(nsfd, newfd, net_ns_open_sock, s);
}
