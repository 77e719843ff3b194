/* SPDX-License-Identifier: Apache-2.0 */
/* Frames: the blocking reader and writer, and the incremental decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "common/error.h"
#include "common/frame.h"

/* The test's own writes must all land: a short one fails the test. */
static void put_all(int fd, const void *buf, size_t len)
{
	assert_int_equal(write_all(fd, buf, len), 0);
}

static void put_frame(uint8_t *dst, const char *payload, uint32_t len)
{
	frame_put_header(dst, len);
	memcpy(dst + FRAME_HDR_LEN, payload, len);
}

static void test_header_big_endian(void **state)
{
	uint8_t hdr[FRAME_HDR_LEN];

	(void)state;
	frame_put_header(hdr, 0x01020304);
	assert_memory_equal(hdr, "\x01\x02\x03\x04", 4);
}

static void test_roundtrip_pipe(void **state)
{
	int p[2];
	char *payload;
	size_t len;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(frame_write(p[1], "{\"a\":1}", 7), 0);
	assert_int_equal(frame_write(p[1], "x", 1), 0);
	close(p[1]);
	assert_int_equal(frame_read(p[0], &payload, &len), 0);
	assert_int_equal(len, 7);
	assert_string_equal(payload, "{\"a\":1}");
	free(payload);
	assert_int_equal(frame_read(p[0], &payload, &len), 0);
	assert_int_equal(len, 1);
	assert_string_equal(payload, "x");
	free(payload);
	/* Clean end of stream at a frame boundary. */
	assert_int_equal(frame_read(p[0], &payload, &len), 0);
	assert_null(payload);
	assert_int_equal(len, 0);
	close(p[0]);
}

static void test_read_eof_mid_header(void **state)
{
	int p[2];
	char *payload;
	size_t len;

	(void)state;
	assert_int_equal(pipe(p), 0);
	put_all(p[1], "\0\0", 2);
	close(p[1]);
	assert_int_equal(frame_read(p[0], &payload, &len), -EPROTO);
	assert_null(payload);
	assert_non_null(strstr(err_msg(), "2 of 4 header bytes"));
	close(p[0]);
}

static void test_read_eof_mid_payload(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + 3];
	int p[2];
	char *payload;
	size_t len;

	(void)state;
	assert_int_equal(pipe(p), 0);
	frame_put_header(buf, 10);
	memcpy(buf + FRAME_HDR_LEN, "abc", 3);
	put_all(p[1], buf, sizeof(buf));
	close(p[1]);
	assert_int_equal(frame_read(p[0], &payload, &len), -EPROTO);
	assert_null(payload);
	assert_non_null(strstr(err_msg(), "3 of 10 payload bytes"));
	close(p[0]);
}

static void test_read_oversize_rejected_before_payload(void **state)
{
	uint8_t hdr[FRAME_HDR_LEN];
	int p[2];
	char *payload;
	size_t len;

	(void)state;
	assert_int_equal(pipe(p), 0);
	frame_put_header(hdr, FRAME_MAX + 1);
	put_all(p[1], hdr, sizeof(hdr));
	/* The write end stays open: reading any payload would block forever. */
	assert_int_equal(frame_read(p[0], &payload, &len), -EMSGSIZE);
	assert_null(payload);
	frame_put_header(hdr, UINT32_MAX);
	put_all(p[1], hdr, sizeof(hdr));
	assert_int_equal(frame_read(p[0], &payload, &len), -EMSGSIZE);
	close(p[0]);
	close(p[1]);
}

static void test_read_zero_length(void **state)
{
	uint8_t hdr[FRAME_HDR_LEN];
	int p[2];
	char *payload;
	size_t len;

	(void)state;
	assert_int_equal(pipe(p), 0);
	frame_put_header(hdr, 0);
	put_all(p[1], hdr, sizeof(hdr));
	assert_int_equal(frame_read(p[0], &payload, &len), -EBADMSG);
	close(p[0]);
	close(p[1]);
}

