// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the InfluxDB line encoder on device-chosen names, tags and values. Whatever
// the text, each sample time gives at most one line, and no name, tag or key can start another.
#include "fuzzcheck.h"
#include "gateway/sinks/influx/influxline.h"

#include <QSet>

#include <cstdint>
#include <cstring>

using namespace edgegate;

namespace {

/// Reads the input as a few length-prefixed strings and numbers.
struct Reader
{
    const std::uint8_t *data;
    std::size_t size;

    [[nodiscard]] bool empty() const { return size == 0; }
    std::uint8_t byte()
    {
        if (size == 0)
            return 0;
        --size;
        return *data++;
    }
    QString text()
    {
        const std::size_t n = std::min<std::size_t>(byte() % 48, size);
        const QString out = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(n));
        data += n;
        size -= n;
        return out;
    }
    template<typename T> T raw()
    {
        T value{};
        const std::size_t n = std::min(sizeof value, size);
        std::memcpy(&value, data, n);
        data += n;
        size -= n;
        return value;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Reader in{data, size};
    const QString measurement = in.text();
    QList<std::pair<QString, QString>> tags;
    for (int i = in.byte() % 4; i > 0; --i)
        tags.append({in.text(), in.text()});
    Envelope envelope;
    envelope.deviceId = in.text();
    QSet<qint64> times;
    bool hasText = false;
    while (!in.empty() && envelope.samples.size() < 64) {
        Sample sample;
        sample.name = in.text();
        switch (in.byte() % 4) {
        case 0:
            sample.value = in.raw<double>();
            break;
        case 1:
            sample.value = in.raw<qint64>();
            break;
        case 2:
            sample.value = bool(in.byte() & 1);
            break;
        default:
            sample.value = in.text();
            hasText = true;
            break;
        }
        sample.timeNs = in.byte() % 3;
        times.insert(sample.timeNs);
        envelope.samples.append(sample);
    }
    const QByteArray body = influxLines(envelope, measurement, tags);
    if (body.isEmpty())
        return 0;
    check(body.endsWith('\n'));
    // Only string field values may carry a newline inside a line: without them, every newline ends one.
    if (!hasText) {
        const qsizetype lines = body.count('\n');
        check(lines >= 1 && lines <= times.size());
    }
    return 0;
}
