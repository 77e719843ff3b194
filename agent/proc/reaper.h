/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one reaper. Every child's end is collected here: a process of the
 * table gets its status recorded, agent_exit_cond broadcast and an `exit`
 * event queued; anything else (an orphan that the guest's PID 1, or the
 * host-mode agent as a child subreaper, inherited) is just reaped.
 *
 * The container builder waits for its own helper processes, so while a
 * builder call is in flight (reaper_hold) only the table's pids are
 * reaped, never "any child". SIGCHLD must be blocked in every thread.
 */
#ifndef OZONE_AGENT_REAPER_H
#define OZONE_AGENT_REAPER_H

/* With agent_lock held: a builder call (ctr_create, ctr_exec) starts / has ended. */
void reaper_hold(void);
void reaper_release(void);
/* Starts the reaper thread. */
int reaper_start(void);

#endif
