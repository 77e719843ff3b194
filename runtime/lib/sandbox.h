/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sandbox: the microVM a container runs in, and what the host keeps for
 * it under the state directory of the container that started it (a pod's
 * other containers have a file "pod" naming that container instead, pod.h):
 *
 *   <root>/<id>/vmm.pid      "<pid> <start time>" of the ozone-vmm daemon
 *   <root>/<id>/vmm.log      its stdout/stderr and the guest console
 *   <root>/<id>/vsock/vsock.sock  its hybrid vsock socket (the agent: guest port 1024),
 *                            in a directory of its own: the VMM's jail binds that
 *                            directory writable, and nothing else of <root>/<id>
 *                            (docs/security.md)
 *   <root>/<id>/cgroup       the host cgroup its VMM and proxies are in (host_cgroup.h)
 *   <root>/<id>/shared/      served to the guest over virtio-fs (tag "ozone");
 *                            a read-only mount of itself, a peer group of its own
 *                            (the VMM's copy is its slave), holding
 *     <id>/rootfs            a bind mount of the bundle's rootfs (read-only if root.readonly)
 *     <id>/mounts/<i>        a bind mount of the source of the spec's i-th mount, for the
 *                            bind mounts (type "bind" or option bind/rbind)
 *
 * The guest writes only inside those mounts; nothing in the share is ever
 * resolved by path (sandbox_mount.c). Tearing it down never changes a file
 * of the user's rootfs or volumes: the VMM is stopped first, then every
 * mount in shared/ is found by its mount id and detached through an fd, and
 * what is left of the top is removed through a view of it that holds no
 * mount (sandbox_unshare.c).
 */
#ifndef OZONE_RUNTIME_SANDBOX_H
#define OZONE_RUNTIME_SANDBOX_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/lib/agent_client.h"
#include "runtime/lib/bundle.h"
#include "runtime/lib/ozone.h"
#include "runtime/lib/sandbox_net.h"
#include "common/proto.h"

/* The virtio-fs tag of the shared directory; the agent mounts it at /run/ozone/shared. */
#define SANDBOX_FS_TAG "ozone"
/* Guest memory beyond the container's memory limit: kernel, agent, page cache. */
#define SANDBOX_OVERHEAD_MIB 128
/* Guest memory when the spec sets no memory limit. */
#define SANDBOX_DEFAULT_MIB 512
/* Annotations that override the sizing. */
#define SANDBOX_ANNOT_CPUS "org.ozone.vm.cpus"
#define SANDBOX_ANNOT_MEMORY "org.ozone.vm.memory-mib"

struct sandbox {
	char dir[PATH_MAX]; /* <root>/<id>, canonical */
	/*
	 * The container's pod's sandbox container (pod.h), from <dir>/pod; ""
	 * for a container whose VM is its own. The VM's files below are then
	 * that container's.
	 */
	char pod[PROTO_NAME_MAX + 1];
	char vm_dir[PATH_MAX];	 /* where the VM's files are: dir, or the pod sandbox's */
	char shared[PATH_MAX];	 /* <vm_dir>/shared */
	char sock_dir[PATH_MAX]; /* <vm_dir>/vsock: the socket's alone, writable by the VMM */
	char sock[PATH_MAX];	 /* <sock_dir>/vsock.sock */
	char log[PATH_MAX];	 /* <vm_dir>/vmm.log */
	char cgroup[PATH_MAX];	 /* the host cgroup (host_cgroup.h), from <dir>/cgroup; "" none */
	bool cgroup_ignore_perm;
	int vmm_pid;	    /* 0: none recorded */
	uint64_t vmm_start; /* its start time; a pid without one is never ours */
};

struct sandbox_size {
	unsigned cpus;
	unsigned memory_mib;
};

/* Fills in the paths for the container's existing state directory, and reads vmm.pid. */
int sandbox_init(struct sandbox *sb, const struct ozone_globals *g, const char *id);
/*
 * Makes the container (sb from sandbox_init) one of pod's: records <dir>/pod
 * and points sb at the VM of the pod's sandbox container, which must run.
 */
int sandbox_join_pod(struct sandbox *sb, const struct ozone_globals *g, const char *pod);
/*
 * For a pod's container: the agent forgets it (when the VM runs) and its
 * part of the shared directory goes; the VM stays.
 */
int sandbox_leave_pod(struct sandbox *sb, const char *id);

/*
 * sandbox_mount.c: makes shared/ (unless the VM is a pod's and has it) and
 * exposes the bundle's rootfs and bind mount sources in it, under <id>/. A relative root.path is
 * resolved beneath the bundle and may not pass through a symlink; an absolute one may not be a
 * symlink itself nor the host's root. On failure what was made is undone.
 */
int sandbox_share(struct sandbox *sb, const char *id, const struct bundle *b);
/*
 * sandbox_mountpoint.c: makes the spec's missing mount points in the rootfs
 * (rootfd, an O_PATH fd of it), resolved inside it; for a read-only rootfs,
 * which the guest cannot write.
 */
int sandbox_make_mount_points(int rootfd, const struct bundle *b);
/* Detaches every mount under shared/ and removes it; safe to call at any point. */
int sandbox_unshare(struct sandbox *sb);
/* The same for shared/<id> alone: one container of a pod. */
int sandbox_unshare_container(struct sandbox *sb, const char *id);

/* sandbox_vmm.c: the VM's size from the spec (and the annotations). */
int sandbox_size(const struct oci_spec *spec, struct sandbox_size *sz);
/*
 * Starts ozone-vmm as a daemon (its own session, not our child), records
 * vmm.pid, and puts it in sb->cgroup before it execs. It runs in net's
 * namespace (a new one when net->ns.fd is -1) and inherits each tap as
 * fd 3 + i, named by a --net option.
 */
int sandbox_start_vmm(struct sandbox *sb, const struct sandbox_size *sz,
		      const struct sandbox_net *net);
/*
 * Whether the recorded VMM still runs (a zombie or a reused pid does not,
 * nor a pid recorded without its start time: nothing is verified of it).
 */
bool sandbox_vmm_alive(const struct sandbox *sb);
/*
 * Waits until the agent answers hello, retrying while the socket is not
 * there yet or the guest still boots; fails at once if the VMM exits, with
 * the last line of its log.
 */
int sandbox_connect(struct sandbox *sb, struct agent_conn *c, int timeout_ms);
/*
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked while a container is
 * made, so that one arriving half-way undoes what was made instead of
 * killing ozone in the middle; sandbox_interrupted() says whether one is
 * pending (-EINTR with "interrupted by ...").
 */
void sandbox_block_stop_signals(sigset_t *old);
int sandbox_interrupted(void);
/* Asks the agent to power off, then SIGKILLs the VMM if it is still there. */
int sandbox_stop_vmm(struct sandbox *sb);

/*
 * Makes sock_dir, empty but for a socket an earlier VMM left (sandbox.c):
 * the VMM's jail binds it, so it must hold nothing of ours.
 */
int sandbox_make_sock_dir(struct sandbox *sb);

/* Stops the VMM, unshares, removes the sandbox's files. The state dir itself stays. */
int sandbox_destroy(struct sandbox *sb);
/* Records the host cgroup path in <dir>/cgroup (sandbox.c). */
int sandbox_set_cgroup(struct sandbox *sb, const char *path);
/* Removes the host cgroup (once the VMM and the proxies are gone) and <dir>/cgroup. */
int sandbox_remove_cgroup(struct sandbox *sb);

/* The agent's boot timeout: OZONE_BOOT_TIMEOUT seconds, default 60. */
int sandbox_boot_timeout_ms(void);

#endif
