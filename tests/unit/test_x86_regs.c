/* SPDX-License-Identifier: Apache-2.0 */
/* Boot vCPU state: the 64-bit boot protocol's registers and a GDT that matches them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/boot.h"
#include "arch/x86_64/boot_internal.h"

#define MEM_SIZE 0x10000

/* Decodes an 8-byte descriptor the way the CPU loads it into a segment register. */
static struct kvm_segment decode(uint64_t d, uint16_t selector)
{
	struct kvm_segment s = {0};
	uint32_t limit = (d & 0xffff) | ((d >> 48) & 0xf) << 16;

	s.base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
	s.type = (d >> 40) & 0xf;
	s.s = (d >> 44) & 1;
	s.dpl = (d >> 45) & 3;
	s.present = (d >> 47) & 1;
	s.avl = (d >> 52) & 1;
	s.l = (d >> 53) & 1;
	s.db = (d >> 54) & 1;
	s.g = (d >> 55) & 1;
	s.limit = s.g ? (limit << 12) | 0xfff : limit;
	s.selector = selector;
	return s;
}

static void assert_seg_equal(const struct kvm_segment *a, const struct kvm_segment *b)
{
	assert_int_equal(a->base, b->base);
	assert_int_equal(a->limit, b->limit);
	assert_int_equal(a->selector, b->selector);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->present, b->present);
	assert_int_equal(a->dpl, b->dpl);
	assert_int_equal(a->db, b->db);
	assert_int_equal(a->s, b->s);
	assert_int_equal(a->l, b->l);
	assert_int_equal(a->g, b->g);
	assert_int_equal(a->avl, b->avl);
}

static void test_sregs_long_mode(void **state)
{
	struct kvm_sregs s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.cr0 = 0x60000010; /* reset value: CD, NW, ET */
	s.apic_base = 0xfee00900;
	x86_boot_sregs(&s);
	assert_int_equal(s.cr0 & 0x80000001, 0x80000001); /* PG, PE */
	assert_int_equal(s.cr0 & 0x60000000, 0);	  /* caches on */
	assert_int_equal(s.cr3, X86_PML4_ADDR);
	assert_true(s.cr4 & (1 << 5));		   /* PAE */
	assert_int_equal(s.efer & 0x500, 0x500);   /* LME, LMA */
	assert_int_equal(s.apic_base, 0xfee00900); /* left alone */
}

/* boot.rst: CS = __BOOT_CS (0x10), DS = ES = SS = __BOOT_DS (0x18), 4 GiB flat. */
static void test_sregs_boot_protocol_selectors(void **state)
{
	struct kvm_sregs s;

	(void)state;
	memset(&s, 0, sizeof(s));
	x86_boot_sregs(&s);
	assert_int_equal(s.cs.selector, 0x10);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.type & 0x8, 0x8); /* code */
	assert_int_equal(s.cs.type & 0x2, 0x2); /* readable */
	const struct kvm_segment *data[] = {&s.ds, &s.es, &s.ss, &s.fs, &s.gs};
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(data[i]->selector, 0x18);
		assert_int_equal(data[i]->type, 0x3); /* read/write, accessed */
		assert_int_equal(data[i]->base, 0);
		assert_int_equal(data[i]->limit, 0xffffffff);
		assert_int_equal(data[i]->present, 1);
	}
	assert_int_equal(s.tr.type, 0xb); /* busy 64-bit TSS */
	assert_int_equal(s.tr.present, 1);
	assert_int_equal(s.tr.s, 0);
	assert_int_equal(s.gdt.base, X86_GDT_ADDR);
	assert_int_equal(s.gdt.limit, X86_GDT_ENTRIES * 8 - 1);
}

static void test_gdt_matches_sregs(void **state)
{
	uint8_t *buf = calloc(1, MEM_SIZE);
	struct guest_mem m;
	struct kvm_sregs s;
	uint64_t gdt[X86_GDT_ENTRIES];

	(void)state;
	assert_non_null(buf);
	guest_mem_init_flat(&m, buf, MEM_SIZE);
	memset(&s, 0, sizeof(s));
	x86_boot_sregs(&s);
	assert_int_equal(x86_gdt_write(&m), 0);
	memcpy(gdt, buf + X86_GDT_ADDR, sizeof(gdt));
	assert_int_equal(gdt[0], 0);
	assert_true(s.gdt.limit >= s.tr.selector + 15);

	struct kvm_segment cs = decode(gdt[s.cs.selector / 8], s.cs.selector);
	struct kvm_segment ds = decode(gdt[s.ds.selector / 8], s.ds.selector);
	struct kvm_segment tr = decode(gdt[s.tr.selector / 8], s.tr.selector);
	assert_seg_equal(&cs, &s.cs);
	assert_seg_equal(&ds, &s.ds);
	assert_seg_equal(&ds, &s.ss);
	assert_seg_equal(&tr, &s.tr);
	assert_int_equal(gdt[s.tr.selector / 8 + 1], 0); /* base bits 32-63 */
	free(buf);
}

static void test_regs(void **state)
{
	struct x86_boot_info info = {.entry = 0x1000200, .zero_page = 0x7000, .stack = 0x8ff0};
	struct kvm_regs r;

	(void)state;
	memset(&r, 0xaa, sizeof(r));
	x86_boot_regs(&r, &info);
	assert_int_equal(r.rip, 0x1000200);
	assert_int_equal(r.rsi, 0x7000);
	assert_int_equal(r.rsp, 0x8ff0);
	assert_int_equal(r.rflags, 0x2); /* interrupts off */
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rdi, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sregs_long_mode),
	    cmocka_unit_test(test_sregs_boot_protocol_selectors),
	    cmocka_unit_test(test_gdt_matches_sregs),
	    cmocka_unit_test(test_regs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
