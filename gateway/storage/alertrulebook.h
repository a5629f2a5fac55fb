// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/alerts/alertrule.h"

#include <QList>
#include <QString>

namespace edgegate {

/// Keeps alert rules changed through the REST API in `alert-rules.json` in data_dir, so they
/// survive a restart; until the API changes them the config file's rules (or the defaults) apply.
class AlertRuleBook
{
public:
    AlertRuleBook(const QString &path, QList<AlertRule> configured);

    /// Reads the saved rules if there are any; false with `error` set when the file exists but
    /// cannot be used (the configured rules stay in force).
    bool load(QString *error);

    /// Saves the whole rule list (written to a temporary file and renamed into place).
    bool save(const QList<AlertRule> &rules, QString *error);

    [[nodiscard]] const QList<AlertRule> &rules() const { return m_fromApi ? m_saved : m_configured; }
    /// "api" or "config".
    [[nodiscard]] QString source() const;

private:
    QString m_path;
    QList<AlertRule> m_configured;
    QList<AlertRule> m_saved;
    bool m_fromApi = false;
};

} // namespace edgegate
