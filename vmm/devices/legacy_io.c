/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PIT (0x40-0x43), its speaker port 0x61, the PICs and ELCR are in the
 * kernel (KVM_CREATE_PIT2, KVM_CREATE_IRQCHIP) and never reach us. The
 * unclaimed COM2-COM4 ports read as all ones, which the 8250 driver takes
 * for "no UART" after its first scratch test.
 */
#include "devices/legacy_io.h"

#include <string.h>

#include "common/error.h"
#include "vm.h"

#define POST_PORT 0x80
#define CMOS_PORT 0x70 /* index 0x70, data 0x71 */

/* Port 0x80 is written for tiny I/O delays (outb_p): swallow, read 0. */
static void post_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		memset(data, 0, len);
}

/*
 * A CMOS that reads all zeros rather than all ones: 0xff in status
 * register A would mean "update in progress" forever, and kernels that
 * read the RTC wait for that bit to clear. The guest takes the wall clock
 * from kvm-clock instead.
 */
static void cmos_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque;
	(void)offset;
	if (!is_write)
		memset(data, 0, len);
}

int legacy_io_attach(struct vm *vm)
{
	int ret = bus_register(&vm->pio, POST_PORT, 1, post_io, NULL);

	if (ret < 0)
		return err_set(-ret, "port 0x%x", POST_PORT);
	ret = bus_register(&vm->pio, CMOS_PORT, 2, cmos_io, NULL);
	if (ret < 0)
		return err_set(-ret, "CMOS ports 0x%x", CMOS_PORT);
	return 0;
}
