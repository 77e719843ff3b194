/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone-agent's server, end to end through the hybrid vsock handshake:
 * by default a host-mode agent (`ozone-agent --hybrid-socket`, as root)
 * with a busybox rootfs in a temporary shared directory; with
 * OZONE_AGENT_SOCKET (a VMM's --vsock-socket) and OZONE_AGENT_SHARED (the
 * dir the VMM shares as virtio-fs tag "ozone") the same scenario runs
 * against the agent in a guest (tests/integration/test_agent.sh), and with
 * OZONE_AGENT_CGROUPS=1 also the cgroup ops, OOM and the masked paths;
 * OZONE_AGENT_SHUTDOWN=1 ends with `shutdown`, OZONE_AGENT_BIG_MB sizes the
 * big stdout test (64 MiB; a multiple of 16 MiB above that).
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <cmocka.h>

#include "common/util.h"
#include "test_agent_harness.h"

struct ta_env ta;
static bool skip_all;

/* ---- the environment ---------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static bool wait_socket(void)
{
	for (int i = 0; i < 500; i++) {
		int fd = ta_connect(PROTO_AGENT_PORT);

		if (fd >= 0) {
			close(fd);
			return true;
		}
		usleep(10000);
	}
	return false;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
	return n == 0 ? 0 : -1;
}

static int group_setup(void **state)
{
	const char *s = getenv("OZONE_AGENT_SOCKET"), *big = getenv("OZONE_AGENT_BIG_MB");
	char agent[PATH_MAX], log[PATH_MAX + 16], path[PATH_MAX + 32];

	(void)state;
	ta.big = (big ? strtoull(big, NULL, 10) : 64) << 20;
	if (s) {
		const char *sh = getenv("OZONE_AGENT_SHARED");

		if (!sh)
			return -1;
		snprintf(ta.sock, sizeof(ta.sock), "%s", s);
		snprintf(ta.shared, sizeof(ta.shared), "%s", sh);
		ta.vm = true;
		ta.cgroups = getenv("OZONE_AGENT_CGROUPS") != NULL;
	} else {
		const char *a = getenv("OZONE_AGENT");
		ssize_t n;

		if (geteuid() != 0 || access("/bin/busybox", X_OK) != 0) {
			skip_all = true;
			return 0;
		}
		if (a)
			snprintf(agent, sizeof(agent), "%s", a);
		else {
			/* <build>/tests/unit/test_agent -> <build>/bin/ozone-agent */
			n = readlink("/proc/self/exe", agent, sizeof(agent) - 1);
			if (n < 0)
				return -1;
			agent[n] = '\0';
			for (int i = 0; i < 3; i++)
				*strrchr(agent, '/') = '\0';
			strcat(agent, "/bin/ozone-agent");
		}
		strcpy(ta.tmp, "/tmp/ozone-test-agent.XXXXXX");
		if (!mkdtemp(ta.tmp))
			return -1;
		snprintf(ta.sock, sizeof(ta.sock), "%s/agent.sock", ta.tmp);
		snprintf(ta.shared, sizeof(ta.shared), "%s/shared", ta.tmp);
		snprintf(log, sizeof(log), "%s/agent.log", ta.tmp);
		mkdir(ta.shared, 0755);
		ta.agent = fork();
		if (ta.agent == 0) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			dup2(fd, 1);
			dup2(fd, 2);
			execl(agent, agent, "--hybrid-socket", ta.sock, "--shared", ta.shared,
			      "--log", "debug", (char *)NULL);
			_exit(127);
		}
		if (!wait_socket()) {
			fprintf(stderr, "test_agent: %s did not come up (see %s)\n", agent, log);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/.busybox", ta.shared);
	return copy_file("/bin/busybox", path);
}

