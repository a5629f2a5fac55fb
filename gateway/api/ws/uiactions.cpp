// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/ws/uiactions.h"

#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/devices/healthhistory.h"
#include "gateway/core/devices/telemetryhistory.h"
#include "gateway/core/downlink/commandqueue.h"
#include "gateway/core/ota/firmware.h"
#include "gateway/core/ota/otamanager.h"
#include "gateway/storage/firmwarestore.h"
#include "shared/deviceid.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>

#include <algorithm>
#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcActions, "edgegate.uiactions")

namespace {

constexpr qsizetype MaxParamLength = 128;

/// A string param of 1..MaxParamLength characters.
std::optional<QString> textParam(const QJsonObject &params, const QString &key)
{
    const QJsonValue v = params.value(key);
    if (!v.isString() || v.toString().isEmpty() || v.toString().size() > MaxParamLength)
        return std::nullopt;
    return v.toString();
}

/// An optional integer param within [min, max]; `fallback` when absent, nullopt when malformed.
std::optional<qint64> intParam(const QJsonObject &params, const QString &key, qint64 fallback, qint64 min, qint64 max)
{
    const QJsonValue v = params.value(key);
    if (v.isUndefined())
        return fallback;
    const auto n = wsapi::integerFromJson(v);
    if (!n || *n < min || *n > max)
        return std::nullopt;
    return n;
}

} // namespace

UiActions::UiActions(Operations &operations, DeviceRegistry &registry, HealthHistory &history,
                     const TelemetryHistory &telemetry, OtaManager *ota, FirmwareStore *firmware)
    : m_operations(operations)
    , m_registry(registry)
    , m_history(history)
    , m_telemetry(telemetry)
    , m_ota(ota)
    , m_firmware(firmware)
{
}

QString UiActions::actorName(const ApiIdentity &identity)
{
    return identity.name.isEmpty() ? u"dashboard"_s : identity.name;
}

QStringView UiActions::codeOf(OperationFailure failure)
{
    switch (failure) {
    case OperationFailure::BadRequest:
        return wsapi::code::BadRequest;
    case OperationFailure::NotFound:
        return wsapi::code::NotFound;
    case OperationFailure::Conflict:
        return wsapi::code::Conflict;
    case OperationFailure::Unavailable:
        return wsapi::code::Unavailable;
    case OperationFailure::StorageFailed: // the gateway's fault: answered and logged as internal
    case OperationFailure::Internal:
        break;
    }
    return wsapi::code::Internal;
}

wsapi::Reply UiActions::run(const wsapi::Request &request, const ApiIdentity &identity)
{
    wsapi::Reply reply;
    reply.id = request.id;
    if (!wsapi::isKnownAction(request.action)) {
        reply.error = {wsapi::code::UnknownAction.toString(), u"unknown action '%1'"_s.arg(request.action.left(64))};
        return reply;
    }
    if (identity.role != ApiRole::Admin && !wsapi::isReadAction(request.action)) {
        reply.error = {wsapi::code::Forbidden.toString(), u"viewer tokens cannot change anything"_s};
        return reply;
    }
    const auto handler = std::find_if(handlers().cbegin(), handlers().cend(),
                                      [&request](const auto &entry) { return entry.first == request.action; });
    const Outcome outcome = handler == handlers().cend()
        ? Outcome::fail(OperationFailure::Internal, u"action '%1' has no handler"_s.arg(request.action))
        : (this->*handler->second)(request.params, Call{request.action, identity});
    reply.ok = !outcome.failure;
    if (reply.ok) {
        reply.result = outcome.result;
    } else {
        reply.error = {codeOf(*outcome.failure).toString(), outcome.message};
        if (codeOf(*outcome.failure) == wsapi::code::Internal)
            qCWarning(lcActions).noquote() << request.action << "failed:" << outcome.message;
    }
    return reply;
}

