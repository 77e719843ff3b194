/* SPDX-License-Identifier: Apache-2.0 */
/* Reply and event bodies: what the agent tells the host. */
#include "common/proto_body.h"
#include "common/error.h"

#include <stdlib.h>
#include <string.h>

static void hello_enc(struct json_out *o, const union proto_body *b)
{
	if (b->hello.version == 0 || strlen(b->hello.software) > PROTO_SOFTWARE_MAX) {
		proto_put_fail(o, "'hello': bad version or software string");
		return;
	}
	json_out_ku64(o, "version", b->hello.version);
	json_out_kstr(o, "agent", b->hello.software);
}

static int hello_dec(yajl_val v, union proto_body *b)
{
	int ret = json_get_u32(v, "version", true, 1, UINT32_MAX, &b->hello.version);

	if (ret < 0)
		return ret;
	return json_get_strbuf(v, "agent", true, b->hello.software, sizeof(b->hello.software));
}

static void status_enc(struct json_out *o, const union proto_body *b)
{
	proto_put_status(o, &b->status);
}

static int status_dec(yajl_val v, union proto_body *b)
{
	return proto_get_status(v, &b->status);
}

/* A terminal name: letters, digits and '/', as "pts/3"; "" for none. */
static bool tty_ok(const char *s)
{
	size_t len = strlen(s);

	return len <= PROTO_TTY_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/") == len;
}

static void proc_enc(struct json_out *o, const struct proto_proc *pr, uint32_t pid)
{
	if (pr->pid != pid || pr->ppid > PROTO_PID_MAX || !tty_ok(pr->tty) || !pr->cmd ||
	    strlen(pr->cmd) > PROTO_CMD_MAX)
		proto_put_fail(o, "'procs': bad entry for pid %u", pid);
	if (o->err)
		return;
	json_out_map_open(o);
	json_out_ku64(o, "pid", pr->pid);
	json_out_ku64(o, "ppid", pr->ppid);
	json_out_ku64(o, "uid", pr->uid);
	json_out_ku64(o, "start", pr->start);
	json_out_ku64(o, "cpu_ms", pr->cpu_ms);
	if (pr->tty[0])
		json_out_kstr(o, "tty", pr->tty);
	json_out_kstr(o, "cmd", pr->cmd);
	json_out_map_close(o);
}

static void pids_enc(struct json_out *o, const union proto_body *b)
{
	const struct proto_pids *p = &b->pids;

	if (p->count > PROTO_PIDS_MAX || (p->count && !p->pids)) {
		proto_put_fail(o, "'pids': %zu entries", p->count);
		return;
	}
	json_out_str(o, "pids");
	json_out_array_open(o);
	for (size_t i = 0; i < p->count; i++) {
		if (p->pids[i] < 1 || p->pids[i] > PROTO_PID_MAX)
			proto_put_fail(o, "'pids': %u is out of range", p->pids[i]);
		json_out_u64(o, p->pids[i]);
	}
	json_out_array_close(o);
	if (!p->procs)
		return;
	json_out_str(o, "procs");
	json_out_array_open(o);
	for (size_t i = 0; i < p->count; i++)
		proc_enc(o, &p->procs[i], p->pids[i]);
	json_out_array_close(o);
}

static int proc_dec(yajl_val v, struct proto_proc *pr, uint32_t pid)
{
	int ret;

	if (!YAJL_IS_OBJECT(v))
		return err_setx(EBADMSG, "'procs': expected objects");
	if ((ret = json_get_u32(v, "pid", true, 1, PROTO_PID_MAX, &pr->pid)) < 0 ||
	    (ret = json_get_u32(v, "ppid", true, 0, PROTO_PID_MAX, &pr->ppid)) < 0 ||
	    (ret = json_get_u32(v, "uid", true, 0, UINT32_MAX, &pr->uid)) < 0 ||
	    (ret = json_get_u64(v, "start", true, 0, UINT64_MAX, &pr->start)) < 0 ||
	    (ret = json_get_u64(v, "cpu_ms", true, 0, UINT64_MAX, &pr->cpu_ms)) < 0 ||
	    (ret = json_get_strbuf(v, "tty", false, pr->tty, sizeof(pr->tty))) < 0 ||
	    (ret = json_get_str(v, "cmd", true, PROTO_CMD_MAX, &pr->cmd)) < 0)
		return ret;
	if (pr->pid != pid)
		return err_setx(EBADMSG, "'procs': pid %u where the pids say %u", pr->pid, pid);
	if (!tty_ok(pr->tty))
		return err_setx(EBADMSG, "'procs': bad tty name");
	return 0;
}

/* The optional per-pid details; absent leaves procs NULL. */
static int procs_dec(yajl_val v, struct proto_pids *p)
{
	yajl_val a = NULL;
	int ret = json_get(v, "procs", false, &a);

	if (ret != 0)
		return ret < 0 ? ret : 0;
	if (!YAJL_IS_ARRAY(a))
		return err_setx(EBADMSG, "'procs': expected an array");
	if (a->u.array.len != p->count)
		return err_setx(EBADMSG, "'procs': %zu entries for %zu pids", a->u.array.len,
				p->count);
	p->procs = calloc(p->count ? p->count : 1, sizeof(*p->procs));
	if (!p->procs)
		return err_set(ENOMEM, "'procs'");
	for (size_t i = 0; i < p->count; i++)
		if ((ret = proc_dec(a->u.array.values[i], &p->procs[i], p->pids[i])) < 0)
			return ret;
	return 0;
}

