/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --preserve-fds: the host side (which way each fd goes, what is refused,
 * runtime/lib/preserve_fds.c), the protocol fields (the "fds" of
 * create and exec, the "fd" stream and its index), and the relay end to
 * end through a host-mode agent (`ozone-agent --hybrid-socket`, as root,
 * with /bin/busybox): a container whose fds 3, 4, 5 are the three kinds.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/util.h"
#include "runtime/lib/preserve_fds.h"
#include "common/error.h"
#include "test_agent_harness.h"

struct ta_env ta;
static bool agent_up;

/* ---- the host side --------------------------------------------------------------------- */

static void test_fd_dir(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int p[2], sp[2], lsock, null, path;
	uint8_t dir = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(preserve_fd_dir(p[0], &dir), 0);
	assert_int_equal(dir, PROTO_FD_IN);
	assert_int_equal(preserve_fd_dir(p[1], &dir), 0);
	assert_int_equal(dir, PROTO_FD_OUT);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(preserve_fd_dir(sp[0], &dir), 0);
	assert_int_equal(dir, PROTO_FD_INOUT);
	null = open("/dev/null", O_RDWR);
	assert_int_equal(preserve_fd_dir(null, &dir), 0);
	assert_int_equal(dir, PROTO_FD_INOUT);

	/* A listening socket: refused, with the fd named. */
	lsock = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/ozone-test-pfds.%d", (int)getpid());
	unlink(sa.sun_path);
	assert_int_equal(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lsock, 1), 0);
	assert_int_equal(preserve_fd_dir(lsock, &dir), -EINVAL);
	assert_non_null(strstr(err_msg(), "listening socket"));
	unlink(sa.sun_path);
	/* Not open; an O_PATH fd. */
	close(p[0]);
	assert_int_equal(preserve_fd_dir(p[0], &dir), -EBADF);
	assert_non_null(strstr(err_msg(), "is not open"));
	path = open("/", O_PATH);
	assert_int_equal(preserve_fd_dir(path, &dir), -EINVAL);
	close(path);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	close(null);
	close(lsock);
}

