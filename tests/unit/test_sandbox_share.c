/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox's shared directory against a guest that writes to it
 * (runtime/lib/sandbox_mount.c, runtime/lib/sandbox_unshare.c, from the
 * runtime's library). Runs as root in a mount namespace of its own, on a
 * tmpfs:
 *
 * - a pod member is shared 150 times while a thread standing for the guest
 *   swaps every new entry under shared/ for a symlink to a host directory,
 *   through a writable view of the share's top (more than a guest has: its
 *   view is read-only). Nothing may ever be mounted outside shared/ (and the
 *   VMM's slave copy of it), every read-only source must be read-only in
 *   both, and a share that loses the race fails with nothing mounted left;
 * - the share's top is read-only in the VMM's copy (EROFS), a rw rootfs and
 *   a rw volume are writable there, a ro volume is not;
 * - removing a share that holds 1,000 nested directories, a wide tree and a
 *   bind mount deep inside: no depth limit, the mount detached, its files
 *   untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <dirent.h>
#include <poll.h>
#include <sys/inotify.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "common/util.h"
#include "runtime/lib/sandbox.h"
#include "runtime/lib/sandbox_share.h"
#include "common/error.h"

static char base[64];
static char path_buf[8][PATH_MAX];

static const char *at(int slot, const char *rel)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", base, rel);
	return path_buf[slot];
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Each test on a tmpfs of its own, in the mount namespace main() made. */
static int setup(void **state)
{
	static const char *const dirs[] = {
	    "vm",	 "view",      "host",	    "bundle", "bundle/rootfs",
	    "bundle/ro", "bundle/rw", "bundle/ro2", "pod",    "pod/rootfs"};

	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(base, sizeof(base), "/tmp/ozone-share-XXXXXX");
	if (!mkdtemp(base) || mount("ozone-test", base, "tmpfs", 0, "mode=0755") < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdir(at(0, dirs[i]), 0755) < 0)
			return -1;
	write_file(at(0, "host/sentinel"), "host\n");
	write_file(at(0, "bundle/rootfs/whoami"), "member\n");
	write_file(at(0, "bundle/ro/data"), "ro\n");
	write_file(at(0, "bundle/ro-file"), "ro file\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (base[0]) {
		umount2(base, MNT_DETACH);
		rmdir(base);
		base[0] = '\0';
	}
	return 0;
}

#define NEED_ROOT()                                                                                \
	do {                                                                                       \
		if (geteuid() != 0)                                                                \
			skip();                                                                    \
	} while (0)

/* A bundle of the test's tree; ro: the rootfs and volumes 0, 2, 3 read-only. */
static char *opt_rbind_ro[] = {"rbind", "ro"}, *opt_bind[] = {"bind"},
	    *opt_bind_ro[] = {"bind", "ro"};
static struct oci_mount mounts[4];

static void make_bundle(struct bundle *b, const char *dir, bool ro, bool volumes)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s", at(1, dir));
	snprintf(b->rootfs, sizeof(b->rootfs), "%s/%s/rootfs", base, dir);
	b->spec.root_path = "rootfs";
	b->spec.root_readonly = ro;
	if (!volumes)
		return;
	mounts[0] = (struct oci_mount){"/ro", "bind", "ro", opt_rbind_ro, 2};
	mounts[1] = (struct oci_mount){"/rw", "bind", "rw", opt_bind, 1};
	mounts[2] = (struct oci_mount){"/ro-file", "bind", "ro-file", opt_bind_ro, 2};
	mounts[3] = (struct oci_mount){"/ro2", "bind", "ro2", opt_bind_ro, 2};
	b->spec.mounts = mounts;
	b->spec.n_mounts = 4;
}

static void make_sandbox(struct sandbox *sb, const char *pod)
{
	memset(sb, 0, sizeof(*sb));
	snprintf(sb->vm_dir, sizeof(sb->vm_dir), "%s", at(1, "vm"));
	snprintf(sb->dir, sizeof(sb->dir), "%s", sb->vm_dir);
	snprintf(sb->shared, sizeof(sb->shared), "%s/vm/shared", base);
	snprintf(sb->pod, sizeof(sb->pod), "%s", pod);
}