static int group_teardown(void **state)
{
	char path[PATH_MAX + 32];

	(void)state;
	if (ta.vm && getenv("OZONE_AGENT_SHUTDOWN")) {
		struct ta_ctl c;

		/* The guest powers off after the reply. */
		if (ta_ctl_open(&c) == 0) {
			struct proto_msg m = {.op = PROTO_OP_SHUTDOWN};

			if (ta_call(&c, &m, NULL) != 0)
				fprintf(stderr, "test_agent: shutdown failed\n");
			ta_ctl_close(&c);
		}
	}
	if (ta.agent > 0) {
		int st;

		kill(ta.agent, SIGTERM);
		waitpid(ta.agent, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fprintf(stderr, "test_agent: the agent ended with status 0x%x\n", st);
	}
	if (ta.tmp[0] && !getenv("OZONE_AGENT_KEEP"))
		nftw(ta.tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(path, sizeof(path), "%s/.busybox", ta.shared);
	unlink(path);
	return 0;
}

#define SKIP_UNLESS_READY()                                                                        \
	do {                                                                                       \
		if (skip_all)                                                                      \
			skip();                                                                    \
	} while (0)

/* <shared>/<id>/rootfs: busybox and its applets, and an empty mounts dir. */
static void make_rootfs(const char *id)
{
	static const char *const dirs[] = {"",
					   "/rootfs",
					   "/rootfs/bin",
					   "/rootfs/proc",
					   "/rootfs/dev",
					   "/rootfs/sys",
					   "/rootfs/tmp",
					   "/rootfs/etc",
					   "/mounts"};
	static const char *const applets[] = {
	    "sh",  "echo", "cat", "sleep",  "head", "tr",   "true", "test",	"wc",
	    "tty", "ls",   "id",  "printf", "yes",  "kill", "stty", "hostname", "mknod"};
	char p[PATH_MAX], bb[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s/%.255s%s", ta.shared, id, dirs[i]);
		mkdir(p, 0755);
	}
	snprintf(bb, sizeof(bb), "%s/.busybox", ta.shared);
	snprintf(p, sizeof(p), "%s/%.255s/rootfs/bin/busybox", ta.shared, id);
	if (access(p, X_OK) != 0 && link(bb, p) != 0)
		assert_int_equal(copy_file(bb, p), 0);
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		snprintf(p, sizeof(p), "%s/%.255s/rootfs/bin/%s", ta.shared, id, applets[i]);
		if (symlink("busybox", p) < 0)
			assert_int_equal(errno, EEXIST);
	}
}

/* ---- requests ------------------------------------------------------------------------- */

/* A config.json for a busybox rootfs; args is a JSON array, extra more "linux" keys. */
static char *spec_json(const char *args, bool terminal, const char *extra)
{
	char *s;

	assert_true(asprintf(&s,
			     "{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":%s,"
			     "\"user\":{\"uid\":0,\"gid\":0},\"args\":%s,"
			     "\"env\":[\"PATH=/bin\",\"TERM=xterm\"],\"cwd\":\"/\"},"
			     "\"root\":{\"path\":\"rootfs\"},\"hostname\":\"agent-test\","
			     "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":"
			     "\"proc\"},{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":"
			     "\"tmpfs\",\"options\":[\"nosuid\",\"mode=755\"]}],"
			     "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
			     "{\"type\":\"ipc\"},{\"type\":\"uts\"}],"
			     "\"maskedPaths\":[\"/proc/kcore\",\"/proc/"
			     "kallsyms\"],\"readonlyPaths\":[\"/proc/sys\"]%s%s}}",
			     terminal ? "true" : "false", args, extra ? "," : "",
			     extra ? extra : "") > 0);
	return s;
}

static int create(struct ta_ctl *c, const char *id, char *spec, struct proto_stdio st)
{
	struct proto_msg m = {.op = PROTO_OP_CREATE};
	char rootfs[PROTO_NAME_MAX + 16];
	int ret;

	make_rootfs(id);
	snprintf(rootfs, sizeof(rootfs), "%.255s/rootfs", id);
	snprintf(m.body.create.container_id, sizeof(m.body.create.container_id), "%s", id);
	m.body.create.rootfs = rootfs;
	m.body.create.spec_json = spec;
	m.body.create.stdio = st;
	ret = ta_call(c, &m, NULL);
	free(spec);
	return ret;
}

static int container_op(struct ta_ctl *c, enum proto_op op, const char *id)
{
	struct proto_msg m = {.op = op};

	snprintf(m.body.container.container_id, sizeof(m.body.container.container_id), "%s", id);
	return ta_call(c, &m, NULL);
}

static int exec_proc(struct ta_ctl *c, const char *id, const char *eid, const char *args,
		     struct proto_stdio st)
{
	struct proto_msg m = {.op = PROTO_OP_EXEC};
	char *proc;
	int ret;

	assert_true(asprintf(&proc,
			     "{\"user\":{\"uid\":0,\"gid\":0},\"args\":%s,\"env\":[\"PATH=/bin\"],"
			     "\"cwd\":\"/\"}",
			     args) > 0);
	snprintf(m.body.exec.container_id, sizeof(m.body.exec.container_id), "%s", id);
	snprintf(m.body.exec.exec_id, sizeof(m.body.exec.exec_id), "%s", eid);
	m.body.exec.process_json = proc;
	m.body.exec.stdio = st;
	m.body.exec.tty = st.tty_port != 0;
	ret = ta_call(c, &m, NULL);
	free(proc);
	return ret;
}

static int signal_proc(struct ta_ctl *c, const char *id, const char *eid, int sig, bool all)
{
	struct proto_msg m = {.op = PROTO_OP_SIGNAL};

	snprintf(m.body.signal.container_id, sizeof(m.body.signal.container_id), "%s", id);
	snprintf(m.body.signal.exec_id, sizeof(m.body.signal.exec_id), "%s", eid);
	m.body.signal.signal = (uint32_t)sig;
	m.body.signal.all = all;
	return ta_call(c, &m, NULL);
}

static int process_op(struct ta_ctl *c, enum proto_op op, const char *id, const char *eid)
{
	struct proto_msg m = {.op = op};

	snprintf(m.body.process.container_id, sizeof(m.body.process.container_id), "%s", id);
	snprintf(m.body.process.exec_id, sizeof(m.body.process.exec_id), "%s", eid);
	return ta_call(c, &m, NULL);
}

/* The process's exit status, by wait: code, or 1000 + signal. */
static int wait_status(struct ta_ctl *c, const char *id, const char *eid)
{
	struct proto_msg m = {.op = PROTO_OP_WAIT}, r;
	int ret;

	snprintf(m.body.process.container_id, sizeof(m.body.process.container_id), "%s", id);
	snprintf(m.body.process.exec_id, sizeof(m.body.process.exec_id), "%s", eid);
	ret = ta_call(c, &m, &r);
	assert_int_equal(ret, 0);
	ret = r.body.status.signal ? 1000 + (int)r.body.status.signal : (int)r.body.status.code;
	proto_msg_free(&r);
	return ret;
}

/* The exit event of that process (reading more messages if it has not come yet): as above. */
static int exit_event(struct ta_ctl *c, const char *id, const char *eid)
{
	for (int tries = 0; tries < 100; tries++) {
		struct proto_msg r;
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int ret;

		for (size_t i = 0; i < c->n_exits; i++)
			if (strcmp(c->exits[i].container_id, id) == 0 &&
			    strcmp(c->exits[i].exec_id, eid) == 0)
				return c->exits[i].status.signal
					   ? 1000 + (int)c->exits[i].status.signal
					   : (int)c->exits[i].status.code;
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ret = ta_pump(c, &r);
		if (ret < 0)
			return -1;
		if (ret == 1)
			proto_msg_free(&r);
	}
	return -1;
}

static void destroy(struct ta_ctl *c, const char *id)
{
	assert_int_equal(container_op(c, PROTO_OP_DESTROY, id), 0);
}

static const struct proto_stdio no_stdio;
static const struct proto_stdio out_only = {.stdout_port = TA_STREAM_PORT};
static const struct proto_stdio in_out = {.stdin_port = TA_STREAM_PORT,
					  .stdout_port = TA_STREAM_PORT};

/* ---- tests ---------------------------------------------------------------------------- */

/* A raw payload on the control connection; the reply's errno (0 for ok), or -1 if closed. */
static int raw_request(int fd, const char *payload)
{
	struct proto_msg r;
	int ret;

	if (frame_write(fd, payload, strlen(payload)) < 0 || proto_recv(fd, &r) < 0 ||
	    r.kind != PROTO_REPLY)
		return -1;
	ret = r.err;
	proto_msg_free(&r);
	return ret;
}

static void test_bad_requests(void **state)
{
	struct ta_ctl c;
	uint8_t zero[4] = {0}, huge[4] = {0x00, 0x20, 0x00, 0x00};
	char b;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(raw_request(c.fd, "garbage"), EBADMSG);
	assert_int_equal(raw_request(c.fd, "{\"v\":1,\"id\":3,\"op\":"), EBADMSG);
	assert_int_equal(raw_request(c.fd, "{\"v\":2,\"id\":4,\"op\":\"hello\"}"), EPROTONOSUPPORT);
	assert_int_equal(raw_request(c.fd, "{\"v\":1,\"id\":5,\"op\":\"frobnicate\"}"), EOPNOTSUPP);
	assert_int_equal(raw_request(c.fd, "{\"id\":6,\"ok\":true}"), EBADMSG);
	assert_int_equal(raw_request(c.fd, "{\"v\":1,\"id\":7,\"op\":\"start\",\"body\":{}}"),
			 EBADMSG);
	assert_int_equal(container_op(&c, PROTO_OP_START, "nosuch"), -ENOENT);
	assert_int_equal(container_op(&c, PROTO_OP_DESTROY, "nosuch"), -ENOENT);
	assert_int_equal(process_op(&c, PROTO_OP_WAIT, "nosuch", ""), -ENOENT);
	assert_int_equal(signal_proc(&c, "nosuch", "", 9, true), -ENOENT);
	assert_int_equal(ta_stream("nosuch", "", PROTO_STREAM_STDOUT), -ECONNREFUSED);
	/* Still serving on the same connection. */
	assert_int_equal(container_op(&c, PROTO_OP_PS, "nosuch"), -ENOENT);
	/* A zero-length frame closes this connection, and only this one. */
	assert_int_equal(write(c.fd, zero, 4), 4);
	assert_int_equal(read(c.fd, &b, 1), 0);
	ta_ctl_close(&c);
	assert_int_equal(ta_ctl_open(&c), 0);
	/* So does a frame above the limit. */
	assert_int_equal(write(c.fd, huge, 4), 4);
	assert_int_equal(read(c.fd, &b, 1), 0);
	ta_ctl_close(&c);
	/* A port nobody listens on: closed unanswered. */
	assert_int_equal(ta_connect(4000), -1);
	/* Bad CONNECT lines are closed; bytes right after a good line are the stream's. */
	{
		static const char *const bad[] = {"CONNECT\n",
						  "CONNECT 1024x\n",
						  "connect 1024\n",
						  "CONNECT -1024\n",
						  "CONNECT 4294967295\n",
						  "CONNECT 1024 1024 1024 1024 1024 1024\n"};
		static const char hello[] =
		    "CONNECT 1024\n\0\0\0\x3e{\"v\":1,\"id\":9,\"op\":\"hello\",\"body\":{"
		    "\"version\":1,\"runtime\":\"x\"}}";
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		struct proto_msg r;
		char line[32];
		int fd;

		memcpy(sa.sun_path, ta.sock, sizeof(sa.sun_path));
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
			assert_int_equal(write(fd, bad[i], strlen(bad[i])),
					 (ssize_t)strlen(bad[i]));
			assert_true(read(fd, line, sizeof(line)) <= 0);
			close(fd);
		}
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(write(fd, hello, sizeof(hello) - 1), (ssize_t)sizeof(hello) - 1);
		for (size_t n = 0; n < sizeof(line) - 1; n++) {
			assert_int_equal(read(fd, &line[n], 1), 1);
			if (line[n] == '\n')
				break;
		}
		assert_int_equal(strncmp(line, "OK ", 3), 0);
		assert_int_equal(proto_recv(fd, &r), 0);
		assert_int_equal(r.id, 9);
		assert_int_equal(r.err, 0);
		proto_msg_free(&r);
		close(fd);
	}
	assert_int_equal(ta_ctl_open(&c), 0);
	ta_ctl_close(&c);
}

