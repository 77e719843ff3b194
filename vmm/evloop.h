/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device event loop: one thread, one epoll set. Devices register fds
 * (ioeventfds, sockets, the console) with a callback that runs on the loop
 * thread. evloop_stop() may be called from any thread or a signal handler.
 */
#ifndef OZONE_VMM_EVLOOP_H
#define OZONE_VMM_EVLOOP_H

#include <stdint.h>

typedef void (*evloop_fn)(void *opaque, uint32_t events);

struct evloop;

int evloop_create(struct evloop **out);
void evloop_destroy(struct evloop *l);
/* events: EPOLLIN/EPOLLOUT/...; the callback gets the epoll events that fired. */
int evloop_add(struct evloop *l, int fd, uint32_t events, evloop_fn fn, void *opaque);
int evloop_mod(struct evloop *l, int fd, uint32_t events);
int evloop_del(struct evloop *l, int fd);
/* Runs callbacks until evloop_stop(); returns 0 or -errno. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l);

#endif
