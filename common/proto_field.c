/* SPDX-License-Identifier: Apache-2.0 */
#include "common/proto_body.h"
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void proto_put_fail(struct json_out *o, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (o->err)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_out_fail(o, err_setx(EINVAL, "%s", msg));
}

int proto_check_name(const char *what, const char *s, bool may_be_empty, int errnum)
{
	size_t len = strlen(s);

	if (len == 0) {
		if (may_be_empty)
			return 0;
		return err_setx(errnum, "'%s': empty", what);
	}
	if (len > PROTO_NAME_MAX)
		return err_setx(errnum, "'%s': longer than %d bytes", what, PROTO_NAME_MAX);
	/* Ids become path components in the guest: no '/', no "." or "..". */
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-") != len)
		return err_setx(errnum, "'%s': only letters, digits and _.+- are allowed", what);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return err_setx(errnum, "'%s': '%s' is not a valid id", what, s);
	return 0;
}

int proto_get_name(yajl_val obj, const char *key, bool required, char *dst)
{
	int ret = json_get_strbuf(obj, key, required, dst, PROTO_NAME_MAX + 1);

	if (ret < 0)
		return ret;
	if (ret > 0)
		dst[0] = '\0';
	return proto_check_name(key, dst, !required, EBADMSG);
}

void proto_put_name(struct json_out *o, const char *key, const char *s, bool optional)
{
	int ret;

	if (o->err)
		return;
	if (!s)
		s = "";
	if (optional && !*s)
		return;
	ret = proto_check_name(key, s, false, EINVAL);
	if (ret < 0) {
		json_out_fail(o, ret);
		return;
	}
	json_out_kstr(o, key, s);
}

static const char *const proto_stdio_keys[] = {"stdin", "stdout", "stderr", "tty"};

static uint32_t *proto_stdio_port(struct proto_stdio *s, size_t i)
{
	uint32_t *ports[] = {&s->stdin_port, &s->stdout_port, &s->stderr_port, &s->tty_port};

	return ports[i];
}

int proto_check_stdio(const struct proto_stdio *s, int errnum)
{
	if (s->stdin_port > PROTO_PORT_MAX || s->stdout_port > PROTO_PORT_MAX ||
	    s->stderr_port > PROTO_PORT_MAX || s->tty_port > PROTO_PORT_MAX)
		return err_setx(errnum, "'stdio': port out of range");
	if (s->tty_port && (s->stdin_port || s->stdout_port || s->stderr_port))
		return err_setx(errnum, "'stdio': a tty excludes stdin, stdout and stderr");
	return 0;
}

int proto_get_stdio(yajl_val obj, struct proto_stdio *s)
{
	yajl_val v = NULL;
	int ret = json_get_object(obj, "stdio", false, &v);

	memset(s, 0, sizeof(*s));
	if (ret != 0)
		return ret < 0 ? ret : 0;
	for (size_t i = 0; i < 4; i++) {
		ret = json_get_u32(v, proto_stdio_keys[i], false, 1, PROTO_PORT_MAX,
				   proto_stdio_port(s, i));
		if (ret < 0)
			return ret;
	}
	return proto_check_stdio(s, EBADMSG);
}

void proto_put_stdio(struct json_out *o, const struct proto_stdio *s)
{
	struct proto_stdio c = *s;
	int ret = proto_check_stdio(s, EINVAL);

	if (ret < 0) {
		json_out_fail(o, ret);
		return;
	}
	json_out_str(o, "stdio");
	json_out_map_open(o);
	for (size_t i = 0; i < 4; i++) {
		uint32_t port = *proto_stdio_port(&c, i);

		if (port)
			json_out_ku64(o, proto_stdio_keys[i], port);
	}
	json_out_map_close(o);
}

static const char *const proto_fd_dirs[] = {
    [PROTO_FD_IN] = "r", [PROTO_FD_OUT] = "w", [PROTO_FD_INOUT] = "rw"};

int proto_check_fds(const struct proto_fds *f, int errnum)
{
	if (f->count == 0)
		return 0;
	if (f->count > PROTO_FDS_MAX)
		return err_setx(errnum, "'fds': more than %d", PROTO_FDS_MAX);
	if (f->port < 1 || f->port > PROTO_PORT_MAX)
		return err_setx(errnum, "'fds': port out of range");
	for (uint32_t i = 0; i < f->count; i++)
		if (f->dir[i] < PROTO_FD_IN || f->dir[i] > PROTO_FD_INOUT)
			return err_setx(errnum, "'fds': bad direction for fd %u", 3 + i);
	return 0;
}

int proto_get_fds(yajl_val obj, struct proto_fds *f)
{
	yajl_val v = NULL, a = NULL;
	int ret = json_get_object(obj, "fds", false, &v);

	memset(f, 0, sizeof(*f));
	if (ret != 0)
		return ret < 0 ? ret : 0;
	if ((ret = json_get_u32(v, "port", true, 1, PROTO_PORT_MAX, &f->port)) < 0 ||
	    (ret = json_get(v, "dirs", true, &a)) < 0)
		return err_prefix(ret, "'fds'");
	if (!YAJL_IS_ARRAY(a) || a->u.array.len < 1 || a->u.array.len > PROTO_FDS_MAX)
		return err_setx(EBADMSG, "'fds': 'dirs' must be an array of 1 to %d",
				PROTO_FDS_MAX);
	for (size_t i = 0; i < a->u.array.len; i++) {
		const char *d =
		    YAJL_IS_STRING(a->u.array.values[i]) ? a->u.array.values[i]->u.string : "";

		for (int k = PROTO_FD_IN; k <= PROTO_FD_INOUT; k++)
			if (!strcmp(d, proto_fd_dirs[k]))
				f->dir[i] = k;
		if (!f->dir[i])
			return err_setx(EBADMSG,
					"'fds': direction %zu is not \"r\", \"w\" or \"rw\"", i);
	}
	f->count = a->u.array.len;
	return 0;
}

void proto_put_fds(struct json_out *o, const struct proto_fds *f)
{
	int ret = proto_check_fds(f, EINVAL);

	if (ret < 0) {
		json_out_fail(o, ret);
		return;
	}
	if (f->count == 0)
		return;
	json_out_str(o, "fds");
	json_out_map_open(o);
	json_out_ku64(o, "port", f->port);
	json_out_str(o, "dirs");
	json_out_array_open(o);
	for (uint32_t i = 0; i < f->count; i++)
		json_out_str(o, proto_fd_dirs[f->dir[i]]);
	json_out_array_close(o);
	json_out_map_close(o);
}

int proto_get_status(yajl_val obj, struct proto_status *s)
{
	int has_code, has_signal;

	memset(s, 0, sizeof(*s));
	has_code = json_get_u32(obj, "code", false, 0, 255, &s->code);
	if (has_code < 0)
		return has_code;
	has_signal = json_get_u32(obj, "signal", false, 1, PROTO_SIGNAL_MAX, &s->signal);
	if (has_signal < 0)
		return has_signal;
	/* 0 means found: exactly one of the two. */
	if (has_code == has_signal)
		return err_setx(EBADMSG, "exactly one of 'code' and 'signal' is required");
	return 0;
}

void proto_put_status(struct json_out *o, const struct proto_status *s)
{
	if (s->signal > PROTO_SIGNAL_MAX)
		proto_put_fail(o, "'signal': %u is out of range", s->signal);
	else if (s->signal)
		json_out_ku64(o, "signal", s->signal);
	else if (s->code > 255)
		proto_put_fail(o, "'code': %u is out of range", s->code);
	else
		json_out_ku64(o, "code", s->code);
}
