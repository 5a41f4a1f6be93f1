#!/usr/bin/env bash
# compare.sh runs the same `shardlog bench` scenarios against kinesalite and shardlog on this
# machine, one after the other, and prints the tables with the ratios. The headline is the
# server's CPU time per million records written and per million read back.
#
# For every scenario, run and server it starts the server on a free loopback port with a fresh
# data directory, runs the bench (write phase, then a full read-back that verifies every
# record), samples the server's /proc/<pid>/status (VmHWM, RssAnon) and /proc/<pid>/stat
# (utime + stime) through `shardlog bench --server-pid`, stops the server by the process id
# this script started, and measures the data directory with `du -sb`. Before each run it waits
# (up to --idle-wait) for the machine to be mostly idle, since the machine may be shared, and
# records how busy it was and the load average.
#
# Order: within each run, the (scenario, server) pairs come in a random order drawn from a
# seed, printed in the table's header; --seed repeats an order. Pinning: on a machine with two
# or more CPUs, the server runs on the first CPU this script may use and the load generator
# on the others (taskset, from util-linux), so that neither takes CPU time from the other.
# Failed runs: a run whose JSON is empty or unparsable, whose read-back did not verify, or
# whose bench exited with an error is left out of the figures and listed under the tables as
# failed, with the last line of its stderr. The table arithmetic is bench/compare (Go).
#
# Usage: bench/compare.sh [--duration 10s] [--runs 3] [--out DIR] [--quick]
#
#   --duration D      length of each write phase (default 10s)
#   --runs N          runs per scenario and server; the tables show medians (default 3)
#   --out DIR         where to keep the raw results (default bench/out/compare-<time>)
#   --sync MODE       shardlog serve --sync: always (default), interval or none
#   --idle-wait S     seconds to wait for an idle machine before each run (default 30)
#   --seed N          seed of the order of the runs (default: drawn, and printed)
#   --no-pin          do not pin the server and the load generator to CPUs
#   --quick           --duration 2s --runs 1 --idle-wait 5: check that everything works
#   --table DIR       print the tables again from the raw results of an earlier invocation
#
# Needs go, node and npm (kinesalite 3.3.3 is installed from npm into
# ${XDG_CACHE_HOME:-~/.cache}/shardlog-compare), taskset for pinning, and Linux /proc.
set -euo pipefail

duration=10s
runs=3
out=""
sync=always
idle_wait=30
seed=""
pin=yes
table_dir=""
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--sync) sync=$2; shift 2 ;;
	--idle-wait) idle_wait=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--no-pin) pin=no; shift ;;
	--quick) duration=2s; runs=1; idle_wait=5; shift ;;
	--table) table_dir=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
start_work

# print_table DIR prints the header and the tables of the results in DIR, and keeps them in
# DIR/table.md.
print_table() {
	{
		[ ! -f "$1/header.md" ] || cat "$1/header.md"
		"$work/compare" table "$1"
	} | tee "$1/table.md"
}

need_tools compare.sh go
(cd "$root" && go build -o "$work/compare" ./bench/compare)
if [ -n "$table_dir" ]; then
	print_table "$table_dir"
	exit 0
fi

# --- tools -----------------------------------------------------------------------------

need_tools compare.sh node npm du python3
out=${out:-$root/bench/out/compare-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
seed=${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}

use_shardlog

kl_version=3.3.3
kl_dir=${XDG_CACHE_HOME:-$HOME/.cache}/shardlog-compare/kinesalite-$kl_version
if [ ! -f "$kl_dir/node_modules/kinesalite/cli.js" ]; then
	log "installing kinesalite $kl_version from npm into $kl_dir"
	mkdir -p "$kl_dir"
	npm install --prefix "$kl_dir" --no-audit --no-fund --loglevel=error "kinesalite@$kl_version" >&2
fi

# --- pinning ---------------------------------------------------------------------------

# allowed_cpus prints the CPUs this script may run on, one per line, from the kernel's
# list ("0-3,6").
allowed_cpus() {
	local list range
	list=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)
	for range in ${list//,/ }; do
		seq "${range%-*}" "${range#*-}"
	done
}

server_pin=()
bench_pin=()
mapfile -t cpus < <(allowed_cpus)
if [ "$pin" = no ]; then
	pinning="not pinned (--no-pin)"
elif [ "${#cpus[@]}" -lt 2 ]; then
	pinning="not pinned: only ${#cpus[@]} CPU"
elif ! command -v taskset >/dev/null; then
	pinning="not pinned: taskset (util-linux) is not installed"
else
	others=$(IFS=,; echo "${cpus[*]:1}")
	server_pin=(taskset -c "${cpus[0]}")
	bench_pin=(taskset -c "$others")
	pinning="server pinned to CPU ${cpus[0]}, load generator to CPU $others (taskset)"
fi

# --- servers ---------------------------------------------------------------------------

# start_server NAME DATADIR LOG starts a server in the background; it sets server_pid and
# endpoint once the server logs that it listens, and fails if it does not.
start_server() {
	local name=$1 data=$2 logf=$3 port
	port=$(free_port)
	case "$name" in
	kinesalite)
		"${server_pin[@]}" node "$kl_dir/node_modules/kinesalite/cli.js" --port "$port" --path "$data" \
			--createStreamMs 0 --deleteStreamMs 0 --updateStreamMs 0 >"$logf" 2>&1 &
		server_pid=$!
		ready="Listening at"
		;;
	shardlog)
		"${server_pin[@]}" "$shardlog" serve --listen "127.0.0.1:$port" --data "$data" --sync "$sync" \
			--create-stream-delay 0 --delete-stream-delay 0 --update-stream-delay 0 >"$logf" 2>&1 &
		server_pid=$!
		ready="listening"
		;;
	esac
	endpoint=http://127.0.0.1:$port
	for _ in $(seq 200); do
		grep -q "$ready" "$logf" 2>/dev/null && return 0
		if ! kill -0 "$server_pid" 2>/dev/null; then
			echo "compare.sh: $name exited before listening: $(tail -1 "$logf")" >>"$logf"
			wait "$server_pid" || true
			server_pid=""
			return 1
		fi
		sleep 0.05
	done
	echo "compare.sh: $name did not start within 10 s" >>"$logf"
	stop_server
	return 1
}

