/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VM of a sandbox: its size, the programs and guest images it is made
 * of, starting ozone-vmm as a daemon, reaching the agent, stopping it.
 *
 * Where things are found (first match wins):
 *   ozone-vmm   $OZONE_VMM, else next to the ozone binary (/proc/self/exe)
 *   kernel      $OZONE_KERNEL, else <exe dir>/../guest/bzImage (a build tree),
 *               else <exe dir>/../share/ozone/bzImage (an install, even moved),
 *               else OZONE_DATADIR/bzImage (<prefix>/share/ozone, compiled in)
 *   initramfs   the same with $OZONE_INITRD and initramfs.cpio
 */
#include "runtime/lib/sandbox.h"
#include "runtime/lib/host_cgroup.h"
#include "runtime/lib/store.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/escape.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OZONE_DATADIR
#define OZONE_DATADIR "/usr/local/share/ozone"
#endif

#define SANDBOX_MIB (1024 * 1024)
#define SANDBOX_CPUS_MAX 64
#define SANDBOX_MEMORY_MIN 64
#define SANDBOX_MEMORY_MAX 1048576
#define SANDBOX_CPU_PERIOD_DEFAULT 100000

static int size_annotation(const struct oci_spec *spec, const char *key, long long min,
			   long long max, unsigned *out)
{
	const char *v = oci_spec_annotation(spec, key);
	long long n;

	if (!v)
		return 0;
	if (ozone_parse_long(key, v, min, max, &n) < 0)
		return err_setx(EINVAL,
				"annotation %s: \"%.32s\" is not an integer in [%lld, %lld]", key,
				v, min, max);
	*out = (unsigned)n;
	return 0;
}

int sandbox_size(const struct oci_spec *spec, struct sandbox_size *sz)
{
	const struct oci_resources *r = &spec->lnx.resources;
	bool res = spec->has_linux && spec->lnx.has_resources;
	int ret;

	sz->cpus = 1;
	if (res && r->has_cpu_quota && r->cpu_quota > 0) {
		uint64_t period =
		    r->has_cpu_period && r->cpu_period ? r->cpu_period : SANDBOX_CPU_PERIOD_DEFAULT;
		uint64_t cpus = ((uint64_t)r->cpu_quota + period - 1) / period;

		sz->cpus = cpus > SANDBOX_CPUS_MAX ? SANDBOX_CPUS_MAX : cpus ? (unsigned)cpus : 1;
	}
	sz->memory_mib = SANDBOX_DEFAULT_MIB;
	if (res && r->has_memory_limit && r->memory_limit > 0) {
		uint64_t mib = ((uint64_t)r->memory_limit + SANDBOX_MIB - 1) / SANDBOX_MIB +
			       SANDBOX_OVERHEAD_MIB;

		sz->memory_mib = mib > SANDBOX_MEMORY_MAX ? SANDBOX_MEMORY_MAX : (unsigned)mib;
	}
	ret = size_annotation(spec, SANDBOX_ANNOT_CPUS, 1, SANDBOX_CPUS_MAX, &sz->cpus);
	if (ret < 0)
		return ret;
	return size_annotation(spec, SANDBOX_ANNOT_MEMORY, SANDBOX_MEMORY_MIN, SANDBOX_MEMORY_MAX,
			       &sz->memory_mib);
}

static int exe_dir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return err_set(errno, "readlink /proc/self/exe");
	exe[n] = '\0';
	snprintf(buf, size, "%s", dirname(exe));
	return 0;
}

/*
 * The first that exists of: $env; <exe dir>/../guest/<name> (a build tree);
 * <exe dir>/../share/ozone/<name> (an install, wherever it was moved);
 * OZONE_DATADIR/<name> (the install prefix compiled in).
 */
static int find_file(const char *env, const char *name, const char *what, char *out, size_t size)
{
	static const char *const rel[] = {"../guest", "../share/ozone"};
	const char *v = getenv(env);
	char dir[PATH_MAX];
	int ret;

	if (v && *v) {
		if (access(v, R_OK) < 0)
			return err_set(errno, "%s %s (from $%s)", what, v, env);
		snprintf(out, size, "%s", v);
		return 0;
	}
	ret = exe_dir(dir, sizeof(dir));
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++)
		if (snprintf(out, size, "%s/%s/%s", dir, rel[i], name) < (int)size &&
		    access(out, R_OK) == 0)
			return 0;
	snprintf(out, size, "%s/%s", OZONE_DATADIR, name);
	if (access(out, R_OK) == 0)
		return 0;
	return err_setx(
	    ENOENT, "%s not found: looked at $%s, %s/../guest/%s, %s/../share/ozone/%s and %s/%s",
	    what, env, dir, name, dir, name, OZONE_DATADIR, name);
}

