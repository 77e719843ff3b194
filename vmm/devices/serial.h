/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A 16550A UART (COM1: port 0x3f8, IRQ 4). The register model is pure: it
 * reaches the outside world only through the callbacks below, so unit tests
 * drive it without KVM. Transmission is instantaneous (THR is always empty);
 * received bytes wait in a bounded FIFO.
 */
#ifndef OZONE_VMM_SERIAL_H
#define OZONE_VMM_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1_PORT 0x3f8
#define SERIAL_NR_REGS 8
#define SERIAL_RX_FIFO 64

struct vm;
struct serial;

struct serial_ops {
	/* A byte the guest transmitted (not called in loopback mode). */
	void (*tx)(void *opaque, uint8_t byte);
	/* The interrupt line changed level. */
	void (*irq)(void *opaque, int level);
	/* The receive FIFO has room again after having been full. */
	void (*rx_room)(void *opaque);
};

int serial_create(struct serial **out, const struct serial_ops *ops, void *opaque);
void serial_destroy(struct serial *s);

/* A guest access to register `offset` (0..7); the bus_access_fn signature. */
void serial_io(void *s, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Queues up to `n` received bytes; returns how many fit. Raises RDA as enabled. */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t n);
/* Free room in the receive FIFO. */
size_t serial_rx_room(struct serial *s);

/* Puts the UART on the VM's port bus at COM1, its interrupt on GSI 4. */
int serial_attach(struct serial *s, struct vm *vm);

#endif