/*
 * Fuzz-style: valid requests with a few bytes changed, random frames, and
 * random stream headers. Every frame gets exactly one reply (or, for a
 * stream, an answer or a close), and the agent goes on serving.
 */
static void test_mutated_requests(void **state)
{
	static const char *const templates[] = {
	    "{\"v\":1,\"id\":1,\"op\":\"hello\",\"body\":{\"version\":1,\"runtime\":\"x\"}}",
	    "{\"v\":1,\"id\":2,\"op\":\"create\",\"body\":{\"container_id\":\"fz\",\"rootfs\":"
	    "\"fz-none/"
	    "rootfs\",\"spec\":{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"true\"],"
	    "\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},\"root\":{\"path\":\"rootfs\"}},"
	    "\"stdio\":{\"stdout\":1025}}}",
	    "{\"v\":1,\"id\":3,\"op\":\"exec\",\"body\":{\"container_id\":\"fz\",\"exec_id\":\"e\","
	    "\"process\":{\"args\":[\"true\"],\"cwd\":\"/"
	    "\"},\"stdio\":{\"tty\":1025},\"tty\":true}}",
	    "{\"v\":1,\"id\":4,\"op\":\"signal\",\"body\":{\"container_id\":\"fz\",\"signal\":9,"
	    "\"all\":true}}",
	    "{\"v\":1,\"id\":5,\"op\":\"wait\",\"body\":{\"container_id\":\"fz\",\"exec_id\":\"e\","
	    "\"owner\":true}}",
	    "{\"v\":1,\"id\":6,\"op\":\"resize\",\"body\":{\"container_id\":\"fz\",\"rows\":1,"
	    "\"cols\":2}}",
	    "{\"v\":1,\"id\":7,\"op\":\"update\",\"body\":{\"container_id\":\"fz\",\"resources\":{"
	    "\"pids\":{\"limit\":5}}}}",
	    "{\"v\":1,\"id\":8,\"op\":\"ps\",\"body\":{\"container_id\":\"fz\"}}",
	};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	struct ta_ctl c;
	char buf[1024];

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	for (int i = 0; i < 400; i++) {
		const char *t = templates[i % (ARRAY_SIZE(templates))];
		size_t len = strlen(t);

		memcpy(buf, t, len);
		for (int k = 0; k < 1 + i % 3; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[x % len] = (char)(x >> 32);
		}
		if (i % 10 == 9) /* now and then all random */
			for (size_t k = 0; k < len; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				buf[k] = (char)x;
			}
		buf[len] = '\0';
		assert_true(raw_request(c.fd, buf) >= 0);
	}
	/* Whatever a mutation made, the container "fz" has no rootfs: nothing was created. */
	assert_int_equal(container_op(&c, PROTO_OP_PS, "fz"), -ENOENT);
	/* Random stream headers, with a stream expected on the port. */
	assert_int_equal(create(&c, "fz-stream", spec_json("[\"true\"]", false, NULL), out_only),
			 0);
	for (int i = 0; i < 20; i++) {
		int fd = ta_connect(TA_STREAM_PORT);
		uint8_t hdr[4] = {0, 0, 0, (uint8_t)(8 + i)};
		char b;

		assert_true(fd >= 0);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(buf, &x, 8);
		memset(buf + 8, (int)(x >> 56), sizeof(buf) - 8);
		assert_int_equal(write(fd, hdr, 4), 4);
		assert_int_equal(write(fd, buf, 8 + (size_t)i), 8 + i);
		/* An error answer, then the end. */
		while (read(fd, &b, 1) > 0)
			;
		close(fd);
	}
	assert_int_equal(container_op(&c, PROTO_OP_PS, "fz"), -ENOENT);
	destroy(&c, "fz-stream");
	ta_ctl_close(&c);
}

