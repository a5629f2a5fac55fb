// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QFile>
#include <QHash>
#include <QString>

namespace edgegate {

/// Recognises QoS 1 messages a broker sends a second time, so that they are not taken twice.
///
/// A broker sends again, with their packet ids, the messages of a session whose PUBACK it did not
/// process before the connection ended. libmosquitto acknowledges before the gateway stores, but
/// an acknowledgement still on its way when the gateway crashes or the connection breaks is lost:
/// the broker then delivers up to its in-flight window (20 by default) of messages the gateway has
/// already stored. libmosquitto does not show the DUP flag, so a message counts as sent again when,
/// right after a reconnect to the same session, its packet id and a fingerprint of its topic and
/// payload match one of the last Capacity messages taken. A broker sends those before anything
/// new, and numbers new messages on from the last id, so a new message cannot match.
///
/// The last messages are kept in a small memory-mapped file, which a crash of the process does not
/// lose (a power cut may). A session the broker did not keep (CONNACK without session present)
/// forgets them all.
class RedeliveryFilter
{
public:
    static constexpr int Capacity = 128;

    /// `path` empty: remembered in memory only, which covers lost connections but not a restart.
    explicit RedeliveryFilter(QString path = {});

    /// Opens the file, or creates it; false (with `error`) when neither works: memory only then.
    bool open(QString *error);

    /// A connection is up; `sessionPresent` as the broker's CONNACK says.
    void connected(bool sessionPresent);

    /// True for a message of the session taken before and now sent again; it is then forgotten.
    [[nodiscard]] bool isRedelivery(int mid, quint64 fingerprint);

    /// Remembers a message as taken (stored, or answered for good).
    void taken(int mid, quint64 fingerprint);

    [[nodiscard]] static quint64 fingerprint(QByteArrayView topic, QByteArrayView payload);

private:
    struct Slot
    {
        quint64 fingerprint;
        quint32 mid;
        quint32 reserved;
    };
    struct Ring
    {
        char magic[8];
        quint32 next;
        quint32 count;
        Slot entries[Capacity];
    };

    QString m_path;
    QFile m_file;
    Ring m_memory{};
    Ring *m_ring = &m_memory;
    QHash<quint32, quint64> m_suspects; // mid -> fingerprint, right after a reconnect
    int m_sinceConnect = 0;
};

} // namespace edgegate
