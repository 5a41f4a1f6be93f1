#!/usr/bin/env bash
# compare.sh runs the same `shardlog bench` scenarios against kinesalite and shardlog on this
# machine, one after the other, and prints one table with the ratios.
#
# For every scenario, run and server it starts the server on a free loopback port with a fresh
# data directory, runs the bench (write phase, then a full read-back that verifies every
# record), samples the server's /proc/<pid>/status (VmHWM, RssAnon) and /proc/<pid>/stat
# (utime + stime) through `shardlog bench --server-pid`, stops the server by the process id
# this script started, and measures the data directory with `du -sb`. Before each run it waits
# (up to --idle-wait) for the machine to be mostly idle, since the machine may be shared.
#
# Usage: bench/compare.sh [--duration 10s] [--runs 3] [--out DIR] [--quick]
#
#   --duration D      length of each write phase (default 10s)
#   --runs N          runs per scenario and server; the table shows medians (default 3)
#   --out DIR         where to keep the raw results (default bench/out/compare-<time>)
#   --sync MODE       shardlog serve --sync: always (default), interval or none
#   --idle-wait S     seconds to wait for an idle machine before each run (default 30)
#   --quick           --duration 2s --runs 1 --idle-wait 5: check that everything works
#
# Needs go, node and npm (kinesalite 3.3.3 is installed from npm into
# ${XDG_CACHE_HOME:-~/.cache}/shardlog-compare), jq, and Linux /proc.
set -euo pipefail

duration=10s
runs=3
out=""
sync=always
idle_wait=30
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--sync) sync=$2; shift 2 ;;
	--idle-wait) idle_wait=$2; shift 2 ;;
	--quick) duration=2s; runs=1; idle_wait=5; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
for tool in go node npm jq du; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is needed" >&2; exit 2; }
done
out=${out:-$root/bench/out/compare-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
work=$(mktemp -d)
server_pid=""

cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- tools -----------------------------------------------------------------------------

log "building shardlog"
(cd "$root" && go build -o "$work/shardlog" ./cmd/shardlog)
build=$(cd "$root" && git describe --always --dirty) # the tree may change while the runs go on
shardlog=$work/shardlog

kl_version=3.3.3
kl_dir=${XDG_CACHE_HOME:-$HOME/.cache}/shardlog-compare/kinesalite-$kl_version
if [ ! -f "$kl_dir/node_modules/kinesalite/cli.js" ]; then
	log "installing kinesalite $kl_version from npm into $kl_dir"
	mkdir -p "$kl_dir"
	npm install --prefix "$kl_dir" --no-audit --no-fund --loglevel=error "kinesalite@$kl_version" >&2
fi

# --- servers ---------------------------------------------------------------------------

# free_port prints a loopback port nobody listens on.
free_port() {
	node -e 'const s=require("net").createServer(); s.listen(0,"127.0.0.1",()=>{console.log(s.address().port); s.close()})'
}

# start_server NAME DATADIR LOG starts a server in the background; it sets server_pid and
# endpoint once the server logs that it listens.
start_server() {
	local name=$1 data=$2 logf=$3 port
	port=$(free_port)
	case "$name" in
	kinesalite)
		node "$kl_dir/node_modules/kinesalite/cli.js" --port "$port" --path "$data" \
			--createStreamMs 0 --deleteStreamMs 0 --updateStreamMs 0 >"$logf" 2>&1 &
		server_pid=$!
		ready="Listening at"
		;;
	shardlog)
		"$shardlog" serve --listen "127.0.0.1:$port" --data "$data" --sync "$sync" \
			--create-stream-delay 0 --delete-stream-delay 0 --update-stream-delay 0 >"$logf" 2>&1 &
		server_pid=$!
		ready="listening"
		;;
	esac
	endpoint=http://127.0.0.1:$port
	for _ in $(seq 200); do
		grep -q "$ready" "$logf" 2>/dev/null && return 0
		kill -0 "$server_pid" 2>/dev/null || { echo "compare.sh: $name exited:" >&2; cat "$logf" >&2; exit 1; }
		sleep 0.05
	done
	echo "compare.sh: $name did not start within 10 s" >&2
	exit 1
}

# stop_server asks the server this script started to stop, and waits for it.
stop_server() {
	kill -TERM "$server_pid"
	wait "$server_pid" || true
	server_pid=""
}

