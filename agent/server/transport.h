/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the agent's ports live. In the guest a port is a vsock port of any
 * CID. In host mode (--hybrid-socket PATH) every port shares one unix
 * stream socket that speaks the VMM's hybrid vsock handshake: a client
 * writes "CONNECT <port>\n", gets "OK <n>\n" and the connection is then
 * that port's; for a port nobody listens on it is closed unanswered, as
 * ozone-vmm does (docs/vsock.md). The runtime's client code is thus the
 * same against a VM and against a host-mode agent.
 */
#ifndef OZONE_AGENT_TRANSPORT_H
#define OZONE_AGENT_TRANSPORT_H

#include <stdint.h>

/* Serves every port through the hybrid socket at path (replacing a stale socket file). */
int transport_use_hybrid(const char *path);

/*
 * Serves port with fn: each connection on a detached thread running
 * fn((void *)(intptr_t)fd), which owns the fd. Listening again on a port
 * already served is a no-op (the first fn stays); 0 or -errno.
 */
int transport_listen(uint32_t port, void *(*fn)(void *));

/* Host mode: removes the socket file. */
void transport_cleanup(void);

#endif
