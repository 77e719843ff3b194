/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-fs: the device model. The event loop pops chains (the virtqueue
 * walker checks every descriptor against guest memory) and queues them;
 * worker threads hand each one to the FUSE server, which parses the
 * request from the device-readable buffers and writes the reply into the
 * device-writable ones, never past them. A malformed request gets an error
 * reply (or an empty used element when not even that fits) and the queue
 * goes on.
 *
 * Locking: the transport lock covers the virtqueues and `gen`; `mu` covers
 * the work list, the pending count and the server pointer. Order: transport
 * lock, then mu; a worker never holds mu while it takes the transport lock,
 * and holds neither while it runs a request.
 *
 * Reset: requests still queued are dropped; requests already running finish
 * on the server they started on and their replies are not pushed (`gen`
 * changed, the rings are gone). The guest's driver drains its queues before
 * it resets, so this only matters for a guest that misbehaves, and then only
 * for its own buffers. A worker makes the fresh server and frees the old
 * one when its last request is done.
 *
 * Threads: the event loop (queue_notify) and the vCPUs (config space,
 * reset) make no file system call; only the workers do.
 */
#include "devices/virtio_fs.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ids.h>

#include "common/error.h"
#include "seccomp_policy.h"

/* One FUSE server, shared by the device and the requests running on it. */
struct fs_srv {
	struct fuse_server *s;
	unsigned refs;
	struct fs_srv *next; /* on the list of servers to free */
};

/* One popped chain, waiting for or running on a worker. */
struct fs_req {
	struct fs_req *next;
	struct fs_srv *srv; /* set when a worker takes it */
	uint64_t gen;
	unsigned q;
	uint16_t head;
	unsigned nout, nin;
	uint32_t out_len, in_len;
	struct iovec iov[];
};

struct virtio_fs {
	struct virtio_device_ops ops;
	uint8_t tag[VIRTIO_FS_TAG_MAX];
	unsigned nr_request_queues;
	struct virtio_mmio *t;

	/* Under the transport lock. */
	uint64_t gen; /* bumped by every reset */
	struct virtq_chain chain;

	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct fs_req *first, *last;
	unsigned pending;    /* popped, not yet pushed or dropped */
	struct fs_srv *srv;  /* serves new requests; NULL from a reset until its fresh one */
	struct fs_srv *base; /* after a reset: the old server, to clone the fresh one from */
	struct fs_srv *dead; /* servers nobody uses any more, for a worker to free */
	bool fresh_failed;   /* the clone failed: the device is broken until the next reset */
	bool stop;

	pthread_t workers[VIRTIO_FS_WORKERS];
	unsigned nr_workers;
	unsigned nr_started; /* workers that reported in (under mu) */
	int start_err;	     /* the first worker that could not confine itself */
	char start_msg[160];
};

/* Wraps a server made by the caller (freed on failure). */
static struct fs_srv *srv_wrap(struct fuse_server *server)
{
	struct fs_srv *srv = calloc(1, sizeof(*srv));

	if (!srv) {
		fuse_server_free(server);
		return NULL;
	}
	srv->s = server;
	srv->refs = 1;
	return srv;
}

/* Drops one reference under mu; a server nobody holds goes on the list to free. */
static void srv_put(struct virtio_fs *fs, struct fs_srv *srv)
{
	if (srv && --srv->refs == 0) {
		srv->next = fs->dead;
		fs->dead = srv;
	}
}

static void srv_free_list(struct fs_srv *srv)
{
	while (srv) {
		struct fs_srv *next = srv->next;

		fuse_server_free(srv->s);
		free(srv);
		srv = next;
	}
}

/* --- workers: every file system call of the device happens on them --- */

