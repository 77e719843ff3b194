/* SPDX-License-Identifier: Apache-2.0 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/if_tun.h>

#include "common/error.h"
#include "vm.h"

#ifndef OZONE_VERSION
#define OZONE_VERSION "0.1.0"
#endif

enum {
	OPT_CPUS = 0x100,
	OPT_CONSOLE,
	OPT_VSOCK,
	OPT_FS,
	OPT_API,
	OPT_JAIL,
	OPT_BALLOON,
	OPT_NET,
};

static const struct option long_opts[] = {
    {"kernel", required_argument, NULL, 'k'},
    {"initrd", required_argument, NULL, 'i'},
    {"cmdline", required_argument, NULL, 'c'},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"memory", required_argument, NULL, 'm'},
    {"console", required_argument, NULL, OPT_CONSOLE},
    {"vsock-socket", required_argument, NULL, OPT_VSOCK},
    {"fs", required_argument, NULL, OPT_FS},
    {"api-socket", required_argument, NULL, OPT_API},
    {"jail", required_argument, NULL, OPT_JAIL},
    {"balloon", no_argument, NULL, OPT_BALLOON},
    {"net", required_argument, NULL, OPT_NET},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void cli_usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: ozone-vmm --kernel PATH [OPTION]...\n"
	    "Boot a Linux kernel in a KVM microVM.\n"
	    "\n"
	    "  -k, --kernel PATH        guest kernel: an uncompressed vmlinux (ELF) or a bzImage\n"
	    "  -i, --initrd PATH        initial ramdisk (e.g. a cpio archive)\n"
	    "  -c, --cmdline STR        appended to the kernel command line\n"
	    "      --cpus N             vCPUs, 1..%d (default %d)\n"
	    "  -m, --memory MIB         guest memory in MiB, %d..%d (default %d)\n"
	    "      --console MODE       serial console: stdio (default), none, or a file PATH\n"
	    "                           to append the guest's output to\n"
	    "      --vsock-socket PATH  virtio-vsock device; the host side is this unix socket\n"
	    "      --fs TAG=DIR[,cache=none|auto|always][,writeback][,inodes=N][,handles=N]\n"
	    "                           share DIR with the guest over virtio-fs; the guest\n"
	    "                           mounts it with `mount -t virtiofs TAG DIR` (TAG: up\n"
	    "                           to %d bytes; repeatable, up to %d shares); the guest\n"
	    "                           holds at most N inodes (default %u) and N open\n"
	    "                           files (default %u) of it at once\n"
	    "      --balloon            virtio-balloon with free page reporting only: the\n"
	    "                           guest reports memory it has freed and the VMM gives\n"
	    "                           it back to the host (the guest is never asked to\n"
	    "                           give up memory it uses)\n"
	    "      --net fd=N,mac=MAC[,mtu=U]\n"
	    "                           virtio-net NIC on the tap the VMM inherits as fd N\n"
	    "                           (opened with IFF_TAP|IFF_NO_PI|IFF_VNET_HDR); MAC:\n"
	    "                           the guest's, aa:bb:cc:dd:ee:ff; U: %d..%d (default\n"
	    "                           %d); repeatable, up to %d NICs\n"
	    "      --api-socket PATH    control socket (not available yet)\n"
	    "      --jail DIR           confine the VMM before the guest runs: own mount, IPC\n"
	    "                           and UTS namespaces with a root in DIR (an empty\n"
	    "                           directory) holding only what it serves, no_new_privs,\n"
	    "                           capabilities dropped, seccomp filters per thread\n"
	    "  -h, --help               show this help and exit\n"
	    "  -V, --version            show the version and exit\n"
	    "\n"
	    "Exit status: 0 when the guest powers off or reboots, or on SIGTERM/SIGINT;\n"
	    "1 on an error of the VMM or KVM; 2 on a bad command line; 3 when the guest\n"
	    "kernel panics.\n",
	    VM_MAX_CPUS, CLI_DEFAULT_CPUS, CLI_MIN_MEM_MIB, CLI_MAX_MEM_MIB, CLI_DEFAULT_MEM_MIB,
	    VMM_FS_TAG_MAX, VMM_MAX_FS, FUSE_SERVER_MAX_INODES, FUSE_SERVER_MAX_HANDLES,
	    VMM_NET_MIN_MTU, VMM_NET_MAX_MTU, VMM_NET_DEFAULT_MTU, VMM_MAX_NET);
}

/* A plain decimal number in [min, max]: no sign, no suffix, no blanks. */
static int parse_uint(const char *opt, const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return err_setx(EINVAL, "--%s %s: not a number", opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v < min || v > max)
		return err_setx(EINVAL, "--%s %s: must be between %llu and %llu", opt, s, min, max);
	*out = v;
	return 0;
}

