/* SPDX-License-Identifier: Apache-2.0 */
/* ozone-vmm's command line. */
#ifndef OZONE_VMM_CLI_H
#define OZONE_VMM_CLI_H

#include <stdio.h>

#include "config.h"

#define CLI_DEFAULT_CPUS 1
#define CLI_DEFAULT_MEM_MIB 128
#define CLI_MIN_MEM_MIB 16
#define CLI_MAX_MEM_MIB (1024 * 1024)

/* Exit status for a bad command line. */
#define CLI_EXIT_USAGE 2

/*
 * Parses argv into `cfg` (which points into argv: keep argv alive).
 * Returns 0 to run the VM, 1 when --help or --version was printed on `out`
 * (exit 0), or -errno with err_set() naming the bad option (exit
 * CLI_EXIT_USAGE).
 */
int cli_parse(struct vmm_config *cfg, int argc, char **argv, FILE *out);
void cli_usage(FILE *out);

#endif