static void run(struct virtio_fs *fs, struct fs_req *req)
{
	uint32_t written = 0;
	struct virtq *vq;

	if (fuse_server_handle(req->srv->s, req->iov, (int)req->nout, req->out_len,
			       req->iov + req->nout, (int)req->nin, req->in_len, &written) < 0)
		written = 0; /* no room for even an error reply: an empty used element */
	virtio_mmio_lock(fs->t);
	/* After a reset the rings are gone (or new): the reply has nowhere to go. */
	vq = req->gen == fs->gen ? virtio_mmio_vq(fs->t, req->q) : NULL;
	if (vq) {
		/* A push can only fail on a queue the guest broke; used() reports that. */
		virtq_push(vq, req->head, written);
		virtio_mmio_used(fs->t, req->q);
	}
	virtio_mmio_unlock(fs->t);
}

/* Makes the fresh server after a reset; called and returns with mu held. */
static void make_fresh(struct virtio_fs *fs)
{
	struct fs_srv *base = fs->base, *srv = NULL;
	struct fuse_server *fresh;

	fs->base = NULL;
	pthread_mutex_unlock(&fs->mu);
	if (fuse_server_clone(base->s, &fresh) == 0)
		srv = srv_wrap(fresh);
	pthread_mutex_lock(&fs->mu);
	if (srv && !fs->srv && !fs->base) {
		fs->srv = srv;
		srv_put(fs, base);
	} else if (srv) {
		/* Another reset came meanwhile and left its own base: start over from it. */
		srv->next = fs->dead;
		fs->dead = srv;
		srv_put(fs, base);
	} else {
		/* Out of fds or memory: keep the base for the next reset to try again. */
		if (fs->base)
			srv_put(fs, base);
		else
			fs->base = base;
		fs->fresh_failed = true;
	}
	pthread_cond_broadcast(&fs->cond);
}

/*
 * One unit of a worker's work, called and returning with mu held: frees
 * dead servers, makes the fresh one after a reset, or runs one request.
 * false when there was nothing to do.
 */
static bool work_once(struct virtio_fs *fs)
{
	struct fs_req *req;

	if (fs->dead) {
		struct fs_srv *dead = fs->dead;

		fs->dead = NULL;
		pthread_mutex_unlock(&fs->mu);
		srv_free_list(dead);
		pthread_mutex_lock(&fs->mu);
		return true;
	}
	if (fs->base && !fs->fresh_failed) {
		make_fresh(fs);
		if (fs->fresh_failed) {
			pthread_mutex_unlock(&fs->mu);
			virtio_mmio_broken(fs->t);
			pthread_mutex_lock(&fs->mu);
		}
		return true;
	}
	if (!fs->first || !fs->srv)
		return false;
	req = fs->first;
	fs->first = req->next;
	if (!fs->first)
		fs->last = NULL;
	req->srv = fs->srv;
	req->srv->refs++;
	pthread_mutex_unlock(&fs->mu);
	run(fs, req);
	pthread_mutex_lock(&fs->mu);
	fs->pending--;
	srv_put(fs, req->srv);
	free(req);
	return true;
}

static void *worker(void *arg)
{
	struct virtio_fs *fs = arg;
	int ret;

	pthread_setname_np(pthread_self(), "fs-worker");
	/* Confined before it touches a single guest request. */
	ret = seccomp_policy_apply(VMM_THREAD_FS);
	pthread_mutex_lock(&fs->mu);
	fs->nr_started++;
	if (ret < 0 && !fs->start_err) {
		fs->start_err = ret;
		snprintf(fs->start_msg, sizeof(fs->start_msg), "%s", err_msg());
	}
	pthread_cond_broadcast(&fs->cond);
	while (!fs->stop && ret == 0)
		if (!work_once(fs))
			pthread_cond_wait(&fs->cond, &fs->mu);
	pthread_mutex_unlock(&fs->mu);
	return NULL;
}

void virtio_fs_drain(struct virtio_fs *fs, struct virtio_mmio *t)
{
	fs->t = t;
	pthread_mutex_lock(&fs->mu);
	/*
	 * One thread: a lock wait (SETLKW) could only end by a request that
	 * cannot run meanwhile, so it answers at once (servers made after a
	 * reset too).
	 */
	do {
		if (fs->srv)
			fuse_server_stop_waits(fs->srv->s);
	} while (work_once(fs));
	pthread_mutex_unlock(&fs->mu);
}

/* --- the event loop side --- */

