#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds edgegated (Release), starts a local mosquitto configured by
# `edgegated broker-config` (the gateway on 127.0.0.1:1883, devices with certificates on :8883)
# when nothing listens on 1883, and runs the gateway with the sample config.
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

mkdir -p run
# The gateway logs in to its broker; its password is made once and kept in run/.
if [ ! -s run/broker-password ]; then
    (umask 077; tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >run/broker-password)
fi
password=$(cat run/broker-password)
config="$root/run/edgegated.yaml"
sed -e "0,/^  username: \"\"/s//  username: \"gateway@edgegate\"/" \
    -e "0,/^  password: \"\"/s//  password: \"$password\"/" packaging/edgegated.yaml >"$config"
chmod 600 "$config"

if listening 1883; then
    echo "run: using the MQTT broker already listening on 127.0.0.1:1883 (it must let gateway@edgegate in: docs/security.md)"
else
    # The broker's configuration, its TLS certificate and the device CA (made on first use) come from the gateway.
    build-release/gateway/edgegated broker-config --config "$config" --out "$root/run/broker"
    mosquitto -c run/broker/mosquitto.conf >run/mosquitto.log 2>&1 &
    broker_pid=$!
    for _ in $(seq 1 50); do listening 1883 && break; sleep 0.1; done
    if ! listening 1883; then
        echo "run: mosquitto did not start, see run/mosquitto.log" >&2
        exit 1
    fi
    echo "run: started mosquitto on 127.0.0.1:1883 (the gateway) and :8883 (devices, TLS) (pid $broker_pid)"
fi
if [ ! -f run/devices/demo-1.crt ]; then
    build-release/gateway/edgegated ca issue demo-1 --out run/devices --config "$config" >/dev/null
fi

listen=$(sed -n 's/^ *listen: *\([^ #]*\).*/\1/p' packaging/edgegated.yaml | head -n 1)
echo "run: REST API  http://${listen}/api/v1/devices   metrics http://${listen}/metrics"
echo "run: WebSocket ws://${listen}/ws   devices: ws://${listen}/ws/device/{id}, coap://127.0.0.1:5683/devices/{id}/telemetry"
echo "run: publish a reading with: mosquitto_pub -p 8883 --cafile run/devices/ca.crt --cert run/devices/demo-1.crt --key run/devices/demo-1.key -t devices/demo-1/telemetry -m '{\"temperature\": 21.5}'"
build-release/gateway/edgegated --config "$config"
