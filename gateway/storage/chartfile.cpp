// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/chartfile.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/telemetryhistory.h"
#include "gateway/core/ingest/payloaddecoder.h"
#include "shared/deviceid.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCharts, "edgegate.charts")

namespace {

constexpr char Magic[8] = {'E', 'G', 'C', 'H', 'A', 'R', 'T', '1'};
constexpr qint64 HeaderBytes = 64;
constexpr qint64 FrameHeaderBytes = 16;
constexpr qint64 CellBytes = 8;
constexpr qint64 MaxIndexBytes = 64LL * 1024 * 1024;
constexpr qint64 MinIndexCompactBytes = 1024 * 1024;

/// The file header: magic, frames, capacity, bucket length, high water.
struct Header
{
    char magic[8];
    quint32 frames;
    quint32 capacity;
    qint64 bucketMs;
    quint32 highWater;
    char reserved[HeaderBytes - 8 - 4 - 4 - 8 - 4];
};
static_assert(sizeof(Header) == HeaderBytes);
constexpr qint64 HighWaterOffset = offsetof(Header, highWater);

int frameOf(qint64 bucket)
{
    const qint64 frame = bucket % ChartStore::Frames;
    return int(frame < 0 ? frame + ChartStore::Frames : frame);
}

qint64 fullRead(int fd, void *buffer, qint64 bytes, qint64 offset)
{
    qint64 done = 0;
    while (done < bytes) {
        const ssize_t n = ::pread(fd, static_cast<char *>(buffer) + done, size_t(bytes - done), offset + done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : done;
        done += n;
    }
    return done;
}

qint64 fullWrite(int fd, const void *buffer, qint64 bytes, qint64 offset)
{
    qint64 done = 0;
    while (done < bytes) {
        const ssize_t n = ::pwrite(fd, static_cast<const char *>(buffer) + done, size_t(bytes - done), offset + done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += n;
    }
    return done;
}

QByteArray indexLine(const ChartStore::Series &s)
{
    QJsonObject o{{u"s"_s, s.slot}, {u"d"_s, s.deviceId}, {u"m"_s, s.metric}};
    if (s.sinceBucket != ChartStore::NoBucket)
        o.insert(u"b"_s, double(s.sinceBucket));
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

ChartFile::ChartFile(int capacity, Metrics &metrics)
    : m_capacity(std::max(capacity, 1))
    , m_failures(metrics.counter(u"edgegate_chart_write_failures_total"_s,
                                 u"Writes of chart history to data_dir that failed (the charts have a gap)."_s))
{
    m_frames.fill(NoBucket);
}

ChartFile::~ChartFile()
{
    if (m_data >= 0)
        ::close(m_data);
    if (m_index >= 0)
        ::close(m_index);
}

bool ChartFile::open(const QString &dir, QString *error)
{
    if (!QDir().mkpath(dir)) {
        *error = u"cannot make "_s + dir;
        return false;
    }
    const QString data = dir + u"/charts.dat"_s;
    const QString index = dir + u"/charts.idx"_s;
    if (!openData(data, error))
        return false;
    if (m_highWater == 0)
        QFile::remove(index); // a new data file: whatever the index says is gone
    return openIndex(index, error);
}

bool ChartFile::openData(const QString &path, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    m_data = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_data < 0) {
        *error = u"cannot open %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    const qint64 frameBytes = FrameHeaderBytes + qint64(m_capacity) * CellBytes;
    Header header{};
    const bool fits = fullRead(m_data, &header, HeaderBytes, 0) == HeaderBytes
        && std::memcmp(header.magic, Magic, sizeof Magic) == 0 && header.frames == quint32(Frames)
        && header.capacity == quint32(m_capacity) && header.bucketMs == TelemetryHistory::BucketMs
        && header.highWater <= quint32(m_capacity);
    if (fits) {
        m_highWater = int(header.highWater);
        for (int f = 0; f < Frames; ++f) {
            qint64 bucket = NoBucket;
            if (fullRead(m_data, &bucket, sizeof bucket, HeaderBytes + f * frameBytes) == sizeof bucket)
                m_frames[size_t(f)] = bucket;
        }
        return true;
    }
    if (::lseek(m_data, 0, SEEK_END) > 0)
        qCWarning(lcCharts).noquote() << path << "has another layout or capacity: the chart history starts afresh";
    std::memcpy(header.magic, Magic, sizeof Magic);
    header.frames = Frames;
    header.capacity = quint32(m_capacity);
    header.bucketMs = TelemetryHistory::BucketMs;
    header.highWater = 0;
    std::memset(header.reserved, 0, sizeof header.reserved);
    // Every frame starts empty; the cells are holes until written.
    if (::ftruncate(m_data, 0) != 0 || ::ftruncate(m_data, HeaderBytes + Frames * frameBytes) != 0
        || fullWrite(m_data, &header, HeaderBytes, 0) != HeaderBytes) {
        *error = u"cannot write %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    for (int f = 0; f < Frames; ++f) {
        const qint64 none = NoBucket;
        if (fullWrite(m_data, &none, sizeof none, HeaderBytes + f * frameBytes) != sizeof none) {
            *error = u"cannot write %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
    }
    m_frames.fill(NoBucket);
    m_highWater = 0;
    return true;
}

bool ChartFile::openIndex(const QString &path, QString *error)
{
    m_series.clear();
    QFile in(path);
    if (in.open(QIODevice::ReadOnly)) {
        if (in.size() > MaxIndexBytes) {
            qCWarning(lcCharts).noquote() << path << "is larger than" << MaxIndexBytes << "bytes: it is not read";
        } else {
            int skipped = 0;
            while (!in.atEnd()) {
                const QJsonObject o = QJsonDocument::fromJson(in.readLine(4096)).object();
                const int slot = o.value(u"s"_s).toInt(-1);
                if (slot < 0 || slot >= m_capacity) {
                    ++skipped;
                    continue;
                }
                if (!o.contains(u"d"_s)) {
                    m_series.remove(slot);
                    continue;
                }
                Series s{o.value(u"d"_s).toString(), o.value(u"m"_s).toString(), slot,
                         o.contains(u"b"_s) ? qint64(o.value(u"b"_s).toDouble()) : NoBucket};
                if (!isValidDeviceId(s.deviceId) || s.metric.isEmpty()
                    || s.metric.size() > PayloadDecoder::MaxMetricNameLength) {
                    ++skipped;
                    continue;
                }
                m_series.insert(slot, s);
            }
            if (skipped > 0)
                qCWarning(lcCharts).noquote() << path << "has" << skipped << "lines that are not series: left out";
        }
        in.close();
    }
    m_indexPath = path;
    if (!compactIndex()) {
        *error = u"cannot open %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

bool ChartFile::compactIndex()
{
    // What is live, once; appended to from here.
    QSaveFile out(m_indexPath);
    m_indexBytes = 0;
    if (out.open(QIODevice::WriteOnly)) {
        for (const Series &s : std::as_const(m_series)) {
            const QByteArray line = indexLine(s);
            out.write(line);
            m_indexBytes += line.size();
        }
        out.commit();
    }
    m_liveIndexBytes = m_indexBytes;
    if (m_index >= 0)
        ::close(m_index);
    const QByteArray native = QFile::encodeName(m_indexPath);
    m_index = ::open(native.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    return m_index >= 0;
}

bool ChartFile::written(qint64 result, qint64 expected, const char *what) const
{
    if (result == expected)
        return true;
    m_failures.inc();
    if (const auto suppressed = m_warnings.allow(QString::fromLatin1(what))) {
        qCWarning(lcCharts).noquote() << "cannot write the chart history (" << what
                                      << "):" << QString::fromLocal8Bit(std::strerror(errno)) << moreSince(*suppressed);
    }
    return false;
}

void ChartFile::appendIndex(const QByteArray &line)
{
    // Series that come and go (devices evicted and back, removed, new) would grow the log without end:
    // past four times what was live at the last compaction (and a floor), it is written anew.
    if (m_indexBytes + line.size() > std::max(MinIndexCompactBytes, 4 * m_liveIndexBytes)) {
        if (!compactIndex())
            written(-1, line.size(), "index");
        if (m_index < 0)
            return;
    }
    if (written(m_index < 0 ? -1 : qint64(::write(m_index, line.constData(), size_t(line.size()))), line.size(),
                "index"))
        m_indexBytes += line.size();
}

void ChartFile::assign(const Series &series)
{
    m_series.insert(series.slot, series);
    appendIndex(indexLine(series));
}

void ChartFile::release(int slot)
{
    if (m_series.remove(slot) > 0)
        appendIndex(QJsonDocument(QJsonObject{{u"s"_s, slot}}).toJson(QJsonDocument::Compact) + '\n');
}

qint64 ChartFile::frameOffset(qint64 bucket) const
{
    return HeaderBytes + frameOf(bucket) * (FrameHeaderBytes + qint64(m_capacity) * CellBytes);
}

void ChartFile::raiseHighWater(int count)
{
    if (count <= m_highWater)
        return;
    m_highWater = std::min(count, m_capacity);
    const quint32 value = quint32(m_highWater);
    written(fullWrite(m_data, &value, sizeof value, HighWaterOffset), sizeof value, "header");
}

void ChartFile::writeFrame(qint64 bucket, const std::vector<Cell> &cells)
{
    const int count = std::min<int>(int(cells.size()), m_capacity);
    raiseHighWater(count);
    // Slots below the high water that `cells` does not reach are written empty: the frame is this bucket's alone.
    QByteArray frame(FrameHeaderBytes + qint64(m_highWater) * CellBytes, '\0');
    std::memcpy(frame.data(), &bucket, sizeof bucket);
    for (int slot = 0; slot < count; ++slot)
        std::memcpy(frame.data() + FrameHeaderBytes + slot * CellBytes, &cells[size_t(slot)], CellBytes);
    if (written(fullWrite(m_data, frame.constData(), frame.size(), frameOffset(bucket)), frame.size(), "frame"))
        m_frames[size_t(frameOf(bucket))] = bucket;
}

std::vector<ChartStore::Cell> ChartFile::readFrame(qint64 bucket, int count) const
{
    std::vector<Cell> cells(size_t(std::clamp(count, 0, m_capacity)));
    if (m_frames[size_t(frameOf(bucket))] != bucket || cells.empty())
        return cells;
    const qint64 bytes = qint64(cells.size()) * CellBytes;
    if (fullRead(m_data, cells.data(), bytes, frameOffset(bucket) + FrameHeaderBytes) != bytes)
        std::fill(cells.begin(), cells.end(), Cell{});
    return cells;
}

ChartStore::Cell ChartFile::readCell(qint64 bucket, int slot) const
{
    Cell cell;
    if (slot < 0 || slot >= m_highWater || m_frames[size_t(frameOf(bucket))] != bucket)
        return cell;
    if (fullRead(m_data, &cell, CellBytes, frameOffset(bucket) + FrameHeaderBytes + slot * CellBytes) != CellBytes)
        return Cell{};
    return cell;
}

void ChartFile::writeCell(qint64 bucket, int slot, const Cell &cell)
{
    if (slot < 0 || slot >= m_capacity)
        return;
    if (m_frames[size_t(frameOf(bucket))] != bucket) {
        // The frame held an older bucket: it is emptied for this one first.
        std::vector<Cell> none(size_t(std::max(m_highWater, slot + 1)));
        none[size_t(slot)] = cell;
        writeFrame(bucket, none);
        return;
    }
    raiseHighWater(slot + 1);
    written(fullWrite(m_data, &cell, CellBytes, frameOffset(bucket) + FrameHeaderBytes + slot * CellBytes), CellBytes,
            "cell");
}

} // namespace edgegate