/* The VMM's copy of the share: a recursive bind, a slave (vmm/jail.c). */
static void make_view(void)
{
	assert_int_equal(mount(at(2, "vm/shared"), at(3, "view"), NULL, MS_BIND | MS_REC, NULL), 0);
	assert_int_equal(mount(NULL, at(3, "view"), NULL, MS_SLAVE, NULL), 0);
}

struct mnt_count {
	int outside;	 /* mount points under base, outside shared/ and the view */
	int writable_ro; /* mounts of a read-only source that are writable */
	int member;	 /* mounts of the member's bundle */
	int suid_dev;	 /* ... of them without nosuid or nodev */
	char outside_at[PATH_MAX];
};

/* Reads /proc/self/mountinfo: where the test's mounts are, and with what flags. */
static void count_mounts(struct mnt_count *c)
{
	char line[PATH_MAX * 3], root[PATH_MAX], point[PATH_MAX], opts[512];
	size_t blen = strlen(base);
	FILE *f = fopen("/proc/self/mountinfo", "re");

	memset(c, 0, sizeof(*c));
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %*s %4095s %4095s %511s", root, point, opts) != 3)
			continue;
		if (strncmp(point, base, blen) || !point[blen])
			continue;
		bool in_share =
		    !strncmp(point + blen, "/vm/shared", 10) || !strncmp(point + blen, "/view", 5);
		if (!in_share) {
			c->outside++;
			snprintf(c->outside_at, sizeof(c->outside_at), "%s", point);
		}
		if (!strncmp(root, "/bundle/", 8)) {
			bool ro_src =
			    !strcmp(root, "/bundle/rootfs") || !strcmp(root, "/bundle/ro") ||
			    !strcmp(root, "/bundle/ro-file") || !strcmp(root, "/bundle/ro2");

			c->member++;
			if (ro_src && strncmp(opts, "ro", 2))
				c->writable_ro++;
			if (!strstr(opts, "nosuid") || !strstr(opts, "nodev"))
				c->suid_dev++;
		}
	}
	fclose(f);
}

/* A writable view of the share's top, whatever its flags: a private clone, rw. */
static int writable_view(const char *share)
{
	struct mount_attr rw = {.attr_clr = MOUNT_ATTR_RDONLY, .propagation = MS_PRIVATE};
	int fd = open_tree(AT_FDCWD, share, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd >= 0 && mount_setattr(fd, "", AT_EMPTY_PATH, &rw, sizeof(rw)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * The guest, with write access to the share's top: told by inotify of each
 * new entry, it swaps it at once for a symlink to a host directory. By
 * round, it goes for shared/m itself, for m/rootfs, or for m/mounts/<i>.
 */
struct adversary {
	pthread_t thread;
	volatile int stop, ready;
	int mode;
	int wins; /* entries swapped */
	char host[PATH_MAX];
	char share[PATH_MAX];
};

/* dir/name (names within the share only: the guest cannot follow a symlink out). */
static void swap_in(struct adversary *a, int top, const char *dir, const char *name)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS};
	char junk[32];
	struct stat st;
	int fd = *dir ? (int)syscall(SYS_openat2, top, dir, &how, sizeof(how)) : dup(top);

	if (fd < 0)
		return;
	/* Not its own symlink again. */
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode)) {
		close(fd);
		return;
	}
	snprintf(junk, sizeof(junk), "junk%d", a->wins);
	if (renameat(fd, name, top, junk) == 0 && symlinkat(a->host, fd, name) == 0)
		a->wins++;
	close(fd);
}

static void *adversary_run(void *arg)
{
	struct adversary *a = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char path[PATH_MAX + 32];
	int top = writable_view(a->share), in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int wd_top = in < 0 ? -1 : inotify_add_watch(in, a->share, IN_CREATE), wd_m = -2,
	    wd_mounts = -2;

	a->ready = 1;
	if (top < 0 || wd_top < 0)
		goto out;
	while (!a->stop) {
		struct pollfd p = {.fd = in, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 5) <= 0)
			continue;
		n = read(in, buf, sizeof(buf));
		for (char *e = buf; n > 0 && e < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)e;

			e += sizeof(*ev) + ev->len;
			if (!ev->len)
				continue;
			if (ev->wd == wd_top && !strcmp(ev->name, "m")) {
				if (a->mode == 0) {
					swap_in(a, top, "", "m");
				} else {
					snprintf(path, sizeof(path), "%s/m", a->share);
					wd_m = inotify_add_watch(in, path, IN_CREATE);
				}
			} else if (ev->wd == wd_m && !strcmp(ev->name, "rootfs") && a->mode == 1) {
				swap_in(a, top, "m", "rootfs");
			} else if (ev->wd == wd_m && !strcmp(ev->name, "mounts") && a->mode == 2) {
				snprintf(path, sizeof(path), "%s/m/mounts", a->share);
				wd_mounts = inotify_add_watch(in, path, IN_CREATE);
			} else if (ev->wd == wd_mounts) {
				swap_in(a, top, "m/mounts", ev->name);
			}
		}
	}
