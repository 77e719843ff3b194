/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone list`: the containers under --root, as runc lists them: a table
 * (ID PID STATUS BUNDLE CREATED OWNER, laid out like Go's tabwriter with
 * runc's settings), the ids alone (--quiet), or a JSON array (null when
 * there is none, as runc prints it).
 */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/store.h"
#include "common/error.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LIST_COLUMNS 6

/* Go's tabwriter.NewWriter(out, 12, 1, 3, ' ', 0): cells padded to max(width + 3, 12). */
static void list_table(char *(*rows)[LIST_COLUMNS], size_t n)
{
	size_t width[LIST_COLUMNS] = {0};

	for (size_t r = 0; r < n; r++)
		for (int c = 0; c < LIST_COLUMNS; c++)
			if (strlen(rows[r][c]) + 3 > width[c])
				width[c] = strlen(rows[r][c]) + 3;
	for (int c = 0; c < LIST_COLUMNS; c++)
		if (width[c] < 12)
			width[c] = 12;
	for (size_t r = 0; r < n; r++) {
		for (int c = 0; c < LIST_COLUMNS - 1; c++)
			printf("%-*s", (int)width[c], rows[r][c]);
		printf("%s\n", rows[r][LIST_COLUMNS - 1]);
	}
}

/* runc's owner: the name of the state directory's owner, or #uid. */
static char *list_owner(const struct ozone_globals *g, const char *id)
{
	char path[4096], *s = NULL;
	struct passwd *pw;
	struct stat st;

	if (store_path(g, id, path, sizeof(path)) < 0 || stat(path, &st) < 0)
		return strdup("");
	pw = getpwuid(st.st_uid);
	if (pw && asprintf(&s, "%s", pw->pw_name) >= 0)
		return s;
	if (asprintf(&s, "#%u", (unsigned)st.st_uid) >= 0)
		return s;
	return NULL;
}

static const struct option list_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int list_print(const struct ozone_globals *g, struct oci_state *sts, size_t n, bool json,
		      bool quiet)
{
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", sts[i].id);
		return 0;
	}
	if (json) {
		struct json_out o;
		char *text;
		size_t len;
		int ret;

		if (n == 0) {
			printf("null\n");
			return 0;
		}
		if ((ret = json_out_init(&o)) < 0)
			return ret;
		json_out_array_open(&o);
		for (size_t i = 0; i < n; i++)
			oci_state_out(&o, &sts[i], false);
		json_out_array_close(&o);
		if ((ret = json_out_finish(&o, &text, &len)) < 0)
			return ret;
		printf("%s\n", text);
		free(text);
		return 0;
	}
	char *(*rows)[LIST_COLUMNS] = calloc(n + 1, sizeof(*rows));
	char(*pids)[16] = calloc(n + 1, sizeof(*pids));

	if (!rows || !pids) {
		free(rows);
		free(pids);
		return err_set(ENOMEM, "list");
	}
	rows[0][0] = "ID", rows[0][1] = "PID", rows[0][2] = "STATUS";
	rows[0][3] = "BUNDLE", rows[0][4] = "CREATED", rows[0][5] = "OWNER";
	for (size_t i = 0; i < n; i++) {
		snprintf(pids[i], sizeof(pids[i]), "%d", sts[i].pid);
		rows[i + 1][0] = sts[i].id, rows[i + 1][1] = pids[i];
		rows[i + 1][2] = sts[i].status, rows[i + 1][3] = sts[i].bundle;
		rows[i + 1][4] = sts[i].created, rows[i + 1][5] = sts[i].owner;
	}
	list_table(rows, n + 1);
	free(rows);
	free(pids);
	(void)g;
	return 0;
}

int ozone_cmd_list(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "list",
	    .usage =
		"list [command options]\n\n"
		"Lists the containers under the global option --root.\n\n"
		"OPTIONS:\n"
		"   --format value, -f value  select one of: table or json (default: \"table\")\n"
		"   --quiet, -q               display only container IDs",
	    .shortopts = "f:q",
	    .longopts = list_opts,
	};
	struct oci_state *sts;
	bool json = false, quiet = false;
	char **ids;
	size_t n, got = 0;
	int c, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "table") && strcmp(optarg, "json"))
				return ozone_failf("invalid format option");
			json = !strcmp(optarg, "json");
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return OZONE_EXIT_FAIL;
		}
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 0, 0) < 0)
		return OZONE_EXIT_FAIL;
	ret = store_list(g, &ids, &n);
	if (ret < 0)
		return ozone_fail(ret);
	sts = calloc(n + 1, sizeof(*sts));
	if (!sts) {
		oci_strv_free(ids);
		return ozone_fail(-ENOMEM);
	}
	for (size_t i = 0; i < n; i++) {
		/* A directory that is not (or no longer) a container is skipped, as runc does. */
		if (store_read(g, ids[i], &sts[got]) < 0) {
			ozone_debug("list: skipping %s: %s", ids[i], err_msg());
			continue;
		}
		free(sts[got].owner);
		sts[got].owner = list_owner(g, ids[i]);
		if (!sts[got].owner) {
			oci_state_free(&sts[got]);
			continue;
		}
		got++;
	}
	ret = list_print(g, sts, got, json, quiet);
	for (size_t i = 0; i < got; i++)
		oci_state_free(&sts[i]);
	free(sts);
	oci_strv_free(ids);
	return ret < 0 ? ozone_fail(ret) : 0;
}
