/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ps's table: the per-pid details of the ps reply (encode, decode, and the
 * checks a hostile agent's reply meets) and the agent's reading of /proc
 * (agent/proc/proc_info.c, linked from the library ozone_agent_core).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "agent/proc/proc_info.h"
#include "common/proto.h"

static int decode_ps(const char *text, struct proto_msg *m)
{
	int ret = proto_decode(text, strlen(text), m);

	if (ret < 0)
		return ret;
	ret = proto_decode_reply_body(m, PROTO_OP_PS);
	return ret;
}

static void test_procs_roundtrip(void **state)
{
	uint32_t pids[2] = {1, 42};
	struct proto_proc procs[2] = {
	    {.pid = 1, .ppid = 0, .uid = 0, .start = 1764067200, .cpu_ms = 1500, .cmd = "sh -c x"},
	    {.pid = 42,
	     .ppid = 1,
	     .uid = 1000,
	     .start = 5,
	     .cpu_ms = 0,
	     .tty = "pts/0",
	     .cmd = "[kworker]"},
	};
	struct proto_msg m = {.kind = PROTO_REPLY, .id = 7, .op = PROTO_OP_PS}, d;
	char *buf;
	size_t len;

	(void)state;
	m.body.pids = (struct proto_pids){.pids = pids, .count = 2, .procs = procs};
	assert_int_equal(proto_encode(&m, &buf, &len), 0);
	assert_int_equal(decode_ps(buf, &d), 0);
	free(buf);
	assert_int_equal(d.body.pids.count, 2);
	assert_non_null(d.body.pids.procs);
	assert_int_equal(d.body.pids.procs[1].pid, 42);
	assert_int_equal(d.body.pids.procs[1].ppid, 1);
	assert_int_equal(d.body.pids.procs[1].uid, 1000);
	assert_int_equal(d.body.pids.procs[0].start, 1764067200);
	assert_int_equal(d.body.pids.procs[0].cpu_ms, 1500);
	assert_string_equal(d.body.pids.procs[0].tty, "");
	assert_string_equal(d.body.pids.procs[1].tty, "pts/0");
	assert_string_equal(d.body.pids.procs[0].cmd, "sh -c x");
	assert_string_equal(d.body.pids.procs[1].cmd, "[kworker]");
	proto_msg_free(&d);

	/* An older agent: pids only, no procs. */
	m.body.pids.procs = NULL;
	assert_int_equal(proto_encode(&m, &buf, &len), 0);
	assert_null(strstr(buf, "procs"));
	assert_int_equal(decode_ps(buf, &d), 0);
	free(buf);
	assert_int_equal(d.body.pids.count, 2);
	assert_null(d.body.pids.procs);
	proto_msg_free(&d);

	/* The encoder refuses what the decoder would. */
	m.body.pids.procs = procs;
	procs[1].pid = 43;
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	procs[1].pid = 42;
	strcpy(procs[1].tty, "pts 0");
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
}

static void test_procs_hostile(void **state)
{
	static const char *const bad[] = {
	    /* more or fewer entries than pids */
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[]}}",
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[],\"procs\":[{}]}}",
	    /* not an array, not objects */
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":{}}}",
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[1]}}",
	    /* a pid that is not the one in pids */
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":2,\"ppid\":0,"
	    "\"uid\":0,\"start\":0,\"cpu_ms\":0,\"cmd\":\"x\"}]}}",
	    /* ppid out of range, uid too large, negative start */
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":1,\"ppid\":4194305,"
	    "\"uid\":0,\"start\":0,\"cpu_ms\":0,\"cmd\":\"x\"}]}}",
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":1,\"ppid\":0,"
	    "\"uid\":4294967296,\"start\":0,\"cpu_ms\":0,\"cmd\":\"x\"}]}}",
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":1,\"ppid\":0,"
	    "\"uid\":0,\"start\":-1,\"cpu_ms\":0,\"cmd\":\"x\"}]}}",
	    /* a tty name with a space or a dot-dot path, a missing cmd */
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":1,\"ppid\":0,"
	    "\"uid\":0,\"start\":0,\"cpu_ms\":0,\"tty\":\"a b\",\"cmd\":\"x\"}]}}",
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":1,\"ppid\":0,"
	    "\"uid\":0,\"start\":0,\"cpu_ms\":0,\"tty\":\"../x\"}]}}",
	    "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":1,\"ppid\":0,"
	    "\"uid\":0,\"start\":0,\"cpu_ms\":0}]}}",
	};
	struct proto_msg m;
	char big[PROTO_CMD_MAX + 300];
	int n;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(decode_ps(bad[i], &m), -EBADMSG);
		proto_msg_free(&m);
	}
	/* A command line over the limit. */
	n = snprintf(big, sizeof(big),
		     "{\"id\":1,\"ok\":true,\"body\":{\"pids\":[1],\"procs\":[{\"pid\":1,"
		     "\"ppid\":0,\"uid\":0,\"start\":0,\"cpu_ms\":0,\"cmd\":\"");
	memset(big + n, 'a', PROTO_CMD_MAX + 1);
	strcpy(big + n + PROTO_CMD_MAX + 1, "\"}]}}");
	assert_int_equal(decode_ps(big, &m), -EBADMSG);
	proto_msg_free(&m);
	/* At the limit it is fine. */
	memmove(big + n + PROTO_CMD_MAX, big + n + PROTO_CMD_MAX + 1,
		strlen(big + n + PROTO_CMD_MAX));
	assert_int_equal(decode_ps(big, &m), 0);
	assert_int_equal(strlen(m.body.pids.procs[0].cmd), PROTO_CMD_MAX);
	proto_msg_free(&m);
}

