#!/usr/bin/env bash
# readback_memory.sh measures the server's memory in the 1000 B read-back of compare.sh
# (PutRecords 500 × 1000 B from 8 connections into 4 shards, then every shard read back from
# TRIM_HORIZON and verified) for several shardlog binaries, alternated run by run on the
# same machine, and prints per run and as medians the peak resident set (VmHWM), the peak
# anonymous resident set (RssAnon) and the peak file-backed resident set (RssFile) of the
# read-back phase, with its records/s. kinesalite can be one of them, for the same scenario in
# the same session.
#
# Usage: bench/readback_memory.sh [--runs 5] [--records 400000] NAME=BINARY... [kinesalite=CLI_JS]
#
# Each run starts `BINARY serve --sync always` (or `node CLI_JS --path`, for kinesalite) on a
# free loopback port with a fresh data directory, runs `shardlog bench --server-pid` (the
# first BINARY's) against it, and stops the server by the process id it started. Needs jq
# and Linux /proc; compare.sh installs kinesalite.
set -euo pipefail

runs=5
records=400000
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=$2; shift 2 ;;
	--records) records=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*=*) break ;;
	*) echo "readback_memory.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "readback_memory.sh: name at least one NAME=BINARY" >&2; exit 2; }
bench=""
for entry in "$@"; do
	[ "${entry%%=*}" = kinesalite ] || { bench=${entry#*=}; break; }
done
[ -n "$bench" ] || { echo "readback_memory.sh: name a shardlog binary for the bench" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"
need_tools readback_memory.sh jq python3
start_work

printf 'run\tname\tread_rps\tvmhwm_mib\trss_anon_mib\trss_file_mib\tverified\n' >"$work/results.tsv"
for run in $(seq "$runs"); do
	for entry in "$@"; do
		name=${entry%%=*} bin=${entry#*=}
		port=$(free_port)
		rm -rf "$work/data"
		if [ "$name" = kinesalite ]; then
			node "$bin" --port "$port" --path "$work/data" --createStreamMs 0 --deleteStreamMs 0 \
				--updateStreamMs 0 >"$work/serve.log" 2>&1 &
		else
			"$bin" serve --listen "127.0.0.1:$port" --data "$work/data" --sync always \
				--create-stream-delay 0 --delete-stream-delay 0 --update-stream-delay 0 >"$work/serve.log" 2>&1 &
		fi
		server_pid=$!
		for _ in $(seq 200); do
			grep -q -i listening "$work/serve.log" && break
			sleep 0.05
		done
		"$bench" bench --endpoint "http://127.0.0.1:$port" --json --quiet --server-pid "$server_pid" \
			--shards 4 --connections 8 --batch 500 --size 1000 --records "$records" >"$work/run.json" || true
		kill -TERM "$server_pid"
		wait "$server_pid" || true
		server_pid=""
		jq -r --arg r "$run" --arg n "$name" '[$r, $n, (.read.recordsPerSec | floor),
			(.read.server.peakRssBytes / 1048576 | floor), (.read.server.peakAnonBytes / 1048576 | floor),
			(.read.server.peakFileBytes / 1048576 | floor), (.verify.ok // false)] | @tsv' "$work/run.json" |
			tee -a "$work/results.tsv"
	done
done

echo
echo "medians over $runs runs:"
for entry in "$@"; do
	name=${entry%%=*}
	printf '%s' "$name"
	for col in 3 4 5 6; do
		awk -F'\t' -v n="$name" -v c="$col" 'NR > 1 && $2 == n { print $c }' "$work/results.tsv" | sort -g |
			awk '{ v[NR] = $1 } END { printf "\t%s", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	done
	echo
done | column -t -N name,read_rps,vmhwm_mib,rss_anon_mib,rss_file_mib
