#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan) and runs the
# unit and integration suites on it; the edgegated those tests start is the sanitized one too.
# Any sanitizer report, from a test or from a process it started, fails the run.
# Usage: tools/sanitize.sh [ctest arguments, e.g. -R tst_coap]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/install-deps.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEGATE_BUILD_TESTS=ON -DEDGEGATE_SANITIZE=ON
cmake --build build-asan

reports="$root/build-asan/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
# Leaks are reported too; tools/lsan.supp names the ones in libraries that are not ours.
export ASAN_OPTIONS="log_path=$reports/asan:abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tools/lsan.supp:print_suppressions=0"
status=0
ctest --test-dir build-asan -L 'unit|integration' --output-on-failure --parallel 2 --timeout 1200 "$@" || status=$?

if compgen -G "$reports/*" > /dev/null; then
    echo "sanitizer reports:" >&2
    for report in "$reports"/*; do
        echo "== $report" >&2
        head -n 60 "$report" >&2
    done
    status=1
fi
exit "$status"
