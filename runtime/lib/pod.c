/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/pod.h"
#include "common/error.h"
#include "common/oci_state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *find(const struct oci_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].value;
	return NULL;
}

static const char *annotation(const struct oci_spec *spec, const char *key)
{
	return find(spec->annotations, spec->n_annotations, key);
}

bool pod_is_sandbox(const struct oci_state *st)
{
	const char *t = find(st->annotations, st->n_annotations, POD_ANNOT_CRI_TYPE);

	if (!t)
		t = find(st->annotations, st->n_annotations, POD_ANNOT_CRIO_TYPE);
	return t && !strcmp(t, "sandbox");
}

/* Only the network and user namespaces may be named by a path outside a pod. */
static int check_paths(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->lnx.n_namespaces; i++) {
		const struct oci_namespace *ns = &spec->lnx.namespaces[i];

		if (ns->path && strcmp(ns->type, "network") && strcmp(ns->type, "user"))
			return err_setx(EINVAL,
					"config.json: linux.namespaces: the %s namespace %s is "
					"the host's: a container in a microVM cannot join it",
					ns->type, ns->path);
	}
	return 0;
}

int pod_role(const char *id, const struct oci_spec *spec, char pod[PROTO_NAME_MAX + 1])
{
	const char *type_key = POD_ANNOT_CRI_TYPE, *sandbox_key = POD_ANNOT_CRI_SANDBOX;
	const char *type = annotation(spec, type_key), *sandbox;

	pod[0] = '\0';
	if (!type) {
		type_key = POD_ANNOT_CRIO_TYPE;
		sandbox_key = POD_ANNOT_CRIO_SANDBOX;
		type = annotation(spec, type_key);
	}
	if (!type)
		return check_paths(spec) < 0 ? -EINVAL : POD_NONE;
	if (!strcmp(type, "sandbox")) {
		snprintf(pod, PROTO_NAME_MAX + 1, "%s", id);
		return POD_SANDBOX;
	}
	if (strcmp(type, "container"))
		return err_setx(EINVAL,
				"config.json: annotation %s: \"%s\" is neither "
				"\"sandbox\" nor \"container\"",
				type_key, type);
	sandbox = annotation(spec, sandbox_key);
	if (!sandbox)
		return err_setx(EINVAL,
				"config.json: annotation %s is missing (a pod's container "
				"names its sandbox)",
				sandbox_key);
	if (oci_id_check(sandbox) < 0 || strlen(sandbox) > PROTO_NAME_MAX)
		return err_setx(EINVAL, "config.json: annotation %s: \"%s\" is not a container id",
				sandbox_key, sandbox);
	if (!strcmp(sandbox, id))
		return err_setx(EINVAL,
				"config.json: annotation %s: the container names itself "
				"as its pod's sandbox",
				sandbox_key);
	snprintf(pod, PROTO_NAME_MAX + 1, "%s", sandbox);
	return POD_MEMBER;
}
