/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: linux.seccomp of a config.json turned into a libseccomp
 * filter (ctr_seccomp_build), as the agent does for every container. The
 * profile comes from the container's spec, so it is not trusted to be
 * well-formed. Beyond the sanitizers: a refused profile leaves no filter
 * and one line naming linux.seccomp; an accepted one always compiles to
 * BPF. Seeds: tests/fuzz/corpus/seccomp_profile/.
 *
 * libseccomp 2.5.4 itself leaks the nodes of a rule chain that a later,
 * wider rule for the same syscall makes redundant (e.g. kill with a0 == 0
 * && a1 == 18, then kill with a1 == 18 alone). The agent builds filters
 * only in the container's child process, which execs or exits right after,
 * so those leaks never accumulate; they are suppressed here so that the
 * fuzzer keeps looking for real faults.
 */
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_target.h"
#include "agent/ctr/ctr_internal.h"
#include "common/error.h"

static int null_fd = -1;

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx = (void *)1;
	char *text;
	int ret;

	if (size > OCI_SPEC_RAW_MAX)
		return 0;
	if (null_fd < 0)
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = ctr_seccomp_build(text, &ctx);
	if (ret < 0) {
		if (ctx || strncmp(err_msg(), "linux.seccomp", 13) != 0)
			abort();
	} else {
		if (!ctx)
			abort();
		if (seccomp_export_bpf(ctx, null_fd) < 0)
			abort();
		ctr_seccomp_free(ctx);
	}
	free(text);
	return 0;
}
