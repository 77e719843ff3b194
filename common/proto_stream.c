/* SPDX-License-Identifier: Apache-2.0 */
#include "common/proto_stream.h"
#include "common/proto_body.h"
#include "common/error.h"

#include <stdlib.h>
#include <string.h>

static const char *const proto_stream_names[PROTO_STREAM_COUNT] = {
    [PROTO_STREAM_STDIN] = "stdin",   [PROTO_STREAM_STDOUT] = "stdout",
    [PROTO_STREAM_STDERR] = "stderr", [PROTO_STREAM_TTY] = "tty",
    [PROTO_STREAM_FD] = "fd",
};

const char *proto_stream_name(enum proto_stream_kind kind)
{
	return (kind > PROTO_STREAM_NONE && kind < PROTO_STREAM_COUNT) ? proto_stream_names[kind]
								       : NULL;
}

int proto_stream_hdr_encode(const struct proto_stream_hdr *h, char **out, size_t *len)
{
	struct json_out o;
	int ret;

	*out = NULL;
	*len = 0;
	if (!proto_stream_name(h->kind))
		return err_setx(EINVAL, "stream header: unknown stream %d", (int)h->kind);
	if (h->kind == PROTO_STREAM_FD && h->index >= PROTO_FDS_MAX)
		return err_setx(EINVAL, "stream header: fd index %u out of range", h->index);
	ret = json_out_init(&o);
	if (ret < 0)
		return ret;
	json_out_map_open(&o);
	json_out_ku64(&o, "v", PROTO_VERSION);
	json_out_kstr(&o, "stream", proto_stream_name(h->kind));
	if (h->kind == PROTO_STREAM_FD)
		json_out_ku64(&o, "index", h->index);
	proto_put_name(&o, "container_id", h->container_id, false);
	proto_put_name(&o, "exec_id", h->exec_id, true);
	json_out_map_close(&o);
	ret = json_out_finish(&o, out, len);
	if (ret < 0)
		return err_prefix(ret, "stream header");
	return 0;
}

static int proto_stream_hdr_fields(yajl_val root, struct proto_stream_hdr *h)
{
	yajl_val kind = NULL;
	uint32_t v;
	int ret;

	if ((ret = json_get_u32(root, "v", true, 0, UINT32_MAX, &v)) < 0)
		return ret;
	if (v != PROTO_VERSION)
		return err_setx(EPROTONOSUPPORT, "protocol version %u is not supported", v);
	if ((ret = json_get(root, "stream", true, &kind)) < 0)
		return ret;
	if (!YAJL_IS_STRING(kind))
		return err_setx(EBADMSG, "'stream': expected a string");
	for (int i = 1; i < PROTO_STREAM_COUNT; i++)
		if (!strcmp(kind->u.string, proto_stream_names[i]))
			h->kind = i;
	if (!h->kind)
		return err_setx(EOPNOTSUPP, "unknown stream kind");
	if (h->kind == PROTO_STREAM_FD &&
	    (ret = json_get_u32(root, "index", true, 0, PROTO_FDS_MAX - 1, &h->index)) < 0)
		return ret;
	if ((ret = proto_get_name(root, "container_id", true, h->container_id)) < 0)
		return ret;
	return proto_get_name(root, "exec_id", false, h->exec_id);
}

int proto_stream_hdr_decode(const char *buf, size_t len, struct proto_stream_hdr *h)
{
	yajl_val root = NULL;
	int ret;

	memset(h, 0, sizeof(*h));
	if (len > PROTO_STREAM_HDR_MAX)
		return err_setx(EMSGSIZE, "stream header: %zu bytes exceeds the limit of %d", len,
				PROTO_STREAM_HDR_MAX);
	ret = json_parse(buf, len, &root);
	if (ret < 0)
		return err_prefix(ret, "stream header");
	if (YAJL_IS_OBJECT(root))
		ret = proto_stream_hdr_fields(root, h);
	else
		ret = err_setx(EBADMSG, "not a JSON object");
	yajl_tree_free(root);
	if (ret < 0) {
		memset(h, 0, sizeof(*h));
		return err_prefix(ret, "stream header");
	}
	return 0;
}