static void test_parse_stat(void **state)
{
	struct proc_info_stat st;
	/* A name with spaces and parentheses: only the last ')' ends it. */
	const char *line = "123 (a) b (c)) S 7 123 123 34817 123 4194560 10 0 0 0 250 50 0 0 20 0 "
			   "1 0 4242 1000 100 18446744073709551615\n";

	(void)state;
	assert_int_equal(proc_info_parse_stat(line, &st), 0);
	assert_string_equal(st.comm, "a) b (c)");
	assert_int_equal(st.ppid, 7);
	assert_int_equal(st.tty_nr, 34817);
	assert_int_equal(st.utime, 250);
	assert_int_equal(st.stime, 50);
	assert_int_equal(st.starttime, 4242);
	assert_int_equal(proc_info_parse_stat("123 (x S 1 2", &st), -EINVAL);
	assert_int_equal(proc_info_parse_stat("123 (x) S 1 2 3", &st), -EINVAL);
	assert_int_equal(proc_info_parse_stat("", &st), -EINVAL);
}

static void test_tty_and_cmd(void **state)
{
	char out[64];

	(void)state;
	proc_info_tty_name(makedev(136, 3), out, sizeof(out));
	assert_string_equal(out, "pts/3");
	proc_info_tty_name(makedev(137, 1), out, sizeof(out));
	assert_string_equal(out, "pts/257");
	proc_info_tty_name(makedev(4, 1), out, sizeof(out));
	assert_string_equal(out, "tty1");
	proc_info_tty_name(makedev(4, 65), out, sizeof(out));
	assert_string_equal(out, "ttyS1");
	proc_info_tty_name(0, out, sizeof(out));
	assert_string_equal(out, "");

	proc_info_cmd("sleep\0"
		      "100\0",
		      10, "sleep", out, sizeof(out));
	assert_string_equal(out, "sleep 100");
	proc_info_cmd("", 0, "kthreadd", out, sizeof(out));
	assert_string_equal(out, "[kthreadd]");
	proc_info_cmd("a\tb\x1b[0m\xc3\xa9", 10, "x", out, sizeof(out));
	assert_string_equal(out, "a?b?[0m??");
	proc_info_cmd("abcdefgh", 8, "x", out, 5);
	assert_string_equal(out, "abcd");
}

static void test_read_self(void **state)
{
	struct proc_info_clock clk;
	struct proto_proc pr;
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(proc_info_clock("/proc", &clk), 0);
	assert_true(clk.hz > 0);
	assert_true(clk.boot_time > 0 && clk.boot_time <= (uint64_t)now);
	assert_int_equal(proc_info_read("/proc", (uint32_t)getpid(), &clk, &pr), 0);
	assert_int_equal(pr.pid, (uint32_t)getpid());
	assert_int_equal(pr.ppid, (uint32_t)getppid());
	assert_int_equal(pr.uid, (uint32_t)geteuid());
	/* Started within the last hour, not in the future (the clock's tick rounds down). */
	assert_true(pr.start <= (uint64_t)now && pr.start + 3600 > (uint64_t)now);
	assert_non_null(strstr(pr.cmd, "test_ps_info"));
	free(pr.cmd);
	assert_int_equal(proc_info_read("/proc", PROTO_PID_MAX, &clk, &pr), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_procs_roundtrip), cmocka_unit_test(test_procs_hostile),
	    cmocka_unit_test(test_parse_stat),	    cmocka_unit_test(test_tty_and_cmd),
	    cmocka_unit_test(test_read_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
