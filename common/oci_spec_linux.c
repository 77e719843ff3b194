/* SPDX-License-Identifier: Apache-2.0 */
/* config.json's "linux" object. */
#include "common/util.h"
#include "common/oci_spec.h"
#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const oci_ns_types[] = {"pid", "network", "mount",  "ipc",
					   "uts", "user",    "cgroup", "time"};

static int oci_parse_namespaces(const struct oci_where *parent, yajl_val arr, struct oci_linux *lx)
{
	char path[64];
	size_t n;

	if (!YAJL_IS_ARRAY(arr))
		return oci_bad(parent, "namespaces", "must be an array of objects");
	n = arr->u.array.len;
	lx->namespaces = calloc(n ? n : 1, sizeof(*lx->namespaces));
	if (!lx->namespaces)
		return err_set(ENOMEM, "config.json");
	for (size_t i = 0; i < n; i++) {
		struct oci_namespace *ns = &lx->namespaces[i];
		struct oci_where w = {parent->file, path};
		yajl_val o = arr->u.array.values[i];
		bool known = false;
		int ret;

		snprintf(path, sizeof(path), "%s.namespaces[%zu]", parent->path, i);
		if (!YAJL_IS_OBJECT(o))
			return oci_bad(&w, NULL, "must be an object");
		lx->n_namespaces = i + 1;
		ret = oci_get_str(&w, o, "type", true, false, 16, &ns->type);
		if (ret < 0)
			return ret;
		for (size_t k = 0; k < ARRAY_SIZE(oci_ns_types); k++)
			known |= !strcmp(ns->type, oci_ns_types[k]);
		if (!known)
			return oci_bad(&w, "type", "unknown namespace type '%s'", ns->type);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(lx->namespaces[k].type, ns->type))
				return oci_bad(&w, "type", "namespace '%s' given twice", ns->type);
		ret = oci_get_str(&w, o, "path", false, true, OCI_SPEC_PATH_MAX, &ns->path);
		if (ret < 0)
			return ret;
		if (ns->path && ns->path[0] != '/')
			return oci_bad(&w, "path", "must be an absolute path");
	}
	return 0;
}

static int oci_parse_devices(const struct oci_where *parent, yajl_val arr, struct oci_linux *lx)
{
	char path[64];
	size_t n;

	if (!YAJL_IS_ARRAY(arr))
		return oci_bad(parent, "devices", "must be an array of objects");
	n = arr->u.array.len;
	lx->devices = calloc(n ? n : 1, sizeof(*lx->devices));
	if (!lx->devices)
		return err_set(ENOMEM, "config.json");
	for (size_t i = 0; i < n; i++) {
		struct oci_device *d = &lx->devices[i];
		struct oci_where w = {parent->file, path};
		yajl_val o = arr->u.array.values[i];
		char *type = NULL;
		int ret;

		snprintf(path, sizeof(path), "%s.devices[%zu]", parent->path, i);
		if (!YAJL_IS_OBJECT(o))
			return oci_bad(&w, NULL, "must be an object");
		lx->n_devices = i + 1;
		ret = oci_get_str(&w, o, "path", true, false, OCI_SPEC_PATH_MAX, &d->path);
		if (ret < 0)
			return ret;
		if (d->path[0] != '/')
			return oci_bad(&w, "path", "must be an absolute path");
		ret = oci_get_str(&w, o, "type", true, false, 1, &type);
		if (ret < 0)
			return ret;
		d->type = type[0];
		free(type);
		if (!strchr("cbup", d->type))
			return oci_bad(&w, "type", "must be one of c, b, u, p");
		/* 12 and 20 bits: what the kernel's dev_t can hold. */
		ret = oci_get_i64(&w, o, "major", d->type != 'p', 0, 4095, &d->major);
		if (ret < 0)
			return ret;
		ret = oci_get_i64(&w, o, "minor", d->type != 'p', 0, 1048575, &d->minor);
		if (ret < 0)
			return ret;
		if ((ret = oci_get_u32(&w, o, "fileMode", false, 07777, &d->file_mode)) < 0)
			return ret;
		d->has_file_mode = ret == 0;
		if ((ret = oci_get_u32(&w, o, "uid", false, UINT32_MAX - 1, &d->uid)) < 0)
			return ret;
		d->has_uid = ret == 0;
		if ((ret = oci_get_u32(&w, o, "gid", false, UINT32_MAX - 1, &d->gid)) < 0)
			return ret;
		d->has_gid = ret == 0;
	}
	return 0;
}

/* The host sizes the VM from these; the agent gets the whole object. */
static int oci_parse_resources(const struct oci_where *parent, yajl_val obj,
			       struct oci_resources *r)
{
	struct oci_where w = {parent->file, "linux.resources"};
	struct oci_where mw = {parent->file, "linux.resources.memory"};
	struct oci_where cw = {parent->file, "linux.resources.cpu"};
	struct oci_where pw = {parent->file, "linux.resources.pids"};
	yajl_val v = NULL;
	int ret;

