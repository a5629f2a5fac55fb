// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/influx/influxline.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <type_traits>

using namespace Qt::StringLiterals;

namespace edgegate {

namespace {

enum class Part { Measurement, Key };

// InfluxDB 1.x (checked against influxd 1.6.7) has no escape for a backslash in measurements,
// keys and tag values: a backslash is literal unless a comma, space or equals sign follows it.
// That gives these rules:
// - A backslash right before a comma, space or equals sign cannot be carried: in tags `a\\,b`
//   comes back as `a\,b`, but measurements and field keys are unescaped twice (`m a\\,b` comes
//   back as `m a,b`, `f\\,b=1` is refused as "invalid field format", and `a\\\,b` is stored but
//   then found by no query), and a trailing backslash escapes the delimiter that ends the part
//   (`t=ab\\ f=1` is refused as "invalid tag format"). Such a backslash becomes U+FF3C FULLWIDTH
//   REVERSE SOLIDUS, which looks the same and is no escape. Other backslashes stay literal.
// - A raw newline ends the line, and `\` followed by a newline is accepted but stored with the
//   backslash, so a newline becomes the two characters `\n` (a literal backslash and `n`).
// - The server treats a line starting with `#` as a comment and answers 204 while dropping the
//   point, and `\#` is stored with the backslash, so a leading `#` becomes U+FF03.
// - Leading tabs, CRs, vertical tabs and form feeds are trimmed off the line by the server, so
//   a measurement starting with one of them starts with a (escaped) space instead.
// Other characters (tabs and CRs inside a part, any Unicode) are carried as they are.
QString carried(const QString &text, Part part)
{
    QString s = text;
    s.replace(u'\n', R"(\n)"_L1);
    if (part == Part::Measurement && !s.isEmpty()) {
        const QChar first = s.front();
        if (first == u'#')
            s.front() = QChar(0xFF03);
        else if (first == u'\t' || first == u'\r' || first == u'\v' || first == u'\f')
            s.front() = u' ';
    }
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s.at(i) != u'\\')
            continue;
        const QChar next = i + 1 < s.size() ? s.at(i + 1) : u',';
        if (next == u',' || next == u' ' || next == u'=')
            s[i] = QChar(0xFF3C);
    }
    return s;
}

void appendEscaped(QByteArray &out, const QString &text, Part part)
{
    const QByteArray utf8 = carried(text, part).toUtf8();
    for (const char c : utf8) {
        if (c == ',' || c == ' ' || (part == Part::Key && c == '='))
            out += '\\';
        out += c;
    }
}

// Inside double quotes only a backslash and a double quote need escaping; the server keeps
// newlines and CRs in string values as they are.
void appendQuoted(QByteArray &out, const QString &text)
{
    out += '"';
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

// The protocol cannot carry NaN or infinity; false means the field is to be skipped.
bool appendValue(QByteArray &out, const Value &value)
{
    return std::visit(
        [&out](const auto &v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, double>) {
                if (!std::isfinite(v))
                    return false;
                // Shortest text that reads back as the same double; a number without the `i`
                // suffix is a float in line protocol, so `1` stays a float.
                std::array<char, 32> buffer{};
                const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
                out.append(buffer.data(), result.ptr - buffer.data());
            } else if constexpr (std::is_same_v<T, qint64>) {
                out += QByteArray::number(v);
                out += 'i';
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else {
                appendQuoted(out, v);
            }
            return true;
        },
        value);
}

// The server rejects a whole point whose tag or field key is `time`.
bool isWritableKey(const QString &key)
{
    return !key.isEmpty() && key != "time"_L1;
}

// Where the series of a line ends: the first space no backslash escapes.
qsizetype seriesEnd(QByteArrayView line)
{
    for (qsizetype i = 0; i < line.size(); ++i) {
        if (line[i] == '\\')
            ++i;
        else if (line[i] == ' ')
            return i;
    }
    return -1;
}

// The field keys of a field set as influxLine() writes it (`k=1,s="a,b",k\ 2=true`).
QList<QByteArrayView> fieldKeys(QByteArrayView fields)
{
    QList<QByteArrayView> keys;
    qsizetype i = 0;
    while (i < fields.size()) {
        const qsizetype keyStart = i;
        while (i < fields.size() && fields[i] != '=')
            i += fields[i] == '\\' ? 2 : 1;
        keys.append(fields.sliced(keyStart, std::min(i, fields.size()) - keyStart));
        ++i; // '='
        if (i < fields.size() && fields[i] == '"') {
            for (++i; i < fields.size() && fields[i] != '"'; ++i) {
                if (fields[i] == '\\')
                    ++i;
            }
            ++i; // the closing quote
        }
        while (i < fields.size() && fields[i] != ',')
            ++i;
        ++i; // ','
    }
    return keys;
}

} // namespace