static void test_exit_code_and_stdout(void **state)
{
	struct ta_ctl c;
	char *out;
	int fd;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-exit",
		   spec_json("[\"sh\",\"-c\",\"echo hi; echo err >&2; exit 3\"]", false, NULL),
		   out_only),
	    0);
	/* Not announced: refused, and the connection closed. */
	assert_int_equal(ta_stream("c-exit", "", PROTO_STREAM_STDERR), -EBADSLT);
	fd = ta_stream("c-exit", "", PROTO_STREAM_STDOUT);
	assert_true(fd >= 0);
	/* Already connected: refused. */
	assert_int_equal(ta_stream("c-exit", "", PROTO_STREAM_STDOUT), -EBADSLT);
	assert_int_equal(create(&c, "c-exit", spec_json("[\"true\"]", false, NULL), no_stdio),
			 -EEXIST);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-exit"), 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-exit"), -EALREADY);
	assert_int_equal(ta_read_all(fd, &out), 3);
	assert_string_equal(out, "hi\n");
	free(out);
	close(fd);
	assert_int_equal(wait_status(&c, "c-exit", ""), 3);
	assert_int_equal(exit_event(&c, "c-exit", ""), 3);
	/* wait after the end: at once. */
	assert_int_equal(wait_status(&c, "c-exit", ""), 3);
	destroy(&c, "c-exit");
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-exit"), -ENOENT);
	ta_ctl_close(&c);
}

static void test_output_before_connect(void **state)
{
	struct ta_ctl c;
	char *out;
	int fd;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-late", spec_json("[\"echo\",\"early bird\"]", false, NULL), out_only), 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-late"), 0);
	/* The process ends before its stream is connected: nothing is lost. */
	assert_int_equal(wait_status(&c, "c-late", ""), 0);
	fd = ta_stream("c-late", "", PROTO_STREAM_STDOUT);
	assert_true(fd >= 0);
	assert_int_equal(ta_read_all(fd, &out), 11);
	assert_string_equal(out, "early bird\n");
	free(out);
	close(fd);
	destroy(&c, "c-late");
	ta_ctl_close(&c);
}

