/* SPDX-License-Identifier: Apache-2.0 */
/* The protocol decoders against hostile input: typed errors, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/error.h"
#include "common/json.h"
#include "common/proto.h"
#include "common/proto_stream.h"

struct bad_case {
	const char *json;
	int err;
	const char *msg; /* a part of the error message */
};

#define REQ(op, body) "{\"v\":1,\"id\":5,\"op\":\"" op "\",\"body\":" body "}"

static const struct bad_case bad_messages[] = {
    /* Not JSON, or not one JSON object. */
    {"", -EBADMSG, "invalid JSON"},
    {"{", -EBADMSG, "invalid JSON"},
    {"[]", -EBADMSG, "not a JSON object"},
    {"\"op\"", -EBADMSG, "not a JSON object"},
    {"{}", -EBADMSG, "exactly one of"},
    {"{\"id\":1,\"ok\":true} {}", -EBADMSG, "invalid JSON"},
    {"{\"id\":1,\"ok\":true}x", -EBADMSG, "invalid JSON"},
    {"{\"id\":1,\"ok\":true,}", -EBADMSG, "invalid JSON"},
    {"{'id':1}", -EBADMSG, "invalid JSON"},
    {"{\"id\":1,\"ok\":true} // c", -EBADMSG, "invalid JSON"},
    {"{\"id\":1,\"ok\":\"\xff\"}", -EBADMSG, "invalid JSON"},
    {"{\"id\":1,\"ok\":tru}", -EBADMSG, "invalid JSON"},
    {"{\"id\":01,\"ok\":true}", -EBADMSG, NULL},
    /* Envelope. */
    {"{\"id\":1,\"ok\":true,\"op\":\"start\"}", -EBADMSG, "exactly one of"},
    {"{\"id\":1,\"ok\":true,\"event\":\"oom\"}", -EBADMSG, "exactly one of"},
    {"{\"id\":1,\"ok\":true,\"ok\":false}", -EBADMSG, "given twice"},
    {"{\"v\":1,\"op\":\"start\",\"body\":{\"container_id\":\"c\"}}", -EBADMSG, "'id' missing"},
    {"{\"id\":1,\"op\":\"start\",\"body\":{\"container_id\":\"c\"}}", -EBADMSG, "'v' missing"},
    {"{\"v\":\"1\",\"id\":1,\"op\":\"start\"}", -EBADMSG, "'v'"},
    {"{\"v\":0,\"id\":1,\"op\":\"start\"}", -EPROTONOSUPPORT, "version 0"},
    {"{\"v\":99999999999,\"id\":1,\"op\":\"start\"}", -EBADMSG, "out of range"},
    {"{\"v\":1,\"id\":-1,\"op\":\"shutdown\"}", -EBADMSG, "unsigned"},
    {"{\"v\":1,\"id\":1.5,\"op\":\"shutdown\"}", -EBADMSG, "unsigned"},
    {"{\"v\":1,\"id\":1e3,\"op\":\"shutdown\"}", -EBADMSG, "unsigned"},
    {"{\"v\":1,\"id\":9007199254740992,\"op\":\"shutdown\"}", -EBADMSG, "out of range"},
    {"{\"v\":1,\"id\":99999999999999999999999999,\"op\":\"shutdown\"}", -EBADMSG, "out of range"},
    {"{\"v\":1,\"id\":\"1\",\"op\":\"shutdown\"}", -EBADMSG, "expected a number"},
    {"{\"v\":1,\"id\":null,\"op\":\"shutdown\"}", -EBADMSG, "expected a number"},
    {"{\"v\":1,\"id\":1,\"op\":\"format_disk\"}", -EOPNOTSUPP, "unknown op 'format_disk'"},
    {"{\"v\":1,\"id\":1,\"op\":\"\"}", -EOPNOTSUPP, "unknown op"},
    {"{\"v\":1,\"id\":1,\"op\":\"start\\u0000x\"}", -EBADMSG, "NUL"},
    {"{\"v\":1,\"id\":1,\"op\":7}", -EBADMSG, "expected a string"},
    {"{\"v\":1,\"id\":1,\"op\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", -EOPNOTSUPP,
     "unknown op"},
    {"{\"v\":1,\"id\":1,\"op\":\"shutdown\",\"body\":[]}", -EBADMSG, "expected an object"},
    {"{\"v\":1,\"id\":1,\"op\":\"shutdown\",\"body\":null}", -EBADMSG, "expected an object"},
    {"{\"event\":\"reboot\",\"body\":{}}", -EOPNOTSUPP, "unknown event"},
    {"{\"event\":\"oom\"}", -EBADMSG, "'container_id' missing"},
    {"{\"event\":\"oom\",\"body\":{\"container_id\":5}}", -EBADMSG, "expected a string"},
    {"{\"id\":1,\"ok\":1}", -EBADMSG, "true or false"},
    {"{\"id\":1,\"ok\":false}", -EBADMSG, "'errno' missing"},
    {"{\"id\":1,\"ok\":false,\"errno\":0,\"error\":\"x\"}", -EBADMSG, "out of range"},
    {"{\"id\":1,\"ok\":false,\"errno\":4096,\"error\":\"x\"}", -EBADMSG, "out of range"},
    {"{\"id\":1,\"ok\":false,\"errno\":-2,\"error\":\"x\"}", -EBADMSG, NULL},
    {"{\"id\":1,\"ok\":false,\"errno\":2}", -EBADMSG, "'error' missing"},
    {"{\"id\":1,\"ok\":false,\"errno\":2,\"error\":[]}", -EBADMSG, "expected a string"},
    {"{\"id\":1,\"ok\":false,\"errno\":2,\"error\":\"a\\u0000b\"}", -EBADMSG, "NUL"},
    {"{\"id\":1,\"ok\":true,\"body\":5}", -EBADMSG, "expected an object"},
    /* Bodies. */
    {REQ("start", "{}"), -EBADMSG, "'start' body: 'container_id' missing"},
    {REQ("start", "{\"container_id\":\"\"}"), -EBADMSG, "empty"},
    {REQ("start", "{\"container_id\":\"a/b\"}"), -EBADMSG, "only letters"},
    {REQ("start", "{\"container_id\":\"..\"}"), -EBADMSG, "not a valid id"},
    {REQ("start", "{\"container_id\":\".\"}"), -EBADMSG, "not a valid id"},
    {REQ("start", "{\"container_id\":\"a b\"}"), -EBADMSG, "only letters"},
    {REQ("start", "{\"container_id\":\"\\u00e9\"}"), -EBADMSG, "only letters"},
    {REQ("start", "{\"container_id\":\"c\\u0000\"}"), -EBADMSG, "NUL"},
    {REQ("start", "{\"container_id\":[\"c\"]}"), -EBADMSG, "expected a string"},
    {REQ("start", "{\"container_id\":\"c\",\"container_id\":\"d\"}"), -EBADMSG, "given twice"},
    {REQ("hello", "{\"version\":1}"), -EBADMSG, "'runtime' missing"},
    {REQ("hello", "{\"version\":0,\"runtime\":\"x\"}"), -EBADMSG, "out of range"},
    {REQ("hello", "{\"version\":1,\"runtime\":"
		  "\"0123456789012345678901234567890123456789012345678901234567890123\"}"),
     -EBADMSG, "exceeds the limit"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\"}"), -EBADMSG, "'spec' missing"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":\"{}\"}"), -EBADMSG,
     "expected an object"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"/r\",\"spec\":{}}"), -EBADMSG, "relative"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":{},\"pod\":\"..\"}"),
     -EBADMSG, "'pod'"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":{},\"pod\":7}"), -EBADMSG,
     "'pod'"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"\",\"spec\":{}}"), -EBADMSG, "relative"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"a/../..\",\"spec\":{}}"), -EBADMSG,
     "'..'"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"..\",\"spec\":{}}"), -EBADMSG, "'..'"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":{},\"stdio\":[]}"), -EBADMSG,
     "expected an object"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":{},\"stdio\":{\"stdin\":0}}"),
     -EBADMSG, "out of range"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":{},"
		   "\"stdio\":{\"stdin\":4294967295}}"),
     -EBADMSG, "out of range"},
    {REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":{},"
		   "\"stdio\":{\"stdin\":1,\"tty\":2}}"),
     -EBADMSG, "a tty excludes"},
    {REQ("exec", "{\"container_id\":\"c\",\"process\":{}}"), -EBADMSG, "'exec_id' missing"},
    {REQ("exec", "{\"container_id\":\"c\",\"exec_id\":\"e\",\"process\":{},\"tty\":1}"), -EBADMSG,
     "true or false"},
    {REQ("exec", "{\"container_id\":\"c\",\"exec_id\":\"e\",\"process\":{},"
		 "\"stdio\":{\"tty\":9}}"),
     -EBADMSG, "needs 'tty': true"},
    {REQ("exec", "{\"container_id\":\"c\",\"exec_id\":\"e\",\"process\":{},\"tty\":true,"
		 "\"stdio\":{\"stdout\":9}}"),
     -EBADMSG, "only a tty stream"},
    {REQ("signal", "{\"container_id\":\"c\",\"signal\":0}"), -EBADMSG, "out of range"},
    {REQ("signal", "{\"container_id\":\"c\",\"signal\":65}"), -EBADMSG, "out of range"},
    {REQ("signal", "{\"container_id\":\"c\",\"signal\":-9}"), -EBADMSG, "unsigned"},
    {REQ("signal", "{\"container_id\":\"c\",\"signal\":\"KILL\"}"), -EBADMSG, "expected a number"},
    {REQ("signal", "{\"container_id\":\"c\",\"signal\":9,\"all\":true,\"exec_id\":\"e\"}"),
     -EBADMSG, "exclude each other"},
    {REQ("resize", "{\"container_id\":\"c\",\"rows\":65536,\"cols\":1}"), -EBADMSG, "out of range"},
    {REQ("resize", "{\"container_id\":\"c\",\"rows\":1}"), -EBADMSG, "'cols' missing"},
    {REQ("update", "{\"container_id\":\"c\",\"resources\":null}"), -EBADMSG, "expected an object"},
    {"{\"event\":\"exit\",\"body\":{\"container_id\":\"c\",\"pid\":1}}", -EBADMSG,
     "exactly one of 'code' and 'signal'"},
    {"{\"event\":\"exit\",\"body\":{\"container_id\":\"c\",\"pid\":1,\"code\":0,\"signal\":9}}",
     -EBADMSG, "exactly one of"},
    {"{\"event\":\"exit\",\"body\":{\"container_id\":\"c\",\"pid\":1,\"code\":256}}", -EBADMSG,
     "out of range"},
    {"{\"event\":\"exit\",\"body\":{\"container_id\":\"c\",\"pid\":0,\"code\":1}}", -EBADMSG,
     "out of range"},
    {"{\"event\":\"exit\",\"body\":{\"container_id\":\"c\",\"pid\":4194305,\"code\":1}}", -EBADMSG,
     "out of range"},
};

