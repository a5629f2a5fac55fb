// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/envelope.h"

#include <QByteArray>

namespace edgegate {

/// The JSON form a message takes when the gateway republishes it: a flat object
/// (`{"temperature": 21.5, "ts": 1732530000000}`) when every sample has its own name and all
/// share one time; otherwise SenML JSON, which can carry repeated names and several times.
[[nodiscard]] QByteArray normalizedJson(const Envelope &envelope);

} // namespace edgegate
