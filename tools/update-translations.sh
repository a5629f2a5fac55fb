#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Refreshes translations/edgegate_{en,de}.ts from every qsTr()/tr() in ui/ and qml/. Strings no longer in
# the code are dropped; new ones arrive unfinished and need a translation in edgegate_de.ts (the English
# file only carries the plural forms). Run after changing visible text, then translate and commit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

lupdate=""
for candidate in /usr/lib/qt6/bin/lupdate "$(command -v lupdate6 || true)" "$(command -v lupdate || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        lupdate=$candidate
        break
    fi
done
if [ -z "$lupdate" ]; then
    echo "update-translations: lupdate not found (Debian: apt-get install qt6-l10n-tools)" >&2
    exit 1
fi

"$lupdate" -I . -locations none -no-obsolete -extensions cpp,h,qml ui qml -source-language en -target-language de \
    -ts translations/edgegate_de.ts
"$lupdate" -I . -locations none -no-obsolete -pluralonly -extensions cpp,h,qml ui qml -source-language en \
    -target-language en -ts translations/edgegate_en.ts

# Unfinished German entries are listed so they are not forgotten.
unfinished=$(grep -c 'type="unfinished"' translations/edgegate_de.ts || true)
echo "update-translations: $unfinished unfinished German translation(s) in translations/edgegate_de.ts"
