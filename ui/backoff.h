// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

/// Jittered exponential backoff for reconnects: the n-th wait is between half and all of
/// min(max, min * 2^n), and never below `min`.
class Backoff
{
public:
    explicit Backoff(qint64 minMs = 1000, qint64 maxMs = 30000);
    /// The next wait in ms; each call doubles the step up to the maximum.
    [[nodiscard]] qint64 next();
    void reset() { m_attempt = 0; }
    [[nodiscard]] int attempt() const { return m_attempt; }

private:
    qint64 m_minMs;
    qint64 m_maxMs;
    int m_attempt = 0;
};
