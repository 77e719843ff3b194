/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsops: the file operations busybox has no applet for, for the in-guest
 * virtio-fs suite (tests/integration/test_virtiofs.sh builds it with
 * `gcc -static` and puts it in the test initramfs). One operation per call;
 * exit status 0 on success, 1 with a message on stderr otherwise.
 *
 *   fsops exchange A B            renameat2(RENAME_EXCHANGE)
 *   fsops noreplace A B           renameat2(RENAME_NOREPLACE)
 *   fsops setx FILE VALUE         sets user.ozone (security.ozone where the host
 *                                 file system has no user xattrs); prints the name
 *   fsops getx FILE NAME          prints the value
 *   fsops listx FILE              prints the names, one a line
 *   fsops rmx FILE NAME           removes it
 *   fsops utimes FILE AS ANS MS MNS   utimensat (MNS may be "omit" or "now")
 *   fsops pwrite FILE OFF TEXT    writes TEXT at OFF
 *   fsops pread FILE OFF LEN      prints LEN bytes at OFF
 *   fsops mkmany DIR N            N empty files f0000000.. (one MKNOD each)
 *   fsops countdir DIR            prints the entries readdir returns (no . and ..)
 *   fsops writers FILE N SIZE     N processes write block i (SIZE bytes of 'a'+i)
 *                                 at i*SIZE in 4 KiB pieces, all at once
 *   fsops locks FILE              record locks between two processes: a write lock
 *                                 taken by one is reported to the other (F_GETLK),
 *                                 refuses its F_SETLK (EAGAIN), and its F_SETLKW
 *                                 waits until the first unlocks
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>

static int die(const char *what)
{
	fprintf(stderr, "fsops: %s: %s\n", what, strerror(errno));
	return 1;
}

/* A whole-file lock request of `type`. */
static struct flock whole(short type)
{
	return (struct flock){.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
}

/* The second process of `locks`: exit status 0 if it saw the lock as it should. */
static int lock_child(const char *path, int ready)
{
	int fd = open(path, O_RDWR);
	struct flock fl = whole(F_RDLCK);

	if (fd < 0)
		return die("child open");
	if (fcntl(fd, F_GETLK, &fl))
		return die("F_GETLK");
	if (fl.l_type != F_WRLCK || fl.l_start != 0 || fl.l_len != 0) {
		fprintf(stderr, "fsops: F_GETLK reports type %d start %lld len %lld\n", fl.l_type,
			(long long)fl.l_start, (long long)fl.l_len);
		return 1;
	}
	fl = whole(F_RDLCK);
	if (fcntl(fd, F_SETLK, &fl) == 0 || (errno != EAGAIN && errno != EACCES)) {
		fprintf(stderr, "fsops: conflicting F_SETLK: %s\n", strerror(errno));
		return 1;
	}
	if (write(ready, "w", 1) != 1)
		return die("child write");
	fl = whole(F_RDLCK);
	if (fcntl(fd, F_SETLKW, &fl))
		return die("F_SETLKW");
	return 0;
}

static int locks(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644), p[2], status = 0;
	struct flock fl = whole(F_WRLCK);
	char c;
	pid_t pid;

	if (fd < 0 || pipe(p))
		return die("open");
	if (fcntl(fd, F_SETLK, &fl))
		return die("F_SETLK");
	pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid == 0)
		_exit(lock_child(path, p[1]));
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		waitpid(pid, &status, 0);
		fprintf(stderr, "fsops: the second process failed before F_SETLKW\n");
		return 1;
	}
	/* It is (about to be) waiting in F_SETLKW: it must still be there. */
	usleep(300 * 1000);
	if (waitpid(pid, &status, WNOHANG) != 0) {
		fprintf(stderr, "fsops: F_SETLKW did not wait\n");
		return 1;
	}
	fl = whole(F_UNLCK);
	if (fcntl(fd, F_SETLK, &fl))
		return die("unlock");
	/* Now it gets the lock: within 10 s, or it is stuck. */
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
		usleep(10 * 1000);
	}
	fprintf(stderr, "fsops: F_SETLKW still waiting after the unlock\n");
	return 1;
}

static long long num(const char *s)
{
	return strtoll(s, NULL, 0);
}

static int writers(const char *path, int n, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return die("open");
	close(fd);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return die("fork");
		if (pid == 0) {
			char buf[4096];
			int wfd = open(path, O_WRONLY);

			if (wfd < 0)
				_exit(1);
			memset(buf, 'a' + i, sizeof(buf));
			for (size_t off = 0; off < size; off += sizeof(buf)) {
				size_t len = size - off < sizeof(buf) ? size - off : sizeof(buf);

				if (pwrite(wfd, buf, len, (off_t)(i * size + off)) != (ssize_t)len)
					_exit(1);
			}
			_exit(close(wfd) ? 1 : 0);
		}
	}
	for (int i = 0, st; i < n; i++) {
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "fsops: a writer failed\n");
			return 1;
		}
	}
	return 0;
}

