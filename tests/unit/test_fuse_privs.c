/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a guest may leave in the host's files through virtio-fs, checked with
 * the privileges the confined monitor really has: this process drops to the
 * seven capabilities vmm/jail.c keeps for the FUSE workers before any
 * request is served (docs/security.md, "What the guest may leave on the host").
 *
 * Allowed, as for a runc container with the default capabilities: set-user-ID
 * files owned by root, files of any owner, device nodes (never opened by the
 * server). Refused: file capabilities (security.capability needs CAP_SETFCAP)
 * and every other security.* name (CAP_SYS_ADMIN), trusted.* (refused by the
 * server itself).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/capability.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <linux/capability.h>

#include "common/util.h"
#include "test_fuse_harness.h"

/* The set vmm/jail.c's jail_lock_down() keeps when the VMM serves a share. */
static const cap_value_t worker_caps[] = {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_SETUID, CAP_SETGID,
};

static int drop_to_worker_caps(void)
{
	cap_t c = cap_init();
	int n = (int)(ARRAY_SIZE(worker_caps)), ret;

	if (!c)
		return -1;
	ret = cap_set_flag(c, CAP_PERMITTED, n, worker_caps, CAP_SET) < 0 ||
		      cap_set_flag(c, CAP_EFFECTIVE, n, worker_caps, CAP_SET) < 0 ||
		      cap_set_proc(c) < 0
		  ? -1
		  : 0;
	cap_free(c);
	return ret;
}

static int setup(void **state)
{
	struct fh *h = calloc(1, sizeof(*h));

	if (!h || fh_setup(h) < 0 || fh_init(h) != 0)
		return -1;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct fh *h = *state;

	fh_teardown(h);
	free(h);
	return 0;
}

static int setxattr_req(struct fh *h, uint64_t nodeid, const char *name, const void *val,
			uint32_t size)
{
	struct fuse_setxattr_in si = {.size = size};
	char body[256];
	size_t nl = strlen(name) + 1;

	memcpy(body, &si, 8);
	memcpy(body + 8, name, nl);
	memcpy(body + 8 + nl, val, size);
	return fh_req(h, FUSE_SETXATTR, nodeid, body, 8 + nl + size);
}

/* Set-user-ID root files and foreign owners: as a runc container may leave them. */
static void test_setuid_and_owner(void **state)
{
	struct fh *h = *state;
	struct fuse_setattr_in sa = {.valid = FATTR_MODE, .mode = S_IFREG | 04755};
	struct fuse_entry_out e;
	char p[PATH_MAX];
	struct stat st;

	h->uid = 0;
	h->gid = 0;
	assert_int_equal(fh_create(h, 1, "su", O_RDWR, 0755, &e, NULL), 0);
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	fh_path(p, h->share, "su");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(st.st_mode & S_ISUID);
	assert_int_equal(st.st_uid, 0);
	sa = (struct fuse_setattr_in){.valid = FATTR_UID | FATTR_GID, .uid = 4321, .gid = 4321};
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_uid, 4321);
}

/* Device nodes may be made (an image holds them) and are never opened by the server. */
static void test_device_node(void **state)
{
	struct fh *h = *state;
	struct fuse_mknod_in mn = {.mode = S_IFCHR | 0666, .rdev = (1 << 8) | 3};
	struct fuse_entry_out e;
	char p[PATH_MAX];
	struct stat st;

	h->uid = 0;
	h->gid = 0;
	assert_int_equal(fh_req2(h, FUSE_MKNOD, 1, &mn, sizeof(mn), "null", 5), 0);
	memcpy(&e, fh_body(h), sizeof(e));
	fh_path(p, h->share, "null");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(fh_open(h, e.nodeid, O_RDWR, NULL), -ENXIO);
}

/* No file capabilities and no other security.* name: the workers lack SETFCAP and SYS_ADMIN. */
static void test_no_file_caps(void **state)
{
	struct fh *h = *state;
	/* CAP_SYS_ADMIN permitted and effective, revision 2: what `setcap cap_sys_admin+ep` writes.
	 */
	struct vfs_cap_data cap = {
	    .magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
	    .data = {{.permitted = 1u << CAP_SYS_ADMIN}},
	};
	struct fuse_entry_out e;
	char p[PATH_MAX], val[64];
	int ret;

	h->uid = 0;
	h->gid = 0;
	assert_int_equal(fh_create(h, 1, "bin", O_RDWR, 0755, &e, NULL), 0);
	ret = setxattr_req(h, e.nodeid, "security.capability", &cap, sizeof(cap));
	assert_int_equal(ret, -EPERM);
	fh_path(p, h->share, "bin");
	assert_int_equal(getxattr(p, "security.capability", val, sizeof(val)), -1);
	ret = setxattr_req(h, e.nodeid, "security.ozone", "x", 1);
	assert_true(ret == -EPERM || ret == -EOPNOTSUPP);
	assert_int_equal(setxattr_req(h, e.nodeid, "trusted.overlay.opaque", "y", 1), -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_setuid_and_owner, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_device_node, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_file_caps, setup, teardown),
	};

	if (getuid() != 0) {
		/* Needs root's capabilities to drop from: reported as skipped. */
		printf("test_fuse_privs: not root: skipped\n");
		return 77;
	}
	if (drop_to_worker_caps() < 0) {
		perror("test_fuse_privs: drop capabilities");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
