#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Takes the screenshots into a temp folder under a virtual X server, then checks every one of them
# (there, of its size, not a single colour). Usage: check-screenshots.sh path/to/edgegate-screenshots
set -eu
program=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
xvfb-run -a -s "-screen 0 1280x800x24" "$program" "$dir"
QT_QPA_PLATFORM=offscreen "$program" --verify "$dir"
echo "check-screenshots: $(ls "$dir" | wc -l) screenshots checked"
