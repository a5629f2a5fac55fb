// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/telemetryhistory.h"

#include "gateway/core/common/heapestimate.h"
#include "gateway/core/ingest/receiveclock.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgegate {

namespace {

constexpr qint64 NoBucket = ChartStore::NoBucket;

qint64 bucketOf(qint64 timeMs)
{
    // Floor, not truncation, so times before the epoch land in the right bucket too.
    qint64 bucket = timeMs / TelemetryHistory::BucketMs;
    if (timeMs % TelemetryHistory::BucketMs < 0)
        --bucket;
    return bucket;
}

ChartStore::Cell merged(ChartStore::Cell cell, double value)
{
    const double count = double(cell.count) + 1.0;
    cell.mean = float(double(cell.mean) + (value - double(cell.mean)) / count);
    ++cell.count;
    return cell;
}

} // namespace

TelemetryHistory::TelemetryHistory(ChartStore &store)
    : m_store(store)
    , m_openBucket(NoBucket)
{
}

void TelemetryHistory::load()
{
    m_devices.clear();
    const int highWater = m_store.highWater();
    std::vector<bool> used(size_t(highWater), false);
    m_seriesCount = 0;
    for (const ChartStore::Series &s : m_store.series()) {
        m_devices[s.deviceId].push_back(Series{s.metric, s.slot, s.sinceBucket});
        if (s.slot < highWater)
            used[size_t(s.slot)] = true;
        ++m_seriesCount;
    }
    m_freeSlots.clear();
    for (int slot = highWater - 1; slot >= 0; --slot) {
        if (!used[size_t(slot)])
            m_freeSlots.push_back(slot);
    }
    m_nextSlot = highWater;
    m_openBucket = NoBucket;
    for (int frame = 0; frame < Buckets; ++frame)
        m_openBucket = std::max(m_openBucket, m_store.frameBucket(frame));
    m_open.assign(size_t(highWater), Open{});
    if (m_openBucket == NoBucket)
        return;
    const std::vector<ChartStore::Cell> cells = m_store.readFrame(m_openBucket, highWater);
    for (size_t slot = 0; slot < cells.size(); ++slot)
        m_open[slot] = Open{double(cells[slot].mean) * cells[slot].count, cells[slot].count};
}

void TelemetryHistory::add(const Envelope &envelope)
{
    for (const Sample &sample : envelope.samples) {
        const auto *flag = std::get_if<bool>(&sample.value);
        const std::optional<double> value = flag ? std::optional(*flag ? 1.0 : 0.0) : numericValue(sample.value);
        if (value)
            add(envelope.deviceId, sample.name, msFromNs(sample.timeNs), *value, msFromNs(envelope.receivedAtNs));
    }
}

const TelemetryHistory::Series *TelemetryHistory::seriesOf(const QString &deviceId, const QString &metric)
{
    DeviceSeries &device = m_devices[deviceId];
    for (const Series &s : device) {
        if (s.metric == metric)
            return &s;
    }
    if (device.size() >= MaxMetrics) {
        return nullptr;
    }
    int slot = -1;
    qint64 since = NoBucket;
    if (!m_freeSlots.empty()) {
        // Its cells in earlier buckets were another series'.
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
        since = m_openBucket;
    } else if (m_nextSlot < m_store.capacity()) {
        slot = m_nextSlot++;
    } else {
        if (device.empty())
            m_devices.remove(deviceId);
        return nullptr;
    }
    if (size_t(slot) >= m_open.size())
        m_open.resize(size_t(slot) + 1);
    m_store.assign(ChartStore::Series{deviceId, metric, slot, since});
    ++m_seriesCount;
    device.push_back(Series{metric, slot, since});
    return &device.back();
}

void TelemetryHistory::writeOpen()
{
    if (m_openBucket == NoBucket)
        return;
    std::vector<ChartStore::Cell> cells(m_open.size());
    for (size_t slot = 0; slot < m_open.size(); ++slot) {
        if (const Open &o = m_open[slot]; o.count > 0)
            cells[slot] = ChartStore::Cell{float(o.sum / o.count), o.count};
    }
    m_store.writeFrame(m_openBucket, cells);
}

void TelemetryHistory::startBucket(qint64 bucket)
{
    writeOpen();
    std::fill(m_open.begin(), m_open.end(), Open{});
    m_openBucket = bucket;
}

void TelemetryHistory::add(const QString &deviceId, const QString &metric, qint64 timeMs, double value, qint64 nowMs)
{
    if (timeMs > nowMs + BucketMs)
        timeMs = nowMs;
    if (!std::isfinite(value))
        return;
    const qint64 bucket = bucketOf(timeMs);
    if (m_openBucket != NoBucket && bucket <= m_openBucket - Buckets)
        return; // before the hour kept
    const Series *series = seriesOf(deviceId, metric);
    if (!series)
        return;
    if (m_openBucket == NoBucket || bucket > m_openBucket)
        startBucket(bucket);
    if (bucket == m_openBucket) {
        Open &open = m_open[size_t(series->slot)];
        open.sum += value;
        ++open.count;
        return;
    }
    if (bucket < series->sinceBucket)
        return; // the slot's past belongs to the series that held it before
    m_store.writeCell(bucket, series->slot, merged(m_store.readCell(bucket, series->slot), value));
}

void TelemetryHistory::removeDevice(const QString &deviceId)
{
    const auto it = m_devices.constFind(deviceId);
    if (it == m_devices.cend())
        return;
    for (const Series &s : *it) {
        m_open[size_t(s.slot)] = {};
        m_store.release(s.slot);
        m_freeSlots.push_back(s.slot);
        --m_seriesCount;
    }
    m_devices.erase(it);
}

void TelemetryHistory::flush()
{
    writeOpen();
}

qsizetype TelemetryHistory::bytes(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    if (it == m_devices.cend())
        return 0;
    // Its share of the hash of devices, its list of series (as allocated) and the names; the open
    // bucket's cell is part of a list sized by slot, counted with the store's capacity, not here.
    constexpr qsizetype DeviceNodeBytes = 2 * (sizeof(QString) + sizeof(DeviceSeries)) + 2;
    qsizetype bytes = DeviceNodeBytes + heap::textBytes(deviceId);
    if (it->capacity() > 0)
        bytes += qsizetype(it->capacity() * sizeof(Series)) + heap::AllocationBytes;
    for (const Series &s : *it)
        bytes += heap::textBytes(s.metric);
    return bytes;
}

QMap<QString, QList<TelemetryHistory::Point>> TelemetryHistory::series(const QString &deviceId, qint64 sinceMs) const
{
    QMap<QString, QList<Point>> out;
    const auto device = m_devices.constFind(deviceId);
    if (device == m_devices.cend())
        return out;
    const qint64 firstWanted = bucketOf(sinceMs) + (sinceMs % BucketMs == 0 ? 0 : 1);
    for (const Series &s : *device) {
        QList<Point> points;
        if (m_openBucket != NoBucket) {
            const qint64 from = std::max({firstWanted, m_openBucket - Buckets + 1, s.sinceBucket});
            for (qint64 b = from; b < m_openBucket; ++b) {
                const ChartStore::Cell cell = m_store.readCell(b, s.slot);
                if (cell.count > 0)
                    points.append(Point{b * BucketMs, double(cell.mean)});
            }
            const Open &open = m_open[size_t(s.slot)];
            if (open.count > 0 && m_openBucket >= firstWanted)
                points.append(Point{m_openBucket * BucketMs, open.sum / open.count});
        }
        out.insert(s.metric, points);
    }
    return out;
}

} // namespace edgegate
