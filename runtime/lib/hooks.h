/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI lifecycle hooks (config.json "hooks"). The container runs in a VM,
 * so every hook runs on the host, in ozone's namespaces, with the state
 * JSON on its stdin (pid: the proxy's). A failing createRuntime, prestart,
 * createContainer or startContainer hook fails the operation; a failing
 * poststart or poststop hook is logged and ignored, as the spec says.
 */
#ifndef OZONE_RUNTIME_HOOKS_H
#define OZONE_RUNTIME_HOOKS_H

#include "common/oci_state.h"
#include "runtime/lib/bundle.h"

enum hook_kind {
	HOOK_CREATE_RUNTIME, /* the legacy prestart hooks run first, here */
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
};

/* Runs the hooks of kind k in order; the state's status is set as the spec says for k. */
int hooks_run(const struct bundle *b, const struct oci_state *st, enum hook_kind k);

#endif
