/* SPDX-License-Identifier: Apache-2.0 */
/*
 * 16550A register model: the test plays the Linux 8250 driver, poking the
 * registers through the bus handler, and records the bytes sent and the
 * interrupt line's level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "devices/serial.h"

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_MSI 0x00

struct fixture {
	struct serial *s;
	uint8_t out[256];
	size_t nout;
	int level;
	unsigned edges;
	unsigned rooms;
};

static void cap_tx(void *opaque, uint8_t b)
{
	struct fixture *f = opaque;

	if (f->nout < sizeof(f->out))
		f->out[f->nout++] = b;
}

static void cap_irq(void *opaque, int level)
{
	struct fixture *f = opaque;

	if (level && !f->level)
		f->edges++;
	f->level = level;
}

static void cap_room(void *opaque)
{
	((struct fixture *)opaque)->rooms++;
}

static const struct serial_ops ops = {.tx = cap_tx, .irq = cap_irq, .rx_room = cap_room};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	if (serial_create(&f.s, &ops, &f) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	serial_destroy(f->s);
	return 0;
}

static uint8_t in(struct fixture *f, unsigned reg)
{
	uint8_t v = 0xaa;

	serial_io(f->s, reg, &v, 1, false);
	return v;
}

static void out(struct fixture *f, unsigned reg, uint8_t v)
{
	serial_io(f->s, reg, &v, 1, true);
}

static void test_reset_state(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in(f, IIR), IIR_NO_INT);
	assert_int_equal(in(f, LSR), 0x60); /* THRE | TEMT */
	assert_int_equal(in(f, IER), 0);
	assert_int_equal(f->level, 0);
}

/* drivers/tty/serial/8250/8250_port.c: autoconfig() and autoconfig_16550a(). */
static void test_linux_probe_finds_16550a(void **state)
{
	struct fixture *f = *state;
	uint8_t scratch2, scratch3, status1;

	/* "Do a simple existence test first" */
	out(f, IER, 0);
	scratch2 = in(f, IER) & 0x0f;
	out(f, IER, 0x0f);
	scratch3 = in(f, IER) & 0x0f;
	out(f, IER, 0);
	assert_int_equal(scratch2, 0);
	assert_int_equal(scratch3, 0x0f);

	/* Loopback: MCR = LOOP | RTS | OUT2 must read back CTS | DCD in MSR. */
	out(f, MCR, 0x10 | 0x0a);
	status1 = in(f, MSR) & 0xf0;
	out(f, MCR, 0);
	assert_int_equal(status1, 0x90);

	/* With the FIFO enabled, IIR[7:6] = 3 means a 16550A. */
	out(f, LCR, 0);
	out(f, FCR, 0x01);
	assert_int_equal(in(f, IIR) >> 6, 3);

	/* No EFR (16650) behind LCR = 0xbf: offset 2 reads as IIR, not 0. */
	out(f, LCR, 0xbf);
	assert_int_not_equal(in(f, 2), 0);
	/* IER bit 6 (XScale UUE) does not stick. */
	out(f, LCR, 0);
	out(f, IER, 0x40);
	assert_int_equal(in(f, IER) & 0x40, 0);
	out(f, IER, 0);
	out(f, FCR, 0x07); /* enable, clear both FIFOs */
	assert_int_equal(in(f, IIR) & 0xcf, 0xc1);
}

static void test_divisor_latch(void **state)
{
	struct fixture *f = *state;

	out(f, IER, 0x05);
	out(f, LCR, 0x83); /* DLAB, 8N1 */
	out(f, DLL, 0x0c); /* 9600 baud */
	out(f, DLM, 0x00);
	assert_int_equal(in(f, DLL), 0x0c);
	assert_int_equal(in(f, DLM), 0x00);
	assert_int_equal(f->nout, 0); /* a divisor write is not data */
	out(f, LCR, 0x03);
	assert_int_equal(in(f, LCR), 0x03);
	assert_int_equal(in(f, IER), 0x05); /* IER was untouched by the DLM write */
	out(f, LCR, 0x83);
	assert_int_equal(in(f, DLL), 0x0c);
}

static void test_output_bytes(void **state)
{
	struct fixture *f = *state;
	const char *msg = "Linux version 6.1\r\n";

	for (const char *p = msg; *p; p++) {
		assert_true(in(f, LSR) & 0x20); /* THRE: serial8250_console_putchar waits for it */
		out(f, THR, (uint8_t)*p);
	}
	assert_int_equal(f->nout, strlen(msg));
	assert_memory_equal(f->out, msg, strlen(msg));
	out(f, SCR, 0x5a);
	assert_int_equal(in(f, SCR), 0x5a);
}

static void test_loopback(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, 0x10);
	out(f, THR, 'x');
	out(f, THR, 'y');
	assert_int_equal(f->nout, 0); /* nothing leaves the chip */
	assert_true(in(f, LSR) & 0x01);
	assert_int_equal(in(f, RBR), 'x');
	assert_int_equal(in(f, RBR), 'y');
	assert_false(in(f, LSR) & 0x01);
	/* Modem outputs wired back: DTR -> DSR, OUT1 -> RI; deltas are reported once. */
	out(f, MCR, 0x10 | 0x01 | 0x04);
	uint8_t msr = in(f, MSR);
	assert_int_equal(msr & 0xf0, 0x20 | 0x40);
	assert_true(msr & 0x02); /* DDSR */
	assert_int_equal(in(f, MSR) & 0x0f, 0);
	out(f, MCR, 0);
	out(f, THR, 'z');
	assert_int_equal(f->nout, 1);
	/* Out of loopback the modem lines show a carrier. */
	assert_int_equal(in(f, MSR) & 0xf0, 0xb0);
}

