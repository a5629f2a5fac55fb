// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/normalize.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace edgegate {

using namespace Qt::StringLiterals;

QByteArray normalizedJson(const Envelope &envelope)
{
    bool flat = true;
    QSet<QString> names;
    for (const Sample &s : envelope.samples) {
        if (s.timeMs != envelope.samples.front().timeMs || s.name == u"ts" || names.contains(s.name)) {
            flat = false;
            break;
        }
        names.insert(s.name);
    }
    if (flat) {
        QJsonObject o;
        for (const Sample &s : envelope.samples)
            o.insert(s.name, valueToJson(s.value));
        o.insert(u"ts"_s, envelope.samples.isEmpty() ? envelope.receivedAtMs : envelope.samples.front().timeMs);
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    QJsonArray records;
    for (const Sample &s : envelope.samples) {
        QJsonObject r{{u"n"_s, s.name}, {u"t"_s, static_cast<double>(s.timeMs) / 1000.0}};
        if (const auto *b = std::get_if<bool>(&s.value))
            r.insert(u"vb"_s, *b);
        else if (const auto *str = std::get_if<QString>(&s.value))
            r.insert(u"vs"_s, *str);
        else
            r.insert(u"v"_s, valueToJson(s.value));
        records.append(r);
    }
    return QJsonDocument(records).toJson(QJsonDocument::Compact);
}

} // namespace edgegate