static void test_fds_check(void **state)
{
	struct proto_fds f;
	int saved[3], p[2];

	(void)state;
	/* Our own 3, 4, 5 stand aside while the test puts its fds there. */
	for (int i = 0; i < 3; i++)
		saved[i] = fcntl(3 + i, F_DUPFD_CLOEXEC, 100);
	assert_int_equal(pipe(p), 0);
	/* Out of the way first: pipe() may have taken 3 or 4 itself. */
	for (int i = 0; i < 2; i++) {
		int high = fcntl(p[i], F_DUPFD_CLOEXEC, 100);

		close(p[i]);
		p[i] = high;
	}
	assert_int_equal(dup2(p[1], 3), 3);
	assert_int_equal(dup2(p[0], 4), 4);
	close(5);
	assert_int_equal(preserve_fds_check(0, &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(preserve_fds_check(2, &f), 0);
	assert_int_equal(f.count, 2);
	assert_int_equal(f.dir[0], PROTO_FD_OUT);
	assert_int_equal(f.dir[1], PROTO_FD_IN);
	assert_int_equal(preserve_fds_check(3, &f), -EBADF);
	assert_string_equal(err_msg(), "--preserve-fds: fd 5 is not open");
	assert_int_equal(f.count, 0);
	assert_int_equal(preserve_fds_check(PROTO_FDS_MAX + 1, &f), -EINVAL);
	assert_int_equal(preserve_fds_check(-1, &f), -EINVAL);
	close(p[0]);
	close(p[1]);
	for (int i = 0; i < 3; i++) {
		if (saved[i] >= 0) {
			dup2(saved[i], 3 + i);
			close(saved[i]);
		} else {
			close(3 + i);
		}
	}
}

/* ---- the protocol ---------------------------------------------------------------------- */

static void test_proto_fds(void **state)
{
	struct proto_msg m = {.kind = PROTO_REQUEST, .id = 1, .op = PROTO_OP_EXEC}, d;
	struct proto_stream_hdr h = {.kind = PROTO_STREAM_FD, .index = 63}, hd;
	char *buf;
	size_t len;

	(void)state;
	strcpy(m.body.exec.container_id, "c1");
	strcpy(m.body.exec.exec_id, "e1");
	m.body.exec.process_json = "{\"args\":[\"sh\"],\"cwd\":\"/\"}";
	m.body.exec.fds = (struct proto_fds){
	    .port = 1025, .count = 3, .dir = {PROTO_FD_IN, PROTO_FD_OUT, PROTO_FD_INOUT}};
	assert_int_equal(proto_encode(&m, &buf, &len), 0);
	assert_non_null(strstr(buf, "\"fds\":{\"port\":1025,\"dirs\":[\"r\",\"w\",\"rw\"]}"));
	assert_int_equal(proto_decode(buf, len, &d), 0);
	free(buf);
	assert_int_equal(d.body.exec.fds.count, 3);
	assert_int_equal(d.body.exec.fds.port, 1025);
	assert_memory_equal(d.body.exec.fds.dir, m.body.exec.fds.dir, 3);
	proto_msg_free(&d);

	m.op = PROTO_OP_CREATE;
	memset(&m.body, 0, sizeof(m.body));
	strcpy(m.body.create.container_id, "c1");
	m.body.create.rootfs = "c1/rootfs";
	m.body.create.spec_json = "{}";
	m.body.create.fds = (struct proto_fds){.port = 1025, .count = 1, .dir = {PROTO_FD_OUT}};
	assert_int_equal(proto_encode(&m, &buf, &len), 0);
	assert_int_equal(proto_decode(buf, len, &d), 0);
	free(buf);
	assert_int_equal(d.body.create.fds.count, 1);
	assert_int_equal(d.body.create.fds.dir[0], PROTO_FD_OUT);
	proto_msg_free(&d);
	/* None: no field at all. */
	m.body.create.fds.count = 0;
	assert_int_equal(proto_encode(&m, &buf, &len), 0);
	assert_null(strstr(buf, "fds"));
	free(buf);
	/* The encoder refuses a bad direction, a missing port, too many. */
	m.body.create.fds = (struct proto_fds){.port = 1025, .count = 1, .dir = {7}};
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m.body.create.fds = (struct proto_fds){.port = 0, .count = 1, .dir = {PROTO_FD_IN}};
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	m.body.create.fds = (struct proto_fds){.port = 1, .count = PROTO_FDS_MAX + 1};
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);

	/* The stream header carries the index. */
	strcpy(h.container_id, "c1");
	assert_int_equal(proto_stream_hdr_encode(&h, &buf, &len), 0);
	assert_int_equal(proto_stream_hdr_decode(buf, len, &hd), 0);
	free(buf);
	assert_int_equal(hd.kind, PROTO_STREAM_FD);
	assert_int_equal(hd.index, 63);
	h.index = PROTO_FDS_MAX;
	assert_int_equal(proto_stream_hdr_encode(&h, &buf, &len), -EINVAL);
}

static void test_proto_fds_hostile(void **state)
{
	static const char *const bad[] = {
	    "\"fds\":{\"port\":1025,\"dirs\":[]}",
	    "\"fds\":{\"port\":1025,\"dirs\":[\"x\"]}",
	    "\"fds\":{\"port\":1025,\"dirs\":[1]}",
	    "\"fds\":{\"port\":0,\"dirs\":[\"r\"]}",
	    "\"fds\":{\"dirs\":[\"r\"]}",
	    "\"fds\":{\"port\":1025}",
	    "\"fds\":[\"r\"]",
	};
	static const char *const bad_hdr[] = {
	    "{\"v\":1,\"stream\":\"fd\",\"container_id\":\"c1\"}",
	    "{\"v\":1,\"stream\":\"fd\",\"index\":64,\"container_id\":\"c1\"}",
	    "{\"v\":1,\"stream\":\"fd\",\"index\":-1,\"container_id\":\"c1\"}",
	    "{\"v\":1,\"stream\":\"fd\",\"index\":\"0\",\"container_id\":\"c1\"}",
	};
	char text[4096], many[1024] = "\"fds\":{\"port\":1025,\"dirs\":[\"r\"";
	struct proto_stream_hdr h;
	struct proto_msg m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
			 "{\"v\":1,\"id\":1,\"op\":\"exec\",\"body\":{\"container_id\":\"c1\","
			 "\"exec_id\":\"e1\",\"process\":{},%s}}",
			 bad[i]);
		assert_int_equal(proto_decode(text, strlen(text), &m), -EBADMSG);
		proto_msg_free(&m);
	}
	for (int i = 1; i < PROTO_FDS_MAX + 1; i++)
		strcat(many, ",\"r\"");
	strcat(many, "]}");
	snprintf(text, sizeof(text),
		 "{\"v\":1,\"id\":1,\"op\":\"create\",\"body\":{\"container_id\":\"c1\","
		 "\"rootfs\":\"r\",\"spec\":{},%s}}",
		 many);
	assert_int_equal(proto_decode(text, strlen(text), &m), -EBADMSG);
	proto_msg_free(&m);
	for (size_t i = 0; i < ARRAY_SIZE(bad_hdr); i++)
		assert_int_equal(proto_stream_hdr_decode(bad_hdr[i], strlen(bad_hdr[i]), &h),
				 -EBADMSG);
}

