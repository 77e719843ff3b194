/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A verb's options, parsed like runc's (urfave/cli on Go's flag package):
 * --name value, --name=value and -name value all work, short letters
 * too, and parsing stops at the first argument that is not an option.
 */
#include "runtime/lib/ozone.h"
#include "common/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ozone_args_usage(const struct ozone_args *a, FILE *f)
{
	fprintf(f, "usage: ozone %s\n", a->usage);
}

int ozone_args_next(struct ozone_args *a, int argc, char **argv)
{
	char shortopts[64];
	int c;

	snprintf(shortopts, sizeof(shortopts), "+:h%s", a->shortopts ? a->shortopts : "");
	opterr = 0;
	c = getopt_long_only(argc, argv, shortopts, a->longopts, NULL);
	switch (c) {
	case 'h':
		ozone_args_usage(a, stdout);
		a->help = true;
		return -1;
	case ':':
		ozone_failf("%s: flag needs an argument: %s", a->verb, argv[optind - 1]);
		return '?';
	case '?':
		if (optopt)
			ozone_failf("%s: flag provided but not defined: -%c", a->verb, optopt);
		else
			ozone_failf("%s: flag provided but not defined: %s", a->verb,
				    argv[optind - 1]);
		return '?';
	default:
		return c;
	}
}

int ozone_args_count(const struct ozone_args *a, int argc, char **argv, int min, int max)
{
	int n = argc - optind;

	(void)argv;
	if (n >= min && n <= max)
		return 0;
	if (min == max)
		ozone_failf("\"%s\" requires exactly %d argument(s)", a->verb, min);
	else if (n < min)
		ozone_failf("\"%s\" requires a minimum of %d argument(s)", a->verb, min);
	else
		ozone_failf("\"%s\" requires a maximum of %d argument(s)", a->verb, max);
	return -EINVAL;
}

int ozone_parse_long(const char *name, const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (!*s || *end || errno == ERANGE || n < min || n > max)
		return err_setx(
		    EINVAL,
		    "invalid value \"%.64s\" for flag --%s: want an integer in [%lld, %lld]", s,
		    name, min, max);
	*out = n;
	return 0;
}

static const struct option id_only_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_id_only_args(const char *verb, const char *usage, int argc, char **argv)
{
	struct ozone_args a = {.verb = verb, .usage = usage, .longopts = id_only_opts};

	if (ozone_args_next(&a, argc, argv) != -1)
		return OZONE_EXIT_FAIL;
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	return -1;
}

int ozone_unsupported(const char *verb, const char *usage, int argc, char **argv)
{
	/* --help still answers; every other flag of runc's is refused with the verb. */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			struct ozone_args a = {.verb = verb, .usage = usage};

			ozone_args_usage(&a, stdout);
			return 0;
		}
	}
	return ozone_failf("%s: not supported (containers run in microVMs)", verb);
}
