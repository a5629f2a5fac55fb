// SPDX-License-Identifier: Apache-2.0
#include "ui/alertmodel.h"

#include <algorithm>

using namespace edgegate;

namespace {

/// Newest first: by the time first raised, then by id.
bool newer(const Alert &a, const Alert &b)
{
    return a.timeMs != b.timeMs ? a.timeMs > b.timeMs : a.id > b.id;
}

quint64 alertKey(const Alert &alert)
{
    return alert.id;
}

const ListRole<Alert> AlertRoles[] = {
    {AlertModel::AlertIdRole, "alertId", [](const Alert &a) -> QVariant { return int(a.id); }},
    {AlertModel::DeviceIdRole, "deviceId", roleField<&Alert::deviceId>},
    {AlertModel::KindRole, "kind", roleField<&Alert::kind>},
    {AlertModel::RuleRole, "rule", roleField<&Alert::rule>},
    {AlertModel::SeverityRole, "severity", roleField<&Alert::severity>},
    {AlertModel::StateRole, "state", roleField<&Alert::state>},
    {AlertModel::MessageRole, "message", roleField<&Alert::message>},
    {AlertModel::MetricRole, "metric", roleField<&Alert::metric>},
    {AlertModel::ValueRole, "value", roleField<&Alert::value>},
    {AlertModel::CountRole, "count",
     [](const Alert &a) -> QVariant { return int(std::min<quint64>(a.count, std::numeric_limits<int>::max())); }},
    {AlertModel::FirstAtRole, "firstAt", roleTime<&Alert::timeMs>},
    {AlertModel::LastAtRole, "lastAt", roleTime<&Alert::lastAtMs>},
    {AlertModel::AcknowledgedByRole, "acknowledgedBy", roleField<&Alert::acknowledgedBy>},
    {AlertModel::AcknowledgedAtRole, "acknowledgedAt", roleTime<&Alert::acknowledgedAtMs>},
    {AlertModel::NoteRole, "note", roleField<&Alert::note>},
    {AlertModel::ClearedAtRole, "clearedAt", roleTime<&Alert::clearedAtMs>},
    {AlertModel::ClearedByRole, "clearedBy", roleField<&Alert::clearedBy>},
};

} // namespace

AlertModel::AlertModel(QObject *parent)
    : KeyedListModel(alertKey, newer, AlertRoles, MessageRole, parent)
{
}

int AlertModel::openCount() const
{
    return countIf([](const Alert &a) { return a.isOpen(); });
}

QVariantMap AlertModel::get(int alertId) const
{
    return alertId < 0 ? QVariantMap() : mapOf(quint64(alertId));
}
