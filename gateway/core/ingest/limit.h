// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/enumnames.h"

#include <QString>

namespace edgegate {

/// A budget that refused a message. limitLabel() is its one label: the `reason` of
/// edgegate_messages_rejected_total and the `code` of the answer. A gateway-wide budget is answered
/// as overload (HTTP 503, CoAP 5.03); one source's share as throttling (HTTP 429, CoAP 4.29).
enum class Limit {
    Sessions, ///< coap.max_sessions observing sessions
    SessionsFromAddress, ///< coap.max_sessions_per_address
    Devices, ///< registry.max_devices
    NewDevicesFromSource, ///< registry.new_devices_per_minute from one address or link
    Registrations, ///< the CoAP resource directory's registrations
};

inline constexpr auto LimitLabels
    = enumNames<Limit>(u"too_many_sessions", u"too_many_from_address", u"too_many_devices", u"too_many_new_devices",
                       u"too_many_registrations");
static_assert(LimitLabels.size() == static_cast<std::size_t>(Limit::Registrations) + 1);

/// The help of edgegate_messages_rejected_total, which the registry's policy refusals share.
inline const QString RejectedHelp = QStringLiteral("Messages refused by the registry policy or a budget, by reason.");

[[nodiscard]] inline QString limitLabel(Limit limit)
{
    return LimitLabels.nameOf(limit);
}

/// One source's share rather than the gateway's capacity.
[[nodiscard]] constexpr bool isPerSource(Limit limit)
{
    return limit == Limit::SessionsFromAddress || limit == Limit::NewDevicesFromSource;
}

} // namespace edgegate
