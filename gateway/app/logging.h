// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace edgegate {

/// Installs the log line format and the minimum level (debug, info, warning, error);
/// false for an unknown level.
bool setupLogging(const QString &level);

} // namespace edgegate
