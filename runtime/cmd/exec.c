/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone exec [options] ID [COMMAND [ARG...]]` or `--process FILE`: every
 * runc flag is parsed and checked, and a process.json is validated like
 * config.json's process. The agent runs the process in the container;
 * with --detach a forked proxy stands for it (its pid goes to --pid-file),
 * without, this process is the proxy and exits with the process's status.
 */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"
#include "runtime/lib/exec_process.h"
#include "runtime/lib/launch.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/oci_spec.h"
#include "common/read_bounded.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

enum {
	OPT_CONSOLE = 256,
	OPT_CWD,
	OPT_PIDFILE,
	OPT_LABEL,
	OPT_APPARMOR,
	OPT_NNP,
	OPT_FDS,
	OPT_CGROUP,
	OPT_IGNORE_PAUSED,
};

static const struct option exec_opts[] = {
    {"console-socket", required_argument, NULL, OPT_CONSOLE},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"env", required_argument, NULL, 'e'},
    {"tty", no_argument, NULL, 't'},
    {"user", required_argument, NULL, 'u'},
    {"additional-gids", required_argument, NULL, 'g'},
    {"process", required_argument, NULL, 'p'},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, OPT_PIDFILE},
    {"process-label", required_argument, NULL, OPT_LABEL},
    {"apparmor", required_argument, NULL, OPT_APPARMOR},
    {"no-new-privs", no_argument, NULL, OPT_NNP},
    {"cap", required_argument, NULL, 'c'},
    {"preserve-fds", required_argument, NULL, OPT_FDS},
    {"cgroup", required_argument, NULL, OPT_CGROUP},
    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* <uid>[:<gid>], numeric as runc wants it. */
static int exec_check_user(const char *s)
{
	long long n;
	char buf[32];
	const char *colon = strchr(s, ':');

	if (strlen(s) >= sizeof(buf))
		return err_setx(EINVAL, "invalid --user \"%.64s\": want <uid>[:<gid>]", s);
	snprintf(buf, sizeof(buf), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	if (ozone_parse_long("user", buf, 0, UINT32_MAX - 1, &n) < 0 ||
	    (colon && ozone_parse_long("user", colon + 1, 0, UINT32_MAX - 1, &n) < 0))
		return err_setx(EINVAL, "invalid --user \"%s\": want <uid>[:<gid>]", s);
	return 0;
}

static int exec_check_flag(int c, const char *arg)
{
	long long n;

	switch (c) {
	case 'e':
		if (!strchr(arg, '=') || arg[0] == '=')
			return err_setx(EINVAL, "invalid --env \"%.64s\": want NAME=VALUE", arg);
		return 0;
	case 'u':
		return exec_check_user(arg);
	case 'g':
		return ozone_parse_long("additional-gids", arg, 0, UINT32_MAX - 1, &n);
	case 'c':
		if (strncmp(arg, "CAP_", 4) || !arg[4] ||
		    strspn(arg + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != strlen(arg + 4))
			return err_setx(EINVAL, "invalid --cap \"%.64s\": not a capability name",
					arg);
		return 0;
	case OPT_CWD:
		if (arg[0] != '/')
			return err_setx(EINVAL, "invalid --cwd \"%.64s\": must be absolute", arg);
		return 0;
	case OPT_FDS:
		return ozone_parse_long("preserve-fds", arg, 0, 1 << 20, &n);
	default:
		return 0;
	}
}

static int exec_check_process(const char *file, char **text, bool *terminal, unsigned *rows,
			      unsigned *cols)
{
	struct oci_process p;
	_cleanup_free_ char *buf = malloc(OCI_SPEC_SIZE_MAX + 1);
	_cleanup_close_ int fd = -1;
	size_t got = 0;
	int ret;

	if (!buf)
		return err_set(ENOMEM, "process");
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "open %s", file);
	ret = read_bounded(fd, buf, OCI_SPEC_SIZE_MAX, &got);
	if (ret < 0)
		return err_set(-ret, "read %s", file);
	ret = oci_process_parse("process.json", buf, got, &p);
	if (ret < 0)
		return ret;
	*terminal = p.terminal;
	if (p.has_console_size) {
		*rows = p.console_height;
		*cols = p.console_width;
	}
	oci_process_free(&p);
	buf[got] = '\0';
	*text = take_ptr(&buf);
	return 0;
}

struct exec_opts {
	const char *process, *console, *pid_file;
	bool detach, ignore_paused;
	unsigned rows, cols; /* the process's consoleSize */
	long long preserve_fds;
	struct exec_flags f;
};

/* Collects a repeatable flag; runc has no limit, ours is the array's size. */
static int exec_add(const char **v, size_t *n, size_t max, const char *arg, const char *flag)
{
	if (*n >= max)
		return err_setx(E2BIG, "too many --%s flags (at most %zu)", flag, max);
	v[(*n)++] = arg;
	return 0;
}

static int exec_collect(struct exec_opts *x, int c, const char *arg)
{
	switch (c) {
	case 'e':
		return exec_add(x->f.env, &x->f.n_env, sizeof(x->f.env) / sizeof(x->f.env[0]), arg,
				"env");
	case 'c':
		return exec_add(x->f.caps, &x->f.n_caps, sizeof(x->f.caps) / sizeof(x->f.caps[0]),
				arg, "cap");
	case 'g':
		return exec_add(x->f.gids, &x->f.n_gids, sizeof(x->f.gids) / sizeof(x->f.gids[0]),
				arg, "additional-gids");
	case 'u':
		x->f.user = arg;
		return 0;
	case OPT_CWD:
		x->f.cwd = arg;
		return 0;
	case OPT_NNP:
		x->f.no_new_privs = true;
		return 0;
	case OPT_PIDFILE:
		x->pid_file = arg;
		return 0;
	case OPT_IGNORE_PAUSED:
		x->ignore_paused = true;
		return 0;
	case OPT_FDS:
		return ozone_parse_long("preserve-fds", arg, 0, 1 << 20, &x->preserve_fds);
	default:
		return 0;
	}
}

static int exec_id_new(char *buf, size_t size)
{
	unsigned char r[8];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return err_set(errno, "getrandom");
	snprintf(buf, size, "exec-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
		 r[5], r[6], r[7]);
	return 0;
}

static int exec_request(struct launch *l, const char *process_json)
{
	struct proto_msg req = {.op = PROTO_OP_EXEC};

	snprintf(req.body.exec.container_id, sizeof(req.body.exec.container_id), "%s",
		 l->container_id);
	snprintf(req.body.exec.exec_id, sizeof(req.body.exec.exec_id), "%s", l->exec_id);
	req.body.exec.process_json = (char *)process_json;
	req.body.exec.stdio = l->stdio;
	req.body.exec.fds = l->fds;
	req.body.exec.tty = l->terminal;
	return agent_call(&l->conn, &req, NULL);
}

/* The process from the config.json kept at create, with the flags applied. */
static int exec_build(const struct ozone_globals *g, const char *id, const struct exec_flags *f,
		      char **text)
{
	struct oci_state st;
	struct bundle b;
	int ret = store_read(g, id, &st);

	if (ret < 0)
		return ret;
	if (!strcmp(st.status, "stopped"))
		ret = err_setx(EINVAL, "cannot exec in a stopped container");
	else
		ret = container_spec(g, &st, &b);
	oci_state_free(&st);
	if (ret < 0)
		return ret;
	ret = exec_process_json(b.spec.text, b.spec.text_len, f, text);
	bundle_free(&b);
	return ret;
}

/* Asks the agent to apply the process's consoleSize; a failure is only logged. */
static void exec_console_size(struct launch *l, const struct exec_opts *x)
{
	struct proto_msg req = {.op = PROTO_OP_RESIZE};

	snprintf(req.body.resize.container_id, sizeof(req.body.resize.container_id), "%s",
		 l->container_id);
	snprintf(req.body.resize.exec_id, sizeof(req.body.resize.exec_id), "%s", l->exec_id);
	req.body.resize.rows = x->rows;
	req.body.resize.cols = x->cols;
	if (agent_call(&l->conn, &req, NULL) < 0)
		ozone_debug("exec: consoleSize: %s", err_msg());
}

/* Under the container's lock: its status checked, the agent's exec, the streams connected. */
static int exec_locked(const struct ozone_globals *g, const char *id, const struct exec_opts *x,
		       struct launch *l, const char *process_json)
{
	struct store_lock lk;
	struct oci_state st;
	struct sandbox sb;
	int ret = container_lock(g, id, &lk, &st);

	if (ret < 0)
		return ret;
	/* Running only (the agent has no process to join before start); paused with
	 * --ignore-paused. */
	if (!strcmp(st.status, "stopped"))
		ret = err_setx(EINVAL, "cannot exec in a stopped container");
	else if (!strcmp(st.status, "paused") && !x->ignore_paused)
		ret = err_setx(EINVAL, "cannot exec in a paused container (use --ignore-paused)");
	else if (strcmp(st.status, "running") && strcmp(st.status, "paused"))
		ret = err_setx(EINVAL, "cannot exec in a container that is %s", st.status);
	oci_state_free(&st);
	if (ret < 0)
		goto out;
	ret = container_agent(g, id, &l->conn);
	if (ret < 0)
		goto out;
	ret = exec_request(l, process_json);
	if (ret < 0)
		goto out;
	/* The process starts once its streams are there: its consoleSize goes first. */
	if (l->terminal && x->rows && x->cols)
		exec_console_size(l, x);
	ret = sandbox_init(&sb, g, id);
	if (ret < 0)
		goto out;
	ret = launch_connect(l, sb.sock);
out:
	store_unlock(&lk);
	return ret;
}

static int exec_container(const struct ozone_globals *g, const char *id, struct exec_opts *x,
			  const char *process_json, bool terminal)
{
	char exec_id[32];
	struct launch l = {.container_id = id,
			   .exec_id = exec_id,
			   .terminal = terminal,
			   .console_socket = x->console,
			   .detach = x->detach,
			   .rows = x->rows,
			   .cols = x->cols};
	pid_t pid = 0;
	int ret;

	launch_init(&l);
	ret = launch_preserve_fds(&l, x->preserve_fds);
	if (ret < 0)
		return ret;
	ret = exec_id_new(exec_id, sizeof(exec_id));
	if (ret < 0)
		return ret;
	ret = exec_locked(g, id, x, &l, process_json);
	if (ret < 0)
		goto fail;
	if (l.detach) {
		ret = launch_fork(&l, &pid);
		if (ret < 0)
			goto fail;
		ret = container_join_cgroup(g, id, pid);
		if (ret < 0)
			goto fail;
	}
	if (x->pid_file) {
		ret = launch_pidfile(x->pid_file, l.detach ? pid : getpid());
		if (ret < 0)
			goto fail;
	}
	if (l.detach) {
		launch_close(&l);
		return 0;
	}
	return launch_run(&l);

fail:
	/* Closing the connections is enough: the agent kills an exec whose streams never came. */
	if (pid > 0)
		kill(pid, SIGKILL);
	launch_close(&l);
	return ret;
}

int ozone_cmd_exec(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "exec",
	    .usage =
		"exec [command options] <container-id> <command> [command options]  || "
		"-p process.json <container-id>\n\n"
		"Executes a new process inside the container.\n\n"
		"OPTIONS:\n"
		"   --console-socket value             path to an AF_UNIX socket which will "
		"receive the console's master fd\n"
		"   --cwd value                        current working directory in the "
		"container\n"
		"   --env value, -e value              set environment variables\n"
		"   --tty, -t                          allocate a pseudo-TTY\n"
		"   --user value, -u value             UID (format: <uid>[:<gid>])\n"
		"   --additional-gids value, -g value  additional gids\n"
		"   --process value, -p value          path to the process.json\n"
		"   --detach, -d                       detach from the container's process\n"
		"   --pid-file value                   specify the file to write the process "
		"id to\n"
		"   --process-label value              accepted; the guest has no SELinux\n"
		"   --apparmor value                   accepted; the guest has no AppArmor\n"
		"   --no-new-privs                     set the no new privileges value for the "
		"process\n"
		"   --cap value, -c value              add a capability to the bounding set\n"
		"   --preserve-fds value               pass N additional file descriptors "
		"(default: 0; at most 64, relayed)\n"
		"   --cgroup value                     run the process in an (existing) "
		"sub-cgroup\n"
		"   --ignore-paused                    allow exec in a paused container",
	    .shortopts = "e:tu:g:p:dc:",
	    .longopts = exec_opts,
	};
	struct exec_opts x;
	const char *process = NULL, *console = NULL;
	bool tty = false, detach = false;
	_cleanup_free_ char *text = NULL;
	int c, ret;

	memset(&x, 0, sizeof(x));
	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c == '?')
			return OZONE_EXIT_FAIL;
		if (c == 'p')
			process = optarg;
		else if (c == 't')
			tty = true;
		else if (c == 'd')
			detach = true;
		else if (c == OPT_CONSOLE)
			console = optarg;
		else if ((ret = exec_check_flag(c, optarg)) < 0 ||
			 (ret = exec_collect(&x, c, optarg)) < 0)
			return ozone_fail(ret);
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, process ? 1 : 2, process ? 1 : INT_MAX) < 0)
		return OZONE_EXIT_FAIL;
	if (process && (ret = exec_check_process(process, &text, &tty, &x.rows, &x.cols)) < 0)
		return ozone_fail(ret);
	ret = 0;
	if (tty && detach && !console)
		ret = err_setx(EINVAL, "cannot allocate tty if ozone will detach without setting "
				       "console socket");
	else if (!tty && console)
		ret = err_setx(EINVAL, "cannot use console socket if ozone will not detach or "
				       "allocate tty");
	x.process = process;
	x.console = console;
	x.detach = detach;
	x.f.tty = tty;
	x.f.args = argv + optind + 1;
	if (ret < 0)
		return ozone_fail(ret);
	if (!process) {
		ret = exec_build(g, argv[optind], &x.f, &text);
		if (ret < 0)
			return ozone_fail(ret);
	}
	ret = exec_container(g, argv[optind], &x, text, tty);
	return ret < 0 ? ozone_fail(ret) : ret;
}
