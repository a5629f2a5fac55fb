// SPDX-License-Identifier: Apache-2.0
// The keys of an MQTT connection, written once for every section that has one (mqtt: the local
// broker; upstream: the cloud broker), so that their checks cannot drift apart.
#pragma once

#include "gateway/app/config/loader.h"

#include <algorithm>

namespace edgegate::configload {

/// host, port, protocol, client_id, username, password, keepalive, reconnect_min, reconnect_max of
/// the section `Section` points to. With `MayBeOff`, an empty host turns the connection off.
template<auto Section, bool MayBeOff> QList<KeySpec> mqttConnectionKeys(QStringView section)
{
    return {
        {section, u"host",
         [](Loader &l, const Item &item) {
             if (MayBeOff && item.node.IsScalar() && item.node.Scalar().empty()) {
                 (l.config().*Section).host.clear();
                 return;
             }
             if (const auto value = l.host(item))
                 (l.config().*Section).host = *value;
         }},
        {section, u"port",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 65535))
                 (l.config().*Section).port = quint16(*value);
         }},
        {section, u"protocol",
         [](Loader &l, const Item &item) {
             if (const auto value = l.choice(item, {u"5"_s, u"3.1.1"_s}))
                 (l.config().*Section).v5 = *value == u"5";
         }},
        {section, u"client_id",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             if (text->size() > MaxClientIdLength) {
                 l.keyError(item,
                            u"too long ("_s + QString::number(text->size()) + u" characters, at most "_s
                                + QString::number(MaxClientIdLength) + u")"_s);
                 return;
             }
             const bool printable = std::all_of(text->begin(), text->end(),
                                                [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x7f; });
             if (!printable) {
                 l.keyError(item, u"'"_s + shown(*text) + u"' must be printable ASCII"_s);
                 return;
             }
             (l.config().*Section).clientId = *text;
         }},
        {section, u"username",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 (l.config().*Section).username = *value;
         }},
        {section, u"password",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 (l.config().*Section).password = *value;
         }},
        {section, u"keepalive",
         [](Loader &l, const Item &item) {
             if (const auto value = l.wholeSeconds(item, 5s, 65535s))
                 (l.config().*Section).keepalive = *value;
         }},
        {section, u"reconnect_min",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 10ms, 60s))
                 (l.config().*Section).reconnectMin = *value;
         }},
        {section, u"reconnect_max",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 100ms, 1h))
                 (l.config().*Section).reconnectMax = *value;
         }},
    };
}

} // namespace edgegate::configload
