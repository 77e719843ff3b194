/* SPDX-License-Identifier: Apache-2.0 */
#include "common/util.h"
#include "common/oci_signal.h"
#include "common/error.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's numbers (x86_64 and the generic ABI), not the C library's SIGRTMIN. */
#define OCI_SIGRTMIN 32
#define OCI_SIGRTMAX 64

static const struct {
	const char *name;
	int sig;
} oci_signals[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},	{"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT},	{"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL},	{"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE},	{"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},	{"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},	   {"TSTP", SIGTSTP},	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},	   {"XCPU", SIGXCPU},	{"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},	   {"WINCH", SIGWINCH}, {"IO", SIGIO},	   {"POLL", SIGPOLL},
    {"PWR", SIGPWR},	   {"SYS", SIGSYS},
};

static int oci_signal_unknown(const char *s)
{
	return err_setx(EINVAL, "unknown signal \"%.64s\"", s);
}

/* A decimal number of at most 3 digits in [min, max], or -1. */
static int oci_small_number(const char *s, int min, int max)
{
	int n = 0;

	if (!*s || strlen(s) > 3 || strspn(s, "0123456789") != strlen(s))
		return -1;
	n = atoi(s);
	return n >= min && n <= max ? n : -1;
}

int oci_signal_parse(const char *s, int *sig)
{
	char up[16];
	const char *name;
	size_t len = strlen(s);
	int n;

	if (len && strspn(s, "0123456789") == len) {
		n = oci_small_number(s, 1, OCI_SIGRTMAX);
		if (n < 0)
			return oci_signal_unknown(s);
		*sig = n;
		return 0;
	}
	if (len == 0 || len >= sizeof(up))
		return oci_signal_unknown(s);
	for (size_t i = 0; i <= len; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	name = strncmp(up, "SIG", 3) ? up : up + 3;
	for (size_t i = 0; i < ARRAY_SIZE(oci_signals); i++) {
		if (!strcmp(name, oci_signals[i].name)) {
			*sig = oci_signals[i].sig;
			return 0;
		}
	}
	if (!strcmp(name, "RTMIN") || !strcmp(name, "RTMAX")) {
		*sig = name[3] == 'I' ? OCI_SIGRTMIN : OCI_SIGRTMAX;
		return 0;
	}
	if (!strncmp(name, "RTMIN+", 6) || !strncmp(name, "RTMAX-", 6)) {
		n = oci_small_number(name + 6, 1, OCI_SIGRTMAX - OCI_SIGRTMIN - 1);
		if (n < 0)
			return oci_signal_unknown(s);
		*sig = name[3] == 'I' ? OCI_SIGRTMIN + n : OCI_SIGRTMAX - n;
		return 0;
	}
	return oci_signal_unknown(s);
}

const char *oci_signal_name(int sig, char *buf, unsigned size)
{
	for (size_t i = 0; i < ARRAY_SIZE(oci_signals); i++) {
		if (oci_signals[i].sig == sig) {
			snprintf(buf, size, "SIG%s", oci_signals[i].name);
			return buf;
		}
	}
	if (sig == OCI_SIGRTMIN || sig == OCI_SIGRTMAX)
		snprintf(buf, size, "SIGRT%s", sig == OCI_SIGRTMIN ? "MIN" : "MAX");
	else if (sig > OCI_SIGRTMIN && sig < OCI_SIGRTMAX)
		snprintf(buf, size, "SIGRTMIN+%d", sig - OCI_SIGRTMIN);
	else
		return NULL;
	return buf;
}
