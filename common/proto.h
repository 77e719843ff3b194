/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host <-> agent control protocol (docs/protocol.md): one JSON message
 * per frame (common/frame.h). Requests go from the host to the agent and
 * carry an id that the reply echoes; events go from the agent to the host
 * unasked. OCI spec, process and resources objects travel as JSON objects
 * inside the body and are handed over here as JSON text, not modelled.
 *
 * Every decoder treats its input as hostile: any message that does not
 * match the schema, exceeds a limit, or names an unknown op or event is
 * refused with -EBADMSG (or -EOPNOTSUPP, -EPROTONOSUPPORT) and a message
 * saying which field is wrong.
 */
#ifndef OZONE_COMMON_PROTO_H
#define OZONE_COMMON_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_config;

#define PROTO_VERSION 1
/* The agent's control listener, in the guest. */
#define PROTO_AGENT_PORT 1024

/* Limits, in bytes unless said otherwise. */
#define PROTO_ID_MAX ((UINT64_C(1) << 53) - 1) /* exact in any JSON reader */
#define PROTO_NAME_MAX 255		       /* container and exec ids */
#define PROTO_SOFTWARE_MAX 63		       /* version strings in hello */
#define PROTO_PATH_MAX 4095
#define PROTO_ERROR_MAX 1023
#define PROTO_JSON_MAX (512u * 1024) /* an embedded spec, process or resources object */
#define PROTO_PIDS_MAX 65536	     /* entries in a ps reply */
#define PROTO_PID_MAX 4194304	     /* the kernel's PID_MAX_LIMIT */
#define PROTO_CMD_MAX 1023	     /* a ps entry's command line */
#define PROTO_TTY_MAX 31	     /* a ps entry's terminal name */
#define PROTO_FDS_MAX 64	     /* extra fds (--preserve-fds) of a process */
#define PROTO_SIGNAL_MAX 64	     /* SIGRTMAX */
#define PROTO_PORT_MAX 0xfffffffeu   /* -1U is VMADDR_PORT_ANY */
#define PROTO_UNLIMITED UINT64_MAX   /* a stats limit of "max" */

enum proto_kind {
	PROTO_REQUEST = 1,
	PROTO_REPLY,
	PROTO_EVENT,
};

enum proto_op {
	PROTO_OP_NONE = 0,
	PROTO_OP_HELLO,
	PROTO_OP_CREATE,
	PROTO_OP_START,
	PROTO_OP_EXEC,
	PROTO_OP_SIGNAL,
	PROTO_OP_WAIT,
	PROTO_OP_CLOSE_STDIN,
	PROTO_OP_RESIZE,
	PROTO_OP_PS,
	PROTO_OP_STATS,
	PROTO_OP_PAUSE,
	PROTO_OP_RESUME,
	PROTO_OP_UPDATE,
	PROTO_OP_DESTROY,
	PROTO_OP_SHUTDOWN,
	PROTO_OP_NETWORK,
	PROTO_OP_COUNT,
};

enum proto_event {
	PROTO_EVENT_NONE = 0,
	PROTO_EVENT_EXIT,
	PROTO_EVENT_OOM,
	PROTO_EVENT_COUNT,
};

/*
 * The vsock ports (in the guest) where the agent accepts a process's
 * streams; 0 = not attached. A tty replaces the three pipes.
 */
struct proto_stdio {
	uint32_t stdin_port;
	uint32_t stdout_port;
	uint32_t stderr_port;
	uint32_t tty_port;
};

/*
 * A process's extra fds (runc's --preserve-fds): the process's fd 3 + i is
 * relayed over a stream of its own (kind "fd", index i, proto_stream.h) to
 * the host's fd 3 + i. dir[i] says which way data goes: IN (host to guest)
 * gives the process a pipe's read end, OUT (guest to host) a pipe's write
 * end, INOUT one end of a socketpair. count 0: none (port is then 0).
 */
