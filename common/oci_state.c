/* SPDX-License-Identifier: Apache-2.0 */
#include "common/util.h"
#include "common/oci_state.h"
#include "common/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int oci_id_check(const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len > OCI_ID_MAX ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") !=
		len ||
	    !strcmp(id, ".") || !strcmp(id, ".."))
		return err_setx(EINVAL, "invalid container id '%.300s'", id);
	return 0;
}

static const char *const oci_statuses[] = {"creating", "created", "running", "paused", "stopped"};

void oci_state_out(struct json_out *o, const struct oci_state *st, bool with_private)
{
	json_out_map_open(o);
	json_out_kstr(o, "ociVersion", st->oci_version);
	json_out_kstr(o, "id", st->id);
	json_out_ku64(o, "pid", st->pid > 0 ? (uint64_t)st->pid : 0);
	json_out_kstr(o, "status", st->status);
	json_out_kstr(o, "bundle", st->bundle);
	json_out_kstr(o, "rootfs", st->rootfs);
	json_out_kstr(o, "created", st->created);
	json_out_kstr(o, "owner", st->owner ? st->owner : "");
	if (st->n_annotations) {
		json_out_str(o, "annotations");
		json_out_map_open(o);
		for (size_t i = 0; i < st->n_annotations; i++)
			json_out_kstr(o, st->annotations[i].key, st->annotations[i].value);
		json_out_map_close(o);
	}
	if (with_private)
		json_out_ku64(o, "pidStartTime", st->pid_start);
	json_out_map_close(o);
}

int oci_state_to_json(const struct oci_state *st, bool pretty, bool with_private, char **out,
		      size_t *len)
{
	struct json_out o;
	int ret = json_out_init(&o);

	if (ret < 0)
		return ret;
	if (pretty) {
		yajl_gen_config(o.g, yajl_gen_beautify, 1);
		yajl_gen_config(o.g, yajl_gen_indent_string, "  ");
	}
	oci_state_out(&o, st, with_private);
	ret = json_out_finish(&o, out, len);
	/* yajl ends a beautified document with a newline; runc's has none. */
	if (ret == 0 && *len && (*out)[*len - 1] == '\n')
		(*out)[--*len] = '\0';
	return ret;
}

static int oci_state_fields(const struct oci_where *w, yajl_val top, struct oci_state *st)
{
	bool known = false;
	uint64_t pid;
	int ret;

	if ((ret = oci_get_str(w, top, "ociVersion", true, false, 64, &st->oci_version)) < 0 ||
	    (ret = oci_get_str(w, top, "id", true, false, OCI_ID_MAX, &st->id)) < 0 ||
	    (ret = oci_get_u64(w, top, "pid", true, INT32_MAX, &pid)) < 0 ||
	    (ret = oci_get_str(w, top, "status", true, false, 16, &st->status)) < 0 ||
	    (ret = oci_get_str(w, top, "bundle", true, false, 4096, &st->bundle)) < 0 ||
	    (ret = oci_get_str(w, top, "rootfs", true, true, 4096, &st->rootfs)) < 0 ||
	    (ret = oci_get_str(w, top, "created", true, false, 64, &st->created)) < 0 ||
	    (ret = oci_get_str(w, top, "owner", false, true, 256, &st->owner)) < 0 ||
	    (ret = oci_get_kv(w, top, "annotations", false, &st->annotations, &st->n_annotations)) <
		0 ||
	    (ret = oci_get_u64(w, top, "pidStartTime", false, UINT64_MAX, &st->pid_start)) < 0)
		return ret;
	st->pid = (int)pid;
	if (oci_id_check(st->id) < 0)
		return oci_bad(w, "id", "%s", err_msg());
	for (size_t i = 0; i < ARRAY_SIZE(oci_statuses); i++)
		known |= !strcmp(st->status, oci_statuses[i]);
	if (!known)
		return oci_bad(w, "status", "unknown status '%s'", st->status);
	return 0;
}

int oci_state_parse(const char *file, const char *text, size_t len, struct oci_state *st)
{
	struct oci_where w = {file, ""};
	yajl_val top = NULL;
	int ret;

	memset(st, 0, sizeof(*st));
	if (len > OCI_STATE_SIZE_MAX)
		return err_setx(EFBIG, "%s: %zu bytes exceeds the limit of %u", file, len,
				OCI_STATE_SIZE_MAX);
	ret = json_parse(text, len, &top);
	if (ret < 0)
		return err_prefix(-EINVAL, "%s", file);
	if (!YAJL_IS_OBJECT(top))
		ret = err_setx(EINVAL, "%s: must hold a JSON object", file);
	else
		ret = oci_state_fields(&w, top, st);
	yajl_tree_free(top);
	if (ret < 0)
		oci_state_free(st);
	return ret;
}

void oci_state_free(struct oci_state *st)
{
	free(st->oci_version);
	free(st->id);
	free(st->status);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	oci_kv_free(st->annotations, st->n_annotations);
	memset(st, 0, sizeof(*st));
}
