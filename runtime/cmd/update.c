/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone update [options] ID`: new resource limits, from --resources FILE
 * (or - for stdin, a linux.resources object) or from the individual flags.
 * Everything is validated, then the agent applies the object to the
 * container's cgroup in the guest. The VM's own size does not change.
 */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/json.h"
#include "common/oci_field.h"
#include "common/read_bounded.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UPDATE_SIZE_MAX (1u << 20)

enum {
	OPT_BLKIO = 256,
	OPT_CPU_PERIOD,
	OPT_CPU_QUOTA,
	OPT_CPU_SHARE,
	OPT_RT_PERIOD,
	OPT_RT_RUNTIME,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_MEMORY,
	OPT_MEMORY_RES,
	OPT_MEMORY_SWAP,
	OPT_KERNEL_MEM,
	OPT_KERNEL_TCP,
	OPT_PIDS,
	OPT_L3,
	OPT_MEMBW,
};

static const struct option update_opts[] = {
    {"resources", required_argument, NULL, 'r'},
    {"blkio-weight", required_argument, NULL, OPT_BLKIO},
    {"cpu-period", required_argument, NULL, OPT_CPU_PERIOD},
    {"cpu-quota", required_argument, NULL, OPT_CPU_QUOTA},
    {"cpu-share", required_argument, NULL, OPT_CPU_SHARE},
    {"cpu-rt-period", required_argument, NULL, OPT_RT_PERIOD},
    {"cpu-rt-runtime", required_argument, NULL, OPT_RT_RUNTIME},
    {"cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS},
    {"cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"memory-reservation", required_argument, NULL, OPT_MEMORY_RES},
    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
    {"kernel-memory", required_argument, NULL, OPT_KERNEL_MEM},
    {"kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_TCP},
    {"pids-limit", required_argument, NULL, OPT_PIDS},
    {"l3-cache-schema", required_argument, NULL, OPT_L3},
    {"mem-bw-schema", required_argument, NULL, OPT_MEMBW},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Reads the resources JSON (a file or stdin) and checks that it is one object; *text keeps it. */
static int update_read_resources(const char *file, char **text)
{
	_cleanup_free_ char *buf = malloc(UPDATE_SIZE_MAX + 1);
	size_t got = 0;
	yajl_val v = NULL;
	int fd, ret;

	if (!buf)
		return err_set(ENOMEM, "resources");
	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return err_set(errno, "open %s", file);
	ret = read_bounded(fd, buf, UPDATE_SIZE_MAX, &got);
	if (fd != STDIN_FILENO)
		close(fd);
	if (ret < 0)
		return err_set(-ret, "read %s", file);
	if (got > UPDATE_SIZE_MAX)
		return err_setx(EFBIG, "resources: more than %u bytes", UPDATE_SIZE_MAX);
	if (json_parse(buf, got, &v) < 0)
		ret = err_prefix(-EINVAL, "%s", "resources");
	else if (!YAJL_IS_OBJECT(v))
		ret = err_setx(EINVAL, "resources: must be a JSON object");
	yajl_tree_free(v);
	if (ret < 0)
		return ret;
	buf[got] = '\0';
	*text = take_ptr(&buf);
	return 0;
}

/* The individual flags, as given (already checked), by option. */
struct update_flags {
	const char *v[OPT_MEMBW + 1];
};

static void update_put(char *buf, size_t size, size_t *n, bool *first, const char *key,
		       const char *val, bool quote)
{
	if (!val)
		return;
	*n += snprintf(buf + *n, *n < size ? size - *n : 0, "%s\"%s\":%s%s%s", *first ? "" : ",",
		       key, quote ? "\"" : "", val, quote ? "\"" : "");
	*first = false;
}

/* A linux.resources object from the flags; the values are numbers or cpu lists, checked. */
static int update_from_flags(const struct update_flags *f, char **text)
{
	static const struct {
		const char *group, *key;
		int opt;
		bool quote;
	} map[] = {
	    {"memory", "limit", OPT_MEMORY, false},
	    {"memory", "reservation", OPT_MEMORY_RES, false},
	    {"memory", "swap", OPT_MEMORY_SWAP, false},
	    {"memory", "kernel", OPT_KERNEL_MEM, false},
	    {"memory", "kernelTCP", OPT_KERNEL_TCP, false},
	    {"cpu", "shares", OPT_CPU_SHARE, false},
	    {"cpu", "quota", OPT_CPU_QUOTA, false},
	    {"cpu", "period", OPT_CPU_PERIOD, false},
	    {"cpu", "realtimeRuntime", OPT_RT_RUNTIME, false},
	    {"cpu", "realtimePeriod", OPT_RT_PERIOD, false},
	    {"cpu", "cpus", OPT_CPUSET_CPUS, true},
	    {"cpu", "mems", OPT_CPUSET_MEMS, true},
	    {"pids", "limit", OPT_PIDS, false},
	    {"blockIO", "weight", OPT_BLKIO, false},
	};
	static const char *const groups[] = {"memory", "cpu", "pids", "blockIO"};
	size_t size = 1024, n = 0;
	bool first_group = true;
	char *buf;

	for (int i = 0; i <= OPT_MEMBW; i++)
		size += f->v[i] ? strlen(f->v[i]) + 32 : 0;
	buf = malloc(size);
	if (!buf)
		return err_set(ENOMEM, "resources");
	if (f->v[OPT_L3] || f->v[OPT_MEMBW]) {
		free(buf);
		return err_setx(EINVAL, "Intel RDT (--l3-cache-schema, --mem-bw-schema) is not "
					"available in a microVM");
	}
	n += snprintf(buf + n, size - n, "{");
	for (size_t gi = 0; gi < ARRAY_SIZE(groups); gi++) {
		bool first = true;
		size_t mark = n;

		n += snprintf(buf + n, size - n, "%s\"%s\":{", first_group ? "" : ",", groups[gi]);
		for (size_t i = 0; i < ARRAY_SIZE(map); i++)
			if (!strcmp(map[i].group, groups[gi]))
				update_put(buf, size, &n, &first, map[i].key, f->v[map[i].opt],
					   map[i].quote);
		if (first) {
			n = mark; /* no field of this group was given */
			buf[n] = '\0';
			continue;
		}
		n += snprintf(buf + n, size - n, "}");
		first_group = false;
	}
	n += snprintf(buf + n, size - n, "}");
	if (n >= size) {
		free(buf);
		return err_setx(E2BIG, "resources: too long");
	}
	*text = buf;
	return 0;
}

static int update_apply(const struct ozone_globals *g, const char *id, char *resources)
{
	struct proto_msg req = {.op = PROTO_OP_UPDATE};
	struct store_lock lk;
	struct oci_state st;
	struct agent_conn c;
	int ret = container_lock(g, id, &lk, &st);

	if (ret < 0)
		return ret;
	if (!strcmp(st.status, "stopped")) {
		ret = err_setx(EINVAL, "container with id %s is not running", id);
		goto out;
	}
	ret = container_agent(g, id, &c);
	if (ret < 0)
		goto out;
	snprintf(req.body.update.container_id, sizeof(req.body.update.container_id), "%s", id);
	req.body.update.resources_json = resources;
	ret = agent_call(&c, &req, NULL);
	agent_close(&c);
out:
	store_unlock(&lk);
	oci_state_free(&st);
	return ret;
}

static int update_flag(int c, const char *arg)
{
	const struct option *o = update_opts;
	long long n;

	while (o->name && o->val != c)
		o++;
	switch (c) {
	case OPT_BLKIO:
		return ozone_parse_long(o->name, arg, 0, 1000, &n);
	case OPT_CPU_QUOTA:
	case OPT_RT_RUNTIME:
	case OPT_MEMORY:
	case OPT_MEMORY_RES:
	case OPT_MEMORY_SWAP:
	case OPT_KERNEL_MEM:
	case OPT_KERNEL_TCP:
	case OPT_PIDS:
		return ozone_parse_long(o->name, arg, -1, INT64_MAX, &n);
	case OPT_CPU_PERIOD:
	case OPT_CPU_SHARE:
	case OPT_RT_PERIOD:
		return ozone_parse_long(o->name, arg, 0, INT64_MAX, &n);
	case OPT_CPUSET_CPUS:
	case OPT_CPUSET_MEMS:
		if (strspn(arg, "0123456789,-") != strlen(arg))
			return err_setx(EINVAL, "invalid value \"%.64s\" for flag --%s", arg,
					o->name);
		return 0;
	default:
		return 0;
	}
}

int ozone_cmd_update(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "update",
	    .usage = "update [command options] <container-id>\n\n"
		     "Updates the container's resource limits.\n\n"
		     "OPTIONS:\n"
		     "   --resources value, -r value  path to the file containing the resources to "
		     "update or '-' to read from the standard input\n"
		     "   --blkio-weight, --cpu-period, --cpu-quota, --cpu-share, --cpu-rt-period,\n"
		     "   --cpu-rt-runtime, --cpuset-cpus, --cpuset-mems, --memory,\n"
		     "   --memory-reservation, --memory-swap, --pids-limit, --l3-cache-schema,\n"
		     "   --mem-bw-schema value        the individual limits, as runc takes them",
	    .shortopts = "r:",
	    .longopts = update_opts,
	};
	const char *resources = NULL;
	struct update_flags f = {{NULL}};
	_cleanup_free_ char *text = NULL;
	int c, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c == '?')
			return OZONE_EXIT_FAIL;
		if (c == 'r')
			resources = optarg;
		else if ((ret = update_flag(c, optarg)) < 0)
			return ozone_fail(ret);
		else if (c > 0 && c <= OPT_MEMBW)
			f.v[c] = optarg;
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	ret = resources ? update_read_resources(resources, &text) : update_from_flags(&f, &text);
	if (ret < 0)
		return ozone_fail(ret);
	ozone_debug("update %s: resources %s", argv[optind], text);
	ret = update_apply(g, argv[optind], text);
	return ret < 0 ? ozone_fail(ret) : 0;
}