enum proto_fd_dir {
	PROTO_FD_NONE = 0,
	PROTO_FD_IN,	/* "r" */
	PROTO_FD_OUT,	/* "w" */
	PROTO_FD_INOUT, /* "rw" */
};

struct proto_fds {
	uint32_t port; /* where the agent accepts their streams */
	uint32_t count;
	uint8_t dir[PROTO_FDS_MAX]; /* enum proto_fd_dir */
};

/* hello request (software = the runtime's version) and reply (the agent's). */
struct proto_hello {
	uint32_t version;
	char software[PROTO_SOFTWARE_MAX + 1];
};

struct proto_create {
	char container_id[PROTO_NAME_MAX + 1];
	char *rootfs;	 /* relative to the shared directory in the guest */
	char *spec_json; /* the bundle's config.json, an object */
	struct proto_stdio stdio;
	struct proto_fds fds;
	/*
	 * "" or the id of the pod's sandbox container in this guest: the
	 * namespaces the spec joins by path are that container's.
	 */
	char pod[PROTO_NAME_MAX + 1];
};

/* start, pause, resume, ps, stats, destroy requests; the oom event. */
struct proto_container {
	char container_id[PROTO_NAME_MAX + 1];
};

/*
 * wait and close_stdin requests. exec_id "" names the container's process.
 * owner (wait only): the connection that sent it owns the process, and the
 * agent SIGKILLs it (for the container's process: the whole container) if
 * that connection closes before the process has ended.
 */
struct proto_process {
	char container_id[PROTO_NAME_MAX + 1];
	char exec_id[PROTO_NAME_MAX + 1];
	bool owner;
};

struct proto_exec {
	char container_id[PROTO_NAME_MAX + 1];
	char exec_id[PROTO_NAME_MAX + 1]; /* never "" */
	char *process_json;		  /* an OCI process object */
	struct proto_stdio stdio;
	struct proto_fds fds;
	bool tty;
};

struct proto_signal {
	char container_id[PROTO_NAME_MAX + 1];
	char exec_id[PROTO_NAME_MAX + 1]; /* "" : the container's process */
	bool all;			  /* every process of the container; exec_id "" */
	uint32_t signal;
};

struct proto_resize {
	char container_id[PROTO_NAME_MAX + 1];
	char exec_id[PROTO_NAME_MAX + 1];
	uint32_t rows;
	uint32_t cols;
};

struct proto_update {
	char container_id[PROTO_NAME_MAX + 1];
	char *resources_json; /* an OCI linux.resources object */
};

/*
 * network request: the guest's NICs are given the links, addresses,
 * routes and neighbours of the container's network namespace on the host
 * (common/net_config.h), once per VM, before the first create whose spec
 * names a network namespace by path. net is malloc'd.
 */
struct proto_network {
	struct net_config *net;
};

/* How a process ended: signal 0 and its exit code, or the signal that killed it. */
struct proto_status {
	uint32_t code;
	uint32_t signal;
};

/*
 * What the guest's /proc says of one process, for a ps table. start is
 * seconds since the epoch (the guest clock is set from the host's), cpu_ms
 * the user + system time it has used, tty "" when it has none ("pts/0"
 * otherwise: letters, digits and '/'), cmd its command line with spaces
 * between the arguments, or "[comm]" for a kernel thread.
 */
struct proto_proc {
	uint32_t pid;
	uint32_t ppid; /* 0 when its parent is outside its pid namespace view */
	uint32_t uid;  /* effective */
	uint64_t start;
	uint64_t cpu_ms;
	char tty[PROTO_TTY_MAX + 1];
	char *cmd;
};

/*
 * ps reply. procs is optional (an older agent sends only the pids): when
 * present it has count entries, procs[i].pid == pids[i].
 */
struct proto_pids {
	uint32_t *pids;
	size_t count;
	struct proto_proc *procs;
};

