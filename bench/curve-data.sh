#!/usr/bin/env bash
# curve-data.sh measures how shardlog behaves as the data on disk grows: for each size it
# fills one stream of 4 shards through the server (`shardlog bench --keep`, 1000-byte
# random records in PutRecords calls of 500, 8 connections), then measures
#
#   - the start-up time after a clean stop (SIGTERM): from starting the process until
#     GET /health answers ready (`shardlog bench-probe ready`), --runs times;
#   - the start-up time after kill -9 during writes (`shardlog bench-probe write` into the
#     same stream, the server killed 1.5 s in), --runs times, and what recovery scanned
#     (the server's "recovery:" log line);
#   - the server's RSS, memory mappings and open descriptors once it is ready after a clean
#     start, and again after the reads below;
#   - GetShardIterator + the first GetRecords (Limit 100) at TRIM_HORIZON, AT_TIMESTAMP (the
#     middle of the fill), AT_SEQUENCE_NUMBER (the record found there) and LATEST, --tries
#     times each (`shardlog bench-probe reads`);
#
# and deletes the data directory before the next size. It writes the medians to
# bench/curves/data.tsv (first column the data size, one column per series) and keeps the raw
# output (server logs, JSON, per-run figures) under --out.
#
# Usage: bench/curve-data.sh [--sizes 1,10,50] [--runs 5] [--tries 200] [--out DIR] [--quick]
#
#   --sizes LIST     data sizes in GB (10^9 bytes of record data), comma-separated
#                    (default 1,10,50)
#   --runs N         start-ups measured per size, clean and after kill -9 each (default 5)
#   --tries N        GetRecords measurements per starting position (default 200)
#   --sync MODE      shardlog serve --sync: always (default), interval or none
#   --data DIR       where the data directories go (default: a new directory under /tmp);
#                    each size needs its size + 5 GB free there, or it is skipped
#   --out DIR        where to keep the raw results (default bench/out/curve-data-<time>)
#   --tsv FILE       the curve's figures (default bench/curves/data.tsv)
#   --quick          --sizes 0.2,1 --runs 3 --tries 50: check that everything works
#
# Needs go, jq, python3 (a free port), df, and Linux /proc (the server's status, maps, fds).
set -euo pipefail

sizes=1,10,50
runs=5
tries=200
sync=always
data_root=""
out=""
tsv=""
while [ $# -gt 0 ]; do
	case "$1" in
	--sizes) sizes=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--tries) tries=$2; shift 2 ;;
	--sync) sync=$2; shift 2 ;;
	--data) data_root=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--tsv) tsv=$2; shift 2 ;;
	--quick) sizes=0.2,1; runs=3; tries=50; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "curve-data.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
need_tools curve-data.sh go jq python3 df du awk
out=${out:-$root/bench/out/curve-data-$(date -u +%Y%m%dT%H%M%SZ)}
tsv=${tsv:-$root/bench/curves/data.tsv}
mkdir -p "$out" "$(dirname "$tsv")"
work=$(mktemp -d)
data_root=${data_root:-$work}
mkdir -p "$data_root"
data=$data_root/curve-data
server_pid=""
writer_pid=""