static void test_thre_interrupt(void **state)
{
	struct fixture *f = *state;

	/* Enabling THRI while THR is empty raises the line at once. */
	out(f, IER, 0x02);
	assert_int_equal(f->level, 1);
	assert_int_equal(in(f, IIR) & 0x0f, IIR_THRI);
	/* Reading IIR acknowledged it. */
	assert_int_equal(f->level, 0);
	assert_int_equal(in(f, IIR) & 0x0f, IIR_NO_INT);
	/* Each byte sent empties THR again: a new edge per write. */
	out(f, THR, 'a');
	assert_int_equal(f->level, 1);
	out(f, THR, 'b');
	assert_int_equal(in(f, IIR) & 0x0f, IIR_THRI);
	assert_int_equal(f->level, 0);
	/* Disabling THRI drops the line. */
	out(f, THR, 'c');
	assert_int_equal(f->level, 1);
	out(f, IER, 0);
	assert_int_equal(f->level, 0);
	assert_int_equal(in(f, IIR) & 0x0f, IIR_NO_INT);
}

static void test_receive_interrupt_and_priority(void **state)
{
	struct fixture *f = *state;
	const uint8_t data[] = "hi";

	out(f, IER, 0x01 | 0x02);
	assert_int_equal(in(f, IIR) & 0x0f, IIR_THRI); /* ack THRE */
	assert_int_equal(serial_receive(f->s, data, 2), 2);
	assert_int_equal(f->level, 1);
	/* Received data outranks THRE. */
	out(f, THR, '!');
	assert_int_equal(in(f, IIR) & 0x0f, IIR_RDI);
	assert_int_equal(in(f, RBR), 'h');
	assert_int_equal(in(f, IIR) & 0x0f, IIR_RDI);
	assert_int_equal(in(f, RBR), 'i');
	/* Only the THRE interrupt is left now. */
	assert_int_equal(in(f, IIR) & 0x0f, IIR_THRI);
	assert_int_equal(in(f, IIR) & 0x0f, IIR_NO_INT);
	assert_int_equal(f->level, 0);
}

static void test_rx_fifo_bounded(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[SERIAL_RX_FIFO + 10];

	memset(buf, 'q', sizeof(buf));
	assert_int_equal(serial_rx_room(f->s), SERIAL_RX_FIFO);
	assert_int_equal(serial_receive(f->s, buf, sizeof(buf)), SERIAL_RX_FIFO);
	assert_int_equal(serial_rx_room(f->s), 0);
	assert_int_equal(f->rooms, 0);
	assert_int_equal(in(f, RBR), 'q');
	/* One byte of room after being full: the input side is told to read again. */
	assert_int_equal(f->rooms, 1);
	assert_int_equal(serial_rx_room(f->s), 1);
	/* Clearing the receive FIFO empties it. */
	out(f, FCR, 0x03);
	assert_int_equal(serial_rx_room(f->s), SERIAL_RX_FIFO);
	assert_false(in(f, LSR) & 0x01);
}

static void test_overrun_and_line_status(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[SERIAL_RX_FIFO];

	memset(buf, 'o', sizeof(buf));
	out(f, IER, 0x04); /* RLSI only */
	out(f, MCR, 0x10);
	serial_receive(f->s, buf, sizeof(buf));
	out(f, THR, 'x'); /* loopback into a full FIFO: overrun */
	assert_int_equal(f->level, 1);
	assert_int_equal(in(f, IIR) & 0x0f, IIR_RLSI);
	assert_true(in(f, LSR) & 0x02);
	/* Reading LSR cleared OE and with it the interrupt. */
	assert_false(in(f, LSR) & 0x02);
	assert_int_equal(f->level, 0);
}

static void test_modem_status_interrupt(void **state)
{
	struct fixture *f = *state;

	out(f, MCR, 0x10);
	in(f, MSR); /* clear the deltas of entering loopback */
	out(f, IER, 0x08);
	assert_int_equal(f->level, 0);
	out(f, MCR, 0x10 | 0x02); /* RTS -> CTS changes */
	assert_int_equal(f->level, 1);
	assert_int_equal(in(f, IIR) & 0x0f, IIR_MSI);
	assert_true(in(f, MSR) & 0x01); /* DCTS, cleared by the read */
	assert_int_equal(f->level, 0);
}

static void test_odd_accesses(void **state)
{
	struct fixture *f = *state;
	uint8_t wide[4] = {0xff, 0xff, 0xff, 0xff};

	/* Beyond the 8 registers, zero-length and wide accesses do nothing harmful. */
	serial_io(f->s, 8, wide, 1, true);
	serial_io(f->s, 100, wide, 4, false);
	serial_io(f->s, LSR, wide, 0, false);
	serial_io(f->s, LSR, wide, 4, false);
	assert_int_equal(wide[0], 0x60);
	assert_int_equal(wide[1], 0);
	assert_int_equal(wide[3], 0);
	out(f, LSR, 0); /* read-only */
	assert_int_equal(in(f, LSR), 0x60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_linux_probe_finds_16550a, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_divisor_latch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_output_bytes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_thre_interrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receive_interrupt_and_priority, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_fifo_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overrun_and_line_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modem_status_interrupt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_odd_accesses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
