// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>

namespace edgegate {

/// How deep device CBOR may nest arrays, maps and tags: telemetry and meta need three levels.
inline constexpr int MaxCborDepth = 8;

/// True when the first CBOR item in `data` nests containers and tags deeper than `maxDepth`. Check
/// this before QCborValue::fromCbor: it reserves each container's declared length at every level,
/// so a few kB of nested array headers cost it a tenth of a second. This walk reserves nothing.
[[nodiscard]] bool cborNestsDeeperThan(const QByteArray &data, int maxDepth = MaxCborDepth);

} // namespace edgegate
