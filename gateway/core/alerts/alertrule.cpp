// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/alerts/alertrule.h"

#include "gateway/core/common/duration.h"
#include "shared/alert.h"
#include "shared/deviceid.h"
#include "shared/enumnames.h"
#include "shared/jsonarray.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr auto AlertRuleKindNames = enumNames<AlertRule::Kind>(u"offline", u"threshold", u"no_data", u"anomaly",
                                                               u"outbox_overflow", u"certificate_expiry");

constexpr qsizetype MaxRuleIdLength = 64;
constexpr qsizetype MaxSelectorDevices = 1000;

bool validRuleId(const QString &id)
{
    if (id.isEmpty() || id.size() > MaxRuleIdLength)
        return false;
    return std::all_of(id.cbegin(), id.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_'
            || c == u'-' || c == u'.';
    });
}

// Numbers come as JSON numbers from REST and as text from the YAML config.
std::optional<double> number(const QJsonValue &v, bool *bad)
{
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    double d = 0;
    bool ok = v.isDouble();
    if (ok)
        d = v.toDouble();
    else if (v.isString())
        d = v.toString().trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(d)) {
        *bad = true;
        return std::nullopt;
    }
    return d;
}

std::optional<std::chrono::milliseconds> duration(const QJsonValue &v, bool *bad)
{
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    std::optional<std::chrono::milliseconds> d;
    if (v.isString())
        d = parseDuration(v.toString());
    else if (v.isDouble() && v.toDouble() >= 0 && v.toDouble() < 1e9)
        d = std::chrono::milliseconds(std::llround(v.toDouble() * 1000));
    if (!d || d->count() < 0 || *d > std::chrono::hours(24 * 365)) {
        *bad = true;
        return std::nullopt;
    }
    return d;
}

} // namespace

QString alertRuleKindName(AlertRule::Kind kind)
{
    return AlertRuleKindNames.nameOf(kind);
}

bool AlertRule::matches(const QString &deviceId, const QString &type) const
{
    if (!deviceType.isEmpty() && type != deviceType)
        return false;
    return devices.isEmpty() || devices.contains(deviceId);
}

std::optional<AlertRule> alertRuleFromJson(const QJsonObject &json, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<AlertRule> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    static const QSet<QString> known{u"id"_s,    u"kind"_s,  u"severity"_s, u"selector"_s,    u"metric"_s,
                                     u"above"_s, u"below"_s, u"for"_s,      u"clear_after"_s, u"before"_s};
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(it.key() + u": unknown key"_s);
    }
    AlertRule r;
    r.id = json.value(u"id"_s).toString();
    if (!validRuleId(r.id))
        return fail(u"id: expected 1 to 64 letters, digits, '_', '-' or '.'"_s);
    const auto kind = AlertRuleKindNames.valueOf(json.value(u"kind"_s).toString());
    if (!kind)
        return fail(u"kind: expected offline, threshold, no_data, anomaly, outbox_overflow or certificate_expiry"_s);
    r.kind = *kind;
    if (json.contains(u"severity"_s)) {
        r.severity = json.value(u"severity"_s).toString();
        if (!isAlertSeverity(r.severity))
            return fail(u"severity: expected info, warning or critical"_s);
    }
    if (json.contains(u"selector"_s)) {
        const QJsonValue sv = json.value(u"selector"_s);
        if (!sv.isObject())
            return fail(u"selector: expected a map with device_type and/or devices"_s);
        const QJsonObject s = sv.toObject();
        for (auto it = s.begin(); it != s.end(); ++it) {
            if (it.key() != u"device_type" && it.key() != u"devices")
                return fail(u"selector."_s + it.key() + u": unknown key"_s);
        }
        r.deviceType = s.value(u"device_type"_s).toString();
        const QJsonValue devices = s.value(u"devices"_s);
        if (!devices.isUndefined()) {
            if (!devices.isArray() || devices.toArray().size() > MaxSelectorDevices)
                return fail(u"selector.devices: expected a list of at most 1000 device ids"_s);
            const QJsonArray list = devices.toArray();
            for (const auto &d : list) {
                if (!isValidDeviceId(d.toString()))
                    return fail(u"selector.devices: '%1' is not a valid device id"_s.arg(d.toString().left(64)));
                r.devices.append(d.toString());
            }
        }
    }
    bool bad = false;
    r.above = number(json.value(u"above"_s), &bad);
    if (bad)
        return fail(u"above: expected a finite number"_s);
    r.below = number(json.value(u"below"_s), &bad);
    if (bad)
        return fail(u"below: expected a finite number"_s);
    if (const auto d = duration(json.value(u"for"_s), &bad))
        r.forDuration = *d;
    if (bad)
        return fail(u"for: expected a duration such as 30s, 5m (at most a year)"_s);
    if (const auto d = duration(json.value(u"clear_after"_s), &bad))
        r.clearAfter = *d;
    if (bad || r.clearAfter.count() == 0)
        return fail(u"clear_after: expected a duration such as 5m, more than 0 (at most a year)"_s);
    r.metric = json.value(u"metric"_s).toString();
    if (r.kind == AlertRule::Kind::Threshold) {
        if (r.metric.isEmpty())
            return fail(u"metric: a threshold rule needs the metric it watches"_s);
        if (!r.above && !r.below)
            return fail(u"above: a threshold rule needs above and/or below"_s);
    } else if (r.above || r.below || !r.metric.isEmpty()) {
        return fail(u"metric: only threshold rules take metric, above and below"_s);
    }
    if ((r.kind == AlertRule::Kind::OutboxOverflow || r.kind == AlertRule::Kind::CertificateExpiry) && r.hasSelector())
        return fail(u"selector: %1 rules are about the gateway, not devices"_s.arg(alertRuleKindName(r.kind)));
    if (json.contains(u"before"_s)) {
        if (r.kind != AlertRule::Kind::CertificateExpiry)
            return fail(u"before: only certificate_expiry rules take before"_s);
        const auto d = duration(json.value(u"before"_s), &bad);
        if (bad || !d || d->count() == 0)
            return fail(u"before: expected a duration such as 14d, more than 0 (at most a year)"_s);
        r.before = *d;
    }
    return r;
}