static int timespec_arg(const char *s, struct timespec *ts)
{
	if (!strcmp(s, "omit"))
		ts->tv_nsec = UTIME_OMIT;
	else if (!strcmp(s, "now"))
		ts->tv_nsec = UTIME_NOW;
	else
		ts->tv_nsec = (long)num(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	char buf[65536];

	if (!strcmp(op, "exchange") && argc == 4)
		return renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_EXCHANGE) ? die(op)
											: 0;
	if (!strcmp(op, "noreplace") && argc == 4)
		return renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_NOREPLACE) ? die(op)
											 : 0;
	if (!strcmp(op, "setx") && argc == 4) {
		const char *name = "user.ozone";

		if (setxattr(argv[2], name, argv[3], strlen(argv[3]), 0)) {
			/* tmpfs before Linux 6.6 has no user xattrs: the test host's /tmp. */
			if (errno != EOPNOTSUPP)
				return die(op);
			name = "security.ozone";
			if (setxattr(argv[2], name, argv[3], strlen(argv[3]), 0))
				return die(op);
		}
		printf("%s\n", name);
		return 0;
	}
	if (!strcmp(op, "getx") && argc == 4) {
		ssize_t n = getxattr(argv[2], argv[3], buf, sizeof(buf) - 1);

		if (n < 0)
			return die(op);
		buf[n] = 0;
		printf("%s\n", buf);
		return 0;
	}
	if (!strcmp(op, "listx") && argc == 3) {
		ssize_t n = listxattr(argv[2], buf, sizeof(buf));

		if (n < 0)
			return die(op);
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
			printf("%s\n", buf + i);
		return 0;
	}
	if (!strcmp(op, "rmx") && argc == 4)
		return removexattr(argv[2], argv[3]) ? die(op) : 0;
	if (!strcmp(op, "utimes") && argc == 7) {
		struct timespec ts[2] = {{(time_t)num(argv[3]), 0}, {(time_t)num(argv[5]), 0}};

		timespec_arg(argv[4], &ts[0]);
		timespec_arg(argv[6], &ts[1]);
		return utimensat(AT_FDCWD, argv[2], ts, AT_SYMLINK_NOFOLLOW) ? die(op) : 0;
	}
	if (!strcmp(op, "pwrite") && argc == 5) {
		int fd = open(argv[2], O_WRONLY | O_CREAT, 0644);
		size_t len = strlen(argv[4]);

		if (fd < 0 || pwrite(fd, argv[4], len, (off_t)num(argv[3])) != (ssize_t)len)
			return die(op);
		return close(fd) ? die(op) : 0;
	}
	if (!strcmp(op, "pread") && argc == 5) {
		int fd = open(argv[2], O_RDONLY);
		size_t len = (size_t)num(argv[4]);
		ssize_t n;

		if (fd < 0 || len >= sizeof(buf))
			return die(op);
		n = pread(fd, buf, len, (off_t)num(argv[3]));
		if (n < 0)
			return die(op);
		buf[n] = 0;
		printf("%s\n", buf);
		close(fd);
		return 0;
	}
	if (!strcmp(op, "mkmany") && argc == 4) {
		long long n = num(argv[3]);
		int dfd = open(argv[2], O_PATH | O_DIRECTORY);

		if (dfd < 0)
			return die(op);
		for (long long i = 0; i < n; i++) {
			char name[32];

			snprintf(name, sizeof(name), "f%07lld", i);
			if (mknodat(dfd, name, S_IFREG | 0644, 0))
				return die(name);
		}
		close(dfd);
		return 0;
	}
	if (!strcmp(op, "countdir") && argc == 3) {
		DIR *d = opendir(argv[2]);
		struct dirent *e;
		long long n = 0;

		if (!d)
			return die(op);
		errno = 0;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				n++;
		if (errno)
			return die(op);
		closedir(d);
		printf("%lld\n", n);
		return 0;
	}
	if (!strcmp(op, "locks") && argc == 3)
		return locks(argv[2]);
	if (!strcmp(op, "writers") && argc == 5)
		return writers(argv[2], (int)num(argv[3]), (size_t)num(argv[4]));
	fprintf(stderr, "fsops: bad arguments (see the source for the operations)\n");
	return 2;
}
