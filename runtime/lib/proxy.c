/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/proxy.h"
#include "runtime/lib/ozone.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Bytes moved per read; writes to the caller's fds go in pieces a pipe takes without blocking. */
#define RELAY_BUF 65536
#define RELAY_WRITE_MAX 4096
/* After the status, output still open but idle for this long is given up on. */
#define DRAIN_IDLE_MS 2000
/* stdin, stdout, stderr (or the tty's two ways), then up to two per extra fd. */
#define RELAYS_MAX (3 + 2 * PROTO_FDS_MAX)

/* Signals that are forwarded: all but those that cannot be caught or mean something here. */
static bool proxy_forwards(int s)
{
	switch (s) {
	case SIGKILL:
	case SIGSTOP:
	case SIGCHLD:
	case SIGPIPE:
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGURG:
		return false;
	default:
		return s < 32 || (s >= SIGRTMIN && s <= SIGRTMAX);
	}
}

static void proxy_sigset(sigset_t *set)
{
	sigemptyset(set);
	for (int s = 1; s <= SIGRTMAX; s++)
		if (proxy_forwards(s) || s == SIGWINCH)
			sigaddset(set, s);
}

void proxy_block_signals(void)
{
	sigset_t set;

	proxy_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct relay {
	int from, to;
	bool to_caller; /* `to` is one of the caller's fds: small writes only */
	bool shut_to;	/* half-close `to` at end of input (a stdin stream) */
	bool close_to;	/* close `to` at the end (an extra fd the guest writes) */
	bool output;	/* counts for "all output relayed" */
	bool eof, done;
	char *buf;
	size_t off, len;
};

struct proxy {
	const struct proxy_opts *o;
	struct relay r[RELAYS_MAX]; /* input, output, error output, the extra fds' */
	int n_relays;
	int sfd;
	struct frame_decoder dec;
	uint64_t wait_id;
	bool have_status, control_gone;
	struct proto_status status;
	int winsize_fd; /* where the terminal size is read from, -1 */
	struct termios saved;
	bool restore_tty;
};

static void relay_init(struct relay *r, int from, int to)
{
	memset(r, 0, sizeof(*r));
	r->from = from;
	r->to = to;
	r->done = from < 0 || to < 0;
}

static void relay_finish(struct relay *r)
{
	r->done = true;
	if (r->shut_to && r->to >= 0)
		shutdown(r->to, SHUT_WR);
	if (r->close_to && r->to >= 0) {
		close(r->to);
		r->to = -1;
	}
}

/* One step of a relay after poll said from (or to) is ready. Returns true if bytes moved. */
static bool relay_step(struct relay *r, short from_ev, short to_ev)
{
	ssize_t n;

	if (r->done)
		return false;
	if (r->len == 0 && !r->eof && (from_ev & (POLLIN | POLLHUP | POLLERR))) {
		n = read(r->from, r->buf, RELAY_BUF);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return false;
		if (n <= 0) {
			/* End of stream, or EIO from a pty whose other side is gone. */
			r->eof = true;
			relay_finish(r);
			return false;
		}
		r->off = 0;
		r->len = n;
		return true;
	}
	if (r->len && (to_ev & (POLLOUT | POLLHUP | POLLERR))) {
		size_t want = r->len;

		if (r->to_caller && want > RELAY_WRITE_MAX)
			want = RELAY_WRITE_MAX;
		n = write(r->to, r->buf + r->off, want);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return false;
		if (n <= 0) {
			/* The reader is gone: stop reading, so the writer in the guest sees it too.
			 */
			r->len = 0;
			r->eof = true;
			relay_finish(r);
			shutdown(r->from, SHUT_RD);
			return false;
		}
		r->off += n;
		r->len -= n;
		return true;
	}
	return false;
}

static int proxy_send(struct proxy *p, struct proto_msg *m)
{
	struct agent_conn *c = p->o->control;

	m->kind = PROTO_REQUEST;
	m->id = c->next_id++;
	return proto_send(c->fd, m);
}

static void proxy_resize(struct proxy *p)
{
	struct proto_msg m = {.op = PROTO_OP_RESIZE};
	struct winsize ws;

	if (p->winsize_fd < 0 || ioctl(p->winsize_fd, TIOCGWINSZ, &ws) < 0 || !ws.ws_row ||
	    !ws.ws_col)
		return;
	snprintf(m.body.resize.container_id, sizeof(m.body.resize.container_id), "%s",
		 p->o->container_id);
	snprintf(m.body.resize.exec_id, sizeof(m.body.resize.exec_id), "%s", p->o->exec_id);
	m.body.resize.rows = ws.ws_row;
	m.body.resize.cols = ws.ws_col;
	if (proxy_send(p, &m) < 0)
		ozone_debug("proxy: resize: %s", err_msg());
}

static void proxy_signal(struct proxy *p, int sig)
{
	struct proto_msg m = {.op = PROTO_OP_SIGNAL};

	snprintf(m.body.signal.container_id, sizeof(m.body.signal.container_id), "%s",
		 p->o->container_id);
	snprintf(m.body.signal.exec_id, sizeof(m.body.signal.exec_id), "%s", p->o->exec_id);
	m.body.signal.signal = sig;
	if (proxy_send(p, &m) < 0)
		ozone_debug("proxy: signal %d: %s", sig, err_msg());
}

static void proxy_message(struct proxy *p, const char *buf, size_t len)
{
	struct proto_msg m;

	if (proto_decode(buf, len, &m) < 0) {
		ozone_debug("proxy: bad message from the agent: %s", err_msg());
		return;
	}
	if (m.kind == PROTO_REPLY && m.id == p->wait_id && !p->have_status) {
		if (m.err) {
			/* The agent cannot say how it ended: report a failure, as a lost child
			 * would. */
			proto_reply_error(&m);
			ozone_debug("proxy: wait: %s", err_msg());
			p->status.code = PROXY_EXIT_BAD;
			p->have_status = true;
		} else if (proto_decode_reply_body(&m, PROTO_OP_WAIT) == 0) {
			p->status = m.body.status;
			p->have_status = true;
		} else {
			/* A status that is none (a signal 0 or 200): ended, how is unknown. */
			ozone_debug("proxy: wait: %s", err_msg());
			p->status = (struct proto_status){.code = PROXY_EXIT_BAD};
			p->have_status = true;
		}
	} else if (m.kind == PROTO_REPLY && m.err) {
		proto_reply_error(&m);
		ozone_debug("proxy: %s", err_msg());
	} else if (m.kind == PROTO_EVENT && m.event == PROTO_EVENT_EXIT && !p->have_status &&
		   !strcmp(m.body.exit.container_id, p->o->container_id) &&
		   !strcmp(m.body.exit.exec_id, p->o->exec_id)) {
		p->status = m.body.exit.status;
		p->have_status = true;
	}
	proto_msg_free(&m);
}

static void proxy_control(struct proxy *p)
{
	char buf[8192], *payload;
	size_t used, plen, off = 0;
	ssize_t n = read(p->o->control->fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		p->control_gone = true;
		return;
	}
	while (off < (size_t)n) {
		int r = frame_decoder_feed(&p->dec, buf + off, n - off, &used, &payload, &plen);

		if (r < 0) {
			p->control_gone = true;
			return;
		}
		off += used;
		if (r == 1) {
			proxy_message(p, payload, plen);
			free(payload);
		}
	}
}

static bool proxy_output_done(const struct proxy *p)
{
	for (int i = 0; i < p->n_relays; i++)
		if (p->r[i].output && !p->r[i].done)
			return false;
	return true;
}

static void proxy_loop(struct proxy *p)
{
	long long idle_since = 0;

	for (;;) {
		struct pollfd fds[2 + RELAYS_MAX];
		int idx[RELAYS_MAX][2], nfds = 0, timeout = -1;
		bool moved = false;

		if (p->have_status && proxy_output_done(p))
			return;
		if (p->control_gone && !p->have_status) {
			/* The VM (or the agent) is gone, and the process with it. */
			p->status.code = 0;
			p->status.signal = SIGKILL;
			p->have_status = true;
			continue;
		}
		if (p->have_status) {
			if (!idle_since)
				idle_since = now_ms();
			timeout = (int)(idle_since + DRAIN_IDLE_MS - now_ms());
			if (timeout <= 0)
				return;
		}
		fds[nfds++] = (struct pollfd){.fd = p->sfd, .events = POLLIN};
		if (!p->control_gone)
			fds[nfds++] = (struct pollfd){.fd = p->o->control->fd, .events = POLLIN};
		for (int i = 0; i < p->n_relays; i++) {
			struct relay *r = &p->r[i];

			idx[i][0] = idx[i][1] = -1;
			if (r->done)
				continue;
			if (r->len == 0 && !r->eof) {
				idx[i][0] = nfds;
				fds[nfds++] = (struct pollfd){.fd = r->from, .events = POLLIN};
			} else if (r->len) {
				idx[i][1] = nfds;
				fds[nfds++] = (struct pollfd){.fd = r->to, .events = POLLOUT};
			}
		}
		if (poll(fds, nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(p->sfd, &si, sizeof(si)) == sizeof(si)) {
				if ((int)si.ssi_signo == SIGWINCH)
					proxy_resize(p);
				else if (!p->have_status)
					proxy_signal(p, (int)si.ssi_signo);
			}
		}
		if (!p->control_gone && fds[1].revents)
			proxy_control(p);
		for (int i = 0; i < p->n_relays; i++)
			moved |= relay_step(&p->r[i], idx[i][0] >= 0 ? fds[idx[i][0]].revents : 0,
					    idx[i][1] >= 0 ? fds[idx[i][1]].revents : 0);
		if (moved)
			idle_since = 0;
	}
}

static void proxy_nonblock(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void proxy_raw(struct proxy *p, int fd, bool keep)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return;
	if (keep) {
		p->saved = t;
		p->restore_tty = true;
	}
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

/*
 * Signals the proxy may raise on itself to end as the guest process did:
 * those whose default action ends a process. The number comes from the
 * guest, so any other is refused: a stop signal (SIGSTOP, SIGTSTP,
 * SIGTTIN, SIGTTOU) would stop the proxy and leave its waiter waiting for
 * ever, and an ignored one (SIGCHLD, SIGURG, SIGWINCH, SIGCONT) would not
 * end it. Real-time signals end a process too, but 32 and 33 belong to the
 * C library (below SIGRTMIN), which may handle them.
 */
static bool proxy_exit_signal(int sig)
{
	switch (sig) {
	case SIGHUP:
	case SIGINT:
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGKILL:
	case SIGUSR1:
	case SIGSEGV:
	case SIGUSR2:
	case SIGPIPE:
	case SIGALRM:
	case SIGTERM:
	case SIGSTKFLT:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGVTALRM:
	case SIGPROF:
	case SIGIO:
	case SIGPWR:
	case SIGSYS:
		return true;
	default:
		return sig >= SIGRTMIN && sig <= SIGRTMAX;
	}
}

/*
 * Ends as the guest process ended: its exit code; killed by a signal,
 * killed by the same signal (a detached proxy) or 128+n (in the
 * foreground, and for a signal that proxy_exit_signal() refuses). A
 * number outside 1..PROTO_SIGNAL_MAX is no signal at all: PROXY_EXIT_BAD.
 */
static int proxy_exit(const struct proxy *p)
{
	uint32_t sig = p->status.signal;
	struct rlimit no_core = {0, 0};
	sigset_t set;

	if (!sig)
		return (int)(p->status.code & 0xff);
	if (sig > PROTO_SIGNAL_MAX)
		return PROXY_EXIT_BAD;
	if (p->o->foreground || !proxy_exit_signal((int)sig))
		return 128 + (int)sig;
	fflush(NULL);
	/* Die by the same signal, so a waiting shim sees WIFSIGNALED; without leaving a core. */
	setrlimit(RLIMIT_CORE, &no_core);
	if (sig == SIGKILL)
		kill(getpid(), SIGKILL);
	signal((int)sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, (int)sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise((int)sig);
	/* Not reached: each signal let through above ends a process by default. */
	return 128 + (int)sig;
}

/*
 * The extra fds: host to guest for one the caller opened read-only (then
 * the end of stream is passed on), guest to host for one opened write-only
 * (closed once the guest's end is done, so a reader sees the end), both
 * for a read-write one, each way half-closing on its own. What the guest
 * writes counts as output: it is all relayed before the proxy ends.
 */
static void proxy_extra_fds(struct proxy *p)
{
	const struct proto_fds *f = p->o->fds;

	for (uint32_t i = 0; f && i < f->count && p->n_relays + 2 <= RELAYS_MAX; i++) {
		int host = 3 + (int)i, sock = p->o->fd_sock[i];
		struct relay *r;

		proxy_nonblock(sock);
		if (f->dir[i] == PROTO_FD_IN || f->dir[i] == PROTO_FD_INOUT) {
			r = &p->r[p->n_relays++];
			relay_init(r, host, sock);
			r->shut_to = true;
		}
		if (f->dir[i] == PROTO_FD_OUT || f->dir[i] == PROTO_FD_INOUT) {
			r = &p->r[p->n_relays++];
			relay_init(r, sock, host);
			r->to_caller = r->output = true;
			r->shut_to = f->dir[i] == PROTO_FD_INOUT;
			r->close_to = f->dir[i] == PROTO_FD_OUT;
		}
	}
}

int proxy_run(const struct proxy_opts *o)
{
	struct proxy p = {.o = o, .sfd = -1, .winsize_fd = -1};
	struct proto_msg m = {.op = PROTO_OP_WAIT};
	sigset_t set;
	int ret, in, out;

	proxy_block_signals();
	proxy_sigset(&set);
	p.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	frame_decoder_init(&p.dec, 0);
	if (o->tty_fd >= 0) {
		if (o->pty_slave >= 0) {
			in = out = o->pty_slave;
			proxy_raw(&p, o->pty_slave, false);
			p.winsize_fd = o->pty_slave;
		} else {
			in = STDIN_FILENO;
			out = STDOUT_FILENO;
			if (isatty(STDIN_FILENO)) {
				proxy_raw(&p, STDIN_FILENO, true);
				p.winsize_fd = STDIN_FILENO;
			}
		}
		relay_init(&p.r[0], in, o->tty_fd);
		relay_init(&p.r[1], o->tty_fd, out);
		relay_init(&p.r[2], -1, -1);
		p.r[1].to_caller = o->pty_slave < 0;
	} else {
		relay_init(&p.r[0], o->stdin_fd >= 0 ? STDIN_FILENO : -1, o->stdin_fd);
		relay_init(&p.r[1], o->stdout_fd, o->stdout_fd >= 0 ? STDOUT_FILENO : -1);
		relay_init(&p.r[2], o->stderr_fd, o->stderr_fd >= 0 ? STDERR_FILENO : -1);
		p.r[0].shut_to = true;
		p.r[1].to_caller = p.r[2].to_caller = true;
	}
	p.r[1].output = p.r[2].output = true;
	p.n_relays = 3;
	proxy_extra_fds(&p);
	for (int i = 0; i < p.n_relays; i++)
		if (!p.r[i].done && !(p.r[i].buf = malloc(RELAY_BUF)))
			p.r[i].done = true;
	/* Our own ends never block the loop; the caller's fds are left as they are. */
	proxy_nonblock(o->stdin_fd);
	proxy_nonblock(o->stdout_fd);
	proxy_nonblock(o->stderr_fd);
	proxy_nonblock(o->tty_fd);
	proxy_nonblock(o->pty_slave);

	snprintf(m.body.process.container_id, sizeof(m.body.process.container_id), "%s",
		 o->container_id);
	snprintf(m.body.process.exec_id, sizeof(m.body.process.exec_id), "%s", o->exec_id);
	m.body.process.owner = true;
	ret = proxy_send(&p, &m);
	p.wait_id = m.id;
	if (ret < 0 || p.sfd < 0) {
		/* Without its wait nothing holds the process: say so by ending as a lost child. */
		ozone_debug("proxy: wait: %s", err_msg());
		p.control_gone = true;
	}
	proxy_resize(&p);
	if (o->ready_fd >= 0) {
		char c = ret < 0 ? 'x' : 'r';

		if (write(o->ready_fd, &c, 1) < 0)
			ozone_debug("proxy: ready: %s", strerror(errno));
		close(o->ready_fd);
	}
	proxy_loop(&p);

	if (p.restore_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &p.saved);
	for (int i = 0; i < p.n_relays; i++) {
		free(p.r[i].buf);
		if (p.r[i].close_to && p.r[i].to >= 0)
			close(p.r[i].to);
	}
	frame_decoder_free(&p.dec);
	if (p.sfd >= 0)
		close(p.sfd);
	agent_close(o->control);
	return proxy_exit(&p);
}