static void test_stdin(void **state)
{
	static const char msg[] = "to the container's stdin\n";
	struct ta_ctl c;
	char *out;
	int in, fd;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(create(&c, "c-in", spec_json("[\"cat\"]", false, NULL), in_out), 0);
	in = ta_stream("c-in", "", PROTO_STREAM_STDIN);
	fd = ta_stream("c-in", "", PROTO_STREAM_STDOUT);
	assert_true(in >= 0 && fd >= 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-in"), 0);
	assert_int_equal(write(in, msg, strlen(msg)), (ssize_t)strlen(msg));
	/* Half-close: the process sees the end of its input. */
	shutdown(in, SHUT_WR);
	assert_int_equal(ta_read_all(fd, &out), (ssize_t)strlen(msg));
	assert_string_equal(out, msg);
	free(out);
	close(fd);
	close(in);
	assert_int_equal(wait_status(&c, "c-in", ""), 0);
	destroy(&c, "c-in");

	/* close_stdin without the host closing its stream. */
	assert_int_equal(create(&c, "c-in2", spec_json("[\"cat\"]", false, NULL), in_out), 0);
	in = ta_stream("c-in2", "", PROTO_STREAM_STDIN);
	fd = ta_stream("c-in2", "", PROTO_STREAM_STDOUT);
	assert_true(in >= 0 && fd >= 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-in2"), 0);
	assert_int_equal(write(in, "x", 1), 1);
	assert_int_equal(process_op(&c, PROTO_OP_CLOSE_STDIN, "c-in2", ""), 0);
	assert_int_equal(ta_read_all(fd, &out), 1);
	free(out);
	assert_int_equal(wait_status(&c, "c-in2", ""), 0);
	close(fd);
	close(in);
	destroy(&c, "c-in2");
	ta_ctl_close(&c);
}

/* FNV-1a over 64-bit words (and the bytes of a tail): fast enough for a GiB under TCG. */
static uint64_t hash_words(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * ta.big bytes of stdout arrive intact: a block of random bytes (at most
 * 16 MiB) is put in the rootfs, the container copies it into its /dev/shm
 * once (so the stream measures the stdout path, not virtio-fs) and writes
 * it out as often as it takes; the host hashes what arrives, in order, and
 * compares with the hash of the block repeated. The rate is printed.
 */
static void test_big_stdout(void **state)
{
	enum { BUF = 1 << 20, BLOCK_MAX = 16 << 20 };
	struct ta_ctl c;
	char path[PATH_MAX], args[512];
	uint8_t *buf = malloc(BUF), *block;
	uint64_t block_len = ta.big < BLOCK_MAX ? ta.big : BLOCK_MAX, reps;
	uint64_t want = 0xcbf29ce484222325ull, got = want, x = 88172645463325252ull, n = 0;
	double t0, t1 = 0;
	size_t fill = 0;
	ssize_t r;
	int fd;

	(void)state;
	SKIP_UNLESS_READY();
	/* Whole blocks of whole MiB. */
	block_len &= ~(uint64_t)(BUF - 1);
	assert_true(block_len > 0 && ta.big % block_len == 0);
	reps = ta.big / block_len;
	block = malloc(block_len);
	assert_non_null(buf);
	assert_non_null(block);
	for (uint64_t i = 0; i < block_len; i += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(block + i, &x, 8);
	}
	for (uint64_t i = 0; i < reps; i++)
		want = hash_words(want, block, block_len);
	make_rootfs("c-big");
	snprintf(path, sizeof(path), "%s/c-big/rootfs/big", ta.shared);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, block, block_len), (ssize_t)block_len);
	close(fd);
	snprintf(args, sizeof(args),
		 "[\"sh\",\"-c\",\"cat /big >/dev/shm/b || exit 2; i=0; while [ $i -lt %llu ]; "
		 "do cat /dev/shm/b || exit 3; i=$((i+1)); done\"]",
		 (unsigned long long)reps);
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(create(&c, "c-big", spec_json(args, false, NULL), out_only), 0);
	fd = ta_stream("c-big", "", PROTO_STREAM_STDOUT);
	assert_true(fd >= 0);
	t0 = now_s();
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-big"), 0);
	/* Hashed a whole buffer at a time, so that reads of any size hash the same. */
	while ((r = read(fd, buf + fill, BUF - fill)) > 0) {
		if (n == 0)
			t1 = now_s();
		n += (uint64_t)r;
		fill += (size_t)r;
		if (fill == BUF) {
			got = hash_words(got, buf, fill);
			fill = 0;
		}
	}
	got = hash_words(got, buf, fill);
	close(fd);
	print_message(
	    "big stdout: %llu MiB in %.1f s after %.1f s to the first byte (%.1f MiB/s)\n",
	    (unsigned long long)(n >> 20), now_s() - t1, t1 - t0,
	    (double)n / (1 << 20) / (now_s() - t1 > 0 ? now_s() - t1 : 1));
	assert_int_equal(n, ta.big);
	assert_true(got == want);
	assert_int_equal(wait_status(&c, "c-big", ""), 0);
	destroy(&c, "c-big");
	unlink(path);
	ta_ctl_close(&c);
	free(block);
	free(buf);
}

static void test_sigkill(void **state)
{
	struct ta_ctl c;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-kill", spec_json("[\"sleep\",\"1000\"]", false, NULL), no_stdio), 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-kill"), 0);
	assert_int_equal(signal_proc(&c, "c-kill", "", SIGKILL, false), 0);
	assert_int_equal(wait_status(&c, "c-kill", ""), 1000 + SIGKILL);
	assert_int_equal(exit_event(&c, "c-kill", ""), 1000 + SIGKILL);
	assert_int_equal(signal_proc(&c, "c-kill", "", SIGKILL, false), -ESRCH);
	assert_int_equal(exec_proc(&c, "c-kill", "e1", "[\"true\"]", no_stdio), -ESRCH);
	destroy(&c, "c-kill");
	/* A container killed before start. */
	assert_int_equal(
	    create(&c, "c-kill2", spec_json("[\"sleep\",\"1000\"]", false, NULL), no_stdio), 0);
	assert_int_equal(signal_proc(&c, "c-kill2", "", SIGKILL, true), 0);
	assert_int_equal(wait_status(&c, "c-kill2", ""), 1000 + SIGKILL);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-kill2"), -ESRCH);
	destroy(&c, "c-kill2");
	ta_ctl_close(&c);
}

static size_t ps_count(struct ta_ctl *c, const char *id)
{
	struct proto_msg m = {.op = PROTO_OP_PS}, r;
	size_t n;

	strcpy(m.body.container.container_id, id);
	assert_int_equal(ta_call(c, &m, &r), 0);
	n = r.body.pids.count;
	proto_msg_free(&r);
	return n;
}

