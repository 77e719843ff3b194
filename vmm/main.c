/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone-vmm: parse the command line, build the VM, run it until it stops,
 * tear everything down and map the reason it stopped to an exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch/arch.h"
#include "cli.h"
#include "common/error.h"
#include "console.h"
#include "devices/exit_port.h"
#include "devices/i8042.h"
#include "devices/serial.h"
#include "devices/virtio_devices.h"
#include "fs/fuse_server.h"
#include "jail.h"
#include "devices/legacy_io.h"
#include "seccomp_policy.h"
#include "vcpu.h"
#include "vm.h"

#define PROG "ozone-vmm"

#define EXIT_VMM_ERROR 1
#define EXIT_GUEST_PANIC 3

/*
 * Our words come first, so that the user's --cmdline can override them.
 * No pci= or i8042. options: the kernel has neither, and unknown options
 * would end up in init's environment.
 */
#define BASE_CMDLINE                                                                               \
	"console=ttyS0 8250.nr_uarts=1 reboot=k panic=-1 ozone_exit_port=0x501 tsc=reliable "      \
	"no_timer_check"

struct vmm {
	struct vmm_config cfg;
	struct vm vm;
	bool vm_made;
	bool virtio_made;
	struct console console;
	bool console_made;
	struct serial *serial;
	int sigfd;
};

/* SIGTERM/SIGINT arrive on a signalfd, read on the event loop like any other event. */
static void on_signal(void *opaque, uint32_t events)
{
	struct vmm *v = opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(v->sigfd, &si, sizeof(si)) == sizeof(si))
		vm_request_exit(&v->vm, VM_EXIT_SIGNAL, NULL);
}

