/* SPDX-License-Identifier: Apache-2.0 */
#include "common/oci_field.h"
#include "common/error.h"
#include "common/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int oci_bad(const struct oci_where *w, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	char full[256];

	snprintf(full, sizeof(full), "%s%s%s", w->path, *w->path && key ? "." : "", key ? key : "");
	if (!*full)
		return err_setx(EINVAL, "%s: %s", w->file, why);
	return err_setx(EINVAL, "%s: %s: %s", w->file, full, why);
}

const char *oci_child(const struct oci_where *w, const char *key, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", w->path, *w->path ? "." : "", key);
	return buf;
}

int oci_get(const struct oci_where *w, yajl_val obj, const char *key, bool required, yajl_val *out)
{
	yajl_val found = NULL;

	if (!YAJL_IS_OBJECT(obj))
		return oci_bad(w, NULL, "must be an object");
	for (size_t i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) != 0)
			continue;
		/* Two parsers could disagree on which one counts: refuse both. */
		if (found)
			return oci_bad(w, key, "given twice");
		found = obj->u.object.values[i];
	}
	/* A JSON null counts as absent, as Go's encoding/json reads it. */
	if (!found || YAJL_IS_NULL(found)) {
		if (required)
			return oci_bad(w, key, "required field missing");
		return 1;
	}
	*out = found;
	return 0;
}

int oci_get_object(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		   yajl_val *out)
{
	yajl_val v = NULL;
	int ret = oci_get(w, obj, key, required, &v);

	if (ret != 0)
		return ret;
	if (!YAJL_IS_OBJECT(v))
		return oci_bad(w, key, "must be an object");
	*out = v;
	return 0;
}

int oci_get_bool(const struct oci_where *w, yajl_val obj, const char *key, bool required, bool *out)
{
	yajl_val v = NULL;
	int ret = oci_get(w, obj, key, required, &v);

	if (ret != 0)
		return ret;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return oci_bad(w, key, "must be true or false");
	*out = YAJL_IS_TRUE(v);
	return 0;
}

/* An integer written without fraction or exponent, checked from its text. */
static int oci_number(const struct oci_where *w, const char *key, yajl_val v, bool neg_ok,
		      bool *neg, uint64_t *mag)
{
	const char *s = YAJL_IS_NUMBER(v) ? YAJL_GET_NUMBER(v) : NULL;
	unsigned long long n;
	char *end;

	if (!s)
		return oci_bad(w, key, "must be an integer");
	*neg = *s == '-';
	if (*neg && !neg_ok)
		return oci_bad(w, key, "must not be negative");
	s += *neg;
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return oci_bad(w, key, "must be an integer");
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE || *end)
		return oci_bad(w, key, "%s%.32s is out of range", *neg ? "-" : "", s);
	*mag = n;
	return 0;
}

int oci_get_u64(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		uint64_t max, uint64_t *out)
{
	yajl_val v = NULL;
	uint64_t n = 0;
	bool neg = false;
	int ret = oci_get(w, obj, key, required, &v);

	if (ret != 0)
		return ret;
	ret = oci_number(w, key, v, false, &neg, &n);
	if (ret < 0)
		return ret;
	if (n > max)
		return oci_bad(w, key, "%" PRIu64 " is out of range [0, %" PRIu64 "]", n, max);
	*out = n;
	return 0;
}

int oci_get_u32(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		uint32_t max, uint32_t *out)
{
	uint64_t n = 0;
	int ret = oci_get_u64(w, obj, key, required, max, &n);

	if (ret == 0)
		*out = (uint32_t)n;
	return ret;
}

int oci_get_i64(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		int64_t min, int64_t max, int64_t *out)
{
	yajl_val v = NULL;
	uint64_t mag = 0;
	int64_t n = 0;
	bool neg = false;
	int ret = oci_get(w, obj, key, required, &v);

	if (ret != 0)
		return ret;
	ret = oci_number(w, key, v, min < 0, &neg, &mag);
	if (ret < 0)
		return ret;
	if ((!neg && mag > (uint64_t)INT64_MAX) || (neg && mag > (uint64_t)INT64_MAX + 1))
		return oci_bad(w, key, "out of range [%" PRId64 ", %" PRId64 "]", min, max);
	n = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	if (n < min || n > max)
		return oci_bad(w, key, "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]", n,
			       min, max);
	*out = n;
	return 0;
}

