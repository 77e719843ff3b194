/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone's tiny test guest: a few hundred bytes of x86-64 code.
 *
 * Two ways in, one body:
 *  - start64 (e_entry): long mode, as ozone-vmm enters a vmlinux; RSI = zero
 *    page (struct boot_params), cmd_line_ptr at offset 0x228.
 *  - pvh_start (Xen PVH note, XEN_ELFNOTE_PHYS32_ENTRY): 32-bit protected
 *    mode without paging, EBX = hvm_start_info, cmdline_paddr at offset 24;
 *    this is how `qemu-system-x86_64 -M microvm -kernel tiny.elf` boots it.
 *    It switches to long mode and joins the common body.
 *
 * Both load their own identity page tables (first 2 MiB, and the 2 MiB page
 * holding the virtio-mmio window) so nothing is assumed about the VMM's.
 *
 * The body prints a greeting on the serial port, reads the first virtio-mmio
 * device's MagicValue (direct entry only: under QEMU that address is not a
 * virtio device), then acts on "mode=" from the command line:
 *   mode=loop    hlt forever with interrupts off (the VMM must stop it)
 *   mode=panic   write 1 to the exit port 0x501
 *   mode=reset   keyboard-controller reset (0xfe to port 0x64)
 *   mode=triple  one write to the POST port 0x80 (triple_io: the VMM's last
 *                exit before the fault), then a triple fault (null IDT, ud2)
 *   default      write 0 to the exit port (power off); then reset, then hlt
 */

#define SERIAL_THR 0x3f8
#define SERIAL_LSR 0x3fd
#define EXIT_PORT 0x501
#define POST_PORT 0x80
#define VIRTIO_MMIO_BASE 0xd0000000
#define VIRTIO_MAGIC 0x74726976 /* "virt" */
#define BP_CMD_LINE_PTR 0x228
#define PVH_CMDLINE_PADDR 24

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80

/* One PML4, one PDPT, one PD: PDPT[0] and PDPT[3] share the PD, whose entry
 * 0 maps [0, 2 MiB) and entry 0x80 maps the 2 MiB page at 0xd0000000 (as
 * PDPT[3] + 0x80 * 2 MiB). Absolute stores: valid in 32- and 64-bit code. */
.macro FILL_PAGE_TABLES
	movl $(pdpt + PTE_P + PTE_RW), pml4
	movl $(pd + PTE_P + PTE_RW), pdpt
	movl $(pd + PTE_P + PTE_RW), pdpt + 3 * 8
	movl $(PTE_P + PTE_RW + PTE_PS), pd
	movl $(VIRTIO_MMIO_BASE + PTE_P + PTE_RW + PTE_PWT + PTE_PCD + PTE_PS), pd + 0x80 * 8
.endm

	.text
	.code64
	.globl start64
start64:
	cli
	movl BP_CMD_LINE_PTR(%rsi), %r12d /* command line (0: none) */
	movl $1, %r13d                     /* probe virtio-mmio */
	FILL_PAGE_TABLES
	movl $pml4, %eax
	movq %rax, %cr3
	jmp common

	.code32
	.globl pvh_start
pvh_start:
	cli
	movl PVH_CMDLINE_PADDR(%ebx), %esi
	FILL_PAGE_TABLES
	movl $pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax                    /* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx             /* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax              /* PG | PE */
	movl %eax, %cr0
	lgdt gdt_desc
	ljmp $0x08, $pvh64

	.code64
pvh64:
	movl %esi, %r12d
	xorl %r13d, %r13d                  /* not ours under QEMU: skip */

common:
	movl $stack_top, %esp
	leaq msg_hello(%rip), %rsi
	call puts
	testl %r13d, %r13d
	jz 1f
	leaq msg_novirtio(%rip), %rsi
	movl $VIRTIO_MMIO_BASE, %eax      /* above 2 GiB: no disp32 */
	cmpl $VIRTIO_MAGIC, (%rax)
	jne 2f
	leaq msg_virtio(%rip), %rsi
2:	call puts
1:
	/* Find "mode=" in the command line; dispatch on the next byte. */
	movq %r12, %rsi
	testq %rsi, %rsi
	jz poweroff
find:
	movb (%rsi), %al
	testb %al, %al
	jz poweroff
	incq %rsi
	cmpl $0x65646f6d, -1(%rsi)          /* "mode" */
	jne find
	cmpb $'=', 3(%rsi)
	jne find
	movb 4(%rsi), %al
	cmpb $'l', %al
	je halt
	cmpb $'p', %al
	je panic
	cmpb $'r', %al
	je reset
	cmpb $'t', %al
	je triple
poweroff:
	xorl %eax, %eax
	jmp 1f
panic:
	movb $1, %al
1:	movw $EXIT_PORT, %dx
	outb %al, %dx
	testb %al, %al
	jnz halt
reset:
	movb $0xfe, %al
	outb %al, $0x64
halt:
	cli
	hlt
	jmp halt
triple:
	.globl triple_io
triple_io:
	outb %al, $POST_PORT               /* an I/O exit at a known place */
	lidt null_idt(%rip)
	ud2                                /* #UD -> #GP -> #DF -> shutdown */
	jmp halt

/* Prints the NUL-terminated string at RSI on the serial port. */
puts:
	movw $SERIAL_LSR, %dx
1:	inb %dx, %al
	testb $0x20, %al                   /* THR empty */
	jz 1b
	lodsb
	testb %al, %al
	jz 2f
	movw $SERIAL_THR, %dx
	outb %al, %dx
	jmp puts
2:	ret

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff           /* 0x08: 64-bit code */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt
null_idt:
	.word 0
	.quad 0
msg_hello:
	.asciz "ozone-tiny: hello\n"
msg_virtio:
	.asciz "ozone-tiny: virtio-mmio magic ok\n"
msg_novirtio:
	.asciz "ozone-tiny: no virtio-mmio\n"

/* Xen PVH entry note: what QEMU (and any PVH loader) enters in 32-bit mode. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                            /* namesz */
	.long 8                            /* descsz */
	.long 18                           /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad pvh_start

	.bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
	.skip 256
stack_top:

	.section .note.GNU-stack, "", @progbits