/*
 * The grandchild: becomes ozone-vmm once go says so (the pid is recorded by
 * then; if the creator died first, go ends empty and nothing is started).
 * Reports an exec failure's errno on fd.
 */
/*
 * In the grandchild, before it execs: into the VM's network namespace (a
 * new one when the spec names none), never the host's; the taps at fds
 * 3 .. 3 + n - 1, the only ones without close-on-exec. *report moves out
 * of their way. 0 or -errno.
 */
static int vmm_net(const struct sandbox_net *net, int *report)
{
	unsigned n = net->cfg && net->ns.fd >= 0 ? net->cfg->nlinks : 0;
	int tmp[NET_LINKS_MAX];

	if (net->ns.fd >= 0 ? setns(net->ns.fd, CLONE_NEWNET) < 0 : unshare(CLONE_NEWNET) < 0)
		return -errno;
	/* Copies above the range first: a tap may sit where another must go. */
	if (*report < 3 + NET_LINKS_MAX &&
	    (*report = fcntl(*report, F_DUPFD_CLOEXEC, 3 + NET_LINKS_MAX)) < 0)
		return -errno;
	for (unsigned i = 0; i < n; i++)
		if ((tmp[i] = fcntl(net->tap_fd[i], F_DUPFD_CLOEXEC, 3 + NET_LINKS_MAX)) < 0)
			return -errno;
	/* dup2 leaves the new fd without close-on-exec: the VMM inherits it. */
	for (unsigned i = 0; i < n; i++)
		if (dup2(tmp[i], 3 + (int)i) < 0)
			return -errno;
	return (int)n;
}

/*
 * The grandchild: becomes ozone-vmm once go says so (the pid is recorded by
 * then; if the creator died first, go ends empty and nothing is started).
 * Reports an exec failure's errno on fd (negative: entering the network
 * namespace failed).
 */
static _Noreturn void vmm_exec(const struct sandbox *sb, char **argv, int fd, int go,
			       const struct sandbox_net *net)
{
	sigset_t none;
	int e, log, null, ntaps;
	char c;

	while ((e = read(go, &c, 1)) < 0 && errno == EINTR)
		;
	if (e != 1)
		_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	ntaps = vmm_net(net, &fd);
	if (ntaps < 0) {
		e = ntaps;
		write_all(fd, &e, sizeof(e));
		_exit(127);
	}
	log = open(sb->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (log < 0 || null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0 ||
	    chdir(sb->vm_dir) < 0)
		goto fail;
	/* Nothing the caller left open (a shim's stray socket) goes into the daemon. */
	close_range(3 + ntaps, ~0U, CLOSE_RANGE_CLOEXEC);
	execv(argv[0], argv);
fail:
	e = errno;
	write_all(fd, &e, sizeof(e));
	_exit(127);
}

static int vmm_record(const struct sandbox *sb)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 16], buf[64];
	_cleanup_close_ int fd = -1;
	int n;

	snprintf(path, sizeof(path), "%s/vmm.pid", sb->vm_dir);
	snprintf(tmp, sizeof(tmp), "%s/vmm.pid.tmp", sb->vm_dir);
	n = snprintf(buf, sizeof(buf), "%d %llu\n", sb->vmm_pid, (unsigned long long)sb->vmm_start);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set(errno, "create %s", tmp);
	if (write(fd, buf, n) != n || fsync(fd) < 0)
		return err_set(errno ? errno : EIO, "write %s", tmp);
	if (rename(tmp, path) < 0)
		return err_set(errno, "rename %s", tmp);
	return 0;
}

/* ozone-vmm, the guest kernel and the initramfs, as the top of this file says. */
static int vmm_find(char *vmm, size_t vmm_size, char *kernel, size_t kernel_size, char *initrd,
		    size_t initrd_size)
{
	const char *env = getenv("OZONE_VMM");
	char dir[PATH_MAX];
	int ret;

	if (env && *env) {
		snprintf(vmm, vmm_size, "%s", env);
	} else {
		ret = exe_dir(dir, sizeof(dir));
		if (ret < 0)
			return ret;
		snprintf(vmm, vmm_size, "%s/ozone-vmm", dir);
		/* Only the real VMM needs KVM; say so before it fails less clearly. */
		if (access("/dev/kvm", R_OK | W_OK) < 0)
			return err_set(errno,
				       "/dev/kvm (ozone runs each container in a KVM microVM)");
	}
	if (access(vmm, X_OK) < 0)
		return err_set(errno, "ozone-vmm %s", vmm);
	ret = find_file("OZONE_KERNEL", "bzImage", "guest kernel", kernel, kernel_size);
	if (ret < 0)
		return ret;
	return find_file("OZONE_INITRD", "initramfs.cpio", "guest initramfs", initrd, initrd_size);
}

