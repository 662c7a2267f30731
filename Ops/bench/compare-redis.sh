#!/usr/bin/env bash
# Compares talentd's system.ping with redis-server's GET, both over Unix sockets on this machine,
# for 1, 16 and 64 connections at pipeline depths 1 and 16, and prints a Markdown table.
#
#   bash Ops/bench/compare-redis.sh          (or: make bench)
#
# Environment: BENCH_SECONDS (measured seconds per talentd run, default 5), BENCH_WARMUP
# (default 1), BENCH_CONNECTIONS (default "1 16 64"), BENCH_PIPELINES (default "1 16"),
# BENCH_SKIP_BUILD=1 to use the existing release binaries, TALENTD / TALENT_BENCH to use others.
#
# Each talentd run is talent-bench with one event-loop thread for every connection, like
# redis-benchmark's default. redis-benchmark's request count is chosen from a short calibration
# run so that its measured run also lasts about BENCH_SECONDS. Only Unix sockets are used: the
# Redis server listens on no TCP port.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
WARMUP=${BENCH_WARMUP:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-1 16 64}
PIPELINES=${BENCH_PIPELINES:-1 16}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

log() { echo "compare-redis: $*" >&2; }

# --- packages -------------------------------------------------------------------------------
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v redis-benchmark >/dev/null 2>&1 || missing="$missing redis-tools"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
if [ -n "$missing" ]; then
    log "installing:$missing"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# --- build ----------------------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building talentd and talent-bench (release)"
    swift build -c release --product talentd >&2
    swift build -c release --product talent-bench >&2
fi
BIN=$(swift build -c release --show-bin-path)
TALENTD=${TALENTD:-$BIN/talentd}
BENCH=${TALENT_BENCH:-$BIN/talent-bench}
[ -x "$TALENTD" ] && [ -x "$BENCH" ] || { log "missing $TALENTD or $BENCH"; exit 1; }

# --- servers --------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/talent-bench.XXXXXX)
TALENTD_PID=""
REDIS_PID=""
cleanup() {
    local pid
    for pid in $TALENTD_PID $REDIS_PID; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $TALENTD_PID $REDIS_PID; do
        # Bounded: after 10 s a server that did not stop is killed.
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TSOCK=$WORK/talentd.sock
RSOCK=$WORK/redis.sock
"$TALENTD" init --db "$WORK/talent.db" >"$WORK/talentd-init.log" 2>&1
"$TALENTD" serve --db "$WORK/talent.db" --socket "$TSOCK" --log-level warning >"$WORK/talentd.log" 2>&1 &
TALENTD_PID=$!
redis-server --port 0 --unixsocket "$RSOCK" --unixsocketperm 700 --save '' --appendonly no \
    --daemonize no --logfile "$WORK/redis.log" &
REDIS_PID=$!

for _ in $(seq 100); do
    [ -S "$TSOCK" ] && [ -S "$RSOCK" ] && break
    sleep 0.1
done
timeout 10 "$BENCH" --socket "$TSOCK" --requests 10 --warmup 0 --duration 5 >/dev/null \
    || { log "talentd does not answer on $TSOCK:"; cat "$WORK/talentd.log" >&2; exit 1; }
timeout 10 redis-cli -s "$RSOCK" ping >/dev/null \
    || { log "redis-server does not answer on $RSOCK"; cat "$WORK/redis.log" >&2; exit 1; }

# --- machine --------------------------------------------------------------------------------
machine() {
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: $(nproc) cores available, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "- memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- kernel: $(uname -sr)"
    echo "- swift: $(swift --version 2>&1 | grep -m1 -o 'Swift version [^ ]*')"
    echo "- redis: $(redis-server --version | grep -o 'v=[^ ]*' | cut -c3-) (redis-server, redis-benchmark -t get)"
    echo "- load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
}
MACHINE=$(machine)

# --- runs -----------------------------------------------------------------------------------
json_field() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval("d" + sys.argv[1]))' "$1"; }
# redis-benchmark --csv (7.x): "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
redis_run() {  # connections pipeline requests -> "rps p50_us p99_us"
    timeout 300 redis-benchmark -s "$RSOCK" -t get -c "$1" -P "$2" -n "$3" --csv \
        | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
header, row = rows[0], rows[1]
field = dict(zip(header, row))
print(field["rps"], float(field["p50_latency_ms"]) * 1000, float(field["p99_latency_ms"]) * 1000)'
}

RESULTS=$WORK/results.tsv
: >"$RESULTS"
for c in $CONNECTIONS; do
    for p in $PIPELINES; do
        log "talentd: $c connections, pipeline $p, ${SECONDS_PER_RUN} s"
        out=$(timeout "$(python3 -c "print(int($SECONDS_PER_RUN + $WARMUP + 60))")" "$BENCH" --socket "$TSOCK" --connections "$c" \
            --pipeline "$p" --duration "$SECONDS_PER_RUN" --warmup "$WARMUP" -o json)
        t_rps=$(json_field '["requests_per_second"]' <<<"$out")
        t_p50=$(json_field '["latency_us"]["p50"]' <<<"$out")
        t_p99=$(json_field '["latency_us"]["p99"]' <<<"$out")
        t_err=$(json_field '["errors"]' <<<"$out")

        # Calibrate (this also warms Redis up), then size the measured run to SECONDS_PER_RUN.
        read -r cal_rps _ _ < <(redis_run "$c" "$p" $((20000 * p > 200000 ? 200000 : 20000 * p)))
        n=$(python3 -c "print(max(10000, int(float('$cal_rps') * $SECONDS_PER_RUN)))")
        log "redis:   $c connections, pipeline $p, $n requests"
        read -r r_rps r_p50 r_p99 < <(redis_run "$c" "$p" "$n")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$p" "$t_rps" "$t_p50" "$t_p99" "$t_err" \
            "$r_rps" "$r_p50" "$r_p99" >>"$RESULTS"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---------------------------------------------------------------------------------
echo "$MACHINE"
echo "- load average after the runs: $LOAD_AFTER"
echo "- talentd: talent-bench, 1 thread, ${SECONDS_PER_RUN} s per row after ${WARMUP} s warm-up; redis: redis-benchmark, about ${SECONDS_PER_RUN} s per row"
echo
python3 - "$RESULTS" <<'EOF'
import sys
print("| connections | pipeline | talentd req/s | talentd p50 / p99 (µs) | redis req/s | redis p50 / p99 (µs) | talentd / redis | at least half? |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |")
for line in open(sys.argv[1]):
    c, p, t_rps, t_p50, t_p99, t_err, r_rps, r_p50, r_p99 = line.split("\t")
    t_rps, r_rps = float(t_rps), float(r_rps)
    ratio = t_rps / r_rps if r_rps else 0
    errors = f" ({int(t_err)} errors)" if int(t_err) else ""
    print(f"| {c} | {p} | {t_rps:,.0f}{errors} | {float(t_p50):.0f} / {float(t_p99):.0f} | {r_rps:,.0f} | "
          f"{float(r_p50):.0f} / {float(r_p99):.0f} | {ratio:.2f} | {'yes' if ratio >= 0.5 else 'no'} |")
EOF
