// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace edgegate {

/// What a `Range` request header asks of a representation of `size` bytes (RFC 9110 14.1-14.2).
/// Only one byte range is served: a header that is not a single valid `bytes=` range is ignored
/// (the whole representation is sent), as RFC 9110 allows.
struct ByteRange
{
    enum class Kind {
        Full, ///< 200 with everything
        Partial, ///< 206 with [first, first + length)
        Unsatisfiable ///< 416
    };
    Kind kind = Kind::Full;
    qint64 first = 0;
    qint64 length = 0;

    [[nodiscard]] static ByteRange resolve(QByteArrayView header, qint64 size);
    [[nodiscard]] qint64 last() const { return first + length - 1; }
};

} // namespace edgegate