# busy_percent prints how busy all CPUs were over the last second, from /proc/stat.
busy_percent() {
	local a b
	a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
	local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
	for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
	echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

# wait_idle waits until the machine is under 25 % busy, for at most idle_wait seconds, and
# prints the last busy figure.
wait_idle() {
	local busy waited=0
	busy=$(busy_percent)
	while [ "$busy" -ge 25 ] && [ "$waited" -lt "$idle_wait" ]; do
		busy=$(busy_percent)
		waited=$((waited + 1))
	done
	echo "$busy"
}

# --- scenarios -------------------------------------------------------------------------

scenarios=(
	"putrecord-1|PutRecord 100 B, 1 connection|--op putrecord --size 100 --connections 1"
	"putrecord-8|PutRecord 100 B, 8 connections|--op putrecord --size 100 --connections 8"
	"putrecords-100|PutRecords 500 × 100 B, 8 connections|--op putrecords --batch 500 --size 100 --connections 8"
	"putrecords-1000|PutRecords 500 × 1000 B, 8 connections|--op putrecords --batch 500 --size 1000 --connections 8"
)

results=$out/results.tsv
printf 'scenario\tserver\trun\tbusy\twrite_rps\twrite_mbps\tp50_ms\tp99_ms\tread_rps\tread_mbps\tpeak_rss\tpeak_anon\twrite_cores\tread_cores\tdisk\tpayload\tverified\n' >"$results"

for entry in "${scenarios[@]}"; do
	IFS='|' read -r key title flags <<<"$entry"
	for run in $(seq "$runs"); do
		for server in kinesalite shardlog; do
			data=$work/data-$server-$key-$run
			rm -rf "$data"
			busy=$(wait_idle)
			log "$title: $server, run $run of $runs (machine ${busy}% busy)"
			start_server "$server" "$data" "$out/$server-$key-$run.log"
			json=$out/$server-$key-$run.json
			# shellcheck disable=SC2086
			if ! "$shardlog" bench --endpoint "$endpoint" --json --quiet --keep --server-pid "$server_pid" \
				--shards 4 --duration "$duration" $flags >"$json" 2>"$out/$server-$key-$run.err"; then
				log "bench against $server failed: $(tail -1 "$out/$server-$key-$run.err")"
			fi
			stop_server
			disk=$(du -sb "$data" | cut -f1)
			rm -rf "$data"
			jq -r --arg k "$key" --arg s "$server" --arg r "$run" --arg busy "$busy" --arg disk "$disk" '[
				$k, $s, $r, $busy,
				.write.recordsPerSec, .write.mbPerSec, .write.latency.p50Ms, .write.latency.p99Ms,
				(.read.recordsPerSec // 0), (.read.mbPerSec // 0),
				([.write.server.peakRssBytes, (.read.server.peakRssBytes // 0)] | max),
				([.write.server.peakAnonBytes, (.read.server.peakAnonBytes // 0)] | max),
				.write.server.cores, (.read.server.cores // 0),
				($disk | tonumber), .write.bytes, (.verify.ok // false)
			] | @tsv' "$json" >>"$results"
		done
	done
done

# --- table -----------------------------------------------------------------------------

# median SCENARIO SERVER COLUMN prints the median of a results column.
median() {
	awk -F'\t' -v k="$1" -v s="$2" -v c="$3" 'NR > 1 && $1 == k && $2 == s { print $c }' "$results" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# fmt_num prints a number with thousands separators and no decimals.
fmt_num() { LC_ALL=C awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); n = ""; while (length(s) > 3) { n = "," substr(s, length(s) - 2) n; s = substr(s, 1, length(s) - 3) } print s n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "–" }'; }
# smaller A B says how much less (or more) B is than A.
smaller() { awk -v a="$1" -v b="$2" 'BEGIN { if (a <= 0 || b <= 0) print "–"; else if (b <= a) printf "%.1f× less", a / b; else printf "%.1f× more", b / a }'; }
mib() { awk -v v="$1" 'BEGIN { printf "%.0f", v / 1048576 }'; }
fix() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'; }

verified=$(awk -F'\t' 'NR > 1 && $17 != "true" { bad++ } END { print bad + 0 }' "$results")
total=$(awk 'END { print NR - 1 }' "$results")

{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r);"
	echo "$(go version | cut -d' ' -f3), node $(node --version), kinesalite $kl_version, shardlog $build with --sync $sync."
	echo "bench/compare.sh --duration $duration --runs $runs: 4 shards, random payloads, medians of $runs run(s);"
	echo "$((total - verified)) of $total runs verified every record on read-back."
	echo
	echo "| scenario | write records/s: kinesalite → shardlog | call p50 / p99 ms | read-back records/s | peak RSS MiB | peak anonymous RSS MiB | server CPU, write (cores) | disk / payload |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for entry in "${scenarios[@]}"; do
		IFS='|' read -r key title _ <<<"$entry"
		declare -A kl=() sl=()
		for c in 5 7 8 9 11 12 13 15 16; do
			kl[$c]=$(median "$key" kinesalite "$c")
			sl[$c]=$(median "$key" shardlog "$c")
		done
		printf '| %s | %s → **%s** (%s) | %s / %s → %s / %s | %s → **%s** (%s) | %s → %s | %s → **%s** (%s) | %s → %s | %s → **%s** |\n' \
			"$title" \
			"$(fmt_num "${kl[5]}")" "$(fmt_num "${sl[5]}")" "$(ratio "${sl[5]}" "${kl[5]}")" \
			"$(fix "${kl[7]}" 1)" "$(fix "${kl[8]}" 1)" "$(fix "${sl[7]}" 2)" "$(fix "${sl[8]}" 2)" \
			"$(fmt_num "${kl[9]}")" "$(fmt_num "${sl[9]}")" "$(ratio "${sl[9]}" "${kl[9]}")" \
			"$(mib "${kl[11]}")" "$(mib "${sl[11]}")" \
			"$(mib "${kl[12]}")" "$(mib "${sl[12]}")" "$(smaller "${kl[12]}" "${sl[12]}")" \
			"$(fix "${kl[13]}" 2)" "$(fix "${sl[13]}" 2)" \
			"$(awk -v d="${kl[15]}" -v p="${kl[16]}" 'BEGIN { if (p > 0) printf "%.2f", d / p; else print "–" }')" \
			"$(awk -v d="${sl[15]}" -v p="${sl[16]}" 'BEGIN { if (p > 0) printf "%.2f", d / p; else print "–" }')"
	done
} | tee "$out/table.md"
log "raw results in $out"
