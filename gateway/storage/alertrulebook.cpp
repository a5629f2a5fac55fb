// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/alertrulebook.h"

#include "gateway/storage/jsonlistfile.h"

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
    QString problem;
    const auto list = jsonlistfile::read(m_path, u"alert rules"_s, MaxFileBytes, &problem);
    if (!list) {
        if (problem.isEmpty())
            return true; // no file: the config's
        *error = problem;
        return false;
    }
    auto rules = alertRulesFromJson(*list, &problem);
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
    if (!jsonlistfile::write(m_path, alertRulesToJson(rules), error))
        return false;
    m_saved = rules;
    m_fromApi = true;
    return true;
}

QString AlertRuleBook::source() const
{
    return m_fromApi ? u"api"_s : u"config"_s;
}

} // namespace edgegate
