/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest text shown on the host: the escaped form (common/escape.h) and
 * the places that quote what the agent sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/escape.h"
#include "common/proto.h"

/* True when s holds a control byte (0x00..0x1f, 0x7f) or a byte outside ASCII. */
static bool has_raw(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return true;
	return false;
}

static void test_escape_forms(void **state)
{
	char out[128];

	(void)state;
	assert_string_equal(escape_str(out, sizeof(out), "plain text 1.2"), "plain text 1.2");
	assert_string_equal(escape_str(out, sizeof(out), "\x1b[2J\x1b]0;pwned\x07\rok\n"),
			    "\\x1b[2J\\x1b]0;pwned\\x07\\x0dok\\x0a");
	assert_string_equal(escape_str(out, sizeof(out), "a\\x41"), "a\\\\x41");
	assert_string_equal(escape_str(out, sizeof(out), "\x7f\x80\x9b\xc3\xa9"),
			    "\\x7f\\x80\\x9b\\xc3\\xa9");
	assert_string_equal(escape_bytes(out, sizeof(out), "a\0b", 3), "a\\x00b");
	assert_string_equal(escape_str(out, sizeof(out), NULL), "");
}

static void test_escape_bounded(void **state)
{
	char big[1000], out[16];

	(void)state;
	memset(big, '\x1b', sizeof(big));
	/* Cut at a whole escape, marked, within the buffer. */
	assert_string_equal(escape_bytes(out, sizeof(out), big, sizeof(big)), "\\x1b\\x1b\\x1b...");
	assert_string_equal(escape_str(out, sizeof(out), "0123456789abcdef"), "0123456789ab...");
	/* What fits exactly is not cut. */
	assert_string_equal(escape_str(out, sizeof(out), "0123456789abcde"), "0123456789abcde");
	assert_string_equal(escape_str(out, 4, "abcdef"), "...");
	assert_string_equal(escape_str(out, 2, "abcdef"), "");
	assert_string_equal(escape_str(out, 1, "a"), "");
}

static void test_escape_controls_only(void **state)
{
	char out[64];

	(void)state;
	/* The host's own message: its backslashes and UTF-8 stay, control bytes do not. */
	assert_string_equal(escape_controls(out, sizeof(out), "x\\x1b /b\xc3\xa9\r\x1b[K\x7f"),
			    "x\\x1b /b\xc3\xa9\\x0d\\x1b[K\\x7f");
}

/* An agent's failed reply with terminal control bytes: one escaped line for the user. */
static void test_reply_error_escaped(void **state)
{
	const char *text = "{\"id\":3,\"ok\":false,\"errno\":5,"
			   "\"error\":\"boom\\u001b[31mred\\r\\nforged: line\\u009b2J\"}";
	struct proto_msg m;

	(void)state;
	assert_int_equal(proto_decode(text, strlen(text), &m), 0);
	assert_int_equal(proto_reply_error(&m), -EIO);
	assert_string_equal(err_msg(), "agent: boom\\x1b[31mred\\x0d\\x0aforged: line\\xc2\\x9b2J");
	assert_false(has_raw(err_msg()));
	proto_msg_free(&m);
}

/* The longest error an agent may send still gives one bounded line. */
static void test_reply_error_bounded(void **state)
{
	char text[2200], *p = text;
	struct proto_msg m;

	(void)state;
	p += sprintf(p, "{\"id\":3,\"ok\":false,\"errno\":5,\"error\":\"");
	for (int i = 0; i < PROTO_ERROR_MAX / 6; i++)
		p += sprintf(p, "\\u0007");
	sprintf(p, "\"}");
	assert_int_equal(proto_decode(text, strlen(text), &m), 0);
	assert_int_equal(proto_reply_error(&m), -EIO);
	assert_true(strlen(err_msg()) < 512);
	assert_false(has_raw(err_msg()));
	assert_non_null(strstr(err_msg(), "\\x07..."));
	proto_msg_free(&m);
}

static void test_hello_software_escaped(void **state)
{
	struct proto_hello h = {.version = 2};

	(void)state;
	snprintf(h.software, sizeof(h.software), "9\x1b]2;title\x07");
	assert_int_equal(proto_hello_check(&h, "agent"), -EPROTONOSUPPORT);
	assert_string_equal(err_msg(), "agent 9\\x1b]2;title\\x07 speaks protocol version 2, this "
				       "side speaks version 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_forms),
	    cmocka_unit_test(test_escape_bounded),
	    cmocka_unit_test(test_escape_controls_only),
	    cmocka_unit_test(test_reply_error_escaped),
	    cmocka_unit_test(test_reply_error_bounded),
	    cmocka_unit_test(test_hello_software_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
