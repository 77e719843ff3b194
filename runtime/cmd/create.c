/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone create`: the options `create` and `run` share, their checks, and the verb. */
#include "runtime/cmd/create.h"
#include "runtime/lib/store.h"
#include "common/error.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPT_CONSOLE = 256, OPT_PIDFILE, OPT_NOPIVOT, OPT_NOKEYRING, OPT_FDS, OPT_KEEP, OPT_NOSUB };

static const struct option create_opts_table[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"console-socket", required_argument, NULL, OPT_CONSOLE},
    {"pid-file", required_argument, NULL, OPT_PIDFILE},
    {"no-pivot", no_argument, NULL, OPT_NOPIVOT},
    {"no-new-keyring", no_argument, NULL, OPT_NOKEYRING},
    {"preserve-fds", required_argument, NULL, OPT_FDS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct option run_opts_table[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"console-socket", required_argument, NULL, OPT_CONSOLE},
    {"detach", no_argument, NULL, 'd'},
    {"keep", no_argument, NULL, OPT_KEEP},
    {"pid-file", required_argument, NULL, OPT_PIDFILE},
    {"no-subreaper", no_argument, NULL, OPT_NOSUB},
    {"no-pivot", no_argument, NULL, OPT_NOPIVOT},
    {"no-new-keyring", no_argument, NULL, OPT_NOKEYRING},
    {"preserve-fds", required_argument, NULL, OPT_FDS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define CREATE_USAGE_OPTS                                                                          \
	"   --bundle value, -b value  path to the root of the bundle directory, defaults to the "  \
	"current directory\n"                                                                      \
	"   --console-socket value    path to an AF_UNIX socket which will receive a file "        \
	"descriptor referencing the master end of the console's pseudoterminal\n"                  \
	"   --pid-file value          specify the file to write the process id to\n"               \
	"   --no-pivot                accepted for compatibility (the guest always pivots)\n"      \
	"   --no-new-keyring          do not create a new session keyring for the container\n"     \
	"   --preserve-fds value      pass N additional file descriptors to the container "        \
	"(default: 0; at most 64, relayed: see docs/runtime.md)"

int create_parse(struct create_opts *o, bool run, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = run ? "run" : "create",
	    .usage =
		run ? "run [command options] <container-id>\n\n"
		      "Creates and runs a container from a bundle.\n\nOPTIONS:\n" CREATE_USAGE_OPTS
		      "\n   --detach, -d              detach from the container's process\n"
		      "   --keep                    do not delete the container after it exits\n"
		      "   --no-subreaper            disable the use of the subreaper"
		    : "create [command options] <container-id>\n\n"
		      "Creates a container from a bundle.\n\nOPTIONS:\n" CREATE_USAGE_OPTS,
	    .shortopts = run ? "b:d" : "b:",
	    .longopts = run ? run_opts_table : create_opts_table,
	};
	int c, ret;

	memset(o, 0, sizeof(*o));
	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_PIDFILE:
			o->pid_file = optarg;
			break;
		case OPT_NOPIVOT:
			o->no_pivot = true;
			break;
		case OPT_NOKEYRING:
			o->no_new_keyring = true;
			break;
		case OPT_FDS:
			ret =
			    ozone_parse_long("preserve-fds", optarg, 0, 1 << 20, &o->preserve_fds);
			if (ret < 0)
				return ozone_fail(ret);
			break;
		case 'd':
			o->detach = true;
			break;
		case OPT_KEEP:
			o->keep = true;
			break;
		case OPT_NOSUB:
			o->no_subreaper = true;
			break;
		default:
			return OZONE_EXIT_FAIL;
		}
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	return -1;
}

int create_validate(const struct ozone_globals *g, const struct create_opts *o, const char *id,
		    struct bundle *b)
{
	char path[PATH_MAX];
	struct stat st;
	int ret = store_path(g, id, path, sizeof(path));

	if (ret < 0)
		return ret;
	if (lstat(path, &st) == 0)
		return err_setx(EEXIST, "container with id exists: %s", id);
	ret = bundle_load(o->bundle, b);
	if (ret < 0)
		return ret;
	/* runc's rules: a terminal needs somewhere to send it, and only a terminal does. */
	if (b->spec.process.terminal && !o->console_socket && o->detach) {
		ret = err_setx(EINVAL, "cannot allocate tty if ozone will detach without setting "
				       "console socket");
		goto fail;
	}
	if (!b->spec.process.terminal && o->console_socket) {
		ret = err_setx(EINVAL, "cannot use console socket if ozone will not detach or "
				       "allocate tty");
		goto fail;
	}
	if (o->pid_file) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", o->pid_file);
		if (access(dirname(dir), W_OK) < 0) {
			ret = err_set(errno, "pid file %s", o->pid_file);
			goto fail;
		}
	}
	return 0;

fail:
	bundle_free(b);
	return ret;
}

int ozone_cmd_create(struct ozone_globals *g, int argc, char **argv)
{
	struct create_opts o;
	struct bundle b;
	int ret = create_parse(&o, false, argc, argv);

	if (ret >= 0)
		return ret;
	/* create always detaches: a terminal must go to --console-socket. */
	o.detach = true;
	ret = create_validate(g, &o, argv[optind], &b);
	if (ret < 0)
		return ozone_fail(ret);
	ozone_debug("create %s: bundle %s, rootfs %s", argv[optind], b.path, b.rootfs);
	ret = create_container(g, &o, argv[optind], &b, CREATE_ONLY);
	bundle_free(&b);
	return ret;
}