/* ---- the relay through a host-mode agent ----------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int agent_setup(void **state)
{
	char agent[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n;

	(void)state;
	if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0)
		return 0;
	/* <build>/tests/unit/test_preserve_fds -> <build>/bin/ozone-agent */
	n = readlink("/proc/self/exe", agent, sizeof(agent) - 1);
	if (n < 0)
		return -1;
	agent[n] = '\0';
	for (int i = 0; i < 3; i++)
		*strrchr(agent, '/') = '\0';
	strcat(agent, "/bin/ozone-agent");
	strcpy(ta.tmp, "/tmp/ozone-test-pfds.XXXXXX");
	if (!mkdtemp(ta.tmp))
		return -1;
	snprintf(ta.sock, sizeof(ta.sock), "%s/agent.sock", ta.tmp);
	snprintf(ta.shared, sizeof(ta.shared), "%s/shared", ta.tmp);
	mkdir(ta.shared, 0755);
	ta.agent = fork();
	if (ta.agent == 0) {
		snprintf(path, sizeof(path), "%s/agent.log", ta.tmp);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(agent, agent, "--hybrid-socket", ta.sock, "--shared", ta.shared, "--log",
		      "debug", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && !agent_up; i++) {
		int fd = ta_connect(PROTO_AGENT_PORT);

		if (fd >= 0)
			close(fd);
		agent_up = fd >= 0;
		if (!agent_up)
			usleep(10000);
	}
	return agent_up ? 0 : -1;
}

static int agent_teardown(void **state)
{
	(void)state;
	if (ta.agent > 0) {
		kill(ta.agent, SIGTERM);
		waitpid(ta.agent, NULL, 0);
	}
	if (ta.tmp[0] && !getenv("OZONE_AGENT_KEEP"))
		nftw(ta.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void make_rootfs(const char *id)
{
	static const char *const applets[] = {"sh", "cat", "echo"};
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", ta.shared, id);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/mounts", ta.shared, id);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s/rootfs", ta.shared, id);
	mkdir(p, 0755);
	for (const char *d = "bin\0proc\0dev\0"; *d; d += strlen(d) + 1) {
		snprintf(p, sizeof(p), "%s/%s/rootfs/%s", ta.shared, id, d);
		mkdir(p, 0755);
	}
	snprintf(p, sizeof(p), "cp /bin/busybox %s/%s/rootfs/bin/busybox", ta.shared, id);
	assert_int_equal(system(p), 0);
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		snprintf(p, sizeof(p), "%s/%s/rootfs/bin/%s", ta.shared, id, applets[i]);
		assert_int_equal(symlink("busybox", p), 0);
	}
}

