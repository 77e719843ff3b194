/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/exit_port.h"

#include <string.h>

#include "arch/x86_64/layout.h"
#include "common/error.h"
#include "vm.h"

void exit_port_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct vm *vm = opaque;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	/* Only the low byte counts, whatever the width of the guest's `out`. */
	switch (data[0]) {
	case X86_EXIT_POWEROFF:
		vm_request_exit(vm, VM_EXIT_POWEROFF, NULL);
		break;
	case X86_EXIT_PANIC:
		vm_request_exit(vm, VM_EXIT_PANIC, "guest kernel panicked");
		break;
	}
}

int exit_port_attach(struct vm *vm)
{
	int ret = bus_register(&vm->pio, X86_EXIT_PORT, 1, exit_port_io, vm);

	if (ret < 0)
		return err_set(-ret, "exit port 0x%x", X86_EXIT_PORT);
	return 0;
}
