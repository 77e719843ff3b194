# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Helpers shared by the benchmark scripts (sourced, not run).

# stats FILE: "median min max" of the numbers in FILE (one per line), or "- - -".
stats() {
	sort -g "$1" 2>/dev/null | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}
median() { stats "$1" | cut -d' ' -f1; }
count() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
# row LABEL FILE [UNIT]: one table row, median min max (n)
row() {
	local s
	s=$(stats "$2")
	# shellcheck disable=SC2086 # $s is "median min max": split on purpose
	set -- "$1" $s "$(count "$2")"
	printf '  %-34s %10s %10s %10s   (n=%s)\n' "$1" "$2" "$3" "$4" "$5"
}
header() { printf '  %-34s %10s %10s %10s\n' "${1:-}" median min max; }
# ratio FILE_A FILE_B: median(A) / median(B)
ratio() {
	awk -v a="$(median "$1")" -v b="$(median "$2")" \
		'BEGIN { if (b + 0 > 0 && a != "-") printf "%.3f", a / b; else print "-" }'
}
now_ns() { date +%s%N; }
# ms_since NS: milliseconds since NS, two decimals
ms_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f\n", (b - a) / 1e6 }'; }
# pss_rss PID...: "PSS_KIB RSS_KIB" summed over the PIDs (smaps_rollup)
pss_rss() {
	local p pss=0 rss=0 a b
	for p in "$@"; do
		a=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		b=$(awk '/^Rss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		pss=$((pss + ${a:-0}))
		rss=$((rss + ${b:-0}))
	done
	echo "$pss $rss"
}
# used_kib: MemTotal - MemAvailable
used_kib() { awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo; }
machine() {
	echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs," \
		"$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
}
