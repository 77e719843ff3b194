/* SPDX-License-Identifier: Apache-2.0 */
#include "common/json.h"
#include "common/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* The first pass: a streaming parse that only checks the bounds. */
struct json_check {
	unsigned depth;
	size_t values;
	const char *why;
};

static int json_check_value(struct json_check *c)
{
	if (++c->values > JSON_VALUES_MAX) {
		c->why = "more than 131072 values";
		return 0;
	}
	return 1;
}

static int json_check_scalar(void *ctx)
{
	return json_check_value(ctx);
}

static int json_check_bool(void *ctx, int v)
{
	(void)v;
	return json_check_value(ctx);
}

static int json_check_number(void *ctx, const char *s, size_t len)
{
	(void)s;
	(void)len;
	return json_check_value(ctx);
}

static int json_check_string(void *ctx, const unsigned char *s, size_t len)
{
	struct json_check *c = ctx;

	if (memchr(s, '\0', len)) {
		c->why = "string contains a NUL byte";
		return 0;
	}
	return json_check_value(c);
}

static int json_check_open(void *ctx)
{
	struct json_check *c = ctx;

	if (++c->depth > JSON_DEPTH_MAX) {
		c->why = "nested deeper than 32 levels";
		return 0;
	}
	return json_check_value(c);
}

static int json_check_close(void *ctx)
{
	struct json_check *c = ctx;

	c->depth--;
	return 1;
}

static const yajl_callbacks json_check_cb = {
    .yajl_null = json_check_scalar,
    .yajl_boolean = json_check_bool,
    /* Numbers as text: yajl's own integer conversion rejects large values. */
    .yajl_number = json_check_number,
    .yajl_string = json_check_string,
    .yajl_start_map = json_check_open,
    .yajl_map_key = json_check_string,
    .yajl_end_map = json_check_close,
    .yajl_start_array = json_check_open,
    .yajl_end_array = json_check_close,
};

_Static_assert(JSON_DEPTH_MAX == 32 && JSON_VALUES_MAX == 131072,
	       "update the limits in the messages of json_check_open/json_check_value");

static int json_check_text(const char *text, size_t len)
{
	struct json_check c = {0};
	yajl_handle h = yajl_alloc(&json_check_cb, NULL, &c);
	yajl_status st;
	int ret = 0;

	if (!h)
		return err_set(ENOMEM, "JSON parser");
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st == yajl_status_client_canceled) {
		ret = err_setx(EBADMSG, "invalid JSON: %s", c.why);
	} else if (st != yajl_status_ok) {
		unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text, len);
		char *nl;

		if (msg && (nl = strchr((char *)msg, '\n')))
			*nl = '\0';
		ret = err_setx(EBADMSG, "invalid JSON: %s", msg ? (char *)msg : "parse error");
		if (msg)
			yajl_free_error(h, msg);
	}
	yajl_free(h);
	return ret;
}

int json_parse(const char *text, size_t len, yajl_val *out)
{
	char errbuf[128];
	char *copy;
	int ret;

	*out = NULL;
	ret = json_check_text(text, len);
	if (ret < 0)
		return ret;
	/* yajl_tree wants a C string; the check above refused raw NUL bytes. */
	copy = malloc(len + 1);
	if (!copy)
		return err_set(ENOMEM, "JSON parser");
	memcpy(copy, text, len);
	copy[len] = '\0';
	errbuf[0] = '\0';
	*out = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	free(copy);
	if (!*out)
		return err_setx(errbuf[0] ? EBADMSG : ENOMEM, "invalid JSON: %s",
				errbuf[0] ? errbuf : "out of memory");
	return 0;
}

int json_get(yajl_val obj, const char *key, bool required, yajl_val *out)
{
	yajl_val found = NULL;

	if (!YAJL_IS_OBJECT(obj))
		return err_setx(EBADMSG, "expected an object");
	for (size_t i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) != 0)
			continue;
		/* Two parsers could disagree on which one counts: refuse both. */
		if (found)
			return err_setx(EBADMSG, "'%s' given twice", key);
		found = obj->u.object.values[i];
	}
	if (!found) {
		if (required)
			return err_setx(EBADMSG, "'%s' missing", key);
		return 1;
	}
	*out = found;
	return 0;
}

int json_get_object(yajl_val obj, const char *key, bool required, yajl_val *out)
{
	yajl_val v = NULL;
	int ret = json_get(obj, key, required, &v);

	if (ret != 0)
		return ret;
	if (!YAJL_IS_OBJECT(v))
		return err_setx(EBADMSG, "'%s': expected an object", key);
	*out = v;
	return 0;
}

