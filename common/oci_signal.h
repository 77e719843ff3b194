/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names as `runc kill` takes them: KILL, SIGKILL, kill, 9. */
#ifndef OZONE_COMMON_OCI_SIGNAL_H
#define OZONE_COMMON_OCI_SIGNAL_H

/*
 * Parses a signal name (with or without SIG, any case; RTMIN+n and RTMAX-n
 * too) or number (1..64). Returns 0 and *sig, or -EINVAL with the message
 * `unknown signal "FOO"`.
 */
int oci_signal_parse(const char *s, int *sig);
/* "SIGTERM" for 15, "SIGRTMIN+3", or NULL for a number that is no signal. */
const char *oci_signal_name(int sig, char *buf, unsigned size);

#endif
