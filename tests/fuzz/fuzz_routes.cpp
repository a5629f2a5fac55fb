// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: routes from JSON (the REST API's form) and MQTT topic filters. A route that
// is read writes back to JSON that reads the same, and a filter judged well formed matches sanely.
#include "fuzzcheck.h"
#include "gateway/core/routing/route.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdint>

using namespace edgegate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    QString error;
    if (doc.isArray()) {
        if (const auto routes = routesFromJson(doc.array(), &error)) {
            QString again;
            const auto back = routesFromJson(routesToJson(*routes), &again);
            check(back && back->size() == routes->size() && routesToJson(*back) == routesToJson(*routes));
        } else {
            check(!error.isEmpty());
        }
    } else if (doc.isObject()) {
        if (const auto route = routeFromJson(doc.object(), &error)) {
            QString again;
            const auto back = routeFromJson(routeToJson(*route), &again);
            check(back && routeToJson(*back) == routeToJson(*route));
        } else {
            check(!error.isEmpty());
        }
    }

    // The bytes as a filter and a topic, cut at the first NUL.
    const QString text = QString::fromUtf8(bytes);
    const qsizetype cut = text.indexOf(QChar(0));
    const QString filter = cut < 0 ? text : text.left(cut);
    const QString topic = cut < 0 ? text : text.mid(cut + 1);
    if (topicFilterError(filter).isEmpty()) {
        (void)topicFilterMatches(filter, topic);
        if (!filter.contains(u'+') && !filter.contains(u'#'))
            check(topicFilterMatches(filter, topic) == (filter == topic));
    }
    return 0;
}
