#!/usr/bin/env bash
# curve-connections.sh measures how shardlog serve --sync always behaves as the number of
# concurrent writers grows: 1, 8, 64 and 512 connections, each with one call in flight,
# sending PutRecords (500 × 100 B) and PutRecord (100 B). It writes the medians to
# bench/curves/connections.tsv: records/s, MB/s, call latency p50/p99/p99.9, the server's
# CPU (cores), the fdatasync p50/p99 the server saw (from its GET /metrics histogram), and
# how long the server's threads waited for a CPU per second they ran (/proc schedstat).
#
# For every connection count, operation and run it starts the server on a free loopback
# port (--listen 127.0.0.1:0) with a fresh data directory, runs `shardlog bench` without
# read-back, scrapes /metrics, stops the server by the process id this script started and
# deletes the data directory. When the machine has two or more CPUs and taskset is there,
# the server runs on CPU 0 and the load generator on CPU 1, so that neither steals from the
# other. Before each run it waits (up to --idle-wait) for the machine to be mostly idle and
# records how busy it was.
#
# Usage: bench/curve-connections.sh [--duration 10s] [--runs 3] [--out DIR] [--quick]
#
#   --duration D       length of each write phase (default 10s)
#   --runs N           runs per point; the TSV has medians (default 3)
#   --connections "L"  connection counts (default "1 8 64 512")
#   --ops "L"          operations: putrecords and/or putrecord (default both)
#   --out DIR          where to keep the raw results (default bench/out/connections-<time>)
#   --tsv FILE         the curve file (default bench/curves/connections.tsv)
#   --idle-wait S      seconds to wait for an idle machine before each run (default 10)
#   --quick            --duration 2s --runs 1 --idle-wait 0: check that everything works
#   --shardlog BIN     use this prebuilt shardlog binary instead of building the worktree
#                      (to alternate an old and a new build: run the script once with each)
#
# Needs go, jq, curl and Linux /proc; taskset (util-linux) for pinning.
set -euo pipefail

duration=10s
runs=3
conns_list="1 8 64 512"
ops="putrecords putrecord"
out=""
tsv=""
idle_wait=10
prebuilt=""
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) duration=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--connections) conns_list=$2; shift 2 ;;
	--ops) ops=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--tsv) tsv=$2; shift 2 ;;
	--idle-wait) idle_wait=$2; shift 2 ;;
	--quick) duration=2s; runs=1; idle_wait=0; shift ;;
	--shardlog) prebuilt=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "curve-connections.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
need_tools curve-connections.sh go jq curl
out=${out:-$root/bench/out/connections-$(date -u +%Y%m%dT%H%M%SZ)}
tsv=${tsv:-$root/bench/curves/connections.tsv}
mkdir -p "$out" "$(dirname "$tsv")"
start_work

# Pinning: the server on the first CPU, the load generator on the last.
pin_server=() pin_bench=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	pin_server=(taskset -c 0)
	pin_bench=(taskset -c "$(($(nproc) - 1))")
fi

use_shardlog "$prebuilt"

# start_server DATADIR LOG starts the server on a free loopback port; it sets server_pid and
# endpoint once the server logs the address it listens on.
start_server() {
	local data=$1 logf=$2 addr
	: >"$logf" # before the server's shell opens it: the loop below reads it at once
	"${pin_server[@]}" "$shardlog" serve --listen 127.0.0.1:0 --data "$data" --sync always \
		--create-stream-delay 0 --delete-stream-delay 0 --update-stream-delay 0 >"$logf" 2>&1 &
	server_pid=$!
	for _ in $(seq 200); do
		addr=$(sed -n 's/.*msg=listening addr=\([0-9.:]*\).*/\1/p' "$logf" 2>/dev/null | head -1)
		if [ -n "$addr" ]; then
			endpoint=http://$addr
			return 0
		fi
		kill -0 "$server_pid" 2>/dev/null || { echo "curve-connections.sh: the server exited:" >&2; cat "$logf" >&2; exit 1; }
		sleep 0.05
	done
	echo "curve-connections.sh: the server did not start within 10 s" >&2
	exit 1
}

stop_server() {
	kill -TERM "$server_pid"
	wait "$server_pid" || true
	server_pid=""
}

# sync_quantile METRICS Q prints the Q quantile (0..1) of the server's fdatasync histogram in
# milliseconds, interpolated linearly inside its bucket (the buckets double, so this is
# coarse: within a factor of two).
sync_quantile() {
	grep '^shardlog_fdatasync_seconds_bucket{kind="file"' "$1" |
		sed 's/.*le="\([^"]*\)"} \(.*\)/\1 \2/' |
		awk -v q="$2" '
			{ le[NR] = $1; c[NR] = $2 }
			END {
				n = c[NR]; if (n == 0) { print 0; exit }
				rank = q * n; lo = 0; prev = 0
				for (i = 1; i <= NR; i++) {
					if (c[i] >= rank) {
						hi = (le[i] == "+Inf") ? lo : le[i]
						f = (c[i] > prev) ? (rank - prev) / (c[i] - prev) : 1
						printf "%.3f\n", 1000 * (lo + f * (hi - lo)); exit
					}
					lo = le[i]; prev = c[i]
				}
			}'
}

# run_delay PID prints the nanoseconds the process's threads have waited on a CPU run queue
# and run on a CPU, summed over its threads (/proc/PID/task/*/schedstat): a server whose
# threads wait for a CPU longer than they run is short of CPU, whatever the cause.
run_delay() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ run += $1; wait += $2 } END { printf "%d %d\n", wait, run }'
}

# --- runs ------------------------------------------------------------------------------

