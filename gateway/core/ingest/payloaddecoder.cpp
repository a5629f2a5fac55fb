// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/payloaddecoder.h"
#include "gateway/core/common/cbordepth.h"

#include "gateway/core/ingest/payloaddecoding.h"
#include "gateway/core/ingest/receiveclock.h"

#include <QByteArrayView>
#include <QCborArray>
#include <QCborMap>
#include <QCborStreamReader>
#include <QCborValue>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QRegularExpression>
#include <QtNumeric>

#include <array>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace decoding {

constexpr bool isJsonWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

constexpr bool isNumberChar(char c)
{
    return isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

constexpr bool isTokenChar(char c)
{
    return isNumberChar(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// Index of the first byte that is neither JSON whitespace nor a UTF-8 byte order mark, or size() if none.
qsizetype firstSignificantByte(QByteArrayView data)
{
    qsizetype i = 0;
    // In CBOR 0xEF is a lone simple value, so a buffer opening with a BOM is never one complete CBOR item.
    if (data.startsWith(QByteArrayView("\xef\xbb\xbf")))
        i = 3;
    while (i < data.size() && isJsonWhitespace(data[i]))
        ++i;
    return i;
}

/// True when the decimal magnitude of a JSON number token is at least 1, i.e. out of range means overflow.
bool hasNonNegativeExponent(QByteArrayView token)
{
    qsizetype i = 0;
    if (i < token.size() && (token[i] == '-' || token[i] == '+'))
        ++i;
    qint64 lead = 0;
    bool found = false;
    qsizetype integerDigits = 0;
    for (; i < token.size() && isDigit(token[i]); ++i) {
        if (found)
            ++integerDigits;
        else if (token[i] != '0')
            found = true;
    }
    if (found)
        lead = integerDigits;
    if (i < token.size() && token[i] == '.') {
        ++i;
        qint64 zeros = 0;
        for (; i < token.size() && isDigit(token[i]); ++i) {
            if (!found && token[i] != '0') {
                found = true;
                lead = -(zeros + 1);
            }
            ++zeros;
        }
    }
    if (!found)
        return false;
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
        ++i;
        const bool negative = i < token.size() && token[i] == '-';
        if (i < token.size() && (token[i] == '-' || token[i] == '+'))
            ++i;
        qint64 exponent = 0;
        for (; i < token.size() && isDigit(token[i]); ++i)
            exponent = qMin<qint64>(exponent * 10 + (token[i] - '0'), 1'000'000);
        lead += negative ? -exponent : exponent;
    }
    return lead >= 0;
}

/// Qt refuses NaN, Infinity and numbers that overflow a double with one "illegal number" error; this tells those
/// apart from plain syntax errors so that encoders emitting NaN (Python's json.dumps does) count as non_finite.
bool isNonFiniteNumberAt(QByteArrayView data, qsizetype offset)
{
    qsizetype begin = qBound<qsizetype>(0, offset, data.size());
    while (begin > 0 && isNumberChar(data[begin - 1]))
        --begin;
    qsizetype end = begin;
    while (end < data.size() && isTokenChar(data[end]))
        ++end;
    QByteArrayView token = data.sliced(begin, end - begin);
    if (token.startsWith('-') || token.startsWith('+'))
        token = token.sliced(1);
    const QLatin1StringView word(token.data(), token.size());
    if (word.compare("nan"_L1, Qt::CaseInsensitive) == 0 || word.compare("infinity"_L1, Qt::CaseInsensitive) == 0
        || word.compare("inf"_L1, Qt::CaseInsensitive) == 0)
        return true;
    double parsed = 0.0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), parsed);
    Q_UNUSED(ptr);
    // from_chars says out of range for underflow too; only a large magnitude became an infinity.
    return ec == std::errc::result_out_of_range && hasNonNegativeExponent(token);
}

/// Whether `data` is one JSON scalar (Qt only parses objects and arrays at the top level).
bool isJsonScalar(const QByteArray &data)
{
    QByteArray wrapped;
    wrapped.reserve(data.size() + 2);
    wrapped.append('[').append(data).append(']');
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
    return error.error == QJsonParseError::NoError && document.array().size() == 1;
}

