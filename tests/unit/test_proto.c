/* SPDX-License-Identifier: Apache-2.0 */
/* The protocol codec: every op, reply and event survives encode + decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/proto.h"
#include "common/proto_stream.h"

static const char spec_json[] =
    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\",\"-c\",\"echo \\\"hi\\\"\"],"
    "\"env\":[\"PATH=/bin\"],\"user\":{\"uid\":0,\"gid\":0}},\"root\":{\"path\":\"rootfs\"},"
    "\"linux\":{\"resources\":{\"memory\":{\"limit\":18446744073709551615}},"
    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1}},"
    "\"annotations\":{\"k\":\"v\xc3\xa9\"},\"x\":[1.5,-2,null,true,false,{}]}";

/* Encodes m, decodes the result into out, and checks the text is a request/reply/event. */
static void roundtrip(const struct proto_msg *m, struct proto_msg *out)
{
	char *buf;
	size_t len;

	assert_int_equal(proto_encode(m, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(proto_decode(buf, len, out), 0);
	free(buf);
	assert_int_equal(out->kind, m->kind);
	assert_int_equal(out->id, m->id);
}

static struct proto_msg request(enum proto_op op, uint64_t id)
{
	struct proto_msg m = {.kind = PROTO_REQUEST, .op = op, .id = id};

	return m;
}

static void test_hello(void **state)
{
	struct proto_msg m = request(PROTO_OP_HELLO, 1), d;

	(void)state;
	m.body.hello.version = PROTO_VERSION;
	strcpy(m.body.hello.software, "0.1.0");
	roundtrip(&m, &d);
	assert_int_equal(d.op, PROTO_OP_HELLO);
	assert_int_equal(d.body.hello.version, PROTO_VERSION);
	assert_string_equal(d.body.hello.software, "0.1.0");
	proto_msg_free(&d);

	m = (struct proto_msg){.kind = PROTO_REPLY, .op = PROTO_OP_HELLO, .id = 1};
	m.body.hello.version = PROTO_VERSION;
	strcpy(m.body.hello.software, "0.1.0-agent");
	roundtrip(&m, &d);
	assert_non_null(d.tree);
	assert_int_equal(proto_decode_reply_body(&d, PROTO_OP_HELLO), 0);
	assert_null(d.tree);
	assert_string_equal(d.body.hello.software, "0.1.0-agent");
	assert_int_equal(proto_hello_check(&d.body.hello, "agent"), 0);
	proto_msg_free(&d);
}

static void test_hello_version_mismatch(void **state)
{
	struct proto_hello peer = {.version = PROTO_VERSION + 1};
	const char req[] =
	    "{\"v\":2,\"id\":7,\"op\":\"hello\",\"body\":{\"version\":2,\"runtime\":\"9\"}}";
	struct proto_msg d;

	(void)state;
	strcpy(peer.software, "9.9");
	assert_int_equal(proto_hello_check(&peer, "agent"), -EPROTONOSUPPORT);
	assert_non_null(strstr(err_msg(), "agent 9.9 speaks protocol version 2"));
	/* A request of another version is refused, but its id is kept for the reply. */
	assert_int_equal(proto_decode(req, strlen(req), &d), -EPROTONOSUPPORT);
	assert_int_equal(d.kind, PROTO_REQUEST);
	assert_int_equal(d.id, 7);
	proto_msg_free(&d);
}

static void test_create(void **state)
{
	struct proto_msg m = request(PROTO_OP_CREATE, 2), d;

	(void)state;
	strcpy(m.body.create.container_id, "c1");
	m.body.create.rootfs = "c1/rootfs";
	m.body.create.spec_json = (char *)spec_json;
	m.body.create.stdio =
	    (struct proto_stdio){.stdin_port = 2000, .stdout_port = 2001, .stderr_port = 2002};
	roundtrip(&m, &d);
	assert_int_equal(d.op, PROTO_OP_CREATE);
	assert_string_equal(d.body.create.container_id, "c1");
	assert_string_equal(d.body.create.rootfs, "c1/rootfs");
	assert_int_equal(d.body.create.stdio.stdin_port, 2000);
	assert_int_equal(d.body.create.stdio.stdout_port, 2001);
	assert_int_equal(d.body.create.stdio.stderr_port, 2002);
	assert_int_equal(d.body.create.stdio.tty_port, 0);
	/* The spec comes back as the same JSON text: numbers are kept verbatim. */
	assert_string_equal(d.body.create.spec_json, spec_json);
	/* No pod: the key is left out and decodes as "". */
	assert_string_equal(d.body.create.pod, "");
	proto_msg_free(&d);

	strcpy(m.body.create.pod, "sandbox-1");
	roundtrip(&m, &d);
	assert_string_equal(d.body.create.pod, "sandbox-1");
	proto_msg_free(&d);
}

static void test_container_ops(void **state)
{
	static const enum proto_op ops[] = {PROTO_OP_START, PROTO_OP_PS,     PROTO_OP_STATS,
					    PROTO_OP_PAUSE, PROTO_OP_RESUME, PROTO_OP_DESTROY};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		struct proto_msg m = request(ops[i], 100 + i), d;

		strcpy(m.body.container.container_id, "abc-DEF_0.9+x");
		roundtrip(&m, &d);
		assert_int_equal(d.op, ops[i]);
		assert_string_equal(d.body.container.container_id, "abc-DEF_0.9+x");
		proto_msg_free(&d);
	}
}

static void test_exec(void **state)
{
	struct proto_msg m = request(PROTO_OP_EXEC, 3), d;

	(void)state;
	strcpy(m.body.exec.container_id, "c1");
	strcpy(m.body.exec.exec_id, "e1");
	m.body.exec.process_json = "{\"args\":[\"ls\"],\"cwd\":\"/\",\"terminal\":true}";
	m.body.exec.tty = true;
	m.body.exec.stdio.tty_port = 3000;
	roundtrip(&m, &d);
	assert_string_equal(d.body.exec.container_id, "c1");
	assert_string_equal(d.body.exec.exec_id, "e1");
	assert_string_equal(d.body.exec.process_json, m.body.exec.process_json);
	assert_true(d.body.exec.tty);
	assert_int_equal(d.body.exec.stdio.tty_port, 3000);
	proto_msg_free(&d);
}

static void test_signal(void **state)
{
	struct proto_msg m = request(PROTO_OP_SIGNAL, 4), d;

	(void)state;
	strcpy(m.body.signal.container_id, "c1");
	m.body.signal.all = true;
	m.body.signal.signal = 9;
	roundtrip(&m, &d);
	assert_true(d.body.signal.all);
	assert_string_equal(d.body.signal.exec_id, "");
	assert_int_equal(d.body.signal.signal, 9);
	proto_msg_free(&d);

	m.body.signal.all = false;
	strcpy(m.body.signal.exec_id, "e2");
	m.body.signal.signal = 64;
	roundtrip(&m, &d);
	assert_false(d.body.signal.all);
	assert_string_equal(d.body.signal.exec_id, "e2");
	assert_int_equal(d.body.signal.signal, 64);
	proto_msg_free(&d);
}

static void test_process_ops(void **state)
{
	static const enum proto_op ops[] = {PROTO_OP_WAIT, PROTO_OP_CLOSE_STDIN};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct proto_msg m = request(ops[i], 5), d;

		strcpy(m.body.process.container_id, "c1");
		roundtrip(&m, &d);
		assert_string_equal(d.body.process.exec_id, "");
		proto_msg_free(&d);
		assert_false(d.body.process.owner);
		proto_msg_free(&d);
		strcpy(m.body.process.exec_id, "e1");
		m.body.process.owner = true;
		roundtrip(&m, &d);
		assert_string_equal(d.body.process.exec_id, "e1");
		assert_true(d.body.process.owner);
		proto_msg_free(&d);
	}
}

