// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QString>

#include <optional>

namespace edgegate {

/// A JSON list kept in one file of data_dir and replaced atomically: how what an operator changes over
/// the REST API (routes, alert rules) outlives a restart.
namespace jsonlistfile {

/// The list in `path`. nullopt with `error` left empty when there is no such file; nullopt with `error`
/// set when it cannot be read or is not a JSON list of `what`. At most `maxBytes` are read (-1: all).
[[nodiscard]] std::optional<QJsonArray> read(const QString &path, const QString &what, qint64 maxBytes, QString *error);

/// Replaces the file with `list`; false with `error` set when it cannot.
[[nodiscard]] bool write(const QString &path, const QJsonArray &list, QString *error);

} // namespace jsonlistfile
} // namespace edgegate