/// Walks one CBOR item; true if it holds the integer -2**64, which Qt would turn into 0.
bool itemHoldsMinusTwoPow64(QCborStreamReader &reader)
{
    if (reader.isNegativeInteger()) {
        const bool minusTwoPow64 = quint64(reader.toNegativeInteger()) == 0;
        reader.next(); // in a container, the walk goes on from the next item
        return minusTwoPow64;
    }
    if (reader.isTag())
        return reader.next() && itemHoldsMinusTwoPow64(reader);
    if (reader.isContainer()) {
        if (!reader.enterContainer())
            return false;
        while (reader.lastError() == QCborError::NoError && reader.hasNext()) {
            if (itemHoldsMinusTwoPow64(reader))
                return true;
        }
        reader.leaveContainer();
        return false;
    }
    reader.next();
    return false;
}

bool holdsMinusTwoPow64(const QByteArray &data)
{
    // The byte pattern is necessary but not sufficient (it may sit inside a byte string), so only then walk.
    if (!data.contains(QByteArrayView(MinusTwoPow64, sizeof(MinusTwoPow64))))
        return false;
    QCborStreamReader reader(data);
    return itemHoldsMinusTwoPow64(reader);
}

QString cborTypeName(const QCborValue &value)
{
    switch (value.type()) {
    case QCborValue::Integer:
        return u"integer"_s;
    case QCborValue::ByteArray:
        return u"byte string"_s;
    case QCborValue::String:
        return u"text string"_s;
    case QCborValue::Array:
        return u"array"_s;
    case QCborValue::Map:
        return u"map"_s;
    case QCborValue::Tag:
        return u"tagged item"_s;
    case QCborValue::SimpleType:
        return u"simple value"_s;
    case QCborValue::False:
    case QCborValue::True:
        return u"boolean"_s;
    case QCborValue::Null:
        return u"null"_s;
    case QCborValue::Undefined:
        return u"undefined"_s;
    case QCborValue::Double:
        return u"floating-point number"_s;
    case QCborValue::DateTime:
        return u"date/time"_s;
    case QCborValue::Url:
        return u"URI"_s;
    case QCborValue::RegularExpression:
        return u"regular expression"_s;
    case QCborValue::Uuid:
        return u"UUID"_s;
    case QCborValue::Invalid:
        break;
    }
    return u"invalid item"_s;
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"boolean"_s;
    case QJsonValue::Double:
        return u"number"_s;
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Array:
        return u"array"_s;
    case QJsonValue::Object:
        return u"object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"undefined"_s;
}

/// Why `name` cannot be a metric name, or an empty string when it can.
QString metricNameProblem(QStringView name)
{
    if (name.isEmpty())
        return u"empty metric name"_s;
    if (name.size() > PayloadDecoder::MaxMetricNameLength)
        return u"metric name of %1 characters exceeds the limit of %2"_s.arg(name.size())
            .arg(PayloadDecoder::MaxMetricNameLength);
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char16_t c = name[i].unicode();
        if (c < 0x20 || c == 0x7f)
            return u"metric name has control character U+%1 at position %2"_s.arg(int(c), 4, 16, QChar(u'0')).arg(i);
    }
    return {};
}

