#!/usr/bin/env bash
# talentd beside redis-server over Unix sockets on this machine, in one run (Ops/bench/compare-redis.py
# says what is measured), printed as Markdown with the machine and its load.
#
#   bash Ops/bench/compare-redis.sh          (or: make bench)
#
# Environment: BENCH_SECONDS (measured seconds per row, default 4), BENCH_WARMUP (default 1),
# BENCH_CONNECTIONS (default "1 16 64"), BENCH_PIPELINES (default "1 16"), BENCH_WRITE_SECONDS
# (default 6), BENCH_SKIP_BUILD=1 to use the existing release binaries, TALENTD / TALENT_BENCH to
# use others, NIO_FLOOR for another ceiling server.
set -euo pipefail

cd "$(dirname "$0")/../.."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

log() { echo "compare-redis: $*" >&2; }

missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v redis-benchmark >/dev/null 2>&1 || missing="$missing redis-tools"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
if [ -n "$missing" ]; then
    log "installing:$missing"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building talentd and talent-bench (release)"
    swift build -c release --product talentd >&2
    swift build -c release --product talent-bench >&2
    swift build -c release --product nio-floor >&2
fi
BIN=$(swift build -c release --show-bin-path)
export TALENTD=${TALENTD:-$BIN/talentd} TALENT_BENCH=${TALENT_BENCH:-$BIN/talent-bench} NIO_FLOOR=${NIO_FLOOR:-$BIN/nio-floor}
[ -x "$TALENTD" ] && [ -x "$TALENT_BENCH" ] && [ -x "$NIO_FLOOR" ] || { log "missing $TALENTD, $TALENT_BENCH or $NIO_FLOOR"; exit 1; }
exec python3 Ops/bench/compare-redis.py
