// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/envelope.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <utility>

namespace edgegate {

/// One point in InfluxDB 1.x line protocol, without a trailing newline.
///
/// Tags are written sorted by key; a later tag with the same key replaces an earlier one. What
/// the protocol cannot carry is dropped rather than allowed to break the line or the batch:
/// tags with an empty key or value, fields with an empty key, the key `time` (the server rejects
/// the whole point for it) and non-finite numbers. Characters that cannot be escaped are
/// replaced (see influxline.cpp for each rule and the server behaviour behind it):
/// - a newline in a measurement, tag key, tag value or field key becomes the two characters `\n`;
/// - a backslash ending one of those, or right before a comma, space or equals sign in one of
///   them, becomes U+FF3C FULLWIDTH REVERSE SOLIDUS;
/// - a measurement starting with `#` starts with U+FF03 FULLWIDTH NUMBER SIGN instead, and one
///   starting with a tab, CR, vertical tab or form feed starts with a space instead.
/// String field values are carried unchanged, newlines included.
///
/// Returns an empty array when nothing can be written (empty measurement, no field left).
[[nodiscard]] QByteArray influxLine(const QString &measurement, const QList<std::pair<QString, QString>> &tags,
                                    const QList<Sample> &fields, qint64 timestampNs);

/// All samples of an envelope, one line per distinct Sample::timeNs (in order of first
/// appearance), each line ending in a newline: a ready body for `POST /write?precision=ns`.
/// Empty when no line could be written.
[[nodiscard]] QByteArray influxLines(const Envelope &envelope, const QString &measurement,
                                     const QList<std::pair<QString, QString>> &tags);

/// Of `lines` (each as influxLine() writes it, without its newline), how many write a field that an
/// earlier line of the list already wrote for the same series (measurement and tags) and timestamp.
/// InfluxDB keeps one value per series, field and time, so each of those replaces a value sent
/// with it. Lines with the same series and time but other fields are merged by the server and
/// replace nothing.
[[nodiscard]] qsizetype influxOverwrites(const QList<QByteArrayView> &lines);

} // namespace edgegate