/* "NAME=N" with N in [1, max]: 1 with *v set, 0 if `o` is not NAME=..., or -EINVAL. */
static int parse_fs_cap(const char *tag, const char *o, const char *name, uint32_t max, uint32_t *v)
{
	size_t len = strlen(name);
	unsigned long long n;

	if (strncmp(o, name, len) || o[len] != '=')
		return 0;
	if (parse_uint("fs", o + len + 1, 1, max, &n) < 0)
		return err_setx(EINVAL, "--fs %s: %s must be a number from 1 to %u", tag, name,
				max);
	*v = (uint32_t)n;
	return 1;
}

/* One ",WORD" after the directory of --fs. */
static int parse_fs_opt(struct vmm_fs_share *sh, const char *tag, const char *o)
{
	int ret = parse_fs_cap(tag, o, "inodes", VMM_FS_MAX_INODES, &sh->max_inodes);

	if (ret == 0)
		ret = parse_fs_cap(tag, o, "handles", VMM_FS_MAX_HANDLES, &sh->max_handles);
	if (ret)
		return ret < 0 ? ret : 0;
	if (!strcmp(o, "cache=auto"))
		sh->cache = FUSE_CACHE_AUTO;
	else if (!strcmp(o, "cache=none"))
		sh->cache = FUSE_CACHE_NONE;
	else if (!strcmp(o, "cache=always"))
		sh->cache = FUSE_CACHE_ALWAYS;
	else if (!strcmp(o, "writeback"))
		sh->writeback = true;
	else
		return err_setx(EINVAL,
				"--fs %s: unknown option '%s' (expected cache=none|auto|always, "
				"writeback, inodes=N or handles=N)",
				tag, o);
	return 0;
}

/* The tag goes into the guest's config space and names the mount: printable, no blanks. */
static int check_fs_tag(const struct vmm_config *cfg, const char *tag)
{
	size_t len = strlen(tag);

	if (len > VMM_FS_TAG_MAX)
		return err_setx(EINVAL, "--fs %s: tag longer than %d bytes", tag, VMM_FS_TAG_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tag[i];

		if (c <= ' ' || c >= 0x7f)
			return err_setx(EINVAL,
					"--fs %s: tag must be printable ASCII without blanks", tag);
	}
	for (unsigned i = 0; i < cfg->nr_fs; i++)
		if (!strcmp(cfg->fs[i].tag, tag))
			return err_setx(EINVAL, "--fs %s: tag given twice", tag);
	return 0;
}

/*
 * TAG=DIR[,OPTION]...: everything after the first comma that follows the
 * '=' is options, so DIR cannot hold a comma (the runtime's paths do not).
 */
static int parse_fs(struct vmm_config *cfg, char *arg)
{
	char *eq = strchr(arg, '='), *opts, *o, *save = NULL;
	struct vmm_fs_share sh = {0};
	struct stat st;
	int ret;

	if (!eq || eq == arg || !eq[1] || eq[1] == ',')
		return err_setx(
		    EINVAL,
		    "--fs %s: expected TAG=DIR[,cache=none|auto|always][,writeback][,inodes=N][,"
		    "handles=N]",
		    arg);
	if (cfg->nr_fs == VMM_MAX_FS)
		return err_setx(EINVAL, "--fs %s: at most %d shares", arg, VMM_MAX_FS);
	/* Split in place: argv outlives the config. */
	*eq = '\0';
	sh.tag = arg;
	sh.dir = eq + 1;
	ret = check_fs_tag(cfg, sh.tag);
	if (ret < 0)
		return ret;
	opts = strchr(eq + 1, ',');
	if (opts) {
		*opts++ = '\0';
		for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
			ret = parse_fs_opt(&sh, sh.tag, o);
			if (ret < 0)
				return ret;
		}
	}
	if (stat(sh.dir, &st) < 0)
		return err_set(errno, "--fs %s: %s", sh.tag, sh.dir);
	if (!S_ISDIR(st.st_mode))
		return err_setx(ENOTDIR, "--fs %s: %s is not a directory", sh.tag, sh.dir);
	cfg->fs[cfg->nr_fs++] = sh;
	return 0;
}

