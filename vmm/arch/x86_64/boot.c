/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86_boot_load(): tells an ELF vmlinux from a bzImage, loads it and the
 * initrd, and writes everything the 64-bit entry expects to find in memory.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "boot.h"
#include "boot_internal.h"

#define BZ_MAGIC_OFFSET 0x202

struct image_file {
	int fd;
	uint64_t size;
};

/* Opens a regular, non-empty file of at most `max` bytes; `what` names it in messages. */
static int image_open(const char *what, const char *path, uint64_t max, struct image_file *f)
{
	struct stat st;
	int ret = 0;

	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return err_set(errno, "%s '%s'", what, path);
	if (fstat(f->fd, &st) < 0)
		ret = err_set(errno, "%s '%s'", what, path);
	else if (!S_ISREG(st.st_mode))
		ret = err_setx(ENOEXEC, "%s '%s': not a regular file", what, path);
	else if (st.st_size == 0)
		ret = err_setx(ENOEXEC, "%s '%s': empty file", what, path);
	else if ((uint64_t)st.st_size > max)
		ret = err_setx(EFBIG, "%s '%s': larger than %llu MiB", what, path,
			       (unsigned long long)(max >> 20));
	if (ret) {
		close(f->fd);
		return ret;
	}
	f->size = st.st_size;
	return 0;
}

/* Reads the whole file into guest memory at `dst` (already bounds-checked). */
static int image_read_all(const char *what, const char *path, struct image_file *f, uint8_t *dst)
{
	uint64_t done = 0;

	while (done < f->size) {
		ssize_t n = pread(f->fd, dst + done, f->size - done, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(errno, "read %s '%s'", what, path);
		if (n == 0)
			return err_setx(EIO, "read %s '%s': file shrank while loading", what, path);
		done += n;
	}
	return 0;
}

/* The mapped image is only read, and copied out before it is unmapped. */
static int kernel_load(struct guest_mem *mem, const char *path, struct boot_params *zp,
		       struct x86_kernel *k)
{
	struct image_file f;
	const uint8_t *img;
	int ret;

	ret = image_open("kernel image", path, X86_KERNEL_MAX_SIZE, &f);
	if (ret)
		return ret;
	img = mmap(NULL, f.size, PROT_READ, MAP_PRIVATE, f.fd, 0);
	close(f.fd);
	if (img == MAP_FAILED)
		return err_set(errno, "map kernel image '%s'", path);

	if (f.size >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0)
		ret = x86_load_elf(mem, img, f.size, path, zp, k);
	else if (f.size >= BZ_MAGIC_OFFSET + 4 && memcmp(img + BZ_MAGIC_OFFSET, "HdrS", 4) == 0)
		ret = x86_load_bzimage(mem, img, f.size, path, zp, k);
	else
		ret = err_setx(ENOEXEC, "kernel image '%s': not an ELF vmlinux or a bzImage", path);
	munmap((void *)img, f.size);
	return ret;
}

static int initrd_load(struct guest_mem *mem, const char *path, const struct x86_kernel *k,
		       struct boot_params *zp)
{
	struct image_file f;
	uint64_t addr;
	int ret;

	ret = image_open("initrd", path, X86_MMIO_HOLE_START, &f);
	if (ret)
		return ret;
	ret = x86_initrd_place(mem, k, f.size, path, &addr);
	if (!ret)
		ret = image_read_all("initrd", path, &f, guest_mem_ptr(mem, addr, f.size));
	close(f.fd);
	if (ret)
		return ret;
	zp->hdr.ramdisk_image = addr;
	zp->hdr.ramdisk_size = f.size;
	return 0;
}

int x86_boot_load(struct guest_mem *mem, const char *kernel_path, const char *initrd_path,
		  const char *cmdline, struct x86_boot_info *out)
{
	struct boot_params zp;
	struct x86_kernel k;
	int ret;

	memset(&zp, 0, sizeof(zp));
	memset(&k, 0, sizeof(k));
	ret = x86_e820_fill(mem, &zp);
	if (ret)
		return ret;
	ret = kernel_load(mem, kernel_path, &zp, &k);
	if (ret)
		return ret;
	ret = x86_cmdline_write(mem, &zp, cmdline ? cmdline : "", &k);
	if (ret)
		return ret;
	if (initrd_path) {
		ret = initrd_load(mem, initrd_path, &k, &zp);
		if (ret)
			return ret;
	}
	ret = x86_pagetables_write(mem);
	if (ret)
		return ret;
	ret = x86_gdt_write(mem);
	if (ret)
		return ret;
	if (guest_mem_write(mem, X86_ZERO_PAGE_ADDR, &zp, sizeof(zp)))
		return err_setx(ENOMEM, "zero page: guest memory too small");

	out->entry = k.entry;
	out->zero_page = X86_ZERO_PAGE_ADDR;
	out->stack = X86_BOOT_STACK_ADDR;
	return 0;
}
