#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds everything with the tests, and runs the whole CTest suite.
# Tests start their own brokers and gateways on free loopback ports.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/install-deps.sh
# The fuzz targets, with clang and sanitizers; CTest runs each for 30 s.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DEDGEGATE_FUZZ=ON -DEDGEGATE_BUILD_TESTS=OFF -DEDGEGATE_BUILD_DASHBOARD=OFF
cmake --build build-fuzz --target fuzz_http1 fuzz_payload fuzz_config fuzz_wsapi fuzz_influxline fuzz_routes fuzz_coap
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEGATE_BUILD_TESTS=ON \
    -DEDGEGATE_FUZZERS="$root/build-fuzz/tests/fuzz"
cmake --build build-test
ctest --test-dir build-test --output-on-failure --parallel 2 --timeout 600
