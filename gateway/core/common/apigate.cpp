// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/apigate.h"

#include "gateway/core/common/apiaccess.h"

#include <QList>

#include <algorithm>

namespace edgegate {

namespace {

// A segment the router sees exactly as sent: percent-escapes and dot segments could make a path
// the gate reads as exempt route elsewhere once decoded, so they never count as exempt.
bool isPlainSegment(QByteArrayView segment)
{
    return !segment.isEmpty() && segment != "." && segment != ".." && !segment.contains('%');
}

bool isAny(QByteArrayView method, std::initializer_list<QByteArrayView> methods)
{
    return std::any_of(methods.begin(), methods.end(), [method](QByteArrayView m) { return m == method; });
}

} // namespace

QList<QByteArrayView> pathSegments(QByteArrayView path)
{
    QList<QByteArrayView> out;
    qsizetype from = 0;
    for (qsizetype slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', from)) {
        out.append(path.sliced(from, slash - from));
        from = slash + 1;
    }
    out.append(path.sliced(from));
    return out;
}

bool isTokenExempt(QByteArrayView method, QByteArrayView target)
{
    qsizetype end = target.size();
    for (const char stop : {'?', '#'}) {
        const qsizetype at = target.indexOf(stop);
        if (at >= 0)
            end = std::min(end, at);
    }
    const QByteArrayView path = target.first(end);
    if (!path.startsWith('/'))
        return false;
    if (path == "/healthz")
        return true;
    const QList<QByteArrayView> s = pathSegments(path.sliced(1));
    if (!std::all_of(s.cbegin(), s.cend(), isPlainSegment))
        return false;
    const auto starts = [&s](std::initializer_list<QByteArrayView> prefix) {
        return s.size() >= qsizetype(prefix.size()) && std::equal(prefix.begin(), prefix.end(), s.cbegin());
    };
    if (method == "GET" && s.size() == 1 && s[0] == "ws")
        return true;
    if (method == "GET" && s.size() == 3 && starts({"ws", "device"}))
        return true;
    // /api/v1/devices/{id}/...
    if (starts({"api", "v1", "devices"}) && s.size() >= 5) {
        const QList<QByteArrayView> rest = s.sliced(4);
        if (method == "POST" && rest.size() == 1 && (rest[0] == "telemetry" || rest[0] == "meta"))
            return true;
        if (rest.size() == 2 && rest[0] == "ota")
            return (method == "POST" && rest[1] == "progress") || (method == "GET" && rest[1] == "pending");
        if (rest.size() == 2 && rest[0] == "commands")
            return (method == "POST" && rest[1] == "ack") || (method == "GET" && rest[1] == "pending");
        return false;
    }
    // /api/v1/firmware/{name}/{version}/image: the URL devices are sent to download from
    return isAny(method, {"GET", "HEAD"}) && s.size() == 6 && starts({"api", "v1", "firmware"}) && s[5] == "image";
}

ApiGateVerdict apiGate(const ApiAccess &access, QByteArrayView method, QByteArrayView target,
                       QByteArrayView authorization)
{
    if (!access.required() || isTokenExempt(method, target))
        return ApiGateVerdict::Allow;
    if (authorization.trimmed().isEmpty())
        return ApiGateVerdict::MissingToken;
    const auto identity = access.identifyHeader(authorization);
    if (!identity)
        return ApiGateVerdict::WrongToken;
    if (identity->role == ApiRole::Viewer && !isAny(method, {"GET", "HEAD"}))
        return ApiGateVerdict::Forbidden;
    return ApiGateVerdict::Allow;
}

} // namespace edgegate
