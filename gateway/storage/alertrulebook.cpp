// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/alertrulebook.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 MaxFileBytes = qint64{4} * 1024 * 1024;

} // namespace

AlertRuleBook::AlertRuleBook(const QString &path, QList<AlertRule> configured)
    : m_path(path)
    , m_configured(std::move(configured))
{
}

bool AlertRuleBook::load(QString *error)
{
    QFile file(m_path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(MaxFileBytes), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray()) {
        *error = u"%1 is not a JSON list of alert rules: %2"_s.arg(m_path, parseError.errorString());
        return false;
    }
    QString problem;
    auto rules = alertRulesFromJson(doc.array(), &problem);
    if (!rules) {
        *error = m_path + u": "_s + problem;
        return false;
    }
    m_saved = std::move(*rules);
    m_fromApi = true;
    return true;
}

bool AlertRuleBook::save(const QList<AlertRule> &rules, QString *error)
{
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(alertRulesToJson(rules)).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    m_saved = rules;
    m_fromApi = true;
    return true;
}

QString AlertRuleBook::source() const
{
    return m_fromApi ? u"api"_s : u"config"_s;
}

} // namespace edgegate
