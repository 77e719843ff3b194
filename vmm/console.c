/* SPDX-License-Identifier: Apache-2.0 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "devices/serial.h"
#include "evloop.h"

static bool stdin_readable_stream(void)
{
	struct stat st;

	if (isatty(STDIN_FILENO))
		return true;
	/* epoll refuses regular files; /dev/null and friends have nothing to say. */
	return fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static int make_raw(struct console *c)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return err_set(errno, "tcgetattr stdin");
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return err_set(errno, "tcsetattr stdin");
	c->raw = true;
	return 0;
}

int console_open(struct console *c, const struct vmm_config *cfg)
{
	c->out_fd = -1;
	c->owns_out = false;
	c->out_bytes = 0;
	c->in_fd = -1;
	c->in_registered = false;
	c->raw = false;
	c->loop = NULL;
	c->serial = NULL;

	switch (cfg->console) {
	case CONSOLE_NONE:
		return 0;
	case CONSOLE_FILE:
		c->out_fd =
		    open(cfg->console_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (c->out_fd < 0)
			return err_set(errno, "open console file %s", cfg->console_path);
		c->owns_out = true;
		return 0;
	case CONSOLE_STDIO:
		c->out_fd = STDOUT_FILENO;
		if (!stdin_readable_stream())
			return 0;
		c->in_fd = STDIN_FILENO;
		if (isatty(STDIN_FILENO))
			return make_raw(c);
		return 0;
	}
	return 0;
}

static void pause_input(struct console *c)
{
	evloop_mod(c->loop, c->in_fd, 0);
	/* The guest may have made room meanwhile, and its wake-up may have come first. */
	if (serial_rx_room(c->serial) > 0)
		evloop_mod(c->loop, c->in_fd, EPOLLIN);
}

static void console_input(void *opaque, uint32_t events)
{
	struct console *c = opaque;
	uint8_t buf[SERIAL_RX_FIFO];
	size_t room = serial_rx_room(c->serial);
	ssize_t n;

	if (room == 0) {
		pause_input(c);
		return;
	}
	if (room > sizeof(buf))
		room = sizeof(buf);
	/* Level-triggered: one read of what is there, never more than fits. */
	n = read(c->in_fd, buf, room);
	if (n > 0) {
		serial_receive(c->serial, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n == 0 || (events & (EPOLLHUP | EPOLLERR)))
		console_detach_input(c); /* end of input: the guest just gets no more */
}

int console_attach_input(struct console *c, struct evloop *loop, struct serial *s)
{
	int ret;

	c->loop = loop;
	c->serial = s;
	if (c->in_fd < 0)
		return 0;
	ret = evloop_add(loop, c->in_fd, EPOLLIN, console_input, c);
	if (ret < 0)
		return ret;
	c->in_registered = true;
	return 0;
}

void console_detach_input(struct console *c)
{
	if (c->in_registered)
		evloop_del(c->loop, c->in_fd);
	c->in_registered = false;
}

void console_close(struct console *c)
{
	if (c->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	c->raw = false;
	if (c->owns_out && c->out_fd >= 0)
		close(c->out_fd);
	c->owns_out = false;
	c->out_fd = -1;
}

void console_tx(void *opaque, uint8_t byte)
{
	struct console *c = opaque;

	if (c->out_fd < 0)
		return;
	if (c->owns_out && c->out_bytes++ >= CONSOLE_FILE_MAX) {
		static const char note[] = "\nozone-vmm: console output past 16 MiB dropped\n";

		if (c->out_bytes == CONSOLE_FILE_MAX + 1)
			(void)write_all(c->out_fd, note, sizeof(note) - 1);
		c->out_bytes = CONSOLE_FILE_MAX + 2; /* no wrap-around, however long it goes on */
		return;
	}
	/* A reader that went away (EPIPE) or a full disk must not stop the guest: no error. */
	(void)write_all(c->out_fd, &byte, 1);
}

void console_rx_room(void *opaque)
{
	struct console *c = opaque;

	if (c->in_registered)
		evloop_mod(c->loop, c->in_fd, EPOLLIN);
}
