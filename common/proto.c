/* SPDX-License-Identifier: Apache-2.0 */
/* The message envelope: requests, replies and events around their bodies. */
#include "common/proto.h"
#include "common/proto_body.h"
#include "common/error.h"
#include "common/escape.h"
#include "common/frame.h"

#include <stdlib.h>
#include <string.h>

#define PROTO_ERRNO_MAX 4095 /* the kernel's MAX_ERRNO */
#define PROTO_OP_NAME_MAX 31

static const char *const proto_op_names[PROTO_OP_COUNT] = {
    [PROTO_OP_HELLO] = "hello",
    [PROTO_OP_CREATE] = "create",
    [PROTO_OP_START] = "start",
    [PROTO_OP_EXEC] = "exec",
    [PROTO_OP_SIGNAL] = "signal",
    [PROTO_OP_WAIT] = "wait",
    [PROTO_OP_CLOSE_STDIN] = "close_stdin",
    [PROTO_OP_RESIZE] = "resize",
    [PROTO_OP_PS] = "ps",
    [PROTO_OP_STATS] = "stats",
    [PROTO_OP_PAUSE] = "pause",
    [PROTO_OP_RESUME] = "resume",
    [PROTO_OP_UPDATE] = "update",
    [PROTO_OP_DESTROY] = "destroy",
    [PROTO_OP_SHUTDOWN] = "shutdown",
    [PROTO_OP_NETWORK] = "network",
};

static const char *const proto_event_names[PROTO_EVENT_COUNT] = {
    [PROTO_EVENT_EXIT] = "exit",
    [PROTO_EVENT_OOM] = "oom",
};

const char *proto_op_name(enum proto_op op)
{
	return (op > PROTO_OP_NONE && op < PROTO_OP_COUNT) ? proto_op_names[op] : NULL;
}

const char *proto_event_name(enum proto_event ev)
{
	return (ev > PROTO_EVENT_NONE && ev < PROTO_EVENT_COUNT) ? proto_event_names[ev] : NULL;
}

static int proto_lookup(const char *const *names, int count, const char *name)
{
	for (int i = 1; i < count; i++)
		if (!strcmp(names[i], name))
			return i;
	return 0;
}

static void proto_put_body(struct json_out *o, const struct proto_codec *c,
			   const union proto_body *b)
{
	json_out_str(o, "body");
	json_out_map_open(o);
	if (c->enc)
		c->enc(o, b);
	json_out_map_close(o);
}

/* Error text goes out as printable ASCII, cut to the limit: it is only for people to read. */
static void proto_put_error(struct json_out *o, const char *msg)
{
	char buf[PROTO_ERROR_MAX + 1];
	size_t i;

	for (i = 0; msg[i] && i < PROTO_ERROR_MAX; i++) {
		unsigned char c = msg[i];

		buf[i] = (c < 0x20 || c >= 0x7f) ? '?' : c;
	}
	buf[i] = '\0';
	json_out_kstr(o, "error", buf);
}

static int proto_encode_envelope(struct json_out *o, const struct proto_msg *m)
{
	switch (m->kind) {
	case PROTO_REQUEST:
		if (!proto_op_name(m->op))
			return err_setx(EINVAL, "unknown op %d", (int)m->op);
		if (m->id > PROTO_ID_MAX)
			return err_setx(EINVAL, "request id out of range");
		json_out_ku64(o, "v", PROTO_VERSION);
		json_out_ku64(o, "id", m->id);
		json_out_kstr(o, "op", proto_op_name(m->op));
		proto_put_body(o, &proto_request_codecs[m->op], &m->body);
		return 0;
	case PROTO_REPLY:
		if (m->id > PROTO_ID_MAX)
			return err_setx(EINVAL, "reply id out of range");
		json_out_ku64(o, "id", m->id);
		if (m->err) {
			if (m->err < 0 || m->err > PROTO_ERRNO_MAX)
				return err_setx(EINVAL, "reply errno %d out of range", m->err);
			json_out_kbool(o, "ok", false);
			json_out_ku64(o, "errno", m->err);
			proto_put_error(o, m->error ? m->error : strerror(m->err));
			return 0;
		}
		if (m->op != PROTO_OP_NONE && !proto_op_name(m->op))
			return err_setx(EINVAL, "unknown op %d", (int)m->op);
		json_out_kbool(o, "ok", true);
		proto_put_body(o, &proto_reply_codecs[m->op], &m->body);
		return 0;
	case PROTO_EVENT:
		if (!proto_event_name(m->event))
			return err_setx(EINVAL, "unknown event %d", (int)m->event);
		json_out_kstr(o, "event", proto_event_name(m->event));
		proto_put_body(o, &proto_event_codecs[m->event], &m->body);
		return 0;
	}
	return err_setx(EINVAL, "unknown message kind %d", (int)m->kind);
}

