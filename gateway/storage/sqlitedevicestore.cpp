// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/sqlitedevicestore.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDeviceStore, "edgegate.registry.store")

SqliteDeviceStore::SqliteDeviceStore()
    : SqliteStore(u"registry"_s,
                  {
                      {uR"(CREATE TABLE IF NOT EXISTS devices (
                                      id TEXT PRIMARY KEY NOT NULL,
                                      name TEXT NOT NULL DEFAULT '',
                                      type TEXT NOT NULL DEFAULT '',
                                      firmware TEXT NOT NULL DEFAULT '',
                                      protocol TEXT NOT NULL DEFAULT '',
                                      status TEXT NOT NULL,
                                      approval TEXT NOT NULL,
                                      first_seen INTEGER NOT NULL,
                                      last_seen INTEGER NOT NULL,
                                      metadata TEXT NOT NULL DEFAULT '{}',
                                      last_error TEXT NOT NULL DEFAULT '',
                                      last_error_at INTEGER NOT NULL DEFAULT 0))"_s},
                      {uR"(CREATE TABLE IF NOT EXISTS credentials (
                                      device_id TEXT PRIMARY KEY NOT NULL,
                                      psk_identity BLOB UNIQUE,
                                      psk_key BLOB,
                                      token_sha256 BLOB))"_s},
                      // What devices announce about themselves (meta): model, capabilities and
                      // metrics as JSON arrays.
                      {u"ALTER TABLE devices ADD COLUMN model TEXT NOT NULL DEFAULT ''"_s,
                       u"ALTER TABLE devices ADD COLUMN capabilities TEXT NOT NULL DEFAULT '[]'"_s,
                       u"ALTER TABLE devices ADD COLUMN metrics TEXT NOT NULL DEFAULT '[]'"_s},
                      // PSKs sealed with the key file (SecretBox); psk_key keeps only those of older
                      // files until open() seals them.
                      {u"ALTER TABLE credentials ADD COLUMN psk_sealed BLOB"_s},
                  })
{
}

bool SqliteDeviceStore::open(const QString &path)
{
    m_path = path;
    QString error;
    m_box = SecretBox::fromKeyFile(keyFileFor(path), &error);
    if (!m_box)
        return m_db.fail(error);
    // Freed pages are zeroed, so an old PSK or token hash does not linger in the file.
    return SqliteStore::open(path) && m_db.exec(u"PRAGMA secure_delete=ON"_s) && sealPlainKeys();
}

QString SqliteDeviceStore::keyFileFor(const QString &databasePath)
{
    const QString base = databasePath.endsWith(u".db"_s) ? databasePath.chopped(3) : databasePath;
    return base + u".key"_s;
}

bool SqliteDeviceStore::sealPlainKeys()
{
    QSqlQuery query(m_db.database());
    query.setForwardOnly(true);
    if (!m_db.exec(query, u"SELECT device_id, psk_key FROM credentials WHERE psk_key IS NOT NULL"_s))
        return false;
    QList<std::pair<QString, QByteArray>> sealed;
    while (query.next()) {
        const QString id = query.value(0).toString();
        const QByteArray key = m_box->seal(query.value(1).toByteArray(), id.toUtf8());
        if (key.isEmpty())
            return m_db.fail(u"cannot seal the PSK of device '%1'"_s.arg(id));
        sealed.append({id, key});
    }
    query.finish();
    if (sealed.isEmpty())
        return true;
    const bool ok = m_db.transaction([&] {
        QSqlQuery update(m_db.database());
        update.prepare(u"UPDATE credentials SET psk_sealed = ?, psk_key = NULL WHERE device_id = ?"_s);
        for (const auto &[id, key] : std::as_const(sealed)) {
            update.bindValue(0, key);
            update.bindValue(1, id);
            if (!m_db.exec(update))
                return false;
        }
        return true;
    });
    // The clear keys are gone from the pages; checkpointing empties the journal that still has them.
    if (!ok || !m_db.exec(u"VACUUM"_s) || !m_db.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s))
        return false;
    qCInfo(lcDeviceStore).noquote() << "sealed" << sealed.size() << "stored PSKs with" << keyFileFor(m_path);
    return true;
}