/* "owner" is optional and must be a boolean. */
static void test_wait_owner_decode(void **state)
{
	static const char ok[] =
	    "{\"v\":1,\"id\":3,\"op\":\"wait\",\"body\":{\"container_id\":\"c1\",\"owner\":false}}";
	static const char bad[] =
	    "{\"v\":1,\"id\":3,\"op\":\"wait\",\"body\":{\"container_id\":\"c1\",\"owner\":1}}";
	struct proto_msg d;

	(void)state;
	assert_int_equal(proto_decode(ok, strlen(ok), &d), 0);
	assert_false(d.body.process.owner);
	proto_msg_free(&d);
	assert_int_equal(proto_decode(bad, strlen(bad), &d), -EBADMSG);
	assert_int_equal(d.id, 3);
	proto_msg_free(&d);
}

static void test_resize_update_shutdown(void **state)
{
	struct proto_msg m = request(PROTO_OP_RESIZE, 6), d;

	(void)state;
	strcpy(m.body.resize.container_id, "c1");
	m.body.resize.rows = 0;
	m.body.resize.cols = 65535;
	roundtrip(&m, &d);
	assert_int_equal(d.body.resize.rows, 0);
	assert_int_equal(d.body.resize.cols, 65535);
	proto_msg_free(&d);

	m = request(PROTO_OP_UPDATE, 7);
	strcpy(m.body.update.container_id, "c1");
	m.body.update.resources_json = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":10}}";
	roundtrip(&m, &d);
	assert_string_equal(d.body.update.resources_json, m.body.update.resources_json);
	proto_msg_free(&d);

	m = request(PROTO_OP_SHUTDOWN, PROTO_ID_MAX);
	roundtrip(&m, &d);
	assert_int_equal(d.op, PROTO_OP_SHUTDOWN);
	proto_msg_free(&d);
}