static void test_exec_signal_ps(void **state)
{
	struct ta_ctl c;
	char *out;
	int fd;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-exec", spec_json("[\"sleep\",\"1000\"]", false, NULL), no_stdio), 0);
	assert_int_equal(exec_proc(&c, "c-exec", "e0", "[\"true\"]", no_stdio), -ESRCH);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-exec"), 0);
	assert_int_equal(exec_proc(&c, "c-exec", "e1",
				   "[\"sh\",\"-c\",\"echo exec-out $(hostname); exit 5\"]",
				   out_only),
			 0);
	fd = ta_stream("c-exec", "e1", PROTO_STREAM_STDOUT);
	assert_true(fd >= 0);
	assert_true(ta_read_all(fd, &out) > 0);
	assert_string_equal(out, "exec-out agent-test\n");
	free(out);
	close(fd);
	assert_int_equal(wait_status(&c, "c-exec", "e1"), 5);
	assert_int_equal(exit_event(&c, "c-exec", "e1"), 5);
	assert_int_equal(exec_proc(&c, "c-exec", "e1", "[\"true\"]", no_stdio), -EEXIST);
	assert_true(exec_proc(&c, "c-exec", "e-missing", "[\"/no/such/binary\"]", no_stdio) < 0);
	assert_int_equal(exec_proc(&c, "nosuch", "e1", "[\"true\"]", no_stdio), -ENOENT);

	assert_int_equal(ps_count(&c, "c-exec"), 1);
	assert_int_equal(exec_proc(&c, "c-exec", "e2", "[\"sleep\",\"1000\"]", no_stdio), 0);
	assert_int_equal(ps_count(&c, "c-exec"), 2);
	assert_int_equal(signal_proc(&c, "c-exec", "e2", SIGTERM, false), 0);
	assert_int_equal(wait_status(&c, "c-exec", "e2"), 1000 + SIGTERM);
	assert_int_equal(ps_count(&c, "c-exec"), 1);
	assert_int_equal(process_op(&c, PROTO_OP_WAIT, "c-exec", "nosuch"), -ENOENT);
	assert_int_equal(signal_proc(&c, "c-exec", "", SIGKILL, true), 0);
	assert_int_equal(wait_status(&c, "c-exec", ""), 1000 + SIGKILL);
	destroy(&c, "c-exec");
	ta_ctl_close(&c);
}

static void send_owner_wait(struct ta_ctl *c, const char *id, const char *eid)
{
	struct proto_msg m = {.kind = PROTO_REQUEST, .op = PROTO_OP_WAIT, .id = 77};

	strcpy(m.body.process.container_id, id);
	strcpy(m.body.process.exec_id, eid);
	m.body.process.owner = true;
	assert_int_equal(proto_send(c->fd, &m), 0);
}

static void test_owner_wait(void **state)
{
	struct ta_ctl c, owner;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-own", spec_json("[\"sleep\",\"1000\"]", false, NULL), no_stdio), 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-own"), 0);
	assert_int_equal(exec_proc(&c, "c-own", "e1", "[\"sleep\",\"1000\"]", no_stdio), 0);
	assert_int_equal(exec_proc(&c, "c-own", "e2", "[\"sleep\",\"1000\"]", no_stdio), 0);

	/* A plain wait's connection closing changes nothing. */
	assert_int_equal(ta_ctl_open(&owner), 0);
	assert_int_equal(
	    proto_send(owner.fd, &(struct proto_msg){.kind = PROTO_REQUEST,
						     .op = PROTO_OP_WAIT,
						     .id = 9,
						     .body.process = {.container_id = "c-own",
								      .exec_id = "e2"}}),
	    0);
	ta_ctl_close(&owner);
	/* The owner of e1 goes away: e1 is killed, the rest is not. */
	assert_int_equal(ta_ctl_open(&owner), 0);
	send_owner_wait(&owner, "c-own", "e1");
	assert_int_equal(ps_count(&owner, "c-own"), 3);
	ta_ctl_close(&owner);
	assert_int_equal(wait_status(&c, "c-own", "e1"), 1000 + SIGKILL);
	assert_int_equal(ps_count(&c, "c-own"), 2);

	/* The owner of the container's process goes away: the whole container goes. */
	assert_int_equal(ta_ctl_open(&owner), 0);
	send_owner_wait(&owner, "c-own", "");
	assert_int_equal(ps_count(&owner, "c-own"), 2);
	ta_ctl_close(&owner);
	assert_int_equal(wait_status(&c, "c-own", ""), 1000 + SIGKILL);
	assert_int_equal(wait_status(&c, "c-own", "e2"), 1000 + SIGKILL);
	destroy(&c, "c-own");
	ta_ctl_close(&c);
}

