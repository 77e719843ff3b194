/* SPDX-License-Identifier: Apache-2.0 */
#include "common/util.h"
#include "common/oci_spec.h"
#include "common/error.h"
#include "common/json.h"
#include "common/read_bounded.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A capability name as libcap and the kernel spell it: CAP_ and upper case. */
static int oci_check_caps(const struct oci_where *w, const char *key, char **caps)
{
	for (char **c = caps; c && *c; c++) {
		if (strncmp(*c, "CAP_", 4) || strlen(*c) > 64 || !(*c)[4] ||
		    strspn(*c + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != strlen(*c + 4))
			return oci_bad(w, key, "'%.64s' is not a capability name", *c);
	}
	return 0;
}

static int oci_parse_caps(const struct oci_where *parent, yajl_val obj, struct oci_caps *caps)
{
	static const char *const keys[] = {"bounding", "effective", "inheritable", "permitted",
					   "ambient"};
	char ***dst[] = {&caps->bounding, &caps->effective, &caps->inheritable, &caps->permitted,
			 &caps->ambient};
	char path[64];
	struct oci_where w = {parent->file, oci_child(parent, "capabilities", path, sizeof(path))};
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		ret = oci_get_strv(&w, obj, keys[i], false, false, 64, dst[i], NULL);
		if (ret < 0)
			return ret;
		ret = oci_check_caps(&w, keys[i], *dst[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static const char *const oci_rlimit_names[] = {
    "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",	   "RLIMIT_DATA",
    "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",	   "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",	   "RLIMIT_RSS",
    "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};

static int oci_parse_rlimits(const struct oci_where *parent, yajl_val arr, struct oci_process *p)
{
	char path[64];
	size_t n;

	if (!YAJL_IS_ARRAY(arr))
		return oci_bad(parent, "rlimits", "must be an array of objects");
	n = arr->u.array.len;
	p->rlimits = calloc(n ? n : 1, sizeof(*p->rlimits));
	if (!p->rlimits)
		return err_set(ENOMEM, "config.json");
	for (size_t i = 0; i < n; i++) {
		struct oci_rlimit *r = &p->rlimits[i];
		struct oci_where w = {parent->file, path};
		bool known = false;
		int ret;

		snprintf(path, sizeof(path), "%s.rlimits[%zu]", parent->path, i);
		if (!YAJL_IS_OBJECT(arr->u.array.values[i]))
			return oci_bad(&w, NULL, "must be an object");
		p->n_rlimits = i + 1;
		ret = oci_get_str(&w, arr->u.array.values[i], "type", true, false, 32, &r->type);
		if (ret < 0)
			return ret;
		for (size_t k = 0; k < ARRAY_SIZE(oci_rlimit_names); k++)
			known |= !strcmp(r->type, oci_rlimit_names[k]);
		if (!known)
			return oci_bad(&w, "type", "unknown resource limit '%.32s'", r->type);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(p->rlimits[k].type, r->type))
				return oci_bad(&w, "type", "'%s' given twice", r->type);
		if ((ret = oci_get_u64(&w, arr->u.array.values[i], "hard", true, UINT64_MAX,
				       &r->hard)) < 0 ||
		    (ret = oci_get_u64(&w, arr->u.array.values[i], "soft", true, UINT64_MAX,
				       &r->soft)) < 0)
			return ret;
		if (r->soft > r->hard)
			return oci_bad(&w, "soft", "%" PRIu64 " exceeds hard (%" PRIu64 ")",
				       r->soft, r->hard);
	}
	return 0;
}

static int oci_parse_user(const struct oci_where *parent, yajl_val obj, struct oci_process *p)
{
	char path[64];
	struct oci_where w = {parent->file, oci_child(parent, "user", path, sizeof(path))};
	yajl_val gids = NULL;
	int ret;

	if ((ret = oci_get_u32(&w, obj, "uid", true, UINT32_MAX - 1, &p->uid)) < 0 ||
	    (ret = oci_get_u32(&w, obj, "gid", true, UINT32_MAX - 1, &p->gid)) < 0)
		return ret;
	ret = oci_get_u32(&w, obj, "umask", false, 0777, &p->umask);
	if (ret < 0)
		return ret;
	p->has_umask = ret == 0;
	ret = oci_get(&w, obj, "additionalGids", false, &gids);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		if (!YAJL_IS_ARRAY(gids) || gids->u.array.len > 65536)
			return oci_bad(&w, "additionalGids",
				       "must be an array of at most 65536 gids");
		p->additional_gids = calloc(gids->u.array.len + 1, sizeof(uint32_t));
		if (!p->additional_gids)
			return err_set(ENOMEM, "config.json");
		for (size_t i = 0; i < gids->u.array.len; i++) {
			uint64_t g;

			if (json_val_u64(gids->u.array.values[i], "gid", 0, UINT32_MAX - 1, &g) < 0)
				return oci_bad(&w, "additionalGids",
					       "element %zu must be a gid in [0, 4294967294]", i);
			p->additional_gids[i] = (uint32_t)g;
		}
		p->n_additional_gids = gids->u.array.len;
	}
	return 0;
}

static int oci_parse_process(const struct oci_where *where, yajl_val obj, struct oci_process *p)
{
	struct oci_where w = *where;
	yajl_val v = NULL;
	int64_t adj;
	int ret;

	ret = oci_get_bool(&w, obj, "terminal", false, &p->terminal);
	if (ret < 0)
		return ret;
	ret = oci_get_object(&w, obj, "consoleSize", false, &v);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		char cpath[64];
		struct oci_where cw = {w.file, oci_child(&w, "consoleSize", cpath, sizeof(cpath))};

		if ((ret = oci_get_u32(&cw, v, "height", true, 65535, &p->console_height)) < 0 ||
		    (ret = oci_get_u32(&cw, v, "width", true, 65535, &p->console_width)) < 0)
			return ret;
		p->has_console_size = true;
	}
	ret = oci_get_object(&w, obj, "user", false, &v);
	if (ret < 0)
		return ret;
	if (ret == 0 && (ret = oci_parse_user(&w, v, p)) < 0)
		return ret;
	ret = oci_get_strv(&w, obj, "args", true, true, OCI_SPEC_STR_MAX, &p->args, &p->n_args);
	if (ret < 0)
		return ret;
	ret = oci_get_strv(&w, obj, "env", false, false, OCI_SPEC_STR_MAX, &p->env, NULL);
	if (ret < 0)
		return ret;
	for (char **e = p->env; e && *e; e++)
		if (!strchr(*e, '=') || **e == '=')
			return oci_bad(&w, "env", "'%.64s' is not of the form NAME=VALUE", *e);
	ret = oci_get_str(&w, obj, "cwd", true, false, OCI_SPEC_PATH_MAX, &p->cwd);
	if (ret < 0)
		return ret;
	if (p->cwd[0] != '/')
		return oci_bad(&w, "cwd", "must be an absolute path");
	ret = oci_get_object(&w, obj, "capabilities", false, &v);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		p->has_caps = true;
		if ((ret = oci_parse_caps(&w, v, &p->caps)) < 0)
			return ret;
	}
	ret = oci_get(&w, obj, "rlimits", false, &v);
	if (ret < 0)
		return ret;
	if (ret == 0 && (ret = oci_parse_rlimits(&w, v, p)) < 0)
		return ret;
	ret = oci_get_bool(&w, obj, "noNewPrivileges", false, &p->no_new_privileges);
	if (ret < 0)
		return ret;
	ret = oci_get_i64(&w, obj, "oomScoreAdj", false, -1000, 1000, &adj);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int32_t)adj;
	}
	return 0;
}

