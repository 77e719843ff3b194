/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctr_create / ctr_start / ctr_exec: the processes of a container.
 *
 * The agent is multithreaded, so the container's process is not made
 * directly: a plain fork() first gives a single-threaded helper (glibc's
 * fork keeps malloc usable in it), which puts the caller's stdio on 0-2,
 * the sync socket on 3 and closes every other fd (so that no fd of another
 * container's setup leaks into this one), enters the pid namespace
 * (unshare, or setns for a path) and then clones the container's process
 * with CLONE_PARENT: that process is the caller's own child, pid 1 of its
 * new pid namespace. The helper reports its pid and exits.
 *
 * The sync socket (SOCK_SEQPACKET, close-on-exec) carries the child's
 * progress: with a terminal, the pty's master (SCM_RIGHTS) once the child
 * has made it in the container (ctr_console.c); "ready" once everything
 * before the exec is done, or an error (errno and one line); at `start` the parent sends one byte,
 * and the end of the stream (the child's end closed by a successful execve) means the exec
 * happened. A parent that closes its end without `start` makes the child exit 127.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr.h"
#include "ctr_internal.h"
#include "agent/net/net.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"

enum ctr_msg_type {
	CTR_MSG_PID = 1,
	CTR_MSG_READY,
	CTR_MSG_ERROR,
	CTR_MSG_CONSOLE, /* carries the pty master */
};

struct ctr_msg {
	int32_t type;
	int32_t err; /* errno, for CTR_MSG_ERROR */
	int32_t pid; /* for CTR_MSG_PID */
	char text[500];
};

/*
 * The sync socket's fd in the child: 3, or after the extra fds, which take
 * 3, 4, ... (ctr_child_fds). Set in the child, so each child has its own.
 */
static int ctr_sync_fd = 3;
#define CTR_SYNC_FD ctr_sync_fd
/* Where the child's fds wait before they go to their places: above every place. */
#define CTR_FD_PARK (3 + PROTO_FDS_MAX + 1)

static void ctr_send(int fd, int type, int err, pid_t pid)
{
	struct ctr_msg m = {.type = type, .err = err, .pid = pid};

	if (type == CTR_MSG_ERROR) {
		const char *msg = err_msg();

		snprintf(m.text, sizeof(m.text), "%s", *msg ? msg : strerror(err));
	}
	(void)!send(fd, &m, sizeof(m), MSG_NOSIGNAL);
}

/* The pty master to the caller; the slave on 0-2. Both are closed here. */
static int ctr_child_console(int master, int slave)
{
	_cleanup_close_ int mfd = master, sfd = slave;
	struct ctr_msg m = {.type = CTR_MSG_CONSOLE};
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &mfd, sizeof(int));
	if (sendmsg(CTR_SYNC_FD, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		return err_set(errno, "terminal: pass the pty to the agent");
	for (int i = 0; i < 3; i++)
		if (dup2(sfd, i) < 0)
			return err_set(errno, "terminal: the pty as stdio");
	return 0;
}

static _Noreturn void ctr_child_fail(int ret)
{
	ctr_send(CTR_SYNC_FD, CTR_MSG_ERROR, ret < 0 ? -ret : EIO, 0);
	_exit(127);
}

/* The agent's signal mask and handlers must not reach the container. */
static void ctr_child_signals(void)
{
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * stdio on 0-2, the extra fds on 3, 4, ... (not close-on-exec: the process
 * keeps them), the sync socket after them, nothing else open.
 */
static int ctr_child_fds(const struct ctr_stdio *st, int sync)
{
	int fds[3], extra[PROTO_FDS_MAX], park_sync;
	unsigned n = st->n_extra > PROTO_FDS_MAX ? PROTO_FDS_MAX : st->n_extra;

	for (int i = 0; i < 3; i++) {
		int src = st->fd[i];

		if (src < 0) {
			src = open("/dev/null", O_RDWR | O_CLOEXEC);
			if (src < 0)
				return err_set(errno, "open /dev/null");
		}
		fds[i] = fcntl(src, F_DUPFD_CLOEXEC, CTR_FD_PARK);
		if (fds[i] < 0)
			return err_set(errno, "stdio fd %d", st->fd[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		extra[i] = fcntl(st->extra[i], F_DUPFD_CLOEXEC, CTR_FD_PARK);
		if (extra[i] < 0)
			return err_set(errno, "extra fd %u", 3 + i);
	}
	park_sync = fcntl(sync, F_DUPFD_CLOEXEC, CTR_FD_PARK);
	if (park_sync < 0)
		return err_set(errno, "sync fd");
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			return err_set(errno, "dup2 stdio");
	for (unsigned i = 0; i < n; i++)
		if (dup2(extra[i], 3 + (int)i) < 0)
			return err_set(errno, "dup2 extra fd %u", 3 + i);
	ctr_sync_fd = 3 + (int)n;
	if (dup3(park_sync, CTR_SYNC_FD, O_CLOEXEC) < 0)
		return err_set(errno, "dup3 sync fd");
	if (syscall(SYS_close_range, CTR_SYNC_FD + 1, ~0U, 0) < 0)
		return err_set(errno, "close_range");
	return 0;
}

/*
 * In the helper: clones the container's process as a child of the caller
 * (CLONE_PARENT; like fork() otherwise), reports its pid and exits. The
 * new process waits until the pid is on the sync socket before it goes on,
 * so that the caller always reads the pid first, whatever the process
 * reports next. Returns only in the new process.
 */
static void ctr_spawn_sibling(void)
{
	int go[2];
	pid_t pid;
	char b;

	if (pipe2(go, O_CLOEXEC) < 0)
		ctr_child_fail(err_set(errno, "pipe"));
	pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(127); /* the helper died before reporting us */
		close(go[0]);
		return;
	}
	if (pid < 0)
		ctr_child_fail(err_set(errno, "clone the container's process"));
	ctr_send(CTR_SYNC_FD, CTR_MSG_PID, 0, pid);
	(void)!write(go[1], "", 1);
	_exit(0);
}

static int ctr_join_cgroup(const char *cgroup)
{
	char path[OCI_SPEC_PATH_MAX + 32];
	_cleanup_close_ int fd = -1;

	if (!cgroup)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "join cgroup %s", cgroup);
	if (write(fd, "0", 1) != 1)
		return err_set(errno, "join cgroup %s", cgroup);
	return 0;
}

static int ctr_setns_path(const char *path, int flag, const char *type)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(errno, "linux.namespaces %s: %s", type, path);
	if (setns(fd, flag) < 0)
		return err_set(errno, "join the %s namespace %s", type, path);
	return 0;
}

/*
 * Reads one message; 0 bytes is the end of the stream (an exec, or the
 * child died). *rfd: the fd that came with it (CTR_MSG_CONSOLE), else -1.
 */
static int ctr_recv(int fd, struct ctr_msg *m, int *rfd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	ssize_t n;

	*rfd = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(rfd, CMSG_DATA(c), sizeof(int));
	if (*rfd >= 0 && ((size_t)n != sizeof(*m) || m->type != CTR_MSG_CONSOLE)) {
		close(*rfd);
		*rfd = -1;
	}
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof(*m))
		return -EPROTO;
	m->text[sizeof(m->text) - 1] = '\0';
	return 1;
}

/*
 * The next message that is not the terminal's pty: that one goes to
 * *console (with a terminal; a second one, or one without, is an error).
 */
static int ctr_recv_progress(int fd, struct ctr_msg *m, bool terminal, int *console)
{
	for (;;) {
		int rfd, ret = ctr_recv(fd, m, &rfd);

		if (ret != 1 || m->type != CTR_MSG_CONSOLE)
			return ret;
		if (rfd < 0 || !terminal || *console >= 0) {
			if (rfd >= 0)
				close(rfd);
			return -EPROTO;
		}
		*console = rfd;
	}
}

static int ctr_msg_error(const struct ctr_msg *m)
{
	int err = m->err > 0 && m->err < 4096 ? m->err : EIO;

	return err_setx(err, "%s", m->text);
}

static void ctr_reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The helper's report: the pid of the container's process, or why there is none. */
static int ctr_wait_pid(int fd, pid_t helper, pid_t *pid)
{
	_cleanup_close_ int rfd = -1;
	struct ctr_msg m;
	int ret = ctr_recv(fd, &m, &rfd);

	ctr_reap(helper);
	if (ret < 0)
		return err_set(-ret, "container setup");
	if (ret == 0)
		return err_setx(ECHILD, "container setup: the helper process died");
	if (m.type == CTR_MSG_ERROR)
		return ctr_msg_error(&m);
	if (m.type != CTR_MSG_PID || m.pid <= 0)
		return err_setx(EPROTO, "container setup: unexpected message");
	*pid = m.pid;
	return 0;
}

/*
 * What the helper runs once its signals and fds are in place: enters the
 * pid namespace, makes the container's process (ctr_spawn_sibling) and
 * goes on in it to the exec. Never returns.
 */
typedef void ctr_helper_fn(const void *arg);

/* The pty belongs to the process that asks for it: stdio and process.terminal agree. */
static int ctr_stdio_check(const struct ctr_stdio *st, const struct oci_process *p,
			   const int *console)
{
	if (st->terminal != p->terminal)
		return err_setx(EINVAL, "process.terminal is %s but the stdio %s a terminal",
				p->terminal ? "true" : "false",
				st->terminal ? "asks for" : "has no");
	if (st->terminal && (st->fd[0] >= 0 || st->fd[1] >= 0 || st->fd[2] >= 0))
		return err_setx(EINVAL, "terminal: the stdio fds are the container's pty");
	if (st->terminal && !console)
		return err_setx(EINVAL, "terminal: nowhere to put the pty");
	return 0;
}

/*
 * What ctr_create and ctr_exec share: the sync socket and the helper
 * (which puts stdio in place, then runs fn(arg)), and the helper's report.
 * On success *sync is the caller's end of the sync socket and *child the
 * container's process, a child of the caller, which must reap it; the
 * helper is reaped either way.
 */
static int ctr_launch(const struct ctr_stdio *stdio, ctr_helper_fn *fn, const void *arg, int *sync,
		      pid_t *child)
{
	_cleanup_close_ int fd = -1;
	int sv[2], ret;
	pid_t helper;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_set(errno, "socketpair");
	helper = fork();
	if (helper == 0) {
		close(sv[0]);
		ctr_child_signals();
		ret = ctr_child_fds(stdio, sv[1]);
		if (ret < 0) {
			ctr_send(sv[1], CTR_MSG_ERROR, -ret, 0);
			_exit(1);
		}
		fn(arg);
		_exit(127); /* not reached: fn execs or exits */
	}
	ret = helper < 0 ? err_set(errno, "fork") : 0;
	fd = sv[0];
	close(sv[1]);
	if (ret < 0)
		return ret;
	if ((ret = ctr_wait_pid(fd, helper, child)) < 0)
		return ret;
	*sync = take_fd(&fd);
	return 0;
}

/* ---- create ---- */

static int ctr_spec_check(const struct oci_spec *spec)
{
	if (!spec->has_process)
		return err_setx(EINVAL, "config.json: no process");
	for (size_t i = 0; i < spec->lnx.n_namespaces; i++)
		if (!strcmp(spec->lnx.namespaces[i].type, "time"))
			return err_setx(EINVAL, "linux.namespaces: the time namespace is not "
						"supported");
	if (!ctr_ns_wanted(spec, "mount"))
		return err_setx(EINVAL, "linux.namespaces: a container needs a mount namespace");
	if ((spec->hostname && *spec->hostname) && !ctr_ns_wanted(spec, "uts"))
		return err_setx(EINVAL, "hostname: needs a private uts namespace");
	if ((spec->domainname && *spec->domainname) && !ctr_ns_wanted(spec, "uts"))
		return err_setx(EINVAL, "domainname: needs a private uts namespace");
	for (size_t i = 0; i < spec->lnx.n_sysctl; i++) {
		int ret = ctr_sysctl_check(spec, spec->lnx.sysctl[i].key);

		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < spec->lnx.n_devices; i++) {
		int ret = ctr_dev_check(&spec->lnx.devices[i]);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Everything the container's init does before it waits for `start`. */
static int ctr_init_build(const struct ctr_create_args *a, struct ctr_proc *cp,
			  unsigned long root_prop, char *exec_path, size_t len, char ***env)
{
	const struct oci_spec *spec = a->spec;
	struct ctr_rootfs_args ra = {
	    .spec = spec,
	    .rootfs = a->rootfs,
	    .mounts_dir = a->mounts_dir,
	    .root_propagation = root_prop,
	    .terminal = a->stdio.terminal,
	    .pty_master = -1,
	    .pty_slave = -1,
	};
	int unshare_flags = 0, ret;

	/* Into the cgroup first: a new cgroup namespace is rooted where its maker is. */
	if ((ret = ctr_join_cgroup(a->cgroup)) < 0)
		return ret;
	for (size_t i = 0; i < spec->lnx.n_namespaces; i++) {
		const struct oci_namespace *ns = &spec->lnx.namespaces[i];
		int flag = ctr_ns_flag(ns->type);

		if (!flag || flag == CLONE_NEWPID)
			continue;
		if (!ns->path)
			unshare_flags |= flag;
		else if ((ret = ctr_setns_path(ns->path, flag, ns->type)) < 0)
			return ret;
	}
	if (unshare_flags && unshare(unshare_flags) < 0)
		return err_set(errno, "unshare namespaces");
	/* A new network namespace has only `lo`, down: up, as runc leaves it. */
	if ((unshare_flags & CLONE_NEWNET) && (ret = net_lo_up(NULL)) < 0)
		return err_prefix(ret, "the container's network namespace");
	if ((ret = ctr_hostname_apply(spec)) < 0)
		return ret;
	if ((ret = ctr_proc_oom(cp)) < 0)
		return ret;
	if ((ret = ctr_sysctl_apply(spec)) < 0)
		return ret;
	if ((ret = ctr_rootfs_setup(&ra)) < 0)
		return ret;
	if (ra.terminal && (ret = ctr_child_console(ra.pty_master, ra.pty_slave)) < 0)
		return ret;
	if ((ret = ctr_proc_setup(cp)) < 0)
		return ret;
	*env = ctr_proc_env(cp->p);
	if (!*env)
		return err_set(ENOMEM, "process.env");
	return ctr_lookup_exec(cp->p->args[0], *env, exec_path, len);
}

static _Noreturn void ctr_init_create(const struct ctr_create_args *a, struct ctr_proc *cp,
				      unsigned long root_prop)
{
	char path[PATH_MAX], go;
	char **env = NULL;
	int ret = ctr_init_build(a, cp, root_prop, path, sizeof(path), &env);

	if (ret < 0)
		ctr_child_fail(ret);
	ctr_send(CTR_SYNC_FD, CTR_MSG_READY, 0, 0);
	if (read_full(CTR_SYNC_FD, &go, 1) != 1)
		_exit(127); /* the caller dropped the container before `start` */
	ctr_child_fail(ctr_proc_exec(cp, path, env));
}

struct ctr_create_job {
	const struct ctr_create_args *a;
	struct ctr_proc *cp;
	unsigned long root_prop;
};

static _Noreturn void ctr_helper_create(const void *arg)
{
	const struct ctr_create_job *j = arg;
	const struct oci_spec *spec = j->a->spec;

	for (size_t i = 0; i < spec->lnx.n_namespaces; i++) {
		const struct oci_namespace *ns = &spec->lnx.namespaces[i];
		int ret;

		if (strcmp(ns->type, "pid"))
			continue;
		if (ns->path)
			ret = ctr_setns_path(ns->path, CLONE_NEWPID, "pid");
		else
			ret = unshare(CLONE_NEWPID) < 0
				  ? err_set(errno, "unshare the pid namespace")
				  : 0;
		if (ret < 0)
			ctr_child_fail(ret);
	}
	ctr_spawn_sibling();
	ctr_init_create(j->a, j->cp, j->root_prop);
}

int ctr_create(const struct ctr_create_args *a, pid_t *pid, int *start_fd, int *console)
{
	const struct oci_spec *spec = a->spec;
	_cleanup_close_ int sync = -1, pty = -1;
	struct ctr_create_job j = {.a = a};
	struct ctr_proc cp;
	struct ctr_msg m;
	pid_t child;
	int ret;

	if (console)
		*console = -1;
	if (!a->rootfs || a->rootfs[0] != '/')
		return err_setx(EINVAL, "rootfs: must be an absolute path");
	if ((ret = ctr_spec_check(spec)) < 0)
		return ret;
	if ((ret = ctr_stdio_check(&a->stdio, &spec->process, console)) < 0)
		return ret;
	if ((ret = ctr_rootfs_propagation(spec, &j.root_prop)) < 0)
		return ret;
	if ((ret = ctr_proc_prepare(spec, &spec->process, &cp)) < 0)
		return ret;
	j.cp = &cp;
	ret = ctr_launch(&a->stdio, ctr_helper_create, &j, &sync, &child);
	ctr_proc_release(&cp);
	if (ret < 0)
		return ret;
	ret = ctr_recv_progress(sync, &m, a->stdio.terminal, &pty);
	if (ret == 1 && m.type == CTR_MSG_READY && (pty >= 0) == a->stdio.terminal) {
		*pid = child;
		*start_fd = take_fd(&sync);
		if (console)
			*console = take_fd(&pty);
		return 0;
	}
	if (ret == 1 && m.type == CTR_MSG_ERROR)
		ret = ctr_msg_error(&m);
	else if (ret == 1)
		ret = err_setx(EPROTO, "container setup: unexpected message");
	else if (ret < 0)
		ret = err_set(-ret, "container setup");
	else
		ret = err_setx(ECHILD, "container setup: the container's process died");
	kill(child, SIGKILL);
	ctr_reap(child);
	return ret;
}

int ctr_start(int start_fd)
{
	_cleanup_close_ int fd = start_fd, rfd = -1;
	struct ctr_msg m;
	char go = 1;
	int ret;

	if (send(fd, &go, 1, MSG_NOSIGNAL) != 1)
		return err_set(errno, "start: the container's process is gone");
	ret = ctr_recv(fd, &m, &rfd);
	if (ret == 0)
		return 0;
	if (ret == 1 && m.type == CTR_MSG_ERROR)
		return ctr_msg_error(&m);
	return err_setx(EPROTO, "start: unexpected answer from the container's process");
}

/* ---- exec ---- */

static const struct {
	const char *name;
	int flag;
} ctr_exec_ns[] = {
    /* mnt last: the others are opened through the agent's /proc. */
    {"net", CLONE_NEWNET},	 {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
    {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS},
};

/* In the container's mount namespace: a pty of its devpts, as ctr_create makes one. */
static int ctr_exec_console(const struct oci_process *p)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int master, slave, ret;

	if (root < 0)
		return err_set(errno, "terminal: the container's root");
	if ((ret = ctr_console_open(root, p, &master, &slave)) < 0)
		return ret;
	return ctr_child_console(master, slave);
}

static _Noreturn void ctr_init_exec(struct ctr_proc *cp, const char *cgroup, const int *nsfd,
				    bool terminal)
{
	char path[PATH_MAX], **env;
	int ret;

	if ((ret = ctr_join_cgroup(cgroup)) < 0 || (ret = ctr_proc_oom(cp)) < 0)
		ctr_child_fail(ret);
	for (size_t i = 0; i < ARRAY_SIZE(ctr_exec_ns); i++) {
		if (nsfd[i] < 0)
			continue;
		if (setns(nsfd[i], ctr_exec_ns[i].flag) < 0)
			ctr_child_fail(err_set(errno, "join the container's %s namespace",
					       ctr_exec_ns[i].name));
		close(nsfd[i]);
	}
	/* setns into the mount namespace made "/" the container's root. */
	if (terminal && (ret = ctr_exec_console(cp->p)) < 0)
		ctr_child_fail(ret);
	if ((ret = ctr_proc_setup(cp)) < 0)
		ctr_child_fail(ret);
	env = ctr_proc_env(cp->p);
	if (!env)
		ctr_child_fail(err_set(ENOMEM, "process.env"));
	if ((ret = ctr_lookup_exec(cp->p->args[0], env, path, sizeof(path))) < 0)
		ctr_child_fail(ret);
	ctr_child_fail(ctr_proc_exec(cp, path, env));
}

struct ctr_exec_job {
	pid_t init_pid;
	struct ctr_proc *cp;
	const char *cgroup;
	bool terminal;
};

static _Noreturn void ctr_helper_exec(const void *arg)
{
	const struct ctr_exec_job *j = arg;
	int nsfd[ARRAY_SIZE(ctr_exec_ns)];
	char path[64];
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(ctr_exec_ns); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)j->init_pid,
			 ctr_exec_ns[i].name);
		nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		/* A kernel without cgroup namespaces: nothing to join. */
		if (nsfd[i] < 0 && !(errno == ENOENT && ctr_exec_ns[i].flag == CLONE_NEWCGROUP))
			ctr_child_fail(err_set(errno, "container process %d", (int)j->init_pid));
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)j->init_pid);
	if ((ret = ctr_setns_path(path, CLONE_NEWPID, "pid")) < 0)
		ctr_child_fail(ret);
	ctr_spawn_sibling();
	ctr_init_exec(j->cp, j->cgroup, nsfd, j->terminal);
}

