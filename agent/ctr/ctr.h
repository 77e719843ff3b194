/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container builder: turns an OCI spec into a process, inside the
 * guest (or, for tests, on the host as root). The agent's server (control.c
 * and friends) owns the process table, the stdio streams and the reaping;
 * this side only makes processes and reports why it could not.
 *
 * A container's init is made at `create`: a child in new namespaces
 * (mount, pid, uts, ipc, cgroup, network as the spec asks, or those it
 * names by path; never user here; see ctr_ns.c for the network's)
 * that builds the rootfs (spec mounts, pivot_root, masked and read-only
 * paths, devices, hostname, sysctl), joins the cgroup, applies the process
 * settings (rlimits, oom_score_adj, user and groups, umask, capabilities,
 * no_new_privs, seccomp, env, cwd) and then blocks until ctr_start(): only
 * then does it exec process.args. Everything that can fail before the exec
 * (a bad cwd, a missing binary, a mount that fails) fails ctr_create() with
 * the child's own message, so `create` reports it, not `start`.
 *
 * Bind mounts: the source of mounts[i] of the spec (type "bind", or an
 * option "bind"/"rbind") is, in the guest, <shared>/<container id>/mounts/<i>,
 * exposed there by the runtime; the rootfs is <shared>/<container id>/rootfs
 * (the create request's `rootfs`, resolved by the caller).
 */
#ifndef OZONE_AGENT_CTR_H
#define OZONE_AGENT_CTR_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/oci_spec.h"
#include "common/proto.h"

/*
 * What the caller hands to a new process: already-open fds for 0, 1, 2;
 * or, with terminal (which must match process.terminal), nothing: the
 * process gets a new pty of the container's own devpts (opened inside the
 * container through its /dev/ptmx, as runc does), its slave as stdio and
 * controlling terminal (and, for the init, bound on /dev/console), and the
 * caller gets the pty's master (the `console` out-parameter below).
 */
struct ctr_stdio {
	int fd[3];     /* -1: /dev/null; all -1 with terminal */
	bool terminal; /* a pty made in the container */
	/* The process's fds 3, 4, ... (runc's --preserve-fds), in order. */
	int extra[PROTO_FDS_MAX];
	unsigned n_extra;
};

struct ctr_create_args {
	const char *id;		     /* container id */
	const struct oci_spec *spec; /* parsed config.json */
	const char *rootfs;	     /* absolute path of the rootfs, in the agent's view */
	const char *mounts_dir; /* absolute dir holding bind sources "0", "1", ... (may be NULL: no
				   binds) */
	const char *cgroup;	/* absolute cgroup v2 dir to join, or NULL */
	struct ctr_stdio stdio;
};

/*
 * Makes the container's init and waits until it is ready to exec (or has
 * failed). On success *pid is its pid as the agent sees it and *start_fd
 * the handle that lets it exec (ctr_start) or drops it (close: the child
 * exits 127 without exec'ing); *console (may be NULL without a terminal)
 * the pty master with a terminal, else -1: the caller owns it. The caller
 * must reap *pid (it is a child of the calling process). -errno with a
 * one-line message on failure; the child is then already reaped.
 */
int ctr_create(const struct ctr_create_args *a, pid_t *pid, int *start_fd, int *console);

/*
 * Lets the created init exec process.args, and closes start_fd. Returns 0
 * once the exec has happened, or -errno with the message if the exec failed
 * (the child then exits 127).
 */
int ctr_start(int start_fd);

/*
 * Runs a further process in the running container whose init is init_pid:
 * joins its namespaces and cgroup, applies p's settings (with the
 * container's seccomp profile and default capabilities from spec when p
 * has none), and execs p->args at once. *pid is a child of the calling
 * process (the caller reaps it); *console as for ctr_create (the pty is
 * made in the container's /dev/pts). Fails like ctr_create when the process
 * cannot be started (bad cwd, missing binary).
 */
int ctr_exec(pid_t init_pid, const struct oci_spec *spec, const struct oci_process *p,
	     const char *cgroup, const struct ctr_stdio *stdio, pid_t *pid, int *console);

#endif
