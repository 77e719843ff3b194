/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device event loop. Each registered fd has a handler record that the
 * epoll event points at. A handler removed while events for it may still be
 * pending in the current batch is only marked dead and freed after the
 * batch, so a callback may remove itself (or another fd) safely. Removing
 * an fd from another thread while the loop runs is not supported: its
 * callback could still be running.
 */
#include "evloop.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/error.h"

#define EVLOOP_BATCH 16

struct evloop_handler {
	int fd;
	bool dead;
	evloop_fn fn;
	void *opaque;
	struct evloop_handler *next;
};

struct evloop {
	int epfd;
	int stopfd;	      /* eventfd: evloop_stop() writes, the loop wakes and returns */
	pthread_mutex_t lock; /* guards the handler list: add/del may come from any thread */
	struct evloop_handler *handlers;
};

int evloop_create(struct evloop **out)
{
	struct evloop *l = calloc(1, sizeof(*l));
	struct epoll_event ev = {.events = EPOLLIN};
	int ret;

	if (!l)
		return err_set(ENOMEM, "event loop");
	l->stopfd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		ret = err_set(errno, "epoll_create1");
		goto fail;
	}
	l->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->stopfd < 0) {
		ret = err_set(errno, "eventfd");
		goto fail;
	}
	/* data.ptr NULL marks the stop eventfd. */
	ev.data.ptr = NULL;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->stopfd, &ev) < 0) {
		ret = err_set(errno, "epoll_ctl add stop eventfd");
		goto fail;
	}
	pthread_mutex_init(&l->lock, NULL);
	*out = l;
	return 0;
fail:
	if (l->stopfd >= 0)
		close(l->stopfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
	return ret;
}

void evloop_destroy(struct evloop *l)
{
	struct evloop_handler *h, *next;

	if (!l)
		return;
	for (h = l->handlers; h; h = next) {
		next = h->next;
		free(h);
	}
	close(l->stopfd);
	close(l->epfd);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static struct evloop_handler *find_live(struct evloop *l, int fd)
{
	for (struct evloop_handler *h = l->handlers; h; h = h->next)
		if (!h->dead && h->fd == fd)
			return h;
	return NULL;
}

int evloop_add(struct evloop *l, int fd, uint32_t events, evloop_fn fn, void *opaque)
{
	struct evloop_handler *h = calloc(1, sizeof(*h));
	struct epoll_event ev = {.events = events};
	int ret = 0;

	if (!h)
		return err_set(ENOMEM, "event loop handler");
	h->fd = fd;
	h->fn = fn;
	h->opaque = opaque;
	ev.data.ptr = h;
	pthread_mutex_lock(&l->lock);
	if (find_live(l, fd)) {
		ret = err_setx(EEXIST, "event loop: fd %d already registered", fd);
	} else if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		ret = err_set(errno, "epoll_ctl add fd %d", fd);
	} else {
		h->next = l->handlers;
		l->handlers = h;
		h = NULL;
	}
	pthread_mutex_unlock(&l->lock);
	free(h);
	return ret;
}

int evloop_mod(struct evloop *l, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events};
	struct evloop_handler *h;
	int ret = 0;

	pthread_mutex_lock(&l->lock);
	h = find_live(l, fd);
	if (!h) {
		ret = err_setx(ENOENT, "event loop: fd %d not registered", fd);
	} else {
		ev.data.ptr = h;
		if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
			ret = err_set(errno, "epoll_ctl mod fd %d", fd);
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}

int evloop_del(struct evloop *l, int fd)
{
	struct evloop_handler *h;
	int ret = 0;

	pthread_mutex_lock(&l->lock);
	h = find_live(l, fd);
	if (!h) {
		ret = err_setx(ENOENT, "event loop: fd %d not registered", fd);
	} else {
		/* The fd may already be closed by its owner: ignore the result. */
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		h->dead = true;
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}

/* Frees handlers removed during the last batch: no pending event points at them any more. */
static void sweep(struct evloop *l)
{
	struct evloop_handler **pp = &l->handlers;

	pthread_mutex_lock(&l->lock);
	while (*pp) {
		struct evloop_handler *h = *pp;

		if (h->dead) {
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
	pthread_mutex_unlock(&l->lock);
}

int evloop_run(struct evloop *l)
{
	struct epoll_event evs[EVLOOP_BATCH];

	for (;;) {
		bool stop = false;
		int n = epoll_wait(l->epfd, evs, EVLOOP_BATCH, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(errno, "epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			struct evloop_handler *h = evs[i].data.ptr;

			if (!h) {
				uint64_t v;

				if (read(l->stopfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					return err_set(errno, "read stop eventfd");
				stop = true;
				continue;
			}
			if (!h->dead)
				h->fn(h->opaque, evs[i].events);
		}
		sweep(l);
		if (stop)
			return 0;
	}
}

/* Only write(2) on an eventfd: async-signal-safe, callable from any thread. */
void evloop_stop(struct evloop *l)
{
	uint64_t one = 1;
	int saved = errno;

	/* EAGAIN means the counter is already non-zero: a stop is pending anyway. */
	(void)!write(l->stopfd, &one, sizeof(one));
	errno = saved;
}