int sandbox_start_vmm(struct sandbox *sb, const struct sandbox_size *sz,
		      const struct sandbox_net *net)
{
	char vmm[PATH_MAX + 16], kernel[PATH_MAX], initrd[PATH_MAX];
	char cpus[16], mem[16], fs[PATH_MAX + 16];
	/* report: the grandchild's pid, then an exec failure's errno; go: its start. */
	_cleanup_close_ int report_rd = -1, report_wr = -1, go_rd = -1, go_wr = -1;
	int fds[2], e, status, ret;
	ssize_t got;
	pid_t child;

	ret = vmm_find(vmm, sizeof(vmm), kernel, sizeof(kernel), initrd, sizeof(initrd));
	if (ret < 0)
		return ret;
	snprintf(cpus, sizeof(cpus), "%u", sz->cpus);
	snprintf(mem, sizeof(mem), "%u", sz->memory_mib);
	snprintf(fs, sizeof(fs), "%s=%s", SANDBOX_FS_TAG, sb->shared);
	/*
	 * A unix socket path holds at most 107 bytes; a longer one (a long
	 * --root and a 64-character id) is given relative to the VMM's cwd,
	 * the state directory. Our side reaches it through the directory.
	 */
	char sock_rel[] = "vsock/vsock.sock";
	char *sock =
	    strlen(sb->sock) < sizeof(((struct sockaddr_un *)0)->sun_path) ? sb->sock : sock_rel;
	/*
	 * The VMM confines itself in a jail of its own (docs/security.md): an
	 * empty directory here, on which it mounts its root in a private mount
	 * namespace, so nothing is ever mounted on it on the host's side.
	 */
	char jail[PATH_MAX + 8];

	if ((size_t)snprintf(jail, sizeof(jail), "%s/jail", sb->vm_dir) >= sizeof(jail))
		return err_setx(ENAMETOOLONG, "%s: path too long", sb->vm_dir);
	if (mkdir(jail, 0700) < 0 && errno != EEXIST)
		return err_set(errno, "mkdir %s", jail);
	/*
	 * The socket's directory is the one part of the state directory the
	 * VMM sees, writable (it makes the socket there): it holds nothing
	 * else, so that config.json, state.json, vmm.pid and cgroup stay out
	 * of its reach.
	 */
	ret = sandbox_make_sock_dir(sb);
	if (ret < 0)
		return ret;
	/* --balloon: the memory the guest frees goes back to the host (free page reporting). */
	char *argv[20 + 2 * NET_LINKS_MAX] = {
	    vmm,  "--kernel", kernel, "--initrd",  initrd,  "--cpus",
	    cpus, "--memory", mem,    "--console", sb->log, "--vsock-socket",
	    sock, "--fs",     fs,     "--jail",	   jail,    "--balloon"};
	/* One NIC per tap, at the fd vmm_exec puts it on, with the CNI link's MAC and MTU. */
	char nets[NET_LINKS_MAX][64];
	unsigned argc = 0, ntaps = net->cfg && net->ns.fd >= 0 ? net->cfg->nlinks : 0;

	while (argv[argc])
		argc++;
	for (unsigned i = 0; i < ntaps; i++) {
		char mac[NET_MAC_STRLEN];

		net_mac_format(net->cfg->links[i].mac, mac);
		snprintf(nets[i], sizeof(nets[i]), "fd=%u,mac=%s,mtu=%u", 3 + i, mac,
			 net->cfg->links[i].mtu);
		argv[argc++] = "--net";
		argv[argc++] = nets[i];
	}
	argv[argc] = NULL;

	ozone_debug("starting %s --cpus %s --memory %s", vmm, cpus, mem);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	report_rd = fds[0];
	report_wr = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	go_rd = fds[0];
	go_wr = fds[1];
	child = fork();
	if (child < 0)
		return err_set(errno, "fork");
	if (child == 0) {
		/* Its own session, and not our child: it outlives us, and no waiter of ours sees
		 * it. */
		pid_t gc;

		close(take_fd(&report_rd));
		close(take_fd(&go_wr));
		setsid();
		gc = fork();
		if (gc < 0)
			_exit(1);
		if (gc == 0)
			vmm_exec(sb, argv, report_wr, go_rd, net);
		write_all(report_wr, &gc, sizeof(gc));
		_exit(0);
	}
	close(take_fd(&report_wr));
	close(take_fd(&go_rd));
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	got = read(report_rd, &sb->vmm_pid, sizeof(sb->vmm_pid));
	if (got != sizeof(sb->vmm_pid)) {
		sb->vmm_pid = 0;
		return err_setx(ECHILD, "starting ozone-vmm: fork failed");
	}
	/*
	 * Recorded before it may exec: a create killed from here on leaves a
	 * vmm.pid that delete finds, and one killed before leaves no VMM.
	 * It waits on go, so /proc has it; a pid without its start time is
	 * never killed. Closing go unwritten ends it.
	 */
	sb->vmm_start = store_pid_start(sb->vmm_pid);
	ret = sb->vmm_start ? vmm_record(sb)
			    : err_setx(ESRCH, "ozone-vmm %d: no start time in /proc", sb->vmm_pid);
	if (ret < 0)
		goto fail;
	ret = host_cgroup_join(sb->cgroup, sb->vmm_pid, sb->cgroup_ignore_perm);
	if (ret < 0)
		goto fail;
	write_all(go_wr, "g", 1);
	close(take_fd(&go_wr));
	/* The exec closes the pipe (CLOEXEC); an errno before EOF means it failed. */
	while ((got = read(report_rd, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (got == sizeof(e)) {
		sb->vmm_pid = 0;
		if (e < 0)
			return err_set(-e, "ozone-vmm: enter %s network namespace",
				       net->ns.fd >= 0 ? net->ns.path : "a new");
		return err_set(e, "exec %s", vmm);
	}
	agent_expect_peer(sb->vmm_pid);
	return 0;

fail:
	sb->vmm_pid = 0;
	return ret;
}

bool sandbox_vmm_alive(const struct sandbox *sb)
{
	/* vmm.pid is a file: a pid whose start time was not recorded is nobody we know. */
	return store_pid_alive(sb->vmm_pid, sb->vmm_start);
}

/*
 * The last non-empty line of the VMM's log, for an error message, escaped
 * (common/escape.h): the log holds the guest's console, which a hostile
 * guest fills with terminal escape sequences and carriage returns.
 */
static void vmm_log_tail(const struct sandbox *sb, char *out, size_t size)
{
	char buf[4096];
	ssize_t n = 0;
	off_t end;
	/* The VMM writes it: never a symlink followed, nor a FIFO waited on. */
	int fd = open(sb->log, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;

	out[0] = '\0';
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	end = lseek(fd, 0, SEEK_END);
	if (end > 0) {
		off_t from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;

		n = pread(fd, buf, sizeof(buf), from);
	}
	close(fd);
	if (n <= 0)
		return;
	/* A line ends at \n only: a \r inside it is shown, not obeyed. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	const char *line = memrchr(buf, '\n', n);

	line = line ? line + 1 : buf;
	/*
	 * The VMM's own words start where it says its name: a guest console
	 * line it interrupted (no newline yet) is left out, so that its
	 * message fits whole (a triple fault's registers take 300 bytes).
	 */
	const char *own = memmem(line, buf + n - line, "ozone-vmm: ", 11);
	const char *next;

	while (own && (next = memmem(own + 1, buf + n - own - 1, "ozone-vmm: ", 11)))
		own = next;
	if (own)
		line = own;
	/* The last line, escaped and cut to fit: it only decorates a message. */
	escape_bytes(out, size, line, buf + n - line);
}

/* Records "<what><sep><the VMM log's last line>" (no separator when the log is empty). */
static int err_with_console(const struct sandbox *sb, int errnum, const char *what, const char *sep)
{
	char tail[400]; /* the whole message is at most 512 bytes (common/error.c) */

	vmm_log_tail(sb, tail, sizeof(tail));
	return err_setx(errnum, "%s%s%s", what, tail[0] ? sep : "", tail);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int sandbox_boot_timeout_ms(void)
{
	const char *v = getenv("OZONE_BOOT_TIMEOUT");
	long long s;

	if (v && ozone_parse_long("OZONE_BOOT_TIMEOUT", v, 1, 3600, &s) == 0)
		return (int)s * 1000;
	return 60000;
}

void sandbox_block_stop_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, old);
}

int sandbox_interrupted(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigismember(&pending, sigs[i]))
			return err_setx(EINTR, "interrupted by %s", strsignal(sigs[i]));
	return 0;
}

/* The least a started handshake with the agent is given (sandbox_connect). */
#define HANDSHAKE_MIN_MS 60000

int sandbox_connect(struct sandbox *sb, struct agent_conn *c, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char what[512];
	int ret, delay = 1;

	for (;;) {
		long long left = deadline - now_ms();

		/*
		 * Once the VMM takes the connection, the CONNECT answer and the
		 * hello get at least a minute of their own, not what the boot left
		 * of the deadline: many guests booting at once answer slowly.
		 */
		ret =
		    agent_open(c, sb->sock, left > HANDSHAKE_MIN_MS ? (int)left : HANDSHAKE_MIN_MS);
		if (ret == 0)
			return 0;
		if (ret == -ETIMEDOUT) {
			/* The VMM took it, the guest never answered: say where the guest is. */
			snprintf(what, sizeof(what), "%s", err_msg());
			return err_with_console(sb, ETIMEDOUT, what, "; last VMM output: ");
		}
		/*
		 * Not there yet: no socket (-ENOENT), nobody listening yet
		 * (-ECONNREFUSED), or the guest's port not open yet (the VMM
		 * closes the connection: -ECONNRESET). Anything else is an answer.
		 */
		if (ret != -ENOENT && ret != -ECONNREFUSED && ret != -ECONNRESET)
			return ret;
		ret = sandbox_interrupted();
		if (ret < 0)
			return ret;
		if (!sandbox_vmm_alive(sb))
			return err_with_console(sb, ECHILD,
						"ozone-vmm exited before the agent answered", ": ");
		if (now_ms() >= deadline) {
			snprintf(what, sizeof(what), "the agent did not answer within %d s",
				 timeout_ms / 1000);
			return err_with_console(sb, ETIMEDOUT, what, "; last VMM output: ");
		}
		/* Short steps: the boot is what a `run` waits for; a dial costs little. */
		sleep_ms(delay);
		if (delay < 16)
			delay *= 2;
	}
}

/* Waits up to ms for the VMM to be gone; true if it is. */
static bool vmm_wait_gone(const struct sandbox *sb, int ms)
{
	long long deadline = now_ms() + ms;

	while (sandbox_vmm_alive(sb)) {
		if (now_ms() >= deadline)
			return false;
		sleep_ms(10);
	}
	return true;
}

/*
 * SIGKILLs the recorded VMM through a pidfd taken before its start time is
 * checked once more: the signal reaches that process, not one that got
 * its pid in between.
 */
static int vmm_kill(const struct sandbox *sb)
{
	int pfd = (int)syscall(SYS_pidfd_open, sb->vmm_pid, 0), ret = 0;

	if (pfd < 0)
		return errno == ESRCH ? 0 : err_set(errno, "pidfd_open ozone-vmm %d", sb->vmm_pid);
	if (sandbox_vmm_alive(sb) && syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0 &&
	    errno != ESRCH)
		ret = err_set(errno, "kill ozone-vmm %d", sb->vmm_pid);
	close(pfd);
	return ret;
}

int sandbox_stop_vmm(struct sandbox *sb)
{
	struct agent_conn c;
	int ret;

	if (!sandbox_vmm_alive(sb))
		return 0;
	/*
	 * A clean power off first, so the guest syncs what it wrote to the
	 * shared files. An agent that does not answer in time (or stops half
	 * way through a frame) is not waited for: the VMM is killed.
	 */
	if (agent_open(&c, sb->sock, 2000) == 0) {
		c.timeout_ms = 5000;
		ret = agent_call_simple(&c, PROTO_OP_SHUTDOWN, "");

		agent_close(&c);
		if (ret < 0)
			ozone_debug("shutdown: %s", err_msg());
		if (ret != -ETIMEDOUT && vmm_wait_gone(sb, 10000))
			return 0;
	} else {
		ozone_debug("shutdown: %s", err_msg());
	}
	ret = vmm_kill(sb);
	if (ret < 0)
		return ret;
	if (!vmm_wait_gone(sb, 10000))
		return err_setx(EBUSY, "ozone-vmm %d does not die", sb->vmm_pid);
	return 0;
}
