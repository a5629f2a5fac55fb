// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/envelope.h"

namespace edgegate {

using namespace Qt::StringLiterals;

QString protocolName(Protocol protocol)
{
    switch (protocol) {
    case Protocol::Mqtt:
        return u"mqtt"_s;
    case Protocol::Coap:
        return u"coap"_s;
    case Protocol::Http:
        return u"http"_s;
    case Protocol::WebSocket:
        return u"websocket"_s;
    }
    return {};
}

} // namespace edgegate
