// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/common/writehealth.h"
#include "gateway/core/devices/devicestore.h"
#include "gateway/core/devices/healthstore.h"
#include "gateway/core/devices/registrypolicy.h"
#include "gateway/core/ingest/envelope.h"
#include "shared/deviceinfo.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <array>
#include <chrono>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

namespace edgegate {

class Counter;
class Metrics;

/// Changes an operator may make to a device (REST PATCH).
struct DevicePatch
{
    std::optional<QString> name;
    std::optional<QMap<QString, QString>> metadata; ///< replaces the whole map
    std::optional<bool> maintenance;
};

/// What a device announces about itself on `devices/{id}/meta`.
struct DeviceMeta
{
    // Defaults on every member, so designated initializers may name only what they set.
    std::optional<QString> name = std::nullopt;
    std::optional<QString> type = std::nullopt;
    std::optional<QString> firmware = std::nullopt;
    QMap<QString, QString> metadata = {}; ///< merged into the existing map
    std::optional<QString> model = std::nullopt;
    std::optional<QStringList> capabilities = std::nullopt; ///< replaces the whole list
    std::optional<QList<MetricInfo>> metrics = std::nullopt; ///< replaces the whole list
};

/// The devices the gateway knows, with their status. Kept in memory, written to the store in
/// batches: per-message work (last seen) only marks a device dirty, and a timer writes all
/// dirty devices in one transaction. Devices that fall silent go offline through one timer
/// armed for the earliest deadline, not a poll per device: devices are kept in last-seen order in
/// one list per distinct offline timeout (device types may have their own), so only the head of
/// each list is ever looked at. Every status change is announced with its reason (statusChanged).
class DeviceRegistry : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        RegistryPolicy policy = RegistryPolicy::Auto;
        std::chrono::milliseconds offlineAfter{90000};
        std::chrono::milliseconds flushInterval{1000};
        /// offline_after of device types that have their own; others use `offlineAfter`.
        QHash<QString, std::chrono::milliseconds> offlineAfterByType{};
        int maxDevices = 20000; ///< devices registered by their own messages stop here
        /// Per source: a peer address of CoAP, HTTP or WebSocket. MQTT devices are not counted here:
        /// the broker, which knows who publishes, is their gate.
        int newDevicesPerMinute = 600;
    };

    enum class Admission {
        Accepted,
        Pending,
        Denied, ///< the policy refuses unknown devices
        Full, ///< an unknown device, and maxDevices are registered
        TooFast, ///< an unknown device, and its source registered newDevicesPerMinute in this minute
    };

    /// Sources counted in one minute: past this many, new ones are refused as TooFast (a flood of
    /// spoofed addresses must not grow the count without bound).
    static constexpr int MaxSourcesPerMinute = 10000;

    DeviceRegistry(const Settings &settings, DeviceStore &store, Metrics &metrics, QObject *parent = nullptr);
    ~DeviceRegistry() override;

    /// Loads the stored devices; call once before use.
    [[nodiscard]] bool load(QString *error);

    /// A message from `id` arrived: registers it as the policy and the budgets say (`source`: who
    /// sent it, as its link sees it; empty when the link cannot tell), updates last seen and brings
    /// it online; `proof` is how its link knew it. The per-message hot path.
    Admission admit(const QString &id, Protocol protocol, qint64 nowMs, const QString &source = {},
                    DeviceProof proof = DeviceProof::None);
    /// When the per-source budget of new devices is spent: how long until the next minute starts.
    [[nodiscard]] std::chrono::seconds newDeviceRetryAfter(qint64 nowMs) const;

    /// A status the device reported; a repeated online (or error) is a heartbeat. `uptimeS` is the
    /// device's own uptime when it sent one.
    void setReportedStatus(const QString &id, DeviceStatus status, qint64 nowMs,
                           std::optional<qint64> uptimeS = std::nullopt);
    void applyMeta(const QString &id, const DeviceMeta &meta);
    /// Replaces the resources a device registered in the CoAP resource directory (empty: it has none
    /// now). They are not stored: a registration does not outlive the process that holds it.
    void setResources(const QString &id, const QList<DeviceResource> &resources);
    /// Keeps `message` as the last error of a known device; unknown ids are ignored.
    void recordError(const QString &id, const QString &message, qint64 nowMs);

    [[nodiscard]] const DeviceInfo *find(const QString &id) const;
    /// The device's type; empty for an unknown device or one without a type.
    [[nodiscard]] QString typeOf(const QString &id) const;
    /// The device as REST and the WebSocket API show it, with its health worked out at `nowMs`
    /// (uptime, messages in the last minute).
    [[nodiscard]] std::optional<DeviceInfo> snapshot(const QString &id, qint64 nowMs) const;
    /// How long `type` may stay silent before it counts as offline.
    [[nodiscard]] std::chrono::milliseconds offlineAfter(const QString &type) const;
    /// When each online device came online, from the status history (after load()).
    void restoreOnlineSince(const QHash<QString, qint64> &onlineSinceMs);
    [[nodiscard]] qsizetype size() const { return static_cast<qsizetype>(m_devices.size()); }
    /// Sorted by id, with health as snapshot() shows it; empty filters match everything.
    [[nodiscard]] QList<DeviceInfo> list(std::optional<DeviceStatus> status = {}, const QString &type = {},
                                         std::optional<Approval> approval = {}) const;

    enum class ChangeResult { Done, NotFound, Conflict, StorageFailed };
    ChangeResult approve(const QString &id);
    /// Turns a pending device away: it is removed as by remove() (its held messages are dropped).
    /// Conflict when it is approved already; removing it is then DELETE's business.
    ChangeResult reject(const QString &id);
    ChangeResult patch(const QString &id, const DevicePatch &patch);
    ChangeResult remove(const QString &id);

    /// Sets (or, when empty, clears) a device's credentials, written to storage at once. An unknown
    /// id is registered first, approved and offline: that is how devices are provisioned under
    /// policy deny. Conflict when another device already uses the PSK identity.
    ChangeResult setCredentials(const QString &id, const DeviceCredentials &credentials, bool *created = nullptr);
    /// nullptr when the device has none.
    [[nodiscard]] const DeviceCredentials *credentials(const QString &id) const;
    /// The devices the gateway CA has issued a certificate to, a credential beside PSK and token (one
    /// revoked or expired still counts: it is what the device must prove itself with). The CA's
    /// index is where they are kept; this is its current view. Holders of a `valid` certificate the
    /// registry does not know yet are provisioned, as setCredentials() does.
    void setCertified(QSet<QString> holders, const QSet<QString> &valid);
    [[nodiscard]] bool hasCertificate(const QString &id) const { return m_certified.contains(id); }
    /// A PSK, a token or a certificate: the device must prove itself on every link.
    [[nodiscard]] bool hasCredential(const QString &id) const;
    /// The device a DTLS PSK identity belongs to, with its key.
    [[nodiscard]] std::optional<DevicePsk> pskForIdentity(const QByteArray &identity) const;

    /// Writes pending changes now (also done on a timer and at shutdown).
    bool flush();
    [[nodiscard]] bool storageHealthy() const { return m_writes.healthy(); }
    [[nodiscard]] const Settings &settings() const { return m_settings; }

