/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the FUSE server (vmm/fs/) under a hostile guest. The
 * input is a sequence of requests, each a record
 *   u8 ctl, u16 size (little endian), `size` bytes of request
 * ctl bit 0: the header's len field is set to `size` (so most requests get
 * past the length check); bit 1: the request is spread over buffers of
 * ((ctl >> 2) & 7) + 1 bytes; bits 5-7 pick how many writable bytes the
 * reply gets (from less than a header to 1 MiB).
 *
 * Every input runs on a fresh server over a fresh shared directory holding
 * a file, a directory and symlinks that point out of it (relative and
 * absolute) to a sentinel directory beside it. INIT is sent first. After
 * the input the sentinel must be unchanged and every reply must have
 * stayed inside its buffers and matched its request: anything else
 * aborts. Any crash, leak or sanitizer report is a bug. FALLOCATE is
 * skipped (it would fill the disk, not find bugs). Run it as root to reach
 * the owner and device-node paths. Seeds: tests/fuzz/corpus/fuse/.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Ivmm \
 *     tests/fuzz/fuzz_fuse.c vmm/fs/fs_[a-z]*.c -lpthread -o fuzz_fuse
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/fuse.h>

#include "fuzz_target.h"
#include "fs/fuse_server.h"

#define OUT_MAX (1 << 20)
#define GUARD 64

static char root[64], share[PATH_MAX], sentinel[PATH_MAX], snapshot[4096];
static uint8_t *out;