static int oci_check_str(const struct oci_where *w, const char *key, yajl_val v, bool empty_ok,
			 size_t max, const char *what)
{
	size_t len;

	if (!YAJL_IS_STRING(v))
		return oci_bad(w, key, "must be a %s", what);
	len = strlen(v->u.string);
	if (!len && !empty_ok)
		return oci_bad(w, key, "must be a non-empty string");
	if (len > max)
		return oci_bad(w, key, "string of %zu bytes exceeds the limit of %zu", len, max);
	return 0;
}

int oci_get_str(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		bool empty_ok, size_t max, char **out)
{
	yajl_val v = NULL;
	int ret = oci_get(w, obj, key, required, &v);

	if (ret != 0)
		return ret;
	ret = oci_check_str(w, key, v, empty_ok, max, "string");
	if (ret < 0)
		return ret;
	*out = strdup(v->u.string);
	if (!*out)
		return err_set(ENOMEM, "%s", w->file);
	return 0;
}

void oci_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int oci_get_strv(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		 bool nonempty, size_t max, char ***out, size_t *n)
{
	const char *what = nonempty ? "non-empty array of strings" : "array of strings";
	yajl_val v = NULL;
	char **strv;
	size_t len;
	int ret = oci_get(w, obj, key, false, &v);

	if (ret > 0 && required)
		return oci_bad(w, key, "must be a %s", what);
	if (ret != 0)
		return ret;
	if (!YAJL_IS_ARRAY(v) || (nonempty && v->u.array.len == 0))
		return oci_bad(w, key, "must be a %s", what);
	len = v->u.array.len;
	for (size_t i = 0; i < len; i++) {
		yajl_val e = v->u.array.values[i];

		if (!YAJL_IS_STRING(e))
			return oci_bad(w, key, "must be a %s", what);
		if (strlen(e->u.string) > max)
			return oci_bad(w, key, "element %zu exceeds the limit of %zu bytes", i,
				       max);
	}
	strv = calloc(len + 1, sizeof(*strv));
	if (!strv)
		return err_set(ENOMEM, "%s", w->file);
	for (size_t i = 0; i < len; i++) {
		strv[i] = strdup(v->u.array.values[i]->u.string);
		if (!strv[i]) {
			oci_strv_free(strv);
			return err_set(ENOMEM, "%s", w->file);
		}
	}
	*out = strv;
	if (n)
		*n = len;
	return 0;
}

void oci_kv_free(struct oci_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int oci_get_kv(const struct oci_where *w, yajl_val obj, const char *key, bool required,
	       struct oci_kv **out, size_t *n)
{
	yajl_val v = NULL;
	struct oci_kv *kv;
	size_t len;
	int ret = oci_get_object(w, obj, key, required, &v);

	if (ret != 0)
		return ret;
	len = v->u.object.len;
	for (size_t i = 0; i < len; i++) {
		if (!YAJL_IS_STRING(v->u.object.values[i]))
			return oci_bad(w, key, "value of '%.64s' must be a string",
				       v->u.object.keys[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(v->u.object.keys[i], v->u.object.keys[j]))
				return oci_bad(w, key, "'%.64s' given twice", v->u.object.keys[i]);
	}
	kv = calloc(len ? len : 1, sizeof(*kv));
	if (!kv)
		return err_set(ENOMEM, "%s", w->file);
	for (size_t i = 0; i < len; i++) {
		kv[i].key = strdup(v->u.object.keys[i]);
		kv[i].value = strdup(v->u.object.values[i]->u.string);
		if (!kv[i].key || !kv[i].value) {
			oci_kv_free(kv, len);
			return err_set(ENOMEM, "%s", w->file);
		}
	}
	*out = kv;
	*n = len;
	return 0;
}

int oci_get_raw(const struct oci_where *w, yajl_val obj, const char *key, bool required, size_t max,
		char **out)
{
	yajl_val v = NULL;
	struct json_out o;
	char *text;
	size_t len;
	int ret = oci_get_object(w, obj, key, required, &v);

	if (ret != 0)
		return ret;
	ret = json_out_init(&o);
	if (ret < 0)
		return ret;
	json_out_tree(&o, v);
	ret = json_out_finish(&o, &text, &len);
	if (ret < 0)
		return oci_bad(w, key, "%s", err_msg());
	if (len > max) {
		free(text);
		return oci_bad(w, key, "%zu bytes exceeds the limit of %zu", len, max);
	}
	*out = text;
	return 0;
}