/// A finite double of seconds (`decimals` 9) or milliseconds (`decimals` 6) in nanoseconds, when
/// within +-TimeNsLimit. Read from the shortest decimal that gives the double back, which is what
/// the device wrote: 1.276020076001e9 s is 1276020076.000999927... s as a double, but
/// 1276020076001000000 ns as written.
std::optional<qint64> scaledToNs(double units, int decimals)
{
    qint64 scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;
    if (!(std::fabs(units) < double(TimeNsLimit / scale)))
        return std::nullopt;
    if (units == std::floor(units))
        return qint64(units) * scale; // whole units, the common case, are exact as they are
    std::array<char, 512> text{}; // the longest fixed form, of the smallest denormal, takes 326
    const auto written
        = std::to_chars(text.data(), text.data() + text.size(), std::fabs(units), std::chars_format::fixed);
    if (written.ec != std::errc())
        return std::nullopt;
    const char *p = text.data();
    qint64 whole = 0;
    for (; p != written.ptr && *p != '.'; ++p)
        whole = whole * 10 + (*p - '0');
    if (p != written.ptr)
        ++p;
    qint64 fraction = 0;
    int digits = 0;
    for (; p != written.ptr && digits < decimals; ++p, ++digits)
        fraction = fraction * 10 + (*p - '0');
    for (; digits < decimals; ++digits)
        fraction *= 10;
    if (p != written.ptr && *p >= '5')
        ++fraction; // half a nanosecond or more rounds away from zero
    const qint64 magnitude = whole * scale + fraction;
    return units < 0 ? -magnitude : magnitude;
}

std::optional<qint64> epochNsInRange(std::optional<qint64> ns)
{
    if (!ns || *ns < 0 || *ns >= TimeNsLimit)
        return std::nullopt;
    return ns;
}

/// Epoch nanoseconds from milliseconds as a finite double; a fraction keeps sub-millisecond time.
std::optional<qint64> epochNsFromMs(double ms)
{
    return epochNsInRange(scaledToNs(ms, 6));
}

std::optional<qint64> epochNsFromMs(qint64 ms)
{
    if (ms < 0 || ms >= TimeMsLimit)
        return std::nullopt;
    return ms * 1'000'000;
}

/// Epoch nanoseconds from an ISO-8601 time; fractional seconds keep up to nine digits (Qt reads three).
std::optional<qint64> epochNsFromIso(const QString &text)
{
    // The fraction of the seconds, where an offset or the end follows it.
    static const QRegularExpression fraction(uR"(([Tt ](\d\d):\d\d:\d\d)[.,](\d+)(?=$|[Zz+-]))"_s);
    QString whole = text;
    qint64 fractionNs = 0;
    if (const QRegularExpressionMatch m = fraction.match(text); m.hasMatch()) {
        const QString digits = QString(m.captured(3).left(9) + u"000000000"_s).left(9);
        fractionNs = digits.toLongLong();
        // 24:00:00 is the end of a day; nothing comes after it within that day.
        if (m.captured(2) == u"24" && fractionNs != 0)
            return std::nullopt;
        whole.replace(m.capturedStart(), m.capturedLength(), m.captured(1));
    }
    QDateTime time = QDateTime::fromString(whole, Qt::ISODate);
    if (!time.isValid())
        return std::nullopt;
    // A device that omits the offset does not mean the gateway's local zone; UTC is the only sane reading.
    if (time.timeSpec() == Qt::LocalTime)
        time = QDateTime(time.date(), time.time(), Qt::UTC);
    const std::optional<qint64> ns = epochNsFromMs(time.toMSecsSinceEpoch());
    return ns ? epochNsInRange(*ns + fractionNs) : std::nullopt;
}

bool Decoding::checkName(QStringView name)
{
    QString problem = metricNameProblem(name);
    if (problem.isEmpty())
        return true;
    return fail(BadInput::BadMetricName, std::move(problem));
}

bool Decoding::append(QString &&name, Value &&value, qint64 timeNs)
{
    if (m_result.samples.size() >= PayloadDecoder::MaxSamples)
        return fail(BadInput::TooManyValues, u"more than %1 values in one payload"_s.arg(PayloadDecoder::MaxSamples));
    m_result.samples.append(Sample{std::move(name), std::move(value), timeNs});
    return true;
}

