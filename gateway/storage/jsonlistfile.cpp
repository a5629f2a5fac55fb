// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/jsonlistfile.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace edgegate::jsonlistfile {

using namespace Qt::StringLiterals;

std::optional<QJsonArray> read(const QString &path, const QString &what, qint64 maxBytes, QString *error)
{
    QFile file(path);
    if (!file.exists())
        return std::nullopt;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(maxBytes < 0 ? file.readAll() : file.read(maxBytes), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray()) {
        *error = u"%1 is not a JSON list of %2: %3"_s.arg(path, what, parseError.errorString());
        return std::nullopt;
    }
    return doc.array();
}

bool write(const QString &path, const QJsonArray &list, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = u"cannot write %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(list).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = u"cannot write %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace edgegate::jsonlistfile
