/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI state of a container, as `runc state` prints it and as ozone
 * keeps it in <root>/<id>/state.json, and the container id rule.
 */
#ifndef OZONE_COMMON_OCI_STATE_H
#define OZONE_COMMON_OCI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/json.h"
#include "common/oci_field.h"

#define OCI_ID_MAX 255
#define OCI_STATE_SIZE_MAX (1u << 20)

/* runc's rule: [A-Za-z0-9_+.-]+, not "." or "..", at most 255 bytes. */
int oci_id_check(const char *id);

struct oci_state {
	char *oci_version;
	char *id;
	int pid;      /* the proxy's pid; 0 when there is none */
	char *status; /* creating created running paused stopped */
	char *bundle;
	char *rootfs;
	char *created; /* Go's RFC3339Nano in UTC, as runc writes it */
	char *owner;
	struct oci_kv *annotations;
	size_t n_annotations;
	/* Kept in state.json only: the pid's start time (/proc/PID/stat), against pid reuse. */
	uint64_t pid_start;
};

/* Writes st as one JSON object into o (runc's fields; the private ones too if asked). */
void oci_state_out(struct json_out *o, const struct oci_state *st, bool with_private);
/* One JSON document: runc's `state` layout (2-space indent) when pretty. */
int oci_state_to_json(const struct oci_state *st, bool pretty, bool with_private, char **out,
		      size_t *len);
/* Parses state.json; "file" names it in messages. */
int oci_state_parse(const char *file, const char *text, size_t len, struct oci_state *st);
void oci_state_free(struct oci_state *st);

#endif