static void test_replies(void **state)
{
	uint32_t pids[] = {1, 42, 4194304};
	struct proto_msg m = {.kind = PROTO_REPLY, .id = 9, .op = PROTO_OP_WAIT}, d;

	(void)state;
	m.body.status.code = 255;
	roundtrip(&m, &d);
	assert_int_equal(proto_decode_reply_body(&d, PROTO_OP_WAIT), 0);
	assert_int_equal(d.body.status.code, 255);
	assert_int_equal(d.body.status.signal, 0);
	proto_msg_free(&d);

	m.body.status = (struct proto_status){.signal = 9};
	roundtrip(&m, &d);
	assert_int_equal(proto_decode_reply_body(&d, PROTO_OP_WAIT), 0);
	assert_int_equal(d.body.status.signal, 9);
	proto_msg_free(&d);

	m.op = PROTO_OP_PS;
	m.body.pids = (struct proto_pids){.pids = pids, .count = 3};
	roundtrip(&m, &d);
	assert_int_equal(proto_decode_reply_body(&d, PROTO_OP_PS), 0);
	assert_int_equal(d.body.pids.count, 3);
	assert_memory_equal(d.body.pids.pids, pids, sizeof(pids));
	proto_msg_free(&d);

	m.body.pids = (struct proto_pids){0};
	roundtrip(&m, &d);
	assert_int_equal(proto_decode_reply_body(&d, PROTO_OP_PS), 0);
	assert_int_equal(d.body.pids.count, 0);
	proto_msg_free(&d);

	m.op = PROTO_OP_STATS;
	m.body.stats = (struct proto_stats){.cpu_usage_ns = UINT64_MAX - 1,
					    .memory_usage = 1 << 20,
					    .memory_limit = PROTO_UNLIMITED,
					    .pids_current = 3,
					    .pids_limit = 100,
					    .io_read_bytes = 5,
					    .io_write_bytes = 6};
	roundtrip(&m, &d);
	assert_int_equal(proto_decode_reply_body(&d, PROTO_OP_STATS), 0);
	assert_memory_equal(&d.body.stats, &m.body.stats, sizeof(m.body.stats));
	proto_msg_free(&d);

	/* Ops with no reply fields: an empty body, decoded against any op. */
	for (int op = PROTO_OP_HELLO; op < PROTO_OP_COUNT; op++) {
		if (op == PROTO_OP_HELLO || op == PROTO_OP_WAIT || op == PROTO_OP_PS ||
		    op == PROTO_OP_STATS)
			continue;
		m = (struct proto_msg){.kind = PROTO_REPLY, .id = op, .op = op};
		roundtrip(&m, &d);
		assert_int_equal(proto_decode_reply_body(&d, op), 0);
		assert_int_equal(d.op, op);
		assert_int_equal(proto_reply_error(&d), 0);
		proto_msg_free(&d);
	}
}

static void test_error_reply(void **state)
{
	char longmsg[2000];
	struct proto_msg m = {.kind = PROTO_REPLY, .id = 11, .err = ENOENT}, d;

	(void)state;
	m.error = "create: exec: \"/bin/nope\": no such file";
	roundtrip(&m, &d);
	assert_int_equal(d.err, ENOENT);
	assert_string_equal(d.error, m.error);
	assert_int_equal(proto_reply_error(&d), -ENOENT);
	assert_string_equal(err_msg(), "agent: create: exec: \"/bin/nope\": no such file");
	/* A failed reply has no body to decode. */
	assert_int_equal(proto_decode_reply_body(&d, PROTO_OP_CREATE), -EINVAL);
	proto_msg_free(&d);

	/* Long or binary messages are cut and made printable, never refused. */
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[0] = '\x01';
	longmsg[1] = (char)0xc3;
	longmsg[sizeof(longmsg) - 1] = '\0';
	m.error = longmsg;
	roundtrip(&m, &d);
	assert_int_equal(strlen(d.error), PROTO_ERROR_MAX);
	assert_int_equal(d.error[0], '?');
	assert_int_equal(d.error[1], '?');
	proto_msg_free(&d);

	m.error = NULL;
	m.err = EPERM;
	roundtrip(&m, &d);
	assert_string_equal(d.error, strerror(EPERM));
	proto_msg_free(&d);
}

