/* SPDX-License-Identifier: Apache-2.0 */
/* The event loop: callbacks on ready fds, removal from a callback, stop from anywhere. */
#include <pthread.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "evloop.h"

struct counter {
	struct evloop *l;
	int fd;
	unsigned calls;
	uint32_t events;
	unsigned stop_after; /* 0: never stop */
	bool remove_self;
};

static void on_ready(void *opaque, uint32_t events)
{
	struct counter *c = opaque;
	uint64_t v;

	c->calls++;
	c->events = events;
	(void)!read(c->fd, &v, sizeof(v));
	if (c->remove_self)
		assert_int_equal(evloop_del(c->l, c->fd), 0);
	if (c->stop_after && c->calls == c->stop_after)
		evloop_stop(c->l);
}

static void poke(int fd)
{
	uint64_t one = 1;

	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

static void test_add_run_stop(void **state)
{
	struct evloop *l;
	struct counter c = {.stop_after = 1};

	(void)state;
	assert_int_equal(evloop_create(&l), 0);
	c.l = l;
	c.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(c.fd >= 0);
	assert_int_equal(evloop_add(l, c.fd, EPOLLIN, on_ready, &c), 0);
	/* The same fd twice is refused. */
	assert_int_equal(evloop_add(l, c.fd, EPOLLIN, on_ready, &c), -EEXIST);
	poke(c.fd);
	assert_int_equal(evloop_run(l), 0);
	assert_int_equal(c.calls, 1);
	assert_true(c.events & EPOLLIN);
	assert_int_equal(evloop_del(l, c.fd), 0);
	assert_int_equal(evloop_del(l, c.fd), -ENOENT);
	assert_int_equal(evloop_mod(l, c.fd, EPOLLIN), -ENOENT);
	evloop_destroy(l);
	close(c.fd);
}

static void test_stop_before_run(void **state)
{
	struct evloop *l;

	(void)state;
	assert_int_equal(evloop_create(&l), 0);
	/* A stop that comes before run() is not lost. */
	evloop_stop(l);
	evloop_stop(l);
	assert_int_equal(evloop_run(l), 0);
	evloop_destroy(l);
}

static void test_mod_pauses(void **state)
{
	struct evloop *l;
	struct counter paused = {0}, trigger = {.stop_after = 1};

	(void)state;
	assert_int_equal(evloop_create(&l), 0);
	paused.l = trigger.l = l;
	paused.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	trigger.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(evloop_add(l, paused.fd, EPOLLIN, on_ready, &paused), 0);
	assert_int_equal(evloop_add(l, trigger.fd, EPOLLIN, on_ready, &trigger), 0);
	assert_int_equal(evloop_mod(l, paused.fd, 0), 0);
	poke(paused.fd);
	poke(trigger.fd);
	assert_int_equal(evloop_run(l), 0);
	assert_int_equal(paused.calls, 0);
	assert_int_equal(evloop_mod(l, paused.fd, EPOLLIN), 0);
	paused.stop_after = 1;
	assert_int_equal(evloop_run(l), 0);
	assert_int_equal(paused.calls, 1);
	evloop_destroy(l);
	close(paused.fd);
	close(trigger.fd);
}

static void test_remove_from_callback(void **state)
{
	struct evloop *l;
	struct counter a = {.remove_self = true}, b = {.remove_self = true, .stop_after = 1};

	(void)state;
	assert_int_equal(evloop_create(&l), 0);
	a.l = b.l = l;
	a.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(evloop_add(l, a.fd, EPOLLIN, on_ready, &a), 0);
	assert_int_equal(evloop_add(l, b.fd, EPOLLIN, on_ready, &b), 0);
	poke(a.fd);
	poke(b.fd);
	assert_int_equal(evloop_run(l), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	/* Removed handlers are gone: the fd can be registered again. */
	assert_int_equal(evloop_add(l, a.fd, EPOLLIN, on_ready, &a), 0);
	evloop_destroy(l);
	close(a.fd);
	close(b.fd);
}

static void *stopper(void *arg)
{
	usleep(20 * 1000);
	evloop_stop(arg);
	return NULL;
}

static void test_stop_from_thread(void **state)
{
	struct evloop *l;
	pthread_t t;

	(void)state;
	assert_int_equal(evloop_create(&l), 0);
	assert_int_equal(pthread_create(&t, NULL, stopper, l), 0);
	assert_int_equal(evloop_run(l), 0);
	pthread_join(t, NULL);
	evloop_destroy(l);
}

static struct evloop *sig_loop;

static void on_alarm(int sig)
{
	(void)sig;
	evloop_stop(sig_loop);
}

static void test_stop_from_signal_handler(void **state)
{
	struct sigaction sa;

	(void)state;
	assert_int_equal(evloop_create(&sig_loop), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	ualarm(20 * 1000, 0);
	/* epoll_wait gets EINTR, then the stop eventfd: run() returns 0. */
	assert_int_equal(evloop_run(sig_loop), 0);
	signal(SIGALRM, SIG_DFL);
	evloop_destroy(sig_loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_run_stop),
	    cmocka_unit_test(test_stop_before_run),
	    cmocka_unit_test(test_mod_pauses),
	    cmocka_unit_test(test_remove_from_callback),
	    cmocka_unit_test(test_stop_from_thread),
	    cmocka_unit_test(test_stop_from_signal_handler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
