// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/storage/jsonlistfile.h"

#include <QFile>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace edgegate {

/// A list an operator can change through the REST API (routes, alert rules), kept in a JSON file
/// of data_dir so the change survives a restart; until it is changed (or after a reset) the list
/// from the config file applies.
template<typename T> class ListBook
{
public:
    using FromJson = std::optional<QList<T>> (*)(const QJsonArray &, QString *);
    using ToJson = QJsonArray (*)(const QList<T> &);

    /// Reads the saved list if there is one; false with `error` set when the file exists but
    /// cannot be used (the configured list stays in force).
    bool load(QString *error)
    {
        QString problem;
        const auto list = jsonlistfile::read(m_path, m_what, m_maxBytes, &problem);
        if (!list) {
            if (problem.isEmpty())
                return true; // no file: the config's
            *error = problem;
            return false;
        }
        auto items = m_fromJson(*list, &problem);
        if (!items) {
            *error = m_path + QStringLiteral(": ") + problem;
            return false;
        }
        m_saved = std::move(*items);
        m_fromApi = true;
        return true;
    }

    /// Saves the whole list (written to a temporary file and renamed into place).
    bool save(const QList<T> &items, QString *error)
    {
        if (!jsonlistfile::write(m_path, m_toJson(items), error))
            return false;
        m_saved = items;
        m_fromApi = true;
        return true;
    }

    /// Forgets the saved list: the configured one applies again.
    bool reset(QString *error)
    {
        if (QFile::exists(m_path) && !QFile::remove(m_path)) {
            *error = QStringLiteral("cannot remove %1").arg(m_path);
            return false;
        }
        m_saved.clear();
        m_fromApi = false;
        return true;
    }

    /// "api" or "config".
    [[nodiscard]] QString source() const { return m_fromApi ? QStringLiteral("api") : QStringLiteral("config"); }

protected:
    /// `what` names the list in errors; at most `maxBytes` of the file are read (-1: all).
    ListBook(const QString &path, QList<T> configured, const QString &what, qint64 maxBytes, FromJson fromJson,
             ToJson toJson)
        : m_path(path)
        , m_what(what)
        , m_maxBytes(maxBytes)
        , m_fromJson(fromJson)
        , m_toJson(toJson)
        , m_configured(std::move(configured))
    {
    }

    [[nodiscard]] const QList<T> &items() const { return m_fromApi ? m_saved : m_configured; }
    [[nodiscard]] const QList<T> &configured() const { return m_configured; }

private:
    QString m_path;
    QString m_what;
    qint64 m_maxBytes;
    FromJson m_fromJson;
    ToJson m_toJson;
    QList<T> m_configured;
    QList<T> m_saved;
    bool m_fromApi = false;
};

} // namespace edgegate
