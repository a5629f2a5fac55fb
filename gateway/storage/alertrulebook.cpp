// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/alertrulebook.h"

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 MaxFileBytes = qint64{4} * 1024 * 1024;

} // namespace

AlertRuleBook::AlertRuleBook(const QString &path, QList<AlertRule> configured)
    : ListBook(path, std::move(configured), u"alert rules"_s, MaxFileBytes, &alertRulesFromJson, &alertRulesToJson)
{
}

} // namespace edgegate