namespace {

QString metadataToText(const QMap<QString, QString> &metadata)
{
    QJsonObject o;
    for (auto it = metadata.cbegin(); it != metadata.cend(); ++it)
        o.insert(it.key(), it.value());
    return jsonColumnText(o);
}

QMap<QString, QString> metadataFromText(const QString &text)
{
    QMap<QString, QString> metadata;
    const QJsonObject o = jsonColumnObject(text);
    for (auto it = o.begin(); it != o.end(); ++it)
        metadata.insert(it.key(), it.value().toString());
    return metadata;
}

} // namespace

std::optional<QList<DeviceInfo>> SqliteDeviceStore::loadAll()
{
    QSqlQuery query(m_db.database());
    query.setForwardOnly(true);
    if (!m_db.exec(query,
                   u"SELECT id, name, type, firmware, protocol, status, approval, first_seen, last_seen, "
                   "metadata, last_error, last_error_at, model, capabilities, metrics FROM devices"_s))
        return std::nullopt;
    QList<DeviceInfo> devices;
    while (query.next()) {
        DeviceInfo d;
        d.id = query.value(0).toString();
        d.name = query.value(1).toString();
        d.type = query.value(2).toString();
        d.firmware = query.value(3).toString();
        d.protocol = query.value(4).toString();
        d.status = deviceStatusFromName(query.value(5).toString()).value_or(DeviceStatus::Offline);
        d.approval = query.value(6).toString() == u"pending" ? Approval::Pending : Approval::Approved;
        d.firstSeenMs = query.value(7).toLongLong();
        d.lastSeenMs = query.value(8).toLongLong();
        d.metadata = metadataFromText(query.value(9).toString());
        d.lastError = query.value(10).toString();
        d.lastErrorMs = query.value(11).toLongLong();
        d.model = query.value(12).toString();
        for (const QJsonValue v : jsonColumnArray(query.value(13).toString()))
            d.capabilities.append(v.toString());
        d.metrics = metricsFromJson(jsonColumnArray(query.value(14).toString()));
        devices.append(std::move(d));
    }
    return devices;
}

bool SqliteDeviceStore::save(const QList<DeviceInfo> &upserts, const QStringList &removals)
{
    return m_db.transaction([&] {
        const QSqlDatabase db = m_db.database();
        // Removals first: an id removed and registered again in one batch ends up present.
        if (!removals.isEmpty()) {
            QSqlQuery remove(db);
            remove.prepare(u"DELETE FROM devices WHERE id = ?"_s);
            QSqlQuery forget(db);
            forget.prepare(u"DELETE FROM credentials WHERE device_id = ?"_s);
            for (const QString &id : removals) {
                remove.bindValue(0, id);
                forget.bindValue(0, id);
                if (!m_db.exec(remove) || !m_db.exec(forget))
                    return false;
            }
        }
        if (upserts.isEmpty())
            return true;
        QSqlQuery upsert(db);
        upsert.prepare(
            u"INSERT INTO devices (id, name, type, firmware, protocol, status, approval, first_seen, "
            "last_seen, metadata, last_error, last_error_at, model, capabilities, metrics) VALUES (?,COALESCE(?,''),"
            "COALESCE(?,''),COALESCE(?,''),COALESCE(?,''),?,?,?,?,?,COALESCE(?,''),?,COALESCE(?,''),?,?) "
            "ON CONFLICT(id) DO UPDATE SET name=excluded.name, type=excluded.type, "
            "firmware=excluded.firmware, protocol=excluded.protocol, status=excluded.status, "
            "approval=excluded.approval, first_seen=excluded.first_seen, last_seen=excluded.last_seen, "
            "metadata=excluded.metadata, last_error=excluded.last_error, "
            "last_error_at=excluded.last_error_at, model=excluded.model, capabilities=excluded.capabilities, "
            "metrics=excluded.metrics"_s);
        for (const DeviceInfo &d : upserts) {
            upsert.bindValue(0, d.id);
            upsert.bindValue(1, d.name);
            upsert.bindValue(2, d.type);
            upsert.bindValue(3, d.firmware);
            upsert.bindValue(4, d.protocol);
            upsert.bindValue(5, deviceStatusName(d.status));
            upsert.bindValue(6, approvalName(d.approval));
            upsert.bindValue(7, d.firstSeenMs);
            upsert.bindValue(8, d.lastSeenMs);
            upsert.bindValue(9, metadataToText(d.metadata));
            upsert.bindValue(10, d.lastError);
            upsert.bindValue(11, d.lastErrorMs);
            upsert.bindValue(12, d.model);
            upsert.bindValue(13, jsonColumnText(QJsonArray::fromStringList(d.capabilities)));
            upsert.bindValue(14, jsonColumnText(metricsToJson(d.metrics)));
            if (!m_db.exec(upsert))
                return false;
        }
        return true;
    });
}

