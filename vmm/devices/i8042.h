/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Just enough of the PC keyboard controller (ports 0x60 and 0x64) for the
 * guest to reset the machine the classic way: command 0xfe on port 0x64
 * (Linux `reboot=k`). There is no keyboard behind it.
 */
#ifndef OZONE_VMM_I8042_H
#define OZONE_VMM_I8042_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define I8042_CMD_RESET 0xfe
/* Status: system flag (self-test passed), keyboard not inhibited, both buffers empty. */
#define I8042_STATUS 0x14

void i8042_io(void *vm, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
int i8042_attach(struct vm *vm);

#endif
