// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/discovery/resourcedirectory.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUrl>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRd, "edgegate.rd")

namespace {

constexpr int MaxTypeLength = 128;
constexpr int MaxBaseLength = 255;
// QTimer takes an int of milliseconds; long lifetimes are waited for in steps.
constexpr std::chrono::milliseconds MaxTimerStep{std::chrono::hours(24)};

bool printable(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() != 0x7f; });
}

bool isCoapScheme(const QString &scheme)
{
    static const QStringList schemes{u"coap"_s,    u"coaps"_s,    u"coap+tcp"_s, u"coaps+tcp"_s,
                                     u"coap+ws"_s, u"coaps+ws"_s, u"http"_s,     u"https"_s};
    return schemes.contains(scheme.toLower());
}

} // namespace

std::optional<RdQuery> RdQuery::parse(const QList<QByteArray> &options, QString *error)
{
    RdQuery q;
    QSet<QByteArray> seen;
    for (const QByteArray &option : options) {
        const qsizetype eq = option.indexOf('=');
        const QByteArray name = eq < 0 ? option : option.left(eq);
        const QString value = QString::fromUtf8(eq < 0 ? QByteArray() : option.mid(eq + 1));
        if (name != "ep" && name != "lt" && name != "et" && name != "base")
            continue;
        if (seen.contains(name)) {
            *error = u"'%1' given twice"_s.arg(QString::fromLatin1(name));
            return std::nullopt;
        }
        seen.insert(name);
        if (value.isEmpty() || !printable(value)) {
            *error = u"'%1' needs a printable value"_s.arg(QString::fromLatin1(name));
            return std::nullopt;
        }
        if (name == "ep") {
            q.endpoint = value;
        } else if (name == "lt") {
            bool ok = false;
            const qint64 lt = value.toLongLong(&ok);
            if (!ok || lt < 1 || lt > ResourceDirectory::MaxLifetime) {
                *error = u"'lt' must be a whole number of seconds from 1 to %1"_s.arg(ResourceDirectory::MaxLifetime);
                return std::nullopt;
            }
            q.lifetime = lt;
        } else if (name == "et") {
            if (value.size() > MaxTypeLength) {
                *error = u"'et' is longer than %1 characters"_s.arg(MaxTypeLength);
                return std::nullopt;
            }
            q.endpointType = value;
        } else {
            const QUrl base(value, QUrl::StrictMode);
            if (value.size() > MaxBaseLength || !base.isValid() || !isCoapScheme(base.scheme())
                || base.host().isEmpty()) {
                *error = u"'base' must be an absolute coap, coaps or http(s) URI of at most %1 characters"_s.arg(
                    MaxBaseLength);
                return std::nullopt;
            }
            q.base = value;
        }
    }
    return q;
}

std::optional<QList<DeviceResource>> rdResources(const QList<Link> &links, const QString &base, QString *error)
{
    QList<DeviceResource> out;
    const QUrl baseUrl(base);
    for (const Link &link : links) {
        const QUrl href(link.href, QUrl::StrictMode);
        if (!href.scheme().isEmpty() && !isCoapScheme(href.scheme())) {
            *error = u"link target '%1': only coap, coaps and http(s) targets are registered"_s.arg(link.href);
            return std::nullopt;
        }
        if (href.hasFragment()) {
            *error = u"link target '%1' has a fragment"_s.arg(link.href);
            return std::nullopt;
        }
        DeviceResource r;
        r.href = base.isEmpty() || !href.isRelative() ? link.href : baseUrl.resolved(href).toString();
        auto text = [&link](QStringView name) {
            const LinkParam *p = link.param(name);
            return p ? p->value : QString();
        };
        r.rt = text(u"rt");
        r.interfaces = text(u"if");
        r.contentFormats = text(u"ct");
        r.observable = link.param(u"obs") != nullptr;
        out.append(std::move(r));
    }
    return out;
}

