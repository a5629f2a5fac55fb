// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/duequeue.h"
#include "gateway/core/discovery/linkformat.h"
#include "shared/deviceinfo.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace edgegate {

/// The registration parameters of a resource directory request (RFC 9176 section 5.3), from the
/// Uri-Query options, checked. Unknown parameters (endpoint attributes) are ignored, as the RFC allows.
struct RdQuery
{
    QString endpoint; ///< `ep`
    std::optional<qint64> lifetime; ///< `lt`, seconds
    QString endpointType; ///< `et`
    std::optional<QString> base; ///< `base`

    /// From the Uri-Query options (each `name=value` or `name`); nullopt with `error` set on a
    /// repeated, empty or out-of-range parameter.
    [[nodiscard]] static std::optional<RdQuery> parse(const QList<QByteArray> &options, QString *error);
};

/// The links of a registration as the device's resources: each href resolved against `base` when
/// one is given; only CoAP (and HTTP) targets and relative references are taken.
[[nodiscard]] std::optional<QList<DeviceResource>> rdResources(const QList<Link> &links, const QString &base,
                                                               QString *error);

/// The registration interface of a CoRE resource directory (RFC 9176): registrations by endpoint
/// name with a lifetime, updated and removed by their id, and expired by one timer armed for the
/// earliest deadline. No sockets: the CoAP side is CoapResourceDirectory.
class ResourceDirectory : public QObject
{
    Q_OBJECT
public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;

    static constexpr qint64 DefaultLifetime = 90000; ///< seconds, RFC 9176
    static constexpr qint64 MaxLifetime = 4294967295; ///< seconds, 2^32 - 1

    struct Registration
    {
        QString id; ///< the `rd/{id}` location
        QString endpoint;
        QString endpointType;
        QString base;
        QList<DeviceResource> resources;
        qint64 lifetime = DefaultLifetime;
        Clock::time_point expires;
    };

    /// `now` is the clock (a test passes its own); `maxRegistrations` bounds memory.
    explicit ResourceDirectory(int maxRegistrations = 10000, Now now = &Clock::now, QObject *parent = nullptr);

    /// A new registration, or the endpoint's existing one replaced (same id). nullptr when full.
    const Registration *add(const QString &endpoint, qint64 lifetime, const QString &endpointType, const QString &base,
                            const QList<DeviceResource> &resources);
    /// Refreshes a registration's lifetime (its new one when given); replaces its base and resources
    /// when given. nullptr when there is no such registration.
    const Registration *update(const QString &id, std::optional<qint64> lifetime, std::optional<QString> base,
                               std::optional<QList<DeviceResource>> resources);
    /// The endpoint that was registered under `id`, or nullopt.
    std::optional<QString> remove(const QString &id);
    /// Drops an endpoint's registration, if it has one (the device was deleted).
    void removeEndpoint(const QString &endpoint);

    [[nodiscard]] const Registration *find(const QString &id) const;
    [[nodiscard]] const Registration *findEndpoint(const QString &endpoint) const;
    [[nodiscard]] qsizetype size() const { return m_registrations.size(); }

    /// Drops every registration whose lifetime has run out; the timer calls it, a test may too.
    void expireDue();

signals:
    /// A registration's lifetime ran out without an update.
    void expired(const QString &endpoint);

private:
    void schedule(Registration &r, qint64 lifetime);
    void unschedule(const Registration &r);
    void arm();
    QString newId() const;

    int m_max;
    Now m_now;
    QHash<QString, Registration> m_registrations; ///< by id
    QHash<QString, QString> m_byEndpoint; ///< endpoint -> id
    DueQueue<Clock::time_point> m_deadlines;
    QTimer m_timer;
};

} // namespace edgegate
