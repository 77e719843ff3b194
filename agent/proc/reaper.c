/* SPDX-License-Identifier: Apache-2.0 */
/* The reaper thread (reaper.h): SIGCHLD through a signalfd, and a kick when a builder call ends. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/server/notify.h"
#include "proc.h"
#include "reaper.h"

static int holds; /* agent_lock */
static int kick_fd = -1;

void reaper_hold(void)
{
	holds++;
}

void reaper_release(void)
{
	uint64_t one = 1;

	holds--;
	/* A child may have ended while reaping was held back, or before its pid was known. */
	if (kick_fd >= 0 && write(kick_fd, &one, sizeof(one)) < 0)
		agent_warn("reaper kick: %m");
}

/* With agent_lock held. */
static void record(struct agent_proc *p, int wstatus)
{
	p->exited = true;
	p->status = agent_proc_status_of(wstatus);
	pthread_cond_broadcast(&agent_exit_cond);
	notify_exit(p);
}

static void reap(void)
{
	int wstatus;
	pid_t pid;

	pthread_mutex_lock(&agent_lock);
	for (struct agent_ctr *c = agent_ctr_first(); c; c = c->next)
		for (struct agent_proc *p = c->procs; p; p = p->next)
			if (p->pid > 0 && !p->exited &&
			    waitpid(p->pid, &wstatus, WNOHANG) == p->pid)
				record(p, wstatus);
	while (holds == 0 && (pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		struct agent_proc *p = agent_proc_find_pid(pid);

		if (p)
			record(p, wstatus);
		else
			agent_debug("reaped pid %d", (int)pid);
	}
	pthread_mutex_unlock(&agent_lock);
}

static void *reaper(void *arg)
{
	int sfd = (int)(intptr_t)arg;

	for (;;) {
		struct pollfd p[2] = {{.fd = sfd, .events = POLLIN},
				      {.fd = kick_fd, .events = POLLIN}};
		struct signalfd_siginfo si;
		uint64_t v;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			agent_warn("reaper poll: %m");
		if (p[0].revents & POLLIN)
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
		if (p[1].revents & POLLIN && read(kick_fd, &v, sizeof(v)) < 0)
			agent_warn("reaper kick: %m");
		reap();
	}
	return NULL;
}

int reaper_start(void)
{
	sigset_t set;
	pthread_t th;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		return -errno;
	kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (kick_fd < 0) {
		close(sfd);
		return -errno;
	}
	if (pthread_create(&th, NULL, reaper, (void *)(intptr_t)sfd) != 0) {
		close(sfd);
		close(kick_fd);
		kick_fd = -1;
		return -EAGAIN;
	}
	pthread_detach(th);
	/* Children that ended before the thread existed. */
	if (write(kick_fd, &(uint64_t){1}, sizeof(uint64_t)) < 0)
		agent_warn("reaper kick: %m");
	return 0;
}