ResourceDirectory::ResourceDirectory(int maxRegistrations, Now now, QObject *parent)
    : QObject(parent)
    , m_max(maxRegistrations)
    , m_now(std::move(now))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ResourceDirectory::expireDue);
}

QString ResourceDirectory::newId() const
{
    // Not guessable, so one endpoint cannot easily update or remove another's registration.
    QString id;
    do {
        id = QString::number(QRandomGenerator::system()->generate64(), 36);
    } while (m_registrations.contains(id));
    return id;
}

void ResourceDirectory::schedule(Registration &r, qint64 lifetime)
{
    r.lifetime = lifetime;
    r.expires = m_now() + std::chrono::seconds(lifetime);
    m_deadlines.emplace(r.expires, r.id);
}

void ResourceDirectory::unschedule(const Registration &r)
{
    m_deadlines.erase({r.expires, r.id});
}

const ResourceDirectory::Registration *ResourceDirectory::add(const QString &endpoint, qint64 lifetime,
                                                              const QString &endpointType, const QString &base,
                                                              const QList<DeviceResource> &resources)
{
    QString id = m_byEndpoint.value(endpoint);
    if (id.isEmpty()) {
        if (m_registrations.size() >= m_max)
            return nullptr;
        id = newId();
        m_byEndpoint.insert(endpoint, id);
    } else {
        unschedule(m_registrations[id]);
    }
    Registration &r = m_registrations[id];
    r.id = id;
    r.endpoint = endpoint;
    r.endpointType = endpointType;
    r.base = base;
    r.resources = resources;
    schedule(r, lifetime);
    qCInfo(lcRd).noquote() << "endpoint" << endpoint << u"registered as rd/"_s + id << "for" << lifetime << "s with"
                           << resources.size() << "resource(s)";
    arm();
    return &r;
}

const ResourceDirectory::Registration *ResourceDirectory::update(const QString &id, std::optional<qint64> lifetime,
                                                                 std::optional<QString> base,
                                                                 std::optional<QList<DeviceResource>> resources)
{
    const auto it = m_registrations.find(id);
    if (it == m_registrations.end())
        return nullptr;
    Registration &r = *it;
    unschedule(r);
    if (base)
        r.base = *base;
    if (resources)
        r.resources = *resources;
    schedule(r, lifetime.value_or(r.lifetime));
    arm();
    return &r;
}

std::optional<QString> ResourceDirectory::remove(const QString &id)
{
    const auto it = m_registrations.find(id);
    if (it == m_registrations.end())
        return std::nullopt;
    const QString endpoint = it->endpoint;
    unschedule(*it);
    m_byEndpoint.remove(endpoint);
    m_registrations.erase(it);
    qCInfo(lcRd).noquote() << "endpoint" << endpoint << "removed its registration";
    arm();
    return endpoint;
}

void ResourceDirectory::removeEndpoint(const QString &endpoint)
{
    const QString id = m_byEndpoint.value(endpoint);
    if (!id.isEmpty())
        remove(id);
}

const ResourceDirectory::Registration *ResourceDirectory::find(const QString &id) const
{
    const auto it = m_registrations.constFind(id);
    return it == m_registrations.cend() ? nullptr : &*it;
}

const ResourceDirectory::Registration *ResourceDirectory::findEndpoint(const QString &endpoint) const
{
    return find(m_byEndpoint.value(endpoint));
}

void ResourceDirectory::expireDue()
{
    const auto now = m_now();
    while (const auto id = takeDue(m_deadlines, now)) {
        const Registration r = m_registrations.take(*id);
        m_byEndpoint.remove(r.endpoint);
        qCInfo(lcRd).noquote() << "registration of" << r.endpoint << "expired after" << r.lifetime << "s";
        emit expired(r.endpoint);
    }
    arm();
}

void ResourceDirectory::arm()
{
    if (m_deadlines.empty()) {
        m_timer.stop();
        return;
    }
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(m_deadlines.begin()->first - m_now());
    m_timer.start(std::clamp(wait, std::chrono::milliseconds(0), MaxTimerStep));
}

} // namespace edgegate