# stop_server asks the server this script started to stop, and waits for it.
stop_server() {
	kill -TERM "$server_pid"
	wait "$server_pid" || true
	server_pid=""
}

# --- scenarios -------------------------------------------------------------------------

scenarios=(
	"putrecord-1|PutRecord 100 B, 1 connection|--op putrecord --size 100 --connections 1"
	"putrecord-8|PutRecord 100 B, 8 connections|--op putrecord --size 100 --connections 8"
	"putrecords-100|PutRecords 500 × 100 B, 8 connections|--op putrecords --batch 500 --size 100 --connections 8"
	"putrecords-1000|PutRecords 500 × 1000 B, 8 connections|--op putrecords --batch 500 --size 1000 --connections 8"
)

declare -A flags_of=() title_of=()
keys=()
printf 'key\ttitle\n' >"$out/scenarios.tsv"
for entry in "${scenarios[@]}"; do
	IFS='|' read -r key title flags <<<"$entry"
	keys+=("$key")
	flags_of[$key]=$flags
	title_of[$key]=$title
	printf '%s\t%s\n' "$key" "$title" >>"$out/scenarios.tsv"
done

{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r);"
	echo "$(go version | cut -d' ' -f3), node $(node --version), kinesalite $kl_version, shardlog $build with --sync $sync."
	echo "\`bench/compare.sh --duration $duration --runs $runs --seed $seed\`: 4 shards, random payloads, $runs run(s) of each"
	echo "scenario and server, in a random order within each run (seed $seed); $pinning."
} >"$out/header.md"

# --- runs ------------------------------------------------------------------------------

"$work/compare" order -seed "$seed" -runs "$runs" "${keys[@]}" >"$out/order.tsv"
total=$(wc -l <"$out/order.tsv")
log "$total runs in a random order, seed $seed (--seed $seed repeats it); $pinning"
printf 'order\trun\tscenario\tserver\tbusy\tload\texit\tdisk\tjson\terr\n' >"$out/runs.tsv"

n=0
# The order is read on descriptor 3, so that nothing the loop starts reads it from stdin.
while IFS=$'\t' read -r run key server <&3; do
	n=$((n + 1))
	name=$server-$key-$run
	data=$work/data-$name
	rm -rf "$data"
	busy=$(wait_idle)
	load=$(cut -d' ' -f1 /proc/loadavg)
	log "[$n/$total] ${title_of[$key]}: $server, run $run of $runs (machine ${busy}% busy, load $load)"
	code=0
	if start_server "$server" "$data" "$out/$name.log"; then
		# shellcheck disable=SC2086
		"${bench_pin[@]}" "$shardlog" bench --endpoint "$endpoint" --json --quiet --keep --server-pid "$server_pid" \
			--shards 4 --duration "$duration" ${flags_of[$key]} >"$out/$name.json" 2>"$out/$name.err" || code=$?
		stop_server
	else
		code=1
		: >"$out/$name.json"
		tail -1 "$out/$name.log" >"$out/$name.err"
	fi
	[ "$code" -eq 0 ] || log "run failed (exit $code): $(tail -1 "$out/$name.err")"
	disk=$(du -sb "$data" 2>/dev/null | cut -f1 || true) # no directory if the server never started
	rm -rf "$data"
	printf '%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n' "$n" "$run" "$key" "$server" "$busy" "$load" "$code" "${disk:-0}" \
		"$name.json" "$name.err" >>"$out/runs.tsv"
done 3<"$out/order.tsv"

# --- table -----------------------------------------------------------------------------

print_table "$out"
log "raw results in $out"
