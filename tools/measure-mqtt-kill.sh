#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How many MQTT QoS 1 messages kill -9 of edgegated loses: libmosquitto acknowledges a message to
# the broker before it hands it to the gateway, so a kill in between loses that one. Streams
# MESSAGES messages through a Release edgegated (build-bench) to a second mosquitto, kills the
# gateway KILLS times mid-stream (restarting it each time) and counts what never arrived upstream.
# Usage: tools/measure-mqtt-kill.sh [KILLS] [MESSAGES] [RATE_PAUSE_EVERY]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kills=${1:-20}
messages=${2:-40000}
every=${3:-20} # a 10 ms pause after every N lines sets the rate
local_port=18881 cloud_port=18882 http_port=18883 coap_port=18884
work=$(mktemp -d); chmod 755 "$work"
pids=()
cleanup() { pkill -9 -f "edgegated --config $work/g.yaml" 2>/dev/null || true; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
for b in local:$local_port cloud:$cloud_port; do
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\n' "${b#*:}" >"$work/${b%%:*}.conf"
  chmod 644 "$work/${b%%:*}.conf"
  mosquitto -c "$work/${b%%:*}.conf" >/dev/null 2>&1 & pids+=($!)
done
sleep 0.5
printf 'gateway:\n  id: kill\n  data_dir: %s/data\nmqtt:\n  port: %s\nhttp:\n  listen: 127.0.0.1:%s\ncoap:\n  listen: 127.0.0.1:%s\ntranslate:\n  republish: false\nupstream:\n  host: 127.0.0.1\n  port: %s\n  tls: false\n  reconnect_min: 100ms\n  reconnect_max: 500ms\n' \
  "$work" $local_port $http_port $coap_port $cloud_port >"$work/g.yaml"
start_gateway() {
  "$root/build-bench/gateway/edgegated" --config "$work/g.yaml" --log-level warning >>"$work/gw.log" 2>&1 & disown
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && return; sleep 0.05; done
}
stdbuf -oL mosquitto_sub -p $cloud_port -q 1 -t 'edge/kill/devices/+/telemetry' >"$work/up.txt" & pids+=($!)
start_gateway
( for i in $(seq 1 "$messages"); do echo "{\"seq\":$i}"; [ $((i % every)) -eq 0 ] && sleep 0.01; done |
    mosquitto_pub -p $local_port -q 1 -t devices/k-1/telemetry -l; echo $? >"$work/pub.rc" ) &
t0=$(date +%s.%N)
for _ in $(seq 1 "$kills"); do
  sleep "0.$(( RANDOM % 9 + 1 ))"
  pkill -9 -f "edgegated --config $work/g.yaml"
  start_gateway
done
while [ ! -s "$work/pub.rc" ]; do sleep 0.1; done
t1=$(date +%s.%N)
for _ in $(seq 1 100); do
  [ "$(grep -o '"seq":[0-9]*' "$work/up.txt" | sort -u | wc -l)" -ge "$messages" ] && break; sleep 0.2
done
sleep 2
got=$(grep -o '"seq":[0-9]*' "$work/up.txt" | sort -u | wc -l)
all=$(wc -l <"$work/up.txt")
awk -v n="$messages" -v a="$t0" -v b="$t1" 'BEGIN{printf "stream: %d messages at %.0f msg/s\n", n, n/(b-a)}'
echo "publisher exit: $(cat "$work/pub.rc") (0: the broker acknowledged every message)"
echo "kills: $kills"
echo "arrived upstream: $got distinct of $messages, $((all - got)) duplicates"
echo "lost: $((messages - got))"