int ctr_exec(pid_t init_pid, const struct oci_spec *spec, const struct oci_process *p,
	     const char *cgroup, const struct ctr_stdio *stdio, pid_t *pid, int *console)
{
	struct ctr_exec_job j = {
	    .init_pid = init_pid, .cgroup = cgroup, .terminal = stdio->terminal};
	_cleanup_close_ int sync = -1, pty = -1;
	struct oci_process eff = *p;
	struct ctr_proc cp;
	struct ctr_msg m;
	pid_t child;
	int ret;

	if (console)
		*console = -1;
	if (init_pid <= 0)
		return err_setx(ESRCH, "exec: the container has no process");
	if ((ret = ctr_stdio_check(stdio, p, console)) < 0)
		return ret;
	/* Without capabilities of its own, an exec gets the container's. */
	if (!p->has_caps && spec->has_process && spec->process.has_caps) {
		eff.has_caps = true;
		eff.caps = spec->process.caps;
	}
	if ((ret = ctr_proc_prepare(spec, &eff, &cp)) < 0)
		return ret;
	j.cp = &cp;
	ret = ctr_launch(stdio, ctr_helper_exec, &j, &sync, &child);
	ctr_proc_release(&cp);
	if (ret < 0)
		return ret;
	/* The end of the stream, with nothing but the pty before it: the exec happened. */
	ret = ctr_recv_progress(sync, &m, stdio->terminal, &pty);
	if (ret == 0 && (pty >= 0) == stdio->terminal) {
		*pid = child;
		if (console)
			*console = take_fd(&pty);
		return 0;
	}
	if (ret == 1 && m.type == CTR_MSG_ERROR)
		ret = ctr_msg_error(&m);
	else
		ret = err_setx(EPROTO, "exec: unexpected answer from the process");
	/* Not started as asked: it must not run on. */
	if (ret == -EPROTO)
		kill(child, SIGKILL);
	ctr_reap(child);
	return ret;
}