int proto_encode(const struct proto_msg *m, char **out, size_t *len)
{
	struct json_out o;
	int ret;

	*out = NULL;
	*len = 0;
	ret = json_out_init(&o);
	if (ret < 0)
		return ret;
	json_out_map_open(&o);
	ret = proto_encode_envelope(&o, m);
	if (ret < 0)
		json_out_fail(&o, ret);
	json_out_map_close(&o);
	ret = json_out_finish(&o, out, len);
	if (ret == 0 && *len > FRAME_MAX) {
		free(*out);
		*out = NULL;
		ret = err_setx(EMSGSIZE, "message of %zu bytes exceeds the frame limit", *len);
	}
	if (ret < 0) {
		const char *name =
		    m->kind == PROTO_EVENT ? proto_event_name(m->event) : proto_op_name(m->op);

		return err_prefix(ret, "encoding '%s'", name ? name : "?");
	}
	return 0;
}

/* Stands in for an absent body: the same checks then apply as to "body":{}. */
static struct yajl_val_s proto_empty_body = {.type = yajl_t_object};

static int proto_body_of(yajl_val root, yajl_val *body)
{
	int ret = json_get_object(root, "body", false, body);

	if (ret > 0)
		*body = &proto_empty_body;
	return ret < 0 ? ret : 0;
}

static int proto_decode_name(yajl_val root, const char *key, const char *const *names, int count,
			     int *out)
{
	yajl_val v = NULL;
	int ret = json_get(root, key, true, &v);

	if (ret < 0)
		return ret;
	if (!YAJL_IS_STRING(v))
		return err_setx(EBADMSG, "'%s': expected a string", key);
	if (strlen(v->u.string) > PROTO_OP_NAME_MAX)
		return err_setx(EOPNOTSUPP, "unknown %s", key);
	*out = proto_lookup(names, count, v->u.string);
	if (!*out) {
		char name[ESCAPE_TEXT_MAX];

		return err_setx(EOPNOTSUPP, "unknown %s '%s'", key,
				escape_str(name, sizeof(name), v->u.string));
	}
	return 0;
}

static int proto_decode_request(yajl_val root, struct proto_msg *m)
{
	yajl_val body = NULL;
	uint32_t v;
	int op, ret;

	m->kind = PROTO_REQUEST;
	/* The id first, so that whatever else is wrong can be answered. */
	if ((ret = json_get_u64(root, "id", true, 0, PROTO_ID_MAX, &m->id)) < 0)
		return ret;
	if ((ret = json_get_u32(root, "v", true, 0, UINT32_MAX, &v)) < 0)
		return ret;
	if (v != PROTO_VERSION)
		return err_setx(EPROTONOSUPPORT,
				"protocol version %u is not supported (this side speaks %d)", v,
				PROTO_VERSION);
	if ((ret = proto_decode_name(root, "op", proto_op_names, PROTO_OP_COUNT, &op)) < 0)
		return ret;
	m->op = op;
	if ((ret = proto_body_of(root, &body)) < 0)
		return ret;
	if (proto_request_codecs[op].dec)
		ret = proto_request_codecs[op].dec(body, &m->body);
	if (ret < 0)
		return err_prefix(ret, "'%s' body", proto_op_names[op]);
	return 0;
}

static int proto_decode_reply(yajl_val root, struct proto_msg *m)
{
	yajl_val body = NULL;
	uint32_t err;
	bool ok;
	int ret;

	m->kind = PROTO_REPLY;
	if ((ret = json_get_u64(root, "id", true, 0, PROTO_ID_MAX, &m->id)) < 0 ||
	    (ret = json_get_bool(root, "ok", true, &ok)) < 0)
		return ret;
	if (ok)
		return proto_body_of(root, &body);
	if ((ret = json_get_u32(root, "errno", true, 1, PROTO_ERRNO_MAX, &err)) < 0 ||
	    (ret = json_get_str(root, "error", true, PROTO_ERROR_MAX, &m->error)) < 0)
		return ret;
	m->err = err;
	return 0;
}

static int proto_decode_event(yajl_val root, struct proto_msg *m)
{
	yajl_val body = NULL;
	int ev, ret;

	m->kind = PROTO_EVENT;
	if ((ret = proto_decode_name(root, "event", proto_event_names, PROTO_EVENT_COUNT, &ev)) < 0)
		return ret;
	m->event = ev;
	if ((ret = proto_body_of(root, &body)) < 0)
		return ret;
	if (proto_event_codecs[ev].dec)
		ret = proto_event_codecs[ev].dec(body, &m->body);
	if (ret < 0)
		return err_prefix(ret, "'%s' body", proto_event_names[ev]);
	return 0;
}

