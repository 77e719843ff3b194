/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the protocol codec: one table entry per op and event says how its
 * body is written and read, and the field helpers check the values that
 * several bodies share (ids, ports, exit statuses) the same way in both
 * directions.
 */
#ifndef OZONE_COMMON_PROTO_BODY_H
#define OZONE_COMMON_PROTO_BODY_H

#include "common/json.h"
#include "common/proto.h"

struct proto_codec {
	/* Writes the body's fields into an open map; failures go to o->err. NULL: no fields. */
	void (*enc)(struct json_out *o, const union proto_body *b);
	/* Reads a body object into a zeroed b; -EBADMSG. NULL: no fields. */
	int (*dec)(yajl_val body, union proto_body *b);
	/* Frees the body's heap fields. NULL: none. */
	void (*free)(union proto_body *b);
};

extern const struct proto_codec proto_request_codecs[PROTO_OP_COUNT];
extern const struct proto_codec proto_reply_codecs[PROTO_OP_COUNT];
extern const struct proto_codec proto_event_codecs[PROTO_EVENT_COUNT];

/* A container or exec id: 1..PROTO_NAME_MAX of [A-Za-z0-9_.+-], not "." or "..". */
int proto_check_name(const char *what, const char *s, bool may_be_empty, int errnum);
/* An id field; absent optional ids read as "". */
int proto_get_name(yajl_val obj, const char *key, bool required, char *dst);
/* Writes an id field; an empty optional one is left out. */
void proto_put_name(struct json_out *o, const char *key, const char *s, bool optional);

/* Ports in range; a tty port excludes the three pipe ports. */
int proto_check_stdio(const struct proto_stdio *s, int errnum);
/* The "stdio" field; absent reads as no streams. */
int proto_get_stdio(yajl_val obj, struct proto_stdio *s);
void proto_put_stdio(struct json_out *o, const struct proto_stdio *s);

/* The optional "fds" field: 1..PROTO_FDS_MAX directions and a port; absent reads as none. */
int proto_check_fds(const struct proto_fds *f, int errnum);
int proto_get_fds(yajl_val obj, struct proto_fds *f);
void proto_put_fds(struct json_out *o, const struct proto_fds *f);

int proto_get_status(yajl_val obj, struct proto_status *s);
void proto_put_status(struct json_out *o, const struct proto_status *s);

/* Records a schema violation found while encoding (-EINVAL) into o. */
void proto_put_fail(struct json_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
