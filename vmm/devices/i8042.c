/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/i8042.h"

#include <string.h>

#include "common/error.h"
#include "vm.h"

/* Port 0x60. */
static void i8042_data_io(void *vm, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)vm;
	(void)offset;
	/* No keyboard: nothing to read, writes go nowhere. */
	if (!is_write)
		memset(data, 0, len);
}

/* Port 0x64. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct vm *vm = opaque;

	(void)offset;
	if (!is_write) {
		/* A guest polling for "input buffer empty" (before a reset) must see it at once. */
		memset(data, 0, len);
		data[0] = I8042_STATUS;
		return;
	}
	if (data[0] == I8042_CMD_RESET)
		vm_request_exit(vm, VM_EXIT_REBOOT, NULL);
}

int i8042_attach(struct vm *vm)
{
	int ret = bus_register(&vm->pio, I8042_DATA_PORT, 1, i8042_data_io, vm);

	if (ret < 0)
		return err_set(-ret, "i8042 data port 0x%x", I8042_DATA_PORT);
	ret = bus_register(&vm->pio, I8042_CMD_PORT, 1, i8042_io, vm);
	if (ret < 0)
		return err_set(-ret, "i8042 command port 0x%x", I8042_CMD_PORT);
	return 0;
}