static void test_bad_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_messages); i++) {
		const struct bad_case *c = &bad_messages[i];
		struct proto_msg m;
		int ret = proto_decode(c->json, strlen(c->json), &m);

		if (ret != c->err || (c->msg && !strstr(err_msg(), c->msg)))
			fail_msg("case %zu: %s\n  got %d \"%s\", want %d \"%s\"", i, c->json, ret,
				 err_msg(), c->err, c->msg ? c->msg : "");
		/* Nothing half-decoded is left to free, and freeing is still safe. */
		assert_null(m.tree);
		assert_null(m.error);
		proto_msg_free(&m);
	}
}

/* Requests that fail after their id was read keep it, so that the error can be answered. */
static void test_failed_request_keeps_id(void **state)
{
	const char *j = REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":[]}");
	struct proto_msg m;

	(void)state;
	assert_int_equal(proto_decode(j, strlen(j), &m), -EBADMSG);
	assert_int_equal(m.kind, PROTO_REQUEST);
	assert_int_equal(m.id, 5);
	assert_null(m.body.create.rootfs); /* freed on the way out */
	proto_msg_free(&m);
}

struct bad_reply {
	enum proto_op op;
	const char *body;
	const char *msg;
};

static const struct bad_reply bad_replies[] = {
    {PROTO_OP_HELLO, "{\"version\":1}", "'agent' missing"},
    {PROTO_OP_WAIT, "{}", "exactly one of"},
    {PROTO_OP_WAIT, "{\"signal\":0}", "out of range"},
    {PROTO_OP_PS, "{}", "'pids' missing"},
    {PROTO_OP_PS, "{\"pids\":{}}", "expected an array"},
    {PROTO_OP_PS, "{\"pids\":[1,2,0]}", "out of range"},
    {PROTO_OP_PS, "{\"pids\":[1,\"2\"]}", "expected a number"},
    {PROTO_OP_PS, "{\"pids\":[1,4194305]}", "out of range"},
    {PROTO_OP_PS, "{\"pids\":[[1]]}", "expected a number"},
    {PROTO_OP_STATS, "{}", "'cpu' missing"},
    {PROTO_OP_STATS,
     "{\"cpu\":{\"usage_ns\":1},\"memory\":{\"usage\":1},\"pids\":{\"current\":1},"
     "\"io\":{\"read_bytes\":1,\"write_bytes\":18446744073709551616}}",
     "'io': 'write_bytes'"},
    {PROTO_OP_STATS,
     "{\"cpu\":{\"usage_ns\":-1},\"memory\":{\"usage\":1},\"pids\":{\"current\":1},"
     "\"io\":{\"read_bytes\":1,\"write_bytes\":1}}",
     "'cpu': 'usage_ns'"},
    {PROTO_OP_STATS,
     "{\"cpu\":{\"usage_ns\":1},\"memory\":{\"usage\":1,\"limit\":\"max\"},"
     "\"pids\":{\"current\":1},\"io\":{\"read_bytes\":1,\"write_bytes\":1}}",
     "'memory': 'limit'"},
};