out:
	if (in >= 0)
		close(in);
	if (top >= 0)
		close(top);
	return NULL;
}

static void test_pod_member_race(void **state)
{
	struct sandbox pod, member;
	struct bundle pb, b;
	int failed = 0, wins = 0;

	(void)state;
	NEED_ROOT();
	make_bundle(&pb, "pod", true, false);
	make_bundle(&b, "bundle", true, true);
	for (int i = 0; i < 150; i++) {
		struct adversary a = {.stop = 0};
		struct mnt_count c;
		int ret;

		a.mode = i % 3;
		snprintf(a.host, sizeof(a.host), "%s/host", base);
		snprintf(a.share, sizeof(a.share), "%s/vm/shared", base);
		make_sandbox(&pod, "");
		make_sandbox(&member, "pod");
		if (sandbox_share(&pod, "pod", &pb) < 0)
			fail_msg("round %d: share the pod's sandbox: %s", i, err_msg());
		make_view();
		assert_int_equal(pthread_create(&a.thread, NULL, adversary_run, &a), 0);
		while (!a.ready)
			sched_yield();
		ret = sandbox_share(&member, "m", &b);
		a.stop = 1;
		pthread_join(a.thread, NULL);
		wins += a.wins;
		count_mounts(&c);
		if (c.outside)
			fail_msg("round %d: %d mounts outside shared/, e.g. on %s", i, c.outside,
				 c.outside_at);
		if (c.writable_ro)
			fail_msg("round %d: %d read-only sources mounted writable", i,
				 c.writable_ro);
		if (c.suid_dev)
			fail_msg("round %d: %d mounts without nosuid,nodev", i, c.suid_dev);
		if (ret < 0) {
			failed++;
			if (c.member)
				fail_msg("round %d: the share failed (%s) but left %d mounts", i,
					 err_msg(), c.member);
		} else if (c.member != 10) {
			fail_msg("round %d: %d mounts of the member, want 10 (5 and the VMM's 5)",
				 i, c.member);
		}
		assert_int_equal(umount2(at(0, "view"), MNT_DETACH), 0);
		if (sandbox_unshare(&pod) < 0)
			fail_msg("round %d: unshare: %s", i, err_msg());
		count_mounts(&c);
		assert_int_equal(c.member, 0);
		assert_int_equal(access(at(0, "vm/shared"), F_OK), -1);
	}
	{
		int n = 0;
		DIR *d = opendir(at(0, "host"));

		assert_non_null(d);
		while (readdir(d))
			n++;
		closedir(d);
		if (n != 3)
			fail_msg("the host directory has %d entries, want ., .. and sentinel", n);
	}
	{
		char buf[16] = "";
		FILE *f = fopen(at(0, "host/sentinel"), "r");

		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof(buf), f));
		fclose(f);
		assert_string_equal(buf, "host\n");
	}
	print_message("%d entries swapped; the share lost %d times of 150, each time cleanly\n",
		      wins, failed);
}