bool Decoding::failJsonParse(const QByteArray &payload, const QJsonParseError &error)
{
    if (error.error == QJsonParseError::IllegalNumber && isNonFiniteNumberAt(payload, error.offset))
        return fail(BadInput::NonFinite, u"JSON number at offset %1 is NaN or infinite"_s.arg(error.offset));
    // A top-level scalar is well-formed JSON, just not a container; wrapping can only help if no container opens.
    const qsizetype first = firstSignificantByte(payload);
    if (first < payload.size() && payload[first] != '{' && payload[first] != '[' && isJsonScalar(payload))
        return fail(BadInput::NotAnObject, u"JSON payload is a single scalar, not an object"_s);
    return fail(BadInput::MalformedJson,
                u"JSON parse error at offset %1: %2"_s.arg(error.offset).arg(error.errorString()));
}

bool Decoding::decodeJson(const QByteArray &payload, PayloadFormat format)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &error);
    if (error.error != QJsonParseError::NoError)
        return failJsonParse(payload, error);
    if (format == PayloadFormat::SenmlJson) {
        if (!document.isArray())
            return fail(BadInput::NotAnObject, u"SenML JSON must be an array of records, got an object"_s);
        return decodeSenmlJson(document.array());
    }
    if (!document.isObject())
        return fail(BadInput::NotAnObject, u"expected a JSON object, got an array"_s);
    return decodeFlatJson(document.object());
}

bool Decoding::jsonTime(const QJsonValue &json, qint64 &outNs)
{
    std::optional<qint64> ns;
    if (json.isDouble()) {
        const std::optional<Value> number = valueFromJson(json);
        if (!number)
            return fail(BadInput::NonFinite, u"\"ts\" is not finite"_s);
        if (const auto *integer = std::get_if<qint64>(&*number))
            ns = epochNsFromMs(*integer);
        else
            ns = epochNsFromMs(std::get<double>(*number));
    } else if (json.isString()) {
        ns = epochNsFromIso(json.toString());
        if (!ns)
            return fail(BadInput::BadValue, u"\"ts\" is not an ISO-8601 time between 1970 and 2261"_s);
    } else {
        return fail(BadInput::BadValue,
                    u"\"ts\" must be milliseconds or an ISO-8601 string, got %1"_s.arg(jsonTypeName(json)));
    }
    if (!ns)
        return fail(BadInput::BadValue, u"\"ts\" is outside 1970 to 2261"_s);
    outNs = *ns;
    return true;
}

bool Decoding::jsonScalar(const QString &name, const QJsonValue &json, Value &out)
{
    switch (json.type()) {
    case QJsonValue::Bool:
    case QJsonValue::Double:
    case QJsonValue::String:
        break;
    default:
        return fail(BadInput::BadValue,
                    u"metric \"%1\" has a %2 value; only numbers, booleans and strings are allowed"_s.arg(
                        name, jsonTypeName(json)));
    }
    std::optional<Value> value = valueFromJson(json);
    if (!value)
        return fail(BadInput::NonFinite, u"metric \"%1\" is not finite"_s.arg(name));
    out = std::move(*value);
    return true;
}

bool Decoding::decodeFlatJson(const QJsonObject &object)
{
    // Looking "ts" up first lets every sample get its final time in the one pass below.
    std::optional<qint64> deviceTime;
    const auto tsIt = object.constFind("ts"_L1);
    if (tsIt != object.constEnd() && !tsIt->isNull()) {
        qint64 ns = 0;
        if (!jsonTime(*tsIt, ns))
            return false;
        deviceTime = ns;
    }
    const qint64 timeNs = deviceTime.value_or(m_receivedAtNs);

    m_result.samples.reserve(qMin<qsizetype>(object.size(), PayloadDecoder::MaxSamples));
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QJsonValue json = it.value();
        if (json.isNull())
            continue;
        QString name = it.key();
        if (name == u"ts")
            continue;
        if (!checkName(name))
            return false;
        Value value;
        if (!jsonScalar(name, json, value))
            return false;
        if (!append(std::move(name), std::move(value), timeNs))
            return false;
    }
    m_result.hasDeviceTime = deviceTime.has_value() && !m_result.samples.isEmpty();
    return true;
}