const QList<std::pair<QStringView, UiActions::Handler>> &UiActions::handlers()
{
    namespace action = wsapi::action;
    static const QList<std::pair<QStringView, Handler>> table{
        {action::AlertAcknowledge, &UiActions::acknowledgeAlert},
        {action::AlertClear, &UiActions::clearAlert},
        {action::DeviceApprove, &UiActions::approveDevice},
        {action::DeviceReject, &UiActions::rejectDevice},
        {action::DeviceMaintenance, &UiActions::setMaintenance},
        {action::DeviceCommand, &UiActions::sendCommand},
        {action::DeviceHistory, &UiActions::deviceHistory},
        {action::TelemetryHistory, &UiActions::telemetryHistory},
        {action::OtaCreate, &UiActions::createCampaign},
        {action::OtaPause, &UiActions::changeCampaign},
        {action::OtaResume, &UiActions::changeCampaign},
        {action::OtaCancel, &UiActions::changeCampaign},
        {action::OtaJobs, &UiActions::campaignJobs},
        {action::FirmwareList, &UiActions::listFirmware},
        {action::FirmwareDelete, &UiActions::deleteFirmware},
    };
    return table;
}

UiActions::Outcome UiActions::acknowledgeAlert(const QJsonObject &params, const Call &call)
{
    const auto id = intParam(params, u"id"_s, -1, 1, std::numeric_limits<qint64>::max());
    if (!id || *id < 0)
        return Outcome::fail(OperationFailure::BadRequest, u"id: the alert's id, a positive integer"_s);
    const auto note = alertNoteFromJson(params.value(u"note"_s));
    if (!note)
        return Outcome::fail(OperationFailure::BadRequest, u"note: a text of at most 1024 characters"_s);
    const auto by = alertActorFrom(actorName(call.identity));
    if (!by)
        return Outcome::fail(OperationFailure::Internal, u"the session's user name cannot sign an alert"_s);
    return m_operations.acknowledgeAlert(static_cast<quint64>(*id), *by, *note);
}

UiActions::Outcome UiActions::clearAlert(const QJsonObject &params, const Call &call)
{
    const auto id = intParam(params, u"id"_s, -1, 1, std::numeric_limits<qint64>::max());
    if (!id || *id < 0)
        return Outcome::fail(OperationFailure::BadRequest, u"id: the alert's id, a positive integer"_s);
    const auto by = alertActorFrom(actorName(call.identity));
    if (!by)
        return Outcome::fail(OperationFailure::Internal, u"the session's user name cannot sign an alert"_s);
    return m_operations.clearAlert(static_cast<quint64>(*id), *by);
}

UiActions::Outcome UiActions::knownDevice(const QJsonObject &params, QString *id) const
{
    const QJsonValue v = params.value(u"device"_s);
    if (!v.isString() || !isValidDeviceId(v.toString()))
        return Outcome::fail(OperationFailure::BadRequest, u"device: a device id (1-64 of A-Z a-z 0-9 . _ : -)"_s);
    *id = v.toString();
    if (!m_registry.find(*id))
        return Outcome::fail(OperationFailure::NotFound, u"no device '%1'"_s.arg(*id));
    return Outcome::ok({});
}

UiActions::Outcome UiActions::approveDevice(const QJsonObject &params, const Call &)
{
    QString id;
    if (Outcome bad = knownDevice(params, &id); bad.failure)
        return bad;
    return m_operations.approveDevice(id);
}

UiActions::Outcome UiActions::rejectDevice(const QJsonObject &params, const Call &)
{
    QString id;
    if (Outcome bad = knownDevice(params, &id); bad.failure)
        return bad;
    return m_operations.rejectDevice(id);
}

UiActions::Outcome UiActions::setMaintenance(const QJsonObject &params, const Call &)
{
    QString id;
    if (Outcome bad = knownDevice(params, &id); bad.failure)
        return bad;
    const QJsonValue on = params.value(u"on"_s);
    if (!on.isBool())
        return Outcome::fail(OperationFailure::BadRequest, u"on: true or false"_s);
    DevicePatch patch;
    patch.maintenance = on.toBool();
    return m_operations.patchDevice(id, patch);
}

