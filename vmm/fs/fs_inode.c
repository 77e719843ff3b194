/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The inode table and the file handle table.
 *
 * A nodeid (and a file handle) is never a pointer: its low 32 bits are a
 * slot index plus one, its high 32 bits the slot's generation, bumped each
 * time the slot is freed. A nodeid the guest invents or keeps after FORGET
 * finds an empty slot or a wrong generation and is refused. The root is
 * slot 0 with generation 0, so its nodeid is FUSE_ROOT_ID (1); it is never
 * forgotten.
 *
 * An inode is one file as reached through one host mount: (st_dev, st_ino,
 * mount id). The same file under two bind mounts of the share (a volume
 * bound read-only into one container and read-write into another of a pod)
 * is two inodes, each with an fd under its own mount, so each keeps that
 * mount's flags.
 *
 * Entries are allocated one by one and pinned (refs) by each request that
 * uses them, so a FORGET or RELEASE racing with a request closes the fd only
 * after the last user is done. One mutex per table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/fs_internal.h"

#include <fcntl.h>
#include <sys/stat.h>

#define HASH_SIZE 4096u

/* The id of the mount fd is on; 0 if the kernel cannot say (before 5.8). */
static uint64_t fd_mnt_id(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

static uint32_t hash_key(dev_t dev, ino_t ino, uint32_t size)
{
	uint64_t k = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4full;

	return (uint32_t)(k >> 32) & (size - 1);
}

/* Takes a free slot (growing the arrays): slot index or -ENOMEM. */
static int64_t slot_alloc(void ***slots, uint32_t **gens, uint32_t **free_stack, uint32_t *nslots,
			  uint32_t *cap, uint32_t *nfree)
{
	if (*nfree)
		return (*free_stack)[--*nfree];
	if (*nslots == UINT32_MAX - 1)
		return -ENOMEM;
	if (*nslots == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 64;
		void **ns = realloc(*slots, ncap * sizeof(**slots));

		if (!ns)
			return -ENOMEM;
		*slots = ns;
		uint32_t *ng = realloc(*gens, ncap * sizeof(**gens));

		if (!ng)
			return -ENOMEM;
		*gens = ng;
		uint32_t *nf = realloc(*free_stack, ncap * sizeof(**free_stack));

		if (!nf)
			return -ENOMEM;
		*free_stack = nf;
		*cap = ncap;
	}
	(*gens)[*nslots] = 1;
	return (*nslots)++;
}

static void *slot_find(void **slots, const uint32_t *gens, uint32_t nslots, uint64_t id)
{
	uint32_t idx = (uint32_t)id, gen = (uint32_t)(id >> 32);

	if (idx == 0 || idx > nslots)
		return NULL;
	idx--;
	if (!slots[idx] || gens[idx] != gen)
		return NULL;
	return slots[idx];
}

/* ---- inodes ---- */

int fs_inodes_init(struct fs_inode_table *t, int root_fd, uint32_t max)
{
	struct fs_inode *root = calloc(1, sizeof(*root));
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->max = max ? max : 1;
	t->hash_size = HASH_SIZE;
	t->hash = calloc(t->hash_size, sizeof(*t->hash));
	if (!root || !t->hash || fstat(root_fd, &st) < 0) {
		free(root);
		free(t->hash);
		return -ENOMEM;
	}
	int64_t slot =
	    slot_alloc((void ***)&t->slots, &t->gens, &t->free, &t->nslots, &t->cap, &t->nfree);
	if (slot != 0) {
		free(root);
		free(t->hash);
		return -ENOMEM;
	}
	t->gens[0] = 0; /* nodeid 1 */
	root->fd = root_fd;
	root->dev = st.st_dev;
	root->ino = st.st_ino;
	root->mnt = fd_mnt_id(root_fd);
	root->type = st.st_mode & S_IFMT;
	root->nlookup = 1;
	root->slot = 0;
	t->slots[0] = root;
	uint32_t h = hash_key(root->dev, root->ino, t->hash_size);

	root->hnext = t->hash[h];
	t->hash[h] = root;
	t->count = 1;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

void fs_inodes_free(struct fs_inode_table *t)
{
	for (uint32_t i = 0; i < t->nslots; i++) {
		if (t->slots[i]) {
			close(t->slots[i]->fd);
			free(t->slots[i]);
		}
	}
	free(t->slots);
	free(t->gens);
	free(t->free);
	free(t->hash);
	pthread_mutex_destroy(&t->lock);
}

struct fs_inode *fs_inode_get(struct fs_inode_table *t, uint64_t nodeid)
{
	struct fs_inode *ino;

	pthread_mutex_lock(&t->lock);
	ino = slot_find((void **)t->slots, t->gens, t->nslots, nodeid);
	if (ino)
		ino->refs++;
	pthread_mutex_unlock(&t->lock);
	return ino;
}

/* Unlinks an inode whose lookups reached zero from the hash and its slot. Locked. */
static void inode_unpublish(struct fs_inode_table *t, struct fs_inode *ino)
{
	struct fs_inode **pp = &t->hash[hash_key(ino->dev, ino->ino, t->hash_size)];

	while (*pp && *pp != ino)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = ino->hnext;
	t->slots[ino->slot] = NULL;
	t->gens[ino->slot]++;
	if (t->gens[ino->slot] == 0)
		t->gens[ino->slot] = 1;
	t->free[t->nfree++] = ino->slot;
	t->count--;
}

void fs_inode_put(struct fs_inode_table *t, struct fs_inode *ino)
{
	bool gone;

	if (!ino)
		return;
	pthread_mutex_lock(&t->lock);
	ino->refs--;
	gone = ino->nlookup == 0 && ino->refs == 0;
	pthread_mutex_unlock(&t->lock);
	if (gone) {
		close(ino->fd);
		free(ino);
	}
}

int fs_inode_insert(struct fs_inode_table *t, int fd, const struct stat *st, uint64_t *nodeid)
{
	uint32_t h = hash_key(st->st_dev, st->st_ino, t->hash_size);
	uint64_t mnt = fd_mnt_id(fd);
	struct fs_inode *ino;

	pthread_mutex_lock(&t->lock);
	for (ino = t->hash[h]; ino; ino = ino->hnext) {
		if (ino->dev == st->st_dev && ino->ino == st->st_ino && ino->mnt == mnt)
			break;
	}
	if (ino) {
		ino->nlookup++;
		*nodeid = ((uint64_t)t->gens[ino->slot] << 32) | (ino->slot + 1);
		pthread_mutex_unlock(&t->lock);
		close(fd);
		return 0;
	}
	/*
	 * The cap: FORGET (the guest's dentry cache letting go) makes room
	 * again. An inode FORGET dropped while a request still pins it has left
	 * the count already; those are bounded by the requests in flight.
	 */
	if (t->count >= t->max) {
		pthread_mutex_unlock(&t->lock);
		close(fd);
		return -ENFILE;
	}
	ino = calloc(1, sizeof(*ino));
	int64_t slot = ino ? slot_alloc((void ***)&t->slots, &t->gens, &t->free, &t->nslots,
					&t->cap, &t->nfree)
			   : -ENOMEM;
	if (slot < 0) {
		pthread_mutex_unlock(&t->lock);
		free(ino);
		close(fd);
		return -ENOMEM;
	}
	ino->fd = fd;
	ino->dev = st->st_dev;
	ino->ino = st->st_ino;
	ino->mnt = mnt;
	ino->type = st->st_mode & S_IFMT;
	ino->nlookup = 1;
	ino->slot = (uint32_t)slot;
	ino->hnext = t->hash[h];
	t->hash[h] = ino;
	t->slots[slot] = ino;
	t->count++;
	*nodeid = ((uint64_t)t->gens[slot] << 32) | (uint32_t)(slot + 1);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void fs_inode_forget(struct fs_inode_table *t, uint64_t nodeid, uint64_t n)
{
	struct fs_inode *ino;
	bool gone = false;

	pthread_mutex_lock(&t->lock);
	ino = slot_find((void **)t->slots, t->gens, t->nslots, nodeid);
	if (ino && ino->slot != 0) {
		ino->nlookup = n < ino->nlookup ? ino->nlookup - n : 0;
		if (ino->nlookup == 0) {
			inode_unpublish(t, ino);
			gone = ino->refs == 0;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (gone) {
		close(ino->fd);
		free(ino);
	}
}

/* ---- file handles ---- */

int fs_handles_init(struct fs_handle_table *t, uint32_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

static void handle_close(struct fs_handle *h)
{
	close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void fs_handles_free(struct fs_handle_table *t)
{
	for (uint32_t i = 0; i < t->nslots; i++) {
		if (t->slots[i])
			handle_close(t->slots[i]);
	}
	free(t->slots);
	free(t->gens);
	free(t->free);
	pthread_mutex_destroy(&t->lock);
}

int fs_handle_add(struct fs_handle_table *t, int fd, bool dir, uint64_t *fh)
{
	struct fs_handle *h = calloc(1, sizeof(*h));
	int64_t slot;

	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	h->fd = fd;
	h->dir = dir;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_lock(&t->lock);
	/* The cap: RELEASE makes room again (a released handle a request still pins has left the
	 * count; those are bounded by the requests in flight). */
	slot = t->count >= t->max ? -EMFILE
				  : slot_alloc((void ***)&t->slots, &t->gens, &t->free, &t->nslots,
					       &t->cap, &t->nfree);
	if (slot < 0) {
		pthread_mutex_unlock(&t->lock);
		handle_close(h);
		return (int)slot;
	}
	t->count++;
	h->slot = (uint32_t)slot;
	t->slots[slot] = h;
	*fh = ((uint64_t)t->gens[slot] << 32) | (uint32_t)(slot + 1);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

struct fs_handle *fs_handle_get(struct fs_handle_table *t, uint64_t fh, bool dir)
{
	struct fs_handle *h;

	pthread_mutex_lock(&t->lock);
	h = slot_find((void **)t->slots, t->gens, t->nslots, fh);
	if (h && h->dir == dir)
		h->refs++;
	else
		h = NULL;
	pthread_mutex_unlock(&t->lock);
	return h;
}

void fs_handle_put(struct fs_handle_table *t, struct fs_handle *h)
{
	bool gone;

	if (!h)
		return;
	pthread_mutex_lock(&t->lock);
	h->refs--;
	/* Released handles have left their slot; the last user closes them. */
	gone = h->refs == 0 && (h->slot >= t->nslots || t->slots[h->slot] != h);
	pthread_mutex_unlock(&t->lock);
	if (gone)
		handle_close(h);
}

int fs_handle_release(struct fs_handle_table *t, uint64_t fh, bool dir)
{
	struct fs_handle *h;
	bool gone;

	pthread_mutex_lock(&t->lock);
	h = slot_find((void **)t->slots, t->gens, t->nslots, fh);
	if (!h || h->dir != dir) {
		pthread_mutex_unlock(&t->lock);
		return -EBADF;
	}
	t->slots[h->slot] = NULL;
	t->gens[h->slot]++;
	if (t->gens[h->slot] == 0)
		t->gens[h->slot] = 1;
	t->free[t->nfree++] = h->slot;
	t->count--;
	gone = h->refs == 0;
	pthread_mutex_unlock(&t->lock);
	if (gone)
		handle_close(h);
	return 0;
}