std::optional<QHash<QString, DeviceCredentials>> SqliteDeviceStore::loadCredentials()
{
    QSqlQuery query(m_db.database());
    query.setForwardOnly(true);
    if (!m_db.exec(query, u"SELECT device_id, psk_identity, psk_sealed, token_sha256 FROM credentials"_s))
        return std::nullopt;
    QHash<QString, DeviceCredentials> all;
    while (query.next()) {
        const QString id = query.value(0).toString();
        DeviceCredentials c{query.value(1).toByteArray(), {}, query.value(3).toByteArray()};
        if (const QByteArray sealed = query.value(2).toByteArray(); !sealed.isEmpty()) {
            const auto key = m_box->open(sealed, id.toUtf8());
            if (!key) {
                m_db.fail(u"the PSK of device '%1' does not open with %2: is it the key file this registry was "
                          "written with?"_s.arg(id, keyFileFor(m_path)));
                return std::nullopt;
            }
            c.pskKey = *key;
        }
        all.insert(id, std::move(c));
    }
    return all;
}

bool SqliteDeviceStore::saveCredentials(const QString &deviceId, const DeviceCredentials &credentials)
{
    QSqlQuery query(m_db.database());
    if (credentials.isEmpty()) {
        query.prepare(u"DELETE FROM credentials WHERE device_id = ?"_s);
        query.bindValue(0, deviceId);
    } else {
        QByteArray sealed;
        if (!credentials.pskKey.isEmpty()) {
            sealed = m_box->seal(credentials.pskKey, deviceId.toUtf8());
            if (sealed.isEmpty())
                return m_db.fail(u"cannot seal the PSK of device '%1'"_s.arg(deviceId));
        }
        query.prepare(u"INSERT INTO credentials (device_id, psk_identity, psk_sealed, token_sha256) VALUES (?,?,?,?) "
                      "ON CONFLICT(device_id) DO UPDATE SET psk_identity=excluded.psk_identity, "
                      "psk_sealed=excluded.psk_sealed, token_sha256=excluded.token_sha256"_s);
        query.bindValue(0, deviceId);
        // NULL, not an empty blob, so that the UNIQUE identity allows many devices without one.
        query.bindValue(1, credentials.pskIdentity.isEmpty() ? QVariant() : QVariant(credentials.pskIdentity));
        query.bindValue(2, sealed.isEmpty() ? QVariant() : QVariant(sealed));
        query.bindValue(3, credentials.tokenSha256.isEmpty() ? QVariant() : QVariant(credentials.tokenSha256));
    }
    return m_db.exec(query);
}

} // namespace edgegate
