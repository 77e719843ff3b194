/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container builder's parts, shared between its files. Each part is
 * either pure (translating a piece of the spec into kernel terms, so that
 * it can be tested without root and fuzzed) or runs in the container's
 * child process (applying what was translated).
 */
#ifndef OZONE_AGENT_CTR_INTERNAL_H
#define OZONE_AGENT_CTR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/oci_spec.h"

/* ---- mount options (ctr_mount_opts.c, pure) ---- */

#define CTR_MOUNT_DATA_MAX 4096

struct ctr_mount_opts {
	unsigned long flags;	       /* MS_* for mount(2) */
	unsigned long propagation;     /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE [| MS_REC], or 0 */
	uint64_t attr_set, attr_clr;   /* MOUNT_ATTR_* applied recursively (rro, rnosuid, ...) */
	bool bind;		       /* "bind" or "rbind" (flags has MS_BIND [| MS_REC]) */
	char data[CTR_MOUNT_DATA_MAX]; /* the options the filesystem takes, comma-joined */
};

/*
 * Translates an OCI mount's options into flags and data, as runc does:
 * the generic ones ("ro", "nosuid", "relatime", "rbind", "rprivate", ...)
 * become flags, "r"-prefixed ones recursive mount attributes, and every
 * other one goes to the filesystem ("mode=755", "size=64k"). -EINVAL with a
 * message for an option ozone cannot honour (idmap).
 */
int ctr_mount_opts_parse(char *const *opts, size_t n, struct ctr_mount_opts *out);
/* The propagation flags of a rootfsPropagation value ("rslave"); -EINVAL if unknown. */
int ctr_propagation_parse(const char *name, unsigned long *flags);

/* ---- paths inside the rootfs (ctr_path.c) ---- */

/*
 * Opens path (absolute, read as relative to root) inside the directory
 * root without ever leaving it: symlinks and ".." are resolved as if root
 * were "/" (openat2 RESOLVE_IN_ROOT), magic links are refused.
 */
int ctr_path_open(int rootfd, const char *path, int flags);
/* Like ctr_path_open(O_PATH), creating missing directories and (!dir) a final empty file. */
int ctr_path_mkopen(int rootfd, const char *path, bool dir, mode_t mode);
/* "/proc/self/fd/<fd>": what mount(2) takes to reach an fd's file. */
void ctr_fd_path(int fd, char buf[static 32]);

/* ---- capabilities (ctr_caps.c) ---- */

