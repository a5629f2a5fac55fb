// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/devicemeta.h"
#include "gateway/core/common/cbordepth.h"

#include <QCborMap>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

// Names end up in logs, the dashboard and SQL-free JSON columns: printable text only.
bool printable(const QString &text)
{
    return std::none_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
}

QString metadataText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 17);
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default:
        return {};
    }
}

MetaParse bad(const QString &detail)
{
    return {std::nullopt, BadInput::BadMeta, detail};
}

// A short text field: absent stays absent, anything but a printable string of 0..MaxTextLength is refused.
std::optional<QString> textField(const QString &key, const QJsonValue &v, QString *error)
{
    if (!v.isString()) {
        *error = u"'%1' must be a string"_s.arg(key);
        return std::nullopt;
    }
    const QString text = v.toString();
    if (text.size() > MetaParser::MaxTextLength || !printable(text)) {
        *error = u"'%1' must be at most %2 printable characters"_s.arg(key).arg(MetaParser::MaxTextLength);
        return std::nullopt;
    }
    return text;
}

std::optional<QStringList> capabilities(const QJsonValue &v, QString *error)
{
    if (!v.isArray()) {
        *error = u"'capabilities' must be an array of strings"_s;
        return std::nullopt;
    }
    const QJsonArray array = v.toArray();
    if (array.size() > MetaParser::MaxCapabilities) {
        *error = u"'capabilities' has %1 entries, at most %2 are allowed"_s.arg(array.size())
                     .arg(MetaParser::MaxCapabilities);
        return std::nullopt;
    }
    QStringList out;
    for (const QJsonValue entry : array) {
        const QString c = entry.toString();
        if (!entry.isString() || c.isEmpty() || c.size() > MetaParser::MaxCapabilityLength || !printable(c)) {
            *error = u"each capability must be a string of 1 to %1 printable characters"_s.arg(
                MetaParser::MaxCapabilityLength);
            return std::nullopt;
        }
        if (!out.contains(c))
            out.append(c);
    }
    return out;
}

std::optional<QList<MetricInfo>> metrics(const QJsonValue &v, QString *error)
{
    if (!v.isArray()) {
        *error = u"'metrics' must be an array of names or {\"name\", \"unit\"} objects"_s;
        return std::nullopt;
    }
    const QJsonArray array = v.toArray();
    if (array.size() > MetaParser::MaxMetrics) {
        *error = u"'metrics' has %1 entries, at most %2 are allowed"_s.arg(array.size()).arg(MetaParser::MaxMetrics);
        return std::nullopt;
    }
    QList<MetricInfo> out;
    QSet<QString> seen;
    for (const QJsonValue entry : array) {
        MetricInfo m;
        if (entry.isString()) {
            m.name = entry.toString();
        } else if (entry.isObject()) {
            const QJsonObject o = entry.toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                if (it.key() != u"name" && it.key() != u"unit") {
                    *error = u"unknown field '%1' in a metric (name, unit)"_s.arg(
                        it.key().left(MetaParser::MaxTextLength));
                    return std::nullopt;
                }
            }
            const QJsonValue unit = o.value(u"unit"_s);
            if (!o.value(u"name"_s).isString() || !(unit.isUndefined() || unit.isNull() || unit.isString())) {
                *error = u"a metric object needs a string 'name' and may have a string 'unit'"_s;
                return std::nullopt;
            }
            m.name = o.value(u"name"_s).toString();
            m.unit = unit.toString();
            if (m.unit.size() > MetaParser::MaxUnitLength || !printable(m.unit)) {
                *error = u"a metric unit must be at most %1 printable characters"_s.arg(MetaParser::MaxUnitLength);
                return std::nullopt;
            }
        } else {
            *error = u"each metric must be a name or a {\"name\", \"unit\"} object"_s;
            return std::nullopt;
        }
        if (m.name.isEmpty() || m.name.size() > MetaParser::MaxTextLength || !printable(m.name)) {
            *error = u"a metric name must be 1 to %1 printable characters"_s.arg(MetaParser::MaxTextLength);
            return std::nullopt;
        }
        if (seen.contains(m.name)) {
            *error = u"metric '%1' is listed twice"_s.arg(m.name);
            return std::nullopt;
        }
        seen.insert(m.name);
        out.append(std::move(m));
    }
    return out;
}

} // namespace

