// SPDX-License-Identifier: Apache-2.0
#include "ui/logging.h"

Q_LOGGING_CATEGORY(lcDashboard, "edgegate.dashboard", QtInfoMsg)
