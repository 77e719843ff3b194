/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The settings of a container's process (process in the OCI spec), the same
 * for the container's init and for every exec, applied in runc's order:
 * oom_score_adj first (through the agent's /proc, before the container's
 * root replaces it), then the terminal (a new session with the pty as
 * controlling tty, its size), rlimits, no_new_privs, seccomp when
 * no_new_privs is off
 * (loading a filter then needs CAP_SYS_ADMIN, which is about to go),
 * the bounding set, the user (groups, gid, uid, keeping the capabilities
 * across), the other capability sets, umask, cwd; and at the very end,
 * after the caller has said go, seccomp when no_new_privs is on, and
 * execve. Loading the filter last keeps the setup's own syscalls out of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <grp.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "common/error.h"
#include "common/util.h"

static const struct {
	const char *name;
	int res;
} ctr_rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

#define CTR_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int ctr_rlimit_from_name(const char *name, int *res)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctr_rlimits); i++)
		if (!strcmp(name, ctr_rlimits[i].name)) {
			*res = ctr_rlimits[i].res;
			return 0;
		}
	return err_setx(EINVAL, "process.rlimits: unknown rlimit '%.64s'", name);
}

static const char *ctr_env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static bool ctr_is_exec(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int ctr_lookup_exec(const char *file, char *const *env, char *out, size_t len)
{
	const char *path, *p;

	if (!*file)
		return err_setx(ENOENT, "exec: \"\": executable file not found in $PATH");
	if (strchr(file, '/')) {
		struct stat st;

		if (stat(file, &st) < 0)
			return err_set(errno, "exec: \"%.256s\": stat %.256s", file, file);
		if (S_ISDIR(st.st_mode))
			return err_setx(EACCES, "exec: \"%.256s\": is a directory", file);
		if (access(file, X_OK) < 0)
			return err_set(errno, "exec: \"%.256s\"", file);
		if (strlen(file) >= len)
			return err_setx(ENAMETOOLONG, "exec: \"%.64s...\": path too long", file);
		strcpy(out, file);
		return 0;
	}
	path = ctr_env_get(env, "PATH");
	if (!path)
		path = CTR_DEFAULT_PATH;
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n;

		/* An empty element is the current directory, as for execvp. */
		if (end == p)
			n = snprintf(out, len, "%s", file);
		else
			n = snprintf(out, len, "%.*s/%s", (int)(end - p), p, file);
		if (n > 0 && (size_t)n < len && ctr_is_exec(out))
			return 0;
		if (!*end)
			break;
		p = end;
	}
	return err_setx(ENOENT, "exec: \"%.256s\": executable file not found in $PATH", file);
}

/* HOME from the container's /etc/passwd when the env has none, as runc does; else "/". */
static char *ctr_home_entry(uid_t uid)
{
	char line[1024], *home = "/", *res;
	/* The image's file: not trusted to be a regular file nor to be small. */
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	FILE *f = NULL;
	unsigned lines = 0;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		f = fdopen(fd, "r");
	if (!f && fd >= 0)
		close(fd);
	while (f && lines++ < 100000 && fgets(line, sizeof(line), f)) {
		char *field[7] = {0}, *s = line;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < 7 && s) {
			field[n++] = s;
			s = strchr(s, ':');
			if (s)
				*s++ = '\0';
		}
		if (n == 7 && field[2] && strtoul(field[2], NULL, 10) == uid && *field[2] &&
		    field[5] && *field[5]) {
			home = field[5];
			break;
		}
	}
	if (asprintf(&res, "HOME=%s", home) < 0)
		res = NULL;
	if (f)
		fclose(f);
	return res;
}

char **ctr_proc_env(const struct oci_process *p)
{
	size_t n = 0;
	char **env;

	for (char **e = p->env; e && *e; e++)
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		env[i] = p->env[i];
	if (!ctr_env_get(p->env, "HOME"))
		env[n] = ctr_home_entry(p->uid); /* runs in the child, after pivot_root */
	return env;
}