results=$out/results.tsv
printf 'op\tconnections\trun\tbusy\tload1\trecords_s\tmb_s\tp50_ms\tp99_ms\tp999_ms\tcalls\terrors\tserver_cores\tsync_p50_ms\tsync_p99_ms\tsyncs\trunq_wait_per_cpu\n' >"$results"

for conns in $conns_list; do
	for op in $ops; do
		for run in $(seq "$runs"); do
			key=$op-$conns-$run
			data=$work/data-$key
			busy=$(wait_idle)
			load1=$(cut -d' ' -f1 /proc/loadavg)
			log "$op, $conns connections, run $run of $runs (machine ${busy}% busy, load $load1)"
			start_server "$data" "$out/$key.log"
			json=$out/$key.json
			read -r wait0 cpu0 < <(run_delay "$server_pid")
			if ! "${pin_bench[@]}" "$shardlog" bench --endpoint "$endpoint" --json --quiet --read-back=false \
				--server-pid "$server_pid" --shards 4 --op "$op" --batch 500 --size 100 \
				--connections "$conns" --duration "$duration" >"$json" 2>"$out/$key.err"; then
				log "bench failed: $(tail -1 "$out/$key.err")"
			fi
			read -r wait1 cpu1 < <(run_delay "$server_pid")
			runq=$(awk -v w=$((wait1 - wait0)) -v c=$((cpu1 - cpu0)) 'BEGIN { if (c > 0) printf "%.3f", w / c; else print 0 }')
			curl -fsS "$endpoint/metrics" >"$out/$key.metrics" || : >"$out/$key.metrics"
			stop_server
			rm -rf "$data"
			if [ ! -s "$json" ] || [ "$(jq -r '.write.calls // 0' "$json")" = 0 ]; then
				log "run $key wrote nothing: reported as failed, not dropped"
				printf '%s\t%s\t%s\t%s\t%s\tFAILED\n' "$op" "$conns" "$run" "$busy" "$load1" >>"$results"
				continue
			fi
			jq -r --arg op "$op" --arg c "$conns" --arg r "$run" --arg busy "$busy" --arg load1 "$load1" --arg runq "$runq" \
				--arg s50 "$(sync_quantile "$out/$key.metrics" 0.5)" --arg s99 "$(sync_quantile "$out/$key.metrics" 0.99)" \
				--arg syncs "$(sed -n 's/^shardlog_fdatasync_seconds_count{kind="file"} //p' "$out/$key.metrics")" '[
				$op, $c, $r, $busy, $load1,
				.write.recordsPerSec, .write.mbPerSec,
				.write.latency.p50Ms, .write.latency.p99Ms, .write.latency.p999Ms,
				.write.calls, .write.errors, .write.server.cores, $s50, $s99, ($syncs | if . == "" then 0 else tonumber end), $runq
			] | @tsv' "$json" >>"$results"
		done
	done
done

# --- the curve -------------------------------------------------------------------------

# median OP CONNS COLUMN prints the median of a results column over the runs that worked.
median() {
	awk -F'\t' -v o="$1" -v k="$2" -v c="$3" 'NR > 1 && $1 == o && $2 == k && $6 != "FAILED" { print $c }' "$results" | median_of nan
}
fix() { awk -v v="$1" -v d="$2" 'BEGIN { if (v == "nan") print "nan"; else printf "%.*f", d, v }'; }

label() { case "$1" in putrecords) echo "PutRecords 500×100B" ;; putrecord) echo "PutRecord 100B" ;; esac; }

failed=$(awk -F'\t' 'NR > 1 && $6 == "FAILED" { n++ } END { print n + 0 }' "$results")
total=$(awk 'END { print NR - 1 }' "$results")
pinned="not pinned"
[ ${#pin_server[@]} -gt 0 ] && pinned="server on CPU 0, load generator on CPU $(($(nproc) - 1)) (taskset)"
{
	echo "# bench/curve-connections.sh --duration $duration --runs $runs --connections \"$conns_list\" --ops \"$ops\""
	echo "# measured $(date -u '+%Y-%m-%d %H:%M UTC'), shardlog $build, $(go version | cut -d' ' -f3), serve --sync always, 4 shards, random payloads, no read-back"
	echo "# machine: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r); $pinned"
	echo "# medians of $runs run(s) per point; $failed of $total runs failed; busy % and 1-minute load before each run:"
	awk -F'\t' 'NR > 1 { printf "#   %s %s run %s: busy %s%%, load %s\n", $1, $2, $3, $4, $5 }' "$results"
	header="connections"
	for op in $ops; do
		l=$(label "$op")
		header+="\t$l (records/s)\t$l (MB/s)\t$l p50 (ms)\t$l p99 (ms)\t$l p99.9 (ms)\t$l server CPU (cores)\t$l fdatasync p50 (ms)\t$l fdatasync p99 (ms)\t$l server run-queue wait per CPU second (ratio)"
	done
	printf '%b\n' "$header"
	for conns in $conns_list; do
		line=$conns
		for op in $ops; do
			line+="\t$(fix "$(median "$op" "$conns" 6)" 0)\t$(fix "$(median "$op" "$conns" 7)" 2)"
			line+="\t$(fix "$(median "$op" "$conns" 8)" 3)\t$(fix "$(median "$op" "$conns" 9)" 3)\t$(fix "$(median "$op" "$conns" 10)" 3)"
			line+="\t$(fix "$(median "$op" "$conns" 13)" 2)\t$(fix "$(median "$op" "$conns" 14)" 3)\t$(fix "$(median "$op" "$conns" 15)" 3)\t$(fix "$(median "$op" "$conns" 17)" 2)"
		done
		printf '%b\n' "$line"
	done
} >"$tsv"
cat "$tsv"
log "raw results in $out; curve in $tsv"