/* aa:bb:cc:dd:ee:ff, a unicast address other than all zeros. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	int end = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6 ||
	    end != 17 || strspn(s, "0123456789abcdefABCDEF:") != 17)
		return err_setx(EINVAL, "--net mac=%s: expected aa:bb:cc:dd:ee:ff", s);
	for (int i = 0; i < 6; i++) {
		if (s[3 * i + 2] != (i == 5 ? '\0' : ':'))
			return err_setx(EINVAL, "--net mac=%s: expected aa:bb:cc:dd:ee:ff", s);
		mac[i] = (uint8_t)v[i];
	}
	if (mac[0] & 1)
		return err_setx(EINVAL, "--net mac=%s: a multicast address", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return err_setx(EINVAL, "--net mac=%s: the all-zero address", s);
	return 0;
}

/*
 * The fd must be open and be a tap whose frames carry a vnet header and no
 * packet information: the device's data path reads and writes exactly that.
 */
static int check_tap(int fd)
{
	struct ifreq ifr = {0};

	if (fcntl(fd, F_GETFD) < 0)
		return err_set(errno, "--net fd=%d: not an open file descriptor", fd);
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return err_set(errno, "--net fd=%d: not a tap device", fd);
	if ((ifr.ifr_flags & (IFF_TUN | IFF_TAP)) != IFF_TAP)
		return err_setx(EINVAL, "--net fd=%d: %s is a tun device, not a tap", fd,
				ifr.ifr_name);
	if (!(ifr.ifr_flags & IFF_VNET_HDR))
		return err_setx(EINVAL, "--net fd=%d: tap %s was opened without IFF_VNET_HDR", fd,
				ifr.ifr_name);
	if (!(ifr.ifr_flags & IFF_NO_PI))
		return err_setx(EINVAL, "--net fd=%d: tap %s was opened without IFF_NO_PI", fd,
				ifr.ifr_name);
	return 0;
}

/* One ",KEY=VALUE" of --net; each key at most once. */
static int parse_net_opt(struct vmm_net *n, char *o, unsigned *seen)
{
	unsigned long long v;
	int ret;

	if (!strncmp(o, "fd=", 3) && !(*seen & 1)) {
		ret = parse_uint("net fd", o + 3, 0, INT32_MAX, &v);
		n->fd = (int)v;
		*seen |= 1;
	} else if (!strncmp(o, "mac=", 4) && !(*seen & 2)) {
		ret = parse_mac(o + 4, n->mac);
		*seen |= 2;
	} else if (!strncmp(o, "mtu=", 4) && !(*seen & 4)) {
		ret = parse_uint("net mtu", o + 4, VMM_NET_MIN_MTU, VMM_NET_MAX_MTU, &v);
		n->mtu = (uint16_t)v;
		*seen |= 4;
	} else {
		return err_setx(EINVAL,
				"--net: unknown or repeated option '%s' (expected fd=N, mac=MAC, "
				"mtu=U)",
				o);
	}
	return ret;
}

