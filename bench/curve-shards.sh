#!/usr/bin/env bash
# curve-shards.sh measures what a shardlog server costs as its shard count grows, from one
# shard to ten thousand, and writes the curve to bench/curves/shards.tsv.
#
# For every point (streams × shards per stream; by default 1×1, 10×10, 100×10, 1000×10) it
# starts `shardlog serve` (built from this tree) on a free loopback port with a fresh data
# directory, and:
#   1. creates the streams and writes the same load to them whatever their number, with
#      `shardlog bench`: --records records of 100 B in PutRecords calls of 100, paced to
#      --rate records/s over --connections connections, one writer per stream so that every
#      stream is written, then every shard read back and verified;
#   2. measures the server: VmRSS and RssAnon (/proc/<pid>/status), open descriptors
#      (/proc/<pid>/fd), memory mappings (/proc/<pid>/maps), threads, goroutines (/metrics),
#      and the data directory (du);
#   3. stops it with SIGTERM, starts it again and times the start until GET /health answers
#      (clean start), and measures its memory, descriptors and mappings once open;
#   4. writes a few more records, kills it with SIGKILL and times the start after the crash.
# The stop on SIGTERM is timed too (after the load), and stream creation is what the bench
# spent outside its write and read phases. Start-up is timed from exec to the first answer of GET /health (a process start included);
# recovery is the part the server logs as its store's opening (took=).
# Then it deletes the data directory. PutRecords latency is the bench's p50 and p99 of the
# write phase, measured from each call's start; the achieved write rate is in the curve too,
# so a point that could not carry the load shows it.
#
# Usage: bench/curve-shards.sh [--points "1x1 10x10 100x10 1000x10"] [--quick] [options]
#
#   --points LIST     streams×shards per point, space-separated (default 1x1 10x10 100x10 1000x10)
#   --rate N          records/s of the write load (default 20000)
#   --records N       records written per point (default 200000)
#   --connections N   connections of the write load (default 8)
#   --shardlog BIN    measure this binary instead of building the tree (e.g. an older commit)
#   --tsv FILE        where to write the curve (default bench/curves/shards.tsv)
#   --out DIR         where to keep the raw output (default bench/out/shards-<time>)
#   --quick           --points "1x1 10x10" --records 20000: check that everything works
#
# Needs go (unless --shardlog), curl, python3 (for a free port), du and Linux /proc.
set -euo pipefail

points="1x1 10x10 100x10 1000x10"
rate=20000
records=200000
connections=8
binary=""
tsv=""
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--points) points=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--records) records=$2; shift 2 ;;
	--connections) connections=$2; shift 2 ;;
	--shardlog) binary=$2; shift 2 ;;
	--tsv) tsv=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--quick) points="1x1 10x10"; records=20000; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "curve-shards.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
need_tools curve-shards.sh curl python3 du
tsv=${tsv:-$root/bench/curves/shards.tsv}
out=${out:-$root/bench/out/shards-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out" "$(dirname "$tsv")"
start_work

use_shardlog "$binary"

# --- the server --------------------------------------------------------------------------

now_ns() { date +%s%N; }

# start_server DATADIR LOG SHARDS starts the server in the background and waits until GET
# /health answers; it sets server_pid and endpoint, and start_ms to the time that took.
start_server() {
	local data=$1 logf=$2 shards=$3 port t0
	port=$(free_port)
	endpoint=http://127.0.0.1:$port
	t0=$(now_ns)
	"$shardlog" serve --listen "127.0.0.1:$port" --data "$data" --sync always \
		--shard-limit $((shards + 100)) --create-stream-delay 0 --delete-stream-delay 0 \
		--update-stream-delay 0 >>"$logf" 2>&1 &
	server_pid=$!
	until curl -sf -o /dev/null --max-time 5 "$endpoint/health"; do
		kill -0 "$server_pid" 2>/dev/null || { echo "curve-shards.sh: the server exited:" >&2; tail "$logf" >&2; exit 1; }
		if [ $(( ($(now_ns) - t0) / 1000000000 )) -ge 600 ]; then
			echo "curve-shards.sh: the server did not answer within 600 s" >&2; exit 1
		fi
	done
	start_ms=$(( ($(now_ns) - t0) / 1000000 ))
}

# stop_server SIGNAL stops the server this script started and waits for it; it sets stop_ms.
stop_server() {
	local t0
	t0=$(now_ns)
	kill "-$1" "$server_pid"
	{ wait "$server_pid" || true; } 2>/dev/null # no "Killed" line from the shell
	stop_ms=$(( ($(now_ns) - t0) / 1000000 ))
	server_pid=""
}

# status_kib FIELD prints a /proc/<pid>/status field of the server, in KiB.
status_kib() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$server_pid/status"; }
mib() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }

# sample PREFIX sets PREFIX_rss, _anon (MiB), _fds, _maps, _threads and _goroutines.
sample() {
	local p=$1
	printf -v "${p}_rss" '%s' "$(mib "$(status_kib VmRSS)")"
	printf -v "${p}_anon" '%s' "$(mib "$(status_kib RssAnon)")"
	printf -v "${p}_fds" '%s' "$(ls "/proc/$server_pid/fd" | wc -l)"
	printf -v "${p}_maps" '%s' "$(wc -l <"/proc/$server_pid/maps")"
	printf -v "${p}_threads" '%s' "$(status_kib Threads)"
	printf -v "${p}_goroutines" '%s' "$(curl -sf "$endpoint/metrics" | awk '$1 == "go_goroutines" { print $2 }')"
}

