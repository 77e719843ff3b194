/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runc's --preserve-fds N for a process in a microVM: the caller's fds 3 ..
 * 3+N-1 cannot cross into the guest, so each is relayed over a stream of
 * its own (proto.h, struct proto_fds) by the proxy, and the process gets
 * a pipe or socketpair end at the same number. Which way data goes is read
 * from the fd's open mode: O_RDONLY host to guest, O_WRONLY guest to host,
 * O_RDWR both. What cannot be relayed as a byte stream is refused here,
 * before anything is made: an fd that is not open, a listening socket
 * (its connections would have to be accepted in the guest), an O_PATH fd.
 */
#ifndef OZONE_RUNTIME_PRESERVE_FDS_H
#define OZONE_RUNTIME_PRESERVE_FDS_H

#include <stdint.h>

#include "common/proto.h"

/* The first extra fd: the process's and the caller's. */
#define PRESERVE_FDS_FIRST 3

/* The direction of one fd (enum proto_fd_dir), or -errno with a message naming the fd. */
int preserve_fd_dir(int fd, uint8_t *dir);

/* Checks the caller's fds 3 .. 3+n-1 and fills f (port left 0); n 0 gives none. */
int preserve_fds_check(long long n, struct proto_fds *f);

#endif