/* The stream of extra fd index: the fd, or -errno of the agent's answer. */
static int fd_stream(const char *cid, const char *eid, uint32_t index)
{
	struct proto_stream_hdr h = {.kind = PROTO_STREAM_FD, .index = index};
	struct proto_msg r;
	char *buf;
	size_t len;
	int fd = ta_connect(TA_STREAM_PORT), ret;

	if (fd < 0)
		return -ECONNREFUSED;
	snprintf(h.container_id, sizeof(h.container_id), "%s", cid);
	snprintf(h.exec_id, sizeof(h.exec_id), "%s", eid);
	assert_int_equal(proto_stream_hdr_encode(&h, &buf, &len), 0);
	ret = frame_write(fd, buf, len);
	free(buf);
	if (ret == 0)
		ret = proto_recv(fd, &r);
	if (ret == 0) {
		ret = r.kind != PROTO_REPLY ? -EBADMSG : r.err ? -r.err : 0;
		proto_msg_free(&r);
	}
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static int call(struct ta_ctl *c, struct proto_msg *m)
{
	return ta_call(c, m, NULL);
}

/* Writes s and half-closes: the process reads it, then the end. */
static void send_all(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
}

static void expect_all(int fd, const char *want)
{
	char *got = NULL;

	assert_true(ta_read_all(fd, &got) >= 0);
	assert_string_equal(got, want);
	free(got);
}

static void test_relay(void **state)
{
	static const char spec[] =
	    "{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
	    "\"args\":[\"sh\",\"-c\",\"cat <&3 >&4; exec 3<&- 4>&-; read l <&5; "
	    "echo got-$l >&5; cat <&5 >&5\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\"},"
	    "\"root\":{\"path\":\"rootfs\"},\"mounts\":[{\"destination\":\"/proc\",\"type\":"
	    "\"proc\",\"source\":\"proc\"}],\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
	    "{\"type\":\"mount\"}]}}";
	struct proto_msg m = {.op = PROTO_OP_CREATE};
	struct ta_ctl c;
	int in, out, rw;
	char line[64];
	ssize_t n;

	(void)state;
	if (!agent_up)
		skip();
	make_rootfs("pf1");
	assert_int_equal(ta_ctl_open(&c), 0);
	strcpy(m.body.create.container_id, "pf1");
	m.body.create.rootfs = "pf1/rootfs";
	m.body.create.spec_json = (char *)spec;
	m.body.create.fds = (struct proto_fds){
	    .port = TA_STREAM_PORT, .count = 3, .dir = {PROTO_FD_IN, PROTO_FD_OUT, PROTO_FD_INOUT}};
	assert_int_equal(call(&c, &m), 0);
	/* Only what was declared, once each. */
	assert_int_equal(fd_stream("pf1", "", 3), -EBADSLT);
	in = fd_stream("pf1", "", 0);
	out = fd_stream("pf1", "", 1);
	rw = fd_stream("pf1", "", 2);
	assert_true(in >= 0 && out >= 0 && rw >= 0);
	assert_int_equal(fd_stream("pf1", "", 1), -EBADSLT);
	memset(&m, 0, sizeof(m));
	m.op = PROTO_OP_START;
	strcpy(m.body.container.container_id, "pf1");
	assert_int_equal(call(&c, &m), 0);

	/* Host to guest and back out through fd 4: the end of input ends cat, the end of
	 * fd 4 ends the stream. */
	send_all(in, "through 3 and 4\n");
	expect_all(out, "through 3 and 4\n");
	/* Both ways on fd 5, each way ending on its own. */
	assert_int_equal(write(rw, "ping\n", 5), 5);
	n = read(rw, line, sizeof(line) - 1);
	assert_true(n > 0);
	line[n] = '\0';
	assert_string_equal(line, "got-ping\n");
	send_all(rw, "after\n");
	expect_all(rw, "after\n");
	close(in);
	close(out);
	close(rw);

	memset(&m, 0, sizeof(m));
	m.op = PROTO_OP_DESTROY;
	strcpy(m.body.container.container_id, "pf1");
	assert_int_equal(call(&c, &m), 0);
	ta_ctl_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fd_dir),    cmocka_unit_test(test_fds_check),
	    cmocka_unit_test(test_proto_fds), cmocka_unit_test(test_proto_fds_hostile),
	    cmocka_unit_test(test_relay),
	};

	return cmocka_run_group_tests(tests, agent_setup, agent_teardown);
}