int json_get_bool(yajl_val obj, const char *key, bool required, bool *out)
{
	yajl_val v = NULL;
	int ret = json_get(obj, key, required, &v);

	if (ret != 0)
		return ret;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return err_setx(EBADMSG, "'%s': expected true or false", key);
	*out = YAJL_IS_TRUE(v);
	return 0;
}

int json_val_u64(yajl_val v, const char *what, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s;
	unsigned long long n;
	char *end;

	if (!YAJL_IS_NUMBER(v))
		return err_setx(EBADMSG, "'%s': expected a number", what);
	/* Checked from the text: yajl_tree's integer is a signed long long. */
	s = YAJL_GET_NUMBER(v);
	if (!s || strspn(s, "0123456789") != strlen(s) || !*s)
		return err_setx(EBADMSG, "'%s': expected an unsigned integer", what);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE || *end || n < min || n > max)
		return err_setx(EBADMSG, "'%s': %.32s is out of range [%" PRIu64 ", %" PRIu64 "]",
				what, s, min, max);
	*out = n;
	return 0;
}

int json_get_u64(yajl_val obj, const char *key, bool required, uint64_t min, uint64_t max,
		 uint64_t *out)
{
	yajl_val v = NULL;
	int ret = json_get(obj, key, required, &v);

	if (ret != 0)
		return ret;
	return json_val_u64(v, key, min, max, out);
}

int json_get_u32(yajl_val obj, const char *key, bool required, uint32_t min, uint32_t max,
		 uint32_t *out)
{
	uint64_t n;
	int ret = json_get_u64(obj, key, required, min, max, &n);

	if (ret == 0)
		*out = n;
	return ret;
}

static int json_get_string_val(yajl_val obj, const char *key, bool required, size_t max,
			       const char **s, size_t *len)
{
	yajl_val v = NULL;
	int ret = json_get(obj, key, required, &v);

	if (ret != 0)
		return ret;
	if (!YAJL_IS_STRING(v))
		return err_setx(EBADMSG, "'%s': expected a string", key);
	*s = YAJL_GET_STRING(v);
	*len = strlen(*s);
	if (*len > max)
		return err_setx(EBADMSG, "'%s': string of %zu bytes exceeds the limit of %zu", key,
				*len, max);
	return 0;
}

int json_get_strbuf(yajl_val obj, const char *key, bool required, char *dst, size_t size)
{
	const char *s = NULL;
	size_t len = 0;
	int ret = json_get_string_val(obj, key, required, size - 1, &s, &len);

	if (ret != 0)
		return ret;
	memcpy(dst, s, len + 1);
	return 0;
}

int json_get_str(yajl_val obj, const char *key, bool required, size_t max, char **out)
{
	const char *s = NULL;
	size_t len = 0;
	int ret = json_get_string_val(obj, key, required, max, &s, &len);

	if (ret != 0)
		return ret;
	*out = strdup(s);
	if (!*out)
		return err_set(ENOMEM, "'%s'", key);
	return 0;
}

int json_get_raw_object(yajl_val obj, const char *key, bool required, size_t max, char **out)
{
	struct json_out o;
	yajl_val v = NULL;
	char *text;
	size_t len;
	int ret = json_get_object(obj, key, required, &v);

	if (ret != 0)
		return ret;
	ret = json_out_init(&o);
	if (ret < 0)
		return ret;
	json_out_tree(&o, v);
	ret = json_out_finish(&o, &text, &len);
	if (ret < 0)
		return ret;
	if (len > max) {
		free(text);
		return err_setx(EBADMSG, "'%s': %zu bytes exceeds the limit of %zu", key, len, max);
	}
	*out = text;
	return 0;
}

int json_out_init(struct json_out *o)
{
	o->err = 0;
	o->g = yajl_gen_alloc(NULL);
	if (!o->g)
		return err_set(ENOMEM, "JSON generator");
	yajl_gen_config(o->g, yajl_gen_validate_utf8, 1);
	return 0;
}

void json_out_fail(struct json_out *o, int err)
{
	if (!o->err)
		o->err = err;
}

static void json_out_status(struct json_out *o, yajl_gen_status st)
{
	if (st == yajl_gen_status_ok || o->err)
		return;
	if (st == yajl_gen_invalid_string)
		o->err = err_setx(EINVAL, "JSON output: string is not valid UTF-8");
	else if (st == yajl_max_depth_exceeded)
		o->err = err_setx(EINVAL, "JSON output: nested too deep");
	else
		o->err = err_setx(EINVAL, "JSON output: generator error %d", (int)st);
}

void json_out_map_open(struct json_out *o)
{
	if (!o->err)
		json_out_status(o, yajl_gen_map_open(o->g));
}

void json_out_map_close(struct json_out *o)
{
	if (!o->err)
		json_out_status(o, yajl_gen_map_close(o->g));
}

