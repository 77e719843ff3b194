/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A process's stdio streams (docs/protocol.md, "Stdio streams"). The agent
 * makes pipes (or a pty) when it makes the process, listens on the ports
 * the request named, and binds each connection to the stream its header
 * frame names; from then on it relays raw bytes with a fixed buffer, so a
 * host that stops reading stalls the process, never grows the agent.
 */
#ifndef OZONE_AGENT_STREAM_H
#define OZONE_AGENT_STREAM_H

#include <stdbool.h>

#include "agent/ctr/ctr.h"
#include "agent/proc/proc.h"
#include "common/oci_spec.h"
#include "common/proto.h"

/*
 * Makes the pipes for the streams in s: the agent's ends go to p->fd[]
 * (and p->want[] for each stream to expect), the process's ends to *cs
 * (fds -1 where there is no stream: /dev/null). With tty, no pipe: *cs
 * asks the builder for a pty made in the container, whose master the
 * caller hands to stdio_set_console. On failure everything made is closed.
 */
int stdio_make(const struct proto_stdio *s, bool tty, struct agent_proc *p, struct ctr_stdio *cs);
/*
 * With agent_lock held, after stdio_make: the extra fds of f, one pipe (IN,
 * OUT) or socketpair (INOUT) each; the agent's ends go to p->xfd[] (each
 * expected as a stream "fd" of its index), the process's to cs->extra[].
 * On failure the ones made are closed.
 */
int stdio_make_fds(const struct proto_fds *f, struct agent_proc *p, struct ctr_stdio *cs);
/* Closes the process's ends once it holds its own copies. */
void stdio_close_child(struct ctr_stdio *cs);
/*
 * With agent_lock held: the pty master the builder made (-1: none) becomes
 * p's tty stream, expected from then on (the host connects it after the
 * reply; resize acts on it).
 */
void stdio_set_console(struct agent_proc *p, int master);
/* Listens on every port of s and f (a port served already is fine). */
int stdio_listen(const struct proto_stdio *s, const struct proto_fds *f);

#endif
