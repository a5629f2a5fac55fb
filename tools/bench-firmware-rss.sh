#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Peak resident memory (VmHWM) of edgegated while a large firmware image is uploaded with curl -T,
# downloaded over HTTP by a slow client (curl --limit-rate) and downloaded over CoAP block-wise.
# No broker is needed: the MQTT link keeps retrying in the background.
# Usage: tools/bench-firmware-rss.sh [build-dir] [image-MiB]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
mib=${2:-200}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
free_udp_port() { python3 -c 'import socket; s=socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
coap_port=$(free_udp_port)

cat >"$work/edgegated.yaml" <<YAML
gateway:
  data_dir: $work/data
mqtt:
  port: $(free_port)
http:
  listen: 127.0.0.1:$http_port
coap:
  listen: 127.0.0.1:$coap_port
firmware:
  max_image_bytes: $(((mib + 1) * 1024 * 1024))
YAML
"$build/gateway/edgegated" --config "$work/edgegated.yaml" --log-level warning 2>/dev/null &
gw=$!
pids+=("$gw")
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break
    sleep 0.1
done
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$gw/status"; }

head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/image.bin"
echo "image: $mib MiB"
echo "VmHWM after start:                 $(hwm) kB"
curl -sS -o /dev/null -w 'upload: HTTP %{http_code} in %{time_total} s\n' -T "$work/image.bin" \
    "http://127.0.0.1:$http_port/api/v1/firmware/bench/1.0.0"
echo "VmHWM after the upload:            $(hwm) kB"
curl -sS -o "$work/http.bin" --limit-rate 50M -w 'HTTP download: %{http_code} in %{time_total} s\n' \
    "http://127.0.0.1:$http_port/api/v1/firmware/bench/1.0.0/image"
cmp "$work/http.bin" "$work/image.bin"
echo "VmHWM after the HTTP download:     $(hwm) kB"
start=$(date +%s.%N)
coap-client-openssl -b 1024 -B 600 -m get -o "$work/coap.bin" "coap://127.0.0.1:$coap_port/firmware/bench/1.0.0"
cmp "$work/coap.bin" "$work/image.bin"
echo "CoAP download: $(echo "$(date +%s.%N) - $start" | bc) s"
echo "VmHWM after the CoAP download:     $(hwm) kB"
