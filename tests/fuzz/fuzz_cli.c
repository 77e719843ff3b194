/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: ozone-vmm's command line (cli_parse). The input is the
 * argument list, words separated by NUL bytes, after argv[0] = "ozone-vmm".
 * Whatever it is given, the parser either accepts a configuration that
 * holds (a kernel, cpus and memory in range, at most VMM_MAX_FS shares each
 * with a non-empty tag and directory), prints help or version, or refuses
 * with -errno and a message. The only file system access is access(2) on
 * the kernel and initrd paths. Seeds: tests/fuzz/corpus/cli/.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Ivmm \
 *     tests/fuzz/fuzz_cli.c vmm/cli.c common/error.c -o fuzz_cli
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "cli.h"
#include "common/error.h"
#include "vm.h"

#define MAX_ARGS 64

static void check_config(const struct vmm_config *cfg)
{
	if (!cfg->kernel || !*cfg->kernel)
		abort();
	if (cfg->cpus < 1 || cfg->cpus > VM_MAX_CPUS)
		abort();
	if (cfg->mem_mib < CLI_MIN_MEM_MIB || cfg->mem_mib > CLI_MAX_MEM_MIB)
		abort();
	if (cfg->console == CONSOLE_FILE && (!cfg->console_path || !*cfg->console_path))
		abort();
	if (cfg->nr_fs > VMM_MAX_FS)
		abort();
	for (unsigned i = 0; i < cfg->nr_fs; i++)
		if (!*cfg->fs[i].tag || !*cfg->fs[i].dir || strchr(cfg->fs[i].tag, '='))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *out;
	struct vmm_config cfg;
	char *argv[MAX_ARGS + 1], *buf;
	int argc = 0, ret;

	if (!out && !(out = fopen("/dev/null", "w")))
		abort();
	/* A copy with a NUL after the last word: the parser splits TAG=DIR in place. */
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "ozone-vmm";
	for (size_t i = 0; size > 0 && i <= size && argc < MAX_ARGS; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;

	err_setx(0, "%s", ""); /* forget the last input's message */
	ret = cli_parse(&cfg, argc, argv, out);
	if (ret == 0)
		check_config(&cfg);
	else if (ret > 1 || (ret < 0 && !*err_msg()))
		abort(); /* neither run, nor help, nor a refusal that says why */
	free(buf);
	return 0;
}
