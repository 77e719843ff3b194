/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer's entry point, declared once so each target meets -Wmissing-prototypes. */
#ifndef OZONE_FUZZ_TARGET_H
#define OZONE_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
