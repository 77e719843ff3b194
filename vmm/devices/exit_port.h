/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exit port (X86_EXIT_PORT, see arch/x86_64/layout.h): with no ACPI the
 * guest kernel has no standard way to say "powered off" or "panicked", so
 * it writes X86_EXIT_POWEROFF or X86_EXIT_PANIC here. Other values are
 * ignored.
 */
#ifndef OZONE_VMM_EXIT_PORT_H
#define OZONE_VMM_EXIT_PORT_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

void exit_port_io(void *vm, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
int exit_port_attach(struct vm *vm);

#endif
