/* SPDX-License-Identifier: Apache-2.0 */
/* ozone-vmm's configuration, as parsed from its command line. */
#ifndef OZONE_VMM_CONFIG_H
#define OZONE_VMM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/fuse_server.h"

#define VMM_MAX_FS 16
/* Highest --fs inodes= and handles=: each costs the VMM an fd (RLIMIT_NOFILE is sized from them).
 */
#define VMM_FS_MAX_INODES (1u << 20)
#define VMM_FS_MAX_HANDLES (1u << 16)
/* Bytes of a virtio-fs tag (struct virtio_fs_config). */
#define VMM_FS_TAG_MAX 36

enum console_mode { CONSOLE_STDIO, CONSOLE_NONE, CONSOLE_FILE };

/* --fs TAG=DIR[,cache=none|auto|always][,writeback][,inodes=N][,handles=N] */
struct vmm_fs_share {
	const char *tag; /* 1..36 bytes (the virtio-fs config space's tag) */
	const char *dir;
	enum fuse_cache_policy cache;
	bool writeback;
	uint32_t max_inodes, max_handles; /* 0: FUSE_SERVER_MAX_INODES / _HANDLES */
};

struct vmm_config {
	const char *kernel;
	const char *initrd;  /* NULL: none */
	const char *cmdline; /* user part; devices append their own words */
	unsigned cpus;	     /* 1..VM_MAX_CPUS */
	uint64_t mem_mib;
	enum console_mode console;
	const char *console_path; /* CONSOLE_FILE */
	const char *vsock_socket; /* NULL: no vsock device */
	const char *api_socket;	  /* NULL: none */
	const char *jail_dir;	  /* NULL: not confined (see jail.h) */
	bool balloon;		  /* virtio-balloon with free page reporting */
	struct vmm_fs_share fs[VMM_MAX_FS];
	unsigned nr_fs;
};

#endif
