// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLoggingCategory>
#include <QString>

namespace edgegate {

/// Whether writes to a store work, logged only when that changes: one warning when they start to
/// fail, one line when they work again.
class WriteHealth
{
public:
    /// `what` names the store in the log ("the registry").
    WriteHealth(const QLoggingCategory &category, QString what)
        : m_category(category)
        , m_what(std::move(what))
    {
    }

    [[nodiscard]] bool healthy() const { return m_healthy; }

    /// A write failed; the caller retries it later.
    void failed(const QString &error)
    {
        if (m_healthy)
            qCWarning(m_category).noquote() << QStringLiteral("cannot write %1: %2 (will retry)").arg(m_what, error);
        m_healthy = false;
    }
    /// The store could not be read: writes are not trusted until one works.
    void unreadable() { m_healthy = false; }
    void succeeded()
    {
        if (!m_healthy)
            qCInfo(m_category).noquote() << QStringLiteral("writing %1 works again").arg(m_what);
        m_healthy = true;
    }

private:
    const QLoggingCategory &m_category;
    QString m_what;
    bool m_healthy = true;
};

} // namespace edgegate
