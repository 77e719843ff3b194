/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone events [--stats] [--interval D] ID`: needs the VM side, not built yet. */
#include "runtime/ozone.h"
#include "common/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_INTERVAL = 256, OPT_STATS };

static const struct option events_opts[] = {
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"stats", no_argument, NULL, OPT_STATS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A Go duration as runc takes it: a sequence of <number><unit>, units ns us µs ms s m h. */
static int events_duration(const char *s, double *seconds)
{
	/* Two-letter units first, so that "ms" is not read as "m". */
	static const struct {
		const char *unit;
		double scale;
	} units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3},
		     {"s", 1},	   {"m", 60},	 {"h", 3600}};
	const char *p = s;
	double total = 0;

	if (!strcmp(s, "0")) {
		*seconds = 0;
		return 0;
	}
	if (!*s)
		goto bad;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		size_t k;

		if (end == p || v < 0 || *p == '+' || *p == '-')
			goto bad;
		p = end;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (!strncmp(p, units[k].unit, strlen(units[k].unit)))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			goto bad;
		total += v * units[k].scale;
		p += strlen(units[k].unit);
	}
	*seconds = total;
	return 0;
bad:
	return err_setx(EINVAL, "invalid value \"%.64s\" for flag --interval: not a duration", s);
}

int ozone_cmd_events(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "events",
	    .usage = "events [command options] <container-id>\n\n"
		     "Displays container events and resource usage statistics.\n\n"
		     "OPTIONS:\n"
		     "   --interval value  set the stats collection interval (default: 5s)\n"
		     "   --stats           display the container's stats then exit",
	    .longopts = events_opts,
	};
	double interval = 5;
	int c, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c == OPT_INTERVAL) {
			if ((ret = events_duration(optarg, &interval)) < 0)
				return ozone_fail(ret);
		} else if (c != OPT_STATS) {
			return OZONE_EXIT_FAIL;
		}
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	if (interval <= 0)
		return ozone_failf("duration interval must be greater than 0");
	return ozone_container_verb(g, "events", argv[optind]);
}
