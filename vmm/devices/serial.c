/* SPDX-License-Identifier: Apache-2.0 */
/*
 * 16550A register model. Interrupt rules follow the data sheet as Linux's
 * 8250 driver relies on them: the THRE interrupt is raised when THR empties
 * or when it is enabled while THR is empty, and is cleared by reading IIR
 * (when it is the one reported) or writing THR; the line's level is
 * recomputed after every access and reported only when it changes.
 */
#include "devices/serial.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "arch/x86_64/layout.h"
#include "common/error.h"
#include "vm.h"

/* Register offsets */
#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI 0x08
#define UART_IER_MASK 0x0f

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_ID 0x0f
#define UART_IIR_FIFO_ENABLED 0xc0

#define UART_FCR_ENABLE_FIFO 0x01
#define UART_FCR_CLEAR_RCVR 0x02

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80
#define UART_MSR_DELTA 0x0f

/* With no real line behind it, the port shows a modem that is always there. */
#define UART_MSR_IDLE (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

struct serial {
	pthread_mutex_t lock; /* vCPU threads and the event loop both reach the UART */
	struct serial_ops ops;
	void *opaque;
	struct vm *vm; /* raises GSI 4 when ops.irq is not given */

	uint8_t ier, iir, fcr, lcr, mcr, lsr, msr, scr;
	uint8_t dll, dlm;
	bool thr_ipending;
	int irq_level;
	bool rx_was_full;

	uint8_t rx[SERIAL_RX_FIFO];
	unsigned rx_head, rx_count;
};

int serial_create(struct serial **out, const struct serial_ops *ops, void *opaque)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return err_set(ENOMEM, "serial port");
	pthread_mutex_init(&s->lock, NULL);
	if (ops)
		s->ops = *ops;
	s->opaque = opaque;
	/* Power-on state: no interrupt, transmitter empty, 115200 baud divisor. */
	s->iir = UART_IIR_NO_INT;
	s->lsr = UART_LSR_TEMT | UART_LSR_THRE;
	s->msr = UART_MSR_IDLE;
	s->dll = 1;
	*out = s;
	return 0;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void update_irq(struct serial *s)
{
	uint8_t id = UART_IIR_NO_INT;
	int level;

	/* Highest priority first, as the 16550A reports them. */
	if ((s->ier & UART_IER_RLSI) && (s->lsr & (UART_LSR_OE | UART_LSR_BI)))
		id = UART_IIR_RLSI;
	else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR))
		id = UART_IIR_RDI;
	else if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		id = UART_IIR_THRI;
	else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTA))
		id = UART_IIR_MSI;

	s->iir = id | (s->fcr & UART_FCR_ENABLE_FIFO ? UART_IIR_FIFO_ENABLED : 0);
	level = id != UART_IIR_NO_INT;
	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->ops.irq)
		s->ops.irq(s->opaque, level);
	else if (s->vm)
		vm_irq_line(s->vm, X86_SERIAL_GSI, level);
}

/* Adds one byte to the receive FIFO; an overrun when full, as on the chip. */
static bool rx_push(struct serial *s, uint8_t b)
{
	if (s->rx_count == SERIAL_RX_FIFO) {
		s->lsr |= UART_LSR_OE;
		return false;
	}
	s->rx[(s->rx_head + s->rx_count) % SERIAL_RX_FIFO] = b;
	s->rx_count++;
	s->lsr |= UART_LSR_DR;
	if (s->rx_count == SERIAL_RX_FIFO)
		s->rx_was_full = true;
	return true;
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t b;

	if (!s->rx_count)
		return 0;
	b = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL_RX_FIFO;
	s->rx_count--;
	if (!s->rx_count)
		s->lsr &= ~UART_LSR_DR;
	return b;
}

static void rx_clear(struct serial *s)
{
	s->rx_head = s->rx_count = 0;
	s->lsr &= ~UART_LSR_DR;
}

