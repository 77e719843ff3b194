/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Legacy PC ports a guest touches during boot that have no device behind
 * them here: the POST diagnostic port and the CMOS/RTC. Claiming them keeps
 * their accesses cheap and their values harmless.
 */
#ifndef OZONE_VMM_LEGACY_IO_H
#define OZONE_VMM_LEGACY_IO_H

struct vm;

int legacy_io_attach(struct vm *vm);

#endif
