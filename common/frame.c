/* SPDX-License-Identifier: Apache-2.0 */
#include "common/frame.h"
#include "common/util.h"
#include "common/error.h"

#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

void frame_put_header(uint8_t hdr[FRAME_HDR_LEN], uint32_t len)
{
	hdr[0] = len >> 24;
	hdr[1] = len >> 16;
	hdr[2] = len >> 8;
	hdr[3] = len;
}

static uint32_t frame_get_header(const uint8_t hdr[FRAME_HDR_LEN])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
}

int frame_check_len(uint32_t len, uint32_t max)
{
	if (len == 0)
		return err_setx(EBADMSG, "frame: zero-length frame");
	if (len > max)
		return err_setx(EMSGSIZE, "frame: announced length %u exceeds the limit of %u", len,
				max);
	return 0;
}

long long frame_deadline(int timeout_ms)
{
	return timeout_ms > 0 ? now_ms() + timeout_ms : 0;
}

int frame_ms_left(long long deadline)
{
	long long now;

	if (!deadline)
		return -1;
	now = now_ms();
	if (now >= deadline)
		return 0;
	return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

int frame_wait(int fd, short events, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};

	if (!deadline)
		return 0;
	for (;;) {
		int n = poll(&p, 1, frame_ms_left(deadline));

		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* sendmsg() where possible: MSG_NOSIGNAL exists only for sockets. */
static ssize_t frame_writev(int fd, struct iovec *iov, int iovcnt, bool *not_socket, int flags)
{
	if (!*not_socket) {
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = iovcnt};
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL | flags);

		if (n >= 0 || errno != ENOTSOCK)
			return n;
		*not_socket = true;
	}
	return writev(fd, iov, iovcnt);
}

int frame_write(int fd, const void *payload, size_t len)
{
	return frame_write_until(fd, payload, len, 0);
}

int frame_write_until(int fd, const void *payload, size_t len, long long deadline)
{
	uint8_t hdr[FRAME_HDR_LEN];
	struct iovec iov[2];
	struct iovec *cur = iov;
	int cnt = 2;
	bool not_socket = false;
	int ret;

	if (len > FRAME_MAX)
		return err_setx(EMSGSIZE, "frame: payload of %zu bytes exceeds the limit of %u",
				len, FRAME_MAX);
	ret = frame_check_len(len, FRAME_MAX);
	if (ret < 0)
		return ret;
	frame_put_header(hdr, len);
	iov[0] = (struct iovec){.iov_base = hdr, .iov_len = sizeof(hdr)};
	iov[1] = (struct iovec){.iov_base = (void *)payload, .iov_len = len};
	while (cnt > 0) {
		/* With a deadline a socket is never waited on in sendmsg(), only in poll(). */
		ssize_t n = frame_writev(fd, cur, cnt, &not_socket, deadline ? MSG_DONTWAIT : 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && deadline) {
				ret = frame_wait(fd, POLLOUT, deadline);
				if (ret == -ETIMEDOUT)
					return err_setx(
					    ETIMEDOUT,
					    "frame: timed out with %zu of %zu bytes unsent",
					    cur->iov_len + (cnt > 1 ? cur[1].iov_len : 0),
					    len + FRAME_HDR_LEN);
				if (ret < 0)
					return err_set(-ret, "frame: poll");
				continue;
			}
			return err_set(errno, "frame: write");
		}
		if (n == 0)
			return err_setx(EIO, "frame: write made no progress");
		while (cnt > 0 && (size_t)n >= cur->iov_len) {
			n -= cur->iov_len;
			cur++;
			cnt--;
		}
		if (cnt > 0) {
			cur->iov_base = (char *)cur->iov_base + n;
			cur->iov_len -= n;
		}
	}
	return 0;
}

/*
 * Reads exactly len bytes, each read waiting for the deadline in poll();
 * *got says how many arrived before EOF. -ETIMEDOUT carries no message:
 * the caller says where in the frame it happened.
 */
static int frame_read_full(int fd, void *buf, size_t len, size_t *got, long long deadline)
{
	*got = 0;
	while (*got < len) {
		int ret = frame_wait(fd, POLLIN, deadline);
		ssize_t n;

		if (ret == -ETIMEDOUT)
			return ret;
		if (ret < 0)
			return err_set(-ret, "frame: poll");
		n = read(fd, (char *)buf + *got, len - *got);
		if (n < 0) {
			if (errno == EINTR || (errno == EAGAIN && deadline))
				continue;
			return err_set(errno, "frame: read");
		}
		if (n == 0)
			return 0;
		*got += n;
	}
	return 0;
}