/* In loopback the modem inputs are wired to the modem outputs. */
static uint8_t loopback_msr(uint8_t mcr)
{
	uint8_t m = 0;

	if (mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

static void set_msr_status(struct serial *s, uint8_t status)
{
	uint8_t old = s->msr;
	uint8_t delta = 0;

	if ((old ^ status) & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if ((old ^ status) & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(status & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	if ((old ^ status) & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	s->msr = status | ((old | delta) & UART_MSR_DELTA);
}

static void write_reg(struct serial *s, unsigned reg, uint8_t v)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab) {
			s->dll = v;
			break;
		}
		s->thr_ipending = false;
		if (s->mcr & UART_MCR_LOOP)
			rx_push(s, v);
		else if (s->ops.tx)
			s->ops.tx(s->opaque, v);
		/* Sent at once: THR is empty again, which is an interrupt of its own. */
		s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
		s->thr_ipending = true;
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = v;
			break;
		}
		if ((v ^ s->ier) & UART_IER_THRI)
			s->thr_ipending = (v & UART_IER_THRI) && (s->lsr & UART_LSR_THRE);
		s->ier = v & UART_IER_MASK;
		break;
	case UART_FCR:
		s->fcr = v & 0xc9; /* enable, DMA mode, trigger level */
		if (v & UART_FCR_CLEAR_RCVR)
			rx_clear(s);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & UART_MCR_MASK;
		set_msr_status(s, s->mcr & UART_MCR_LOOP ? loopback_msr(s->mcr) : UART_MSR_IDLE);
		break;
	case UART_LSR: /* read-only (factory test on real chips) */
		break;
	case UART_MSR:
		break;
	case UART_SCR:
		s->scr = v;
		break;
	}
}

static uint8_t read_reg(struct serial *s, unsigned reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v = 0;

	switch (reg) {
	case UART_RBR:
		if (dlab)
			return s->dll;
		v = rx_pop(s);
		break;
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		v = s->iir;
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if ((v & UART_IIR_ID) == UART_IIR_THRI)
			s->thr_ipending = false;
		break;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		v = s->lsr;
		s->lsr &= ~(UART_LSR_OE | UART_LSR_BI);
		break;
	case UART_MSR:
		v = s->msr;
		s->msr &= ~UART_MSR_DELTA;
		break;
	case UART_SCR:
		return s->scr;
	}
	return v;
}

void serial_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct serial *s = opaque;
	bool room = false;

	/* The UART's registers are bytes; a wider access touches only the first. */
	if (offset >= SERIAL_NR_REGS || len == 0)
		return;
	pthread_mutex_lock(&s->lock);
	if (is_write) {
		write_reg(s, (unsigned)offset, data[0]);
	} else {
		data[0] = read_reg(s, (unsigned)offset);
		for (uint32_t i = 1; i < len; i++)
			data[i] = 0;
	}
	if (s->rx_was_full && s->rx_count < SERIAL_RX_FIFO) {
		s->rx_was_full = false;
		room = true;
	}
	update_irq(s);
	if (room && s->ops.rx_room)
		s->ops.rx_room(s->opaque);
	pthread_mutex_unlock(&s->lock);
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t n)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n && s->rx_count < SERIAL_RX_FIFO; i++)
		rx_push(s, buf[i]);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return i;
}

size_t serial_rx_room(struct serial *s)
{
	size_t room;

	pthread_mutex_lock(&s->lock);
	room = SERIAL_RX_FIFO - s->rx_count;
	pthread_mutex_unlock(&s->lock);
	return room;
}

int serial_attach(struct serial *s, struct vm *vm)
{
	int ret;

	s->vm = vm;
	ret = bus_register(&vm->pio, SERIAL_COM1_PORT, SERIAL_NR_REGS, serial_io, s);
	if (ret < 0)
		return err_set(-ret, "serial port at 0x%x", SERIAL_COM1_PORT);
	return 0;
}
