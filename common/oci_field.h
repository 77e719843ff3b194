/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed field access for the OCI parsers (config.json, state.json). Each
 * getter names the field by its dotted path in its message
 * ("config.json: process.args: must be a non-empty array of strings") and
 * returns 0 when the field was found and stored, 1 when it is absent and
 * not required (*out untouched), or -EINVAL.
 */
#ifndef OZONE_COMMON_OCI_FIELD_H
#define OZONE_COMMON_OCI_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

/* Where a field lives: the file's name and the dotted path of its parent. */
struct oci_where {
	const char *file; /* "config.json" */
	const char *path; /* "process.user", or "" at the top level */
};

/* Records "<file>: <path>.<key>: <why>" and returns -EINVAL. */
int oci_bad(const struct oci_where *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Builds the path of a child ("process" + "user" -> "process.user") into buf. */
const char *oci_child(const struct oci_where *w, const char *key, char *buf, size_t size);

int oci_get(const struct oci_where *w, yajl_val obj, const char *key, bool required, yajl_val *out);
int oci_get_object(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		   yajl_val *out);
int oci_get_bool(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		 bool *out);
int oci_get_u64(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		uint64_t max, uint64_t *out);
int oci_get_u32(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		uint32_t max, uint32_t *out);
int oci_get_i64(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		int64_t min, int64_t max, int64_t *out);
/* A string of 1..max bytes (0..max when empty_ok), malloc'd. */
int oci_get_str(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		bool empty_ok, size_t max, char **out);
/* An array of strings, each of at most max bytes; NULL-terminated, malloc'd. */
int oci_get_strv(const struct oci_where *w, yajl_val obj, const char *key, bool required,
		 bool nonempty, size_t max, char ***out, size_t *n);
/* An object whose values are strings: keys[i] = values[i], malloc'd pairs. */
struct oci_kv {
	char *key;
	char *value;
};
int oci_get_kv(const struct oci_where *w, yajl_val obj, const char *key, bool required,
	       struct oci_kv **out, size_t *n);
/* An object kept as its JSON text (at most max bytes), malloc'd. */
int oci_get_raw(const struct oci_where *w, yajl_val obj, const char *key, bool required, size_t max,
		char **out);

void oci_strv_free(char **v);
void oci_kv_free(struct oci_kv *kv, size_t n);

#endif
