#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Store and forward through a Release edgegated (build-bench): device -> local mosquitto -> gateway
# -> outbox -> cloud mosquitto, measured beside a subscriber on the local broker that only counts
# (the baseline), in the same run; then the drain of a backlog built while the cloud was away.
# Usage: tools/bench-forward.sh [MESSAGES] [BACKLOG] [DEVICES]
# EDGEGATED=path runs another build of the gateway (to compare two versions in one session).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
messages=${1:-100000}
backlog=${2:-100000}
devices=${3:-10}
edgegated=${EDGEGATED:-$root/build-bench/gateway/edgegated}
local_port=18861 cloud_port=18862 http_port=18863 coap_port=18864
work=$(mktemp -d); chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
broker() { # port name
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nmax_inflight_messages 0\n' "$1" >"$work/$2.conf"
  chmod 644 "$work/$2.conf"
  mosquitto -c "$work/$2.conf" >/dev/null 2>&1 & pids+=($!)
  eval "${2}_pid=$!"
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.1; done
  echo "mosquitto did not start on $1" >&2; exit 1
}
# CPU seconds (user + system) a process used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }
# Gauges print as e.g. 1e+05: print them as whole numbers.
metric() { curl -s "http://127.0.0.1:$http_port/metrics" | awk -v s="$1" '$1==s {printf "%d\n", $2}'; }
prepare() { # count: spread over the devices
  local per=$(( $1 / devices )) d
  for d in $(seq 1 "$devices"); do
    seq 1 "$per" | sed "s/.*/{\"seq\":&,\"temperature\":21.5}/" >"$work/lines-$d"
  done
}
publish() { # what prepare wrote, every device at once, QoS 1
  local d publishers=()
  for d in $(seq 1 "$devices"); do
    mosquitto_pub -p $local_port -q 1 -t "devices/bench-$d/telemetry" -l <"$work/lines-$d" & publishers+=($!)
  done
  wait "${publishers[@]}"
}

broker $local_port local
broker $cloud_port cloud
printf 'gateway:\n  id: bench\n  data_dir: %s/data\nmqtt:\n  port: %s\nhttp:\n  listen: 127.0.0.1:%s\ncoap:\n  listen: 127.0.0.1:%s\ntranslate:\n  republish: false\nupstream:\n  host: 127.0.0.1\n  port: %s\n  tls: false\n  reconnect_min: 200ms\n  reconnect_max: 1s\n  max_bytes: 1GiB\n' \
  "$work" $local_port $http_port $coap_port $cloud_port >"$work/g.yaml"
"$edgegated" --config "$work/g.yaml" --log-level warning & gw=$!; pids+=($gw)
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.1; done
sleep 1
total=$(( messages / devices * devices ))

echo "== throughput: $total messages from $devices devices, QoS 1"
( mosquitto_sub -p $local_port -q 1 -t 'devices/+/telemetry' -C $total >/dev/null; echo "$(now)" >"$work/base.end" ) &
( mosquitto_sub -p $cloud_port -q 1 -t 'edge/bench/devices/+/telemetry' -C $total >/dev/null; echo "$(now)" >"$work/gw.end" ) &
prepare $total
sleep 0.5
cpu_start=$(cpu "$gw")
start=$(now)
publish
pub_end=$(now)
while [ ! -s "$work/base.end" ] || [ ! -s "$work/gw.end" ]; do sleep 0.05; done
cpu_end=$(cpu "$gw")
base=$(awk -v n=$total -v a="$start" -v b="$(cat "$work/base.end")" 'BEGIN{printf "%.0f", n/(b-a)}')
gwr=$(awk -v n=$total -v a="$start" -v b="$(cat "$work/gw.end")" 'BEGIN{printf "%.0f", n/(b-a)}')
pubr=$(awk -v n=$total -v a="$start" -v b="$pub_end" 'BEGIN{printf "%.0f", n/(b-a)}')
echo "publishers done at        $pubr msg/s"
echo "baseline subscriber       $base msg/s (local broker, counting only)"
echo "through the gateway       $gwr msg/s (cloud broker)"
awk -v g="$gwr" -v b="$base" 'BEGIN{printf "ratio                     %.2f of the baseline\n", g/b}'
awk -v a="$cpu_start" -v b="$cpu_end" -v n=$total 'BEGIN{printf "gateway CPU               %.2f s, %.4f s per 1,000 messages\n", b-a, (b-a)*1000/n}'
echo "gateway RSS               $(awk '/VmRSS/{print $2" "$3}' /proc/$gw/status)"

echo "== drain: a backlog of $backlog messages built while the cloud broker is away"
kill "$cloud_pid"; wait "$cloud_pid" 2>/dev/null || true
total=$(( backlog / devices * devices ))
prepare $total
publish
depth_key='edgegate_outbox_depth_messages{sink="upstream"}'
for _ in $(seq 1 600); do [ "$(metric "$depth_key")" = "$total" ] && break; sleep 0.1; done
echo "outbox depth              $(metric "$depth_key") messages, $(metric 'edgegate_outbox_depth_bytes{sink="upstream"}') bytes"
du -sh "$work/data/outbox/upstream" | awk '{print "outbox on disk            "$1}'
broker $cloud_port cloud
# Timed by the gateway's own count: from the first confirmed entry until the outbox is empty.
while [ "$(metric "$depth_key")" = "$total" ]; do sleep 0.01; done
start=$(now)
while [ "$(metric "$depth_key")" != "0" ]; do sleep 0.02; done
end=$(now)
awk -v n=$total -v a="$start" -v b="$end" 'BEGIN{printf "drained                   %d messages in %.2f s: %.0f msg/s\n", n, b-a, n/(b-a)}'
echo "gateway RSS               $(awk '/VmRSS/{print $2" "$3}' /proc/$gw/status)"
