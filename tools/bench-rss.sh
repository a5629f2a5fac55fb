#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Resident memory of an idle edgegated: starts a private mosquitto and the gateway (Release
# build) on free loopback ports, waits until it serves, lets it settle, and reads /proc.
# Usage: tools/bench-rss.sh [build-dir] [settle-seconds]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-bench}
settle=${2:-5}
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mqtt_port=$(free_port)
http_port=$(free_port)

printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt_port" >"$work/mosquitto.conf"
chmod 644 "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >/dev/null 2>&1 &
pids+=($!)

cat >"$work/edgegated.yaml" <<YAML
gateway:
  data_dir: $work/data
mqtt:
  port: $mqtt_port
http:
  listen: 127.0.0.1:$http_port
YAML
"$build/gateway/edgegated" --config "$work/edgegated.yaml" --log-level warning &
gw=$!
pids+=("$gw")
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null
sleep "$settle"

rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$gw/status")
pss_kb=$(awk '/^Pss:/ {print $2}' "/proc/$gw/smaps_rollup")
anon_kb=$(awk '/^RssAnon/ {print $2}' "/proc/$gw/status")
file_kb=$(awk '/^RssFile/ {print $2}' "/proc/$gw/status")
echo "edgegated idle after ${settle}s: VmRSS ${rss_kb} kB (anonymous ${anon_kb} kB, file-backed ${file_kb} kB), PSS ${pss_kb} kB"
