/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What sandbox_mount.c (making the share) and sandbox_unshare.c (taking it
 * apart) have in common: the fd-only ways into the shared directory. The
 * guest can change what a name under shared/ means at any moment, so
 * neither side resolves a path there: both work from fds they opened and
 * checked, and reach the mounts by their ids, never by mount-point paths.
 */
#ifndef OZONE_RUNTIME_SANDBOX_SHARE_H
#define OZONE_RUNTIME_SANDBOX_SHARE_H

/*
 * A writable view of the directory dirfd is on: a detached, private clone
 * of its mount rooted there (open_tree(OPEN_TREE_CLONE), not recursive),
 * with the read-only flag cleared. It holds the top filesystem alone, no
 * mount below it, and nobody else sees it: the runtime makes and removes
 * its own directories of the read-only top through it. Closing the fd
 * drops it.
 */
int share_writable(int dirfd);
/*
 * Opens name below dirfd (flags | O_CLOEXEC | O_NOFOLLOW) with openat2's
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_XDEV: no symlink, no "..", no mount crossed.
 */
int share_open_beneath(int dirfd, const char *name, int flags);
/* Detaches (MNT_DETACH) the mount whose root fd is open on: no path is resolved. */
int share_detach_fd(int fd);

#endif