struct ctr_caps {
	bool set; /* false: the process has no capabilities object; caps are left alone */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* A capability name ("CAP_KILL") to its number; -EINVAL if unknown. */
int ctr_cap_from_name(const char *name, int *cap);
/* The five sets of an OCI capabilities object as masks (caps the kernel lacks are left out). */
int ctr_caps_parse(const struct oci_caps *c, struct ctr_caps *out);
/* Drops every capability not in the bounding set (before the user switch). */
int ctr_caps_apply_bounding(const struct ctr_caps *c);
/* Sets the effective, permitted and inheritable sets, then raises the ambient ones. */
int ctr_caps_apply(const struct ctr_caps *c);

/* ---- seccomp (ctr_seccomp.c) ---- */

/*
 * Builds a libseccomp filter from linux.seccomp (JSON text) as runc does:
 * every action, errnoRet, architectures, argument conditions, flags; names
 * the running libseccomp does not know are skipped. *ctx is an
 * scmp_filter_ctx; NULL profile text gives a NULL ctx.
 */
int ctr_seccomp_build(const char *json, void **ctx);
/* Loads it into the calling process (the last step before execve). */
int ctr_seccomp_load(void *ctx);
void ctr_seccomp_free(void *ctx);

/* ---- the process settings (ctr_proc.c) ---- */

/* An rlimit name ("RLIMIT_NOFILE") to its resource number; -EINVAL if unknown. */
int ctr_rlimit_from_name(const char *name, int *res);

/*
 * Looks file up as execvp would, in the PATH of env (or a default one when
 * env has none), and writes the path to exec into out. -ENOENT with runc's
 * message ("exec: \"foo\": executable file not found in $PATH").
 */
int ctr_lookup_exec(const char *file, char *const *env, char *out, size_t len);

/*
 * What a process needs from the spec. Names (capabilities, rlimits) are
 * translated before the fork, so that a bad one fails before any process
 * exists; the seccomp filter is built in the child (ctr_proc_setup).
 */
struct ctr_proc {
	const struct oci_process *p;
	struct ctr_caps caps;
	const char *seccomp_json; /* linux.seccomp of the spec, or NULL */
	void *seccomp;		  /* its filter (scmp_filter_ctx), built in the child */
	int *rlimit_res;	  /* the resource of each p->rlimits[i] */
};

int ctr_proc_prepare(const struct oci_spec *spec, const struct oci_process *p,
		     struct ctr_proc *out);
void ctr_proc_release(struct ctr_proc *cp);

/* In the child, through the agent's /proc (the container may mount none): oomScoreAdj. */
int ctr_proc_oom(const struct ctr_proc *cp);
/*
 * In the child: the seccomp filter is built (there, so that libseccomp's
 * work on a profile from the spec never runs in the agent itself), then
 * the terminal, rlimits, user, capabilities, umask, cwd.
 */
int ctr_proc_setup(struct ctr_proc *cp);
/* In the child, once allowed to: seccomp (if not loaded yet) and execve. Returns on failure. */
int ctr_proc_exec(const struct ctr_proc *cp, const char *path, char *const *env);
/*
 * The environment to exec with: p->env plus HOME when it has none. Called
 * in the child (it reads the container's /etc/passwd), which execs or exits
 * with it: nothing frees it.
 */
char **ctr_proc_env(const struct oci_process *p);

/* ---- namespaces, hostname, sysctl (ctr_ns.c) ---- */

/* The CLONE_NEW* flag of an OCI namespace type, 0 for those made by nobody here. */
int ctr_ns_flag(const char *type);
/* Whether the spec asks for (or joins) a namespace of this type. */
bool ctr_ns_wanted(const struct oci_spec *spec, const char *type);
/* Checks a sysctl name against the namespaces it needs (runc's rule); -EINVAL if it cannot be set.
 */
int ctr_sysctl_check(const struct oci_spec *spec, const char *key);
/* Writes linux.sysctl through /proc/sys. */
int ctr_sysctl_apply(const struct oci_spec *spec);
int ctr_hostname_apply(const struct oci_spec *spec);

/* ---- the rootfs (ctr_rootfs.c, ctr_dev.c) ---- */

struct ctr_rootfs_args {
	const struct oci_spec *spec;
	const char *rootfs;
	const char *mounts_dir;
	unsigned long root_propagation; /* linux.rootfsPropagation as MS_* flags, 0 if absent */
	bool terminal;			/* make the process's pty (ctr_console_open) */
	int pty_master, pty_slave;	/* out, with terminal: the pty, its slave on /dev/console */
};

/* linux.rootfsPropagation of the spec's text (not in struct oci_spec) as flags, 0 if absent. */
int ctr_rootfs_propagation(const struct oci_spec *spec, unsigned long *flags);

/*
 * Mounts, devices, the terminal (a->terminal: the pty, opened once /dev/pts
 * is there), masked and read-only paths, pivot_root; leaves cwd at the new
 * "/". On failure no pty is left open.
 */
int ctr_rootfs_setup(struct ctr_rootfs_args *a);
/* The default devices, /dev links and ptmx, then linux.devices, under rootfd's /dev. */
int ctr_dev_setup(int rootfd, const struct oci_spec *spec);
/* Binds the pty slave on rootfd's /dev/console, as runc does. */
int ctr_dev_console(int rootfd, int slave);

/* ---- the terminal (ctr_console.c) ---- */

/*
 * Opens a new pty through rootfd's /dev/ptmx (the container's devpts):
 * *master (blocking, close-on-exec) for the caller, *slave for the process,
 * owned by p's uid; -errno with a message (ENOTTY: /dev/ptmx is not a pty
 * multiplexer).
 */
int ctr_console_open(int rootfd, const struct oci_process *p, int *master, int *slave);
/* Refuses a device the spec asks for when its fields do not make one. */
int ctr_dev_check(const struct oci_device *d);

#endif
