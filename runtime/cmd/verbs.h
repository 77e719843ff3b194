/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verbs of the ozone command line, one per file in runtime/cmd/, and
 * the table main.c dispatches with. What they share is the library in
 * runtime/lib/.
 */
#ifndef OZONE_RUNTIME_CMD_VERBS_H
#define OZONE_RUNTIME_CMD_VERBS_H

#include "runtime/lib/ozone.h"

struct ozone_verb {
	const char *name;
	int (*run)(struct ozone_globals *g, int argc, char **argv);
	const char *summary;
};

int ozone_cmd_create(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_run(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_start(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_state(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_kill(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_delete(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_exec(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_ps(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_list(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_pause(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_resume(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_events(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_update(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_spec(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_features(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_checkpoint(struct ozone_globals *g, int argc, char **argv);
int ozone_cmd_restore(struct ozone_globals *g, int argc, char **argv);

#endif
