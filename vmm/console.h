/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host end of the guest's serial console: where the bytes the guest
 * sends go (stdout, a file, nowhere) and where its input comes from (stdin,
 * read on the event loop, when stdin is a terminal or a pipe). A terminal on
 * stdin is put in raw mode, so keys reach the guest as typed, and restored
 * by console_close().
 */
#ifndef OZONE_VMM_CONSOLE_H
#define OZONE_VMM_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "config.h"

struct evloop;
struct serial;

struct console {
	int out_fd;	    /* -1: output discarded */
	bool owns_out;	    /* out_fd is a file we opened */
	uint64_t out_bytes; /* written to a console file so far (CONSOLE_FILE_MAX) */
	int in_fd;	    /* -1: no input */
	bool in_registered;
	bool raw; /* `saved` holds the terminal's settings to restore */
	struct termios saved;
	struct evloop *loop;
	struct serial *serial;
};

/*
 * A guest may print without end: a console file takes at most this much of
 * its output per run, then one line saying the rest was dropped, so that a
 * hostile guest cannot fill the host's disk through its serial port.
 */
#define CONSOLE_FILE_MAX (16u << 20)

int console_open(struct console *c, const struct vmm_config *cfg);
/* Starts feeding stdin to `s` from `loop` (nothing to do without input). */
int console_attach_input(struct console *c, struct evloop *loop, struct serial *s);
/* Stops reading input (before the serial port goes away). */
void console_detach_input(struct console *c);
/* Restores the terminal and closes the output file; safe to call twice. */
void console_close(struct console *c);

/* serial_ops callbacks; `opaque` is the struct console. */
void console_tx(void *opaque, uint8_t byte);
void console_rx_room(void *opaque);

#endif
