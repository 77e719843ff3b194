/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The operations of the control protocol (docs/protocol.md), one handler
 * per op, over the builder (ctr.h), the cgroups (cgroup.h), the table
 * (proc.h) and the streams (stream.h).
 */
#ifndef OZONE_AGENT_OPS_H
#define OZONE_AGENT_OPS_H

#include <limits.h>
#include <stdbool.h>

#include "common/proto.h"
#include "notify.h"

struct agent_config {
	char shared[PATH_MAX]; /* the shared (virtio-fs) directory; "" : none */
	bool cgroups;	       /* cg_init succeeded: containers get a cgroup */
};

extern struct agent_config agent_config;

/* A handler's result besides 0 / -errno (the message in err_msg()). */
#define OPS_REPLY_LATER 1 /* wait: the reply comes when the process ends */

/*
 * pod.c: for a container of a pod, each namespace spec joins by path
 * becomes the one of the pod's sandbox container (the create's "pod").
 */
struct oci_spec;
int pod_join_paths(const char *id, const char *pod, struct oci_spec *spec);

/*
 * ops_network.c: a network namespace the spec names by path (a host path,
 * meaningless here) becomes the VM's network namespace, made on first use.
 */
int network_join_path(const char *id, struct oci_spec *spec);

/* Each fills r (an ok reply's body) or fails; the caller sends the reply. */
int ops_create(const struct proto_msg *req, struct proto_msg *r);
int ops_start(const struct proto_msg *req, struct proto_msg *r);
int ops_ps(const struct proto_msg *req, struct proto_msg *r);
int ops_stats(const struct proto_msg *req, struct proto_msg *r);
int ops_freeze(const struct proto_msg *req, struct proto_msg *r);
int ops_update(const struct proto_msg *req, struct proto_msg *r);
int ops_destroy(const struct proto_msg *req, struct proto_msg *r);
int ops_exec(const struct proto_msg *req, struct proto_msg *r);
int ops_signal(const struct proto_msg *req, struct proto_msg *r);
int ops_wait(struct agent_conn *c, const struct proto_msg *req, struct proto_msg *r);
int ops_close_stdin(const struct proto_msg *req, struct proto_msg *r);
int ops_resize(const struct proto_msg *req, struct proto_msg *r);
int ops_network(const struct proto_msg *req, struct proto_msg *r);

/*
 * With agent_lock held: the container id for op, or NULL with -ENOENT (no
 * such container) or -EBUSY (a create or destroy is working on it) in *ret.
 */
struct agent_ctr *ops_ctr(const char *op, const char *id, int *ret);

/* Kills and forgets every container (host-mode shutdown). */
void ops_destroy_all(void);

#endif
