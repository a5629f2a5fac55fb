#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds everything with the tests, and runs the whole CTest suite.
# Tests start their own brokers and gateways on free loopback ports.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/install-deps.sh
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEGATE_BUILD_TESTS=ON
cmake --build build-test
ctest --test-dir build-test --output-on-failure --parallel 2 --timeout 600
