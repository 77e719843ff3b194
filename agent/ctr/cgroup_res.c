/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources to cgroup v2 files (see cgroup_res.h). Fields cgroup v2
 * has no file for are handled as runc does on a v2 host: memory.kernel,
 * kernelTCP, swappiness, disableOOMKiller, blockIO.leafWeight and network
 * are ignored; a realtime CPU budget is refused. linux.resources.devices
 * is not turned into a BPF device filter: the guest holds only the devices
 * of its VM, and the container's /dev only those the spec lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_res.h"
#include "common/error.h"
#include "common/json.h"
#include "common/util.h"

uint64_t cg_cpu_weight_from_shares(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_io_weight_from_blkio(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

int cg_swap_max(int64_t swap, int64_t limit, int64_t *out, int *skip)
{
	*skip = 0;
	/* An unlimited memory with swap unset means both unlimited (v1 compatibility). */
	if (limit == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == 0) {
		*skip = 1;
		return 0;
	}
	if (swap == -1) {
		*out = -1;
		return 0;
	}
	if (limit == 0 || limit == -1)
		return err_setx(EINVAL, "linux.resources.memory.swap: needs a memory limit");
	if (swap < limit)
		return err_setx(EINVAL, "linux.resources.memory.swap: must be at least the "
					"memory limit (it counts memory + swap)");
	*out = swap - limit;
	return 0;
}

static int cg_add(struct cg_writes *w, const char *file, const char *alt_file,
		  const char *alt_value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int cg_add(struct cg_writes *w, const char *file, const char *alt_file,
		  const char *alt_value, const char *fmt, ...)
{
	struct cg_write *e;
	va_list ap;
	int n;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct cg_write *nw = realloc(w->w, cap * sizeof(*nw));

		if (!nw)
			return err_set(ENOMEM, "linux.resources");
		w->w = nw;
		w->cap = cap;
	}
	e = &w->w[w->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->file, sizeof(e->file), "%s", file);
	if (alt_file)
		snprintf(e->alt_file, sizeof(e->alt_file), "%s", alt_file);
	va_start(ap, fmt);
	n = vasprintf(&e->value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(ENOMEM, "linux.resources");
	if (alt_value && !(e->alt_value = strdup(alt_value))) {
		free(e->value);
		return err_set(ENOMEM, "linux.resources");
	}
	w->n++;
	return 0;
}

/* A signed integer field; 1 if absent or null. */
static int cg_get_i64(yajl_val obj, const char *where, const char *key, int64_t *out)
{
	yajl_val v = NULL;
	int ret = json_get(obj, key, false, &v);

	if (ret != 0)
		return ret < 0 ? err_setx(EINVAL, "linux.resources.%s.%s: given twice", where, key)
			       : 1;
	if (YAJL_IS_NULL(v))
		return 1;
	if (!YAJL_IS_INTEGER(v))
		return err_setx(EINVAL, "linux.resources.%s.%s: must be an integer", where, key);
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static int cg_get_u64(yajl_val obj, const char *where, const char *key, uint64_t *out)
{
	int64_t v = 0;
	int ret = cg_get_i64(obj, where, key, &v);

	if (ret != 0)
		return ret;
	if (v < 0)
		return err_setx(EINVAL, "linux.resources.%s.%s: must not be negative", where, key);
	*out = (uint64_t)v;
	return 0;
}

static int cg_get_obj(yajl_val obj, const char *key, yajl_val *out)
{
	yajl_val v = NULL;
	int ret = json_get(obj, key, false, &v);

	if (ret < 0)
		return err_setx(EINVAL, "linux.resources.%s: given twice", key);
	if (ret == 1 || YAJL_IS_NULL(v))
		return 1;
	if (!YAJL_IS_OBJECT(v))
		return err_setx(EINVAL, "linux.resources.%s: must be an object", key);
	*out = v;
	return 0;
}

static int cg_get_str(yajl_val obj, const char *where, const char *key, const char **out)
{
	yajl_val v = NULL;
	int ret = json_get(obj, key, false, &v);

	if (ret < 0)
		return err_setx(EINVAL, "linux.resources.%s.%s: given twice", where, key);
	if (ret == 1 || YAJL_IS_NULL(v))
		return 1;
	if (!YAJL_IS_STRING(v))
		return err_setx(EINVAL, "linux.resources.%s.%s: must be a string", where, key);
	*out = YAJL_GET_STRING(v);
	if (strlen(*out) > 1024 || strchr(*out, '\n'))
		return err_setx(EINVAL, "linux.resources.%s.%s: not a valid value", where, key);
	return 0;
}

static int cg_memory(yajl_val mem, struct cg_writes *w)
{
	int64_t limit = 0, swap = 0, resv = 0, out = 0;
	int skip, ret;

	if ((ret = cg_get_i64(mem, "memory", "limit", &limit)) < 0 ||
	    (ret = cg_get_i64(mem, "memory", "swap", &swap)) < 0 ||
	    (ret = cg_get_i64(mem, "memory", "reservation", &resv)) < 0)
		return ret;
	if (limit < -1 || swap < -1 || resv < -1)
		return err_setx(EINVAL, "linux.resources.memory: limits are -1 or positive");
	if ((ret = cg_swap_max(swap, limit, &out, &skip)) < 0)
		return ret;
	/* Swap first: memory.swap.max does not depend on memory.max, the reverse check would. */
	if (!skip) {
		ret = out < 0 ? cg_add(w, "memory.swap.max", NULL, NULL, "max")
			      : cg_add(w, "memory.swap.max", NULL, NULL, "%" PRId64, out);
		if (ret < 0)
			return ret;
		/* Without swap accounting, "no limit" and "no swap" hold anyway (runc's rule). */
		w->w[w->n - 1].optional = out <= 0;
	}
	if (limit && (ret = limit < 0 ? cg_add(w, "memory.max", NULL, NULL, "max")
				      : cg_add(w, "memory.max", NULL, NULL, "%" PRId64, limit)) < 0)
		return ret;
	if (resv && (ret = resv < 0 ? cg_add(w, "memory.low", NULL, NULL, "max")
				    : cg_add(w, "memory.low", NULL, NULL, "%" PRId64, resv)) < 0)
		return ret;
	return 0;
}

static int cg_cpu(yajl_val cpu, struct cg_writes *w)
{
	uint64_t shares = 0, period = 0, burst = 0, rt_period = 0;
	int64_t quota = 0, rt_runtime = 0, idle = 0;
	const char *s;
	int has_burst, has_idle, ret;

	if ((ret = cg_get_u64(cpu, "cpu", "shares", &shares)) < 0 ||
	    (ret = cg_get_i64(cpu, "cpu", "quota", &quota)) < 0 ||
	    (ret = cg_get_u64(cpu, "cpu", "period", &period)) < 0 ||
	    (ret = cg_get_i64(cpu, "cpu", "realtimeRuntime", &rt_runtime)) < 0 ||
	    (ret = cg_get_u64(cpu, "cpu", "realtimePeriod", &rt_period)) < 0)
		return ret;
	if ((has_burst = cg_get_u64(cpu, "cpu", "burst", &burst)) < 0)
		return has_burst;
	if ((has_idle = cg_get_i64(cpu, "cpu", "idle", &idle)) < 0)
		return has_idle;
	if (rt_runtime || rt_period)
		return err_setx(EINVAL,
				"linux.resources.cpu: cgroup v2 has no realtime CPU budget");
	if ((ret = cg_get_str(cpu, "cpu", "cpus", &s)) < 0)
		return ret;
	if (ret == 0 && *s && (ret = cg_add(w, "cpuset.cpus", NULL, NULL, "%s", s)) < 0)
		return ret;
	if ((ret = cg_get_str(cpu, "cpu", "mems", &s)) < 0)
		return ret;
	if (ret == 0 && *s && (ret = cg_add(w, "cpuset.mems", NULL, NULL, "%s", s)) < 0)
		return ret;
	if (shares && (ret = cg_add(w, "cpu.weight", NULL, NULL, "%" PRIu64,
				    cg_cpu_weight_from_shares(shares))) < 0)
		return ret;
	if (quota < -1)
		return err_setx(EINVAL, "linux.resources.cpu.quota: -1 or positive");
	if (quota || period) {
		char max[48];

		if (quota > 0)
			snprintf(max, sizeof(max), "%" PRId64, quota);
		else
			snprintf(max, sizeof(max), "max");
		if (period)
			snprintf(max + strlen(max), sizeof(max) - strlen(max), " %" PRIu64, period);
		if ((ret = cg_add(w, "cpu.max", NULL, NULL, "%s", max)) < 0)
			return ret;
	}
	if (has_burst == 0 && (ret = cg_add(w, "cpu.max.burst", NULL, NULL, "%" PRIu64, burst)) < 0)
		return ret;
	if (has_idle == 0 && (ret = cg_add(w, "cpu.idle", NULL, NULL, "%" PRId64, idle)) < 0)
		return ret;
	return 0;
}

static int cg_device_key(yajl_val d, const char *where, char *key, size_t len)
{
	uint64_t major = 0, minor = 0;
	int ret;

	if (!YAJL_IS_OBJECT(d))
		return err_setx(EINVAL, "linux.resources.%s: must hold objects", where);
	if ((ret = cg_get_u64(d, where, "major", &major)) != 0 ||
	    (ret = cg_get_u64(d, where, "minor", &minor)) != 0)
		return ret < 0
			   ? ret
			   : err_setx(EINVAL, "linux.resources.%s: major and minor needed", where);
	if (major > 4095 || minor > 1048575)
		return err_setx(EINVAL, "linux.resources.%s: no such device number", where);
	snprintf(key, len, "%" PRIu64 ":%" PRIu64, major, minor);
	return 0;
}

static const struct {
	const char *key, *name;
} cg_throttles[] = {
    {"throttleReadBpsDevice", "rbps"},
    {"throttleWriteBpsDevice", "wbps"},
    {"throttleReadIOPSDevice", "riops"},
    {"throttleWriteIOPSDevice", "wiops"},
};

static int cg_io(yajl_val io, struct cg_writes *w)
{
	uint64_t weight = 0;
	yajl_val arr = NULL;
	char key[32], alt[64];
	int ret;

	if ((ret = cg_get_u64(io, "blockIO", "weight", &weight)) < 0)
		return ret;
	if (weight) {
		snprintf(alt, sizeof(alt), "%" PRIu64, cg_io_weight_from_blkio(weight));
		if ((ret = cg_add(w, "io.bfq.weight", "io.weight", alt, "%" PRIu64, weight)) < 0)
			return ret;
	}
	if (json_get(io, "weightDevice", false, &arr) == 0 && !YAJL_IS_NULL(arr)) {
		if (!YAJL_IS_ARRAY(arr))
			return err_setx(EINVAL, "linux.resources.blockIO.weightDevice: an array");
		for (size_t i = 0; i < arr->u.array.len; i++) {
			yajl_val d = arr->u.array.values[i];

			if ((ret = cg_device_key(d, "blockIO.weightDevice", key, sizeof(key))) < 0)
				return ret;
			if ((ret = cg_get_u64(d, "blockIO.weightDevice", "weight", &weight)) < 0)
				return ret;
			if (ret == 1)
				continue;
			snprintf(alt, sizeof(alt), "%s %" PRIu64, key,
				 cg_io_weight_from_blkio(weight));
			if ((ret = cg_add(w, "io.bfq.weight", "io.weight", alt, "%s %" PRIu64, key,
					  weight)) < 0)
				return ret;
		}
	}
	for (size_t t = 0; t < ARRAY_SIZE(cg_throttles); t++) {
		char where[64];

		arr = NULL;
		if (json_get(io, cg_throttles[t].key, false, &arr) != 0 || YAJL_IS_NULL(arr))
			continue;
		snprintf(where, sizeof(where), "blockIO.%s", cg_throttles[t].key);
		if (!YAJL_IS_ARRAY(arr))
			return err_setx(EINVAL, "linux.resources.%s: must be an array", where);
		for (size_t i = 0; i < arr->u.array.len; i++) {
			yajl_val d = arr->u.array.values[i];
			uint64_t rate = 0;

			if ((ret = cg_device_key(d, where, key, sizeof(key))) < 0 ||
			    (ret = cg_get_u64(d, where, "rate", &rate)) < 0)
				return ret;
			ret = rate ? cg_add(w, "io.max", NULL, NULL, "%s %s=%" PRIu64, key,
					    cg_throttles[t].name, rate)
				   : cg_add(w, "io.max", NULL, NULL, "%s %s=max", key,
					    cg_throttles[t].name);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static bool cg_word(const char *s, const char *extra)
{
	if (!*s || strlen(s) > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

static int cg_hugetlb(yajl_val arr, struct cg_writes *w)
{
	if (!YAJL_IS_ARRAY(arr))
		return err_setx(EINVAL, "linux.resources.hugepageLimits: must be an array");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val h = arr->u.array.values[i];
		const char *size = NULL;
		uint64_t limit = 0;
		char file[64];
		int ret;

		if (!YAJL_IS_OBJECT(h))
			return err_setx(EINVAL,
					"linux.resources.hugepageLimits: must hold objects");
		if ((ret = cg_get_str(h, "hugepageLimits", "pageSize", &size)) != 0 ||
		    (ret = cg_get_u64(h, "hugepageLimits", "limit", &limit)) != 0)
			return ret < 0 ? ret
				       : err_setx(EINVAL, "linux.resources.hugepageLimits: "
							  "pageSize and limit needed");
		if (!cg_word(size, ""))
			return err_setx(EINVAL, "linux.resources.hugepageLimits: bad pageSize");
		snprintf(file, sizeof(file), "hugetlb.%s.max", size);
		if ((ret = cg_add(w, file, NULL, NULL, "%" PRIu64, limit)) < 0)
			return ret;
	}
	return 0;
}

static int cg_rdma(yajl_val obj, struct cg_writes *w)
{
	for (size_t i = 0; i < obj->u.object.len; i++) {
		const char *dev = obj->u.object.keys[i];
		yajl_val v = obj->u.object.values[i];
		uint64_t handles = 0, objects = 0;
		int hh, ho, ret;
		char h[32] = "max", o[32] = "max";

		if (!cg_word(dev, "_-.") || !YAJL_IS_OBJECT(v))
			return err_setx(EINVAL, "linux.resources.rdma: bad device '%.32s'", dev);
		if ((hh = cg_get_u64(v, "rdma", "hcaHandles", &handles)) < 0)
			return hh;
		if ((ho = cg_get_u64(v, "rdma", "hcaObjects", &objects)) < 0)
			return ho;
		if (hh == 0)
			snprintf(h, sizeof(h), "%" PRIu64, handles);
		if (ho == 0)
			snprintf(o, sizeof(o), "%" PRIu64, objects);
		if ((ret = cg_add(w, "rdma.max", NULL, NULL, "%s hca_handle=%s hca_object=%s", dev,
				  h, o)) < 0)
			return ret;
	}
	return 0;
}

static int cg_unified(yajl_val obj, struct cg_writes *w)
{
	for (size_t i = 0; i < obj->u.object.len; i++) {
		const char *k = obj->u.object.keys[i];
		yajl_val v = obj->u.object.values[i];
		int ret;

		if (!*k || strchr(k, '/') || strstr(k, "..") || strlen(k) >= 64 || *k == '.')
			return err_setx(EINVAL,
					"linux.resources.unified: '%.64s' is not a cgroup "
					"file name",
					k);
		if (!YAJL_IS_STRING(v))
			return err_setx(EINVAL, "linux.resources.unified.%s: must be a string", k);
		if ((ret = cg_add(w, k, NULL, NULL, "%s", YAJL_GET_STRING(v))) < 0)
			return ret;
	}
	return 0;
}

int cg_resources_translate(const char *json, struct cg_writes *out)
{
	yajl_val root = NULL, v = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!json)
		return 0;
	ret = json_parse(json, strlen(json), &root);
	if (ret < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		return err_setx(EINVAL, "linux.resources: %s", msg);
	}
	if (!YAJL_IS_OBJECT(root)) {
		ret = err_setx(EINVAL, "linux.resources: must be an object");
		goto out;
	}
	/* cpuset first: runc's order, and the cpu files do not depend on it. */
	if ((ret = cg_get_obj(root, "cpu", &v)) < 0 || (ret == 0 && (ret = cg_cpu(v, out)) < 0))
		goto out;
	if ((ret = cg_get_obj(root, "memory", &v)) < 0 ||
	    (ret = ret == 0 ? cg_memory(v, out) : 0) < 0)
		goto out;
	if ((ret = cg_get_obj(root, "pids", &v)) < 0)
		goto out;
	if (ret == 0) {
		int64_t limit = 0;

		if ((ret = cg_get_i64(v, "pids", "limit", &limit)) < 0)
			goto out;
		if (ret == 0 && limit != 0 &&
		    (ret = limit > 0 ? cg_add(out, "pids.max", NULL, NULL, "%" PRId64, limit)
				     : cg_add(out, "pids.max", NULL, NULL, "max")) < 0)
			goto out;
	}
	if ((ret = cg_get_obj(root, "blockIO", &v)) < 0 || (ret = ret == 0 ? cg_io(v, out) : 0) < 0)
		goto out;
	v = NULL;
	if ((ret = json_get(root, "hugepageLimits", false, &v)) < 0)
		goto out;
	if (ret == 0 && !YAJL_IS_NULL(v) && (ret = cg_hugetlb(v, out)) < 0)
		goto out;
	if ((ret = cg_get_obj(root, "rdma", &v)) < 0 || (ret = ret == 0 ? cg_rdma(v, out) : 0) < 0)
		goto out;
	if ((ret = cg_get_obj(root, "unified", &v)) < 0 ||
	    (ret = ret == 0 ? cg_unified(v, out) : 0) < 0)
		goto out;
	ret = 0;
out:
	yajl_tree_free(root);
	if (ret < 0)
		cg_writes_free(out);
	return ret;
}

void cg_writes_free(struct cg_writes *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->w[i].value);
		free(w->w[i].alt_value);
	}
	free(w->w);
	memset(w, 0, sizeof(*w));
}

static int cg_write_file(const char *dir, const char *file, const char *value)
{
	char path[4200];
	size_t len = strlen(value);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

int cg_writes_apply(const char *dir, const struct cg_writes *w)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct cg_write *e = &w->w[i];
		const char *file = e->file, *value = e->value;
		int ret;

		errno = 0;
		ret = cg_write_file(dir, file, value);
		if (ret == -ENOENT && e->alt_file[0]) {
			file = e->alt_file;
			value = e->alt_value;
			ret = cg_write_file(dir, file, value);
		}
		if (ret == -ENOENT && e->optional)
			continue;
		if (ret == -ENOENT)
			return err_setx(ENOENT, "cgroup %s: no %s (controller not available)", dir,
					file);
		if (ret < 0)
			return err_set(-ret, "cgroup %s: write %.64s to %s", dir, value, file);
	}
	return 0;
}