static void test_events(void **state)
{
	struct proto_msg m = {.kind = PROTO_EVENT, .event = PROTO_EVENT_EXIT}, d;

	(void)state;
	strcpy(m.body.exit.container_id, "c1");
	strcpy(m.body.exit.exec_id, "e1");
	m.body.exit.pid = 77;
	m.body.exit.status.signal = 15;
	roundtrip(&m, &d);
	assert_int_equal(d.event, PROTO_EVENT_EXIT);
	assert_string_equal(d.body.exit.container_id, "c1");
	assert_string_equal(d.body.exit.exec_id, "e1");
	assert_int_equal(d.body.exit.pid, 77);
	assert_int_equal(d.body.exit.status.signal, 15);
	proto_msg_free(&d);

	m = (struct proto_msg){.kind = PROTO_EVENT, .event = PROTO_EVENT_OOM};
	strcpy(m.body.container.container_id, "c2");
	roundtrip(&m, &d);
	assert_int_equal(d.event, PROTO_EVENT_OOM);
	assert_string_equal(d.body.container.container_id, "c2");
	proto_msg_free(&d);
}

static void test_encode_refuses_invalid(void **state)
{
	struct proto_msg m = request(PROTO_OP_CREATE, 1);
	char *buf;
	size_t len;

	(void)state;
	strcpy(m.body.create.container_id, "../etc");
	m.body.create.rootfs = "rootfs";
	m.body.create.spec_json = "{}";
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	assert_null(buf);
	strcpy(m.body.create.container_id, "c1");
	m.body.create.spec_json = "[1]";
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m.body.create.spec_json = "{";
	assert_true(proto_encode(&m, &buf, &len) < 0);
	m.body.create.spec_json = "{}";
	m.body.create.rootfs = "/abs";
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m.body.create.rootfs = "a/../../b";
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m.body.create.rootfs = "a";
	strcpy(m.body.create.pod, "../pod");
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m.body.create.pod[0] = '\0';
	m.body.create.stdio = (struct proto_stdio){.stdout_port = 5, .tty_port = 6};
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);

	m = request(PROTO_OP_SIGNAL, 1);
	strcpy(m.body.signal.container_id, "c1");
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL); /* signal 0 */
	m.body.signal.signal = 9;
	m.body.signal.all = true;
	strcpy(m.body.signal.exec_id, "e");
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);

	m = request(PROTO_OP_START, PROTO_ID_MAX + 1);
	strcpy(m.body.container.container_id, "c1");
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m = request(PROTO_OP_COUNT, 1);
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m = (struct proto_msg){.kind = PROTO_REPLY, .err = 5000};
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m = (struct proto_msg){.kind = PROTO_EVENT, .event = PROTO_EVENT_EXIT};
	strcpy(m.body.exit.container_id, "c1");
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL); /* pid 0 */
	m = (struct proto_msg){.kind = PROTO_REQUEST, .op = PROTO_OP_EXEC};
	strcpy(m.body.exec.container_id, "c1");
	strcpy(m.body.exec.exec_id, "e1");
	m.body.exec.process_json = "{}";
	m.body.exec.stdio.tty_port = 1; /* without tty: true */
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	/* Strings must be valid UTF-8. */
	m = (struct proto_msg){.kind = PROTO_REQUEST, .op = PROTO_OP_HELLO};
	m.body.hello.version = 1;
	strcpy(m.body.hello.software, "\xff");
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
}