static void test_top_read_only(void **state)
{
	struct sandbox pod, member;
	struct bundle pb, b;
	int fd;

	(void)state;
	NEED_ROOT();
	make_bundle(&pb, "pod", false, false);
	make_bundle(&b, "bundle", true, true);
	make_sandbox(&pod, "");
	make_sandbox(&member, "pod");
	assert_int_equal(sandbox_share(&pod, "pod", &pb), 0);
	make_view();
	assert_int_equal(sandbox_share(&member, "m", &b), 0);

	/* What the guest reaches through the VMM: the top is read-only for everyone. */
	if (open(at(0, "view/fill"), O_WRONLY | O_CREAT, 0644) >= 0 || errno != EROFS)
		fail_msg("a file made at the share's top in the VMM's copy (want EROFS)");
	if (mkdir(at(0, "view/x"), 0755) == 0 || errno != EROFS)
		fail_msg("a directory made at the share's top in the VMM's copy (want EROFS)");
	if (open(at(0, "view/pod/fill"), O_WRONLY | O_CREAT, 0644) >= 0 || errno != EROFS)
		fail_msg("a file made in shared/pod/ in the VMM's copy (want EROFS)");
	if (rename(at(0, "view/m"), at(1, "view/n")) == 0 || errno != EROFS)
		fail_msg("shared/m renamed in the VMM's copy (want EROFS)");
	if (symlink("/", at(0, "view/m/mounts/link")) == 0 || errno != EROFS)
		fail_msg("a symlink made in shared/m/mounts in the VMM's copy (want EROFS)");
	/* A rw rootfs and a rw volume stay writable; a ro volume (and a ro rootfs) do not. */
	fd = open(at(0, "view/pod/rootfs/written"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	fd = open(at(0, "view/m/mounts/1/written"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	if (open(at(0, "view/m/mounts/0/written"), O_WRONLY | O_CREAT, 0644) >= 0)
		fail_msg("a read-only volume of a pod member is writable in the VMM's copy");
	if (open(at(0, "view/m/rootfs/written"), O_WRONLY | O_CREAT, 0644) >= 0)
		fail_msg("a read-only rootfs of a pod member is writable in the VMM's copy");

	assert_int_equal(sandbox_unshare_container(&member, "m"), 0);
	assert_int_equal(access(at(0, "view/m"), F_OK), -1);
	assert_int_equal(umount2(at(0, "view"), MNT_DETACH), 0);
	assert_int_equal(sandbox_unshare(&pod), 0);
	assert_int_equal(access(at(0, "bundle/rw/written"), F_OK), 0);
	assert_int_equal(access(at(0, "pod/rootfs/written"), F_OK), 0);
	unlink(at(0, "bundle/rw/written"));
	unlink(at(0, "pod/rootfs/written"));
}

/* Makes depth nested directories "d" below dirfd; returns an fd of the deepest. */
static int make_deep(int dirfd, int depth)
{
	int fd = dup(dirfd);

	for (int i = 0; i < depth; i++) {
		int next;

		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		next = openat(fd, "d", O_PATH | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	return fd;
}

static void test_remove_deep_and_wide(void **state)
{
	struct sandbox pod;
	struct bundle pb;
	struct mnt_count c;
	int w, fd, deep;
	char name[32], vol[PATH_MAX + 32];

	(void)state;
	NEED_ROOT();
	make_bundle(&pb, "pod", true, false);
	make_sandbox(&pod, "");
	assert_int_equal(sandbox_share(&pod, "pod", &pb), 0);
	/* What a share may hold that ozone did not make: written through a writable view. */
	w = writable_view(at(0, "vm/shared"));
	assert_true(w >= 0);
	deep = make_deep(w, 1000);
	fd = openat(deep, "f", O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	close(deep);
	assert_int_equal(mkdirat(w, "wide", 0755), 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "wide/f%d", i);
		fd = openat(w, name, O_WRONLY | O_CREAT, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "wide/d%d", i);
		assert_int_equal(mkdirat(w, name, 0755), 0);
		snprintf(name, sizeof(name), "wide/d%d/f", i);
		fd = openat(w, name, O_WRONLY | O_CREAT, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	/* A volume mounted 600 levels down: detached, never entered. */
	snprintf(vol, sizeof(vol), "%s/vm/shared", base);
	for (int i = 0; i < 600; i++)
		strcat(vol, "/d");
	assert_int_equal(mount(at(0, "bundle/ro"), vol, NULL, MS_BIND, NULL), 0);
	close(w);

	if (sandbox_unshare(&pod) < 0)
		fail_msg("removing a share with 1,000 nested directories: %s", err_msg());
	assert_int_equal(access(at(0, "vm/shared"), F_OK), -1);
	assert_int_equal(access(at(0, "bundle/ro/data"), F_OK), 0);
	count_mounts(&c);
	assert_int_equal(c.member, 0);
	assert_int_equal(c.outside, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_top_read_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_deep_and_wide, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pod_member_race, setup, teardown),
	};

	/* A mount namespace of our own: nothing mounted here reaches the host's. */
	if (geteuid() == 0 &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)) {
		perror("unshare");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