MetaParse MetaParser::parse(const QByteArray &payload, PayloadFormat format) const
{
    if (payload.size() > m_maxPayloadBytes)
        return {std::nullopt, BadInput::TooLarge,
                u"meta payload of %1 bytes, more than %2"_s.arg(payload.size()).arg(m_maxPayloadBytes)};
    if (payload.trimmed().isEmpty())
        return {std::nullopt, BadInput::Empty, u"empty meta payload"_s};
    // Undeclared: a CBOR map starts with a byte of major type 5 (0xa0-0xbf), which JSON text never does.
    const auto first = static_cast<unsigned char>(payload.front());
    const bool json = format == PayloadFormat::Json || format == PayloadFormat::SenmlJson
        || (format == PayloadFormat::Auto && !(first >= 0xa0 && first <= 0xbf));
    QJsonObject o;
    if (json) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(payload, &error);
        if (error.error != QJsonParseError::NoError)
            return {std::nullopt, BadInput::MalformedJson, error.errorString()};
        if (!doc.isObject())
            return {std::nullopt, BadInput::NotAnObject, u"meta must be a JSON object"_s};
        o = doc.object();
    } else {
        if (cborNestsDeeperThan(payload))
            return bad(u"meta CBOR nests deeper than %1 levels"_s.arg(MaxCborDepth));
        QCborParserError error;
        const QCborValue value = QCborValue::fromCbor(payload, &error);
        if (error.error != QCborError::NoError)
            return {std::nullopt, BadInput::MalformedCbor, error.errorString()};
        if (error.offset != payload.size())
            return {std::nullopt, BadInput::MalformedCbor, u"bytes after the CBOR item"_s};
        if (!value.isMap())
            return {std::nullopt, BadInput::NotAnObject, u"meta must be a CBOR map"_s};
        for (const auto &[key, v] : value.toMap()) {
            if (!key.isString())
                return bad(u"meta map keys must be text strings"_s);
        }
        o = value.toMap().toJsonObject();
    }

    DeviceMeta meta;
    QString error;
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        // null is "nothing to say", as if the key were absent.
        if (v.isNull())
            continue;
        if (key == u"name" || key == u"type" || key == u"firmware" || key == u"model") {
            auto text = textField(key, v, &error);
            if (!text)
                return bad(error);
            std::optional<QString> &field = key == u"name" ? meta.name
                : key == u"type"                           ? meta.type
                : key == u"firmware"                       ? meta.firmware
                                                           : meta.model;
            field = std::move(text);
        } else if (key == u"capabilities") {
            meta.capabilities = capabilities(v, &error);
            if (!meta.capabilities)
                return bad(error);
        } else if (key == u"metrics") {
            meta.metrics = metrics(v, &error);
            if (!meta.metrics)
                return bad(error);
        } else {
            if (key.isEmpty() || key.size() > MaxMetadataKeyLength || !printable(key))
                return bad(u"metadata keys must be 1 to %1 printable characters"_s.arg(MaxMetadataKeyLength));
            const QString text = metadataText(v);
            if (text.size() > MaxMetadataValueLength) {
                return bad(u"metadata '%1' is longer than %2 characters"_s.arg(key).arg(MaxMetadataValueLength));
            }
            if (meta.metadata.size() >= MaxMetadataEntries)
                return bad(u"more than %1 metadata entries"_s.arg(MaxMetadataEntries));
            meta.metadata.insert(key, text);
        }
    }
    return {std::move(meta), {}, {}};
}

} // namespace edgegate
