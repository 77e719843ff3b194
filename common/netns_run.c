/* SPDX-License-Identifier: Apache-2.0 */
/* Work inside another network namespace on a thread of its own (netns_run.h). */
#include "common/netns_run.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"

struct netns_job {
	int nsfd;
	int newfd;
	int (*fn)(void *arg);
	void *arg;
	int ret;
	char msg[512]; /* err_msg() is per thread: carried back */
};

static int netns_enter(struct netns_job *j)
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

static void *netns_thread(void *arg)
{
	struct netns_job *j = arg;

	j->ret = netns_enter(j);
	if (j->ret == 0)
		j->ret = j->fn(j->arg);
	if (j->ret < 0)
		snprintf(j->msg, sizeof(j->msg), "%s", err_msg());
	return NULL;
}

int netns_run(int nsfd, int *newfd, int (*fn)(void *arg), void *arg)
{
	struct netns_job j = {.nsfd = nsfd, .newfd = -1, .fn = fn, .arg = arg};
	pthread_t t;
	int ret;

	ret = pthread_create(&t, NULL, netns_thread, &j);
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
	return j.ret;
}
