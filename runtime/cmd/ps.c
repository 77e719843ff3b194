/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone ps [--format table|json] ID`: the container's processes, as the
 * agent sees them in the guest. runc runs the host's ps(1) over the
 * container's pids; a guest's processes are not host processes, so json
 * gives runc's array of pids (guest pids) and table the columns of
 * `ps -ef` made from what the agent read in the guest's /proc (an agent
 * that sends only pids gets a PID column). ps options after the id are
 * accepted and ignored: there is no ps(1) to give them to.
 */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"
#include "common/error.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct option ps_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* STIME as ps prints it: HH:MM for today, MonDD for this year, the year before that. */
static void ps_stime(uint64_t start, time_t now, char *out, size_t size)
{
	time_t t = start > (uint64_t)now ? now : (time_t)start;
	struct tm st, nt;

	localtime_r(&t, &st);
	localtime_r(&now, &nt);
	if (st.tm_year == nt.tm_year && st.tm_yday == nt.tm_yday)
		strftime(out, size, "%H:%M", &st);
	else if (st.tm_year == nt.tm_year)
		strftime(out, size, "%b%d", &st);
	else
		strftime(out, size, "%Y", &st);
}

/* The command as the agent sent it, control characters shown as '?'. */
static void ps_print_cmd(const char *cmd)
{
	for (const unsigned char *c = (const unsigned char *)cmd; *c; c++)
		putchar(*c < 0x20 || *c == 0x7f ? '?' : *c);
	putchar('\n');
}

static void ps_table(const struct proto_pids *p)
{
	time_t now = time(NULL);

	if (!p->procs) {
		puts("PID");
		for (size_t i = 0; i < p->count; i++)
			printf("%u\n", p->pids[i]);
		return;
	}
	puts("UID          PID    PPID  C STIME TTY          TIME CMD");
	for (size_t i = 0; i < p->count; i++) {
		const struct proto_proc *pr = &p->procs[i];
		uint64_t secs = pr->cpu_ms / 1000, age, c = 0;
		char uid[16], stime[16], cpu[32];

		if (pr->uid == 0)
			snprintf(uid, sizeof(uid), "root");
		else
			snprintf(uid, sizeof(uid), "%u", pr->uid);
		ps_stime(pr->start, now, stime, sizeof(stime));
		/* C: percent of the process's life spent on a cpu, at most 99 as ps shows it. */
		age = (uint64_t)now > pr->start ? (uint64_t)now - pr->start : 0;
		if (age)
			c = pr->cpu_ms / 10 / age;
		if (c > 99)
			c = 99;
		snprintf(cpu, sizeof(cpu), "%02llu:%02llu:%02llu",
			 (unsigned long long)(secs / 3600), (unsigned long long)(secs / 60 % 60),
			 (unsigned long long)(secs % 60));
		printf("%-8s %7u %7u %2llu %5s %-8s %8s ", uid, pr->pid, pr->ppid,
		       (unsigned long long)c, stime, pr->tty[0] ? pr->tty : "?", cpu);
		ps_print_cmd(pr->cmd);
	}
}

int ozone_cmd_ps(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "ps",
	    .usage =
		"ps [command options] <container-id> [ps options]\n\n"
		"Displays the processes running inside a container.\n\n"
		"The table has the columns of ps -ef (UID PID PPID C STIME TTY TIME CMD),\n"
		"read from the guest's /proc; ps options after the container id are\n"
		"accepted and ignored (the processes are not host processes).\n\n"
		"OPTIONS:\n"
		"   --format value, -f value  select one of: table or json (default: \"table\")",
	    .shortopts = "f:",
	    .longopts = ps_opts,
	};
	struct proto_msg req = {.op = PROTO_OP_PS}, reply;
	struct oci_state st;
	struct agent_conn conn;
	bool json = false;
	const char *id;
	int c, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c != 'f')
			return OZONE_EXIT_FAIL;
		if (strcmp(optarg, "table") && strcmp(optarg, "json"))
			return ozone_failf("invalid format option");
		json = !strcmp(optarg, "json");
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, INT_MAX) < 0)
		return OZONE_EXIT_FAIL;
	id = argv[optind];
	ret = store_read(g, id, &st);
	if (ret < 0)
		return ozone_fail(ret);
	if (!strcmp(st.status, "stopped") || !strcmp(st.status, "creating"))
		ret = err_setx(EINVAL, "container with id %s is not running", id);
	oci_state_free(&st);
	if (ret < 0)
		return ozone_fail(ret);
	ret = container_agent(g, id, &conn);
	if (ret < 0)
		return ozone_fail(ret);
	snprintf(req.body.container.container_id, sizeof(req.body.container.container_id), "%s",
		 id);
	ret = agent_call(&conn, &req, &reply);
	agent_close(&conn);
	if (ret < 0)
		return ozone_fail(ret);
	if (json) {
		putchar('[');
		for (size_t i = 0; i < reply.body.pids.count; i++)
			printf("%s%u", i ? "," : "", reply.body.pids.pids[i]);
		puts("]");
	} else
		ps_table(&reply.body.pids);
	proto_msg_free(&reply);
	return 0;
}
