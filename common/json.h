/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded JSON on top of yajl. Parsing treats its input as hostile: the
 * nesting depth and the number of values are capped before a tree is
 * built (yajl_tree frees recursively, and a tree can be far larger than
 * its text), strings holding NUL bytes are refused (yajl_tree keeps them
 * as C strings and would silently cut them), and the typed getters check
 * every type, range and length. Generation wraps yajl_gen with a sticky
 * error so that callers check once, at the end.
 */
#ifndef OZONE_COMMON_JSON_H
#define OZONE_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define JSON_DEPTH_MAX 32
#define JSON_VALUES_MAX (1u << 17)

/* Parses len bytes of UTF-8 JSON text into a tree (free with yajl_tree_free). -EBADMSG if bad. */
int json_parse(const char *text, size_t len, yajl_val *out);

/*
 * Getters on an object. Each returns 0 when the key was found and stored,
 * 1 when it is absent and not required (*out untouched), or -EBADMSG with
 * a message naming the key (absent but required, wrong type, out of range,
 * too long, or given twice).
 */
int json_get(yajl_val obj, const char *key, bool required, yajl_val *out);
int json_get_object(yajl_val obj, const char *key, bool required, yajl_val *out);
int json_get_bool(yajl_val obj, const char *key, bool required, bool *out);
/* An integer written without sign, fraction or exponent, within [min, max]. */
int json_get_u64(yajl_val obj, const char *key, bool required, uint64_t min, uint64_t max,
		 uint64_t *out);
int json_get_u32(yajl_val obj, const char *key, bool required, uint32_t min, uint32_t max,
		 uint32_t *out);
/* A string of at most size - 1 bytes, copied into dst[size]. */
int json_get_strbuf(yajl_val obj, const char *key, bool required, char *dst, size_t size);
/* A string of at most max bytes, malloc'd into *out. */
int json_get_str(yajl_val obj, const char *key, bool required, size_t max, char **out);
/* An object, serialized back to text (at most max bytes) and malloc'd into *out. */
int json_get_raw_object(yajl_val obj, const char *key, bool required, size_t max, char **out);

/* An unsigned integer value (array element), within [min, max]. */
int json_val_u64(yajl_val v, const char *what, uint64_t min, uint64_t max, uint64_t *out);

/* Generation. After the first failure every call is a no-op and json_out_finish() reports it. */
struct json_out {
	yajl_gen g;
	int err;
};

int json_out_init(struct json_out *o);
void json_out_map_open(struct json_out *o);
void json_out_map_close(struct json_out *o);
void json_out_array_open(struct json_out *o);
void json_out_array_close(struct json_out *o);
void json_out_str(struct json_out *o, const char *s);
void json_out_u64(struct json_out *o, uint64_t v);
void json_out_bool(struct json_out *o, bool v);
/* Key and value in one call, for the common case inside a map. */
void json_out_kstr(struct json_out *o, const char *key, const char *s);
void json_out_ku64(struct json_out *o, const char *key, uint64_t v);
void json_out_kbool(struct json_out *o, const char *key, bool v);
/*
 * Embeds JSON text, which must be an object, as the value of key after
 * checking it like json_parse(); at most max bytes once re-serialized
 * (which is exactly what json_get_raw_object() gives back).
 */
void json_out_raw_object(struct json_out *o, const char *key, const char *text, size_t max);
/* Embeds a parsed value. */
void json_out_tree(struct json_out *o, yajl_val v);
/* Marks the output failed (e.g. a field failed validation); keeps the first error. */
void json_out_fail(struct json_out *o, int err);
/*
 * Hands over the text (malloc'd, NUL-terminated, length in *len) and frees
 * the generator; returns the first error instead if there was one.
 */
int json_out_finish(struct json_out *o, char **out, size_t *len);

#endif
