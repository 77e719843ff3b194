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
#include "common/error.h"

struct net_ns_job {
	int nsfd;
	int newfd;
	int (*fn)(void *arg);
	void *arg;
	int ret;
	char msg[512]; /* err_msg() is per thread: carried back */
};

static int net_ns_enter(struct net_ns_job *j)
{
	if (j->nsfd >= 0) {
		if (setns(j->nsfd, CLONE_NEWNET) < 0)
			return err_set(errno, "enter the network namespace");
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0)
		return err_set(errno, "make a network namespace");
	j->newfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (j->newfd < 0)
		return err_set(errno, "open the new network namespace");
	return 0;
}

static void *net_ns_thread(void *arg)
{
	struct net_ns_job *j = arg;

	j->ret = net_ns_enter(j);
	if (j->ret == 0)
		j->ret = j->fn(j->arg);
	if (j->ret < 0)
		snprintf(j->msg, sizeof(j->msg), "%s", err_msg());
	return NULL;
}

int net_ns_run(int nsfd, int *newfd, int (*fn)(void *arg), void *arg)
{
	struct net_ns_job j = {.nsfd = nsfd, .newfd = -1, .fn = fn, .arg = arg};
	pthread_t t;
	int ret;

	ret = pthread_create(&t, NULL, net_ns_thread, &j);
	if (ret)
		return err_set(ret, "start a thread for the network namespace");
	pthread_join(t, NULL);
	if (j.ret < 0) {
		if (j.newfd >= 0)
			close(j.newfd);
		return err_setx(-j.ret, "%s", j.msg[0] ? j.msg : strerror(-j.ret));
	}
	if (newfd)
		*newfd = j.newfd;
	else if (j.newfd >= 0)
		close(j.newfd);
	return 0;
}

static int net_ns_open_sock(void *arg)
{
	int ret = nl_open(arg);

	return ret < 0 ? err_set(-ret, "open a netlink socket") : 0;
}

int net_ns_sock(int nsfd, int *newfd, struct nl_sock *s)
{
	return net_ns_run(nsfd, newfd, net_ns_open_sock, s);
}
