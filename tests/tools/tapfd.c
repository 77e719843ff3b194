/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tapfd IFNAME PROG [ARG]...: attaches to the tap IFNAME (made beforehand,
 * e.g. `ip tuntap add dev IFNAME mode tap vnet_hdr`) with IFF_TAP |
 * IFF_NO_PI | IFF_VNET_HDR, as the runtime opens the taps it hands to
 * ozone-vmm, puts it on fd 3 and execs PROG with it inherited. For tests:
 * a shell cannot issue TUNSETIFF.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

int main(int argc, char **argv)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR};
	int fd;

	if (argc < 3 || strlen(argv[1]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: tapfd IFNAME PROG [ARG]...\n");
		return 2;
	}
	memcpy(ifr.ifr_name, argv[1], strlen(argv[1]));
	fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "tapfd: open /dev/net/tun: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tapfd: TUNSETIFF %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* dup2 clears FD_CLOEXEC: fd 3 goes on to PROG. */
	if (fd != 3 && (dup2(fd, 3) < 0 || close(fd) < 0)) {
		fprintf(stderr, "tapfd: dup2: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "tapfd: exec %s: %s\n", argv[2], strerror(errno));
	return 127;
}
