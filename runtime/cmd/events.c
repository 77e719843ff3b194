/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone events [--stats] [--interval D] ID`: the container's cgroup
 * counters from the agent, as runc's "stats" events (one JSON object per
 * line), every interval until the container stops; with --stats, once.
 * OOM kills the agent reports come out as runc's "oom" events.
 */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"
#include "common/error.h"
#include "common/json.h"
#include "common/util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
		for (k = 0; k < ARRAY_SIZE(units); k++)
			if (!strncmp(p, units[k].unit, strlen(units[k].unit)))
				break;
		if (k == ARRAY_SIZE(units))
			goto bad;
		total += v * units[k].scale;
		p += strlen(units[k].unit);
	}
	*seconds = total;
	return 0;
bad:
	return err_setx(EINVAL, "invalid value \"%.64s\" for flag --interval: not a duration", s);
}

static void events_print(struct json_out *o)
{
	char *text;
	size_t len;

	if (json_out_finish(o, &text, &len) == 0) {
		printf("%s\n", text);
		fflush(stdout);
		free(text);
	}
}

static void events_limit(struct json_out *o, const char *key, uint64_t v)
{
	if (v != PROTO_UNLIMITED)
		json_out_ku64(o, key, v);
}

static void events_blkio(struct json_out *o, const char *op, uint64_t v)
{
	json_out_map_open(o);
	json_out_ku64(o, "major", 0);
	json_out_ku64(o, "minor", 0);
	json_out_kstr(o, "op", op);
	json_out_ku64(o, "value", v);
	json_out_map_close(o);
}

/* runc's stats event: {"type":"stats","id":ID,"data":{cpu, memory, pids, blkio}}. */
static void events_stats(const char *id, const struct proto_stats *s)
{
	struct json_out o;

	if (json_out_init(&o) < 0)
		return;
	json_out_map_open(&o);
	json_out_kstr(&o, "type", "stats");
	json_out_kstr(&o, "id", id);
	json_out_str(&o, "data");
	json_out_map_open(&o);
	json_out_str(&o, "cpu");
	json_out_map_open(&o);
	json_out_str(&o, "usage");
	json_out_map_open(&o);
	json_out_ku64(&o, "total", s->cpu_usage_ns);
	json_out_map_close(&o);
	json_out_map_close(&o);
	json_out_str(&o, "memory");
	json_out_map_open(&o);
	json_out_str(&o, "usage");
	json_out_map_open(&o);
	json_out_ku64(&o, "usage", s->memory_usage);
	events_limit(&o, "limit", s->memory_limit);
	json_out_map_close(&o);
	json_out_map_close(&o);
	json_out_str(&o, "pids");
	json_out_map_open(&o);
	json_out_ku64(&o, "current", s->pids_current);
	events_limit(&o, "limit", s->pids_limit);
	json_out_map_close(&o);
	json_out_str(&o, "blkio");
	json_out_map_open(&o);
	json_out_str(&o, "ioServiceBytesRecursive");
	json_out_array_open(&o);
	events_blkio(&o, "Read", s->io_read_bytes);
	events_blkio(&o, "Write", s->io_write_bytes);
	json_out_array_close(&o);
	json_out_map_close(&o);
	json_out_map_close(&o);
	json_out_map_close(&o);
	events_print(&o);
}

static void events_on_event(const struct proto_msg *ev, void *arg)
{
	const char *id = arg;
	struct json_out o;

	if (ev->event != PROTO_EVENT_OOM || strcmp(ev->body.container.container_id, id))
		return;
	if (json_out_init(&o) < 0)
		return;
	json_out_map_open(&o);
	json_out_kstr(&o, "type", "oom");
	json_out_kstr(&o, "id", id);
	json_out_map_close(&o);
	events_print(&o);
}

static bool events_running(const struct ozone_globals *g, const char *id)
{
	struct oci_state st;
	bool live;

	if (store_read(g, id, &st) < 0)
		return false;
	live = strcmp(st.status, "stopped") != 0;
	oci_state_free(&st);
	return live;
}

static int events_run(const struct ozone_globals *g, const char *id, bool once, double interval)
{
	struct proto_msg req = {.op = PROTO_OP_STATS}, reply;
	struct agent_conn c;
	int ret;

	if (!events_running(g, id)) {
		struct oci_state st;

		ret = store_read(g, id, &st);
		if (ret < 0)
			return ret;
		oci_state_free(&st);
		return err_setx(EINVAL, "container with id %s is not running", id);
	}
	ret = container_agent(g, id, &c);
	if (ret < 0)
		return ret;
	c.on_event = events_on_event;
	c.on_event_arg = (void *)id;
	for (;;) {
		snprintf(req.body.container.container_id, sizeof(req.body.container.container_id),
			 "%s", id);
		ret = agent_call(&c, &req, &reply);
		if (ret < 0)
			break;
		events_stats(id, &reply.body.stats);
		proto_msg_free(&reply);
		if (once)
			break;
		/* Until the next tick, events the agent sends are printed as they come. */
		long long t0 = now_ms();
		int left = (int)(interval * 1000);

		while (left > 0) {
			struct pollfd p = {.fd = c.fd, .events = POLLIN};
			struct proto_msg m;

			if (poll(&p, 1, left) > 0) {
				/* Once a frame begins, it must end in time: a stall is an error. */
				ret = agent_recv(&c, &m);
				if (ret < 0)
					goto out;
				if (m.kind == 0) {
					ret = err_setx(ECONNRESET, "agent: connection closed");
					goto out;
				}
				if (m.kind == PROTO_EVENT)
					events_on_event(&m, (void *)id);
				proto_msg_free(&m);
			}
			left = (int)(interval * 1000) - (int)(now_ms() - t0);
		}
		if (!events_running(g, id))
			break;
	}
out:
	agent_close(&c);
	return ret;
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
	bool stats = false;
	int c, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c == OPT_INTERVAL) {
			if ((ret = events_duration(optarg, &interval)) < 0)
				return ozone_fail(ret);
		} else if (c == OPT_STATS) {
			stats = true;
		} else {
			return OZONE_EXIT_FAIL;
		}
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	if (interval <= 0)
		return ozone_failf("duration interval must be greater than 0");
	ret = events_run(g, argv[optind], stats, interval);
	return ret < 0 ? ozone_fail(ret) : 0;
}
