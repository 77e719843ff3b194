/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtio_devices.h"

int virtio_devices_setup(struct vm *vm, const struct vmm_config *cfg)
{
	(void)vm;
	(void)cfg;
	return 0;
}

void virtio_devices_teardown(struct vm *vm)
{
	(void)vm;
}
