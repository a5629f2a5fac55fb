// SPDX-License-Identifier: Apache-2.0
#include "gateway/links/redeliveryfilter.h"

#include <cstring>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr char Magic[8] = {'E', 'G', 'R', 'E', 'D', 'L', 'V', '1'};

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
    if (fresh && !m_file.resize(qint64(sizeof(Ring)))) {
        *error = u"cannot size %1: %2"_s.arg(m_path, m_file.errorString());
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
        || m_ring->count > Capacity;
    if (fresh) {
        std::memset(m_ring, 0, sizeof(Ring));
        std::memcpy(m_ring->magic, Magic, sizeof Magic);
    }
    return true;
}

void RedeliveryFilter::connected(bool sessionPresent)
{
    m_suspects.clear();
    m_sinceConnect = 0;
    if (!sessionPresent) {
        // A new session: its packet ids say nothing about the old one's.
        m_ring->next = 0;
        m_ring->count = 0;
        return;
    }
    for (quint32 i = 0; i < m_ring->count; ++i)
        m_suspects.insert(m_ring->entries[i].mid, m_ring->entries[i].fingerprint);
}

bool RedeliveryFilter::isRedelivery(int mid, quint64 fingerprint)
{
    if (m_suspects.isEmpty())
        return false;
    // Messages sent again come first; past the window there are none left to expect.
    if (++m_sinceConnect > Capacity) {
        m_suspects.clear();
        return false;
    }
    const auto it = m_suspects.constFind(quint32(mid));
    if (it == m_suspects.cend() || it.value() != fingerprint)
        return false;
    m_suspects.erase(it);
    return true;
}

void RedeliveryFilter::taken(int mid, quint64 fingerprint)
{
    Slot &slot = m_ring->entries[m_ring->next];
    slot.fingerprint = fingerprint;
    slot.mid = quint32(mid);
    m_ring->next = (m_ring->next + 1) % Capacity;
    if (m_ring->count < Capacity)
        ++m_ring->count;
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
