// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/envelope.h"

#include <QByteArray>

namespace edgegate {

/// The JSON form a message takes when the gateway republishes it: a flat object
/// (`{"temperature": 21.5, "ts": 1732530000000.123456}`) when every sample has its own name and all
/// share one time; otherwise SenML JSON, which can carry repeated names and several times. Times
/// keep their nanoseconds: `ts` in milliseconds and SenML `t` in seconds carry a fraction when the
/// time is not a whole unit, so two messages never share a time unless they had the same one.
[[nodiscard]] QByteArray normalizedJson(const Envelope &envelope);

} // namespace edgegate
