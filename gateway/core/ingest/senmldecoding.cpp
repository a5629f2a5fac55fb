// SPDX-License-Identifier: Apache-2.0
// PayloadDecoder's SenML part (RFC 8428), in JSON and CBOR: fields checked by label, base fields
// carried from record to record, times resolved, one sample per record.
#include "gateway/core/ingest/payloaddecoding.h"

namespace edgegate::decoding {

using namespace Qt::StringLiterals;

namespace {

struct SenmlField
{
    QStringView name;
    qint64 label;
};

// RFC 8428 section 6: the JSON name of each CBOR label.
constexpr SenmlField SenmlFields[] = {
    {u"n", LabelName},       {u"v", LabelValue},       {u"t", LabelTime},           {u"u", LabelUnit},
    {u"bn", LabelBaseName},  {u"bt", LabelBaseTime},   {u"vs", LabelStringValue},   {u"vb", LabelBoolValue},
    {u"vd", LabelDataValue}, {u"s", LabelSum},         {u"bu", LabelBaseUnit},      {u"bv", LabelBaseValue},
    {u"bs", LabelBaseSum},   {u"ut", LabelUpdateTime}, {u"bver", LabelBaseVersion},
};

} // namespace

std::optional<qint64> senmlLabelFromJsonKey(QStringView key)
{
    for (const SenmlField &field : SenmlFields) {
        if (field.name == key)
            return field.label;
    }
    return std::nullopt;
}

QString senmlJsonFieldName(qint64 label)
{
    for (const SenmlField &field : SenmlFields) {
        if (field.label == label)
            return field.name.toString();
    }
    return QString::number(label);
}

bool Decoding::senmlWrongType(qint64 label, const QCborValue &value, QStringView expected, qsizetype index)
{
    return fail(BadInput::BadSenml,
                u"SenML record %1: \"%2\" must be a %3, got a %4"_s.arg(
                    QString::number(index), senmlJsonFieldName(label), expected, cborTypeName(value)));
}

bool Decoding::senmlNumber(const QCborValue &value, qint64 label, qsizetype index, Number &out)
{
    if (value.isInteger()) {
        out.integer = value.toInteger();
        out.isInteger = true;
        return true;
    }
    if (!value.isDouble())
        return senmlWrongType(label, value, u"number", index);
    out.real = value.toDouble();
    if (!std::isfinite(out.real))
        return fail(BadInput::NonFinite,
                    u"SenML record %1: \"%2\" is not finite"_s.arg(QString::number(index), senmlJsonFieldName(label)));
    return true;
}

bool Decoding::senmlUnknownField(QStringView key, qsizetype index)
{
    // RFC 8428: an unknown label ending in '_' is a must-understand extension, so the pack must be refused.
    if (key.endsWith(u'_'))
        return fail(BadInput::BadSenml,
                    u"SenML record %1: unsupported must-understand field \"%2\""_s.arg(QString::number(index),
                                                                                       key.left(64).toString()));
    return true;
}

bool Decoding::senmlField(SenmlRecord &record, qint64 label, const QCborValue &value, bool dataIsText, qsizetype index)
{
    switch (label) {
    case LabelBaseVersion: {
        if (!value.isInteger())
            return senmlWrongType(label, value, u"integer", index);
        const qint64 version = value.toInteger();
        if (version < 1 || version > SenmlVersion)
            return fail(BadInput::BadSenml, u"SenML record %1: version %2 is not supported"_s.arg(index).arg(version));
        record.hasBaseField = true;
        return true;
    }
    case LabelBaseName:
    case LabelName:
    case LabelBaseUnit:
    case LabelUnit:
    case LabelStringValue: {
        if (!value.isString())
            return senmlWrongType(label, value, u"string", index);
        if (label == LabelBaseName) {
            record.baseName = value.toString();
            record.hasBaseField = true;
        } else if (label == LabelName) {
            record.name = value.toString();
            record.hasRecordField = true;
        } else if (label == LabelBaseUnit) {
            record.hasBaseField = true;
        } else if (label == LabelUnit) {
            record.hasRecordField = true;
        } else {
            record.otherValue.emplace(value.toString());
            ++record.valueCount;
            record.hasRecordField = true;
        }
        return true;
    }
    case LabelBoolValue:
        if (!value.isBool())
            return senmlWrongType(label, value, u"boolean", index);
        record.otherValue.emplace(value.isTrue());
        ++record.valueCount;
        record.hasRecordField = true;
        return true;
    case LabelDataValue:
        if (dataIsText) {
            if (!value.isString())
                return senmlWrongType(label, value, u"string", index);
            record.otherValue.emplace(value.toString());
        } else {
            if (!value.isByteArray())
                return senmlWrongType(label, value, u"byte string", index);
            // SenML JSON carries data values base64url-encoded without padding; keep that one form for both.
            record.otherValue.emplace(QString::fromLatin1(
                value.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
        }
        ++record.valueCount;
        record.hasRecordField = true;
        return true;
    case LabelBaseTime:
    case LabelTime:
    case LabelUpdateTime:
    case LabelBaseValue:
    case LabelValue:
    case LabelBaseSum:
    case LabelSum: {
        Number number;
        if (!senmlNumber(value, label, index, number))
            return false;
        switch (label) {
        case LabelBaseTime:
            record.baseTime = number.toDouble();
            record.hasBaseField = true;
            break;
        case LabelTime:
            record.time = number.toDouble();
            record.hasRecordField = true;
            break;
        case LabelUpdateTime:
            record.hasRecordField = true;
            break;
        case LabelBaseValue:
            record.baseValue = number;
            record.hasBaseField = true;
            break;
        case LabelValue:
            record.value = number;
            ++record.valueCount;
            record.hasRecordField = true;
            break;
        case LabelBaseSum:
            record.baseSum = number;
            record.hasBaseField = true;
            break;
        default:
            record.sum = number;
            record.hasRecordField = true;
            break;
        }
        return true;
    }
    default:
        // Integer labels outside Table 6 belong to registered extensions this gateway does not use.
        return true;
    }
}

bool Decoding::applySenml(SenmlBase &base, SenmlRecord &&record, qsizetype index)
{
    if (record.baseName)
        base.name = std::move(*record.baseName);
    if (record.baseTime)
        base.time = record.baseTime;
    if (record.baseValue)
        base.value = record.baseValue;
    if (record.baseSum)
        base.sum = record.baseSum;

    if (!record.hasRecordField) {
        if (record.hasBaseField)
            return true;
        return fail(BadInput::BadSenml, u"SenML record %1 has no fields"_s.arg(index));
    }
    if (record.valueCount > 1)
        return fail(BadInput::BadSenml, u"SenML record %1 has more than one of v, vs, vb, vd"_s.arg(index));

    QString name = record.name ? QString(base.name + *record.name) : base.name;
    if (name.isEmpty())
        return fail(BadInput::BadSenml, u"SenML record %1 has no name (bn + n is empty)"_s.arg(index));
    if (!checkName(name))
        return false;

    Value value;
    if (record.value || (record.valueCount == 0 && record.sum)) {
        const Number &own = record.value ? *record.value : *record.sum;
        const std::optional<Number> &offset = record.value ? base.value : base.sum;
        const Number resolved = offset ? addNumbers(*offset, own) : own;
        if (!resolved.isFinite())
            return fail(BadInput::NonFinite, u"SenML record %1: resolved value is not finite"_s.arg(index));
        value = resolved.toValue();
    } else if (record.otherValue) {
        value = std::move(*record.otherValue);
    } else {
        return fail(BadInput::BadSenml, u"SenML record %1 (\"%2\") has no value"_s.arg(QString::number(index), name));
    }

    qint64 timeNs = m_receivedAtNs;
    const bool timed = base.time || record.time;
    if (timed) {
        const double baseSeconds = base.time.value_or(0.0);
        const double ownSeconds = record.time.value_or(0.0);
        if (!std::isfinite(baseSeconds + ownSeconds))
            return fail(BadInput::NonFinite, u"SenML record %1: resolved time is not finite"_s.arg(index));
        // Base and own time are converted apart: `bt` in whole seconds plus a small `t` keep nanoseconds,
        // which their sum as a double (steps of about 240 ns near 2026) would not.
        const std::optional<qint64> baseNs = scaledToNs(baseSeconds, 9);
        const std::optional<qint64> ownNs = scaledToNs(ownSeconds, 9);
        std::optional<qint64> ns;
        qint64 resolved = 0;
        if (baseNs && ownNs && !qAddOverflow(*baseNs, *ownNs, &resolved)) {
            if (resolved >= SenmlRelativeTimeLimitNs || !qAddOverflow(resolved, m_receivedAtNs, &resolved))
                ns = epochNsInRange(resolved);
        }
        if (!ns)
            return fail(BadInput::BadSenml, u"SenML record %1: time is outside 1970 to 2261"_s.arg(index));
        timeNs = *ns;
    }
    if (!append(std::move(name), std::move(value), timeNs))
        return false;
    if (timed)
        m_result.hasDeviceTime = true;
    return true;
}

bool Decoding::decodeSenmlJson(const QJsonArray &records)
{
    SenmlBase base;
    m_result.samples.reserve(qMin<qsizetype>(records.size(), PayloadDecoder::MaxSamples));
    for (qsizetype i = 0; i < records.size(); ++i) {
        const QJsonValue entry = records.at(i);
        if (!entry.isObject())
            return fail(BadInput::NotAnObject,
                        u"SenML record %1 is a %2, not an object"_s.arg(QString::number(i), jsonTypeName(entry)));
        const QJsonObject object = entry.toObject();
        SenmlRecord record;
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            const QString key = it.key();
            const std::optional<qint64> label = senmlLabelFromJsonKey(key);
            if (!label) {
                if (!senmlUnknownField(key, i))
                    return false;
                continue;
            }
            // QCborValue keeps the integer/double distinction Qt's JSON parser made.
            if (!senmlField(record, *label, QCborValue::fromJsonValue(it.value()), true, i))
                return false;
        }
        if (!applySenml(base, std::move(record), i))
            return false;
    }
    return true;
}

bool Decoding::decodeSenmlCbor(const QCborArray &records)
{
    SenmlBase base;
    m_result.samples.reserve(qMin<qsizetype>(records.size(), PayloadDecoder::MaxSamples));
    for (qsizetype i = 0; i < records.size(); ++i) {
        const QCborValue entry = records.at(i);
        if (!entry.isMap())
            return fail(BadInput::NotAnObject,
                        u"SenML record %1 is a %2, not a map"_s.arg(QString::number(i), cborTypeName(entry)));
        const QCborMap map = entry.toMap();
        SenmlRecord record;
        for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
            const QCborValue key = it.key();
            if (key.isInteger()) {
                if (!senmlField(record, key.toInteger(), it.value(), false, i))
                    return false;
            } else if (key.isString()) {
                // Extensions without an integer label can only be text; the must-understand rule still applies.
                if (!senmlUnknownField(key.toString(), i))
                    return false;
            } else {
                return fail(BadInput::BadSenml,
                            u"SenML record %1: label is a %2, not an integer or text"_s.arg(QString::number(i),
                                                                                            cborTypeName(key)));
            }
        }
        if (!applySenml(base, std::move(record), i))
            return false;
    }
    return true;
}

} // namespace edgegate::decoding
