// SPDX-License-Identifier: Apache-2.0
// Inside PayloadDecoder: what its JSON and CBOR part (payloaddecoder.cpp) and its SenML part
// (senmldecoding.cpp) share. Not for use elsewhere.
#pragma once

#include "gateway/core/ingest/payloaddecoder.h"
#include "gateway/core/ingest/receiveclock.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonParseError>

#include <cmath>
#include <optional>

namespace edgegate::decoding {

// Device times are kept in nanoseconds since the epoch, which 64 bits carry until 2262; anything beyond is a
// broken clock.
inline constexpr qint64 TimeMsLimit = TimeNsLimit / 1'000'000;

// RFC 8428 §4.5.3: a resolved time below 2**28 seconds counts from "now".
inline constexpr qint64 SenmlRelativeTimeLimitNs = qint64{268'435'456} * 1'000'000'000;

// RFC 8428 fixes the version at 10; higher numbers announce features (RFC 9100) this decoder does not implement,
// and a reader must not use records whose version it does not understand.
inline constexpr qint64 SenmlVersion = 10;

// Duplicate CBOR map keys are searched linearly up to this many samples; past it a hash is cheaper.
inline constexpr qsizetype LinearDuplicateScanLimit = 32;

// Qt 6.4 decodes the CBOR integer -2**64 as 0 without any error, which would silently corrupt a reading.
inline constexpr char MinusTwoPow64[] = {'\x3b', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff'};

// RFC 8428 §6, Table 6.
enum SenmlLabel : qint64 {
    LabelBaseVersion = -1,
    LabelBaseName = -2,
    LabelBaseTime = -3,
    LabelBaseUnit = -4,
    LabelBaseValue = -5,
    LabelBaseSum = -6,
    LabelName = 0,
    LabelUnit = 1,
    LabelValue = 2,
    LabelStringValue = 3,
    LabelBoolValue = 4,
    LabelSum = 5,
    LabelTime = 6,
    LabelUpdateTime = 7,
    LabelDataValue = 8,
};

/// A SenML number; integers stay exact until a floating-point operand forces a double.
struct Number
{
    qint64 integer = 0;
    double real = 0.0;
    bool isInteger = false;

    [[nodiscard]] double toDouble() const { return isInteger ? double(integer) : real; }
    [[nodiscard]] bool isFinite() const { return isInteger || std::isfinite(real); }
    [[nodiscard]] Value toValue() const { return isInteger ? Value(integer) : Value(real); }
};

inline Number addNumbers(const Number &a, const Number &b)
{
    Number sum;
    if (a.isInteger && b.isInteger && !qAddOverflow(a.integer, b.integer, &sum.integer)) {
        sum.isInteger = true;
        return sum;
    }
    sum.real = a.toDouble() + b.toDouble();
    return sum;
}

/// One SenML record with its fields type-checked but not yet resolved against the base fields.
struct SenmlRecord
{
    std::optional<QString> baseName;
    std::optional<QString> name;
    std::optional<double> baseTime;
    std::optional<double> time;
    std::optional<Number> baseValue;
    std::optional<Number> value;
    std::optional<Number> baseSum;
    std::optional<Number> sum;
    std::optional<Value> otherValue; ///< vs, vb or vd
    int valueCount = 0; ///< how many of v, vs, vb, vd appeared
    bool hasBaseField = false;
    bool hasRecordField = false; ///< a field that only makes sense in a record that yields a sample
};

/// Base fields as they carry forward from record to record.
struct SenmlBase
{
    QString name;
    std::optional<double> time;
    std::optional<Number> value;
    std::optional<Number> sum;
};

[[nodiscard]] QString cborTypeName(const QCborValue &value);
[[nodiscard]] QString jsonTypeName(const QJsonValue &value);
[[nodiscard]] QString metricNameProblem(QStringView name);
[[nodiscard]] std::optional<qint64> scaledToNs(double units, int decimals);
[[nodiscard]] std::optional<qint64> epochNsInRange(std::optional<qint64> ns);
[[nodiscard]] std::optional<qint64> senmlLabelFromJsonKey(QStringView key);
[[nodiscard]] QString senmlJsonFieldName(qint64 label);

/// Carries the result while one payload is decoded; every step returns false once an error is recorded.
class Decoding
{
public:
    explicit Decoding(qint64 receivedAtNs)
        : m_receivedAtNs(receivedAtNs)
    {
    }

    DecodeResult take() { return std::move(m_result); }

    bool fail(BadInput error, QString detail)
    {
        m_result.samples.clear();
        m_result.hasDeviceTime = false;
        m_result.error = error;
        m_result.detail = std::move(detail);
        return false;
    }

    bool decodeJson(const QByteArray &payload, PayloadFormat format);
    bool decodeCbor(const QByteArray &payload, PayloadFormat format);

private:
    bool failJsonParse(const QByteArray &payload, const QJsonParseError &error);
    bool checkName(QStringView name);
    bool append(QString &&name, Value &&value, qint64 timeNs);

    bool decodeFlatJson(const QJsonObject &object);
    bool jsonScalar(const QString &name, const QJsonValue &json, Value &out);
    bool jsonTime(const QJsonValue &json, qint64 &outNs);

    bool decodeFlatCbor(const QCborMap &map);
    bool cborScalar(const QString &name, const QCborValue &cbor, Value &out);
    bool cborTime(const QCborValue &cbor, qint64 &outNs);
    bool appendKeepingLast(QString &&name, Value &&value, QHash<QString, qsizetype> &index);

    bool decodeSenmlJson(const QJsonArray &records);
    bool decodeSenmlCbor(const QCborArray &records);
    bool senmlField(SenmlRecord &record, qint64 label, const QCborValue &value, bool dataIsText, qsizetype index);
    bool senmlNumber(const QCborValue &value, qint64 label, qsizetype index, Number &out);
    bool senmlUnknownField(QStringView key, qsizetype index);
    bool senmlWrongType(qint64 label, const QCborValue &value, QStringView expected, qsizetype index);
    bool applySenml(SenmlBase &base, SenmlRecord &&record, qsizetype index);

    qint64 m_receivedAtNs;
    DecodeResult m_result;
};

} // namespace edgegate::decoding
