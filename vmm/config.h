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
/* --net: NICs per VM, and the MTU range a NIC may be given (Ethernet's minimum for IPv4). */
#define VMM_MAX_NET 8
#define VMM_NET_MIN_MTU 68
#define VMM_NET_MAX_MTU 65535
#define VMM_NET_DEFAULT_MTU 1500

/* --net fd=N,mac=MAC[,mtu=U]: a virtio-net NIC on a tap the VMM inherited as fd N. */
struct vmm_net {
	int fd; /* checked by the CLI: a tap opened with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR */
	uint8_t mac[6];
	uint16_t mtu;
};

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
	struct vmm_net net[VMM_MAX_NET];
	unsigned nr_net;
};

#endif
