/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone exec [options] ID [COMMAND [ARG...]]` or `--process FILE`: every
 * runc flag is parsed and checked, and a process.json is validated like
 * config.json's process; running it needs the VM side, not built yet.
 */
#include "runtime/ozone.h"
#include "common/error.h"
#include "common/oci_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
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

static int exec_check_process(const char *file)
{
	struct oci_process p;
	char *buf = malloc(OCI_SPEC_SIZE_MAX + 1);
	size_t got = 0;
	int fd, ret = 0;

	if (!buf)
		return err_set(ENOMEM, "process");
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = err_set(errno, "open %s", file);
		free(buf);
		return ret;
	}
	while (got <= OCI_SPEC_SIZE_MAX) {
		ssize_t n = read(fd, buf + got, OCI_SPEC_SIZE_MAX + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = err_set(errno, "read %s", file);
			break;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	if (ret == 0) {
		ret = oci_process_parse("process.json", buf, got, &p);
		if (ret == 0)
			oci_process_free(&p);
	}
	free(buf);
	return ret;
}

int ozone_cmd_exec(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "exec",
	    .usage = "exec [command options] <container-id> <command> [command options]  || "
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
		     "(default: 0)\n"
		     "   --cgroup value                     run the process in an (existing) "
		     "sub-cgroup\n"
		     "   --ignore-paused                    allow exec in a paused container",
	    .shortopts = "e:tu:g:p:dc:",
	    .longopts = exec_opts,
	};
	const char *process = NULL, *console = NULL;
	bool tty = false, detach = false;
	int c, ret;

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
		else if ((ret = exec_check_flag(c, optarg)) < 0)
			return ozone_fail(ret);
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, process ? 1 : 2, process ? 1 : INT_MAX) < 0)
		return OZONE_EXIT_FAIL;
	if (process && (ret = exec_check_process(process)) < 0)
		return ozone_fail(ret);
	if (!process && tty && detach && !console)
		return ozone_failf("cannot allocate tty if ozone will detach without setting "
				   "console socket");
	if (!process && !tty && console)
		return ozone_failf("cannot use console socket if ozone will not detach or "
				   "allocate tty");
	return ozone_container_verb(g, "exec", argv[optind]);
}
