# lib.sh holds what the measuring scripts in bench/ share. It is sourced, not run:
#
#	. "$(dirname "$0")/lib.sh"
#
# Every function here talks only about processes the sourcing script started itself.

# log prints a line on stderr, after the time of day (UTC).
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# end_process PID asks a process this script started to stop (SIGTERM), if it still runs,
# and waits for it. An empty PID does nothing.
end_process() {
	if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
		kill -TERM "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
	fi
}

# busy_percent prints how busy all CPUs were over the next second, from /proc/stat.
busy_percent() {
	local a b
	a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
	local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
	for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
	echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

# wait_idle waits until the machine is under 25 % busy, for at most $idle_wait seconds, and
# prints the last busy figure: the machine may be shared, and the figure goes beside the run.
wait_idle() {
	local busy waited=0
	busy=$(busy_percent)
	while [ "$busy" -ge 25 ] && [ "$waited" -lt "${idle_wait:-0}" ]; do
		busy=$(busy_percent)
		waited=$((waited + 1))
	done
	echo "$busy"
}

# median_of prints the median of the numbers on stdin, one per line, or $1 (default empty)
# when there is none.
median_of() {
	sort -g | awk -v none="${1-}" '{ v[NR] = $1 }
		END { if (NR == 0) print none; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