static void test_write_limits(void **state)
{
	static char big[FRAME_MAX + 1];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(frame_write(p[1], big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(frame_write(p[1], "", 0), -EBADMSG);
	close(p[0]);
	/* A vanished reader is an error, not SIGPIPE, on sockets. */
	close(p[1]);
	{
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		close(sv[1]);
		assert_int_equal(frame_write(sv[0], "x", 1), -EPIPE);
		close(sv[0]);
	}
}

/* Big frames through a small socket buffer, with signals interrupting both sides. */
struct slow_reader {
	int fd;
	char *payload;
	size_t len;
	int ret;
};

static void *slow_reader_main(void *arg)
{
	struct slow_reader *r = arg;

	r->ret = frame_read(r->fd, &r->payload, &r->len);
	return NULL;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_short_writes_and_eintr(void **state)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: EINTR */
	struct itimerval it = {.it_interval = {0, 200}, .it_value = {0, 200}};
	struct slow_reader r = {0};
	int sv[2], sndbuf = 4096;
	pthread_t th;
	char *big = malloc(FRAME_MAX);

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < FRAME_MAX; i++)
		big[i] = 'a' + i % 26;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf)), 0);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	r.fd = sv[0];
	assert_int_equal(pthread_create(&th, NULL, slow_reader_main, &r), 0);
	assert_int_equal(frame_write(sv[1], big, FRAME_MAX), 0);
	pthread_join(th, NULL);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.len, FRAME_MAX);
	assert_memory_equal(r.payload, big, FRAME_MAX);
	free(r.payload);
	free(big);
	close(sv[0]);
	close(sv[1]);
}

/* Three frames back to back, as they would arrive on a stream. */
static const char *const stream_payloads[] = {"{}", "x", "{\"id\":1,\"ok\":true}"};

static size_t make_stream(uint8_t *buf)
{
	size_t off = 0;

	for (size_t i = 0; i < 3; i++) {
		uint32_t n = strlen(stream_payloads[i]);

		put_frame(buf + off, stream_payloads[i], n);
		off += FRAME_HDR_LEN + n;
	}
	return off;
}

/* Feeds data in pieces and checks that the three frames come out whole. */
static void feed_split(struct frame_decoder *d, const uint8_t *data, size_t len, size_t split,
		       size_t *nframes)
{
	size_t parts[2][2] = {{0, split}, {split, len}};

	for (int p = 0; p < 2; p++) {
		const uint8_t *cur = data + parts[p][0];
		size_t left = parts[p][1] - parts[p][0];

		while (left > 0) {
			char *payload;
			size_t used, plen;
			int ret = frame_decoder_feed(d, cur, left, &used, &payload, &plen);

			assert_true(ret >= 0);
			assert_true(used <= left);
			cur += used;
			left -= used;
			if (ret == 1) {
				assert_true(*nframes < 3);
				assert_int_equal(plen, strlen(stream_payloads[*nframes]));
				assert_string_equal(payload, stream_payloads[*nframes]);
				free(payload);
				(*nframes)++;
			} else {
				assert_int_equal(left, 0);
			}
		}
	}
}

static void test_decoder_every_split(void **state)
{
	uint8_t buf[256];
	size_t len = make_stream(buf);

	(void)state;
	for (size_t split = 0; split <= len; split++) {
		struct frame_decoder d;
		size_t n = 0;

		frame_decoder_init(&d, 0);
		feed_split(&d, buf, len, split, &n);
		assert_int_equal(n, 3);
		assert_int_equal(frame_decoder_finish(&d), 0);
		frame_decoder_free(&d);
	}
}

