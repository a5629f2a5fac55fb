// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/enumnames.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace edgegate {

/// A device's OTA job, as docs/ota.md names its states.
enum class OtaJobState {
    Pending,
    Notified,
    Downloading,
    Downloaded,
    Installing,
    Succeeded,
    Failed,
    RolledBack,
    TimedOut,
    Cancelled
};

enum class OtaCampaignState { Running, Paused, Completed, Cancelled };

/// The states' names in the API, the OTA database and metrics labels.
inline constexpr auto OtaJobStateNames
    = enumNames<OtaJobState>(u"pending", u"notified", u"downloading", u"downloaded", u"installing", u"succeeded",
                             u"failed", u"rolled_back", u"timed_out", u"cancelled");

inline constexpr auto OtaCampaignStateNames
    = enumNames<OtaCampaignState>(u"running", u"paused", u"completed", u"cancelled");

[[nodiscard]] QString otaJobStateName(OtaJobState state);
[[nodiscard]] std::optional<OtaJobState> otaJobStateFromName(QStringView name);
[[nodiscard]] QString otaCampaignStateName(OtaCampaignState state);
[[nodiscard]] std::optional<OtaCampaignState> otaCampaignStateFromName(QStringView name);

/// Succeeded, failed, rolled back, timed out or cancelled: nothing changes the job any more.
[[nodiscard]] bool isFinal(OtaJobState state);
/// Notified up to installing: the device is working on it (what max_concurrent limits).
[[nodiscard]] bool isInFlight(OtaJobState state);

struct OtaTransition
{
    OtaJobState state = OtaJobState::Pending;
    qint64 timeMs = 0;

    friend bool operator==(const OtaTransition &, const OtaTransition &) = default;
};

/// One device's part in a campaign.
struct OtaJob
{
    QString id; ///< "{campaign}-{device}"
    QString campaignId;
    QString deviceId;
    int batch = 0; ///< 0-based
    OtaJobState state = OtaJobState::Pending;
    int progress = 0; ///< 0-100, while downloading
    QString error; ///< what the device reported with failed or rolled_back, or why the gateway ended it
    QString reportedFirmware; ///< the version the device announced when the job ended on an announcement
    qint64 deadlineMs = 0; ///< set when the device is notified
    QList<OtaTransition> history; ///< oldest first; the first is `pending` at creation

    friend bool operator==(const OtaJob &, const OtaJob &) = default;
};

/// Which devices a campaign is for: every given key must match (AND).
struct OtaTarget
{
    QString type;
    QMap<QString, QString> tags;
    QStringList devices;

    friend bool operator==(const OtaTarget &, const OtaTarget &) = default;
};

struct OtaCampaign
{
    QString id;
    QString name;
    QString firmware;
    QString version;
    qint64 size = 0;
    QString sha256;
    OtaTarget target;
    int batchSize = 0; ///< jobs per batch as resolved at creation
    int batchPercent = 0; ///< as requested, 0 when batch_size was given or neither
    int batchCount = 1;
    int currentBatch = 0;
    int maxConcurrent = 10;
    int failureThreshold = 0; ///< 0: never pauses
    qint64 jobTimeoutMs = 0;
    OtaCampaignState state = OtaCampaignState::Running;
    QString pausedReason; ///< "operator" or "failure_threshold" while paused
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    qint64 finishedMs = 0;
    QMap<QString, int> jobCounts; ///< jobs by state name; filled for display, not stored

    friend bool operator==(const OtaCampaign &, const OtaCampaign &) = default;
};

/// Times as ISO 8601 UTC like the rest of the API; `deadline` is null before notification.
[[nodiscard]] QJsonObject otaJobToJson(const OtaJob &job);
[[nodiscard]] std::optional<OtaJob> otaJobFromJson(const QJsonObject &json);
/// `jobs` is not part of it: REST adds the list where it shows one.
[[nodiscard]] QJsonObject otaCampaignToJson(const OtaCampaign &campaign);
[[nodiscard]] std::optional<OtaCampaign> otaCampaignFromJson(const QJsonObject &json);

} // namespace edgegate