static void test_bad_reply_bodies(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_replies); i++) {
		char buf[1024];
		struct proto_msg m;
		int ret;

		snprintf(buf, sizeof(buf), "{\"id\":3,\"ok\":true,\"body\":%s}",
			 bad_replies[i].body);
		assert_int_equal(proto_decode(buf, strlen(buf), &m), 0);
		ret = proto_decode_reply_body(&m, bad_replies[i].op);
		if (ret != -EBADMSG || !strstr(err_msg(), bad_replies[i].msg))
			fail_msg("case %zu: %s\n  got %d \"%s\"", i, buf, ret, err_msg());
		assert_null(m.tree);
		assert_null(m.body.pids.pids);
		/* Decoded once: a second try is refused, not a use after free. */
		assert_int_equal(proto_decode_reply_body(&m, bad_replies[i].op), -EINVAL);
		proto_msg_free(&m);
	}
}

static void test_reply_body_bad_op(void **state)
{
	const char *j = "{\"id\":3,\"ok\":true}";
	struct proto_msg m;

	(void)state;
	assert_int_equal(proto_decode(j, strlen(j), &m), 0);
	assert_int_equal(proto_decode_reply_body(&m, PROTO_OP_COUNT), -EINVAL);
	assert_int_equal(proto_decode_reply_body(&m, PROTO_OP_NONE), -EINVAL);
	proto_msg_free(&m); /* the undecoded body is freed too */
}

