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

# need_tools NAME TOOL... ends the script NAME with status 2 unless every TOOL is on the PATH.
need_tools() {
	local name=$1 tool
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { echo "$name: $tool is needed" >&2; exit 2; }
	done
}

# start_work makes the scratch directory $work and empties server_pid; when the script
# exits, the server it started ($server_pid) is stopped and $work removed, and an interrupt
# ends the script with status 130.
start_work() {
	work=$(mktemp -d)
	server_pid=""
	trap 'end_process "$server_pid"; rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
}

# free_port prints a loopback port nobody listens on (the kernel's pick for port 0).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# use_shardlog [BINARY] sets shardlog to BINARY, or, without one, to a shardlog built from
# this tree ($root) into $work, and build to what it is, for the tables' headers.
use_shardlog() {
	if [ -n "${1-}" ]; then
		shardlog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
		build="prebuilt $shardlog ($("$shardlog" version 2>/dev/null | head -1 || true))"
	else
		log "building shardlog"
		(cd "$root" && go build -o "$work/shardlog" ./cmd/shardlog)
		shardlog=$work/shardlog
		build=$(cd "$root" && git describe --always --dirty) # the tree may change while the runs go on
	fi
}