QJsonObject alertRuleToJson(const AlertRule &rule)
{
    QJsonObject o{{u"id"_s, rule.id}, {u"kind"_s, alertRuleKindName(rule.kind)}, {u"severity"_s, rule.severity}};
    if (rule.hasSelector()) {
        QJsonObject selector;
        if (!rule.deviceType.isEmpty())
            selector.insert(u"device_type"_s, rule.deviceType);
        if (!rule.devices.isEmpty())
            selector.insert(u"devices"_s, QJsonArray::fromStringList(rule.devices));
        o.insert(u"selector"_s, selector);
    }
    switch (rule.kind) {
    case AlertRule::Kind::Threshold:
        o.insert(u"metric"_s, rule.metric);
        if (rule.above)
            o.insert(u"above"_s, *rule.above);
        if (rule.below)
            o.insert(u"below"_s, *rule.below);
        o.insert(u"for"_s, formatDuration(rule.forDuration));
        break;
    case AlertRule::Kind::Offline:
    case AlertRule::Kind::NoData:
        o.insert(u"for"_s, formatDuration(rule.forDuration));
        break;
    case AlertRule::Kind::Anomaly:
    case AlertRule::Kind::OutboxOverflow:
        o.insert(u"clear_after"_s, formatDuration(rule.clearAfter));
        break;
    case AlertRule::Kind::CertificateExpiry:
        o.insert(u"before"_s, formatDuration(rule.before));
        break;
    }
    return o;
}

std::optional<QList<AlertRule>> alertRulesFromJson(const QJsonArray &json, QString *error)
{
    return fromJsonArray<AlertRule>(
        json, QString(), u"id"_s, alertRuleFromJson, [](const AlertRule &rule) { return rule.id; }, error);
}

QJsonArray alertRulesToJson(const QList<AlertRule> &rules)
{
    return toJsonArray(rules, alertRuleToJson);
}

QList<AlertRule> defaultAlertRules()
{
    // Each default rule is named after its kind.
    const auto rule = [](AlertRule::Kind kind, const QString &severity) {
        AlertRule r;
        r.id = alertRuleKindName(kind);
        r.kind = kind;
        r.severity = severity;
        return r;
    };
    return {rule(AlertRule::Kind::Anomaly, u"warning"_s), rule(AlertRule::Kind::OutboxOverflow, u"critical"_s),
            rule(AlertRule::Kind::Offline, u"warning"_s), rule(AlertRule::Kind::CertificateExpiry, u"warning"_s)};
}

} // namespace edgegate
