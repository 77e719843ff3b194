/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Namespaces, hostname and sysctl. A "network" namespace with a path is
 * joined by that path, which the agent has already made the VM's network
 * namespace (the one holding the guest's NICs, agent/net/net_vm.c) or, for
 * a pod member, the sandbox container's (server/pod.c): the host path
 * itself means nothing in the guest. One without a path is made new, with
 * only `lo`, brought up as runc does. No "network" entry keeps the guest's
 * root namespace (the runtime refuses such a spec: a VM cannot share the
 * host's network). ozone makes no user namespaces: they are accepted in a
 * spec and left to the VM. A sysctl is written only if it belongs to a
 * namespace the container has, with runc's rule (IPC ones need an ipc
 * namespace, kernel.hostname/domainname a uts one), except that net.* is
 * allowed without a network namespace: the guest's network stack belongs
 * to the sandbox anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "common/error.h"
#include "common/util.h"

int ctr_ns_flag(const char *type)
{
	if (!strcmp(type, "mount"))
		return CLONE_NEWNS;
	if (!strcmp(type, "pid"))
		return CLONE_NEWPID;
	if (!strcmp(type, "uts"))
		return CLONE_NEWUTS;
	if (!strcmp(type, "ipc"))
		return CLONE_NEWIPC;
	if (!strcmp(type, "cgroup"))
		return CLONE_NEWCGROUP;
	if (!strcmp(type, "network"))
		return CLONE_NEWNET;
	return 0;
}

bool ctr_ns_wanted(const struct oci_spec *spec, const char *type)
{
	for (size_t i = 0; i < spec->lnx.n_namespaces; i++)
		if (!strcmp(spec->lnx.namespaces[i].type, type))
			return true;
	return false;
}

static const char *const ctr_ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

int ctr_sysctl_check(const struct oci_spec *spec, const char *key)
{
	bool ipc = ctr_ns_wanted(spec, "ipc"), uts = ctr_ns_wanted(spec, "uts");

	if (!*key || strstr(key, "..") || *key == '.' || *key == '/' || strlen(key) > 255)
		return err_setx(EINVAL, "linux.sysctl: '%.64s' is not a sysctl name", key);
	for (size_t i = 0; i < ARRAY_SIZE(ctr_ipc_sysctls); i++)
		if (!strcmp(key, ctr_ipc_sysctls[i])) {
			if (!ipc)
				goto unshared;
			return 0;
		}
	if (!strncmp(key, "fs.mqueue.", 10)) {
		if (!ipc)
			goto unshared;
		return 0;
	}
	if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname")) {
		if (!uts)
			goto unshared;
		return 0;
	}
	if (!strncmp(key, "net.", 4))
		return 0;
	return err_setx(EINVAL, "linux.sysctl: %.64s is not in a separate kernel namespace", key);
unshared:
	return err_setx(EINVAL, "linux.sysctl: %.64s needs a namespace the spec does not make",
			key);
}

int ctr_sysctl_apply(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->lnx.n_sysctl; i++) {
		const struct oci_kv *kv = &spec->lnx.sysctl[i];
		char path[300];
		size_t len = strlen(kv->value);
		int fd, ret;

		ret = ctr_sysctl_check(spec, kv->key);
		if (ret < 0)
			return ret;
		snprintf(path, sizeof(path), "/proc/sys/%s", kv->key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return err_set(errno, "linux.sysctl: %s", kv->key);
		if (write(fd, kv->value, len) != (ssize_t)len) {
			ret = errno ? errno : EIO;
			close(fd);
			return err_set(ret, "linux.sysctl: %s = %.64s", kv->key, kv->value);
		}
		close(fd);
	}
	return 0;
}

int ctr_hostname_apply(const struct oci_spec *spec)
{
	if (spec->hostname && *spec->hostname &&
	    sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return err_set(errno, "hostname %.64s", spec->hostname);
	if (spec->domainname && *spec->domainname &&
	    setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return err_set(errno, "domainname %.64s", spec->domainname);
	return 0;
}
