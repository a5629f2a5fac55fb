// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/downlink/downlinks.h"
#include "gateway/core/ingest/envelope.h"
#include "shared/otainfo.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <optional>

namespace edgegate {

class Counter;
class DeviceRegistry;
class FirmwareCatalog;
class Metrics;
class OtaStore;

/// Firmware rollouts (docs/ota.md): campaigns over approved devices, one job per device, run in
/// batches with a limit on jobs in flight, paused when too many fail. A device is notified through
/// the transport of the protocol it last spoke; one it cannot reach now keeps its job pending until
/// it comes back (or, over HTTP, asks). Jobs end on the device's progress reports, on its firmware
/// announcement after installing, at their deadline (one timer for the earliest), or on cancel.
/// Every transition is written to the store at once; load() resumes where the last run stood.
class OtaManager : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        std::chrono::milliseconds jobTimeout{std::chrono::minutes(30)}; ///< when a campaign gives none
        int maxConcurrent = 10; ///< when a campaign gives none
        QString baseUrl; ///< the download URL's start, e.g. http://192.0.2.1:8080
    };

    /// Milliseconds since the epoch; replaceable so tests control time.
    using Clock = std::function<qint64()>;

    OtaManager(const Settings &settings, DeviceRegistry &registry, Downlinks &downlinks, OtaStore &store,
               Metrics &metrics, Clock clock = {}, QObject *parent = nullptr);
    ~OtaManager() override;

    /// The images campaigns may install. Without one, creating a campaign answers that no firmware
    /// store is configured. Not owned; must outlive the manager or be reset.
    void setCatalog(const FirmwareCatalog *catalog) { m_catalog = catalog; }
    void setBaseUrl(const QString &baseUrl) { m_settings.baseUrl = baseUrl; }

    /// Reads the stored campaigns and jobs and goes on with them; call once before use.
    [[nodiscard]] bool load(QString *error);

    struct CreateResult
    {
        enum class Error { None, BadRequest, NoCatalog, UnknownFirmware, NoDevices, Conflict, StorageFailed };
        Error error = Error::None;
        QString message;
        OtaCampaign campaign;
    };
    /// A campaign from a request shaped as docs/ota.md shows; devices are chosen now.
    CreateResult create(const QJsonObject &request);

    enum class ChangeResult { Done, NotFound, Conflict };
    ChangeResult pause(const QString &campaignId);
    ChangeResult resume(const QString &campaignId);
    ChangeResult cancel(const QString &campaignId);

    /// With its job counts.
    [[nodiscard]] std::optional<OtaCampaign> campaign(const QString &id) const;
    /// Oldest first.
    [[nodiscard]] QList<OtaCampaign> campaigns() const;
    /// Why the image may not be deleted now (a running or paused campaign installs it), or nullopt.
    [[nodiscard]] std::optional<QString> imageInUse(const QString &name, const QString &version) const;
    /// In batch order.
    [[nodiscard]] QList<OtaJob> jobs(const QString &campaignId) const;
    /// Newest first.
    [[nodiscard]] QList<OtaJob> deviceJobs(const QString &deviceId) const;

    /// A device's progress report (`{"job", "state", "progress", "error"}`); the reason it was
    /// refused (counted in edgegate_ota_progress_refused_total), or nothing when taken.
    std::optional<QString> progress(const QString &deviceId, const QByteArray &payload);
    /// A device announced its firmware (every announcement, changed or not).
    void firmwareAnnounced(const QString &deviceId, const QString &firmware);

    /// For devices that poll (HTTP): what they should act on now, `{}` when nothing. A pending job
    /// that may start is notified by this.
    QByteArray takeNotification(const QString &deviceId);
    /// The last notification the device was given (`{}` when none): the state of CoAP's resource.
    [[nodiscard]] QByteArray latestNotification(const QString &deviceId) const;

    /// Tries again, from the event loop, to reach the device (it came online, or a link can push to it now).
    void retry(const QString &deviceId);
    /// Same for every device (a link that serves many came back).
    void retryAll();

    /// Ends the jobs whose deadline passed; the timer calls it.
    void expireDue();

signals:
    void jobChanged(const edgegate::OtaJob &job);
    void campaignChanged(const edgegate::OtaCampaign &campaign);

private:
    struct CampaignEntry
    {
        OtaCampaign campaign;
        QStringList jobIds; // batch order
    };

    [[nodiscard]] qint64 now() const;
    void setJobState(OtaJob &job, OtaJobState state);
    void campaignUpdated(CampaignEntry &entry);
    /// An operator's change of a campaign's state: NotFound, Conflict when it is in none of `from`, or Done.
    ChangeResult moveCampaign(const QString &campaignId, std::initializer_list<OtaCampaignState> from,
                              OtaCampaignState to, const QString &logged);
    void jobEnded(OtaJob &job);
    void startJobs(CampaignEntry &entry);
    bool notify(OtaJob &job, const OtaCampaign &campaign);
    bool deliver(const QString &deviceId, const QByteArray &notification);
    void sendCancel(const QString &deviceId, const QString &jobId);
    void scheduleSoon();
    void scheduleAll();
    void armDeadline();
    void save(const OtaCampaign *campaign, const OtaJob *job);
    void deviceRemoved(const QString &deviceId);
    [[nodiscard]] QByteArray updateNotification(const OtaJob &job, const OtaCampaign &campaign) const;
    [[nodiscard]] OtaJob *currentJob(const QString &deviceId);
    [[nodiscard]] OtaCampaign withCounts(const CampaignEntry &entry) const;
    std::optional<QString> refuse(const QString &reason, const QString &deviceId, const QString &detail);

    Settings m_settings;
    DeviceRegistry &m_registry;
    Downlinks &m_downlinks;
    OtaStore &m_store;
    Metrics &m_metrics;
    Clock m_clock;
    const FirmwareCatalog *m_catalog = nullptr;
    QHash<QString, CampaignEntry> m_campaigns;
    QStringList m_campaignOrder;
    QHash<QString, OtaJob> m_jobs;
    QHash<QString, QStringList> m_deviceJobs; // oldest first
    QHash<QString, QByteArray> m_owedCancels; // per device, not delivered yet
    QHash<QString, QByteArray> m_latest; // per device, the last notification delivered
    int m_nextCampaign = 1;
    QTimer m_deadlineTimer;
    QTimer m_scheduleTimer;
    RateLimitedLog m_warnings;
    Counter &m_storeFailures;
};

} // namespace edgegate
