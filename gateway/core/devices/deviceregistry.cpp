// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/deviceregistry.h"

#include "gateway/core/common/duration.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/devicestore.h"
#include "gateway/core/ingest/limit.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>
#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;
using Clock = std::chrono::steady_clock;

Q_LOGGING_CATEGORY(lcRegistry, "edgegate.registry")

namespace {

/// Keeps `shown` (the name of `last`) up to date with `now` without rebuilding the string per message;
/// true when what is shown changed.
template<typename T> bool follow(std::optional<T> &last, T now, QString &shown, QString (*name)(T))
{
    if (last == now)
        return false;
    last = now;
    QString newName = name(now);
    if (shown == newName)
        return false;
    shown = std::move(newName);
    return true;
}

} // namespace

DeviceRegistry::DeviceRegistry(const Settings &settings, DeviceStore &store, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_store(store)
    , m_writes(lcRegistry(), u"the registry"_s)
    , m_registered(metrics.counter(u"edgegate_devices_registered_total"_s, u"Devices registered since start."_s))
    , m_denied(
          metrics.counter(u"edgegate_messages_rejected_total"_s, RejectedHelp, {{u"reason"_s, u"unknown_device"_s}}))
    , m_flushFailures(metrics.counter(u"edgegate_registry_flush_failures_total"_s,
                                      u"Batched registry writes that failed (retried at the next flush)."_s))
    , m_metrics(metrics)
{
    m_live.push_back({settings.offlineAfter, {}});
    // One list per distinct timeout, not per type: types sharing a timeout share a list.
    for (auto it = settings.offlineAfterByType.cbegin(); it != settings.offlineAfterByType.cend(); ++it) {
        const auto same = std::find_if(m_live.cbegin(), m_live.cend(),
                                       [&it](const LiveList &l) { return l.timeout == it.value(); });
        if (same == m_live.cend()) {
            m_typeLists.insert(it.key(), static_cast<int>(m_live.size()));
            m_live.push_back({it.value(), {}});
        } else {
            m_typeLists.insert(it.key(), static_cast<int>(same - m_live.cbegin()));
        }
    }
    m_offlineTimer.setSingleShot(true);
    connect(&m_offlineTimer, &QTimer::timeout, this, &DeviceRegistry::expireSilent);
    m_flushTimer.setInterval(settings.flushInterval);
    connect(&m_flushTimer, &QTimer::timeout, this, &DeviceRegistry::flush);

    for (auto status : {DeviceStatus::Online, DeviceStatus::Offline, DeviceStatus::Error, DeviceStatus::Maintenance})
        metrics.gauge(u"edgegate_devices"_s, u"Registered devices by status."_s,
                      {{u"status"_s, deviceStatusName(status)}});
    metrics.addCollector([this] {
        int counts[4] = {0, 0, 0, 0};
        for (const auto &[id, e] : m_devices)
            ++counts[static_cast<int>(e.info.status)];
        for (auto status :
             {DeviceStatus::Online, DeviceStatus::Offline, DeviceStatus::Error, DeviceStatus::Maintenance}) {
            m_metrics.gauge(u"edgegate_devices"_s, {}, {{u"status"_s, deviceStatusName(status)}})
                .set(counts[static_cast<int>(status)]);
        }
        m_metrics.gauge(u"edgegate_devices_pending"_s, u"Devices waiting for approval."_s)
            .set(static_cast<double>(std::count_if(m_devices.cbegin(), m_devices.cend(), [](const auto &kv) {
                return kv.second.info.approval == Approval::Pending;
            })));
    });
}

DeviceRegistry::~DeviceRegistry()
{
    flush();
}

bool DeviceRegistry::load(QString *error)
{
    const auto stored = m_store.loadAll();
    if (!stored) {
        if (error)
            *error = m_store.lastError();
        m_writes.unreadable();
        return false;
    }
    auto credentials = m_store.loadCredentials();
    if (!credentials) {
        if (error)
            *error = m_store.lastError();
        m_writes.unreadable();
        return false;
    }
    m_credentials = std::move(*credentials);
    for (auto it = m_credentials.cbegin(); it != m_credentials.cend(); ++it) {
        if (!it->pskIdentity.isEmpty())
            m_pskOwners.insert(it->pskIdentity, it.key());
    }
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const auto now = Clock::now();
    for (const DeviceInfo &info : *stored) {
        Entry &e = insert(info);
        if (e.info.status == DeviceStatus::Online || e.info.status == DeviceStatus::Error) {
            // Silence that began before the restart counts towards going offline.
            const auto silentFor = std::chrono::milliseconds(std::clamp<qint64>(
                nowMs - e.info.lastSeenMs, 0, static_cast<qint64>(m_live[e.listIndex].timeout.count())));
            e.lastActivity = now - silentFor;
            watch(e);
        }
    }
    // Devices were loaded in table order; the silence watch list must be oldest first.
    for (LiveList &l : m_live)
        l.entries.sort([](const Entry *a, const Entry *b) { return a->lastActivity < b->lastActivity; });
    qCInfo(lcRegistry).noquote() << "loaded" << m_devices.size() << "devices";
    armOfflineTimer();
    m_flushTimer.start();
    return true;
}

DeviceRegistry::Entry *DeviceRegistry::entry(const QString &id)
{
    const auto it = m_devices.find(id);
    return it == m_devices.end() ? nullptr : &it->second;
}

const DeviceInfo *DeviceRegistry::find(const QString &id) const
{
    const auto it = m_devices.find(id);
    return it == m_devices.end() ? nullptr : &it->second.info;
}

QString DeviceRegistry::typeOf(const QString &id) const
{
    const DeviceInfo *device = find(id);
    return device ? device->type : QString();
}

DeviceRegistry::Entry &DeviceRegistry::insert(DeviceInfo info)
{
    const QString id = info.id;
    // A device deleted and back before the next flush must not have its new row deleted.
    m_removed.remove(id);
    auto [it, inserted] = m_devices.try_emplace(id);
    it->second.info = std::move(info);
    it->second.listIndex = listFor(it->second.info.type);
    return it->second;
}

int DeviceRegistry::listFor(const QString &type) const
{
    return type.isEmpty() ? 0 : m_typeLists.value(type, 0);
}

std::chrono::milliseconds DeviceRegistry::offlineAfter(const QString &type) const
{
    return m_live[listFor(type)].timeout;
}

void DeviceRegistry::transition(Entry &e, DeviceStatus to, const QString &reason, qint64 nowMs)
{
    const DeviceStatus from = e.info.status;
    e.info.status = to;
    const bool wasUp = from == DeviceStatus::Online || from == DeviceStatus::Error;
    const bool isUp = to == DeviceStatus::Online || to == DeviceStatus::Error;
    if (isUp && !wasUp)
        e.info.onlineSinceMs = nowMs;
    if (!isUp) {
        e.info.onlineSinceMs = 0;
        e.uptimeS.reset();
    }
    emit statusChanged(StatusTransition{e.info.id, from, to, reason, nowMs});
}

void DeviceRegistry::countMessage(Entry &e, qint64 nowMs)
{
    const qint64 slot = nowMs / RateSlotMs;
    if (slot != e.rateSlot) {
        // Slots between the last message and now saw nothing.
        const qint64 stale = std::min<qint64>(std::max<qint64>(slot - e.rateSlot, 0), RateSlots);
        for (qint64 i = 1; i <= stale; ++i)
            e.rate[static_cast<size_t>((e.rateSlot + i) % RateSlots)] = 0;
        if (slot > e.rateSlot)
            e.rateSlot = slot;
    }
    quint16 &count = e.rate[static_cast<size_t>(e.rateSlot % RateSlots)];
    if (count < std::numeric_limits<quint16>::max())
        ++count;
}

void DeviceRegistry::fillHealth(DeviceInfo &info, const Entry &e, qint64 nowMs) const
{
    const qint64 slot = nowMs / RateSlotMs;
    int total = 0;
    for (qint64 i = 0; i < RateSlots; ++i) {
        const qint64 s = e.rateSlot - i;
        if (s > slot - RateSlots && s <= slot)
            total += e.rate[static_cast<size_t>(((s % RateSlots) + RateSlots) % RateSlots)];
    }
    info.messagesPerMinute = total;
    const bool up = info.status == DeviceStatus::Online || info.status == DeviceStatus::Error;
    if (up && e.uptimeS)
        info.uptimeS = *e.uptimeS + std::max<qint64>(0, nowMs - e.uptimeAtMs) / 1000;
    else if (up && info.onlineSinceMs > 0)
        info.uptimeS = std::max<qint64>(0, nowMs - info.onlineSinceMs) / 1000;
    else
        info.uptimeS = -1;
}

std::optional<DeviceInfo> DeviceRegistry::snapshot(const QString &id, qint64 nowMs) const
{
    const auto it = m_devices.find(id);
    if (it == m_devices.end())
        return std::nullopt;
    DeviceInfo info = it->second.info;
    fillHealth(info, it->second, nowMs);
    return info;
}

void DeviceRegistry::restoreOnlineSince(const QHash<QString, qint64> &onlineSinceMs)
{
    for (auto &[id, e] : m_devices) {
        if (e.info.status == DeviceStatus::Online || e.info.status == DeviceStatus::Error)
            e.info.onlineSinceMs = onlineSinceMs.value(id, e.info.onlineSinceMs);
    }
}

void DeviceRegistry::markDirty(const Entry &e)
{
    m_dirty.insert(e.info.id);
}

void DeviceRegistry::changed(Entry &e)
{
    markDirty(e);
    DeviceInfo shown = e.info;
    fillHealth(shown, e, QDateTime::currentMSecsSinceEpoch());
    emit deviceChanged(shown);
}

void DeviceRegistry::watch(Entry &e)
{
    std::list<Entry *> &entries = m_live[e.listIndex].entries;
    if (e.live) {
        entries.splice(entries.end(), entries, e.livePos);
    } else {
        e.livePos = entries.insert(entries.end(), &e);
        e.live = true;
    }
    if (!m_offlineTimer.isActive())
        armOfflineTimer();
}

void DeviceRegistry::unwatch(Entry &e)
{
    if (!e.live)
        return;
    m_live[e.listIndex].entries.erase(e.livePos);
    e.live = false;
}

void DeviceRegistry::armOfflineTimer()
{
    std::optional<Clock::time_point> deadline;
    for (const LiveList &l : m_live) {
        if (!l.entries.empty()) {
            const auto d = l.entries.front()->lastActivity + l.timeout;
            if (!deadline || d < *deadline)
                deadline = d;
        }
    }
    if (!deadline) {
        m_offlineTimer.stop();
        return;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
    // Rounded up so the timer never fires just before the deadline and re-arms for 0 ms.
    m_offlineTimer.start(std::max<qint64>(wait.count() + 1, 0));
}

void DeviceRegistry::expireSilent()
{
    const auto now = Clock::now();
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    for (LiveList &l : m_live) {
        while (!l.entries.empty() && l.entries.front()->lastActivity + l.timeout <= now) {
            Entry &e = *l.entries.front();
            unwatch(e);
            const QString silence = formatDuration(l.timeout);
            qCInfo(lcRegistry).noquote() << "device" << e.info.id << "offline: silent for" << silence;
            transition(e, DeviceStatus::Offline, u"silent for "_s + silence, nowMs);
            changed(e);
        }
    }
    armOfflineTimer();
}

bool DeviceRegistry::countNewDevice(const QString &source, qint64 nowMs)
{
    if (const qint64 minute = nowMs / 60000; minute != m_newDevicesMinute) {
        m_newDevicesMinute = minute;
        m_newDevicesBySource.clear();
    }
    auto counted = m_newDevicesBySource.find(source);
    if (counted == m_newDevicesBySource.end()) {
        if (m_newDevicesBySource.size() >= MaxSourcesPerMinute)
            return false;
        counted = m_newDevicesBySource.insert(source, 0);
    }
    if (*counted >= m_settings.newDevicesPerMinute)
        return false;
    ++*counted;
    return true;
}

std::chrono::seconds DeviceRegistry::newDeviceRetryAfter(qint64 nowMs) const
{
    return std::chrono::seconds(std::max<qint64>(1, (60000 - nowMs % 60000 + 999) / 1000));
}

DeviceRegistry::Admission DeviceRegistry::admit(const QString &id, Protocol protocol, qint64 nowMs,
                                                const QString &source, DeviceProof proof)
{
    Entry *e = entry(id);
    if (!e) {
        if (m_settings.policy == RegistryPolicy::Deny) {
            m_denied.inc();
            return Admission::Denied;
        }
        if (size() >= m_settings.maxDevices)
            return Admission::Full;
        if (!source.isEmpty() && !countNewDevice(source, nowMs))
            return Admission::TooFast;
        DeviceInfo info;
        info.id = id;
        info.protocol = protocolName(protocol);
        info.proof = proofName(proof);
        info.status = DeviceStatus::Online;
        info.approval = m_settings.policy == RegistryPolicy::Approve ? Approval::Pending : Approval::Approved;
        info.firstSeenMs = nowMs;
        info.lastSeenMs = nowMs;
        info.onlineSinceMs = nowMs;
        e = &insert(std::move(info));
        e->protocol = protocol;
        e->proof = proof;
        e->lastActivity = Clock::now();
        countMessage(*e, nowMs);
        watch(*e);
        m_registered.inc();
        if (const auto suppressed = m_notices.allow(u"registered"_s)) {
            qCInfo(lcRegistry).noquote() << "registered device" << id << "over" << protocolName(protocol)
                                         << (e->info.approval == Approval::Pending ? "(pending approval)"
                                                                                   : "(approved)")
                                         << moreSince(*suppressed);
        }
        emit statusChanged(StatusTransition{id, std::nullopt, DeviceStatus::Online,
                                            u"registered: first %1 message"_s.arg(protocolName(protocol)), nowMs});
        changed(*e);
        return e->info.approval == Approval::Pending ? Admission::Pending : Admission::Accepted;
    }

    e->info.lastSeenMs = nowMs;
    e->lastActivity = Clock::now();
    countMessage(*e, nowMs);
    bool visible = false;
    if (e->info.status == DeviceStatus::Offline) {
        transition(*e, DeviceStatus::Online, u"%1 message"_s.arg(protocolName(protocol)), nowMs);
        visible = true;
    }
    if (e->info.status != DeviceStatus::Maintenance)
        watch(*e);
    visible |= follow(e->protocol, protocol, e->info.protocol, protocolName);
    visible |= follow(e->proof, proof, e->info.proof, proofName);
    if (visible)
        changed(*e);
    else
        markDirty(*e);
    return e->info.approval == Approval::Pending ? Admission::Pending : Admission::Accepted;
}

void DeviceRegistry::setReportedStatus(const QString &id, DeviceStatus status, qint64 nowMs,
                                       std::optional<qint64> uptimeS)
{
    Entry *e = entry(id);
    if (!e)
        return;
    if (uptimeS && status != DeviceStatus::Offline) {
        e->uptimeS = uptimeS;
        e->uptimeAtMs = nowMs;
    }
    if (e->info.status == status) {
        // A repeated online or error report is a heartbeat: it keeps the device from going silent.
        if (status != DeviceStatus::Offline) {
            e->info.lastSeenMs = nowMs;
            e->lastActivity = Clock::now();
            watch(*e);
            markDirty(*e);
        }
        return;
    }
    if (e->info.status == DeviceStatus::Maintenance) {
        // An operator put it there; only an operator takes it out.
        return;
    }
    transition(*e, status,
               status == DeviceStatus::Offline ? u"offline status message (or the device's will)"_s
                                               : u"%1 status message"_s.arg(deviceStatusName(status)),
               nowMs);
    if (status == DeviceStatus::Offline) {
        unwatch(*e);
    } else {
        e->info.lastSeenMs = nowMs;
        e->lastActivity = Clock::now();
        watch(*e);
    }
    if (const auto suppressed = m_notices.allow(u"reports"_s))
        qCInfo(lcRegistry).noquote() << "device" << id << "reports" << deviceStatusName(status)
                                     << moreSince(*suppressed);
    changed(*e);
}

void DeviceRegistry::applyMeta(const QString &id, const DeviceMeta &meta)
{
    Entry *e = entry(id);
    if (!e)
        return;
    DeviceInfo before = e->info;
    if (meta.name && e->info.name.isEmpty())
        e->info.name = *meta.name; // an operator's name wins over the device's own
    if (meta.type && *meta.type != e->info.type) {
        e->info.type = *meta.type;
        const int list = listFor(e->info.type);
        if (list != e->listIndex) {
            // Into its type's list at its place by last activity, so the list stays in order.
            const bool wasLive = e->live;
            unwatch(*e);
            e->listIndex = list;
            if (wasLive) {
                std::list<Entry *> &entries = m_live[list].entries;
                auto pos = entries.end();
                while (pos != entries.begin() && (*std::prev(pos))->lastActivity > e->lastActivity)
                    --pos;
                e->livePos = entries.insert(pos, e);
                e->live = true;
                armOfflineTimer();
            }
        }
    }
    if (meta.firmware)
        e->info.firmware = *meta.firmware;
    if (meta.model)
        e->info.model = *meta.model;
    if (meta.capabilities)
        e->info.capabilities = *meta.capabilities;
    if (meta.metrics)
        e->info.metrics = *meta.metrics;
    for (auto it = meta.metadata.cbegin(); it != meta.metadata.cend(); ++it)
        e->info.metadata.insert(it.key(), it.value());
    if (!(before == e->info))
        changed(*e);
}

void DeviceRegistry::setResources(const QString &id, const QList<DeviceResource> &resources)
{
    Entry *e = entry(id);
    if (!e || e->info.resources == resources)
        return;
    e->info.resources = resources;
    // Not written anywhere, but dashboards show them.
    emit deviceChanged(e->info);
}

void DeviceRegistry::recordError(const QString &id, const QString &message, qint64 nowMs)
{
    Entry *e = entry(id);
    if (!e)
        return;
    const bool hadError = !e->info.lastError.isEmpty();
    const qint64 previousMs = e->info.lastErrorMs;
    const bool same = e->info.lastError == message;
    e->info.lastError = message;
    e->info.lastErrorMs = nowMs;
    // A device repeating mistakes is not news for every dashboard each time: at most one event a second.
    if (same || (hadError && nowMs - previousMs < 1000)) {
        markDirty(*e);
        return;
    }
    changed(*e);
}

QList<DeviceInfo> DeviceRegistry::list(std::optional<DeviceStatus> status, const QString &type,
                                       std::optional<Approval> approval) const
{
    QList<DeviceInfo> out;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    for (const auto &[id, e] : m_devices) {
        if (status && e.info.status != *status)
            continue;
        if (!type.isEmpty() && e.info.type != type)
            continue;
        if (approval && e.info.approval != *approval)
            continue;
        out.append(e.info);
        fillHealth(out.back(), e, nowMs);
    }
    std::sort(out.begin(), out.end(), [](const DeviceInfo &a, const DeviceInfo &b) { return a.id < b.id; });
    return out;
}

DeviceRegistry::ChangeResult DeviceRegistry::approve(const QString &id)
{
    Entry *e = entry(id);
    if (!e)
        return ChangeResult::NotFound;
    if (e->info.approval == Approval::Approved)
        return ChangeResult::Conflict;
    e->info.approval = Approval::Approved;
    qCInfo(lcRegistry).noquote() << "device" << id << "approved";
    changed(*e);
    emit deviceApproved(id);
    return ChangeResult::Done;
}

DeviceRegistry::ChangeResult DeviceRegistry::reject(const QString &id)
{
    const Entry *e = entry(id);
    if (!e)
        return ChangeResult::NotFound;
    if (e->info.approval == Approval::Approved)
        return ChangeResult::Conflict;
    qCInfo(lcRegistry).noquote() << "device" << id << "rejected";
    return remove(id);
}

DeviceRegistry::ChangeResult DeviceRegistry::patch(const QString &id, const DevicePatch &patch)
{
    Entry *e = entry(id);
    if (!e)
        return ChangeResult::NotFound;
    if (patch.name)
        e->info.name = *patch.name;
    if (patch.metadata)
        e->info.metadata = *patch.metadata;
    if (patch.maintenance) {
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        if (*patch.maintenance && e->info.status != DeviceStatus::Maintenance) {
            transition(*e, DeviceStatus::Maintenance, u"operator: maintenance on"_s, nowMs);
            unwatch(*e);
        } else if (!*patch.maintenance && e->info.status == DeviceStatus::Maintenance) {
            // Back from maintenance: online if it spoke recently, else offline.
            const bool recent = Clock::now() - e->lastActivity < m_live[e->listIndex].timeout;
            transition(*e, recent ? DeviceStatus::Online : DeviceStatus::Offline,
                       recent ? u"operator: maintenance off, heard from recently"_s
                              : u"operator: maintenance off, silent"_s,
                       nowMs);
            if (recent)
                watch(*e);
        }
    }
    changed(*e);
    return ChangeResult::Done;
}

DeviceRegistry::ChangeResult DeviceRegistry::remove(const QString &id)
{
    const auto it = m_devices.find(id);
    if (it == m_devices.end())
        return ChangeResult::NotFound;
    unwatch(it->second);
    m_devices.erase(it);
    const DeviceCredentials gone = m_credentials.take(id);
    m_pskOwners.remove(gone.pskIdentity);
    m_dirty.remove(id);
    m_removed.insert(id);
    qCInfo(lcRegistry).noquote() << "device" << id << "removed";
    emit deviceRemoved(id);
    return ChangeResult::Done;
}

DeviceRegistry::ChangeResult DeviceRegistry::setCredentials(const QString &id, const DeviceCredentials &credentials,
                                                            bool *created)
{
    if (!credentials.pskIdentity.isEmpty()) {
        const QString owner = m_pskOwners.value(credentials.pskIdentity);
        if (!owner.isEmpty() && owner != id)
            return ChangeResult::Conflict;
    }
    const bool known = entry(id) != nullptr;
    if (created)
        *created = !known;
    // The device row must exist before anything refers to it, so it is written now.
    if (!known && !provision(id))
        return ChangeResult::StorageFailed;
    if (!m_store.saveCredentials(id, credentials)) {
        qCWarning(lcRegistry).noquote() << "cannot store credentials of" << id << ":" << m_store.lastError();
        return ChangeResult::StorageFailed;
    }
    const DeviceCredentials old = m_credentials.value(id);
    m_pskOwners.remove(old.pskIdentity);
    if (credentials.isEmpty())
        m_credentials.remove(id);
    else
        m_credentials.insert(id, credentials);
    if (!credentials.pskIdentity.isEmpty())
        m_pskOwners.insert(credentials.pskIdentity, id);
    qCInfo(lcRegistry).noquote() << "credentials of" << id << (credentials.isEmpty() ? "cleared" : "set");
    return ChangeResult::Done;
}

const DeviceCredentials *DeviceRegistry::credentials(const QString &id) const
{
    const auto it = m_credentials.constFind(id);
    return it == m_credentials.cend() ? nullptr : &it.value();
}

bool DeviceRegistry::provision(const QString &id)
{
    DeviceInfo info;
    info.id = id;
    info.status = DeviceStatus::Offline;
    info.approval = Approval::Approved;
    info.firstSeenMs = QDateTime::currentMSecsSinceEpoch();
    Entry &e = insert(std::move(info));
    m_registered.inc();
    qCInfo(lcRegistry).noquote() << "provisioned device" << id;
    changed(e);
    return flush();
}

void DeviceRegistry::setCertified(QSet<QString> holders, const QSet<QString> &valid)
{
    if (holders != m_certified)
        qCInfo(lcRegistry).noquote() << holders.size() << "device(s) hold a certificate of the gateway CA";
    m_certified = std::move(holders);
    for (const QString &id : valid) {
        if (!entry(id))
            provision(id);
    }
}

bool DeviceRegistry::hasCredential(const QString &id) const
{
    const DeviceCredentials *c = credentials(id);
    return (c && !c->isEmpty()) || m_certified.contains(id);
}

std::optional<DevicePsk> DeviceRegistry::pskForIdentity(const QByteArray &identity) const
{
    const QString owner = m_pskOwners.value(identity);
    if (owner.isEmpty())
        return std::nullopt;
    return DevicePsk{owner, m_credentials.value(owner).pskKey};
}

bool DeviceRegistry::flush()
{
    if (m_dirty.isEmpty() && m_removed.isEmpty())
        return true;
    QList<DeviceInfo> upserts;
    upserts.reserve(m_dirty.size());
    for (const QString &id : std::as_const(m_dirty)) {
        if (const DeviceInfo *d = find(id))
            upserts.append(*d);
    }
    const QStringList removals(m_removed.cbegin(), m_removed.cend());
    if (!m_store.save(upserts, removals)) {
        m_flushFailures.inc();
        m_writes.failed(m_store.lastError());
        return false;
    }
    m_writes.succeeded();
    m_dirty.clear();
    m_removed.clear();
    return true;
}

} // namespace edgegate
