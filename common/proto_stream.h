/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stdio streams are vsock connections of their own, carrying raw bytes so
 * that output moves as fast as the pipe allows. Each connection opens with
 * one frame (common/frame.h) holding this header, which names the process
 * and the stream, so that the agent can bind the connection to it; the
 * agent answers with one reply frame (id 0, see proto.h), and from then on
 * the connection carries only the stream's bytes.
 */
#ifndef OZONE_COMMON_PROTO_STREAM_H
#define OZONE_COMMON_PROTO_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "common/proto.h"

/* A header frame is small; the agent reads it with this frame limit. */
#define PROTO_STREAM_HDR_MAX 1024

enum proto_stream_kind {
	PROTO_STREAM_NONE = 0,
	PROTO_STREAM_STDIN,
	PROTO_STREAM_STDOUT,
	PROTO_STREAM_STDERR,
	PROTO_STREAM_TTY,
	PROTO_STREAM_FD, /* an extra fd (proto_fds), named by index */
	PROTO_STREAM_COUNT,
};

struct proto_stream_hdr {
	char container_id[PROTO_NAME_MAX + 1];
	char exec_id[PROTO_NAME_MAX + 1]; /* "" : the container's process */
	enum proto_stream_kind kind;
	uint32_t index; /* PROTO_STREAM_FD: 0 .. PROTO_FDS_MAX - 1 (the process's fd 3 + index) */
};

/* "stdin", "stdout", "stderr", "tty", "fd"; NULL when out of range. */
const char *proto_stream_name(enum proto_stream_kind kind);

/* Encodes the header as a frame payload (malloc'd, NUL-terminated). */
int proto_stream_hdr_encode(const struct proto_stream_hdr *h, char **out, size_t *len);

/* Decodes a header frame payload; -EBADMSG, -EPROTONOSUPPORT or -EOPNOTSUPP (unknown stream). */
int proto_stream_hdr_decode(const char *buf, size_t len, struct proto_stream_hdr *h);

#endif