/* Copies what a worker needs out of the popped chain (the scratch chain is reused). */
static struct fs_req *req_new(struct virtio_fs *fs, const struct virtq_chain *c, unsigned q)
{
	unsigned n = c->nout + c->nin;
	struct fs_req *req = malloc(sizeof(*req) + n * sizeof(struct iovec));

	if (!req)
		return NULL;
	req->next = NULL;
	req->srv = NULL;
	req->gen = fs->gen;
	req->q = q;
	req->head = c->head;
	req->nout = c->nout;
	req->nin = c->nin;
	req->out_len = c->out_len;
	req->in_len = c->in_len;
	memcpy(req->iov, c->iov, n * sizeof(struct iovec));
	return req;
}

static void enqueue(struct virtio_fs *fs, struct fs_req *req)
{
	pthread_mutex_lock(&fs->mu);
	if (fs->last)
		fs->last->next = req;
	else
		fs->first = req;
	fs->last = req;
	fs->pending++;
	pthread_cond_signal(&fs->cond);
	pthread_mutex_unlock(&fs->mu);
}

static void fs_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtio_fs *fs = virtio_mmio_dev(t);
	struct virtq *vq = virtio_mmio_vq(t, q);
	struct virtq_chain *c = &fs->chain;
	unsigned budget, pushed = 0;

	if (!vq)
		return;
	/* A ring's worth per event, then yield: a busy guest cannot starve other devices. */
	for (budget = vq->num; budget; budget--) {
		struct fs_req *req;

		/* A broken ring is reported by virtio_mmio_used() below. */
		if (virtq_pop(vq, c) <= 0)
			break;
		req = req_new(fs, c, q);
		if (req) {
			enqueue(fs, req);
			continue;
		}
		/* Out of memory: the chain goes back unanswered rather than being lost. */
		if (virtq_push(vq, c->head, 0))
			break;
		pushed++;
	}
	if (pushed || vq->broken)
		virtio_mmio_used(t, q);
	if (!budget)
		virtio_mmio_kick(t, q);
}

static void fs_config_read(struct virtio_mmio *t, uint32_t off, void *data, uint32_t len)
{
	struct virtio_fs *fs = virtio_mmio_dev(t);
	struct virtio_fs_config cfg;

	memcpy(cfg.tag, fs->tag, sizeof(cfg.tag));
	cfg.num_request_queues = htole32(fs->nr_request_queues);
	/* The transport checked [off, off + len) against config_len. */
	memcpy(data, (const uint8_t *)&cfg + off, len);
}

/*
 * A fresh server for the next activation: the guest starts over with INIT
 * and nodeid 1. A worker clones it from the old one (same directory, same
 * options, no path resolved again) and frees the old one once the requests
 * still running on it are done; this vCPU thread makes no file system call.
 */
static void fs_reset(struct virtio_mmio *t)
{
	struct virtio_fs *fs = virtio_mmio_dev(t);

	fs->gen++;
	pthread_mutex_lock(&fs->mu);
	while (fs->first) {
		struct fs_req *req = fs->first;

		fs->first = req->next;
		fs->pending--;
		free(req);
	}
	fs->last = NULL;
	if (fs->srv) {
		/* The guest is gone: its waits for locks end (no file system call). */
		fuse_server_stop_waits(fs->srv->s);
		/* A base left by a failed clone is older: the current server replaces it. */
		srv_put(fs, fs->base);
		fs->base = fs->srv;
		fs->srv = NULL;
	}
	fs->fresh_failed = false;
	pthread_cond_broadcast(&fs->cond);
	pthread_mutex_unlock(&fs->mu);
}

static const struct virtio_device_ops fs_ops_template = {
    .name = "fs",
    .device_id = VIRTIO_ID_FS,
    .features = 0,
    .queue_max = VIRTIO_FS_QUEUE_SIZE,
    .config_len = sizeof(struct virtio_fs_config),
    .config_read = fs_config_read,
    .queue_notify = fs_queue_notify,
    .reset = fs_reset,
};

/* --- life cycle --- */

