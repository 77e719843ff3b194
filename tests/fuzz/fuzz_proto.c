/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the bytes a hostile peer sends on the control channel
 * (or on a stdio stream, for its header). Byte 0 is the size of the pieces
 * that the rest is fed in, through the incremental frame decoder; every
 * frame that comes out goes through the message decoder (a reply's body
 * under every op) and the stream header decoder. Whatever a decoder
 * accepts must encode again, and decode to the same message: the
 * re-encoded text must not change on a second round. Any crash, leak,
 * abort or sanitizer report is a bug. Seeds: tests/fuzz/corpus/proto/.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_proto.c common/frame.c common/json.c common/proto*.c \
 *     common/error.c -lyajl -o fuzz_proto
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "common/frame.h"
#include "common/proto.h"
#include "common/proto_stream.h"

/* encode(decode(text)) must be a fixed point after one round. */
static void check_stable(const struct proto_msg *m, enum proto_op reply_op)
{
	struct proto_msg again;
	char *a, *b;
	size_t alen, blen;

	if (proto_encode(m, &a, &alen) < 0)
		abort(); /* the decoder accepted what the encoder refuses */
	if (proto_decode(a, alen, &again) < 0)
		abort();
	if (again.kind == PROTO_REPLY && !again.err &&
	    proto_decode_reply_body(&again, reply_op) < 0)
		abort();
	if (proto_encode(&again, &b, &blen) < 0)
		abort();
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
	free(a);
	free(b);
	proto_msg_free(&again);
}

static void fuzz_message(const char *buf, size_t len)
{
	struct proto_msg m;
	struct proto_stream_hdr h;
	char *out;
	size_t olen;

	if (proto_decode(buf, len, &m) == 0) {
		if (m.kind != PROTO_REPLY || m.err)
			check_stable(&m, PROTO_OP_NONE);
		proto_msg_free(&m);
		/* Which op a reply answers is known only to the requester: try each. */
		for (int op = PROTO_OP_HELLO; op < PROTO_OP_COUNT; op++) {
			if (proto_decode(buf, len, &m) < 0 || m.kind != PROTO_REPLY || m.err) {
				proto_msg_free(&m);
				break;
			}
			if (proto_decode_reply_body(&m, op) == 0)
				check_stable(&m, op);
			proto_msg_free(&m);
		}
	} else {
		proto_msg_free(&m);
	}
	if (proto_stream_hdr_decode(buf, len, &h) == 0) {
		if (proto_stream_hdr_encode(&h, &out, &olen) < 0)
			abort();
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_decoder d;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = data[0] ? data[0] : 256;
	data++;
	size--;
	frame_decoder_init(&d, 0);
	while (size > 0) {
		size_t n = size < chunk ? size : chunk, used;
		char *payload;
		size_t plen;
		int ret = frame_decoder_feed(&d, data, n, &used, &payload, &plen);

		if (ret < 0)
			break;
		if (used > n)
			abort();
		data += used;
		size -= used;
		if (ret == 1) {
			if (!payload || plen == 0 || plen > FRAME_MAX || payload[plen] != '\0')
				abort();
			fuzz_message(payload, plen);
			free(payload);
		} else if (used != n) {
			abort(); /* no frame, yet bytes left behind */
		}
	}
	frame_decoder_finish(&d);
	frame_decoder_free(&d);
	return 0;
}
