// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <algorithm>

namespace edgegate::heap {

/// Estimates of what containers take on the heap, allocator overhead included roughly, for memory
/// budgets that cannot ask the allocator.

inline constexpr qsizetype AllocationBytes = 16; ///< malloc's header and rounding, per allocation

[[nodiscard]] inline qsizetype textBytes(const QString &text)
{
    return text.isEmpty() ? 0 : qsizetype(sizeof(QArrayData)) + 2 * (text.size() + 1) + AllocationBytes;
}

/// A QHash of `size` nodes of `nodeBytes` each, as Qt 6 lays it out: spans of 128 buckets (at most
/// half used), each with storage for 48 nodes, then 80, then 16 more at a time.
[[nodiscard]] constexpr qsizetype hashBytes(qsizetype size, qsizetype nodeBytes)
{
    if (size <= 0)
        return 0;
    qsizetype buckets = 128;
    while (buckets < 2 * size)
        buckets *= 2;
    const qsizetype spans = buckets / 128;
    const qsizetype perSpan = (size + spans - 1) / spans;
    const qsizetype storage = perSpan <= 48 ? 48 : perSpan <= 80 ? 80 : 80 + (perSpan - 80 + 15) / 16 * 16;
    constexpr qsizetype SpanBytes = 128 + 2 * sizeof(void *);
    constexpr qsizetype DataBytes = 4 * sizeof(void *);
    return DataBytes + spans * (SpanBytes + storage * nodeBytes + AllocationBytes) + 2 * AllocationBytes;
}

} // namespace edgegate::heap
