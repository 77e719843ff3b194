/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ways out of the guest. Power off: our kernel's power-off handler
 * writes 0 to the VMM's exit port (ozone_exit_port= on its command line).
 * Reboot: with reboot=k the kernel pulses the keyboard controller's reset
 * line, which the VMM also treats as the end of the VM.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "agent.h"

static _Noreturn void halt_forever(void)
{
	for (;;)
		pause();
}

bool agent_host_mode;

static _Noreturn void do_reboot(unsigned cmd, const char *what)
{
	/* A host-mode agent must never take the host down with it. */
	if (agent_host_mode)
		_exit(cmd == RB_POWER_OFF ? 0 : 1);
	sync();
	reboot((int)cmd);
	/* Still here: reboot(2) failed. Try a plain halt, then wait forever. */
	agent_log("%s failed: %s", what, strerror(errno));
	if (cmd != RB_HALT_SYSTEM)
		reboot(RB_HALT_SYSTEM);
	halt_forever();
}

void agent_poweroff(void)
{
	do_reboot(RB_POWER_OFF, "power off");
}

void agent_reboot(void)
{
	do_reboot(RB_AUTOBOOT, "reboot");
}
