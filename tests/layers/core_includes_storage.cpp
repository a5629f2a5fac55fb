// SPDX-License-Identifier: Apache-2.0
// Code in the core layer reaching for the storage layer: must not compile (see CMakeLists.txt).
#include "gateway/core/ota/firmware.h"
#include "gateway/storage/firmwarestore.h"
