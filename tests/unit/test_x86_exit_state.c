/* SPDX-License-Identifier: Apache-2.0 */
/* The last exit a vCPU kept, and the one line a triple fault prints from it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/exit_state.h"

/* A kvm_run as KVM leaves it after an OUT to 0x3f8 with registers synced. */
static void fill_io_exit(struct kvm_run *run)
{
	memset(run, 0, sizeof(*run));
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 1;
	run->io.port = 0x3f8;
	run->io.count = 1;
	run->s.regs.regs.rip = 0xffffffff81001234ULL;
	run->s.regs.regs.rsp = 0xffffc90000013e80ULL;
	run->s.regs.regs.rflags = 0x246;
	run->s.regs.sregs.cr0 = 0x80050033;
	run->s.regs.sregs.cr3 = 0x1c0a000;
	run->s.regs.sregs.cr4 = 0x3706f0;
	run->s.regs.sregs.efer = 0xd01;
	run->s.regs.sregs.cs.selector = 0x10;
	run->s.regs.sregs.cs.base = 0;
}

static void test_record_io_with_regs(void **state)
{
	struct x86_last_exit e = {0};
	struct kvm_run *run = calloc(1, sizeof(*run));

	(void)state;
	assert_non_null(run);
	fill_io_exit(run);
	x86_last_exit_record(&e, run, true);
	assert_true(e.seen);
	assert_true(e.regs_known);
	assert_int_equal(e.reason, KVM_EXIT_IO);
	assert_true(e.write);
	assert_int_equal(e.port, 0x3f8);
	assert_int_equal(e.size, 1);
	assert_int_equal(e.rip, 0xffffffff81001234ULL);
	assert_int_equal(e.rsp, 0xffffc90000013e80ULL);
	assert_int_equal(e.rflags, 0x246);
	assert_int_equal(e.cr0, 0x80050033);
	assert_int_equal(e.cr3, 0x1c0a000);
	assert_int_equal(e.cr4, 0x3706f0);
	assert_int_equal(e.efer, 0xd01);
	assert_int_equal(e.cs, 0x10);
	free(run);
}

static void test_record_without_sync_keeps_no_regs(void **state)
{
	struct x86_last_exit e = {0};
	struct kvm_run *run = calloc(1, sizeof(*run));

	(void)state;
	assert_non_null(run);
	fill_io_exit(run);
	x86_last_exit_record(&e, run, true);
	/* An MMIO read, recorded without synced registers: the older registers must not stay. */
	memset(run, 0, sizeof(*run));
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xd0000070;
	run->mmio.len = 4;
	run->mmio.is_write = 0;
	x86_last_exit_record(&e, run, false);
	assert_true(e.seen);
	assert_false(e.regs_known);
	assert_int_equal(e.reason, KVM_EXIT_MMIO);
	assert_false(e.write);
	assert_int_equal(e.addr, 0xd0000070);
	assert_int_equal(e.size, 4);
	free(run);
}

static void test_msg_with_regs(void **state)
{
	struct x86_last_exit e = {0};
	struct kvm_run *run = calloc(1, sizeof(*run));
	char buf[384];

	(void)state;
	assert_non_null(run);
	fill_io_exit(run);
	x86_last_exit_record(&e, run, true);
	x86_shutdown_msg(buf, sizeof(buf), &e, true, true, 0xfff0);
	assert_string_equal(buf,
			    "triple fault (the guest is reset; its last exit, an I/O write to "
			    "port 0x3f8, was at RIP 0xffffffff81001234 RSP 0xffffc90000013e80 "
			    "RFLAGS 0x246 CR0 0x80050033 CR3 0x1c0a000 CR4 0x3706f0 EFER 0xd01 "
			    "CS 0x10 base 0x0; RIP now 0xfff0)");
	assert_null(strchr(buf, '\n'));
	free(run);
}

static void test_msg_exits(void **state)
{
	struct x86_last_exit e = {.seen = true};
	char buf[256];

	(void)state;
	e.reason = KVM_EXIT_IO;
	e.port = 0x3fd;
	x86_shutdown_msg(buf, sizeof(buf), &e, true, false, 0);
	assert_string_equal(buf,
			    "triple fault (the guest is reset; its last exit, an I/O read from "
			    "port 0x3fd, registers unknown)");
	e.reason = KVM_EXIT_MMIO;
	e.write = true;
	e.addr = 0xd0000050;
	x86_shutdown_msg(buf, sizeof(buf), &e, true, false, 0);
	assert_string_equal(buf,
			    "triple fault (the guest is reset; its last exit, an MMIO write to "
			    "0xd0000050, registers unknown)");
	e.reason = KVM_EXIT_HLT;
	x86_shutdown_msg(buf, sizeof(buf), &e, true, false, 0);
	assert_string_equal(
	    buf, "triple fault (the guest is reset; its last exit, a HLT, registers unknown)");
	e.reason = 99;
	x86_shutdown_msg(buf, sizeof(buf), &e, true, false, 0);
	assert_string_equal(buf, "triple fault (the guest is reset; its last exit, KVM exit reason "
				 "99, registers unknown)");
}

/* Without KVM_CAP_SYNC_REGS the line says the registers are unknown, and why. */
static void test_msg_without_sync_regs(void **state)
{
	struct x86_last_exit e = {.seen = true, .reason = KVM_EXIT_IO, .write = true, .port = 0x80};
	char buf[256];

	(void)state;
	x86_shutdown_msg(buf, sizeof(buf), &e, false, true, 0xfff0);
	assert_string_equal(buf,
			    "triple fault (the guest is reset; its last exit, an I/O write to "
			    "port 0x80, registers unknown: no KVM_CAP_SYNC_REGS; RIP now 0xfff0)");
}

static void test_msg_no_exit(void **state)
{
	struct x86_last_exit e = {0};
	char buf[256];

	(void)state;
	x86_shutdown_msg(buf, sizeof(buf), &e, true, true, 0x100000);
	assert_string_equal(buf, "triple fault (the guest is reset; no exit before it, registers "
				 "unknown; RIP now 0x100000)");
}

/* A short buffer gets a cut, terminated line; nothing is written past it. */
static void test_msg_truncated(void **state)
{
	struct x86_last_exit e = {.seen = true, .reason = KVM_EXIT_IO, .write = true, .port = 0x80};
	char buf[32];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	x86_shutdown_msg(buf, 20, &e, false, true, 0xfff0);
	assert_int_equal(strlen(buf), 19);
	assert_memory_equal(buf, "triple fault (the g", 19);
	assert_int_equal(buf[20], 'x');
	x86_shutdown_msg(buf, 0, &e, false, true, 0xfff0);
	assert_int_equal(buf[0], 't');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_io_with_regs),
	    cmocka_unit_test(test_record_without_sync_keeps_no_regs),
	    cmocka_unit_test(test_msg_with_regs),
	    cmocka_unit_test(test_msg_exits),
	    cmocka_unit_test(test_msg_without_sync_regs),
	    cmocka_unit_test(test_msg_no_exit),
	    cmocka_unit_test(test_msg_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