/* Frees the body's heap fields, per the codec that filled them. */
static void proto_body_free(struct proto_msg *m)
{
	const struct proto_codec *c = NULL;

	if (m->kind == PROTO_REQUEST && proto_op_name(m->op))
		c = &proto_request_codecs[m->op];
	else if (m->kind == PROTO_REPLY && !m->err && proto_op_name(m->op))
		c = &proto_reply_codecs[m->op];
	else if (m->kind == PROTO_EVENT && proto_event_name(m->event))
		c = &proto_event_codecs[m->event];
	if (c && c->free)
		c->free(&m->body);
	memset(&m->body, 0, sizeof(m->body));
}

int proto_decode(const char *buf, size_t len, struct proto_msg *m)
{
	yajl_val root, v = NULL;
	int has_op, has_ok, has_event, ret;

	memset(m, 0, sizeof(*m));
	ret = json_parse(buf, len, &root);
	if (ret < 0)
		return ret;
	if (!YAJL_IS_OBJECT(root)) {
		ret = err_setx(EBADMSG, "message is not a JSON object");
		goto out;
	}
	if ((has_op = json_get(root, "op", false, &v)) < 0 ||
	    (has_ok = json_get(root, "ok", false, &v)) < 0 ||
	    (has_event = json_get(root, "event", false, &v)) < 0) {
		ret = has_op < 0 ? has_op : has_ok < 0 ? has_ok : has_event;
		goto out;
	}
	/* 0 means present: exactly one of the three says what the message is. */
	if (has_op + has_ok + has_event != 2)
		ret = err_setx(EBADMSG, "message must have exactly one of 'op', 'ok' and 'event'");
	else if (has_op == 0)
		ret = proto_decode_request(root, m);
	else if (has_ok == 0)
		ret = proto_decode_reply(root, m);
	else
		ret = proto_decode_event(root, m);
out:
	if (ret == 0 && m->kind == PROTO_REPLY && !m->err) {
		m->tree = root; /* the body waits for proto_decode_reply_body() */
		return 0;
	}
	yajl_tree_free(root);
	if (ret < 0) {
		proto_body_free(m);
		free(m->error);
		m->error = NULL;
		m->err = 0;
	}
	return ret;
}

int proto_decode_reply_body(struct proto_msg *m, enum proto_op op)
{
	yajl_val body = NULL;
	int ret;

	if (m->kind != PROTO_REPLY || m->err || !m->tree)
		return err_setx(EINVAL, "not an undecoded ok reply");
	if (!proto_op_name(op))
		return err_setx(EINVAL, "unknown op %d", (int)op);
	ret = proto_body_of(m->tree, &body);
	if (ret == 0 && proto_reply_codecs[op].dec)
		ret = proto_reply_codecs[op].dec(body, &m->body);
	yajl_tree_free(m->tree);
	m->tree = NULL;
	if (ret < 0) {
		m->op = op;
		proto_body_free(m);
		m->op = PROTO_OP_NONE;
		return err_prefix(ret, "reply to '%s'", proto_op_names[op]);
	}
	m->op = op;
	return 0;
}

void proto_msg_free(struct proto_msg *m)
{
	proto_body_free(m);
	free(m->error);
	yajl_tree_free(m->tree);
	memset(m, 0, sizeof(*m));
}

int proto_reply_error(const struct proto_msg *m)
{
	if (m->kind != PROTO_REPLY || !m->err)
		return 0;
	char text[448]; /* with "agent: ", within a recorded message */

	if (!m->error)
		return err_setx(m->err, "agent: %s", strerror(m->err));
	return err_setx(m->err, "agent: %s", escape_str(text, sizeof(text), m->error));
}

int proto_hello_check(const struct proto_hello *peer, const char *peer_name)
{
	char sw[ESCAPE_TEXT_MAX];

	if (peer->version == PROTO_VERSION)
		return 0;
	return err_setx(
	    EPROTONOSUPPORT, "%s %s speaks protocol version %u, this side speaks version %d",
	    peer_name, peer->software[0] ? escape_str(sw, sizeof(sw), peer->software) : "(unknown)",
	    peer->version, PROTO_VERSION);
}

int proto_send(int fd, const struct proto_msg *m)
{
	return proto_send_until(fd, m, 0);
}

int proto_send_until(int fd, const struct proto_msg *m, long long deadline)
{
	char *buf;
	size_t len;
	int ret = proto_encode(m, &buf, &len);

	if (ret < 0)
		return ret;
	ret = frame_write_until(fd, buf, len, deadline);
	free(buf);
	return ret;
}

int proto_recv(int fd, struct proto_msg *m)
{
	return proto_recv_until(fd, m, 0);
}

int proto_recv_until(int fd, struct proto_msg *m, long long deadline)
{
	char *buf;
	size_t len;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = frame_read_until(fd, &buf, &len, deadline);
	if (ret < 0 || !buf)
		return ret;
	ret = proto_decode(buf, len, m);
	free(buf);
	return ret;
}