int ctr_proc_prepare(const struct oci_spec *spec, const struct oci_process *p, struct ctr_proc *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->p = p;
	if (p->n_rlimits) {
		out->rlimit_res = calloc(p->n_rlimits, sizeof(*out->rlimit_res));
		if (!out->rlimit_res)
			return err_set(ENOMEM, "process.rlimits");
	}
	for (size_t i = 0; i < p->n_rlimits; i++) {
		ret = ctr_rlimit_from_name(p->rlimits[i].type, &out->rlimit_res[i]);
		if (ret < 0)
			goto fail;
		if (p->rlimits[i].soft > p->rlimits[i].hard) {
			ret = err_setx(EINVAL, "process.rlimits: %s: soft limit above the hard one",
				       p->rlimits[i].type);
			goto fail;
		}
	}
	if (p->has_caps) {
		ret = ctr_caps_parse(&p->caps, &out->caps);
		if (ret < 0)
			goto fail;
	}
	out->seccomp_json = spec->has_linux ? spec->lnx.seccomp : NULL;
	return 0;
fail:
	ctr_proc_release(out);
	return ret;
}

void ctr_proc_release(struct ctr_proc *cp)
{
	free(cp->rlimit_res);
	ctr_seccomp_free(cp->seccomp);
	memset(cp, 0, sizeof(*cp));
}

static int ctr_terminal(const struct oci_process *p)
{
	if (setsid() < 0)
		return err_set(errno, "setsid");
	if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		return err_set(errno, "make the terminal the controlling tty");
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
				     .ws_col = (unsigned short)p->console_width};

		if (ioctl(STDIN_FILENO, TIOCSWINSZ, &ws) < 0)
			return err_set(errno, "set the console size");
	}
	return 0;
}

static int ctr_user(const struct oci_process *p)
{
	if (setgroups(p->n_additional_gids, p->additional_gids) < 0)
		return err_set(errno, "setgroups");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return err_set(errno, "setgid %u", p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return err_set(errno, "setuid %u", p->uid);
	return 0;
}

int ctr_proc_oom(const struct ctr_proc *cp)
{
	const struct oci_process *p = cp->p;
	char buf[16];
	int fd, n, ret;

	if (!p->has_oom_score_adj)
		return 0;
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "process.oomScoreAdj");
	n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
	ret = write(fd, buf, (size_t)n) == n ? 0 : -errno;
	close(fd);
	if (ret < 0)
		return err_set(-ret, "process.oomScoreAdj %d", p->oom_score_adj);
	return 0;
}

int ctr_proc_setup(struct ctr_proc *cp)
{
	const struct oci_process *p = cp->p;
	int ret;

	if ((ret = ctr_seccomp_build(cp->seccomp_json, &cp->seccomp)) < 0)
		return ret;
	if (p->terminal && (ret = ctr_terminal(p)) < 0)
		return ret;
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};

		if (setrlimit(cp->rlimit_res[i], &rl) < 0)
			return err_set(errno, "process.rlimits: %s (soft %llu, hard %llu)",
				       p->rlimits[i].type, (unsigned long long)p->rlimits[i].soft,
				       (unsigned long long)p->rlimits[i].hard);
	}
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(errno, "process.noNewPrivileges");
	if (!p->no_new_privileges && (ret = ctr_seccomp_load(cp->seccomp)) < 0)
		return ret;
	if ((ret = ctr_caps_apply_bounding(&cp->caps)) < 0)
		return ret;
	if (cp->caps.set && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_set(errno, "keep the capabilities");
	/* chdir while still root: the user may not be able to search the way there. */
	if (chdir(p->cwd) < 0)
		return err_set(errno, "cwd %s", p->cwd);
	if ((ret = ctr_user(p)) < 0)
		return ret;
	if (cp->caps.set && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_set(errno, "keep the capabilities");
	if ((ret = ctr_caps_apply(&cp->caps)) < 0)
		return ret;
	umask(p->has_umask ? p->umask : 022);
	return 0;
}

int ctr_proc_exec(const struct ctr_proc *cp, const char *path, char *const *env)
{
	int ret;

	if (cp->p->no_new_privileges && (ret = ctr_seccomp_load(cp->seccomp)) < 0)
		return ret;
	execve(path, cp->p->args, env);
	return err_set(errno, "exec %.256s", path);
}