static void path(char *dst, const char *dir, const char *name)
{
	if (snprintf(dst, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();
}

static void put_file(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
}

static void snap(char *buf, size_t len)
{
	const char *names[] = {"", "secret", "subdir", "subdir/inner"};
	size_t used = 0;

	for (unsigned i = 0; i < 4; i++) {
		char p[PATH_MAX], content[32] = {0};
		struct stat st;

		path(p, sentinel, names[i]);
		if (lstat(p, &st) < 0) {
			used += (size_t)snprintf(buf + used, len - used, "%s:-;", names[i]);
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			int fd = open(p, O_RDONLY);

			if (fd >= 0) {
				if (read(fd, content, sizeof(content) - 1) < 0)
					content[0] = 0;
				close(fd);
			}
		}
		used += (size_t)snprintf(buf + used, len - used, "%s:%o:%u:%u:%lld:%ld.%ld:%s;",
					 names[i], st.st_mode, st.st_uid, st.st_gid,
					 (long long)st.st_size, (long)st.st_mtim.tv_sec,
					 st.st_mtim.tv_nsec, content);
	}
}

static int rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	/* The guest may have taken a directory's permissions away (st is lstat's: never a link's
	 * target). */
	if (S_ISDIR(st->st_mode))
		chmod(p, 0700);
	return remove(p);
}

static void populate(void)
{
	char p[PATH_MAX], t[PATH_MAX];

	if (mkdir(share, 0777) < 0)
		abort();
	path(p, share, "f");
	put_file(p, "file");
	path(p, share, "d");
	mkdir(p, 0755);
	path(p, share, "d/g");
	put_file(p, "inner");
	path(p, share, "out");
	if (symlink("../sentinel", p) < 0)
		abort();
	path(p, share, "abs");
	path(t, sentinel, "secret");
	if (symlink(t, p) < 0)
		abort();
}

static void cleanup(void)
{
	nftw(root, rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup_once(void)
{
	char p[PATH_MAX];

	strcpy(root, "/tmp/ozone-fuzz-fuse-XXXXXX");
	if (!mkdtemp(root))
		abort();
	path(share, root, "share");
	path(sentinel, root, "sentinel");
	if (mkdir(sentinel, 0755) < 0)
		abort();
	path(p, sentinel, "secret");
	put_file(p, "outside");
	path(p, sentinel, "subdir");
	mkdir(p, 0755);
	path(p, sentinel, "subdir/inner");
	put_file(p, "inner");
	snap(snapshot, sizeof(snapshot));
	atexit(cleanup);
	out = malloc(OUT_MAX + GUARD);
	if (!out)
		abort();
}

static const size_t out_sizes[8] = {4096 + 16, 16, 15, 64, 200, OUT_MAX, 144, 80};

/* Sends one request; aborts if the reply breaks the rules. */
static void send_req(struct fuse_server *s, const uint8_t *req, size_t len, unsigned split,
		     size_t out_len)
{
	struct iovec in[64], o[2];
	struct fuse_in_header ih = {0};
	struct fuse_out_header oh;
	uint32_t written = 0;
	int nin = 0;

	if (split) {
		size_t off = 0;

		/* Up to 63 small pieces, the rest in one. */
		for (; off < len && nin < 63; off += split, nin++) {
			in[nin].iov_base = (void *)(req + off);
			in[nin].iov_len = len - off < split ? len - off : split;
		}
		if (off < len) {
			in[nin].iov_base = (void *)(req + off);
			in[nin].iov_len = len - off;
			nin++;
		}
	} else {
		in[0].iov_base = (void *)req;
		in[0].iov_len = len;
		nin = 1;
	}
	if (len >= sizeof(ih))
		memcpy(&ih, req, sizeof(ih));
	o[0].iov_base = out;
	o[0].iov_len = out_len < 9 ? out_len : 9;
	o[1].iov_base = out + o[0].iov_len;
	o[1].iov_len = out_len - o[0].iov_len;
	memset(out + out_len, 0x5a, GUARD);
	int ret = fuse_server_handle(s, in, nin, len, o, 2, out_len, &written);

	for (unsigned i = 0; i < GUARD; i++) {
		if (out[out_len + i] != 0x5a)
			abort();
	}
	if (written > out_len)
		abort();
	if (ret < 0) {
		if (written || out_len >= sizeof(oh))
			abort();
		return;
	}
	if (written == 0) {
		/* Only FORGET and BATCH_FORGET go without a reply. */
		if (ih.opcode != FUSE_FORGET && ih.opcode != FUSE_BATCH_FORGET)
			abort();
		return;
	}
	memcpy(&oh, out, sizeof(oh));
	if (oh.len != written || oh.error > 0 || oh.error < -4095 || (oh.error && written != 16))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuse_init_in init = {
	    .major = 7, .minor = 36, .max_readahead = 65536, .flags = 0xffffffffu};
	uint8_t req[sizeof(struct fuse_in_header) + sizeof(init)];
	struct fuse_in_header ih = {.len = sizeof(req), .opcode = FUSE_INIT, .unique = 1};
	struct fuse_server *s;
	char now[sizeof(snapshot)];

	if (!out)
		setup_once();
	populate();
	if (fuse_server_new(share, NULL, &s) < 0)
		abort();
	/* One thread: a SETLKW conflicting with another handle's lock answers at once. */
	fuse_server_stop_waits(s);
	memcpy(req, &ih, sizeof(ih));
	memcpy(req + sizeof(ih), &init, sizeof(init));
	send_req(s, req, sizeof(req), 0, 4096);

	while (size >= 3) {
		uint8_t ctl = data[0];
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		uint8_t *buf;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		buf = malloc(len ? len : 1);
		if (!buf)
			abort();
		memcpy(buf, data, len);
		data += len;
		size -= len;
		if ((ctl & 1) && len >= 4) {
			uint32_t l = (uint32_t)len;

			memcpy(buf, &l, 4);
		}
		if (len >= sizeof(ih)) {
			memcpy(&ih, buf, sizeof(ih));
			if (ih.opcode == FUSE_FALLOCATE) {
				free(buf);
				continue;
			}
		}
		send_req(s, buf, len, (ctl & 2) ? ((ctl >> 2) & 7) + 1 : 0, out_sizes[ctl >> 5]);
		free(buf);
	}
	fuse_server_free(s);
	nftw(share, rm, 16, FTW_DEPTH | FTW_PHYS);
	snap(now, sizeof(now));
	if (strcmp(now, snapshot) != 0) {
		fprintf(stderr, "fuzz_fuse: the sentinel outside the share changed:\n%s\n%s\n",
			snapshot, now);
		abort();
	}
	return 0;
}