/* fd=N,mac=MAC[,mtu=U], in any order. */
static int parse_net(struct vmm_config *cfg, char *arg)
{
	struct vmm_net n = {.fd = -1, .mtu = VMM_NET_DEFAULT_MTU};
	unsigned seen = 0;
	char *o, *save = NULL;
	int ret;

	if (cfg->nr_net == VMM_MAX_NET)
		return err_setx(EINVAL, "--net %s: at most %d NICs", arg, VMM_MAX_NET);
	for (o = strtok_r(arg, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		ret = parse_net_opt(&n, o, &seen);
		if (ret < 0)
			return ret;
	}
	if ((seen & 3) != 3)
		return err_setx(EINVAL, "--net: fd=N and mac=MAC are required");
	for (unsigned i = 0; i < cfg->nr_net; i++)
		if (cfg->net[i].fd == n.fd)
			return err_setx(EINVAL, "--net fd=%d: given twice", n.fd);
	ret = check_tap(n.fd);
	if (ret < 0)
		return ret;
	cfg->net[cfg->nr_net++] = n;
	return 0;
}

static int check_file(const char *opt, const char *path)
{
	if (!*path)
		return err_setx(EINVAL, "--%s: empty path", opt);
	if (access(path, R_OK) < 0)
		return err_set(errno, "--%s %s", opt, path);
	return 0;
}

static int parse_opt(struct vmm_config *cfg, int c, char *arg, FILE *out)
{
	unsigned long long v;
	int ret;

	switch (c) {
	case 'k':
		cfg->kernel = arg;
		return 0;
	case 'i':
		cfg->initrd = arg;
		return 0;
	case 'c':
		cfg->cmdline = arg;
		return 0;
	case OPT_CPUS:
		ret = parse_uint("cpus", arg, 1, VM_MAX_CPUS, &v);
		if (ret == 0)
			cfg->cpus = (unsigned)v;
		return ret;
	case 'm':
		ret = parse_uint("memory", arg, CLI_MIN_MEM_MIB, CLI_MAX_MEM_MIB, &v);
		if (ret == 0)
			cfg->mem_mib = v;
		return ret;
	case OPT_CONSOLE:
		if (!strcmp(arg, "stdio")) {
			cfg->console = CONSOLE_STDIO;
		} else if (!strcmp(arg, "none")) {
			cfg->console = CONSOLE_NONE;
		} else if (*arg) {
			cfg->console = CONSOLE_FILE;
			cfg->console_path = arg;
		} else {
			return err_setx(EINVAL, "--console: expected stdio, none or a file path");
		}
		return 0;
	case OPT_JAIL:
		if (!*arg)
			return err_setx(EINVAL, "--jail: empty path");
		cfg->jail_dir = arg;
		return 0;
	case OPT_VSOCK:
		cfg->vsock_socket = arg;
		return 0;
	case OPT_FS:
		return parse_fs(cfg, arg);
	case OPT_API:
		cfg->api_socket = arg;
		return 0;
	case OPT_BALLOON:
		cfg->balloon = true;
		return 0;
	case OPT_NET:
		return parse_net(cfg, arg);
	case 'h':
		cli_usage(out);
		return 1;
	case 'V':
		fprintf(out, "ozone-vmm %s\n", OZONE_VERSION);
		return 1;
	default:
		/* getopt_long has already said what was wrong; say it our way instead. */
		return -EINVAL;
	}
}

int cli_parse(struct vmm_config *cfg, int argc, char **argv, FILE *out)
{
	int c, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cpus = CLI_DEFAULT_CPUS;
	cfg->mem_mib = CLI_DEFAULT_MEM_MIB;
	cfg->console = CONSOLE_STDIO;

	optind = 0; /* glibc: start over (tests parse many command lines) */
	opterr = 0; /* we print one line of our own */
	while ((c = getopt_long(argc, argv, ":k:i:c:m:hV", long_opts, NULL)) != -1) {
		if (c == '?') {
			if (optopt)
				return err_setx(EINVAL, "unknown option -%c", optopt);
			return err_setx(EINVAL, "unknown option %s", argv[optind - 1]);
		}
		if (c == ':')
			return err_setx(EINVAL, "option %s needs a value", argv[optind - 1]);
		ret = parse_opt(cfg, c, optarg, out);
		if (ret != 0)
			return ret;
	}
	if (optind < argc)
		return err_setx(EINVAL, "unexpected argument %s", argv[optind]);
	if (!cfg->kernel)
		return err_setx(EINVAL, "--kernel is required");
	ret = check_file("kernel", cfg->kernel);
	if (ret == 0 && cfg->initrd)
		ret = check_file("initrd", cfg->initrd);
	return ret;
}
