/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allowlists (see seccomp_policy.h and docs/security.md). A call is on a
 * list because a path of the monitor makes it on that kind of thread; ioctl
 * is narrowed to the KVM and terminal requests each kind issues, socket to
 * AF_UNIX, signals to this process, madvise to MADV_DONTNEED, and no thread
 * may map or make memory executable once filtering is on.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <sched.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "seccomp_policy.h"

static atomic_bool enabled;

/*
 * Sanitizer runtimes make calls of their own that no allowlist should
 * grant (LeakSanitizer stops the world with clone and ptrace at exit): a
 * sanitizer build checks memory, not the filters, and runs without them.
 * The jail, no_new_privs and the capability drop still apply.
 */
#if defined(__SANITIZE_ADDRESS__)
#define OZONE_SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define OZONE_SANITIZER_BUILD 1
#endif
#endif

void seccomp_policy_enable(void)
{
#ifndef OZONE_SANITIZER_BUILD
	atomic_store(&enabled, true);
#endif
}

bool seccomp_policy_enabled(void)
{
	return atomic_load(&enabled);
}

/* What every thread does: memory, locks, time, its own signals, and leaving. */
static const char *const common_calls[] = {
    "read",
    "write",
    "readv",
    "writev",
    "close",
    "futex",
    "munmap",
    "brk",
    "mremap",
    "rt_sigreturn",
    "rt_sigprocmask",
    "exit",
    "exit_group",
    "clock_gettime",
    "clock_nanosleep",
    "nanosleep",
    "gettid",
    "getpid",
    "sched_yield",
    "restart_syscall",
    "getrandom",
    "sched_getaffinity",
    "rseq",
    "membarrier",
};

/* The event loop: epoll, eventfds, the hybrid vsock sockets, the console, teardown. */
static const char *const main_calls[] = {
    "epoll_wait", "epoll_pwait", "epoll_ctl", "eventfd2", "accept4",	  "connect",
    "recvfrom",	  "recvmsg",	 "sendto",    "sendmsg",  "shutdown",	  "getsockopt",
    "setsockopt", "fcntl",	 "dup",	      "unlink",	  "unlinkat",	  "fstat",
    "newfstatat", "lseek",	 "pread64",   "pwrite64", "rt_sigaction", "sigaltstack",
};

/* vCPU threads: KVM_RUN, and devices' register handlers (activation, reset, notify). */
static const char *const vcpu_calls[] = {
    "epoll_ctl", "eventfd2", "fcntl", "dup", "dup3", "fstat", "newfstatat",
};

/* virtio-fs workers: the FUSE server's passthrough calls, on O_PATH handles. */
static const char *const fs_calls[] = {
    "openat",	  "openat2",	  "newfstatat", "fstat",	"statx",     "fstatfs",
    "statfs",	  "pread64",	  "pwrite64",	"preadv",	"pwritev",   "preadv2",
    "pwritev2",	  "getdents64",	  "lseek",	"fchownat",	"fchown",    "fchmodat",
    "fchmod",	  "utimensat",	  "mkdirat",	"mknodat",	"symlinkat", "linkat",
    "unlinkat",	  "renameat",	  "renameat2",	"readlinkat",	"fsetxattr", "fgetxattr",
    "flistxattr", "fremovexattr", "setxattr",	"getxattr",	"listxattr", "removexattr",
    "lsetxattr",  "lgetxattr",	  "llistxattr", "lremovexattr", "fallocate", "copy_file_range",
    "fcntl",	  "flock",	  "fsync",	"fdatasync",	"syncfs",    "ftruncate",
    "faccessat",  "faccessat2",	  "setfsuid",	"setfsgid",	"dup",	     "dup3",
    "eventfd2",
};

static const unsigned long main_ioctls[] = {
    KVM_IRQ_LINE, KVM_IRQFD, KVM_IOEVENTFD, TCGETS, TCSETS, TCSETSW, TCSETSF, FIONBIO, FIONREAD,
};
static const unsigned long vcpu_ioctls[] = {
    KVM_RUN,	   KVM_IRQ_LINE, KVM_IRQFD,	KVM_IOEVENTFD, KVM_GET_REGS,
    KVM_GET_SREGS, KVM_SET_REGS, KVM_SET_SREGS, FIONBIO,
};
static const unsigned long fs_ioctls[] = {KVM_IRQ_LINE, FIONBIO};

