// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/receiveclock.h"

#include <chrono>

namespace edgegate {

qint64 wallClockNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace edgegate
