# SPDX-License-Identifier: Apache-2.0
# Sourced by the benchmark scripts: a temp folder and the processes started are removed on exit,
# free loopback ports, a private mosquitto, and edgegated waited for. Set $build before sourcing.
work=$(mktemp -d)
chmod 755 "$work" # mosquitto drops to its own user and must read its config here
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts mosquitto on a free port, which it sets as $mqtt_port.
start_mosquitto() {
    mqtt_port=$(free_port)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt_port" >"$work/mosquitto.conf"
    chmod 644 "$work/mosquitto.conf"
    mosquitto -c "$work/mosquitto.conf" >/dev/null 2>&1 &
    pids+=("$!")
}

# write_config [YAML]: writes $work/edgegated.yaml for the private broker and a free HTTP port, which
# it sets as $http_port, with YAML (further sections) after it.
write_config() {
    http_port=$(free_port)
    cat >"$work/edgegated.yaml" <<YAML
gateway:
  data_dir: $work/data
mqtt:
  port: $mqtt_port
http:
  listen: 127.0.0.1:$http_port
${1:-}
YAML
}

# start_edgegated CONFIG HTTP_PORT: starts the gateway ($gw is its PID) and waits until /healthz answers.
start_edgegated() {
    "$build/gateway/edgegated" --config "$1" --log-level warning 2>/dev/null &
    gw=$!
    pids+=("$gw")
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && break
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:$2/healthz" >/dev/null
}

# wait_broker: waits until the gateway is subscribed at the broker, so that devices' first messages reach it.
wait_broker() {
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$http_port/healthz" | grep -q '"broker":"connected"' && break
        sleep 0.1
    done
}
