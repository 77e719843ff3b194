/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The terminal of a container's process, made as runc makes it: a pty of
 * the container's own devpts instance, opened through the container's
 * /dev/ptmx once its mounts are made, so that inside the container the
 * process's tty is /dev/pts/N of its own /dev/pts (and `tty`, ttyname(3),
 * programs that reopen their terminal by name all work). The slave becomes
 * the process's stdio and controlling terminal (and, for the init, is bound
 * on /dev/console); the master goes back to the caller.
 *
 * The /dev/ptmx of a running container (for an exec) is the container's
 * to change: it is opened inside the container's root without following
 * magic links, non-blocking (a fifo put there cannot stall the agent), and
 * must be the pty multiplexer (char 5:2); the slave is reached through the
 * master (TIOCGPTPEER), never by a name the container could replace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctr_internal.h"
#include "common/error.h"

int ctr_console_open(int rootfd, const struct oci_process *p, int *master, int *slave)
{
	struct stat st;
	int m, s, unlock = 0, fl;

	m = ctr_path_open(rootfd, "/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (m < 0)
		return err_set(-m, "terminal: open the container's /dev/ptmx");
	if (fstat(m, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2)) {
		close(m);
		return err_setx(ENOTTY, "terminal: the container's /dev/ptmx is not /dev/pts/ptmx");
	}
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0) {
		int err = errno;

		close(m);
		return err_set(err, "terminal: unlock the pty");
	}
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		int err = errno;

		close(m);
		return err_set(err, "terminal: open the pty's slave");
	}
	/* The caller's relay reads and writes it blocking. */
	fl = fcntl(m, F_GETFL);
	if (fl < 0 || fcntl(m, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    /* The process's own terminal, as runc gives it (the group stays tty's). */
	    fchown(s, p->uid, (gid_t)-1) < 0) {
		int err = errno;

		close(m);
		close(s);
		return err_set(err, "terminal: set up the pty");
	}
	*master = m;
	*slave = s;
	return 0;
}