static int setup_signals(struct vmm *v)
{
	sigset_t set;

	/* A console reader that goes away must give EPIPE, not kill the VMM. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked before any thread starts, so every thread inherits it. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	v->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (v->sigfd < 0)
		return err_set(errno, "signalfd");
	return 0;
}

static int setup_devices(struct vmm *v)
{
	static const struct serial_ops serial_ops = {
	    .tx = console_tx,
	    .rx_room = console_rx_room,
	};
	struct vm *vm = &v->vm;
	int ret;

	ret = serial_create(&v->serial, &serial_ops, &v->console);
	if (ret < 0)
		return ret;
	ret = serial_attach(v->serial, vm);
	if (ret < 0)
		return ret;
	ret = i8042_attach(vm);
	if (ret < 0)
		return ret;
	ret = exit_port_attach(vm);
	if (ret < 0)
		return ret;
	ret = legacy_io_attach(vm);
	if (ret < 0)
		return ret;
	ret = virtio_devices_setup(vm, &v->cfg);
	if (ret < 0)
		return ret;
	v->virtio_made = true;
	return 0;
}

/* Builds the VM up to the point where its vCPUs can run. */
static int build(struct vmm *v)
{
	struct vm *vm = &v->vm;
	int ret;

	ret = console_open(&v->console, &v->cfg);
	if (ret < 0)
		return ret;
	v->console_made = true;
	ret = vm_create(vm, v->cfg.cpus, v->cfg.mem_mib << 20);
	if (ret < 0)
		return ret;
	v->vm_made = true;
	ret = vm_cmdline_append(vm, "%s", BASE_CMDLINE);
	if (ret < 0)
		return ret;
	ret = setup_devices(v);
	if (ret < 0)
		return ret;
	/* Devices have announced themselves; the user's words go last. */
	if (v->cfg.cmdline && *v->cfg.cmdline) {
		ret = vm_cmdline_append(vm, "%s", v->cfg.cmdline);
		if (ret < 0)
			return ret;
	}
	ret = arch_boot_load(vm, v->cfg.kernel, v->cfg.initrd, vm->cmdline);
	if (ret < 0)
		return ret;
	ret = vcpus_create(vm);
	if (ret < 0)
		return ret;
	ret = evloop_add(vm->loop, v->sigfd, EPOLLIN, on_signal, v);
	if (ret < 0)
		return ret;
	return console_attach_input(&v->console, vm->loop, v->serial);
}

/*
 * With --jail: leaves the host's root before anything is opened (jail.h),
 * gives up every privilege the monitor does not need while it still has a
 * single thread, and turns on the seccomp filters that each thread
 * installs as it starts. Capabilities, the bounding set and no_new_privs
 * are per thread: a thread started before the lock-down (the FUSE workers
 * that build() starts) would keep everything.
 */
static int confine(struct vmm *v)
{
	int ret;

	if (!v->cfg.jail_dir)
		return 0;
	jail_close_stray_fds(&v->cfg);
	ret = fuse_server_preopen_proc();
	if (ret < 0)
		return err_set(-ret, "open /proc/self/fd");
	ret = jail_enter(v->cfg.jail_dir, &v->cfg);
	if (ret < 0)
		return ret;
	/* The last use of CAP_SYS_RESOURCE: the fd limit may have to go above the hard one. */
	virtio_devices_set_fd_limit(&v->cfg);
	ret = jail_lock_down(v->cfg.nr_fs > 0);
	if (ret < 0)
		return ret;
	seccomp_policy_enable();
	return 0;
}

/*
 * The event loop's own filter goes on last: a thread inherits the filter
 * of the thread that creates it, and every other thread is running now.
 */
static int lock_down_main_thread(void)
{
	int ret = seccomp_policy_apply(VMM_THREAD_MAIN);

#ifdef OZONE_SECCOMP_SELFTEST
	/* Test-only build: a call no filter allows must kill the monitor here. */
	if (ret == 0 && seccomp_policy_enabled())
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
#endif
	return ret;
}

static int run(struct vmm *v)
{
	int ret = vcpus_start(&v->vm);

	if (ret < 0)
		return ret;
	ret = lock_down_main_thread();
	if (ret < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		vm_request_exit(&v->vm, VM_EXIT_ERROR, msg);
		vcpus_stop(&v->vm);
		return 0;
	}
	ret = evloop_run(v->vm.loop);
	if (ret < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		vm_request_exit(&v->vm, VM_EXIT_ERROR, msg);
	}
	vcpus_stop(&v->vm);
	return 0;
}

/* Undoes build() in reverse; each step knows whether it was done. */
static void teardown(struct vmm *v)
{
	if (v->console_made)
		console_detach_input(&v->console);
	if (v->vm_made) {
		vcpus_stop(&v->vm);
		if (v->virtio_made)
			virtio_devices_teardown(&v->vm);
		vcpus_destroy(&v->vm);
	}
	serial_destroy(v->serial);
	v->serial = NULL;
	if (v->vm_made)
		vm_destroy(&v->vm);
	if (v->console_made)
		console_close(&v->console);
	if (v->sigfd >= 0)
		close(v->sigfd);
	v->sigfd = -1;
}

static int exit_status(struct vm *vm)
{
	switch (atomic_load(&vm->exit_reason)) {
	case VM_EXIT_POWEROFF:
	case VM_EXIT_REBOOT:
	case VM_EXIT_SIGNAL:
		return 0;
	case VM_EXIT_PANIC:
		err_printf(PROG, "%s", vm->exit_msg[0] ? vm->exit_msg : "guest kernel panicked");
		return EXIT_GUEST_PANIC;
	default:
		err_printf(PROG, "%s", vm->exit_msg[0] ? vm->exit_msg : "VM stopped on an error");
		return EXIT_VMM_ERROR;
	}
}

/* Options that later devices will serve: refused for now, rather than ignored. */
static int check_supported(const struct vmm_config *cfg)
{
	if (cfg->api_socket)
		return err_setx(ENOTSUP, "--api-socket: not supported yet");
	return 0;
}

/* The command line: 1 when it was answered already (--help, --version), 0, or -errno. */
static int parse_args(struct vmm_config *cfg, int argc, char **argv)
{
	int ret = cli_parse(cfg, argc, argv, stdout);

	if (ret != 0)
		return ret;
	return check_supported(cfg);
}

/* Confines the monitor, builds the VM and runs it until it stops. */
static int confine_build_run(struct vmm *v)
{
	int ret = confine(v);

	if (ret < 0)
		return ret;
	ret = setup_signals(v);
	if (ret < 0)
		return ret;
	ret = build(v);
	if (ret < 0)
		return ret;
	return run(v);
}

int main(int argc, char **argv)
{
	static struct vmm v = {.sigfd = -1};
	int ret, status;

	ret = parse_args(&v.cfg, argc, argv);
	if (ret > 0)
		return 0;
	if (ret < 0) {
		err_print(PROG, ret);
		return CLI_EXIT_USAGE;
	}

	ret = confine_build_run(&v);
	if (ret < 0) {
		/* Keep the message: teardown may record others. */
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		teardown(&v);
		err_printf(PROG, "%s", msg[0] ? msg : strerror(-ret));
		return EXIT_VMM_ERROR;
	}
	teardown(&v);
	status = exit_status(&v.vm);
	return status;
}