static int pids_dec(yajl_val v, union proto_body *b)
{
	struct proto_pids *p = &b->pids;
	yajl_val a = NULL;
	int ret = json_get(v, "pids", true, &a);

	if (ret < 0)
		return ret;
	if (!YAJL_IS_ARRAY(a))
		return err_setx(EBADMSG, "'pids': expected an array");
	if (a->u.array.len > PROTO_PIDS_MAX)
		return err_setx(EBADMSG, "'pids': more than %d entries", PROTO_PIDS_MAX);
	if (a->u.array.len) {
		p->pids = calloc(a->u.array.len, sizeof(*p->pids));
		if (!p->pids)
			return err_set(ENOMEM, "'pids'");
	}
	for (size_t i = 0; i < a->u.array.len; i++) {
		uint64_t pid;

		ret = json_val_u64(a->u.array.values[i], "pids", 1, PROTO_PID_MAX, &pid);
		if (ret < 0)
			return ret;
		p->pids[p->count++] = pid;
	}
	return procs_dec(v, p);
}

void proto_pids_free(struct proto_pids *p)
{
	for (size_t i = 0; p->procs && i < p->count; i++)
		free(p->procs[i].cmd);
	free(p->procs);
	free(p->pids);
	memset(p, 0, sizeof(*p));
}

static void pids_free(union proto_body *b)
{
	proto_pids_free(&b->pids);
}

/* A limit: left out when unlimited. */
static void stats_put_limit(struct json_out *o, const char *key, uint64_t v)
{
	if (v != PROTO_UNLIMITED)
		json_out_ku64(o, key, v);
}

static void stats_enc(struct json_out *o, const union proto_body *b)
{
	const struct proto_stats *s = &b->stats;

	json_out_str(o, "cpu");
	json_out_map_open(o);
	json_out_ku64(o, "usage_ns", s->cpu_usage_ns);
	json_out_map_close(o);
	json_out_str(o, "memory");
	json_out_map_open(o);
	json_out_ku64(o, "usage", s->memory_usage);
	stats_put_limit(o, "limit", s->memory_limit);
	json_out_map_close(o);
	json_out_str(o, "pids");
	json_out_map_open(o);
	json_out_ku64(o, "current", s->pids_current);
	stats_put_limit(o, "limit", s->pids_limit);
	json_out_map_close(o);
	json_out_str(o, "io");
	json_out_map_open(o);
	json_out_ku64(o, "read_bytes", s->io_read_bytes);
	json_out_ku64(o, "write_bytes", s->io_write_bytes);
	json_out_map_close(o);
}

static int stats_get(yajl_val v, const char *section, const char *key, bool required, uint64_t *out)
{
	yajl_val sec = NULL;
	int ret = json_get_object(v, section, true, &sec);

	if (ret < 0)
		return ret;
	ret = json_get_u64(sec, key, required, 0, UINT64_MAX, out);
	if (ret < 0)
		return err_prefix(ret, "'%s'", section);
	return 0;
}

static int stats_dec(yajl_val v, union proto_body *b)
{
	struct proto_stats *s = &b->stats;
	int ret;

	s->memory_limit = PROTO_UNLIMITED;
	s->pids_limit = PROTO_UNLIMITED;
	if ((ret = stats_get(v, "cpu", "usage_ns", true, &s->cpu_usage_ns)) < 0 ||
	    (ret = stats_get(v, "memory", "usage", true, &s->memory_usage)) < 0 ||
	    (ret = stats_get(v, "memory", "limit", false, &s->memory_limit)) < 0 ||
	    (ret = stats_get(v, "pids", "current", true, &s->pids_current)) < 0 ||
	    (ret = stats_get(v, "pids", "limit", false, &s->pids_limit)) < 0 ||
	    (ret = stats_get(v, "io", "read_bytes", true, &s->io_read_bytes)) < 0)
		return ret;
	return stats_get(v, "io", "write_bytes", true, &s->io_write_bytes);
}

static void container_enc(struct json_out *o, const union proto_body *b)
{
	proto_put_name(o, "container_id", b->container.container_id, false);
}

static int container_dec(yajl_val v, union proto_body *b)
{
	return proto_get_name(v, "container_id", true, b->container.container_id);
}

static void exit_enc(struct json_out *o, const union proto_body *b)
{
	const struct proto_exit *e = &b->exit;

	if (e->pid < 1 || e->pid > PROTO_PID_MAX)
		proto_put_fail(o, "'pid': %u is out of range", e->pid);
	proto_put_name(o, "container_id", e->container_id, false);
	proto_put_name(o, "exec_id", e->exec_id, true);
	json_out_ku64(o, "pid", e->pid);
	proto_put_status(o, &e->status);
}

static int exit_dec(yajl_val v, union proto_body *b)
{
	struct proto_exit *e = &b->exit;
	int ret;

	if ((ret = proto_get_name(v, "container_id", true, e->container_id)) < 0 ||
	    (ret = proto_get_name(v, "exec_id", false, e->exec_id)) < 0 ||
	    (ret = json_get_u32(v, "pid", true, 1, PROTO_PID_MAX, &e->pid)) < 0)
		return ret;
	return proto_get_status(v, &e->status);
}

const struct proto_codec proto_reply_codecs[PROTO_OP_COUNT] = {
    [PROTO_OP_HELLO] = {hello_enc, hello_dec, NULL},
    [PROTO_OP_WAIT] = {status_enc, status_dec, NULL},
    [PROTO_OP_PS] = {pids_enc, pids_dec, pids_free},
    [PROTO_OP_STATS] = {stats_enc, stats_dec, NULL},
};

const struct proto_codec proto_event_codecs[PROTO_EVENT_COUNT] = {
    [PROTO_EVENT_EXIT] = {exit_enc, exit_dec, NULL},
    [PROTO_EVENT_OOM] = {container_enc, container_dec, NULL},
};
