/* SPDX-License-Identifier: Apache-2.0 */
/* The MP table, parsed back as a guest kernel would find it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "vm.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/boot_internal.h"

#define MEM_SIZE (2ULL << 20)

struct ram {
	uint8_t *buf;
	struct guest_mem mem;
};

/* What the guest learns from the table. */
struct parsed {
	unsigned cpus, bsp_count, buses, ioapics, intsrcs, lintsrcs;
	uint8_t apic_ids[256];
	uint8_t ioapic_id;
	uint32_t ioapic_addr;
	uint8_t irq_pin[32];
	uint16_t entries; /* oemcount */
};

static int setup(void **state)
{
	struct ram *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->buf = calloc(1, MEM_SIZE);
	assert_non_null(r->buf);
	guest_mem_init_flat(&r->mem, r->buf, MEM_SIZE);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct ram *r = *state;

	free(r->buf);
	free(r);
	return 0;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint16_t rd16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

/* Scans the EBDA's KiB for the floating pointer, as Linux's smp_scan_config() does. */
static void parse(struct ram *r, struct parsed *out)
{
	const uint8_t *mpf = NULL, *mpc, *p, *end;

	memset(out, 0, sizeof(*out));
	for (uint64_t a = X86_EBDA_START; a < 0xa0000; a += 16) {
		if (memcmp(r->buf + a, "_MP_", 4) == 0) {
			mpf = r->buf + a;
			break;
		}
	}
	assert_non_null(mpf);
	assert_int_equal(mpf[8], 1); /* length: 16 bytes */
	assert_int_equal(mpf[9], 4); /* spec 1.4 */
	assert_int_equal(sum(mpf, 16), 0);
	assert_int_equal(mpf[11], 0); /* feature1: a table is present */

	uint32_t physptr = rd32(mpf + 4);
	assert_true(physptr + 44 <= MEM_SIZE);
	mpc = r->buf + physptr;
	assert_memory_equal(mpc, "PCMP", 4);
	uint16_t len = rd16(mpc + 4);
	assert_true(physptr + len <= X86_HIMEM_START);
	assert_int_equal(mpc[6], 4);
	assert_int_equal(sum(mpc, len), 0);
	assert_int_equal(rd32(mpc + 36), X86_LAPIC_ADDR);
	out->entries = rd16(mpc + 34);

	unsigned n = 0;
	for (p = mpc + 44, end = mpc + len; p < end; n++) {
		switch (p[0]) {
		case 0:			       /* processor */
			assert_true(p[3] & 1); /* enabled */
			if (p[3] & 2)
				out->bsp_count++;
			out->apic_ids[out->cpus++] = p[1];
			p += 20;
			break;
		case 1:
			assert_memory_equal(p + 2, "ISA   ", 6);
			out->buses++;
			p += 8;
			break;
		case 2:
			out->ioapics++;
			out->ioapic_id = p[1];
			assert_int_equal(p[2], 0x11);
			assert_true(p[3] & 1);
			out->ioapic_addr = rd32(p + 4);
			p += 8;
			break;
		case 3:
			assert_int_equal(p[1], 0);	  /* INT */
			assert_int_equal(rd16(p + 2), 0); /* ISA default: edge, active high */
			assert_int_equal(p[6], out->ioapic_id);
			assert_true(p[5] < 32);
			out->irq_pin[p[5]] = p[7];
			out->intsrcs++;
			p += 8;
			break;
		case 4:
			out->lintsrcs++;
			p += 8;
			break;
		default:
			fail_msg("unknown MP entry type %u", p[0]);
		}
	}
	assert_ptr_equal(p, end);
	assert_int_equal(n, out->entries);
}

static void check_cpus(void **state, unsigned ncpus)
{
	struct ram *r = *state;
	struct parsed t;

	assert_int_equal(x86_mptable_write(&r->mem, ncpus), 0);
	parse(r, &t);
	assert_int_equal(t.cpus, ncpus);
	assert_int_equal(t.bsp_count, 1);
	for (unsigned i = 0; i < ncpus; i++)
		assert_int_equal(t.apic_ids[i], i);
	assert_int_equal(t.buses, 1);
	assert_int_equal(t.ioapics, 1);
	assert_int_equal(t.ioapic_id, ncpus);
	assert_int_equal(t.ioapic_addr, X86_IOAPIC_ADDR);
	assert_int_equal(t.intsrcs, 24);
	for (unsigned irq = 0; irq < 24; irq++)
		assert_int_equal(t.irq_pin[irq], irq);
	assert_int_equal(t.lintsrcs, 2);
	assert_int_equal(x86_mptable_size(ncpus), 16 + 44 + 20 * ncpus + 8 + 8 + 24 * 8 + 2 * 8);
}

static void test_one_cpu(void **state)
{
	check_cpus(state, 1);
}

static void test_four_cpus(void **state)
{
	check_cpus(state, 4);
}

static void test_max_cpus(void **state)
{
	check_cpus(state, VM_MAX_CPUS);
	assert_true(X86_EBDA_START + x86_mptable_size(VM_MAX_CPUS) <= X86_HIMEM_START);
}

/* The first CPU is the BSP. */
static void test_bsp_is_cpu0(void **state)
{
	struct ram *r = *state;
	const uint8_t *cpu0;

	assert_int_equal(x86_mptable_write(&r->mem, 2), 0);
	cpu0 = r->buf + rd32(r->buf + X86_EBDA_START + 4) + 44;
	assert_int_equal(cpu0[0], 0);
	assert_int_equal(cpu0[3], 3);
	assert_int_equal(cpu0[20 + 3], 1);
}

static void test_cpu_count_rejected(void **state)
{
	struct ram *r = *state;

	assert_int_equal(x86_mptable_write(&r->mem, 0), -EINVAL);
	assert_non_null(strstr(err_msg(), "MP table: 0 CPUs"));
	assert_int_equal(x86_mptable_write(&r->mem, VM_MAX_CPUS + 1), -EINVAL);
	assert_non_null(strstr(err_msg(), "65 CPUs"));
	for (size_t i = X86_EBDA_START; i < X86_HIMEM_START; i++)
		assert_int_equal(r->buf[i], 0);
}

static void test_memory_too_small(void **state)
{
	uint8_t *buf = calloc(1, 0xa0000);
	struct guest_mem m;

	(void)state;
	assert_non_null(buf);
	guest_mem_init_flat(&m, buf, 0x9fc40);
	assert_int_equal(x86_mptable_write(&m, 1), -ENOMEM);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_cpu, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_four_cpus, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_max_cpus, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bsp_is_cpu0, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cpu_count_rejected, setup, teardown),
	    cmocka_unit_test(test_memory_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
