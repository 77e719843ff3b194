/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GETLK, SETLK, SETLKW: POSIX record locks of the guest, taken on the host
 * as open file description locks on the handle's fd. The guest kernel
 * tracks no FUSE lock itself once FUSE_POSIX_LOCKS is negotiated, so the
 * host is where guest processes (and host processes) see each other's
 * locks. A host OFD lock belongs to the host file description, that is to
 * the FUSE handle: docs/virtio-fs.md says what that means for guest lock
 * owners.
 *
 * SETLKW never sleeps in the kernel: it retries F_OFD_SETLK with a short
 * growing pause, and gives up (EINTR) once the server is told to stop
 * waiting (fuse_server_stop_waits), so a lock the guest never releases
 * cannot keep a worker thread, and with it a device reset or teardown,
 * forever.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "fs/fs_internal.h"

/* The kernel's OFFSET_MAX: a lock that runs to the end of the file, whatever its size. */
#define FS_LK_EOF ((uint64_t)INT64_MAX)

/* Pauses between two tries of a waiting SETLKW. */
#define FS_LK_PAUSE_MIN_NS 1000000L  /* 1 ms */
#define FS_LK_PAUSE_MAX_NS 32000000L /* 32 ms */

/* The guest's lock as a struct flock for an OFD call; -EINVAL for a lock no kernel sends. */
static int lk_to_flock(const struct fuse_file_lock *lk, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	if (lk->type != F_RDLCK && lk->type != F_WRLCK && lk->type != F_UNLCK)
		return -EINVAL;
	if (lk->start > lk->end || lk->start > FS_LK_EOF)
		return -EINVAL;
	fl->l_type = (short)lk->type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)lk->start;
	/* OFFSET_MAX (or anything past it, such as UINT64_MAX) means "to EOF": l_len 0. */
	fl->l_len = lk->end >= FS_LK_EOF ? 0 : (off_t)(lk->end - lk->start + 1);
	fl->l_pid = 0; /* required by the F_OFD_* calls */
	return 0;
}

/*
 * A conflicting lock F_OFD_GETLK found, for the guest. Its holder has no
 * pid in the guest (an OFD lock has none on the host either): pid 0.
 */
static void flock_to_lk(const struct flock *fl, struct fuse_file_lock *lk)
{
	memset(lk, 0, sizeof(*lk));
	lk->type = (uint32_t)fl->l_type;
	if (fl->l_type == F_UNLCK)
		return;
	lk->start = (uint64_t)fl->l_start;
	/* The kernel reports a normalised lock: l_start >= 0, l_len >= 0. */
	if (fl->l_len <= 0 || (uint64_t)fl->l_len - 1 >= FS_LK_EOF - lk->start)
		lk->end = FS_LK_EOF;
	else
		lk->end = lk->start + (uint64_t)fl->l_len - 1;
}

/* Reads fuse_lk_in and pins its file handle; 0 or -errno. */
static int lk_begin(struct fs_req *r, struct fuse_lk_in *in, struct flock *fl, struct fs_handle **h)
{
	int ret;

	if (fs_arg(r, in, sizeof(*in)) < 0)
		return -EINVAL;
	/* flock(2) emulation is never offered (no FUSE_FLOCK_LOCKS): the guest keeps those. */
	if (in->lk_flags & FUSE_LK_FLOCK)
		return -ENOSYS;
	ret = lk_to_flock(&in->lk, fl);
	if (ret < 0)
		return ret;
	*h = fs_handle_get(&r->s->handles, in->fh, false);
	return *h ? 0 : -EBADF;
}

int fs_op_getlk(struct fs_req *r)
{
	struct fuse_lk_in in;
	struct fuse_lk_out out;
	struct fs_handle *h;
	struct flock fl;
	int ret;

	ret = lk_begin(r, &in, &fl, &h);
	if (ret < 0)
		return ret;
	if (fl.l_type == F_UNLCK)
		ret = -EINVAL; /* as fcntl(F_GETLK) answers */
	else if (fcntl(h->fd, F_OFD_GETLK, &fl) < 0)
		ret = -errno;
	fs_handle_put(&r->s->handles, h);
	if (ret < 0)
		return ret;
	flock_to_lk(&fl, &out.lk);
	return fs_reply(r, &out, sizeof(out));
}

static bool stopping(struct fuse_server *s)
{
	return __atomic_load_n(&s->stop_waits, __ATOMIC_ACQUIRE);
}

/* One SETLK, or SETLKW as SETLK retried until it succeeds, fails otherwise, or the server stops. */
static int setlk(struct fs_req *r, bool wait)
{
	struct fuse_lk_in in;
	struct fs_handle *h;
	struct flock fl;
	long pause = FS_LK_PAUSE_MIN_NS;
	int ret;

	ret = lk_begin(r, &in, &fl, &h);
	if (ret < 0)
		return ret;
	for (;;) {
		struct flock try = fl;

		if (fcntl(h->fd, F_OFD_SETLK, &try) == 0) {
			ret = 0;
			break;
		}
		ret = -errno;
		if (ret == -EACCES)
			ret = -EAGAIN; /* one answer for "held by someone else" */
		if (!wait || ret != -EAGAIN)
			break;
		if (stopping(r->s)) {
			ret = -EINTR;
			break;
		}
		struct timespec ts = {0, pause};

		nanosleep(&ts, NULL);
		if (pause < FS_LK_PAUSE_MAX_NS)
			pause *= 2;
	}
	fs_handle_put(&r->s->handles, h);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

int fs_op_setlk(struct fs_req *r)
{
	return setlk(r, false);
}

int fs_op_setlkw(struct fs_req *r)
{
	return setlk(r, true);
}

void fuse_server_stop_waits(struct fuse_server *s)
{
	if (s)
		__atomic_store_n(&s->stop_waits, true, __ATOMIC_RELEASE);
}
