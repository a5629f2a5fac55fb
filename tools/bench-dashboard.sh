#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the dashboard costs with a busy gateway: N simulated MQTT devices sending telemetry every
# second, edgegate-dashboard connected (offscreen) for a while on the overview. Prints the
# dashboard's peak RSS and CPU time, and the gateway's.
# Usage: tools/bench-dashboard.sh [build-dir] [devices] [seconds]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
devices=${2:-500}
seconds=${3:-60}
# shellcheck source=tools/bench-lib.sh
source "$root/tools/bench-lib.sh"
start_mosquitto
write_config "coap:
  listen: 127.0.0.1:$(free_port)"
start_edgegated "$work/edgegated.yaml" "$http_port"
wait_broker
"$build/tools/simulator/edgegate-sim" --protocol mqtt --devices "$devices" --interval 1s \
    --broker "127.0.0.1:$mqtt_port" --duration "$((seconds + 30))s" >/dev/null 2>&1 &
pids+=("$!")
sleep 10 # the devices announce themselves

cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
gw_cpu0=$(cpu "$gw")
QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$work/config" \
    "$build/ui/edgegate-dashboard" --url "ws://127.0.0.1:$http_port/ws" 2>/dev/null &
ui=$!
pids+=("$ui")
sleep "$seconds"
metrics=$(curl -sf "http://127.0.0.1:$http_port/metrics")
echo "gateway: $(awk '/^edgegate_devices\{/ {n += $2} END {print n}' <<<"$metrics") devices," \
    "$(awk '/^edgegate_ws_clients / {print $2}' <<<"$metrics") WebSocket client(s)"
echo "devices: $devices, telemetry every 1 s, dashboard connected for $seconds s (offscreen)"
echo "dashboard: VmHWM $(hwm "$ui") kB, CPU $(cpu "$ui") s"
echo "edgegated: VmHWM $(hwm "$gw") kB, CPU $(echo "$(cpu "$gw") - $gw_cpu0" | bc) s in the same time"
