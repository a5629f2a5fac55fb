// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/normalize.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

// A JSON number holds no more digits than a double in Qt (1.7e12 ms has steps of about 240 ns), so
// times are written as text: the whole count of `unit`s, then the fraction down to the nanosecond
// without trailing zeros. A time of whole units stays an integer.
QByteArray timeText(qint64 ns, qint64 nsPerUnit)
{
    const bool negative = ns < 0;
    const quint64 magnitude = negative ? 0 - quint64(ns) : quint64(ns);
    QByteArray text = negative ? "-" : "";
    text += QByteArray::number(magnitude / quint64(nsPerUnit));
    if (const quint64 fraction = magnitude % quint64(nsPerUnit)) {
        const int digits = nsPerUnit == 1'000'000'000 ? 9 : 6;
        QByteArray decimals = QByteArray::number(fraction).rightJustified(digits, '0');
        while (decimals.endsWith('0'))
            decimals.chop(1);
        text += '.' + decimals;
    }
    return text;
}

// `object` serialized compactly, with one more member whose value is the number text given.
QByteArray withNumber(const QJsonObject &object, QByteArrayView key, const QByteArray &number)
{
    QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    json.chop(1); // the closing brace
    if (json.size() > 1)
        json += ',';
    json += '"';
    json += key;
    json += "\":";
    json += number;
    json += '}';
    return json;
}

} // namespace

QByteArray normalizedJson(const Envelope &envelope)
{
    bool flat = true;
    QSet<QString> names;
    for (const Sample &s : envelope.samples) {
        if (s.timeNs != envelope.samples.front().timeNs || s.name == u"ts" || names.contains(s.name)) {
            flat = false;
            break;
        }
        names.insert(s.name);
    }
    if (flat) {
        QJsonObject o;
        for (const Sample &s : envelope.samples)
            o.insert(s.name, valueToJson(s.value));
        const qint64 ns = envelope.samples.isEmpty() ? envelope.receivedAtNs : envelope.samples.front().timeNs;
        return withNumber(o, "ts", timeText(ns, 1'000'000));
    }
    QByteArray records = "[";
    for (const Sample &s : envelope.samples) {
        QJsonObject r{{u"n"_s, s.name}};
        if (const auto *b = std::get_if<bool>(&s.value))
            r.insert(u"vb"_s, *b);
        else if (const auto *str = std::get_if<QString>(&s.value))
            r.insert(u"vs"_s, *str);
        else
            r.insert(u"v"_s, valueToJson(s.value));
        if (records.size() > 1)
            records += ',';
        records += withNumber(r, "t", timeText(s.timeNs, 1'000'000'000));
    }
    records += ']';
    return records;
}

} // namespace edgegate
