/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's test services: built only into ozone-agent-test (CMake
 * defines OZONE_AGENT_TEST_SERVICES for it), which the build packs into
 * guest/initramfs-test.cpio for the tests that use them. The guest's own
 * ozone-agent has none of this.
 */
#ifndef OZONE_AGENT_TEST_ECHO_H
#define OZONE_AGENT_TEST_ECHO_H

#include <stdint.h>

/* The echo test aid (ozone.echo=PORT), served on its own thread. */
int echo_start(uint32_t port);

#endif