UiActions::Outcome UiActions::sendCommand(const QJsonObject &params, const Call &)
{
    QString id;
    if (Outcome bad = knownDevice(params, &id); bad.failure)
        return bad;
    QJsonObject body = params;
    body.remove(u"device"_s);
    return m_operations.submitCommand(id, body);
}

UiActions::Outcome UiActions::deviceHistory(const QJsonObject &params, const Call &)
{
    const QJsonValue device = params.value(u"device"_s);
    if (!device.isString() || !isValidDeviceId(device.toString()))
        return Outcome::fail(OperationFailure::BadRequest, u"device: a device id (1-64 of A-Z a-z 0-9 . _ : -)"_s);
    const QString id = device.toString();
    const auto limit = intParam(params, u"limit"_s, DefaultHistoryLimit, 0, MaxHistoryLimit);
    if (!limit)
        return Outcome::fail(OperationFailure::BadRequest, u"limit: 0..%1"_s.arg(MaxHistoryLimit));
    const DeviceHistoryPage page
        = deviceHistoryPage(m_history, m_registry, id, 0, std::numeric_limits<qint64>::max(), static_cast<int>(*limit));
    switch (page.result) {
    case DeviceHistoryPage::Result::StorageFailed:
        return Outcome::fail(OperationFailure::Internal, u"cannot read the status history"_s);
    case DeviceHistoryPage::Result::UnknownDevice:
        return Outcome::fail(OperationFailure::NotFound, u"no device '%1'"_s.arg(id));
    case DeviceHistoryPage::Result::Ok:
        break;
    }
    return Outcome::ok(page.transitions);
}

UiActions::Outcome UiActions::telemetryHistory(const QJsonObject &params, const Call &)
{
    QString id;
    if (Outcome bad = knownDevice(params, &id); bad.failure)
        return bad;
    const auto range = intParam(params, u"range_s"_s, DefaultTelemetryRangeS, MinTelemetryRangeS, MaxTelemetryRangeS);
    if (!range)
        return Outcome::fail(OperationFailure::BadRequest,
                             u"range_s: %1..%2 seconds"_s.arg(MinTelemetryRangeS).arg(MaxTelemetryRangeS));
    const qint64 since = QDateTime::currentMSecsSinceEpoch() - *range * 1000;
    QJsonObject series;
    const auto all = m_telemetry.series(id, since);
    for (auto it = all.cbegin(); it != all.cend(); ++it) {
        QJsonArray points;
        for (const TelemetryHistory::Point &point : it.value())
            points.append(QJsonArray{point.timeMs, point.value});
        series.insert(it.key(), points);
    }
    return Outcome::ok(QJsonObject{{u"device"_s, id}, {u"series"_s, series}});
}

UiActions::Outcome UiActions::createCampaign(const QJsonObject &params, const Call &)
{
    if (!m_ota)
        return Outcome::fail(OperationFailure::Unavailable, u"OTA is not available on this gateway"_s);
    // The same request body as POST /api/v1/ota/campaigns, checked by the same code.
    const OtaManager::CreateResult created = m_ota->create(params);
    using Error = OtaManager::CreateResult::Error;
    switch (created.error) {
    case Error::None:
        return Outcome::ok(otaCampaignToJson(*m_ota->campaign(created.campaign.id)));
    case Error::NoCatalog:
        return Outcome::fail(OperationFailure::Unavailable, created.message);
    case Error::Conflict:
        return Outcome::fail(OperationFailure::Conflict, created.message);
    case Error::StorageFailed:
        return Outcome::fail(OperationFailure::Internal, created.message);
    case Error::BadRequest:
    case Error::UnknownFirmware:
    case Error::NoDevices:
        break;
    }
    return Outcome::fail(OperationFailure::BadRequest, created.message);
}