static int oci_parse_mounts(yajl_val arr, struct oci_spec *spec)
{
	char path[48];
	size_t n;

	if (!YAJL_IS_ARRAY(arr))
		return err_setx(EINVAL, "config.json: mounts: must be an array of objects");
	n = arr->u.array.len;
	spec->mounts = calloc(n ? n : 1, sizeof(*spec->mounts));
	if (!spec->mounts)
		return err_set(ENOMEM, "config.json");
	for (size_t i = 0; i < n; i++) {
		struct oci_mount *m = &spec->mounts[i];
		struct oci_where w = {"config.json", path};
		yajl_val o = arr->u.array.values[i];
		int ret;

		snprintf(path, sizeof(path), "mounts[%zu]", i);
		if (!YAJL_IS_OBJECT(o))
			return oci_bad(&w, NULL, "must be an object");
		spec->n_mounts = i + 1;
		if ((ret = oci_get_str(&w, o, "destination", true, false, OCI_SPEC_PATH_MAX,
				       &m->destination)) < 0 ||
		    (ret = oci_get_str(&w, o, "type", false, false, 255, &m->type)) < 0 ||
		    (ret = oci_get_str(&w, o, "source", false, true, OCI_SPEC_PATH_MAX,
				       &m->source)) < 0 ||
		    (ret = oci_get_strv(&w, o, "options", false, false, OCI_SPEC_PATH_MAX,
					&m->options, &m->n_options)) < 0)
			return ret;
	}
	return 0;
}

