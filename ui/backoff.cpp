// SPDX-License-Identifier: Apache-2.0
#include "ui/backoff.h"

#include <QRandomGenerator>

#include <algorithm>

Backoff::Backoff(qint64 minMs, qint64 maxMs)
    : m_minMs(minMs)
    , m_maxMs(std::max(minMs, maxMs))
{
}

qint64 Backoff::next()
{
    qint64 step = m_minMs;
    for (int i = 0; i < m_attempt && step < m_maxMs; ++i)
        step *= 2;
    step = std::min(step, m_maxMs);
    if (m_attempt < 30)
        ++m_attempt;
    const qint64 half = step / 2;
    const qint64 wait = half + qint64(QRandomGenerator::global()->bounded(quint64(half) + 1));
    return std::max(wait, m_minMs);
}