signals:
    /// A device was registered or changed in a way an operator sees (not plain last-seen updates).
    void deviceChanged(const edgegate::DeviceInfo &device);
    void deviceRemoved(const QString &id);
    void deviceApproved(const QString &id);
    /// A device's status changed (including its registration), with the reason.
    void statusChanged(const edgegate::StatusTransition &transition);

private:
    static constexpr int RateSlots = 6;
    static constexpr qint64 RateSlotMs = 10000;

    struct Entry
    {
        DeviceInfo info;
        std::chrono::steady_clock::time_point lastActivity;
        std::list<Entry *>::iterator livePos; // valid while `live`
        bool live = false; // in m_live, i.e. watched for silence
        std::optional<Protocol> protocol; // of the last message, to skip rebuilding info.protocol
        std::optional<DeviceProof> proof; // likewise for info.proof
        int listIndex = 0; // which m_live list its type's timeout puts it in
        // Messages per 10 s slot over the last minute, indexed by slot % 6; rateSlot is the newest.
        std::array<quint16, RateSlots> rate{};
        qint64 rateSlot = 0;
        std::optional<qint64> uptimeS; // as last reported by the device
        qint64 uptimeAtMs = 0;
    };

    /// Devices watched for silence with one timeout, least recently active first.
    struct LiveList
    {
        std::chrono::milliseconds timeout;
        std::list<Entry *> entries;
    };

    Entry *entry(const QString &id);
    /// Registers `id` approved and offline, and writes it at once; false when that write failed.
    bool provision(const QString &id);
    Entry &insert(DeviceInfo info);
    void markDirty(const Entry &e);
    void changed(Entry &e);
    void watch(Entry &e);
    void unwatch(Entry &e);
    void armOfflineTimer();
    void expireSilent();
    [[nodiscard]] int listFor(const QString &type) const;
    /// Sets the status, keeps online_since and announces the transition.
    void transition(Entry &e, DeviceStatus to, const QString &reason, qint64 nowMs);
    void countMessage(Entry &e, qint64 nowMs);
    /// Counts a new device against its source's budget for this minute; false when it is spent.
    bool countNewDevice(const QString &source, qint64 nowMs);
    void fillHealth(DeviceInfo &info, const Entry &e, qint64 nowMs) const;

    Settings m_settings;
    DeviceStore &m_store;
    std::unordered_map<QString, Entry> m_devices; // node-based: Entry addresses stay put
    std::vector<LiveList> m_live; // online/error devices; [0] has the default timeout
    QHash<QString, int> m_typeLists; // device type -> index in m_live
    QHash<QString, DeviceCredentials> m_credentials;
    QHash<QByteArray, QString> m_pskOwners; // identity -> device id
    QSet<QString> m_certified;
    QSet<QString> m_dirty;
    QSet<QString> m_removed;
    QTimer m_offlineTimer;
    QTimer m_flushTimer;
    RateLimitedLog m_notices{std::chrono::seconds(1)}; ///< lines devices can trigger at will
    qint64 m_newDevicesMinute = -1; ///< the minute (ms since the epoch / 60000) m_newDevicesBySource counts
    QHash<QString, int> m_newDevicesBySource;
    WriteHealth m_writes;
    Counter &m_registered;
    Counter &m_denied;
    Counter &m_flushFailures;
    Metrics &m_metrics;
};

} // namespace edgegate