static int oci_parse_root(yajl_val top, struct oci_spec *spec)
{
	struct oci_where w = {"config.json", ""};
	struct oci_where rw = {"config.json", "root"};
	yajl_val root = NULL;
	int ret;

	ret = oci_get_object(&w, top, "root", true, &root);
	if (ret < 0)
		return ret;
	ret = oci_get_str(&rw, root, "path", true, false, OCI_SPEC_PATH_MAX, &spec->root_path);
	if (ret < 0)
		return ret;
	ret = oci_get_bool(&rw, root, "readonly", false, &spec->root_readonly);
	return ret < 0 ? ret : 0;
}

static int oci_parse_top(yajl_val top, struct oci_spec *spec)
{
	struct oci_where w = {"config.json", ""};
	yajl_val v = NULL;
	int ret;

	if (!YAJL_IS_OBJECT(top))
		return err_setx(EINVAL, "config.json: must hold a JSON object");
	ret = oci_get_str(&w, top, "ociVersion", true, false, 64, &spec->oci_version);
	if (ret < 0)
		return ret;
	if (strncmp(spec->oci_version, "1.", 2) != 0)
		return oci_bad(&w, "ociVersion", "'%s' is not a 1.x version", spec->oci_version);
	ret = oci_parse_root(top, spec);
	if (ret < 0)
		return ret;
	ret = oci_get_object(&w, top, "process", false, &v);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		struct oci_where pw = {"config.json", "process"};

		spec->has_process = true;
		if ((ret = oci_parse_process(&pw, v, &spec->process)) < 0)
			return ret;
	}
	if ((ret = oci_get_str(&w, top, "hostname", false, true, 64, &spec->hostname)) < 0 ||
	    (ret = oci_get_str(&w, top, "domainname", false, true, 64, &spec->domainname)) < 0)
		return ret;
	ret = oci_get(&w, top, "mounts", false, &v);
	if (ret < 0)
		return ret;
	if (ret == 0 && (ret = oci_parse_mounts(v, spec)) < 0)
		return ret;
	ret = oci_get_kv(&w, top, "annotations", false, &spec->annotations, &spec->n_annotations);
	if (ret < 0)
		return ret;
	ret = oci_get_object(&w, top, "linux", false, &v);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		struct oci_where lw = {"config.json", "linux"};

		spec->has_linux = true;
		if ((ret = oci_spec_parse_linux(&lw, v, &spec->lnx)) < 0)
			return ret;
	}
	return 0;
}