int frame_read(int fd, char **payload, size_t *len)
{
	return frame_read_until(fd, payload, len, 0);
}

int frame_read_until(int fd, char **payload, size_t *len, long long deadline)
{
	uint8_t hdr[FRAME_HDR_LEN];
	uint32_t plen;
	size_t got;
	char *buf;
	int ret;

	*payload = NULL;
	*len = 0;
	ret = frame_read_full(fd, hdr, sizeof(hdr), &got, deadline);
	if (ret == -ETIMEDOUT)
		return got ? err_setx(ETIMEDOUT, "frame: timed out after %zu of %d header bytes",
				      got, FRAME_HDR_LEN)
			   : err_setx(ETIMEDOUT, "frame: timed out waiting for a frame");
	if (ret < 0)
		return ret;
	if (got == 0)
		return 0;
	if (got < sizeof(hdr))
		return err_setx(EPROTO, "frame: end of stream after %zu of %d header bytes", got,
				FRAME_HDR_LEN);
	plen = frame_get_header(hdr);
	ret = frame_check_len(plen, FRAME_MAX);
	if (ret < 0)
		return ret;
	buf = malloc((size_t)plen + 1);
	if (!buf)
		return err_set(ENOMEM, "frame: allocating %u bytes", plen);
	ret = frame_read_full(fd, buf, plen, &got, deadline);
	if (ret == -ETIMEDOUT)
		ret = err_setx(ETIMEDOUT, "frame: timed out after %zu of %u payload bytes", got,
			       plen);
	else if (ret == 0 && got < plen)
		ret = err_setx(EPROTO, "frame: end of stream after %zu of %u payload bytes", got,
			       plen);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[plen] = '\0';
	*payload = buf;
	*len = plen;
	return 0;
}

void frame_decoder_init(struct frame_decoder *d, uint32_t max)
{
	memset(d, 0, sizeof(*d));
	d->max = (max == 0 || max > FRAME_MAX) ? FRAME_MAX : max;
}

void frame_decoder_free(struct frame_decoder *d)
{
	free(d->buf);
	d->buf = NULL;
}

static int frame_decoder_fail(struct frame_decoder *d, int err)
{
	d->err = err;
	return err;
}

int frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len, size_t *used,
		       char **payload, size_t *plen)
{
	const uint8_t *p = data;
	size_t off = 0;
	int ret;

	*used = 0;
	*payload = NULL;
	*plen = 0;
	if (d->err)
		return err_setx(-d->err, "frame: decoder failed earlier; stream is out of sync");
	if (d->hdr_have < FRAME_HDR_LEN) {
		size_t n = FRAME_HDR_LEN - d->hdr_have;

		if (n > len)
			n = len;
		memcpy(d->hdr + d->hdr_have, p, n);
		d->hdr_have += n;
		off += n;
		*used = off;
		if (d->hdr_have < FRAME_HDR_LEN)
			return 0;
		d->need = frame_get_header(d->hdr);
		ret = frame_check_len(d->need, d->max);
		if (ret < 0)
			return frame_decoder_fail(d, ret);
		/* Allocated only now that the length is known to be acceptable. */
		d->buf = malloc((size_t)d->need + 1);
		if (!d->buf)
			return frame_decoder_fail(
			    d, err_set(ENOMEM, "frame: allocating %u bytes", d->need));
		d->have = 0;
	}
	if (off < len) {
		size_t n = d->need - d->have;

		if (n > len - off)
			n = len - off;
		memcpy(d->buf + d->have, p + off, n);
		d->have += n;
		off += n;
		*used = off;
	}
	if (d->have < d->need)
		return 0;
	d->buf[d->need] = '\0';
	*payload = d->buf;
	*plen = d->need;
	d->buf = NULL;
	d->hdr_have = 0;
	d->need = 0;
	d->have = 0;
	return 1;
}

int frame_decoder_finish(const struct frame_decoder *d)
{
	if (d->err)
		return err_setx(-d->err, "frame: stream ended after a bad frame");
	if (d->hdr_have == 0)
		return 0;
	if (d->hdr_have < FRAME_HDR_LEN)
		return err_setx(EPROTO, "frame: end of stream after %u of %d header bytes",
				d->hdr_have, FRAME_HDR_LEN);
	return err_setx(EPROTO, "frame: end of stream after %u of %u payload bytes", d->have,
			d->need);
}
