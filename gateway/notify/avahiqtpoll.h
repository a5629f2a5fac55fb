// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <avahi-common/watch.h>

namespace edgegate {

/// An AvahiPoll that runs avahi-client inside the Qt event loop: each watch is a pair of
/// QSocketNotifiers, each timeout a single-shot QTimer. No thread, nothing polled. It must outlive
/// every avahi object created with it.
class AvahiQtPoll
{
public:
    AvahiQtPoll();
    AvahiQtPoll(const AvahiQtPoll &) = delete;
    AvahiQtPoll &operator=(const AvahiQtPoll &) = delete;

    [[nodiscard]] const AvahiPoll *poll() const { return &m_poll; }

private:
    AvahiPoll m_poll{};
};

} // namespace edgegate
