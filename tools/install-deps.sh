#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages EdgeGate needs to build, run and test.
# Idempotent and non-interactive: packages already present are skipped.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

packages=(
    build-essential cmake ninja-build pkg-config git curl ca-certificates iproute2 procps python3
    qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    qt6-websockets-dev qt6-declarative-dev qt6-declarative-dev-tools qt6-charts-dev
    qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript qml6-module-qtquick
    qml6-module-qtquick-controls qml6-module-qtquick-layouts qml6-module-qtquick-templates
    qml6-module-qtquick-window qml6-module-qtcharts qml6-module-qtwebsockets qml6-module-qttest
    qml6-module-qtquick-dialogs qml6-module-qt-labs-folderlistmodel xauth
    libqt6sql6-sqlite libgl-dev
    libcoap3-dev libcoap3-bin libmosquitto-dev mosquitto mosquitto-clients libssl-dev libyaml-cpp-dev zlib1g-dev
    xvfb influxdb influxdb-client
    libavahi-client-dev avahi-daemon avahi-utils dbus
    clang libclang-rt-14-dev libnghttp2-dev nghttp2-client openssl
)
# Tools installed without their recommended packages (prometheus pulls in a web UI otherwise).
lean_packages=(prometheus)

missing() {
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            printf '%s\n' "$p"
        fi
    done
}

mapfile -t need < <(missing "${packages[@]}")
mapfile -t need_lean < <(missing "${lean_packages[@]}")

if [ ${#need[@]} -eq 0 ] && [ ${#need_lean[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

echo "install-deps: installing ${need[*]} ${need_lean[*]}"
"${sudo_cmd[@]}" apt-get update -q
if [ ${#need[@]} -gt 0 ]; then
    "${sudo_cmd[@]}" apt-get install -y -q "${need[@]}"
fi
if [ ${#need_lean[@]} -gt 0 ]; then
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${need_lean[@]}"
fi
# The packaged services must not run on their own: tests and the run script start their own.
for svc in mosquitto influxdb prometheus avahi-daemon; do
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled "$svc" >/dev/null 2>&1; then
        "${sudo_cmd[@]}" systemctl disable --now "$svc" >/dev/null 2>&1 || true
    fi
done
