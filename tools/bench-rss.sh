#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Resident memory of an idle edgegated: starts a private mosquitto and the gateway (Release
# build) on free loopback ports, waits until it serves, lets it settle, and reads /proc.
# Usage: tools/bench-rss.sh [build-dir] [settle-seconds]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build-bench}
settle=${2:-5}
# shellcheck source=tools/bench-lib.sh
source "$root/tools/bench-lib.sh"
start_mosquitto
write_config
start_edgegated "$work/edgegated.yaml" "$http_port"
sleep "$settle"

rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$gw/status")
pss_kb=$(awk '/^Pss:/ {print $2}' "/proc/$gw/smaps_rollup")
anon_kb=$(awk '/^RssAnon/ {print $2}' "/proc/$gw/status")
file_kb=$(awk '/^RssFile/ {print $2}' "/proc/$gw/status")
echo "edgegated idle after ${settle}s: VmRSS ${rss_kb} kB (anonymous ${anon_kb} kB, file-backed ${file_kb} kB), PSS ${pss_kb} kB"
