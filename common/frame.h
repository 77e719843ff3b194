/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Frames: the unit of the host <-> agent control channel. A frame is a
 * 4-byte big-endian payload length followed by that many payload bytes.
 * A length of zero or above FRAME_MAX is a protocol error, detected from
 * the header alone, so a peer can never make the reader allocate more than
 * FRAME_MAX bytes.
 */
#ifndef OZONE_COMMON_FRAME_H
#define OZONE_COMMON_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR_LEN 4
#define FRAME_MAX (1u << 20)

/* Writes the header for a payload of len bytes. */
void frame_put_header(uint8_t hdr[FRAME_HDR_LEN], uint32_t len);

/*
 * Checks an announced payload length: 0 when 1 <= len <= max, else
 * -EBADMSG (zero length) or -EMSGSIZE (too long).
 */
int frame_check_len(uint32_t len, uint32_t max);

/*
 * Deadlines are absolute CLOCK_MONOTONIC times in milliseconds; 0 means
 * none. frame_deadline(ms) is now + ms (0 for ms <= 0); frame_ms_left()
 * what is left of one, for poll(): -1 for none, 0 once it has passed.
 */
long long frame_deadline(int timeout_ms);
int frame_ms_left(long long deadline);
/* Waits for events (POLLIN, POLLOUT) on fd until the deadline: 0, -ETIMEDOUT, or -errno.
 * With no deadline (0) it returns 0 at once: the read or write that follows blocks. */
int frame_wait(int fd, short events, long long deadline);

/*
 * Writes one frame to fd, header and payload together, going on after
 * short writes and EINTR. Sockets are written with MSG_NOSIGNAL so a
 * vanished peer gives -EPIPE rather than SIGPIPE. For blocking fds.
 */
int frame_write(int fd, const void *payload, size_t len);

/*
 * frame_write() within a deadline: a socket peer that stops
 * reading gives -ETIMEDOUT once it passes, instead of a write that blocks
 * for ever. Other fds are written as frame_write() does.
 */
int frame_write_until(int fd, const void *payload, size_t len, long long deadline);

/*
 * Reads one frame from a blocking fd. On success *payload is a malloc'd,
 * NUL-terminated copy of the payload (the NUL is not counted in *len).
 * At a clean end of stream (EOF before the first header byte) returns 0
 * with *payload == NULL. EOF inside a frame is -EPROTO.
 */
int frame_read(int fd, char **payload, size_t *len);

/*
 * frame_read() within one deadline for the whole frame, header and
 * payload: every read waits in poll() for what is left of it, so a peer
 * that stops sending, before the frame or half way through it, gives
 * -ETIMEDOUT ("frame: timed out after N of M bytes") once it passes.
 */
int frame_read_until(int fd, char **payload, size_t *len, long long deadline);

/*
 * Incremental decoder for non-blocking fds and event loops: feed it
 * whatever bytes arrived, get back complete frames. After an error the
 * decoder stays failed (the stream has lost its frame boundaries).
 */
struct frame_decoder {
	uint32_t max;
	uint8_t hdr[FRAME_HDR_LEN];
	uint32_t hdr_have;
	uint32_t need; /* payload length, once the header is complete */
	uint32_t have;
	char *buf;
	int err;
};

/* max 0 means FRAME_MAX; a larger max is clamped to FRAME_MAX. */
void frame_decoder_init(struct frame_decoder *d, uint32_t max);
void frame_decoder_free(struct frame_decoder *d);

/*
 * Consumes bytes from data[0..len) up to the end of the first frame that
 * completes; *used says how many. Returns 1 with a complete frame in
 * *payload (malloc'd, NUL-terminated, owned by the caller) and *plen,
 * 0 when all of data was consumed without completing a frame, or -errno.
 */
int frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len, size_t *used,
		       char **payload, size_t *plen);

/* At end of stream: 0 if the decoder sits at a frame boundary, else -EPROTO. */
int frame_decoder_finish(const struct frame_decoder *d);

#endif