struct list {
	const char *const *names;
	size_t n;
};

#define LIST(a)                                                                                    \
	{                                                                                          \
		(a), ARRAY_SIZE(a)                                                                 \
	}

static int allow_names(scmp_filter_ctx ctx, struct list l)
{
	for (size_t i = 0; i < l.n; i++) {
		int nr = seccomp_syscall_resolve_name(l.names[i]);

		/* A call this kernel's headers do not know cannot be made either. */
		if (nr == __NR_SCMP_ERROR)
			continue;
		int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);

		if (ret < 0)
			return err_set(-ret, "seccomp: allow %s", l.names[i]);
	}
	return 0;
}

static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *req, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					   SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)req[i], 0));

		if (ret < 0)
			return err_set(-ret, "seccomp: allow ioctl %#lx", req[i]);
	}
	return 0;
}

/* Rules with arguments that every kind shares. */
static int allow_common_args(scmp_filter_ctx ctx)
{
	scmp_datum_t pid = (scmp_datum_t)getpid();
	int ret;

	/* Signals only to our own threads (pthread_kill, abort). */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
			       SCMP_A0(SCMP_CMP_EQ, pid, 0));
	if (ret < 0)
		goto fail;
	/* Memory, never executable: no new code can appear in the monitor. */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (ret < 0)
		goto fail;
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (ret < 0)
		goto fail;
	/*
	 * The one advice in use once filtering is on: virtio-balloon gives
	 * reported guest pages back (guest_mem_discard, event loop), and glibc
	 * returns freed heap and the stacks of finished threads. Other advice
	 * could undo what guest_mem_alloc set up (MADV_DOFORK, MADV_DODUMP).
	 */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 1,
			       SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED, 0));
	if (ret < 0)
		goto fail;
	return 0;
fail:
	return err_set(-ret, "seccomp: add argument rules");
}

static int build(scmp_filter_ctx ctx, enum vmm_thread_kind kind)
{
	int ret = allow_names(ctx, (struct list)LIST(common_calls));

	if (ret < 0)
		return ret;
	ret = allow_common_args(ctx);
	if (ret < 0)
		return ret;
	switch (kind) {
	case VMM_THREAD_MAIN:
		ret = allow_names(ctx, (struct list)LIST(main_calls));
		if (ret < 0)
			return ret;
		ret = allow_ioctls(ctx, main_ioctls, ARRAY_SIZE(main_ioctls));
		if (ret < 0)
			return ret;
		/*
		 * virtio-net: the tap's offloads follow what the driver
		 * accepted, set from the event loop after each activation;
		 * only the checksum and TCP segmentation bits. Its vnet
		 * header size is set before any filter (virtio_net_new).
		 */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
				     SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)TUNSETOFFLOAD, 0),
				     SCMP_A2(SCMP_CMP_MASKED_EQ,
					     ~(scmp_datum_t)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6),
					     0)) < 0)
			return err_setx(EINVAL, "seccomp: allow ioctl TUNSETOFFLOAD");
		/* Guest connections to host ports reach unix sockets only. */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0)) < 0)
			return err_setx(EINVAL, "seccomp: allow socket(AF_UNIX)");
		return 0;
	case VMM_THREAD_VCPU:
		ret = allow_names(ctx, (struct list)LIST(vcpu_calls));
		return ret ?: allow_ioctls(ctx, vcpu_ioctls, ARRAY_SIZE(vcpu_ioctls));
	case VMM_THREAD_FS:
		ret = allow_names(ctx, (struct list)LIST(fs_calls));
		return ret ?: allow_ioctls(ctx, fs_ioctls, ARRAY_SIZE(fs_ioctls));
	default:
		return err_setx(EINVAL, "seccomp: unknown thread kind %d", kind);
	}
}

int seccomp_policy_apply(enum vmm_thread_kind kind)
{
	scmp_filter_ctx ctx;
	int ret;

	if (!seccomp_policy_enabled())
		return 0;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return err_setx(ENOMEM, "seccomp: init");
	ret = build(ctx, kind);
	if (ret < 0)
		goto out;
	ret = seccomp_load(ctx);
	if (ret < 0)
		ret = err_set(-ret, "seccomp: load the filter");
out:
	seccomp_release(ctx);
	return ret;
}
