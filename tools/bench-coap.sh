#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CoAP -> MQTT translation through a Release edgegated: starts a private mosquitto and the gateway
# on loopback ports, then runs bench_coap_translation once per "RATE COUNT" argument.
# Usage: tools/bench-coap.sh "1000 10000" "10000 50000"
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d); chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
printf 'listener 18851 127.0.0.1\nallow_anonymous true\npersistence false\n' >"$work/m.conf"; chmod 644 "$work/m.conf"
mosquitto -c "$work/m.conf" >/dev/null 2>&1 & pids+=($!)
printf 'gateway:\n  data_dir: %s/data\nmqtt:\n  port: 18851\nhttp:\n  listen: 127.0.0.1:18852\ncoap:\n  listen: 127.0.0.1:18853\n' "$work" >"$work/g.yaml"
$root/build-bench/gateway/edgegated --config "$work/g.yaml" --log-level warning & pids+=($!)
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18852/healthz >/dev/null && break; sleep 0.1; done
sleep 1
for spec in "$@"; do
  set -- $spec
  $root/build-bench/tests/bench/bench_coap_translation 18853 18851 $1 $2 100
done
echo "republish outbox:"
curl -s http://127.0.0.1:18852/metrics | grep -E 'edgegate_outbox_(delivered_total|depth_messages)\{sink="republish"'
