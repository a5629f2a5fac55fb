#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds edgegated (Release), starts a local mosquitto on
# 127.0.0.1:1883 when nothing listens there, and runs the gateway with the sample config.
# Data goes to ./data in the checkout. Ctrl-C stops the gateway (and the broker it started).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDGEGATE_BUILD_TESTS=OFF >/dev/null
cmake --build build-release --target edgegated

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

broker_pid=""
cleanup() {
    if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

if listening 1883; then
    echo "run: using the MQTT broker already listening on 127.0.0.1:1883"
else
    mkdir -p run
    conf="$root/run/mosquitto.conf"
    # mosquitto started as root drops to its own user: it must be able to read its config.
    install -m 0644 packaging/mosquitto.conf "$conf"
    mosquitto -c "$conf" >run/mosquitto.log 2>&1 &
    broker_pid=$!
    for _ in $(seq 1 50); do listening 1883 && break; sleep 0.1; done
    if ! listening 1883; then
        echo "run: mosquitto did not start, see run/mosquitto.log" >&2
        exit 1
    fi
    echo "run: started mosquitto on 127.0.0.1:1883 (pid $broker_pid)"
fi

listen=$(sed -n 's/^ *listen: *\([^ #]*\).*/\1/p' packaging/edgegated.yaml | head -n 1)
echo "run: REST API  http://${listen}/api/v1/devices   metrics http://${listen}/metrics"
echo "run: WebSocket ws://${listen}/ws   devices: ws://${listen}/ws/device/{id}, coap://127.0.0.1:5683/devices/{id}/telemetry"
echo "run: publish a reading with: mosquitto_pub -t devices/demo-1/telemetry -m '{\"temperature\": 21.5}'"
build-release/gateway/edgegated --config packaging/edgegated.yaml