int oci_spec_parse(const char *text, size_t len, struct oci_spec *spec)
{
	yajl_val top = NULL;
	int ret;

	memset(spec, 0, sizeof(*spec));
	if (len > OCI_SPEC_SIZE_MAX)
		return err_setx(EFBIG, "config.json: %zu bytes exceeds the limit of %u", len,
				OCI_SPEC_SIZE_MAX);
	ret = json_parse(text, len, &top);
	if (ret < 0)
		return err_prefix(-EINVAL, "%s", "config.json");
	ret = oci_parse_top(top, spec);
	yajl_tree_free(top);
	if (ret == 0) {
		spec->text = malloc(len + 1);
		if (!spec->text) {
			ret = err_set(ENOMEM, "config.json");
		} else {
			memcpy(spec->text, text, len);
			spec->text[len] = '\0';
			spec->text_len = len;
		}
	}
	if (ret < 0)
		oci_spec_free(spec);
	return ret;
}

int oci_spec_load(const char *bundle, struct oci_spec *spec)
{
	char path[PATH_MAX];
	struct stat st;
	char *text;
	size_t got = 0;
	int fd, ret;

	memset(spec, 0, sizeof(*spec));
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path))
		return err_setx(ENAMETOOLONG, "bundle path too long");
	/* O_NONBLOCK: a FIFO named config.json must not hang open(); it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return err_set(errno, "open %s", path);
	if (fstat(fd, &st) < 0) {
		ret = err_set(errno, "stat %s", path);
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_setx(EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size > OCI_SPEC_SIZE_MAX) {
		close(fd);
		return err_setx(EFBIG, "config.json: %lld bytes exceeds the limit of %u",
				(long long)st.st_size, OCI_SPEC_SIZE_MAX);
	}
	/* One byte more than the limit, to notice a file that grew since fstat. */
	text = malloc(OCI_SPEC_SIZE_MAX + 1);
	if (!text) {
		close(fd);
		return err_set(ENOMEM, "read %s", path);
	}
	ret = read_bounded(fd, text, OCI_SPEC_SIZE_MAX, &got);
	close(fd);
	if (ret < 0) {
		free(text);
		return err_set(-ret, "read %s", path);
	}
	ret = oci_spec_parse(text, got, spec);
	free(text);
	return ret;
}

int oci_process_parse(const char *file, const char *text, size_t len, struct oci_process *p)
{
	struct oci_where w = {file, ""};
	yajl_val top = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	if (len > OCI_SPEC_SIZE_MAX)
		return err_setx(EFBIG, "%s: %zu bytes exceeds the limit of %u", file, len,
				OCI_SPEC_SIZE_MAX);
	ret = json_parse(text, len, &top);
	if (ret < 0)
		return err_prefix(-EINVAL, "%s", file);
	if (!YAJL_IS_OBJECT(top))
		ret = err_setx(EINVAL, "%s: must hold a JSON object", file);
	else
		ret = oci_parse_process(&w, top, p);
	yajl_tree_free(top);
	if (ret < 0)
		oci_process_free(p);
	return ret;
}

void oci_process_free(struct oci_process *p)
{
	free(p->additional_gids);
	oci_strv_free(p->args);
	oci_strv_free(p->env);
	free(p->cwd);
	oci_strv_free(p->caps.bounding);
	oci_strv_free(p->caps.effective);
	oci_strv_free(p->caps.inheritable);
	oci_strv_free(p->caps.permitted);
	oci_strv_free(p->caps.ambient);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
}

void oci_spec_free(struct oci_spec *spec)
{
	free(spec->oci_version);
	oci_process_free(&spec->process);
	free(spec->root_path);
	free(spec->hostname);
	free(spec->domainname);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		free(spec->mounts[i].destination);
		free(spec->mounts[i].type);
		free(spec->mounts[i].source);
		oci_strv_free(spec->mounts[i].options);
	}
	free(spec->mounts);
	oci_kv_free(spec->annotations, spec->n_annotations);
	oci_linux_free(&spec->lnx);
	free(spec->text);
	memset(spec, 0, sizeof(*spec));
}

const char *oci_spec_annotation(const struct oci_spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (!strcmp(spec->annotations[i].key, key))
			return spec->annotations[i].value;
	return NULL;
}
