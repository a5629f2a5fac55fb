// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QFile>
#include <QList>
#include <QString>

namespace edgegate {

/// Recognises the QoS 1 messages a broker sends a second time after a reconnect, so that they are
/// not taken twice.
///
/// A broker sends again, with their packet ids and in their order, the messages of a session whose
/// PUBACK it did not process before the connection ended. libmosquitto acknowledges before the
/// gateway stores, but acknowledgements still on their way when the gateway crashes or the
/// connection breaks are lost: the broker then delivers again the last messages it sent, which the
/// gateway may have stored. libmosquitto does not show the DUP flag, so the filter remembers the
/// packet id and a fingerprint of topic and payload of the last Capacity messages, in the order
/// they came, and whether each was stored.
///
/// Right after a reconnect to the same session, a message that matches a remembered one starts a
/// run; the messages after it must match the ones after that, in order, up to the last one
/// remembered. Only a complete run is a redelivery: its stored messages are dropped, the others
/// taken. The caller holds the messages of a run meanwhile; a message that breaks the run, or no
/// message for a while, means they were new after all and are taken. A broker that gives a new
/// message an id used in the same connection (a "lowest free id" broker) turns the filter off for
/// good, since a new message could then reproduce a run. Mosquitto numbers a session's messages
/// on, so a new message never matches.
///
/// The memory is a small memory-mapped file, which a crash of the process does not lose (a power
/// cut may). A session the broker did not keep (CONNACK without session present) forgets it all.
class RedeliveryFilter
{
public:
    static constexpr int Capacity = 128;

    enum class Verdict {
        New, ///< take it (and remember() it)
        Hold, ///< part of a run that may be a redelivery: hold it until the run ends
        Redelivered, ///< completes a run: the run's messages were delivered before (see wasStored())
        Broken, ///< ends a run that was no redelivery: take the held messages, then this one
    };

    /// `path` empty: remembered in memory only, which covers lost connections but not a restart.
    explicit RedeliveryFilter(QString path = {});

    /// Opens the file, or creates it; false (with `error`) when neither works: memory only then.
    bool open(QString *error);

    /// A connection is up; `sessionPresent` as the broker's CONNACK says.
    void connected(bool sessionPresent);

    /// For each message with a packet id, in the order they arrive.
    [[nodiscard]] Verdict check(int mid, quint64 fingerprint);
    /// For the messages of the run that check() answered Redelivered for, in order: whether each
    /// was stored the first time (then drop it; otherwise take it again).
    [[nodiscard]] const QList<bool> &runStored() const { return m_runStored; }
    /// Gives up the run in progress (no message came, the connection ended): its messages are new.
    void abandonRun();
    [[nodiscard]] bool inRun() const { return m_runEnd >= 0; }

    /// Remembers a message that is taken; returns a handle for stored().
    int remember(int mid, quint64 fingerprint);
    /// The message remember() gave `handle` for was stored, or answered for good (nothing to redo).
    void stored(int handle, int mid, quint64 fingerprint);

    /// False once the broker was seen reusing packet ids within a connection.
    [[nodiscard]] bool enabled() const;

    [[nodiscard]] static quint64 fingerprint(QByteArrayView topic, QByteArrayView payload);

private:
    struct Slot
    {
        quint64 fingerprint;
        quint32 mid;
        quint32 stored;
    };
    struct Ring
    {
        char magic[8];
        quint32 next; ///< the slot the next message goes to
        quint32 count;
        quint32 reusesIds;
        quint32 reserved;
        Slot entries[Capacity];
    };
    [[nodiscard]] const Slot &nthOldest(int n) const;

    QString m_path;
    QFile m_file;
    Ring m_memory{};
    Ring *m_ring = &m_memory;
    bool m_checking = false; // right after a reconnect, until the first message that starts no run
    int m_sinceConnect = 0; // messages remembered in this connection
    QList<Slot> m_before; // what was remembered before the reconnect, oldest first
    int m_runEnd = -1; // index in m_before of the last message of the run so far
    QList<bool> m_runStored;
};

} // namespace edgegate
