/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boottime: runs a VMM command once and measures it from the outside.
 *
 *   boottime [-p PATTERN] [-t SECONDS] [-m GUEST_MIB [-s SETTLE_MS]] -- CMD [ARG...]
 *
 * Forks and execs CMD with stdin on /dev/null, stdout on a pipe and stderr on
 * /dev/null, and prints one line of figures (CLOCK_MONOTONIC, from just
 * before fork):
 *   first_ms=   the first byte on stdout
 *   match_ms=   the moment stdout contains PATTERN (with -p)
 *   exit_ms=    the process ended (pidfd)
 *   status=     its exit status (or 128+signal)
 * With -m, once PATTERN (or the first byte) has been seen and SETTLE_MS more
 * have passed, it reads /proc/PID/smaps, tells the guest-RAM mapping(s) (the
 * largest writable anonymous or memfd mappings, at least GUEST_MIB together)
 * from the rest, prints
 *   rss_kib= guest_kib= own_kib= own_anon_kib= own_file_kib=
 * and then stops CMD with SIGTERM (SIGKILL if it is still there after 5 s).
 * Exits 0 if the figures were taken, 1 on timeout or error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct mapping {
	unsigned long long size_kib, rss_kib, anon_kib;
	int guest_candidate; /* private, writable, anonymous */
};

/* Parses /proc/PID/smaps and prints the memory figures; 0 or -1. */
static int smaps_report(pid_t pid, unsigned long long guest_mib)
{
	char path[64], line[512];
	struct mapping *maps = NULL, *cur = NULL;
	size_t n = 0, cap = 0;
	unsigned long long rss = 0, guest = 0, guest_size = 0, own_anon = 0, own_file = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "boottime: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, v;
		char perms[8], rest[256] = "";
		unsigned long long off;
		char dev[16];
		unsigned long ino;

		if (sscanf(line, "%llx-%llx %7s %llx %15s %lu %255[^\n]", &start, &end, perms, &off,
			   dev, &ino, rest) >= 6) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				maps = realloc(maps, cap * sizeof(*maps));
				if (!maps)
					abort();
			}
			cur = &maps[n++];
			memset(cur, 0, sizeof(*cur));
			cur->size_kib = (end - start) / 1024;
			/* Anonymous private memory, or a shared memfd (the other way
			 * VMMs allocate guest RAM). */
			cur->guest_candidate =
			    perms[1] == 'w' &&
			    ((perms[3] == 'p' && ino == 0 &&
			      (rest[0] == '\0' || strncmp(rest, "[anon", 5) == 0)) ||
			     strncmp(rest, "/memfd:", 7) == 0);
		} else if (cur && sscanf(line, "Rss: %llu kB", &v) == 1) {
			cur->rss_kib = v;
		} else if (cur && sscanf(line, "Anonymous: %llu kB", &v) == 1) {
			cur->anon_kib = v;
		}
	}
	fclose(f);

	/* Guest RAM: the largest candidate mappings until they cover GUEST_MIB. */
	while (guest_size < guest_mib * 1024) {
		struct mapping *best = NULL;

		for (size_t i = 0; i < n; i++)
			if (maps[i].guest_candidate == 1 &&
			    (!best || maps[i].size_kib > best->size_kib))
				best = &maps[i];
		if (!best || best->size_kib < 1024)
			break;
		best->guest_candidate = 2;
		guest_size += best->size_kib;
	}
	for (size_t i = 0; i < n; i++) {
		rss += maps[i].rss_kib;
		if (maps[i].guest_candidate == 2) {
			guest += maps[i].rss_kib;
		} else {
			own_anon += maps[i].anon_kib;
			own_file += maps[i].rss_kib - maps[i].anon_kib;
		}
	}
	free(maps);
	printf(" rss_kib=%llu guest_kib=%llu own_kib=%llu own_anon_kib=%llu own_file_kib=%llu"
	       " guest_map_kib=%llu",
	       rss, guest, rss - guest, own_anon, own_file, guest_size);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: boottime [-p PATTERN] [-t SECONDS] [-m GUEST_MIB [-s SETTLE_MS]] "
			"-- CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *pattern = NULL;
	double timeout_s = 30, settle_ms = 200;
	unsigned long long guest_mib = 0;
	char window[8192];
	size_t wlen = 0;
	double t0, first = -1, match = -1, seen = -1, end = -1, deadline;
	int opt, pfd[2], pidfd, status = 0, mem_done = 0, ret = 1, out_open = 1;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+p:t:m:s:")) != -1) {
		switch (opt) {
		case 'p':
			pattern = optarg;
			break;
		case 't':
			timeout_s = atof(optarg);
			break;
		case 'm':
			guest_mib = strtoull(optarg, NULL, 10);
			break;
		case 's':
			settle_ms = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	if (pattern && strlen(pattern) >= sizeof(window) / 2)
		usage();
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		perror("boottime: pipe");
		return 1;
	}

	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("boottime: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(null, 2);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	close(pfd[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("boottime: pidfd_open");
		kill(pid, SIGKILL);
		return 1;
	}
	deadline = t0 + timeout_s * 1e3;

	for (;;) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = out_open ? pfd[0] : -1, .events = POLLIN}};
		double now = now_ms(), wait_ms = deadline - now;
		int n;

		if (guest_mib && !mem_done && seen >= 0 && seen + settle_ms - now < wait_ms)
			wait_ms = seen + settle_ms - now;
		if (wait_ms < 0)
			wait_ms = 0;
		n = poll(p, 2, (int)(wait_ms + 0.999));
		if (n < 0 && errno != EINTR)
			break;
		now = now_ms();
		if (p[1].revents & (POLLIN | POLLHUP)) {
			char buf[4096];
			ssize_t r = read(pfd[0], buf, sizeof(buf));

			if (r > 0) {
				if (first < 0)
					first = now;
				if (pattern && match < 0) {
					/* Keep a sliding window so a match across reads is found.
					 */
					if (wlen + (size_t)r >= sizeof(window)) {
						size_t keep = strlen(pattern);
						memmove(window, window + wlen - keep, keep);
						wlen = keep;
					}
					if ((size_t)r >= sizeof(window) - wlen)
						r = (ssize_t)(sizeof(window) - wlen - 1);
					memcpy(window + wlen, buf, (size_t)r);
					wlen += (size_t)r;
					window[wlen] = '\0';
					if (memmem(window, wlen, pattern, strlen(pattern)))
						match = now;
				}
				if (seen < 0 && (pattern ? match >= 0 : first >= 0))
					seen = now;
			} else {
				out_open = 0;
			}
		}
		if (p[0].revents & POLLIN) {
			waitpid(pid, &status, 0);
			end = now;
			break;
		}
		if (guest_mib && !mem_done && seen >= 0 && now >= seen + settle_ms) {
			printf("pid=%d", (int)pid);
			ret = smaps_report(pid, guest_mib) == 0 ? 0 : 1;
			mem_done = 1;
			kill(pid, SIGTERM);
			deadline = now + 5000;
		}
		if (now >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			if (!mem_done)
				fprintf(stderr, "boottime: timed out after %.0f s\n", timeout_s);
			end = -1;
			break;
		}
	}
	if (guest_mib) {
		printf("%s\n", mem_done ? "" : "pid=0 mem=none");
		return ret;
	}
	printf("first_ms=%.3f match_ms=%.3f exit_ms=%.3f status=%d\n", first >= 0 ? first - t0 : -1,
	       match >= 0 ? match - t0 : -1, end >= 0 ? end - t0 : -1,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return end >= 0 && (!pattern || match >= 0) ? 0 : 1;
}
