/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubernetes pods: one microVM per pod. The CRI implementations mark a
 * pod's containers with annotations (containerd: io.kubernetes.cri.*,
 * CRI-O: io.kubernetes.cri-o.*): the pod's sandbox container starts the VM,
 * and each of the pod's other containers joins it. Its state directory
 * then holds a file "pod" naming the sandbox container, whose directory
 * has the VM (sandbox.h).
 */
#ifndef OZONE_RUNTIME_POD_H
#define OZONE_RUNTIME_POD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/oci_spec.h"
#include "common/oci_state.h"
#include "common/proto.h"

#define POD_ANNOT_CRI_TYPE "io.kubernetes.cri.container-type"
#define POD_ANNOT_CRI_SANDBOX "io.kubernetes.cri.sandbox-id"
#define POD_ANNOT_CRIO_TYPE "io.kubernetes.cri-o.ContainerType"
#define POD_ANNOT_CRIO_SANDBOX "io.kubernetes.cri-o.SandboxID"

enum pod_role {
	POD_NONE,    /* a container of its own, in a VM of its own */
	POD_SANDBOX, /* a pod's sandbox container: starts the pod's VM */
	POD_MEMBER,  /* another container of a pod: joins the sandbox's VM */
};

/*
 * The container's place in a pod, from its annotations; for a sandbox or a
 * member, pod gets the sandbox container's id (the container's own for a
 * sandbox). Also checks linux.namespaces: a container that is not in a pod
 * may not name a namespace to join by path (a host namespace means nothing
 * in a guest), but for the network (the guest's own) and user ones (not
 * made). Returns the role, or -errno with the field that is wrong.
 */
int pod_role(const char *id, const struct oci_spec *spec, char pod[PROTO_NAME_MAX + 1]);
/* Whether a container's state says it was made as a pod's sandbox container. */
bool pod_is_sandbox(const struct oci_state *st);

#endif