static int check_tag(const char *tag)
{
	size_t len = strlen(tag);

	if (len == 0 || len > VIRTIO_FS_TAG_MAX)
		return err_setx(EINVAL, "virtio-fs: tag '%s' must be 1 to %u bytes", tag,
				VIRTIO_FS_TAG_MAX);
	return 0;
}

int virtio_fs_new(const struct virtio_fs_params *p, struct virtio_fs **out)
{
	unsigned nq = p->request_queues ? p->request_queues : 1;
	struct fuse_server *server;
	struct virtio_fs *fs;
	int ret;

	ret = check_tag(p->tag);
	if (ret < 0)
		return ret;
	if (nq > VIRTIO_FS_MAX_REQUEST_QUEUES)
		return err_setx(EINVAL, "virtio-fs %s: at most %u request queues", p->tag,
				VIRTIO_FS_MAX_REQUEST_QUEUES);
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return err_set(ENOMEM, "virtio-fs: allocate device");
	fs->ops = fs_ops_template;
	fs->ops.num_queues = 1 + nq;
	fs->nr_request_queues = nq;
	memcpy(fs->tag, p->tag, strlen(p->tag));
	pthread_mutex_init(&fs->mu, NULL);
	pthread_cond_init(&fs->cond, NULL);
	/* Made now so that a bad directory stops the VMM before the guest boots. */
	ret = fuse_server_new(p->dir, &p->opts, &server);
	if (ret < 0) {
		virtio_fs_free(fs);
		return err_set(-ret, "virtio-fs %s: serve %s", p->tag, p->dir);
	}
	fs->srv = srv_wrap(server);
	if (!fs->srv) {
		virtio_fs_free(fs);
		return err_set(ENOMEM, "virtio-fs: allocate server");
	}
	*out = fs;
	return 0;
}

void virtio_fs_free(struct virtio_fs *fs)
{
	if (!fs)
		return;
	/* Never attached, or detached: no worker is left, so every reference is ours. */
	while (fs->first) {
		struct fs_req *req = fs->first;

		fs->first = req->next;
		free(req);
	}
	srv_put(fs, fs->srv);
	srv_put(fs, fs->base);
	srv_free_list(fs->dead);
	pthread_cond_destroy(&fs->cond);
	pthread_mutex_destroy(&fs->mu);
	free(fs);
}

const struct virtio_device_ops *virtio_fs_ops(const struct virtio_fs *fs)
{
	return &fs->ops;
}

int virtio_fs_attach(struct virtio_fs *fs, struct virtio_mmio *t)
{
	int ret;

	fs->t = t;
	for (unsigned i = 0; i < VIRTIO_FS_WORKERS; i++) {
		ret = pthread_create(&fs->workers[i], NULL, worker, fs);
		if (ret) {
			virtio_fs_detach(fs);
			return err_set(ret, "virtio-fs: start worker thread");
		}
		fs->nr_workers++;
	}
	/* Each worker reports whether it could install its seccomp filter. */
	pthread_mutex_lock(&fs->mu);
	while (fs->nr_started < fs->nr_workers)
		pthread_cond_wait(&fs->cond, &fs->mu);
	ret = fs->start_err;
	pthread_mutex_unlock(&fs->mu);
	if (ret < 0) {
		virtio_fs_detach(fs);
		return err_setx(-ret, "virtio-fs: worker: %s", fs->start_msg);
	}
	return 0;
}

void virtio_fs_detach(struct virtio_fs *fs)
{
	pthread_mutex_lock(&fs->mu);
	fs->stop = true;
	/* A worker waiting for a guest's lock gives up, so the joins below end. */
	if (fs->srv)
		fuse_server_stop_waits(fs->srv->s);
	pthread_cond_broadcast(&fs->cond);
	pthread_mutex_unlock(&fs->mu);
	for (unsigned i = 0; i < fs->nr_workers; i++)
		pthread_join(fs->workers[i], NULL);
	fs->nr_workers = 0;
}

unsigned virtio_fs_pending(struct virtio_fs *fs)
{
	unsigned n;

	pthread_mutex_lock(&fs->mu);
	n = fs->pending;
	pthread_mutex_unlock(&fs->mu);
	return n;
}
