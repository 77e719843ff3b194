/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Intel MultiProcessor Specification 1.4 table: how a guest without ACPI
 * learns its CPUs, its IOAPIC and how ISA interrupts reach the IOAPIC. The
 * floating pointer sits at the start of the EBDA (the last KiB of base memory
 * is one of the places Linux scans); the configuration table follows it and
 * may run on into [0xa0000, 1 MiB), which the e820 map also reserves: 64 CPUs
 * do not fit in the EBDA's single KiB.
 */
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "vm.h"
#include "boot.h"
#include "boot_internal.h"

/* Entry layouts from the MP specification 1.4, chapter 4. */
struct mpf_intel {
	char signature[4]; /* "_MP_" */
	uint32_t physptr;  /* configuration table */
	uint8_t length;	   /* in 16-byte units */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5]; /* all 0: a configuration table is present, no IMCR */
} __attribute__((packed));

struct mpc_table {
	char signature[4]; /* "PCMP" */
	uint16_t length;   /* base table, header included */
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount; /* number of entries */
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

/* I/O interrupt (MP_INTSRC) and local interrupt (MP_LINTSRC) entries. */
struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer is 16 bytes");
_Static_assert(sizeof(struct mpc_table) == 44, "MP configuration table header is 44 bytes");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry is 20 bytes");
_Static_assert(sizeof(struct mpc_bus) == 8 && sizeof(struct mpc_ioapic) == 8 &&
		   sizeof(struct mpc_intsrc) == 8,
	       "MP bus, IOAPIC and interrupt entries are 8 bytes");

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define MP_SPEC_REV 4 /* 1.4 */
#define CPU_ENABLED 0x1
#define CPU_BOOTPROCESSOR 0x2
#define CPU_SIGNATURE 0x600 /* family 6; Linux only looks at it for very old CPUs */
#define CPU_FEATURE_FPU 0x001
#define CPU_FEATURE_APIC 0x200
#define LAPIC_VERSION 0x14  /* what KVM's local APIC reports */
#define IOAPIC_VERSION 0x11 /* what KVM's IOAPIC reports */
#define IOAPIC_USABLE 0x1
#define IRQFLAG_DEFAULT 0 /* conforms to the bus: ISA is edge-triggered, active high */
#define ISA_BUS_ID 0
#define ALL_LAPICS 0xff
/*
 * One I/O interrupt entry per IOAPIC pin, IRQ n on pin n, IRQ 0 included:
 * that is KVM's default GSI routing (the in-kernel PIT raises GSI 0, which
 * reaches pin 0). GSIs 5 and up are virtio-mmio devices, edge-triggered
 * through irqfds.
 */
#define IOAPIC_PINS 24

size_t x86_mptable_size(unsigned ncpus)
{
	return sizeof(struct mpf_intel) + sizeof(struct mpc_table) +
	       ncpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
	       IOAPIC_PINS * sizeof(struct mpc_intsrc) + 2 * sizeof(struct mpc_intsrc);
}

static uint8_t mp_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

/* Appends the entries after the header; returns the number written. */
static unsigned mp_fill_entries(uint8_t *p, unsigned ncpus, uint8_t ioapic_id)
{
	unsigned count = 0;

	for (unsigned i = 0; i < ncpus; i++, count++) {
		struct mpc_cpu *c = (struct mpc_cpu *)p;

		c->type = MP_PROCESSOR;
		c->apicid = i;
		c->apicver = LAPIC_VERSION;
		c->cpuflag = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0);
		c->cpufeature = CPU_SIGNATURE;
		c->featureflag = CPU_FEATURE_APIC | CPU_FEATURE_FPU;
		p += sizeof(*c);
	}

	struct mpc_bus *bus = (struct mpc_bus *)p;
	bus->type = MP_BUS;
	bus->busid = ISA_BUS_ID;
	memcpy(bus->bustype, "ISA   ", 6);
	p += sizeof(*bus);
	count++;

	struct mpc_ioapic *io = (struct mpc_ioapic *)p;
	io->type = MP_IOAPIC;
	io->apicid = ioapic_id;
	io->apicver = IOAPIC_VERSION;
	io->flags = IOAPIC_USABLE;
	io->apicaddr = X86_IOAPIC_ADDR;
	p += sizeof(*io);
	count++;

	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++, count++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		s->type = MP_INTSRC;
		s->irqtype = MP_INT;
		s->irqflag = IRQFLAG_DEFAULT;
		s->srcbus = ISA_BUS_ID;
		s->srcbusirq = pin;
		s->dstapic = ioapic_id;
		s->dstirq = pin;
		p += sizeof(*s);
	}

	/* LINT0 takes the 8259's ExtINT on the BSP, LINT1 is NMI on every CPU. */
	struct mpc_intsrc *l = (struct mpc_intsrc *)p;
	l[0] = (struct mpc_intsrc){.type = MP_LINTSRC,
				   .irqtype = MP_EXTINT,
				   .srcbus = ISA_BUS_ID,
				   .dstapic = 0,
				   .dstirq = 0};
	l[1] = (struct mpc_intsrc){.type = MP_LINTSRC,
				   .irqtype = MP_NMI,
				   .srcbus = ISA_BUS_ID,
				   .dstapic = ALL_LAPICS,
				   .dstirq = 1};
	count += 2;
	return count;
}

int x86_mptable_write(struct guest_mem *mem, unsigned ncpus)
{
	size_t size = x86_mptable_size(ncpus);
	uint8_t *base;
	struct mpf_intel *mpf;
	struct mpc_table *mpc;

	if (ncpus == 0 || ncpus > VM_MAX_CPUS)
		return err_setx(EINVAL, "MP table: %u CPUs (1 to %u supported)", ncpus,
				VM_MAX_CPUS);
	/* Stay inside the area the e820 map reserves. */
	if (X86_EBDA_START + size > X86_HIMEM_START)
		return err_setx(ENOSPC, "MP table: %zu bytes do not fit below 1 MiB", size);
	base = guest_mem_ptr(mem, X86_EBDA_START, size);
	if (!base)
		return err_setx(ENOMEM, "MP table: guest memory too small");
	memset(base, 0, size);

	mpc = (struct mpc_table *)(base + sizeof(*mpf));
	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = size - sizeof(*mpf);
	mpc->spec = MP_SPEC_REV;
	memcpy(mpc->oem, "OZONE   ", 8);
	memcpy(mpc->productid, "MICROVM     ", 12);
	mpc->lapic = X86_LAPIC_ADDR;
	/* The IOAPIC's id follows the CPUs' so that all APIC ids are distinct. */
	mpc->oemcount = mp_fill_entries((uint8_t *)(mpc + 1), ncpus, ncpus);
	mpc->checksum = mp_checksum(mpc, mpc->length);

	mpf = (struct mpf_intel *)base;
	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = X86_EBDA_START + sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = MP_SPEC_REV;
	mpf->checksum = mp_checksum(mpf, sizeof(*mpf));
	return 0;
}