bool Decoding::decodeCbor(const QByteArray &payload, PayloadFormat format)
{
    if (cborNestsDeeperThan(payload))
        return fail(BadInput::BadValue, u"CBOR nests deeper than %1 levels"_s.arg(MaxCborDepth));
    QCborParserError error;
    QCborValue root = QCborValue::fromCbor(payload, &error);
    if (error.error != QCborError::NoError) {
        // root must not be touched here: Qt 6.4 can return a half-built string that crashes when read.
        if (format == PayloadFormat::Auto && isJsonScalar(payload))
            return fail(BadInput::NotAnObject, u"JSON payload is a single scalar, not an object"_s);
        return fail(BadInput::MalformedCbor,
                    u"CBOR parse error at offset %1: %2"_s.arg(error.offset).arg(error.errorString()));
    }
    if (error.offset != payload.size()) {
        // Text such as `42` or `"on"` reads as a small CBOR integer followed by junk.
        if (format == PayloadFormat::Auto && isJsonScalar(payload))
            return fail(BadInput::NotAnObject, u"JSON payload is a single scalar, not an object"_s);
        return fail(BadInput::MalformedCbor,
                    u"%1 trailing bytes after the CBOR item ending at offset %2"_s.arg(payload.size() - error.offset)
                        .arg(error.offset));
    }
    if (holdsMinusTwoPow64(payload))
        return fail(BadInput::BadValue, u"CBOR integer -2^64 cannot be represented"_s);
    // RFC 8949 §3.4.6: the self-described CBOR tag is a magic number, not a meaning.
    if (root.isTag() && root.tag() == QCborTag(QCborKnownTags::Signature))
        root = root.taggedValue();

    if (root.isMap()) {
        if (format == PayloadFormat::SenmlCbor)
            return fail(BadInput::NotAnObject, u"SenML CBOR must be an array of records, got a map"_s);
        return decodeFlatCbor(root.toMap());
    }
    if (root.isArray()) {
        if (format == PayloadFormat::Cbor)
            return fail(BadInput::NotAnObject, u"expected a CBOR map, got an array"_s);
        return decodeSenmlCbor(root.toArray());
    }
    return fail(BadInput::NotAnObject, u"CBOR payload is a %1, not a map"_s.arg(cborTypeName(root)));
}

bool Decoding::cborTime(const QCborValue &cbor, qint64 &outNs)
{
    std::optional<qint64> ns;
    switch (cbor.type()) {
    case QCborValue::Integer:
        ns = epochNsFromMs(cbor.toInteger());
        break;
    case QCborValue::Double:
        if (!std::isfinite(cbor.toDouble()))
            return fail(BadInput::NonFinite, u"\"ts\" is not finite"_s);
        ns = epochNsFromMs(cbor.toDouble());
        break;
    case QCborValue::DateTime: // tags 0 and 1, already converted by Qt (to the millisecond)
        ns = epochNsFromMs(cbor.toDateTime().toMSecsSinceEpoch());
        break;
    case QCborValue::String:
        ns = epochNsFromIso(cbor.toString());
        break;
    default:
        return fail(
            BadInput::BadValue,
            u"\"ts\" must be milliseconds, a tag 0/1 time or an ISO-8601 string, got a %1"_s.arg(cborTypeName(cbor)));
    }
    if (!ns)
        return fail(BadInput::BadValue, u"\"ts\" is not a valid time between 1970 and 2261"_s);
    outNs = *ns;
    return true;
}

bool Decoding::cborScalar(const QString &name, const QCborValue &cbor, Value &out)
{
    switch (cbor.type()) {
    case QCborValue::Integer:
        out = cbor.toInteger();
        return true;
    case QCborValue::Double: {
        const double d = cbor.toDouble();
        if (!std::isfinite(d))
            return fail(BadInput::NonFinite, u"metric \"%1\" is not finite"_s.arg(name));
        out = d;
        return true;
    }
    case QCborValue::False:
    case QCborValue::True:
        out = cbor.isTrue();
        return true;
    case QCborValue::String:
        out = cbor.toString();
        return true;
    default:
        return fail(BadInput::BadValue,
                    u"metric \"%1\" has a %2 value; only numbers, booleans and text strings are allowed"_s.arg(
                        name, cborTypeName(cbor)));
    }
}

