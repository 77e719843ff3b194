/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the guest kernel image, as ozone-vmm maps it from
 * --kernel, through both loaders (x86_load_elf and x86_load_bzimage, each on
 * fresh guest memory, whatever the magic says). Guest memory is a flat
 * buffer of MEM_SIZE bytes at gpa 0 with ASan-poisoned guard regions: one
 * after its end, and [0, 1 MiB) inside it, where the zero page, page tables
 * and command line live and no loader may write. Beyond ASan's own checks:
 * a refused image leaves guest memory untouched; an accepted one lies in
 * [1 MiB, end of RAM); an initrd placed after it lands between the kernel
 * and the end of RAM, below the image's initrd_addr_max.
 * Seeds: tests/fuzz/corpus/loader/ (a synthetic ELF and bzImage header).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Ivmm \
 *     tests/fuzz/fuzz_loader.c vmm/arch/x86_64/loader_elf.c \
 *     vmm/arch/x86_64/loader_bzimage.c vmm/arch/x86_64/zero_page.c \
 *     vmm/guest_mem.c common/error.c -o fuzz_loader
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/asan_interface.h>

#include "fuzz_target.h"
#include "arch/x86_64/boot_internal.h"
#include "guest_mem.h"

/* 1 MiB that must stay untouched, then 256 KiB a kernel may use. */
#define MEM_SIZE (X86_HIMEM_START + 0x40000)
#define GUARD_SIZE 0x10000
#define HIGH_SIZE (MEM_SIZE - X86_HIMEM_START)

typedef int (*loader_fn)(struct guest_mem *, const void *, size_t, const char *,
			 struct boot_params *, struct x86_kernel *);

static uint8_t *mem; /* MEM_SIZE of guest RAM + GUARD_SIZE of guard */
static const uint8_t zeros[HIGH_SIZE];

static void setup(void)
{
	mem = aligned_alloc(4096, MEM_SIZE + GUARD_SIZE);
	if (!mem)
		abort();
	memset(mem, 0, MEM_SIZE + GUARD_SIZE);
	ASAN_POISON_MEMORY_REGION(mem, X86_HIMEM_START);
	ASAN_POISON_MEMORY_REGION(mem + MEM_SIZE, GUARD_SIZE);
}

static void check_initrd(const struct guest_mem *gm, const struct x86_kernel *k, uint64_t size)
{
	uint64_t addr;

	if (x86_initrd_place(gm, k, size, "fuzz", &addr) < 0)
		return;
	if (addr % 4096 || addr < k->end || addr > MEM_SIZE || size > MEM_SIZE - addr ||
	    addr + size - 1 > k->initrd_max)
		abort();
}

static void run(loader_fn load, const uint8_t *data, size_t size)
{
	struct guest_mem gm;
	struct boot_params zp;
	struct x86_kernel k;
	uint8_t *high = mem + X86_HIMEM_START;

	memset(high, 0, HIGH_SIZE);
	memset(&zp, 0, sizeof(zp));
	memset(&k, 0, sizeof(k));
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (load(&gm, data, size, "fuzz", &zp, &k) < 0) {
		/* Every check comes before the first byte is copied. */
		if (memcmp(high, zeros, HIGH_SIZE) != 0)
			abort();
		return;
	}
	if (k.start < X86_HIMEM_START || k.start > k.end || k.end > MEM_SIZE)
		abort();
	if (k.entry < X86_HIMEM_START || k.entry >= MEM_SIZE)
		abort();
	check_initrd(&gm, &k, 1);
	check_initrd(&gm, &k, 4096);
	check_initrd(&gm, &k, size);
	check_initrd(&gm, &k, HIGH_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!mem)
		setup();
	run(x86_load_elf, data, size);
	run(x86_load_bzimage, data, size);
	return 0;
}
