/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Work inside another network namespace, on a thread of its own, for the
 * runtime (a CNI namespace on the host) and the agent (the VM's namespace
 * in the guest). A thread's network namespace is its own (setns and
 * unshare with CLONE_NEWNET change only the caller), so a short-lived
 * thread enters the namespace, does the work and ends: the calling
 * program's long-lived threads never leave theirs, whatever fails. What
 * the thread opens stays bound to the namespace it was opened in (a
 * netlink socket, a tap, the namespace's own fd).
 */
#ifndef OZONE_COMMON_NETNS_RUN_H
#define OZONE_COMMON_NETNS_RUN_H

/*
 * Runs fn(arg) on a new thread inside the network namespace nsfd, or, with
 * nsfd -1, inside a new one whose fd is then stored in *newfd (the caller
 * owns it; NULL: closed). Returns fn's result, with its error message
 * carried over to the calling thread (err_msg() is per thread).
 */
int netns_run(int nsfd, int *newfd, int (*fn)(void *arg), void *arg);

#endif
