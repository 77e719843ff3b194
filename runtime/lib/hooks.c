/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/hooks.h"
#include "runtime/lib/ozone.h"
#include "common/error.h"
#include "common/json.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_ARGS_MAX 256
#define HOOK_OUTPUT_MAX 512

static const struct {
	const char *key, *status;
	bool fatal;
} hook_kinds[] = {
    [HOOK_CREATE_RUNTIME] = {"createRuntime", "creating", true},
    [HOOK_CREATE_CONTAINER] = {"createContainer", "creating", true},
    [HOOK_START_CONTAINER] = {"startContainer", "created", true},
    [HOOK_POSTSTART] = {"poststart", "running", false},
    [HOOK_POSTSTOP] = {"poststop", "stopped", false},
};

/* A string array of at most HOOK_ARGS_MAX entries into v (NULL-terminated); 0 if absent. */
static int hook_strv(yajl_val hook, const char *key, char **v, const char *name)
{
	yajl_val a = NULL;
	int ret = json_get(hook, key, false, &a);

	v[0] = NULL;
	if (ret < 0)
		return ret;
	if (ret == 1)
		return 0;
	if (!YAJL_IS_ARRAY(a) || a->u.array.len >= HOOK_ARGS_MAX)
		return err_setx(EINVAL, "config.json: hooks.%s: %s: not an array of strings", name,
				key);
	for (size_t i = 0; i < a->u.array.len; i++) {
		if (!YAJL_IS_STRING(a->u.array.values[i]))
			return err_setx(EINVAL,
					"config.json: hooks.%s: %s: not an array of strings", name,
					key);
		v[i] = a->u.array.values[i]->u.string;
	}
	v[a->u.array.len] = NULL;
	return 1;
}

static int hook_exec(const char *name, size_t idx, yajl_val hook, const char *state, size_t len)
{
	static char *empty[] = {NULL};
	char *args[HOOK_ARGS_MAX + 1], *env[HOOK_ARGS_MAX + 1], out[HOOK_OUTPUT_MAX + 1];
	char path[4096], scratch[512];
	uint64_t timeout = 0;
	int in[2], outp[2], ret, status = 0, has_args, has_env;
	size_t got = 0;
	long long deadline;
	pid_t pid;

	ret = json_get_strbuf(hook, "path", true, path, sizeof(path));
	if (ret < 0)
		return ret;
	if (path[0] != '/')
		return err_setx(EINVAL, "config.json: hooks.%s[%zu].path: must be absolute", name,
				idx);
	if (json_get_u64(hook, "timeout", false, 1, 86400, &timeout) < 0)
		return err_setx(EINVAL, "config.json: hooks.%s[%zu].timeout: must be > 0", name,
				idx);
	has_args = hook_strv(hook, "args", args, name);
	has_env = hook_strv(hook, "env", env, name);
	if (has_args < 0 || has_env < 0)
		return -EINVAL;
	if (!has_args) {
		args[0] = path;
		args[1] = NULL;
	}
	if (pipe2(in, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return err_set(errno, "pipe");
	}
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		dup2(outp[1], 2);
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		execve(path, args, has_env ? env : empty);
		dprintf(2, "exec %s: %s", path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	if (pid < 0) {
		close(in[1]);
		close(outp[0]);
		return err_set(errno, "fork");
	}
	/* The state is small: the pipe takes it whole, and a hook that does not read is fine. */
	if (write(in[1], state, len) < 0)
		ozone_debug("hook %s: write state: %s", path, strerror(errno));
	close(in[1]);
	deadline = timeout ? now_ms() + (long long)timeout * 1000 : 0;
	for (;;) {
		struct pollfd p = {.fd = outp[0], .events = POLLIN};
		int left = deadline ? (int)(deadline - now_ms()) : -1;
		ssize_t n;

		if (deadline && left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(outp[0]);
			return err_setx(ETIMEDOUT, "hooks.%s[%zu] (%s): timed out after %llu s",
					name, idx, path, (unsigned long long)timeout);
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		/* Only the start of the output is kept for the message; the rest is drained. */
		n = got < HOOK_OUTPUT_MAX ? read(outp[0], out + got, HOOK_OUTPUT_MAX - got)
					  : read(outp[0], scratch, sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < HOOK_OUTPUT_MAX)
			got += n;
	}
	close(outp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out[got] = '\0';
	while (got && (out[got - 1] == '\n' || out[got - 1] == '\r'))
		out[--got] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return err_setx(ECHILD, "hooks.%s[%zu] (%s): %s %d%s%s", name, idx, path,
			WIFEXITED(status) ? "exit status" : "killed by signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), got ? ": " : "",
			out);
}

static int hooks_kind(yajl_val hooks, const char *name, const char *state, size_t len)
{
	yajl_val a = NULL;
	int ret = json_get(hooks, name, false, &a);

	if (ret < 0)
		return ret;
	if (ret == 1 || YAJL_IS_NULL(a))
		return 0;
	if (!YAJL_IS_ARRAY(a))
		return err_setx(EINVAL, "config.json: hooks.%s: must be an array", name);
	for (size_t i = 0; i < a->u.array.len; i++) {
		if (!YAJL_IS_OBJECT(a->u.array.values[i]))
			return err_setx(EINVAL, "config.json: hooks.%s[%zu]: must be an object",
					name, i);
		ret = hook_exec(name, i, a->u.array.values[i], state, len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int hooks_run(const struct bundle *b, const struct oci_state *st, enum hook_kind k)
{
	struct oci_state s = *st;
	yajl_val root = NULL, hooks = NULL;
	char *state = NULL;
	size_t len = 0;
	int ret;

	if (json_parse(b->spec.text, b->spec.text_len, &root) < 0)
		return err_setx(EINVAL, "config.json: not valid JSON");
	ret = json_get(root, "hooks", false, &hooks);
	if (ret != 0 || !YAJL_IS_OBJECT(hooks)) {
		yajl_tree_free(root);
		return 0;
	}
	s.status = (char *)hook_kinds[k].status;
	ret = oci_state_to_json(&s, false, false, &state, &len);
	if (ret < 0)
		goto out;
	if (k == HOOK_CREATE_RUNTIME) {
		ret = hooks_kind(hooks, "prestart", state, len);
		if (ret < 0)
			goto out;
	}
	ret = hooks_kind(hooks, hook_kinds[k].key, state, len);
out:
	free(state);
	yajl_tree_free(root);
	if (ret < 0 && !hook_kinds[k].fatal) {
		ozone_debug("%s", err_msg());
		return 0;
	}
	return ret;
}