/* Builds a string of n copies of s. */
static char *repeat(const char *prefix, const char *s, size_t n, const char *suffix)
{
	size_t len = strlen(prefix) + strlen(s) * n + strlen(suffix);
	char *buf = malloc(len + 1), *p = buf;

	assert_non_null(buf);
	p = stpcpy(p, prefix);
	for (size_t i = 0; i < n; i++)
		p = stpcpy(p, s);
	strcpy(p, suffix);
	return buf;
}

static void test_deep_nesting(void **state)
{
	struct proto_msg m;
	char *deep;
	char *j;
	yajl_val v;

	(void)state;
	/* 100000 levels: refused without building a tree (which is freed recursively). */
	deep = repeat("", "[", 100000, "");
	assert_int_equal(proto_decode(deep, strlen(deep), &m), -EBADMSG);
	assert_non_null(strstr(err_msg(), "nested deeper than"));
	free(deep);
	/* Exactly at the limit is fine; one more is not. */
	deep = repeat("", "[", JSON_DEPTH_MAX, "");
	j = repeat(deep, "]", JSON_DEPTH_MAX, "");
	assert_int_equal(json_parse(j, strlen(j), &v), 0);
	yajl_tree_free(v);
	free(deep);
	free(j);
	deep = repeat("", "[", JSON_DEPTH_MAX + 1, "");
	j = repeat(deep, "]", JSON_DEPTH_MAX + 1, "");
	assert_int_equal(json_parse(j, strlen(j), &v), -EBADMSG);
	free(deep);
	free(j);
	/* Deep inside an embedded spec. */
	deep = repeat(REQ("create", "{\"container_id\":\"c\",\"rootfs\":\"r\",\"spec\":{\"a\":"),
		      "{\"a\":", 40, "");
	j = repeat(deep, "}", 40, "}}}");
	assert_int_equal(proto_decode(j, strlen(j), &m), -EBADMSG);
	assert_int_equal(m.id, 0); /* refused before anything was read */
	free(deep);
	free(j);
}

static void test_too_many_values(void **state)
{
	char *j =
	    repeat("{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1", ",1", JSON_VALUES_MAX, "]}}");
	struct proto_msg m;

	(void)state;
	assert_int_equal(proto_decode(j, strlen(j), &m), -EBADMSG);
	assert_non_null(strstr(err_msg(), "values"));
	free(j);
	/* Under the value limit, over the ps limit. */
	j = repeat("{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1", ",1", PROTO_PIDS_MAX, "]}}");
	assert_int_equal(proto_decode(j, strlen(j), &m), 0);
	assert_int_equal(proto_decode_reply_body(&m, PROTO_OP_PS), -EBADMSG);
	assert_non_null(strstr(err_msg(), "more than"));
	proto_msg_free(&m);
	free(j);
}