static void test_decoder_byte_by_byte(void **state)
{
	uint8_t buf[256];
	size_t len = make_stream(buf), n = 0;
	struct frame_decoder d;

	(void)state;
	frame_decoder_init(&d, 0);
	for (size_t i = 0; i < len; i++) {
		char *payload;
		size_t used, plen;
		int ret = frame_decoder_feed(&d, buf + i, 1, &used, &payload, &plen);

		assert_int_equal(used, 1);
		if (ret == 1) {
			assert_string_equal(payload, stream_payloads[n]);
			free(payload);
			n++;
		} else {
			assert_int_equal(ret, 0);
			/* Truncated here: a clean error, at every byte but frame ends. */
			assert_int_equal(frame_decoder_finish(&d), -EPROTO);
		}
	}
	assert_int_equal(n, 3);
	assert_int_equal(frame_decoder_finish(&d), 0);
	frame_decoder_free(&d);
}

static void test_decoder_oversize_is_sticky(void **state)
{
	struct frame_decoder d;
	uint8_t hdr[FRAME_HDR_LEN], good[8];
	char *payload;
	size_t used, plen;

	(void)state;
	frame_decoder_init(&d, 16);
	frame_put_header(hdr, 17);
	assert_int_equal(frame_decoder_feed(&d, hdr, sizeof(hdr), &used, &payload, &plen),
			 -EMSGSIZE);
	assert_null(d.buf); /* nothing allocated for the announced length */
	put_frame(good, "ok", 2);
	assert_true(frame_decoder_feed(&d, good, 6, &used, &payload, &plen) < 0);
	assert_int_equal(used, 0);
	assert_true(frame_decoder_finish(&d) < 0);
	frame_decoder_free(&d);

	frame_decoder_init(&d, UINT32_MAX); /* clamped to FRAME_MAX */
	assert_int_equal(d.max, FRAME_MAX);
	frame_put_header(hdr, FRAME_MAX + 1);
	assert_int_equal(frame_decoder_feed(&d, hdr, sizeof(hdr), &used, &payload, &plen),
			 -EMSGSIZE);
	frame_decoder_free(&d);
}

static void test_decoder_zero_length(void **state)
{
	struct frame_decoder d;
	uint8_t hdr[FRAME_HDR_LEN] = {0};
	char *payload;
	size_t used, plen;

	(void)state;
	frame_decoder_init(&d, 0);
	assert_int_equal(frame_decoder_feed(&d, hdr, sizeof(hdr), &used, &payload, &plen),
			 -EBADMSG);
	frame_decoder_free(&d);
}

static void test_decoder_free_mid_frame(void **state)
{
	struct frame_decoder d;
	uint8_t buf[FRAME_HDR_LEN + 2];
	char *payload;
	size_t used, plen;

	(void)state;
	frame_decoder_init(&d, 0);
	frame_put_header(buf, 100);
	memcpy(buf + FRAME_HDR_LEN, "ab", 2);
	assert_int_equal(frame_decoder_feed(&d, buf, sizeof(buf), &used, &payload, &plen), 0);
	assert_int_equal(used, sizeof(buf));
	assert_int_equal(frame_decoder_finish(&d), -EPROTO);
	assert_non_null(strstr(err_msg(), "2 of 100 payload bytes"));
	frame_decoder_free(&d); /* no leak of the partial payload */
}

/*
 * A peer that sends the header and half the payload of a 40-byte frame,
 * then nothing (and keeps the connection open): the deadline covers the
 * whole frame, so the read ends when it passes, not at the first byte.
 */
static void test_read_until_stall_mid_payload(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + 40];
	char *payload = (char *)1;
	long long t0;
	size_t len;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	put_frame(buf, "0123456789012345678901234567890123456789", 40);
	put_all(sv[1], buf, FRAME_HDR_LEN + 20);
	t0 = now_ms();
	assert_int_equal(frame_read_until(sv[0], &payload, &len, frame_deadline(300)), -ETIMEDOUT);
	assert_true(now_ms() - t0 >= 250);
	assert_true(now_ms() - t0 < 2000);
	assert_null(payload);
	assert_string_equal(err_msg(), "frame: timed out after 20 of 40 payload bytes");
	close(sv[0]);
	close(sv[1]);
}

