#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Memory and CPU of edgegated with many MQTT devices: a private mosquitto, the gateway and
# edgegate-sim (sensors: temperature, humidity, battery; a message per device per interval) on
# loopback. After the devices connected and a warm-up, it measures the gateway's CPU per 1,000
# messages over the measuring time, then its RSS and peak RSS.
# Usage: tools/bench-scale.sh [build-dir] [devices] [measure-seconds] [warm-up-seconds] [interval]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-bench}
devices=${2:-100}
measure=${3:-60}
warmup=${4:-30}
interval=${5:-1s}
# shellcheck source=tools/bench-lib.sh
source "$root/tools/bench-lib.sh"
# A connection per device: the broker and the simulator each hold one.
ulimit -n "$((devices + 4096))"
start_mosquitto
write_config "registry:
  max_devices: $((devices + 1000))
analytics:
  chart_series: $((devices * 3 + 100))"
start_edgegated "$work/edgegated.yaml" "$http_port"
wait_broker

ticks=$(getconf CLK_TCK)
cpu_s() { awk -v t="$ticks" '{print ($14 + $15) / t}' "/proc/$gw/stat"; }
messages() {
    curl -sf "http://127.0.0.1:$http_port/metrics" \
        | awk '/^edgegate_messages_total\{.*kind="telemetry".*protocol="mqtt"|^edgegate_messages_total\{.*protocol="mqtt".*kind="telemetry"/ {print $2}'
}

"$build/tools/simulator/edgegate-sim" --protocol mqtt --broker "127.0.0.1:$mqtt_port" --devices "$devices" \
    --interval "$interval" --duration "$((warmup + measure + 30))s" >"$work/sim.log" 2>/dev/null &
pids+=("$!")
sleep "$warmup"
cpu0=$(cpu_s)
msg0=$(messages)
sleep "$measure"
cpu1=$(cpu_s)
msg1=$(messages)
online=$(curl -sf "http://127.0.0.1:$http_port/api/v1/devices?status=online&limit=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$gw/status")
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$gw/status")
anon_kb=$(awk '/^RssAnon/ {print $2}' "/proc/$gw/status")
charts_kb=$(du -sk "$work/data/charts" | cut -f1)
python3 - "$devices" "$measure" "$cpu0" "$cpu1" "$msg0" "$msg1" "$online" "$rss_kb" "$hwm_kb" "$anon_kb" "$charts_kb" <<'PY'
import sys
devices, measure = int(sys.argv[1]), int(sys.argv[2])
cpu0, cpu1, msg0, msg1 = map(float, sys.argv[3:7])
online, rss, hwm, anon, charts = map(int, sys.argv[7:12])
messages = msg1 - msg0
per1000 = (cpu1 - cpu0) / messages * 1000 if messages else float("nan")
print(f"devices {devices}: {messages / measure:,.0f} msg/s over {measure} s, {online} online, "
      f"CPU {per1000:.4f} s per 1,000 messages ({(cpu1 - cpu0) / measure * 100:.1f} % of a core), "
      f"RSS {rss / 1024:.1f} MiB (anonymous {anon / 1024:.1f}, peak {hwm / 1024:.1f}), charts on disk {charts / 1024:.1f} MiB")
PY