static void test_long_strings(void **state)
{
	char *name = repeat("", "a", PROTO_NAME_MAX + 1, "");
	char *j;
	struct proto_msg m;

	(void)state;
	j = malloc(strlen(name) + 128);
	sprintf(j, REQ("start", "{\"container_id\":\"%s\"}"), name);
	assert_int_equal(proto_decode(j, strlen(j), &m), -EBADMSG);
	assert_non_null(strstr(err_msg(), "exceeds the limit"));
	name[PROTO_NAME_MAX] = '\0'; /* exactly the limit */
	sprintf(j, REQ("start", "{\"container_id\":\"%s\"}"), name);
	assert_int_equal(proto_decode(j, strlen(j), &m), 0);
	assert_int_equal(strlen(m.body.container.container_id), PROTO_NAME_MAX);
	proto_msg_free(&m);
	free(j);
	free(name);

	j = repeat("{\"id\":1,\"ok\":false,\"errno\":5,\"error\":\"", "e", PROTO_ERROR_MAX + 1,
		   "\"}");
	assert_int_equal(proto_decode(j, strlen(j), &m), -EBADMSG);
	free(j);
	j = repeat(REQ("create", "{\"container_id\":\"c\",\"spec\":{},\"rootfs\":\""), "r",
		   PROTO_PATH_MAX + 1, "\"}");
	assert_int_equal(proto_decode(j, strlen(j), &m), -EBADMSG);
	free(j);
}

static void test_raw_nul_in_payload(void **state)
{
	const char j[] = "{\"id\":1,\"ok\":true}\0{\"junk\":1}";
	struct proto_msg m;

	(void)state;
	/* yajl_tree stops at a NUL; the length says there is more, so this is refused. */
	assert_int_equal(proto_decode(j, sizeof(j) - 1, &m), -EBADMSG);
	assert_int_equal(proto_decode(j, strlen(j), &m), 0);
	proto_msg_free(&m);
}

static void test_unknown_fields_ignored(void **state)
{
	const char *j = "{\"v\":1,\"id\":8,\"op\":\"start\",\"future\":[1,{}],"
			"\"body\":{\"container_id\":\"c\",\"x\":null}}";
	struct proto_msg m;

	(void)state;
	assert_int_equal(proto_decode(j, strlen(j), &m), 0);
	assert_int_equal(m.op, PROTO_OP_START);
	assert_string_equal(m.body.container.container_id, "c");
	proto_msg_free(&m);
}

static void test_stream_header_hostile(void **state)
{
	static const struct bad_case cases[] = {
	    {"{\"v\":1,\"stream\":\"stdout\"}", -EBADMSG, "'container_id' missing"},
	    {"{\"v\":1,\"stream\":\"stdfoo\",\"container_id\":\"c\"}", -EOPNOTSUPP, "unknown"},
	    {"{\"v\":1,\"stream\":1,\"container_id\":\"c\"}", -EBADMSG, "expected a string"},
	    {"{\"v\":2,\"stream\":\"stdin\",\"container_id\":\"c\"}", -EPROTONOSUPPORT, "version"},
	    {"{\"v\":1,\"stream\":\"stdin\",\"container_id\":\"../c\"}", -EBADMSG, "only letters"},
	    {"[]", -EBADMSG, "not a JSON object"},
	    {"{", -EBADMSG, "invalid JSON"},
	};
	struct proto_stream_hdr h;
	char *big;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret = proto_stream_hdr_decode(cases[i].json, strlen(cases[i].json), &h);

		if (ret != cases[i].err || !strstr(err_msg(), cases[i].msg))
			fail_msg("case %zu: got %d \"%s\"", i, ret, err_msg());
		assert_int_equal(h.kind, PROTO_STREAM_NONE);
	}
	big = repeat("{\"v\":1,\"x\":\"", "x", PROTO_STREAM_HDR_MAX, "\"}");
	assert_int_equal(proto_stream_hdr_decode(big, strlen(big), &h), -EMSGSIZE);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_messages),
	    cmocka_unit_test(test_failed_request_keeps_id),
	    cmocka_unit_test(test_bad_reply_bodies),
	    cmocka_unit_test(test_reply_body_bad_op),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_too_many_values),
	    cmocka_unit_test(test_long_strings),
	    cmocka_unit_test(test_raw_nul_in_payload),
	    cmocka_unit_test(test_unknown_fields_ignored),
	    cmocka_unit_test(test_stream_header_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
