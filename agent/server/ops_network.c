/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `network` request, and the network namespace a container's spec
 * names by path: both are the VM's network namespace (agent/net/).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/net/net.h"
#include "common/error.h"
#include "ops.h"

int ops_network(const struct proto_msg *req, struct proto_msg *r)
{
	const struct net_config *c = req->body.network.net;
	int ret;

	(void)r;
	if (!c)
		return err_setx(EINVAL, "network: no configuration");
	unsigned skipped6 = 0;

	ret = net_vm_configure(c, &skipped6);
	if (ret == 0)
		agent_log("network: %u links, %u routes, %u neighbours%s", c->nlinks, c->nroutes,
			  c->nneighs,
			  skipped6 ? " (the IPv6 ones left out: this guest kernel has no IPv6)"
				   : "");
	return ret;
}

int network_join_path(const char *id, struct oci_spec *spec)
{
	char path[64];
	int ret;

	for (size_t i = 0; i < spec->lnx.n_namespaces; i++) {
		struct oci_namespace *ns = &spec->lnx.namespaces[i];
		char *dup;

		if (strcmp(ns->type, "network") || !ns->path)
			continue;
		if ((ret = net_vm_ns_path(path, sizeof(path))) < 0)
			return err_prefix(ret, "create %s", id);
		dup = strdup(path);
		if (!dup)
			return err_set(ENOMEM, "create %s", id);
		free(ns->path);
		ns->path = dup;
	}
	return 0;
}
