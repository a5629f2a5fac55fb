#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates docs/screenshots/: builds edgegate-screenshots, runs it under a virtual X server against a
# gateway with simulated devices of its own, and checks the pictures.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/install-deps.sh
cmake -S . -B build-screenshots -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDGEGATE_BUILD_TESTS=ON >/dev/null
cmake --build build-screenshots --target edgegate-screenshots
program=build-screenshots/tests/screenshots/edgegate-screenshots
mkdir -p docs/screenshots
xvfb-run -a -s "-screen 0 1280x800x24" "$program" docs/screenshots
QT_QPA_PLATFORM=offscreen "$program" --verify docs/screenshots
echo "screenshots: docs/screenshots/ updated"