void json_out_array_open(struct json_out *o)
{
	if (!o->err)
		json_out_status(o, yajl_gen_array_open(o->g));
}

void json_out_array_close(struct json_out *o)
{
	if (!o->err)
		json_out_status(o, yajl_gen_array_close(o->g));
}

void json_out_str(struct json_out *o, const char *s)
{
	if (o->err)
		return;
	if (!s) {
		o->err = err_setx(EINVAL, "JSON output: missing string");
		return;
	}
	json_out_status(o, yajl_gen_string(o->g, (const unsigned char *)s, strlen(s)));
}

void json_out_u64(struct json_out *o, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	if (!o->err)
		json_out_status(o, yajl_gen_number(o->g, buf, n));
}

void json_out_bool(struct json_out *o, bool v)
{
	if (!o->err)
		json_out_status(o, yajl_gen_bool(o->g, v));
}

void json_out_kstr(struct json_out *o, const char *key, const char *s)
{
	json_out_str(o, key);
	json_out_str(o, s);
}

void json_out_ku64(struct json_out *o, const char *key, uint64_t v)
{
	json_out_str(o, key);
	json_out_u64(o, v);
}

void json_out_kbool(struct json_out *o, const char *key, bool v)
{
	json_out_str(o, key);
	json_out_bool(o, v);
}

static void json_out_tree_depth(struct json_out *o, yajl_val v, unsigned depth)
{
	if (o->err)
		return;
	if (depth > JSON_DEPTH_MAX) {
		o->err = err_setx(EINVAL, "JSON output: nested too deep");
		return;
	}
	switch (v ? v->type : yajl_t_null) {
	case yajl_t_string:
		json_out_str(o, v->u.string);
		break;
	case yajl_t_number:
		json_out_status(o, yajl_gen_number(o->g, v->u.number.r, strlen(v->u.number.r)));
		break;
	case yajl_t_object:
		json_out_map_open(o);
		for (size_t i = 0; i < v->u.object.len; i++) {
			json_out_str(o, v->u.object.keys[i]);
			json_out_tree_depth(o, v->u.object.values[i], depth + 1);
		}
		json_out_map_close(o);
		break;
	case yajl_t_array:
		json_out_array_open(o);
		for (size_t i = 0; i < v->u.array.len; i++)
			json_out_tree_depth(o, v->u.array.values[i], depth + 1);
		json_out_array_close(o);
		break;
	case yajl_t_true:
	case yajl_t_false:
		json_out_bool(o, v->type == yajl_t_true);
		break;
	default:
		json_out_status(o, yajl_gen_null(o->g));
		break;
	}
}

void json_out_tree(struct json_out *o, yajl_val v)
{
	json_out_tree_depth(o, v, 0);
}

/* The length of v's serialization: the same text json_get_raw_object() gives back. */
static int json_tree_len(yajl_val v, size_t *len)
{
	struct json_out o;
	char *text;
	int ret = json_out_init(&o);

	if (ret < 0)
		return ret;
	json_out_tree(&o, v);
	ret = json_out_finish(&o, &text, len);
	free(text);
	return ret;
}

void json_out_raw_object(struct json_out *o, const char *key, const char *text, size_t max)
{
	yajl_val v = NULL;
	size_t len = 0;
	int ret;

	if (o->err)
		return;
	if (!text) {
		o->err = err_setx(EINVAL, "'%s': missing JSON text", key);
		return;
	}
	ret = json_parse(text, strlen(text), &v);
	if (ret < 0) {
		o->err = ret;
		return;
	}
	if (!YAJL_IS_OBJECT(v))
		ret = err_setx(EINVAL, "'%s': JSON text is not an object", key);
	else if ((ret = json_tree_len(v, &len)) == 0 && len > max)
		ret = err_setx(EINVAL, "'%s': %zu bytes exceeds the limit of %zu", key, len, max);
	if (ret == 0) {
		json_out_str(o, key);
		json_out_tree(o, v);
	} else {
		o->err = ret;
	}
	yajl_tree_free(v);
}

int json_out_finish(struct json_out *o, char **out, size_t *len)
{
	const unsigned char *buf;
	size_t n;
	int ret = o->err;

	*out = NULL;
	*len = 0;
	if (!ret && yajl_gen_get_buf(o->g, &buf, &n) != yajl_gen_status_ok)
		ret = err_setx(EINVAL, "JSON output: incomplete document");
	if (!ret) {
		*out = malloc(n + 1);
		if (!*out) {
			ret = err_set(ENOMEM, "JSON output");
		} else {
			memcpy(*out, buf, n);
			(*out)[n] = '\0';
			*len = n;
		}
	}
	yajl_gen_free(o->g);
	o->g = NULL;
	return ret;
}