# recovery_ms LOG prints the duration of the last recovery the server logged (its took=), in ms.
recovery_ms() {
	python3 -c 'import re, sys
took = re.findall(r"msg=\"recovery:[^\n]* took=([0-9.]+)(ns|µs|us|ms|s)\b", open(sys.argv[1]).read())[-1]
print("%.1f" % (float(took[0]) * {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1, "s": 1e3}[took[1]]))' "$1"
}

# json_field FILE PATH prints a number from the bench's JSON (python3, so that no jq is needed).
json_field() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k]
print(v)' "$1" "$2"
}

# --- the curve ---------------------------------------------------------------------------

rows=$work/rows.tsv
comments=$work/comments.tsv
: >"$rows"
: >"$comments"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t_all=$(now_ns)

for point in $points; do
	streams=${point%x*}
	per=${point#*x}
	shards=$((streams * per))
	data=$work/data-$point
	logf=$out/serve-$point.log
	json=$out/bench-$point.json
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	log "$streams stream(s) × $per shard(s) = $shards shards (load average $load)"

	start_server "$data" "$logf" "$shards"
	log "  empty server up in $start_ms ms; creating the streams, writing $records records at $rate records/s"
	writers=$((streams > connections ? streams : connections))
	writers=$((writers > 4096 ? 4096 : writers)) # the bench's bound: streams past it are created, not written
	t0=$(now_ns)
	if ! "$shardlog" bench --endpoint "$endpoint" --json --quiet --keep --server-pid "$server_pid" \
		--streams "$streams" --shards "$per" --writers "$writers" \
		--connections "$connections" --read-connections "$connections" --size 100 --batch 100 \
		--records "$records" --rate "$rate" >"$json" 2>"$out/bench-$point.err"; then
		echo "curve-shards.sh: bench failed at $point: $(tail -3 "$out/bench-$point.err")" >&2
		exit 1
	fi
	bench_s=$(awk -v n=$(( $(now_ns) - t0 )) 'BEGIN { printf "%.2f", n / 1e9 }')
	p50=$(json_field "$json" write.latency.p50Ms)
	p99=$(json_field "$json" write.latency.p99Ms)
	wrate=$(json_field "$json" write.recordsPerSec)
	# what the bench spent outside its write and read phases: creating and listing the streams
	create_ms=$(awk -v all="$bench_s" -v w="$(json_field "$json" write.seconds)" -v r="$(json_field "$json" read.seconds)" \
		'BEGIN { printf "%.0f", (all - w - r) * 1000 }')
	sample load
	disk=$(du -sk "$data" | cut -f1)

	stop_server TERM
	shutdown_ms=$stop_ms
	start_server "$data" "$logf" "$shards"
	clean_ms=$start_ms
	clean_recovery=$(recovery_ms "$logf")
	sample open
	log "  clean start in $clean_ms ms; a few more records, then SIGKILL"
	stream=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["streams"][0])' "$json")
	seq 1000 | "$shardlog" put --endpoint "$endpoint" --stream "$stream" --quiet
	stop_server KILL
	start_server "$data" "$logf" "$shards"
	crash_ms=$start_ms
	crash_recovery=$(recovery_ms "$logf")
	stop_server TERM
	rm -rf "$data"
	log "  start after kill -9 in $crash_ms ms"

	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\n' \
		"$shards" "$load_rss" "$load_anon" "$open_rss" "$open_anon" "$(mib "$disk")" \
		"$load_fds" "$open_fds" "$load_maps" "$open_maps" "$load_goroutines" "$load_threads" \
		"$p50" "$p99" "$clean_ms" "$crash_ms" "$clean_recovery" "$crash_recovery" "$shutdown_ms" "$create_ms" "$wrate" >>"$rows"
	printf '# %s: %s stream(s) × %s shards; load average %s; bench (create, write, read back) %s s\n' \
		"$shards" "$streams" "$per" "$load" "$bench_s" >>"$comments"
done

total_s=$(( ($(now_ns) - t_all) / 1000000000 ))
{
	echo "# bench/curve-shards.sh --points \"$points\" --rate $rate --records $records --connections $connections"
	echo "# $started, build $build, $(nproc) CPUs, $(uname -sr), whole curve in $total_s s"
	echo "# after load: after writing and reading back; at open: after a clean restart; PutRecords 100 × 100 B, --sync always"
	echo "# start: from exec to the first answer of GET /health; recovery: the store's opening as the server logs it (took=)"
	cat "$comments"
	printf 'shards\trss after load (MiB)\tanon rss after load (MiB)\trss at open (MiB)\tanon rss at open (MiB)\tdisk (MiB)\t'
	printf 'descriptors after load (count)\tdescriptors at open (count)\tmappings after load (count)\tmappings at open (count)\tgoroutines after load (count)\tthreads after load (count)\t'
	printf 'put p50 (ms)\tput p99 (ms)\tstart clean (ms)\tstart after kill -9 (ms)\trecovery clean (ms)\trecovery after kill -9 (ms)\tstop on SIGTERM (ms)\tcreate streams (ms)\twritten (records/s)\n'
	cat "$rows"
} >"$tsv"
log "wrote $tsv ($total_s s); raw output in $out"
