/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/exec_process.h"
#include "common/error.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static yajl_val obj_get(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

/* Copies every field of obj but the ones in skip (NULL-terminated). */
static void put_fields_except(struct json_out *o, yajl_val obj, const char *const *skip)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return;
	for (size_t i = 0; i < obj->u.object.len; i++) {
		bool skipped = false;

		for (size_t k = 0; skip[k] && !skipped; k++)
			skipped = !strcmp(obj->u.object.keys[i], skip[k]);
		if (skipped)
			continue;
		json_out_str(o, obj->u.object.keys[i]);
		json_out_tree(o, obj->u.object.values[i]);
	}
}

/* An array of the strings in old (if it is one) followed by extra. */
static void put_strv(struct json_out *o, const char *key, yajl_val old, const char *const *extra,
		     size_t n)
{
	json_out_str(o, key);
	json_out_array_open(o);
	if (old && YAJL_IS_ARRAY(old))
		for (size_t i = 0; i < old->u.array.len; i++)
			json_out_tree(o, old->u.array.values[i]);
	for (size_t i = 0; i < n; i++)
		json_out_str(o, extra[i]);
	json_out_array_close(o);
}

static void put_user(struct json_out *o, yajl_val user, const struct exec_flags *f)
{
	static const char *const skip[] = {"uid", "gid", "additionalGids", NULL};
	unsigned long long uid = 0, gid = 0;
	yajl_val v;

	if ((v = obj_get(user, "uid")) && YAJL_IS_INTEGER(v))
		uid = (unsigned long long)YAJL_GET_INTEGER(v);
	if ((v = obj_get(user, "gid")) && YAJL_IS_INTEGER(v))
		gid = (unsigned long long)YAJL_GET_INTEGER(v);
	if (f->user) {
		const char *colon = strchr(f->user, ':');

		uid = strtoull(f->user, NULL, 10);
		if (colon)
			gid = strtoull(colon + 1, NULL, 10);
	}
	json_out_str(o, "user");
	json_out_map_open(o);
	put_fields_except(o, user, skip);
	json_out_ku64(o, "uid", uid);
	json_out_ku64(o, "gid", gid);
	if (obj_get(user, "additionalGids") || f->n_gids) {
		yajl_val old = obj_get(user, "additionalGids");

		json_out_str(o, "additionalGids");
		json_out_array_open(o);
		if (old && YAJL_IS_ARRAY(old))
			for (size_t i = 0; i < old->u.array.len; i++)
				json_out_tree(o, old->u.array.values[i]);
		for (size_t i = 0; i < f->n_gids; i++)
			json_out_u64(o, strtoull(f->gids[i], NULL, 10));
		json_out_array_close(o);
	}
	json_out_map_close(o);
}

static void put_caps(struct json_out *o, yajl_val caps, const struct exec_flags *f)
{
	static const char *const added[] = {"bounding", "effective", "permitted", NULL};

	if (!caps && !f->n_caps)
		return;
	json_out_str(o, "capabilities");
	json_out_map_open(o);
	put_fields_except(o, caps, added);
	for (size_t i = 0; added[i]; i++)
		if (obj_get(caps, added[i]) || f->n_caps)
			put_strv(o, added[i], obj_get(caps, added[i]), f->caps, f->n_caps);
	json_out_map_close(o);
}

int exec_process_json(const char *config, size_t len, const struct exec_flags *f, char **out)
{
	static const char *const skip[] = {
	    "terminal",	       "args",	      "env", "cwd", "user", "capabilities",
	    "noNewPrivileges", "consoleSize", NULL};
	yajl_val root = NULL, p, v;
	struct json_out o;
	size_t n_args = 0, olen;
	bool nnp;
	int ret;

	ret = json_parse(config, len, &root);
	if (ret < 0)
		return err_setx(EINVAL, "config.json: not valid JSON");
	p = obj_get(root, "process");
	if (!p || !YAJL_IS_OBJECT(p)) {
		yajl_tree_free(root);
		return err_setx(EINVAL, "config.json: process: required field missing");
	}
	while (f->args[n_args])
		n_args++;
	nnp = f->no_new_privs || ((v = obj_get(p, "noNewPrivileges")) && YAJL_IS_TRUE(v));
	ret = json_out_init(&o);
	if (ret < 0) {
		yajl_tree_free(root);
		return ret;
	}
	json_out_map_open(&o);
	put_fields_except(&o, p, skip);
	json_out_kbool(&o, "terminal", f->tty);
	put_strv(&o, "args", NULL, (const char *const *)f->args, n_args);
	put_strv(&o, "env", obj_get(p, "env"), f->env, f->n_env);
	if (f->cwd) {
		json_out_kstr(&o, "cwd", f->cwd);
	} else {
		json_out_str(&o, "cwd");
		v = obj_get(p, "cwd");
		if (v)
			json_out_tree(&o, v);
		else
			json_out_str(&o, "/");
	}
	put_user(&o, obj_get(p, "user"), f);
	put_caps(&o, obj_get(p, "capabilities"), f);
	json_out_kbool(&o, "noNewPrivileges", nnp);
	json_out_map_close(&o);
	yajl_tree_free(root);
	return json_out_finish(&o, out, &olen);
}