bool Decoding::appendKeepingLast(QString &&name, Value &&value, QHash<QString, qsizetype> &index)
{
    // CBOR maps may repeat a key (Qt keeps every entry); the last one wins, as it does for JSON.
    QList<Sample> &samples = m_result.samples;
    qsizetype existing = -1;
    if (samples.size() <= LinearDuplicateScanLimit) {
        for (qsizetype i = 0; i < samples.size(); ++i) {
            if (samples.at(i).name == name) {
                existing = i;
                break;
            }
        }
    } else {
        if (index.isEmpty()) {
            for (qsizetype i = 0; i < samples.size(); ++i)
                index.insert(samples.at(i).name, i);
        }
        existing = index.value(name, -1);
    }
    if (existing >= 0) {
        samples[existing].value = std::move(value);
        return true;
    }
    if (!index.isEmpty())
        index.insert(name, samples.size());
    return append(std::move(name), std::move(value), m_receivedAtNs);
}

bool Decoding::decodeFlatCbor(const QCborMap &map)
{
    std::optional<qint64> deviceTime;
    QHash<QString, qsizetype> index;
    m_result.samples.reserve(qMin<qsizetype>(map.size(), PayloadDecoder::MaxSamples));
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        const QCborValue key = it.key();
        if (!key.isString())
            return fail(BadInput::BadValue, u"CBOR map key is a %1, not a text string"_s.arg(cborTypeName(key)));
        const QCborValue cbor = it.value();
        if (cbor.isNull() || cbor.isUndefined())
            continue;
        QString name = key.toString();
        if (name == u"ts") {
            // Unlike JSON the map may hold "ts" more than once, so it is read in order and applied afterwards.
            qint64 ns = 0;
            if (!cborTime(cbor, ns))
                return false;
            deviceTime = ns;
            continue;
        }
        if (!checkName(name))
            return false;
        Value value;
        if (!cborScalar(name, cbor, value))
            return false;
        if (!appendKeepingLast(std::move(name), std::move(value), index))
            return false;
    }
    if (deviceTime && !m_result.samples.isEmpty()) {
        for (Sample &sample : m_result.samples)
            sample.timeNs = *deviceTime;
        m_result.hasDeviceTime = true;
    }
    return true;
}

} // namespace decoding

using decoding::Decoding;
using decoding::firstSignificantByte;

PayloadDecoder::PayloadDecoder(qsizetype maxPayloadBytes)
    : m_maxPayloadBytes(maxPayloadBytes)
{
}

DecodeResult PayloadDecoder::decode(const QByteArray &payload, PayloadFormat format, qint64 receivedAtNs) const
{
    Decoding decoding(receivedAtNs);
    if (payload.isEmpty()) {
        decoding.fail(BadInput::Empty, u"empty payload"_s);
        return decoding.take();
    }
    if (payload.size() > m_maxPayloadBytes) {
        decoding.fail(BadInput::TooLarge,
                      u"payload of %1 bytes exceeds the limit of %2"_s.arg(payload.size()).arg(m_maxPayloadBytes));
        return decoding.take();
    }

    switch (format) {
    case PayloadFormat::Auto: {
        const qsizetype first = firstSignificantByte(payload);
        if (first == payload.size())
            decoding.fail(BadInput::MalformedJson, u"payload holds only whitespace"_s);
        else if (payload[first] == '{')
            decoding.decodeJson(payload, PayloadFormat::Json);
        else if (payload[first] == '[')
            decoding.decodeJson(payload, PayloadFormat::SenmlJson);
        else
            decoding.decodeCbor(payload, PayloadFormat::Auto);
        break;
    }
    case PayloadFormat::Json:
    case PayloadFormat::SenmlJson:
        decoding.decodeJson(payload, format);
        break;
    case PayloadFormat::Cbor:
    case PayloadFormat::SenmlCbor:
        decoding.decodeCbor(payload, format);
        break;
    }
    return decoding.take();
}

} // namespace edgegate
