/* SPDX-License-Identifier: Apache-2.0 */
/* What the guest sees of its VM: CPUs, memory, entropy source. */
#ifndef OZONE_AGENT_GUEST_INFO_H
#define OZONE_AGENT_GUEST_INFO_H

#include <stddef.h>

/* Counts the CPUs in a list such as "0-3,5\n"; -EINVAL if malformed. */
int cpulist_count(const char *list);
/* MemTotal (KiB) from /proc/meminfo text; -EINVAL if absent. */
long long meminfo_total_kib(const char *meminfo);

/*
 * Prints one line:
 * "ozone-agent: cpus=N mem_total_kib=N rng=NAME rng_bytes=N [rng_error=...]"
 * A value that cannot be read is printed as "?" with an "<item>_error=" word.
 */
void guest_info_report(void);

#endif