QByteArray influxLine(const QString &measurement, const QList<std::pair<QString, QString>> &tags,
                      const QList<Sample> &fields, qint64 timestampNs)
{
    if (measurement.isEmpty())
        return {};

    QByteArray fieldSet;
    for (const Sample &field : fields) {
        if (!isWritableKey(field.name))
            continue;
        QByteArray one;
        appendEscaped(one, field.name, Part::Key);
        one += '=';
        if (!appendValue(one, field.value))
            continue;
        if (!fieldSet.isEmpty())
            fieldSet += ',';
        fieldSet += one;
    }
    if (fieldSet.isEmpty())
        return {};

    // Sorted by the UTF-8 bytes of the key, the order the server keeps them in; a later
    // duplicate key replaces an earlier one since the server refuses duplicates.
    QList<std::pair<QByteArray, QString>> sorted;
    for (const auto &[key, value] : tags) {
        if (!isWritableKey(key) || value.isEmpty())
            continue;
        // After substitution, so two keys that become the same are not written twice (carried()
        // leaves its own output unchanged, so escaping it again below is harmless).
        const QByteArray utf8 = carried(key, Part::Key).toUtf8();
        const auto same
            = std::find_if(sorted.begin(), sorted.end(), [&utf8](const auto &t) { return t.first == utf8; });
        if (same != sorted.end())
            same->second = value;
        else
            sorted.append({utf8, value});
    }
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.first < b.first; });

    QByteArray line;
    appendEscaped(line, measurement, Part::Measurement);
    for (const auto &[key, value] : std::as_const(sorted)) {
        line += ',';
        appendEscaped(line, QString::fromUtf8(key), Part::Key);
        line += '=';
        appendEscaped(line, value, Part::Key);
    }
    line += ' ';
    line += fieldSet;
    line += ' ';
    line += QByteArray::number(timestampNs);
    return line;
}

QByteArray influxLines(const Envelope &envelope, const QString &measurement,
                       const QList<std::pair<QString, QString>> &tags)
{
    QList<qint64> times;
    for (const Sample &sample : envelope.samples) {
        if (!times.contains(sample.timeNs))
            times.append(sample.timeNs);
    }
    QByteArray body;
    for (const qint64 timeNs : std::as_const(times)) {
        QList<Sample> fields;
        for (const Sample &sample : envelope.samples) {
            if (sample.timeNs == timeNs)
                fields.append(sample);
        }
        const QByteArray line = influxLine(measurement, tags, fields, timeNs);
        if (line.isEmpty())
            continue;
        body += line;
        body += '\n';
    }
    return body;
}

qsizetype influxOverwrites(const QList<QByteArrayView> &lines)
{
    // Per series and time: the first line, and once a second one comes, the field keys written so far.
    // Field sets are read only for the rare lines that share their series and time with another.
    struct Point
    {
        QByteArrayView first;
        QSet<QByteArrayView> keys;
        bool read = false;
    };
    QHash<std::pair<QByteArrayView, QByteArrayView>, Point> points;
    points.reserve(lines.size());
    const auto fieldsOf = [](QByteArrayView line, qsizetype series) {
        return fieldKeys(line.sliced(series + 1, line.lastIndexOf(' ') - series - 1));
    };
    qsizetype overwrites = 0;
    for (const QByteArrayView line : lines) {
        const qsizetype series = seriesEnd(line);
        const qsizetype timeStart = line.lastIndexOf(' ');
        if (series < 0 || timeStart <= series)
            continue;
        Point &point = points[{line.first(series), line.sliced(timeStart + 1)}];
        if (point.first.isNull()) {
            point.first = line;
            continue;
        }
        if (!point.read) {
            for (const QByteArrayView key : fieldsOf(point.first, series))
                point.keys.insert(key);
            point.read = true;
        }
        bool replaces = false;
        for (const QByteArrayView key : fieldsOf(line, series)) {
            replaces = replaces || point.keys.contains(key);
            point.keys.insert(key);
        }
        if (replaces)
            ++overwrites;
    }
    return overwrites;
}

} // namespace edgegate