static void test_encode_too_big(void **state)
{
	char *spec = malloc(FRAME_MAX + 64);
	struct proto_msg m = request(PROTO_OP_CREATE, 1);
	char *buf;
	size_t len;

	(void)state;
	strcpy(m.body.create.container_id, "c1");
	m.body.create.rootfs = "r";
	m.body.create.spec_json = spec;
	/* Over the limit for an embedded object. */
	snprintf(spec, FRAME_MAX + 64, "{\"a\":\"%0*d\"}", (int)PROTO_JSON_MAX, 0);
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	assert_non_null(strstr(err_msg(), "'spec'"));
	/* Just under it. */
	snprintf(spec, FRAME_MAX + 64, "{\"a\":\"%0*d\"}", (int)PROTO_JSON_MAX - 8, 0);
	assert_int_equal(proto_encode(&m, &buf, &len), 0);
	free(buf);
	/* A reply over the frame limit. */
	{
		struct proto_msg r = {.kind = PROTO_REPLY, .op = PROTO_OP_PS};
		uint32_t *pids = malloc(PROTO_PIDS_MAX * sizeof(*pids));

		for (size_t i = 0; i < PROTO_PIDS_MAX; i++)
			pids[i] = PROTO_PID_MAX;
		r.body.pids = (struct proto_pids){.pids = pids, .count = PROTO_PIDS_MAX};
		assert_int_equal(proto_encode(&r, &buf, &len), 0); /* 65536 * 8 bytes fits */
		free(buf);
		r.body.pids.count++;
		assert_int_equal(proto_encode(&r, &buf, &len), -EINVAL);
		free(pids);
	}
	free(spec);
}

static void test_send_recv(void **state)
{
	struct proto_msg m = request(PROTO_OP_WAIT, 42), d;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	strcpy(m.body.process.container_id, "c1");
	assert_int_equal(proto_send(sv[0], &m), 0);
	close(sv[0]);
	assert_int_equal(proto_recv(sv[1], &d), 0);
	assert_int_equal(d.kind, PROTO_REQUEST);
	assert_int_equal(d.id, 42);
	assert_string_equal(d.body.process.container_id, "c1");
	proto_msg_free(&d);
	assert_int_equal(proto_recv(sv[1], &d), 0);
	assert_int_equal(d.kind, 0); /* end of stream */
	close(sv[1]);
}

static void test_stream_header(void **state)
{
	struct proto_stream_hdr h = {.kind = PROTO_STREAM_STDOUT}, d;
	char *buf;
	size_t len;

	(void)state;
	strcpy(h.container_id, "c1");
	assert_int_equal(proto_stream_hdr_encode(&h, &buf, &len), 0);
	assert_int_equal(proto_stream_hdr_decode(buf, len, &d), 0);
	free(buf);
	assert_int_equal(d.kind, PROTO_STREAM_STDOUT);
	assert_string_equal(d.container_id, "c1");
	assert_string_equal(d.exec_id, "");

	h.kind = PROTO_STREAM_TTY;
	strcpy(h.exec_id, "e1");
	assert_int_equal(proto_stream_hdr_encode(&h, &buf, &len), 0);
	assert_true(len <= PROTO_STREAM_HDR_MAX);
	assert_int_equal(proto_stream_hdr_decode(buf, len, &d), 0);
	free(buf);
	assert_int_equal(d.kind, PROTO_STREAM_TTY);
	assert_string_equal(d.exec_id, "e1");
	assert_string_equal(proto_stream_name(PROTO_STREAM_STDIN), "stdin");
	assert_null(proto_stream_name(PROTO_STREAM_COUNT));

	h.kind = PROTO_STREAM_NONE;
	assert_int_equal(proto_stream_hdr_encode(&h, &buf, &len), -EINVAL);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(proto_op_name(PROTO_OP_CLOSE_STDIN), "close_stdin");
	assert_null(proto_op_name(PROTO_OP_NONE));
	assert_null(proto_op_name(PROTO_OP_COUNT));
	assert_string_equal(proto_event_name(PROTO_EVENT_OOM), "oom");
	assert_null(proto_event_name(PROTO_EVENT_COUNT));
	for (int op = 1; op < PROTO_OP_COUNT; op++)
		assert_non_null(proto_op_name(op));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hello),
	    cmocka_unit_test(test_hello_version_mismatch),
	    cmocka_unit_test(test_create),
	    cmocka_unit_test(test_container_ops),
	    cmocka_unit_test(test_exec),
	    cmocka_unit_test(test_signal),
	    cmocka_unit_test(test_process_ops),
	    cmocka_unit_test(test_wait_owner_decode),
	    cmocka_unit_test(test_resize_update_shutdown),
	    cmocka_unit_test(test_replies),
	    cmocka_unit_test(test_error_reply),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_encode_refuses_invalid),
	    cmocka_unit_test(test_encode_too_big),
	    cmocka_unit_test(test_send_recv),
	    cmocka_unit_test(test_stream_header),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