/* stats reply (cgroup v2). Limits are PROTO_UNLIMITED when there is none. */
struct proto_stats {
	uint64_t cpu_usage_ns;
	uint64_t memory_usage;
	uint64_t memory_limit;
	uint64_t pids_current;
	uint64_t pids_limit;
	uint64_t io_read_bytes;
	uint64_t io_write_bytes;
};

/* exit event. */
struct proto_exit {
	char container_id[PROTO_NAME_MAX + 1];
	char exec_id[PROTO_NAME_MAX + 1];
	uint32_t pid;
	struct proto_status status;
};

/*
 * The body, by kind and op (ops missing here have an empty body):
 *   request  hello: hello   create: create   exec: exec   signal: signal
 *            wait, close_stdin: process       resize: resize   update: update
 *            start, pause, resume, ps, stats, destroy: container
 *            network: network
 *   reply    hello: hello   wait: status   ps: pids   stats: stats
 *   event    exit: exit     oom: container
 */
union proto_body {
	struct proto_hello hello;
	struct proto_create create;
	struct proto_container container;
	struct proto_process process;
	struct proto_exec exec;
	struct proto_signal signal;
	struct proto_resize resize;
	struct proto_update update;
	struct proto_network network;
	struct proto_status status;
	struct proto_pids pids;
	struct proto_stats stats;
	struct proto_exit exit;
};

struct proto_msg {
	enum proto_kind kind;
	uint64_t id;		/* requests and replies */
	enum proto_op op;	/* requests; replies once the body is decoded */
	enum proto_event event; /* events */
	int err;		/* replies: 0, or the errno of a failed request */
	char *error;		/* replies with err: what failed */
	union proto_body body;
	void *tree; /* a decoded reply's body, until proto_decode_reply_body() */
};

/* "create", ... ; NULL when out of range. */
const char *proto_op_name(enum proto_op op);
const char *proto_event_name(enum proto_event ev);

/*
 * Encodes m as a frame payload: *out is malloc'd and NUL-terminated. For
 * replies with err != 0 the body is left out and error is the message (a
 * NULL error is sent as strerror(err)); an ok reply encodes the body of m->op.
 * Fields are checked as the decoder would check them: -EINVAL when not.
 */
int proto_encode(const struct proto_msg *m, char **out, size_t *len);

/*
 * Decodes a frame payload into m (zeroed first; release it with
 * proto_msg_free()). A reply's body is kept undecoded, because only the
 * requester knows from the id which op it answers: it then calls
 * proto_decode_reply_body(). On failure m->kind and m->id still hold what
 * could be read (id 0 if none), so that a server can answer the request
 * with the error: -EPROTONOSUPPORT for another protocol version,
 * -EOPNOTSUPP for an unknown op or event, -EBADMSG for anything else.
 */
int proto_decode(const char *buf, size_t len, struct proto_msg *m);
/* Decodes the body of an ok reply to op; a failed reply has none. */
int proto_decode_reply_body(struct proto_msg *m, enum proto_op op);

/* Frees a ps reply's pids and procs (each cmd too); leaves it empty. */
void proto_pids_free(struct proto_pids *p);

/* Frees what decoding allocated (and any malloc'd pointers set by the caller). */
void proto_msg_free(struct proto_msg *m);

/*
 * A failed reply as this side's error: records "agent: <error>" with the
 * agent's text escaped (common/escape.h), returns -err.
 */
int proto_reply_error(const struct proto_msg *m);

/* Checks the peer's hello: -EPROTONOSUPPORT naming both versions on a mismatch. */
int proto_hello_check(const struct proto_hello *peer, const char *peer_name);

/* One message per frame over a blocking fd. recv gives 0 and kind 0 at a clean end of stream. */
int proto_send(int fd, const struct proto_msg *m);
int proto_recv(int fd, struct proto_msg *m);
/* The same within an absolute deadline for the whole frame (frame.h; 0: none). */
int proto_send_until(int fd, const struct proto_msg *m, long long deadline);
int proto_recv_until(int fd, struct proto_msg *m, long long deadline);

#endif