static void test_create_errors(void **state)
{
	struct ta_ctl c;
	struct proto_stdio tty = {.tty_port = TA_STREAM_PORT};

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	/* A terminal needs a tty stream, and a tty stream needs a terminal. */
	assert_int_equal(create(&c, "c-bad", spec_json("[\"true\"]", true, NULL), out_only),
			 -EINVAL);
	assert_int_equal(create(&c, "c-bad", spec_json("[\"true\"]", false, NULL), tty), -EINVAL);
	/* A missing binary fails create, not start. */
	assert_true(create(&c, "c-bad", spec_json("[\"/no/such/binary\"]", false, NULL), no_stdio) <
		    0);
	/* Nothing of it is left: the id is free again. */
	assert_int_equal(create(&c, "c-bad", spec_json("[\"true\"]", false, NULL), no_stdio), 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-bad"), 0);
	assert_int_equal(wait_status(&c, "c-bad", ""), 0);
	destroy(&c, "c-bad");
	ta_ctl_close(&c);
}

/* Reads the terminal until its output holds s (or ends); the output so far, in out. */
static void read_until(int fd, char *out, size_t size, size_t *len, const char *s)
{
	ssize_t n;

	out[*len] = '\0';
	while (*len < size - 1 && !strstr(out, s) &&
	       (n = read(fd, out + *len, size - 1 - *len)) > 0) {
		*len += (size_t)n;
		out[*len] = '\0';
	}
}

static void resize(struct ta_ctl *c, const char *id, const char *eid, int rows, int cols)
{
	struct proto_msg m = {.op = PROTO_OP_RESIZE};

	snprintf(m.body.resize.container_id, sizeof(m.body.resize.container_id), "%s", id);
	snprintf(m.body.resize.exec_id, sizeof(m.body.resize.exec_id), "%s", eid);
	m.body.resize.rows = (uint16_t)rows;
	m.body.resize.cols = (uint16_t)cols;
	assert_int_equal(ta_call(c, &m, NULL), 0);
}

/*
 * A terminal as runc makes it: a pty of the container's own devpts, so
 * `tty` names /dev/pts/0 inside (for the init, and for an exec into a
 * container whose init has none), it is stdin's terminal, and a resize
 * reaches the process (its `stty size` after the resize).
 */
static void test_tty(void **state)
{
	struct ta_ctl c;
	struct proto_stdio tty = {.tty_port = TA_STREAM_PORT};
	const char *sh =
	    "[\"sh\",\"-c\",\"tty; test -t 0 && test -t 1 && echo is-a-tty; stty size; "
	    "echo waiting; read line; stty size; echo got-$line\"]";
	char out[4096], *rest;
	size_t len = 0;
	int fd, ret;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	ret = create(&c, "c-tty", spec_json(sh, true, NULL), tty);
	if (ret != 0)
		print_error("create with a terminal: %s\n", ta_last_error);
	assert_int_equal(ret, 0);
	fd = ta_stream("c-tty", "", PROTO_STREAM_TTY);
	assert_true(fd >= 0);
	/* Before start: the size the process starts with. */
	resize(&c, "c-tty", "", 33, 111);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-tty"), 0);
	read_until(fd, out, sizeof(out), &len, "waiting\r\n");
	resize(&c, "c-tty", "", 44, 122);
	assert_int_equal(write(fd, "abc\n", 4), 4);
	assert_true(ta_read_all(fd, &rest) >= 0);
	snprintf(out + len, sizeof(out) - len, "%s", rest);
	free(rest);
	close(fd);
	/* The output in CRLF; the terminal echoes the input. */
	if (!strstr(out, "/dev/pts/0\r\nis-a-tty\r\n33 111\r\nwaiting\r\n") ||
	    !strstr(out, "abc\r\n44 122\r\ngot-abc\r\n"))
		fail_msg("terminal output:\n%s", out);
	assert_int_equal(wait_status(&c, "c-tty", ""), 0);
	assert_int_equal(process_op(&c, PROTO_OP_CLOSE_STDIN, "c-tty", ""), 0);
	destroy(&c, "c-tty");

	/* An exec's terminal, from the container's devpts too. */
	assert_int_equal(
	    create(&c, "c-tty2", spec_json("[\"sleep\",\"1000\"]", false, NULL), no_stdio), 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-tty2"), 0);
	assert_int_equal(exec_proc(&c, "c-tty2", "e1", sh, tty), 0);
	fd = ta_stream("c-tty2", "e1", PROTO_STREAM_TTY);
	assert_true(fd >= 0);
	len = 0;
	read_until(fd, out, sizeof(out), &len, "waiting\r\n");
	resize(&c, "c-tty2", "e1", 21, 77);
	assert_int_equal(write(fd, "def\n", 4), 4);
	assert_true(ta_read_all(fd, &rest) >= 0);
	snprintf(out + len, sizeof(out) - len, "%s", rest);
	free(rest);
	close(fd);
	if (!strstr(out, "/dev/pts/0\r\nis-a-tty\r\n") ||
	    !strstr(out, "def\r\n21 77\r\ngot-def\r\n"))
		fail_msg("exec terminal output:\n%s", out);
	assert_int_equal(wait_status(&c, "c-tty2", "e1"), 0);
	destroy(&c, "c-tty2");
	ta_ctl_close(&c);
}

static void test_concurrent_connections(void **state)
{
	enum { N = 100 };
	static struct ta_ctl cs[N];

	(void)state;
	SKIP_UNLESS_READY();
	for (int i = 0; i < N; i++)
		assert_int_equal(ta_ctl_open(&cs[i]), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(container_op(&cs[i], PROTO_OP_PS, "nosuch"), -ENOENT);
	for (int i = 0; i < N; i++)
		ta_ctl_close(&cs[i]);
}

/*
 * maskedPaths and readonlyPaths, seen from inside by an exec'd process; and
 * the root is not nosuid (set-uid binaries of the image work, as under runc).
 */
static void test_masked_paths(void **state)
{
	struct ta_ctl c;
	char *out;
	int fd;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-mask", spec_json("[\"sleep\",\"1000\"]", false, NULL), no_stdio), 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-mask"), 0);
	/* /proc/kcore may not exist at all (a guest kernel without PROC_KCORE). */
	assert_int_equal(
	    exec_proc(
		&c, "c-mask", "e1",
		"[\"sh\",\"-c\",\"wc -c </proc/kallsyms; [ ! -s /proc/kcore ] && "
		"echo kcore-empty; while read -r a b c d mp opts rest; do [ $mp = / ] && "
		"case $opts in *nosuid*) echo root-nosuid;; esac; done </proc/self/mountinfo; "
		"echo 1 >/proc/sys/kernel/ns_last_pid && echo "
		"writable\"]",
		out_only),
	    0);
	fd = ta_stream("c-mask", "e1", PROTO_STREAM_STDOUT);
	assert_true(fd >= 0);
	assert_true(ta_read_all(fd, &out) >= 0);
	assert_string_equal(out, "0\nkcore-empty\n");
	free(out);
	close(fd);
	assert_int_equal(wait_status(&c, "c-mask", "e1"), 1);
	destroy(&c, "c-mask");
	ta_ctl_close(&c);
}

static void test_cgroup_ops(void **state)
{
	struct ta_ctl c;
	struct proto_msg m = {.op = PROTO_OP_STATS}, r;

	(void)state;
	SKIP_UNLESS_READY();
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-cg",
		   spec_json(
		       "[\"sleep\",\"1000\"]", false,
		       "\"resources\":{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":50}}"),
		   no_stdio),
	    0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-cg"), 0);
	strcpy(m.body.container.container_id, "c-cg");
	if (!ta.cgroups) {
		/* A host-mode agent without --cgroup-root: a clear error, nothing else. */
		assert_int_equal(ta_call(&c, &m, NULL), -EOPNOTSUPP);
		assert_int_equal(container_op(&c, PROTO_OP_PAUSE, "c-cg"), -EOPNOTSUPP);
		assert_int_equal(container_op(&c, PROTO_OP_RESUME, "c-cg"), -EOPNOTSUPP);
		destroy(&c, "c-cg");
		ta_ctl_close(&c);
		return;
	}
	assert_int_equal(ta_call(&c, &m, &r), 0);
	assert_true(r.body.stats.pids_current >= 1);
	assert_int_equal(r.body.stats.pids_limit, 50);
	assert_int_equal(r.body.stats.memory_limit, 67108864);
	assert_true(r.body.stats.memory_usage > 0);
	proto_msg_free(&r);
	assert_int_equal(container_op(&c, PROTO_OP_PAUSE, "c-cg"), 0);
	assert_int_equal(container_op(&c, PROTO_OP_RESUME, "c-cg"), 0);
	{
		struct proto_msg u = {.op = PROTO_OP_UPDATE};

		strcpy(u.body.update.container_id, "c-cg");
		u.body.update.resources_json = "{\"pids\":{\"limit\":60}}";
		assert_int_equal(ta_call(&c, &u, NULL), 0);
		assert_int_equal(ta_call(&c, &m, &r), 0);
		assert_int_equal(r.body.stats.pids_limit, 60);
		proto_msg_free(&r);
	}
	destroy(&c, "c-cg");

	/* Past memory.max: OOM-killed, reported as an oom event and SIGKILL. */
	assert_int_equal(
	    create(
		&c, "c-oom",
		spec_json(
		    "[\"sh\",\"-c\",\"a=$(yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c 64000000); "
		    "echo ${#a}\"]",
		    false, "\"resources\":{\"memory\":{\"limit\":16777216,\"swap\":16777216}}"),
		no_stdio),
	    0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-oom"), 0);
	assert_int_equal(wait_status(&c, "c-oom", ""), 1000 + SIGKILL);
	/* The oom event comes before the exit event, which came before the wait's reply. */
	assert_true(c.n_ooms >= 1);
	assert_string_equal(c.oom_ids[0], "c-oom");
	destroy(&c, "c-oom");
	ta_ctl_close(&c);
}

/*
 * The cgroup's BPF device program in the guest: a container with CAP_MKNOD
 * (root with every capability here) can make /dev/mem, but opening it is
 * EPERM; /dev/null works; and a device that linux.resources.devices allows
 * (/dev/kmsg, 1:11, "rw") can be made and written. Needs the guest's cgroups.
 */
static void test_device_rules(void **state)
{
	struct ta_ctl c;
	char *out;
	int fd;

	(void)state;
	SKIP_UNLESS_READY();
	if (!ta.cgroups)
		skip(); /* a host-mode agent without --cgroup-root attaches no program */
	assert_int_equal(ta_ctl_open(&c), 0);
	assert_int_equal(
	    create(&c, "c-dev",
		   spec_json("[\"sh\",\"-c\",\"mknod /dev/mem c 1 1 && echo mknod-ok; "
			     "cat /dev/mem 2>&1 >/dev/null | head -c 200; "
			     "echo x >/dev/null && cat /dev/null && echo null-ok; "
			     "mknod /dev/kmsg c 1 11 && echo ozone-device-rule-test >/dev/kmsg && "
			     "echo kmsg-ok\"]",
			     false,
			     "\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
			     "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":11,"
			     "\"access\":\"rw\"}]}"),
		   out_only),
	    0);
	fd = ta_stream("c-dev", "", PROTO_STREAM_STDOUT);
	assert_true(fd >= 0);
	assert_int_equal(container_op(&c, PROTO_OP_START, "c-dev"), 0);
	assert_true(ta_read_all(fd, &out) >= 0);
	close(fd);
	if (strcmp(out, "mknod-ok\ncat: can't open '/dev/mem': Operation not permitted\n"
			"null-ok\nkmsg-ok\n"))
		fail_msg("device rules:\n%s", out);
	free(out);
	assert_int_equal(wait_status(&c, "c-dev", ""), 0);
	destroy(&c, "c-dev");
	ta_ctl_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_requests),
	    cmocka_unit_test(test_mutated_requests),
	    cmocka_unit_test(test_exit_code_and_stdout),
	    cmocka_unit_test(test_output_before_connect),
	    cmocka_unit_test(test_stdin),
	    cmocka_unit_test(test_big_stdout),
	    cmocka_unit_test(test_sigkill),
	    cmocka_unit_test(test_exec_signal_ps),
	    cmocka_unit_test(test_owner_wait),
	    cmocka_unit_test(test_create_errors),
	    cmocka_unit_test(test_tty),
	    cmocka_unit_test(test_concurrent_connections),
	    cmocka_unit_test(test_masked_paths),
	    cmocka_unit_test(test_cgroup_ops),
	    cmocka_unit_test(test_device_rules),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