UiActions::Outcome UiActions::changeCampaign(const QJsonObject &params, const Call &call)
{
    if (!m_ota)
        return Outcome::fail(OperationFailure::Unavailable, u"OTA is not available on this gateway"_s);
    const auto id = textParam(params, u"campaign"_s);
    if (!id)
        return Outcome::fail(OperationFailure::BadRequest, u"campaign: the campaign's id"_s);
    const std::optional<OtaCampaign> before = m_ota->campaign(*id);
    OtaManager::ChangeResult result = OtaManager::ChangeResult::NotFound;
    if (call.action == wsapi::action::OtaPause)
        result = m_ota->pause(*id);
    else if (call.action == wsapi::action::OtaResume)
        result = m_ota->resume(*id);
    else
        result = m_ota->cancel(*id);
    switch (result) {
    case OtaManager::ChangeResult::NotFound:
        return Outcome::fail(OperationFailure::NotFound, u"no campaign '%1'"_s.arg(*id));
    case OtaManager::ChangeResult::Conflict:
        return Outcome::fail(OperationFailure::Conflict,
                             u"campaign %1 is %2: it cannot %3"_s.arg(*id, otaCampaignStateName(before->state),
                                                                      call.action.mid(call.action.indexOf(u'.') + 1)));
    case OtaManager::ChangeResult::Done:
        break;
    }
    return Outcome::ok(otaCampaignToJson(*m_ota->campaign(*id)));
}

UiActions::Outcome UiActions::campaignJobs(const QJsonObject &params, const Call &)
{
    if (!m_ota)
        return Outcome::fail(OperationFailure::Unavailable, u"OTA is not available on this gateway"_s);
    const auto id = textParam(params, u"campaign"_s);
    if (!id)
        return Outcome::fail(OperationFailure::BadRequest, u"campaign: the campaign's id"_s);
    if (!m_ota->campaign(*id))
        return Outcome::fail(OperationFailure::NotFound, u"no campaign '%1'"_s.arg(*id));
    QJsonArray jobs;
    for (const OtaJob &job : m_ota->jobs(*id))
        jobs.append(otaJobToJson(job));
    return Outcome::ok(jobs);
}

UiActions::Outcome UiActions::listFirmware(const QJsonObject &, const Call &)
{
    if (!m_firmware)
        return Outcome::fail(OperationFailure::Unavailable, u"no firmware store on this gateway"_s);
    QJsonArray images;
    for (const FirmwareImage &image : m_firmware->images())
        images.append(firmwareToJson(image));
    return Outcome::ok(images);
}

UiActions::Outcome UiActions::deleteFirmware(const QJsonObject &params, const Call &)
{
    if (!m_firmware)
        return Outcome::fail(OperationFailure::Unavailable, u"no firmware store on this gateway"_s);
    const auto name = textParam(params, u"name"_s);
    const auto version = textParam(params, u"version"_s);
    if (!name || !version)
        return Outcome::fail(OperationFailure::BadRequest, u"name and version: the image to delete"_s);
    // The store asks the same removal veto as DELETE /api/v1/firmware/{name}/{version}.
    const auto failure = m_firmware->remove(*name, *version);
    if (!failure)
        return Outcome::ok(QJsonObject());
    using Error = FirmwareStore::Error;
    switch (failure->error) {
    case Error::NotFound:
        return Outcome::fail(OperationFailure::NotFound, failure->message);
    case Error::InUse:
    case Error::Exists:
        return Outcome::fail(OperationFailure::Conflict, failure->message);
    case Error::InvalidName:
    case Error::InvalidVersion:
    case Error::InvalidDeviceType:
    case Error::InvalidChecksum:
    case Error::TooLarge:
    case Error::ChecksumMismatch:
    case Error::LengthMismatch:
        return Outcome::fail(OperationFailure::BadRequest, failure->message);
    case Error::DiskFull:
    case Error::Storage:
        break;
    }
    return Outcome::fail(OperationFailure::Internal, failure->message);
}

} // namespace edgegate