	ret = oci_get_raw(parent, obj, "resources", true, OCI_SPEC_RAW_MAX, &r->raw);
	if (ret < 0)
		return ret;
	(void)oci_get_object(parent, obj, "resources", true, &obj);
	if ((ret = oci_get_object(&w, obj, "memory", false, &v)) < 0)
		return ret;
	if (ret == 0) {
		if ((ret = oci_get_i64(&mw, v, "limit", false, -1, INT64_MAX, &r->memory_limit)) <
		    0)
			return ret;
		r->has_memory_limit = ret == 0;
	}
	if ((ret = oci_get_object(&w, obj, "cpu", false, &v)) < 0)
		return ret;
	if (ret == 0) {
		if ((ret = oci_get_i64(&cw, v, "quota", false, -1, INT64_MAX, &r->cpu_quota)) < 0)
			return ret;
		r->has_cpu_quota = ret == 0;
		if ((ret = oci_get_u64(&cw, v, "period", false, UINT64_MAX, &r->cpu_period)) < 0)
			return ret;
		r->has_cpu_period = ret == 0;
		if ((ret = oci_get_u64(&cw, v, "shares", false, UINT64_MAX, &r->cpu_shares)) < 0)
			return ret;
		r->has_cpu_shares = ret == 0;
		if ((ret = oci_get_str(&cw, v, "cpus", false, true, 4096, &r->cpu_cpus)) < 0)
			return ret;
		if (r->cpu_cpus && strspn(r->cpu_cpus, "0123456789,-") != strlen(r->cpu_cpus))
			return oci_bad(&cw, "cpus", "'%.64s' is not a CPU list", r->cpu_cpus);
	}
	if ((ret = oci_get_object(&w, obj, "pids", false, &v)) < 0)
		return ret;
	if (ret == 0) {
		if ((ret = oci_get_i64(&pw, v, "limit", true, INT64_MIN, INT64_MAX,
				       &r->pids_limit)) < 0)
			return ret;
		r->has_pids_limit = true;
	}
	return 0;
}

static int oci_parse_sysctl(const struct oci_where *w, yajl_val obj, struct oci_linux *lx)
{
	int ret = oci_get_kv(w, obj, "sysctl", false, &lx->sysctl, &lx->n_sysctl);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < lx->n_sysctl; i++) {
		const char *k = lx->sysctl[i].key;

		if (!*k || strlen(k) > 255 || strstr(k, "..") || *k == '.' || *k == '/' ||
		    strchr(k, '\n'))
			return oci_bad(w, "sysctl", "'%.64s' is not a sysctl name", k);
	}
	return 0;
}

static int oci_check_paths(const struct oci_where *w, const char *key, char **paths)
{
	for (char **p = paths; p && *p; p++)
		if (**p != '/')
			return oci_bad(w, key, "'%.64s' is not an absolute path", *p);
	return 0;
}

int oci_spec_parse_linux(const struct oci_where *w, yajl_val obj, struct oci_linux *lx)
{
	yajl_val v = NULL;
	int ret;

	if ((ret = oci_get(w, obj, "namespaces", false, &v)) < 0)
		return ret;
	if (ret == 0 && (ret = oci_parse_namespaces(w, v, lx)) < 0)
		return ret;
	if ((ret = oci_get_object(w, obj, "resources", false, &v)) < 0)
		return ret;
	if (ret == 0) {
		lx->has_resources = true;
		if ((ret = oci_parse_resources(w, obj, &lx->resources)) < 0)
			return ret;
	}
	if ((ret = oci_get_str(w, obj, "cgroupsPath", false, true, OCI_SPEC_PATH_MAX,
			       &lx->cgroups_path)) < 0)
		return ret;
	if ((ret = oci_parse_sysctl(w, obj, lx)) < 0)
		return ret;
	if ((ret = oci_get_strv(w, obj, "maskedPaths", false, false, OCI_SPEC_PATH_MAX,
				&lx->masked_paths, &lx->n_masked_paths)) < 0 ||
	    (ret = oci_check_paths(w, "maskedPaths", lx->masked_paths)) < 0)
		return ret;
	if ((ret = oci_get_strv(w, obj, "readonlyPaths", false, false, OCI_SPEC_PATH_MAX,
				&lx->readonly_paths, &lx->n_readonly_paths)) < 0 ||
	    (ret = oci_check_paths(w, "readonlyPaths", lx->readonly_paths)) < 0)
		return ret;
	if ((ret = oci_get(w, obj, "devices", false, &v)) < 0)
		return ret;
	if (ret == 0 && (ret = oci_parse_devices(w, v, lx)) < 0)
		return ret;
	if ((ret = oci_get_raw(w, obj, "seccomp", false, OCI_SPEC_RAW_MAX, &lx->seccomp)) < 0)
		return ret;
	return 0;
}

void oci_linux_free(struct oci_linux *lx)
{
	for (size_t i = 0; i < lx->n_namespaces; i++) {
		free(lx->namespaces[i].type);
		free(lx->namespaces[i].path);
	}
	free(lx->namespaces);
	free(lx->resources.cpu_cpus);
	free(lx->resources.raw);
	free(lx->cgroups_path);
	oci_kv_free(lx->sysctl, lx->n_sysctl);
	oci_strv_free(lx->masked_paths);
	oci_strv_free(lx->readonly_paths);
	for (size_t i = 0; i < lx->n_devices; i++)
		free(lx->devices[i].path);
	free(lx->devices);
	free(lx->seccomp);
}
