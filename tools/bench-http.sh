#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Device telemetry over HTTP with h2load: POST /api/v1/devices/{id}/telemetry over HTTP/1.1
# keep-alive (one request at a time per connection) and over HTTP/2 (h2c with prior knowledge,
# 10 streams per connection), three runs each, against a Release edgegated (build-bench).
# BASELINE=path also measures another build in the same run, over HTTP/1.1 (e.g. one without HTTP/2).
# Usage: tools/bench-http.sh [REQUESTS] [CONNECTIONS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requests=${1:-50000}
connections=${2:-10}
build=${BUILD:-$root/build-bench}
source "$root/tools/bench-lib.sh"

start_mosquitto
printf '{"temperature": 21.5}' >"$work/body.json"

# run NAME BINARY: starts the gateway, runs h2load, stops it.
run() {
    local name=$1 binary=$2 port
    port=$(free_port)
    mkdir -p "$work/$name"
    printf 'gateway:\n  id: bench\n  data_dir: %s\nmqtt:\n  port: %s\nhttp:\n  listen: 127.0.0.1:%s\ncoap:\n  enabled: false\n' \
        "$work/$name" "$mqtt_port" "$port" >"$work/$name.yaml"
    local saved=$build
    build=$(dirname "$(dirname "$binary")")
    start_edgegated "$work/$name.yaml" "$port"
    build=$saved
    local url="http://127.0.0.1:$port/api/v1/devices/bench-1/telemetry" protocol
    shift 2
    for protocol in "$@"; do
        local args=(-m 1 --h1)
        [ "$protocol" = h2c ] && args=(-m 10)
        for i in 1 2 3; do
            rate=$(h2load -n "$requests" -c "$connections" "${args[@]}" -d "$work/body.json" \
                -H 'Content-Type: application/json' "$url" 2>&1 |
                awk '/^finished in/ {gsub(",", "", $4); print $4} /^status codes/ {ok=$3} END {}')
            printf '%-10s %-9s run %s: %s req/s\n' "$name" "$protocol" "$i" "$rate"
        done
    done
    kill "$gw"
    wait "$gw" 2>/dev/null || true
}

run current "$build/gateway/edgegated" http/1.1 h2c
if [ -n "${BASELINE:-}" ]; then
    run baseline "$BASELINE" http/1.1
fi
