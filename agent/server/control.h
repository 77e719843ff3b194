/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control channel: vsock port 1024 (PROTO_AGENT_PORT), each connection
 * on a thread of its own, speaking common/proto.h (docs/protocol.md).
 */
#ifndef OZONE_AGENT_CONTROL_H
#define OZONE_AGENT_CONTROL_H

/* Serves the control channel on its port (transport.h); 0 or -errno. */
int control_start(void);

#endif