cleanup() {
	end_process "$writer_pid"
	end_process "$server_pid"
	rm -rf "$data" "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

use_shardlog

port=$(free_port)
endpoint=http://127.0.0.1:$port

# start_server LOG starts the server on the data directory in the background and sets
# server_pid and started_ns (the time just before the process started).
start_server() {
	started_ns=$(date +%s%N)
	"$shardlog" serve --listen "127.0.0.1:$port" --data "$data" --sync "$sync" \
		--create-stream-delay 0 --delete-stream-delay 0 --update-stream-delay 0 >"$1" 2>&1 &
	server_pid=$!
}

# ready_ms waits until the server answers ready and prints the milliseconds since started_ns.
ready_ms() {
	"$shardlog" bench-probe ready --endpoint "$endpoint" --since-ns "$started_ns" --poll 2ms || {
		echo "curve-data.sh: the server did not become ready; its log:" >&2
		tail -20 "$1" >&2
		exit 1
	}
}

# stop_server stops the server this script started with SIGTERM and waits for it.
stop_server() {
	kill -TERM "$server_pid"
	wait "$server_pid" || true
	server_pid=""
}

# proc_figures prints the server's RSS (MiB), mappings and open descriptors.
proc_figures() {
	local rss maps fds
	rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status")
	maps=$(wc -l <"/proc/$server_pid/maps")
	fds=$(find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
	printf '%s\t%s\t%s\n' "$rss" "$maps" "$fds"
}

# recovery_field LOG NAME prints a field of the server's "recovery:" log line.
recovery_field() {
	grep -m1 'msg="recovery:' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'
}

# open_ms LOG prints how long opening the store took (the recovery line's took), in ms.
open_ms() {
	recovery_field "$1" took | awk '{ v = $1 + 0; if ($1 ~ /µs$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /s$/) v *= 1000; printf "%.1f", v }'
}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

header='data (GB)'
header+='\tfill (s)\tstart-up clean (ms)\tstart-up after kill -9 (ms)'
header+='\tTRIM_HORIZON p50 (ms)\tTRIM_HORIZON p99 (ms)\tAT_TIMESTAMP p50 (ms)\tAT_TIMESTAMP p99 (ms)'
header+='\tAT_SEQUENCE_NUMBER p50 (ms)\tAT_SEQUENCE_NUMBER p99 (ms)\tLATEST p50 (ms)\tLATEST p99 (ms)'
header+='\trss after start-up (MiB)\trss after reads (MiB)\tscanned after kill -9 (MiB)\tdisk (GiB)'
header+='\tmappings after start-up (count)\tmappings after reads (count)\tdescriptors after start-up (count)\tdescriptors after reads (count)'
header+='\tstore open clean (ms)\tstore open after kill -9 (ms)'
header+='\tload (1-min average)'
rows=$out/rows.tsv
: >"$rows"
skipped=""
began=$(date +%s)

IFS=',' read -r -a size_list <<<"$sizes"
for size in "${size_list[@]}"; do
	sdir=$out/$size-GB
	mkdir -p "$sdir"
	rm -rf "$data"
	need=$(awk -v s="$size" 'BEGIN { printf "%.0f", (s + 5) * 1e9 }')
	avail=$(df -B1 --output=avail "$data_root" | tail -1 | tr -d ' ')
	if [ "$avail" -lt "$need" ]; then
		msg="skipped $size GB: $(awk -v a="$avail" 'BEGIN { printf "%.1f", a / 1e9 }') GB free under $data_root, $(awk -v n="$need" 'BEGIN { printf "%.0f", n / 1e9 }') GB needed"
		log "$msg"
		skipped+="# $msg"$'\n'
		continue
	fi
	records=$(awk -v s="$size" 'BEGIN { printf "%.0f", s * 1e9 / 1000 }')

	# --- fill -------------------------------------------------------------------------
	log "$size GB: filling one stream of 4 shards with $records records of 1000 B (load $(loadavg))"
	start_server "$sdir/fill.log"
	ready_ms "$sdir/fill.log" >/dev/null
	fill_from=$(date +%s%3N)
	"$shardlog" bench --endpoint "$endpoint" --json --quiet --keep --read-back=false \
		--shards 4 --size 1000 --batch 500 --connections 8 --records "$records" >"$sdir/fill.json" 2>"$sdir/fill.err" || {
		log "fill failed: $(tail -1 "$sdir/fill.err")"; exit 1; }
	fill_to=$(date +%s%3N)
	fill_s=$(awk -v a="$fill_from" -v b="$fill_to" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
	stream=$(jq -r '.streams[0]' "$sdir/fill.json")
	middle=$(( (fill_from + fill_to) / 2 ))
	stop_server
	disk=$(du -sb "$data" | cut -f1)
	log "$size GB: filled in $fill_s s ($(jq -r '.write.mbPerSec | floor' "$sdir/fill.json") MB/s), $(awk -v d="$disk" 'BEGIN { printf "%.2f", d / 2^30 }') GiB on disk"

	# --- start-up after a clean stop, then the reads --------------------------------------
	: >"$sdir/clean.tsv"
	for run in $(seq "$runs"); do
		start_server "$sdir/clean-$run.log"
		ms=$(ready_ms "$sdir/clean-$run.log")
		printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$ms" "$(proc_figures)" "$(recovery_field "$sdir/clean-$run.log" bytes_scanned)" \
			"$(open_ms "$sdir/clean-$run.log")" >>"$sdir/clean.tsv"
		log "$size GB: clean start-up $run of $runs: $ms ms (load $(loadavg))"
		if [ "$run" -eq "$runs" ]; then
			"$shardlog" bench-probe reads --endpoint "$endpoint" --stream "$stream" --tries "$tries" --limit 100 \
				--at-ms "$middle" >"$sdir/reads.json" 2>"$sdir/reads.err" || {
				log "reads failed: $(tail -1 "$sdir/reads.err")"; exit 1; }
			proc_figures >"$sdir/after-reads.tsv"
		fi
		stop_server
	done

	# --- start-up after kill -9 during writes ---------------------------------------------
	: >"$sdir/kill.tsv"
	start_server "$sdir/kill-0.log"
	ready_ms "$sdir/kill-0.log" >/dev/null
	for run in $(seq "$runs"); do
		"$shardlog" bench-probe write --endpoint "$endpoint" --stream "$stream" --size 1000 --batch 500 \
			--connections 8 --duration 60s >"$sdir/kill-write-$run.json" 2>"$sdir/kill-write-$run.err" &
		writer_pid=$!
		sleep 1.5
		kill -KILL "$server_pid"
		wait "$server_pid" 2>/dev/null || true
		kill -TERM "$writer_pid" 2>/dev/null || true
		wait "$writer_pid" 2>/dev/null || true
		writer_pid=""
		start_server "$sdir/kill-$run.log"
		ms=$(ready_ms "$sdir/kill-$run.log")
		scanned=$(recovery_field "$sdir/kill-$run.log" bytes_scanned)
		segs=$(recovery_field "$sdir/kill-$run.log" segments_scanned)
		printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$ms" "$scanned" "$segs" "$(open_ms "$sdir/kill-$run.log")" >>"$sdir/kill.tsv"
		log "$size GB: start-up after kill -9, $run of $runs: $ms ms, scanned $segs segments, $scanned bytes (load $(loadavg))"
	done
	stop_server
	rm -rf "$data"

	# --- the row ----------------------------------------------------------------------------
	q() { jq -r --arg k "$1" --arg f "$2" '.by[$k].latency[$f] // empty | . * 1000 | round / 1000' "$sdir/reads.json"; }
	IFS=$'\t' read -r rss_reads maps_reads fds_reads <"$sdir/after-reads.tsv"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$size" "$fill_s" \
		"$(cut -f2 "$sdir/clean.tsv" | median_of)" "$(cut -f2 "$sdir/kill.tsv" | median_of)" \
		"$(q TRIM_HORIZON p50Ms)" "$(q TRIM_HORIZON p99Ms)" "$(q AT_TIMESTAMP p50Ms)" "$(q AT_TIMESTAMP p99Ms)" \
		"$(q AT_SEQUENCE_NUMBER p50Ms)" "$(q AT_SEQUENCE_NUMBER p99Ms)" "$(q LATEST p50Ms)" "$(q LATEST p99Ms)" \
		"$(cut -f3 "$sdir/clean.tsv" | median_of)" "$rss_reads" \
		"$(cut -f3 "$sdir/kill.tsv" | median_of | awk '{ printf "%.1f", $1 / 1048576 }')" \
		"$(awk -v d="$disk" 'BEGIN { printf "%.2f", d / 2^30 }')" \
		"$(cut -f4 "$sdir/clean.tsv" | median_of)" "$maps_reads" \
		"$(cut -f5 "$sdir/clean.tsv" | median_of)" "$fds_reads" \
		"$(cut -f7 "$sdir/clean.tsv" | median_of)" "$(cut -f5 "$sdir/kill.tsv" | median_of)" \
		"$(loadavg)" >>"$rows"
done

took=$(( $(date +%s) - began ))
{
	echo "# bench/curve-data.sh --sizes $sizes --runs $runs --tries $tries --sync $sync"
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), shardlog $build, $(go version | cut -d' ' -f3), the whole run took ${took} s"
	echo "# $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
	echo "# one stream of 4 shards, 1000 B random records; start-ups: medians of $runs; reads: GetShardIterator + first GetRecords (Limit 100) over $tries tries"
	printf '%s' "$skipped"
	printf '%b\n' "$header"
	cat "$rows"
} >"$tsv"
cat "$tsv"
log "the whole run took ${took} s; raw results in $out"
