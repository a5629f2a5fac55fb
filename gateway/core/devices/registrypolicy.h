// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace edgegate {

/// What the registry does with a device it has never seen.
enum class RegistryPolicy {
    Auto, ///< register it on its first message
    Approve, ///< list it as pending and hold its data until an operator approves it
    Deny, ///< refuse its messages
};

} // namespace edgegate
