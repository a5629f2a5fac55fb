// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/mqtt/redeliveryfilter.h"

#include <algorithm>
#include <cstring>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr char Magic[8] = {'E', 'G', 'R', 'E', 'D', 'L', 'V', '2'};

} // namespace

RedeliveryFilter::RedeliveryFilter(QString path)
    : m_path(std::move(path))
{
    std::memcpy(m_memory.magic, Magic, sizeof Magic);
}

bool RedeliveryFilter::open(QString *error)
{
    if (m_path.isEmpty())
        return true;
    m_file.setFileName(m_path);
    if (!m_file.open(QIODevice::ReadWrite)) {
        *error = u"cannot open %1: %2"_s.arg(m_path, m_file.errorString());
        return false;
    }
    m_file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    bool fresh = m_file.size() != qint64(sizeof(Ring));
    if (fresh
        && (!m_file.resize(0) || m_file.write(QByteArray(qsizetype(sizeof(Ring)), '\0')) != qint64(sizeof(Ring))
            || !m_file.flush())) {
        *error = u"cannot write %1: %2"_s.arg(m_path, m_file.errorString());
        m_file.close();
        return false;
    }
    uchar *mapped = m_file.map(0, qint64(sizeof(Ring)));
    if (!mapped) {
        *error = u"cannot map %1: %2"_s.arg(m_path, m_file.errorString());
        m_file.close();
        return false;
    }
    m_ring = reinterpret_cast<Ring *>(mapped);
    // A file of another layout, or one cut short, holds nothing usable.
    fresh = fresh || std::memcmp(m_ring->magic, Magic, sizeof Magic) != 0 || m_ring->next >= Capacity
        || m_ring->count > Capacity || m_ring->reusesIds > 1;
    if (fresh) {
        std::memset(m_ring, 0, sizeof(Ring));
        std::memcpy(m_ring->magic, Magic, sizeof Magic);
    }
    return true;
}

const RedeliveryFilter::Slot &RedeliveryFilter::nthOldest(int n) const
{
    return m_ring->entries[(m_ring->next + Capacity - m_ring->count + quint32(n)) % Capacity];
}

void RedeliveryFilter::connected(bool sessionPresent)
{
    m_before.clear();
    m_runEnd = -1;
    m_runStored.clear();
    m_sinceConnect = 0;
    m_checking = false;
    if (!sessionPresent) {
        // A new session: its packet ids say nothing about the old one's.
        m_ring->next = 0;
        m_ring->count = 0;
        return;
    }
    if (!enabled())
        return;
    for (int n = 0; n < int(m_ring->count); ++n)
        m_before.append(nthOldest(n));
    m_checking = !m_before.isEmpty();
}

RedeliveryFilter::Verdict RedeliveryFilter::check(int mid, quint64 fingerprint)
{
    if (!m_checking)
        return Verdict::New;
    const auto matches = [&](const Slot &slot) { return slot.mid == quint32(mid) && slot.fingerprint == fingerprint; };
    int at = -1;
    if (m_runEnd < 0) {
        // A broker sends again what it sends again first: the first message decides whether a run starts.
        for (int i = int(m_before.size()) - 1; i >= 0 && at < 0; --i) {
            if (matches(m_before.at(i)))
                at = i;
        }
        if (at < 0) {
            m_checking = false;
            return Verdict::New;
        }
        m_runStored.clear();
    } else if (matches(m_before.at(m_runEnd + 1))) {
        at = m_runEnd + 1;
    } else {
        abandonRun();
        return Verdict::Broken;
    }
    m_runEnd = at;
    m_runStored.append(m_before.at(at).stored != 0);
    if (at + 1 < int(m_before.size()))
        return Verdict::Hold;
    // The run reached the last message remembered before the reconnect: a redelivery.
    m_checking = false;
    m_runEnd = -1;
    return Verdict::Redelivered;
}

void RedeliveryFilter::abandonRun()
{
    m_checking = false;
    m_runEnd = -1;
    m_runStored.clear();
}

int RedeliveryFilter::remember(int mid, quint64 fingerprint)
{
    if (m_ring->reusesIds == 0) {
        for (int n = 0; n < m_sinceConnect; ++n) {
            if (nthOldest(int(m_ring->count) - 1 - n).mid == quint32(mid)) {
                m_ring->reusesIds = 1;
                break;
            }
        }
    }
    const int handle = int(m_ring->next);
    Slot &slot = m_ring->entries[handle];
    slot.fingerprint = fingerprint;
    slot.mid = quint32(mid);
    slot.stored = 0;
    m_ring->next = (m_ring->next + 1) % Capacity;
    m_ring->count = std::min<quint32>(m_ring->count + 1, Capacity);
    m_sinceConnect = std::min(m_sinceConnect + 1, Capacity - 1);
    return handle;
}

void RedeliveryFilter::stored(int handle, int mid, quint64 fingerprint)
{
    if (handle < 0 || handle >= Capacity)
        return;
    Slot &slot = m_ring->entries[handle];
    // 128 later messages may have taken the slot meanwhile.
    if (slot.mid == quint32(mid) && slot.fingerprint == fingerprint)
        slot.stored = 1;
}

bool RedeliveryFilter::enabled() const
{
    return m_ring->reusesIds == 0;
}

quint64 RedeliveryFilter::fingerprint(QByteArrayView topic, QByteArrayView payload)
{
    // FNV-1a, 64 bits: stable across runs and builds, which a hash seeded per process is not.
    quint64 hash = 14695981039346656037ULL;
    const auto mix = [&hash](QByteArrayView bytes) {
        for (const char c : bytes) {
            hash ^= quint8(c);
            hash *= 1099511628211ULL;
        }
    };
    mix(topic);
    hash ^= 0xff; // no topic byte is 0xff in valid UTF-8: "a"+"bc" and "ab"+"c" differ
    hash *= 1099511628211ULL;
    mix(payload);
    return hash;
}

} // namespace edgegate
