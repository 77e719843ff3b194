/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone: the runc-compatible command line. Parses runc's global options
 * and hands the rest to one verb; each verb lives in its own file.
 */
#include "runtime/cmd/verbs.h"
#include "common/error.h"
#include "common/util.h"
#include "common/version.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

static const struct ozone_verb ozone_verbs[] = {
    {"checkpoint", ozone_cmd_checkpoint, "checkpoint a running container (not supported)"},
    {"create", ozone_cmd_create, "create a container"},
    {"delete", ozone_cmd_delete, "delete any resources held by the container"},
    {"events", ozone_cmd_events, "display container events and resource usage statistics"},
    {"exec", ozone_cmd_exec, "execute new process inside the container"},
    {"features", ozone_cmd_features, "show the enabled features"},
    {"kill", ozone_cmd_kill, "send a signal (default: SIGTERM) to the container's init process"},
    {"list", ozone_cmd_list, "lists containers started by ozone with the given root"},
    {"pause", ozone_cmd_pause, "pause suspends all processes inside the container"},
    {"ps", ozone_cmd_ps, "ps displays the processes running inside a container"},
    {"restore", ozone_cmd_restore, "restore a container from a checkpoint (not supported)"},
    {"resume", ozone_cmd_resume, "resumes all processes that have been previously paused"},
    {"run", ozone_cmd_run, "create and run a container"},
    {"spec", ozone_cmd_spec, "create a new specification file"},
    {"start", ozone_cmd_start, "executes the user defined process in a created container"},
    {"state", ozone_cmd_state, "output the state of a container"},
    {"update", ozone_cmd_update, "update container resource constraints"},
};

static void ozone_version(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("ozone version %s\nspec: %s\n", OZONE_VERSION, OZONE_OCI_VERSION);
	if (v)
		printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void ozone_usage(FILE *f)
{
	fprintf(f,
		"NAME:\n   ozone - OCI runtime that runs each container in its own KVM microVM\n\n"
		"USAGE:\n   ozone [global options] command [command options] [arguments...]\n\n"
		"VERSION:\n   %s\n\nCOMMANDS:\n",
		OZONE_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(ozone_verbs); i++)
		fprintf(f, "   %-11s %s\n", ozone_verbs[i].name, ozone_verbs[i].summary);
	fprintf(f,
		"   help, h     Shows a list of commands or help for one command\n\n"
		"GLOBAL OPTIONS:\n"
		"   --debug             enable debug logging\n"
		"   --log value         set the log file to write ozone logs to (default is "
		"'/dev/stderr')\n"
		"   --log-format value  set the log format ('text' (default), or 'json')\n"
		"   --root value        root directory for storage of container state (default: "
		"\"" OZONE_ROOT_DEFAULT "\")\n"
		"   --criu value        accepted for compatibility; checkpoint is not supported\n"
		"   --systemd-cgroup    expect cgroupsPath of the form \"slice:prefix:name\"\n"
		"   --rootless value    ignore cgroup permission errors ('true', 'false', or "
		"'auto') (default: \"auto\")\n"
		"   --help, -h          show help\n"
		"   --version, -v       print the version\n");
}

static const struct ozone_verb *ozone_verb_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ozone_verbs); i++)
		if (!strcmp(ozone_verbs[i].name, name))
			return &ozone_verbs[i];
	return NULL;
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_ROOTLESS, OPT_CRIU };

static const struct option ozone_global_opts[] = {
    {"root", required_argument, NULL, OPT_ROOT},
    {"log", required_argument, NULL, OPT_LOG},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
    {"rootless", required_argument, NULL, OPT_ROOTLESS},
    {"criu", required_argument, NULL, OPT_CRIU},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'v'},
    {NULL, 0, NULL, 0},
};

/* Returns -1 to go on to the verb, or the exit status. */
static int ozone_globals_parse(struct ozone_globals *g, int argc, char **argv)
{
	int c;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+:hv", ozone_global_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			g->root = optarg;
			break;
		case OPT_LOG:
			g->log = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return ozone_failf("invalid log-format: %.64s", optarg);
			g->log_json = !strcmp(optarg, "json");
			break;
		case OPT_DEBUG:
			g->debug = true;
			break;
		case OPT_SYSTEMD:
			g->systemd_cgroup = true;
			break;
		case OPT_ROOTLESS:
			if (strcmp(optarg, "true") && strcmp(optarg, "false") &&
			    strcmp(optarg, "auto"))
				return ozone_failf("invalid value for --rootless: %.64s "
						   "(want true, false or auto)",
						   optarg);
			g->rootless = optarg;
			break;
		case OPT_CRIU:
			break;
		case 'h':
			ozone_usage(stdout);
			return 0;
		case 'v':
			ozone_version();
			return 0;
		case ':':
			return ozone_failf("flag needs an argument: %s", argv[optind - 1]);
		default:
			if (optopt)
				return ozone_failf("flag provided but not defined: -%c", optopt);
			return ozone_failf("flag provided but not defined: %s", argv[optind - 1]);
		}
	}
	if (!*g->root)
		return ozone_failf("--root must not be empty");
	return -1;
}

int main(int argc, char **argv)
{
	struct ozone_globals g = {.root = OZONE_ROOT_DEFAULT, .rootless = "auto"};
	const struct ozone_verb *verb;
	int ret;

	ret = ozone_globals_parse(&g, argc, argv);
	if (ret >= 0)
		return ret;
	if (ozone_log_open(&g) < 0)
		return ozone_fail(-errno);
	if (optind >= argc) {
		ozone_usage(stdout);
		return 0;
	}
	argc -= optind;
	argv += optind;
	/* The verb parses its own options from argv[0] on: glibc's getopt starts afresh. */
	optind = 0;
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "h")) {
		if (argc < 2) {
			ozone_usage(stdout);
			return 0;
		}
		verb = ozone_verb_find(argv[1]);
		if (!verb)
			return ozone_failf("no help topic for '%.64s'", argv[1]);
		char *help_argv[] = {argv[1], "--help", NULL};
		return verb->run(&g, 2, help_argv);
	}
	verb = ozone_verb_find(argv[0]);
	if (!verb)
		return ozone_failf("%.64s: unknown command", argv[0]);
	ozone_debug("%s: root %s", verb->name, g.root);
	ret = verb->run(&g, argc, argv);
	ozone_log_close();
	return ret;
}
