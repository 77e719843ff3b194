/* SPDX-License-Identifier: Apache-2.0 */
/* Request bodies: what the host asks of the agent. */
#include "common/proto_body.h"
#include "common/error.h"
#include "common/net_config.h"

#include <stdlib.h>
#include <string.h>

static void hello_enc(struct json_out *o, const union proto_body *b)
{
	if (b->hello.version == 0 || strlen(b->hello.software) > PROTO_SOFTWARE_MAX) {
		proto_put_fail(o, "'hello': bad version or software string");
		return;
	}
	json_out_ku64(o, "version", b->hello.version);
	json_out_kstr(o, "runtime", b->hello.software);
}

static int hello_dec(yajl_val v, union proto_body *b)
{
	int ret = json_get_u32(v, "version", true, 1, UINT32_MAX, &b->hello.version);

	if (ret < 0)
		return ret;
	return json_get_strbuf(v, "runtime", true, b->hello.software, sizeof(b->hello.software));
}

/* The rootfs is named relative to the guest's shared directory and must stay inside it. */
static int rootfs_check(const char *path, int errnum)
{
	const char *p = path;

	if (!*path || *path == '/')
		return err_setx(errnum, "'rootfs': must be a non-empty relative path");
	if (strlen(path) > PROTO_PATH_MAX)
		return err_setx(errnum, "'rootfs': longer than %d bytes", PROTO_PATH_MAX);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return err_setx(errnum, "'rootfs': '..' is not allowed");
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

static void create_enc(struct json_out *o, const union proto_body *b)
{
	const struct proto_create *c = &b->create;
	int ret;

	proto_put_name(o, "container_id", c->container_id, false);
	if (!o->err && (ret = rootfs_check(c->rootfs ? c->rootfs : "", EINVAL)) < 0)
		json_out_fail(o, ret);
	json_out_kstr(o, "rootfs", c->rootfs);
	json_out_raw_object(o, "spec", c->spec_json, PROTO_JSON_MAX);
	proto_put_stdio(o, &c->stdio);
	proto_put_fds(o, &c->fds);
	proto_put_name(o, "pod", c->pod, true);
}

static int create_dec(yajl_val v, union proto_body *b)
{
	struct proto_create *c = &b->create;
	int ret;

	if ((ret = proto_get_name(v, "container_id", true, c->container_id)) < 0 ||
	    (ret = json_get_str(v, "rootfs", true, PROTO_PATH_MAX, &c->rootfs)) < 0 ||
	    (ret = rootfs_check(c->rootfs, EBADMSG)) < 0 ||
	    (ret = json_get_raw_object(v, "spec", true, PROTO_JSON_MAX, &c->spec_json)) < 0 ||
	    (ret = proto_get_stdio(v, &c->stdio)) < 0 ||
	    (ret = proto_get_name(v, "pod", false, c->pod)) < 0)
		return ret;
	return proto_get_fds(v, &c->fds);
}

static void create_free(union proto_body *b)
{
	free(b->create.rootfs);
	free(b->create.spec_json);
}

static void container_enc(struct json_out *o, const union proto_body *b)
{
	proto_put_name(o, "container_id", b->container.container_id, false);
}

static int container_dec(yajl_val v, union proto_body *b)
{
	return proto_get_name(v, "container_id", true, b->container.container_id);
}

static void process_enc(struct json_out *o, const union proto_body *b)
{
	proto_put_name(o, "container_id", b->process.container_id, false);
	proto_put_name(o, "exec_id", b->process.exec_id, true);
	if (b->process.owner)
		json_out_kbool(o, "owner", true);
}

static int process_dec(yajl_val v, union proto_body *b)
{
	int ret = proto_get_name(v, "container_id", true, b->process.container_id);

	if (ret < 0 || (ret = proto_get_name(v, "exec_id", false, b->process.exec_id)) < 0)
		return ret;
	ret = json_get_bool(v, "owner", false, &b->process.owner);
	return ret < 0 ? ret : 0;
}

/* A tty process has only the tty stream; a pipe process has no tty stream. */
static int exec_check_tty(const struct proto_exec *e, int errnum)
{
	const struct proto_stdio *s = &e->stdio;

	if (e->tty && (s->stdin_port || s->stdout_port || s->stderr_port))
		return err_setx(errnum, "'stdio': a tty process takes only a tty stream");
	if (!e->tty && s->tty_port)
		return err_setx(errnum, "'stdio': a tty stream needs 'tty': true");
	return 0;
}

static void exec_enc(struct json_out *o, const union proto_body *b)
{
	const struct proto_exec *e = &b->exec;
	int ret;

	proto_put_name(o, "container_id", e->container_id, false);
	proto_put_name(o, "exec_id", e->exec_id, false);
	json_out_raw_object(o, "process", e->process_json, PROTO_JSON_MAX);
	if (!o->err && (ret = exec_check_tty(e, EINVAL)) < 0)
		json_out_fail(o, ret);
	proto_put_stdio(o, &e->stdio);
	proto_put_fds(o, &e->fds);
	json_out_kbool(o, "tty", e->tty);
}

static int exec_dec(yajl_val v, union proto_body *b)
{
	struct proto_exec *e = &b->exec;
	int ret;

	if ((ret = proto_get_name(v, "container_id", true, e->container_id)) < 0 ||
	    (ret = proto_get_name(v, "exec_id", true, e->exec_id)) < 0 ||
	    (ret = json_get_raw_object(v, "process", true, PROTO_JSON_MAX, &e->process_json)) < 0 ||
	    (ret = proto_get_stdio(v, &e->stdio)) < 0 || (ret = proto_get_fds(v, &e->fds)) < 0 ||
	    (ret = json_get_bool(v, "tty", false, &e->tty)) < 0)
		return ret;
	return exec_check_tty(e, EBADMSG);
}

static void exec_free(union proto_body *b)
{
	free(b->exec.process_json);
}

static void signal_enc(struct json_out *o, const union proto_body *b)
{
	const struct proto_signal *s = &b->signal;

	if (s->signal < 1 || s->signal > PROTO_SIGNAL_MAX)
		proto_put_fail(o, "'signal': %u is out of range", s->signal);
	if (s->all && s->exec_id[0])
		proto_put_fail(o, "'all' and 'exec_id' exclude each other");
	proto_put_name(o, "container_id", s->container_id, false);
	proto_put_name(o, "exec_id", s->exec_id, true);
	if (s->all)
		json_out_kbool(o, "all", true);
	json_out_ku64(o, "signal", s->signal);
}

static int signal_dec(yajl_val v, union proto_body *b)
{
	struct proto_signal *s = &b->signal;
	int ret;

	if ((ret = proto_get_name(v, "container_id", true, s->container_id)) < 0 ||
	    (ret = proto_get_name(v, "exec_id", false, s->exec_id)) < 0 ||
	    (ret = json_get_bool(v, "all", false, &s->all)) < 0 ||
	    (ret = json_get_u32(v, "signal", true, 1, PROTO_SIGNAL_MAX, &s->signal)) < 0)
		return ret;
	if (s->all && s->exec_id[0])
		return err_setx(EBADMSG, "'all' and 'exec_id' exclude each other");
	return 0;
}

static void resize_enc(struct json_out *o, const union proto_body *b)
{
	const struct proto_resize *r = &b->resize;

	if (r->rows > UINT16_MAX || r->cols > UINT16_MAX)
		proto_put_fail(o, "'rows'/'cols': %ux%u is out of range", r->rows, r->cols);
	proto_put_name(o, "container_id", r->container_id, false);
	proto_put_name(o, "exec_id", r->exec_id, true);
	json_out_ku64(o, "rows", r->rows);
	json_out_ku64(o, "cols", r->cols);
}

static int resize_dec(yajl_val v, union proto_body *b)
{
	struct proto_resize *r = &b->resize;
	int ret;

	if ((ret = proto_get_name(v, "container_id", true, r->container_id)) < 0 ||
	    (ret = proto_get_name(v, "exec_id", false, r->exec_id)) < 0 ||
	    (ret = json_get_u32(v, "rows", true, 0, UINT16_MAX, &r->rows)) < 0)
		return ret;
	return json_get_u32(v, "cols", true, 0, UINT16_MAX, &r->cols);
}

static void update_enc(struct json_out *o, const union proto_body *b)
{
	proto_put_name(o, "container_id", b->update.container_id, false);
	json_out_raw_object(o, "resources", b->update.resources_json, PROTO_JSON_MAX);
}

static int update_dec(yajl_val v, union proto_body *b)
{
	int ret = proto_get_name(v, "container_id", true, b->update.container_id);

	if (ret < 0)
		return ret;
	return json_get_raw_object(v, "resources", true, PROTO_JSON_MAX, &b->update.resources_json);
}

static void update_free(union proto_body *b)
{
	free(b->update.resources_json);
}

static void network_enc(struct json_out *o, const union proto_body *b)
{
	if (!b->network.net) {
		proto_put_fail(o, "'network': no configuration");
		return;
	}
	net_config_put(o, "network", b->network.net);
}

static int network_dec(yajl_val v, union proto_body *b)
{
	return net_config_get(v, "network", true, &b->network.net);
}

static void network_free(union proto_body *b)
{
	free(b->network.net);
	b->network.net = NULL;
}

#define CONTAINER                                                                                  \
	{                                                                                          \
		container_enc, container_dec, NULL                                                 \
	}
#define PROCESS                                                                                    \
	{                                                                                          \
		process_enc, process_dec, NULL                                                     \
	}

const struct proto_codec proto_request_codecs[PROTO_OP_COUNT] = {
    [PROTO_OP_HELLO] = {hello_enc, hello_dec, NULL},
    [PROTO_OP_CREATE] = {create_enc, create_dec, create_free},
    [PROTO_OP_START] = CONTAINER,
    [PROTO_OP_EXEC] = {exec_enc, exec_dec, exec_free},
    [PROTO_OP_SIGNAL] = {signal_enc, signal_dec, NULL},
    [PROTO_OP_WAIT] = PROCESS,
    [PROTO_OP_CLOSE_STDIN] = PROCESS,
    [PROTO_OP_RESIZE] = {resize_enc, resize_dec, NULL},
    [PROTO_OP_PS] = CONTAINER,
    [PROTO_OP_STATS] = CONTAINER,
    [PROTO_OP_PAUSE] = CONTAINER,
    [PROTO_OP_RESUME] = CONTAINER,
    [PROTO_OP_UPDATE] = {update_enc, update_dec, update_free},
    [PROTO_OP_DESTROY] = CONTAINER,
    [PROTO_OP_SHUTDOWN] = {NULL, NULL, NULL},
    [PROTO_OP_NETWORK] = {network_enc, network_dec, network_free},
};