/* The same with a peer that stops inside the header. */
static void test_read_until_stall_mid_header(void **state)
{
	char *payload;
	size_t len;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	put_all(sv[1], "\0\0", 2);
	assert_int_equal(frame_read_until(sv[0], &payload, &len, frame_deadline(100)), -ETIMEDOUT);
	assert_string_equal(err_msg(), "frame: timed out after 2 of 4 header bytes");
	close(sv[0]);
	close(sv[1]);
}

/* A trickle does not stretch the deadline: it is one for the frame, not per read. */
struct trickle {
	int fd;
	volatile int stop;
};

static void *trickle_main(void *arg)
{
	struct trickle *t = arg;
	uint8_t hdr[FRAME_HDR_LEN];
	struct timespec ts = {0, 20 * 1000 * 1000};

	frame_put_header(hdr, 1000);
	put_all(t->fd, hdr, sizeof(hdr));
	while (!t->stop && write(t->fd, "x", 1) == 1)
		nanosleep(&ts, NULL);
	return NULL;
}

static void test_read_until_trickle(void **state)
{
	struct trickle t;
	pthread_t th;
	char *payload;
	long long t0;
	size_t len;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	t.fd = sv[1];
	t.stop = 0;
	assert_int_equal(pthread_create(&th, NULL, trickle_main, &t), 0);
	t0 = now_ms();
	assert_int_equal(frame_read_until(sv[0], &payload, &len, frame_deadline(300)), -ETIMEDOUT);
	assert_true(now_ms() - t0 < 2000);
	t.stop = 1;
	pthread_join(th, NULL);
	close(sv[0]);
	close(sv[1]);
}

/* Nothing at all before the deadline; a whole frame within it is read as frame_read() does. */
static void test_read_until_nothing_then_whole(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + 3];
	char *payload;
	size_t len;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(frame_read_until(sv[0], &payload, &len, frame_deadline(50)), -ETIMEDOUT);
	assert_string_equal(err_msg(), "frame: timed out waiting for a frame");
	put_frame(buf, "abc", 3);
	put_all(sv[1], buf, sizeof(buf));
	close(sv[1]);
	assert_int_equal(frame_read_until(sv[0], &payload, &len, frame_deadline(1000)), 0);
	assert_int_equal(len, 3);
	assert_string_equal(payload, "abc");
	free(payload);
	assert_int_equal(frame_read_until(sv[0], &payload, &len, frame_deadline(1000)), 0);
	assert_null(payload);
	close(sv[0]);
}

/* A peer that stops reading: the writer gives up at the deadline instead of blocking. */
static void test_write_until_peer_not_reading(void **state)
{
	char *big = calloc(1, FRAME_MAX);
	long long t0;
	int sv[2], ret = 0;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', FRAME_MAX);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	t0 = now_ms();
	/* A few frames fill any socket buffer. */
	for (int i = 0; i < 16 && ret == 0; i++)
		ret = frame_write_until(sv[1], big, FRAME_MAX, frame_deadline(200));
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(now_ms() - t0 < 5000);
	free(big);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_big_endian),
	    cmocka_unit_test(test_roundtrip_pipe),
	    cmocka_unit_test(test_read_eof_mid_header),
	    cmocka_unit_test(test_read_eof_mid_payload),
	    cmocka_unit_test(test_read_oversize_rejected_before_payload),
	    cmocka_unit_test(test_read_zero_length),
	    cmocka_unit_test(test_read_until_stall_mid_payload),
	    cmocka_unit_test(test_read_until_stall_mid_header),
	    cmocka_unit_test(test_read_until_trickle),
	    cmocka_unit_test(test_read_until_nothing_then_whole),
	    cmocka_unit_test(test_write_until_peer_not_reading),
	    cmocka_unit_test(test_write_limits),
	    cmocka_unit_test(test_short_writes_and_eintr),
	    cmocka_unit_test(test_decoder_every_split),
	    cmocka_unit_test(test_decoder_byte_by_byte),
	    cmocka_unit_test(test_decoder_oversize_is_sticky),
	    cmocka_unit_test(test_decoder_zero_length),
	    cmocka_unit_test(test_decoder_free_mid_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
