// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/metrics.h"
#include "gateway/sinks/outbox/outbox.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>

#include <csignal>
#include <cstdio>
#include <map>
#include <memory>

#include <sys/resource.h>
#include <unistd.h>

using namespace edgegate;
using namespace Qt::StringLiterals;

using Overflow = OutboxSettings::Overflow;
Q_DECLARE_METATYPE(Overflow)

namespace {

// The crash test runs this executable again as the process that gets killed.
constexpr char kCrashChildEnv[] = "EDGEGATE_OUTBOX_CRASH_CHILD";

// Entries whose content follows from their seq, so a reader can check every one.
QString deviceFor(quint64 seq)
{
    return u"dev-%1-ü"_s.arg(seq % 7);
}

QByteArray payloadFor(quint64 seq)
{
    return R"({"n":)" + QByteArray::number(seq) + R"(,"pad":")" + QByteArray(qsizetype(seq % 50), 'x') + "\"}";
}

// Fixed-size entries (142 bytes stored) for tests that cut files at record boundaries.
constexpr qint64 kFixedRecord = 40 + 1 + 1 + 100;
QByteArray fixedPayload(quint64 seq)
{
    return QByteArray::number(seq).rightJustified(100, '.');
}

QString segmentName(quint64 firstSeq)
{
    return QString::number(firstSeq).rightJustified(20, u'0') + u".seg"_s;
}

/// One outbox in a temporary folder, with its metrics and a controllable wall clock.
struct Fixture
{
    explicit Fixture(qint64 maxBytes = 1LL << 20, Overflow overflow = Overflow::DropOldest,
                     qint64 segmentBytes = 8LL << 20)
    {
        settings.directory = dir.filePath(u"outbox/upstream"_s);
        settings.maxBytes = maxBytes;
        settings.overflow = overflow;
        settings.segmentBytes = segmentBytes;
        settings.wallClockMs = [this] { return nowMs; };
    }

    Outbox &open()
    {
        outbox = std::make_unique<Outbox>(u"upstream"_s, settings, metrics);
        QString error;
        if (!outbox->open(&error))
            qFatal("%s", qPrintable(error));
        return *outbox;
    }

    void close() { outbox.reset(); }

    QString path(const QString &name) const { return QDir(settings.directory).filePath(name); }

    QStringList segments() const { return QDir(settings.directory).entryList({u"*.seg"_s}, QDir::Files, QDir::Name); }

    quint64 counter(const QString &name, const MetricLabels &labels = {{u"sink"_s, u"upstream"_s}})
    {
        (void)metrics.exposition(); // runs the collectors
        return metrics.counter(name, {}, labels).value();
    }

    quint64 dropped(const QString &reason)
    {
        return counter(u"edgegate_outbox_dropped_total"_s, {{u"sink"_s, u"upstream"_s}, {u"reason"_s, reason}});
    }

    quint64 refused(const QString &reason)
    {
        return counter(u"edgegate_outbox_refused_total"_s, {{u"sink"_s, u"upstream"_s}, {u"reason"_s, reason}});
    }

    QList<OutboxEntry> readAll()
    {
        quint64 next = 0;
        return outbox->read(outbox->head(), outbox->tail(), std::numeric_limits<int>::max(), &next);
    }

    QList<quint64> seqs()
    {
        QList<quint64> out;
        for (const OutboxEntry &entry : readAll())
            out.append(entry.seq);
        return out;
    }

    QTemporaryDir dir;
    OutboxSettings settings;
    Metrics metrics;
    qint64 nowMs = 1'700'000'000'000;
    std::unique_ptr<Outbox> outbox;
};

QList<quint64> range(quint64 from, quint64 to)
{
    QList<quint64> out;
    for (quint64 s = from; s < to; ++s)
        out.append(s);
    return out;
}

std::optional<quint64> cursorOnDisk(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray bytes = file.readAll();
    if (bytes.size() != 24)
        return std::nullopt;
    return qFromLittleEndian<quint64>(bytes.constData() + 8);
}

int crashChild(const QString &directory)
{
    Metrics metrics;
    OutboxSettings settings;
    settings.directory = directory;
    settings.maxBytes = 1LL << 30; // never drops
    settings.segmentBytes = 64 << 10; // several segments in a short run
    Outbox outbox(u"crash"_s, settings, metrics);
    QString error;
    if (!outbox.open(&error))
        return 2;
    // Bounded, in case the parent never kills it; it then waits to be killed.
    for (int i = 0; i < 300'000; ++i) {
        const quint64 seq = outbox.tail();
        if (outbox.append(deviceFor(seq), "devices/x/telemetry", payloadFor(seq)) != Outbox::AppendResult::Stored)
            return 3;
        // Straight to the pipe: a line the parent sees is an append that had returned.
        char line[32];
        const int n = std::snprintf(line, sizeof line, "%llu\n", static_cast<unsigned long long>(seq));
        if (::write(STDOUT_FILENO, line, static_cast<size_t>(n)) != n)
            return 4;
    }
    for (;;)
        ::pause();
}

} // namespace

class TestOutbox : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip_data();
    void roundTrip();
    void emptyOutbox();
    void reopenKeepsUnconfirmed();
    void outOfOrderAcks();
    void readSkipsAndContinues();
    void cursorWrittenOnCommitTick();
    void groupCommit();
    void segmentRotationAndDeletion();
    void tornTail_data();
    void tornTail();
    void damageInEarlierSegment();
    void cursorAheadOfRecords();
    void overflow_data();
    void overflow();
    void droppedInFlightAckIgnored();
    void tooLarge_data();
    void tooLarge();
    void depthAndAge();
    void reject();
    void diskError();
    void metricsExposed();
    void killedMidStream();
};

void TestOutbox::roundTrip_data()
{
    QTest::addColumn<QString>("deviceId");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("payload");

    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(char(i));
    QTest::addRow("json") << u"boiler-1"_s << "devices/boiler-1/telemetry"_ba
                          << R"({"t":21.5})"_ba;
    QTest::addRow("binary payload") << u"meter"_s << QByteArray("k\0ey", 4) << binary;
    QTest::addRow("unicode id") << u"Kühlschrank-東京-😀"_s << "devices/x"_ba
                                << "{}"_ba;
    QTest::addRow("empty key and payload") << u"d"_s << QByteArray() << QByteArray();
    QTest::addRow("100 KiB payload") << u"d"_s << "k"_ba << QByteArray(100 << 10, 'z');
}

void TestOutbox::roundTrip()
{
    QFETCH(QString, deviceId);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, payload);

    Fixture f;
    Outbox &outbox = f.open();
    QSignalSpy appended(&outbox, &Outbox::appended);
    QCOMPARE(outbox.append(u"before"_s, "k", "p"), Outbox::AppendResult::Stored);
    QCOMPARE(outbox.append(deviceId, key, payload), Outbox::AppendResult::Stored);
    QCOMPARE(appended.count(), 2);
    QCOMPARE(outbox.tail(), quint64(3));

    quint64 next = 0;
    const QList<OutboxEntry> entries = outbox.read(2, 3, 10, &next);
    QCOMPARE(next, quint64(3));
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries[0].seq, quint64(2));
    QCOMPARE(entries[0].deviceId, deviceId);
    QCOMPARE(entries[0].key, key);
    QCOMPARE(entries[0].payload, payload);
    QCOMPARE(entries[0].enqueuedAtMs, f.nowMs);

    // Also after reopening, read from the file rather than from anything cached.
    f.close();
    Outbox &reopened = f.open();
    const QList<OutboxEntry> again = f.readAll();
    QCOMPARE(again.size(), 2);
    QCOMPARE(again[1].deviceId, deviceId);
    QCOMPARE(again[1].key, key);
    QCOMPARE(again[1].payload, payload);

    QVERIFY(reopened.ack(1));
    QVERIFY(reopened.ack(2));
    QCOMPARE(reopened.depthMessages(), 0);
    QCOMPARE(reopened.depthBytes(), 0);
    QCOMPARE(reopened.head(), reopened.tail());
    QVERIFY(f.readAll().isEmpty());
    QCOMPARE(f.counter(u"edgegate_outbox_appended_total"_s), quint64(2)); // this process's second outbox
}

void TestOutbox::emptyOutbox()
{
    Fixture f;
    Outbox &outbox = f.open();
    QCOMPARE(outbox.head(), quint64(1));
    QCOMPARE(outbox.tail(), quint64(1));
    QCOMPARE(outbox.depthMessages(), 0);
    QCOMPARE(outbox.oldestAgeMs(f.nowMs), 0);
    quint64 next = 0;
    QVERIFY(outbox.read(1, 100, 10, &next).isEmpty());
    QCOMPARE(next, quint64(1));
    QVERIFY(!outbox.ack(1));
    QVERIFY(!outbox.ack(0));
    QCOMPARE(f.segments(), QStringList{segmentName(1)});
}

void TestOutbox::reopenKeepsUnconfirmed()
{
    Fixture f;
    Outbox &outbox = f.open();
    for (quint64 s = 1; s <= 10; ++s)
        QCOMPARE(outbox.append(deviceFor(s), "k", payloadFor(s)), Outbox::AppendResult::Stored);
    for (quint64 s = 1; s <= 4; ++s)
        QVERIFY(outbox.ack(s));
    const qint64 bytes = outbox.depthBytes();
    f.close();

    Outbox &reopened = f.open();
    QCOMPARE(reopened.head(), quint64(5));
    QCOMPARE(reopened.tail(), quint64(11));
    QCOMPARE(reopened.depthMessages(), 6);
    QCOMPARE(reopened.depthBytes(), bytes);
    const QList<OutboxEntry> entries = f.readAll();
    QCOMPARE(entries.size(), 6);
    for (const OutboxEntry &entry : entries) {
        QCOMPARE(entry.deviceId, deviceFor(entry.seq));
        QCOMPARE(entry.payload, payloadFor(entry.seq));
    }
    QCOMPARE(entries.first().seq, quint64(5));
    QCOMPARE(reopened.append(u"d"_s, "k", "p"), Outbox::AppendResult::Stored);
    QCOMPARE(reopened.tail(), quint64(12));
}

void TestOutbox::outOfOrderAcks()
{
    Fixture f;
    Outbox &outbox = f.open();
    for (quint64 s = 1; s <= 10; ++s)
        QCOMPARE(outbox.append(deviceFor(s), "k", payloadFor(s)), Outbox::AppendResult::Stored);
    const qint64 allBytes = outbox.depthBytes();

    QVERIFY(outbox.ack(3));
    QVERIFY(outbox.ack(5));
    QVERIFY(outbox.ack(4));
    QVERIFY(!outbox.ack(4)); // idempotent
    QVERIFY(outbox.ack(8));
    QVERIFY(!outbox.ack(11)); // not stored yet
    QCOMPARE(outbox.head(), quint64(1));
    QCOMPARE(outbox.depthMessages(), 6);
    QCOMPARE(f.seqs(), (QList<quint64>{1, 2, 6, 7, 9, 10}));

    QVERIFY(outbox.ack(1));
    QCOMPARE(outbox.head(), quint64(2));
    QVERIFY(outbox.ack(2));
    QCOMPARE(outbox.head(), quint64(6)); // 3..5 were already confirmed
    QVERIFY(!outbox.ack(3));
    QCOMPARE(outbox.depthMessages(), 4);
    qint64 remaining = 0;
    for (quint64 s : {6, 7, 9, 10})
        remaining += Outbox::storedSize(deviceFor(s), "k", payloadFor(s));
    QCOMPARE(outbox.depthBytes(), remaining);
    QVERIFY(remaining < allBytes);

    // Only the head is persisted: 8, confirmed above it, is sent again after a restart.
    f.close();
    f.open();
    QCOMPARE(f.outbox->head(), quint64(6));
    QCOMPARE(f.seqs(), (QList<quint64>{6, 7, 8, 9, 10}));
}

void TestOutbox::readSkipsAndContinues()
{
    Fixture f;
    Outbox &outbox = f.open();
    for (quint64 s = 1; s <= 20; ++s)
        QCOMPARE(outbox.append(deviceFor(s), "k", payloadFor(s)), Outbox::AppendResult::Stored);
    outbox.ack(4);
    outbox.ack(5);

    // Reads continuing where the last one ended see every waiting entry once, in order.
    QList<quint64> seen;
    quint64 next = 1;
    while (next < outbox.tail()) {
        const QList<OutboxEntry> batch = outbox.read(next, outbox.tail(), 3, &next);
        QVERIFY(!batch.isEmpty());
        for (const OutboxEntry &entry : batch) {
            QCOMPARE(entry.payload, payloadFor(entry.seq));
            seen.append(entry.seq);
        }
    }
    QList<quint64> expected = range(1, 21);
    expected.removeOne(4);
    expected.removeOne(5);
    QCOMPARE(seen, expected);

    // An arbitrary start and an end before the tail.
    QCOMPARE(outbox.read(12, 15, 100, &next).size(), 3);
    QCOMPARE(next, quint64(15));
    // From below the head starts at the head; a range of done entries only moves `next`.
    outbox.ack(1);
    QCOMPARE(outbox.read(0, 3, 100, &next).first().seq, quint64(2));
    QVERIFY(outbox.read(4, 6, 100, &next).isEmpty());
    QCOMPARE(next, quint64(6));
    // maxCount stops early; next is one past the last entry returned.
    QCOMPARE(outbox.read(6, 21, 2, &next).size(), 2);
    QCOMPARE(next, quint64(8));
}

void TestOutbox::cursorWrittenOnCommitTick()
{
    Fixture f;
    f.settings.commitInterval = std::chrono::milliseconds(10);
    Outbox &outbox = f.open();
    for (quint64 s = 1; s <= 5; ++s)
        outbox.append(deviceFor(s), "k", payloadFor(s));
    outbox.ack(1);
    outbox.ack(2);
    outbox.ack(3);
    // No sync(): the committer persists the head by itself.
    QTRY_COMPARE_WITH_TIMEOUT(cursorOnDisk(f.path(u"cursor"_s)), std::optional<quint64>(4), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(f.counter(u"edgegate_outbox_commits_total"_s) >= 1, 5000);
    QVERIFY(!QFile::exists(f.path(u"cursor.tmp"_s)));
}

void TestOutbox::groupCommit()
{
    Fixture f;
    f.settings.commitInterval = std::chrono::hours(1); // only sync() commits here
    Outbox &outbox = f.open();
    outbox.sync(); // the cursor of a new outbox
    const quint64 before = f.counter(u"edgegate_outbox_commits_total"_s);
    for (quint64 s = 1; s <= 100; ++s)
        outbox.append(deviceFor(s), "k", payloadFor(s));
    outbox.sync();
    // One fdatasync for the hundred entries, not one each.
    QCOMPARE(f.counter(u"edgegate_outbox_commits_total"_s), before + 1);
    outbox.ack(1);
    outbox.sync();
    QCOMPARE(cursorOnDisk(f.path(u"cursor"_s)), std::optional<quint64>(2));
    QCOMPARE(f.counter(u"edgegate_outbox_commits_total"_s), before + 1); // nothing new written
}

void TestOutbox::segmentRotationAndDeletion()
{
    // Segments of 4 KiB hold three entries of about 1 KiB.
    Fixture f(1LL << 20, Overflow::DropOldest, 4096);
    Outbox &outbox = f.open();
    const QByteArray payload(1000, 'p');
    for (quint64 s = 1; s <= 10; ++s)
        QCOMPARE(outbox.append(u"d"_s, "k", payload + QByteArray::number(s)), Outbox::AppendResult::Stored);
    QCOMPARE(f.segments(), (QStringList{segmentName(1), segmentName(4), segmentName(7), segmentName(10)}));
    QCOMPARE(QFileInfo(f.path(segmentName(1))).size(), 3 * Outbox::storedSize(u"d"_s, "k", payload + "1"));

    // Confirming part of a segment keeps it; confirming all of it deletes it once the cursor is written.
    for (quint64 s = 1; s <= 5; ++s)
        outbox.ack(s);
    outbox.sync();
    QCOMPARE(f.segments(), (QStringList{segmentName(4), segmentName(7), segmentName(10)}));
    outbox.ack(6);
    outbox.ack(8); // out of order: segment 7 still holds 7
    outbox.sync();
    QCOMPARE(f.segments(), (QStringList{segmentName(7), segmentName(10)}));
    QCOMPARE(f.seqs(), (QList<quint64>{7, 9, 10}));

    // The segment written to stays even when everything in it is confirmed.
    for (quint64 s = 7; s <= 10; ++s)
        outbox.ack(s);
    outbox.sync();
    QCOMPARE(f.segments(), QStringList{segmentName(10)});

    f.close();
    Outbox &reopened = f.open();
    QCOMPARE(reopened.head(), quint64(11));
    QCOMPARE(reopened.tail(), quint64(11));
    QCOMPARE(reopened.depthMessages(), 0);
    QCOMPARE(reopened.append(u"d"_s, "k", payload), Outbox::AppendResult::Stored);
    QCOMPARE(f.seqs(), QList<quint64>{11});
}

void TestOutbox::tornTail_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<int>("kept"); // of the 5 entries written
    QTest::addColumn<qint64>("cut");

    QTest::addRow("cut in the last header") << u"truncate:578"_s << 4 << qint64(10);
    QTest::addRow("cut in the last payload") << u"truncate:705"_s << 4 << qint64(137);
    QTest::addRow("cut after one header byte") << u"truncate:569"_s << 4 << qint64(1);
    QTest::addRow("garbage appended") << u"garbage:100"_s << 5 << qint64(100);
    QTest::addRow("zeros appended") << u"zeros:4096"_s << 5 << qint64(4096);
    QTest::addRow("flipped payload byte in the last entry") << u"flip:668"_s << 4 << kFixedRecord;
    QTest::addRow("flipped byte in the third entry") << u"flip:344"_s << 2 << 3 * kFixedRecord;
    QTest::addRow("flipped seq in the last entry") << u"flip:580"_s << 4 << kFixedRecord;
    QTest::addRow("huge length in the last entry") << u"length:572"_s << 4 << kFixedRecord;
    QTest::addRow("first header torn") << u"truncate:20"_s << 0 << qint64(20);
}

void TestOutbox::tornTail()
{
    QFETCH(QString, damage);
    QFETCH(int, kept);
    QFETCH(qint64, cut);

    Fixture f;
    f.open();
    for (quint64 s = 1; s <= 5; ++s)
        QCOMPARE(f.outbox->append(u"d"_s, "k", fixedPayload(s)), Outbox::AppendResult::Stored);
    QCOMPARE(f.outbox->depthBytes(), 5 * kFixedRecord);
    f.close();

    QFile file(f.path(segmentName(1)));
    QVERIFY(file.open(QIODevice::ReadWrite));
    const QStringList parts = damage.split(u':');
    const qint64 at = parts[1].toLongLong();
    if (parts[0] == u"truncate") {
        QVERIFY(file.resize(at));
    } else if (parts[0] == u"garbage" || parts[0] == u"zeros") {
        QVERIFY(file.seek(file.size()));
        file.write(QByteArray(at, parts[0] == u"zeros" ? '\0' : char(0xA5)));
    } else if (parts[0] == u"flip") {
        QVERIFY(file.seek(at));
        const char c = file.read(1)[0];
        QVERIFY(file.seek(at));
        file.write(QByteArray(1, char(c ^ 0x10)));
    } else if (parts[0] == u"length") {
        QVERIFY(file.seek(at));
        file.write("\xf0\xff\xff\x7f", 4);
    }
    file.close();

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"upstream outbox: segment 1: cut %1 bytes"_s.arg(cut)));
    Outbox &outbox = f.open();
    QCOMPARE(outbox.head(), quint64(1));
    QCOMPARE(outbox.tail(), quint64(kept + 1));
    QCOMPARE(outbox.depthBytes(), kept * kFixedRecord);
    QCOMPARE(QFileInfo(f.path(segmentName(1))).size(), kept * kFixedRecord);
    const QList<OutboxEntry> entries = f.readAll();
    QCOMPARE(entries.size(), kept);
    for (const OutboxEntry &entry : entries)
        QCOMPARE(entry.payload, fixedPayload(entry.seq));

    // Appending goes on right after the last whole entry.
    QCOMPARE(outbox.append(u"d"_s, "k", fixedPayload(kept + 1)), Outbox::AppendResult::Stored);
    f.close();
    f.open();
    QCOMPARE(f.seqs(), range(1, quint64(kept) + 2));
}

void TestOutbox::damageInEarlierSegment()
{
    // Entries lost inside an older segment leave a gap: counted as dropped, the rest is kept.
    Fixture f(1LL << 20, Overflow::DropOldest, 4096);
    f.open();
    const QByteArray payload(1000, 'p');
    for (quint64 s = 1; s <= 9; ++s)
        f.outbox->append(u"d"_s, "k", payload + QByteArray::number(s));
    const qint64 record = Outbox::storedSize(u"d"_s, "k", payload + "1");
    f.close();

    QFile file(f.path(segmentName(4)));
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.resize(record + 20)); // seq 4 whole, 5 torn, 6 gone
    file.close();

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"segment 4: cut 20 bytes"_s));
    Outbox &outbox = f.open();
    QCOMPARE(f.seqs(), (QList<quint64>{1, 2, 3, 4, 7, 8, 9}));
    QCOMPARE(outbox.depthMessages(), 7);
    QCOMPARE(outbox.depthBytes(), 7 * record);
    QCOMPARE(f.dropped(u"corrupt"_s), quint64(2));
    for (quint64 s : {1, 2, 3, 4, 7, 8, 9})
        QVERIFY(outbox.ack(s));
    QCOMPARE(outbox.head(), quint64(10));
    QCOMPARE(outbox.depthMessages(), 0);
}

void TestOutbox::cursorAheadOfRecords()
{
    // A power cut after the cursor was written but before the entries it covers reached the disk.
    Fixture f;
    f.open();
    for (quint64 s = 1; s <= 5; ++s)
        f.outbox->append(u"d"_s, "k", fixedPayload(s));
    for (quint64 s = 1; s <= 5; ++s)
        f.outbox->ack(s);
    f.close();
    QCOMPARE(cursorOnDisk(f.path(u"cursor"_s)), std::optional<quint64>(6));
    QFile file(f.path(segmentName(1)));
    QVERIFY(file.resize(2 * kFixedRecord));

    Outbox &outbox = f.open();
    QCOMPARE(outbox.head(), quint64(6));
    QCOMPARE(outbox.tail(), quint64(6));
    QCOMPARE(outbox.depthMessages(), 0);
    QCOMPARE(outbox.append(u"d"_s, "k", fixedPayload(6)), Outbox::AppendResult::Stored);
    QCOMPARE(f.seqs(), QList<quint64>{6});
    outbox.sync();
    QCOMPARE(f.segments(), QStringList{segmentName(6)});
}

void TestOutbox::overflow_data()
{
    QTest::addColumn<Overflow>("policy");
    QTest::addColumn<int>("stored");
    QTest::addColumn<quint64>("head");
    QTest::addColumn<quint64>("dropped");
    QTest::addColumn<quint64>("refused");
    QTest::addRow("drop oldest") << Overflow::DropOldest << 15 << quint64(6) << quint64(5) << quint64(0);
    QTest::addRow("reject new") << Overflow::RejectNew << 10 << quint64(1) << quint64(0) << quint64(5);
}

void TestOutbox::overflow()
{
    QFETCH(Overflow, policy);
    QFETCH(int, stored);
    QFETCH(quint64, head);
    QFETCH(quint64, dropped);
    QFETCH(quint64, refused);

    Fixture f(10 * kFixedRecord, policy);
    Outbox &outbox = f.open();
    QSignalSpy droppedSpy(&outbox, &Outbox::dropped);
    int storedCount = 0;
    for (quint64 i = 1; i <= 15; ++i) {
        const QByteArray payload = fixedPayload(i);
        const bool room = outbox.hasRoomFor(u"d"_s, "k", payload);
        const Outbox::AppendResult result = outbox.append(u"d"_s, "k", payload);
        QCOMPARE(room, result == Outbox::AppendResult::Stored);
        if (result == Outbox::AppendResult::Stored)
            ++storedCount;
        else
            QCOMPARE(result, Outbox::AppendResult::Full);
    }
    QCOMPARE(storedCount, stored);
    QCOMPARE(outbox.head(), head);
    QCOMPARE(outbox.tail(), quint64(stored + 1));
    QCOMPARE(outbox.depthMessages(), 10);
    QCOMPARE(outbox.depthBytes(), 10 * kFixedRecord);
    QCOMPARE(f.dropped(u"overflow"_s), dropped);
    QCOMPARE(f.refused(u"full"_s), refused);
    quint64 signalled = 0;
    for (const QList<QVariant> &args : droppedSpy) {
        QCOMPARE(args.at(1).toString(), u"overflow"_s);
        signalled += args.at(0).toULongLong();
    }
    QCOMPARE(signalled, dropped);
    // What is left is the newest under DropOldest, the oldest under RejectNew; whole either way.
    const QList<OutboxEntry> entries = f.readAll();
    QCOMPARE(entries.size(), 10);
    for (const OutboxEntry &entry : entries)
        QCOMPARE(entry.payload, fixedPayload(entry.seq));
    QCOMPARE(entries.first().seq, head);

    // Confirming one makes room for one under both policies.
    QVERIFY(outbox.ack(head));
    QVERIFY(outbox.hasRoomFor(u"d"_s, "k", fixedPayload(99)));
    QCOMPARE(outbox.append(u"d"_s, "k", fixedPayload(99)), Outbox::AppendResult::Stored);
    QCOMPARE(outbox.depthMessages(), 10);
    QCOMPARE(f.dropped(u"overflow"_s), dropped);

    // A bigger entry makes DropOldest drop two.
    const QByteArray bigger(100 + kFixedRecord, 'b');
    const Outbox::AppendResult result = outbox.append(u"d"_s, "k", bigger);
    if (policy == Overflow::DropOldest) {
        QCOMPARE(result, Outbox::AppendResult::Stored);
        QCOMPARE(f.dropped(u"overflow"_s), dropped + 2);
        QCOMPARE(outbox.depthMessages(), 9);
        QCOMPARE(outbox.depthBytes(), 8 * kFixedRecord + kFixedRecord + kFixedRecord);
    } else {
        QCOMPARE(result, Outbox::AppendResult::Full);
        QCOMPARE(outbox.depthMessages(), 10);
    }
}

void TestOutbox::droppedInFlightAckIgnored()
{
    Fixture f(3 * kFixedRecord, Overflow::DropOldest);
    Outbox &outbox = f.open();
    for (quint64 s = 1; s <= 3; ++s)
        outbox.append(u"d"_s, "k", fixedPayload(s));
    outbox.ack(2); // out of order: the head stays at 1
    quint64 next = 0;
    QCOMPARE(outbox.read(1, 4, 10, &next).size(), 2); // "in flight": 1 and 3
    for (quint64 s = 4; s <= 6; ++s)
        outbox.append(u"d"_s, "k", fixedPayload(s));
    // 1 and 3 were dropped for 4..6 (2, confirmed, took no room).
    QCOMPARE(f.dropped(u"overflow"_s), quint64(2));
    QCOMPARE(outbox.head(), quint64(4));
    QVERIFY(!outbox.ack(1));
    QVERIFY(!outbox.ack(3));
    QCOMPARE(outbox.depthMessages(), 3);
    QCOMPARE(f.seqs(), (QList<quint64>{4, 5, 6}));
}

void TestOutbox::tooLarge_data()
{
    QTest::addColumn<Overflow>("policy");
    QTest::addRow("drop oldest") << Overflow::DropOldest;
    QTest::addRow("reject new") << Overflow::RejectNew;
}

void TestOutbox::tooLarge()
{
    QFETCH(Overflow, policy);
    Fixture f(1000, policy);
    Outbox &outbox = f.open();
    QCOMPARE(outbox.append(u"d"_s, "k", "small"), Outbox::AppendResult::Stored);
    const qint64 fileSize = QFileInfo(f.path(segmentName(1))).size();
    const QByteArray exactly(1000 - 42, 'x'); // 40 header + "d" + "k"
    const QByteArray oneMore(1000 - 41, 'x');
    QVERIFY(!outbox.hasRoomFor(u"d"_s, "k", oneMore));
    QCOMPARE(outbox.append(u"d"_s, "k", oneMore), Outbox::AppendResult::Full);
    QCOMPARE(outbox.tail(), quint64(2));
    QCOMPARE(QFileInfo(f.path(segmentName(1))).size(), fileSize);
    QCOMPARE(f.refused(u"too_large"_s), quint64(1));
    QCOMPARE(outbox.depthMessages(), 1);

    // One exactly at the bound fits on its own (after dropping, or after confirming, the other).
    if (policy == Overflow::RejectNew) {
        QCOMPARE(outbox.append(u"d"_s, "k", exactly), Outbox::AppendResult::Full);
        outbox.ack(1);
    }
    QCOMPARE(outbox.append(u"d"_s, "k", exactly), Outbox::AppendResult::Stored);
    QCOMPARE(outbox.depthBytes(), 1000);
}

void TestOutbox::depthAndAge()
{
    Fixture f;
    Outbox &outbox = f.open();
    const qint64 t0 = f.nowMs;
    outbox.append(u"a"_s, "k", "1234");
    f.nowMs = t0 + 500;
    outbox.append(u"bb"_s, "key", "");
    QCOMPARE(outbox.depthMessages(), 2);
    QCOMPARE(outbox.depthBytes(), qint64(40 + 1 + 1 + 4 + 40 + 2 + 3));
    QCOMPARE(outbox.oldestAgeMs(t0 + 2000), 2000);
    QCOMPARE(outbox.oldestAgeMs(t0 - 10), 0); // clock stepped back

    f.nowMs = t0 + 2000;
    (void)f.metrics.exposition();
    const MetricLabels labels{{u"sink"_s, u"upstream"_s}};
    QCOMPARE(f.metrics.gauge(u"edgegate_outbox_depth_messages"_s, {}, labels).value(), 2.0);
    QCOMPARE(f.metrics.gauge(u"edgegate_outbox_depth_bytes"_s, {}, labels).value(), 91.0);
    QCOMPARE(f.metrics.gauge(u"edgegate_outbox_oldest_age_seconds"_s, {}, labels).value(), 2.0);

    outbox.ack(1);
    QCOMPARE(outbox.oldestAgeMs(t0 + 2000), 1500);
    QCOMPARE(outbox.depthBytes(), qint64(45));
    outbox.ack(2);
    QCOMPARE(outbox.oldestAgeMs(t0 + 2000), 0);
    (void)f.metrics.exposition();
    QCOMPARE(f.metrics.gauge(u"edgegate_outbox_depth_messages"_s, {}, labels).value(), 0.0);
    QCOMPARE(f.metrics.gauge(u"edgegate_outbox_oldest_age_seconds"_s, {}, labels).value(), 0.0);

    // The enqueue time survives a restart.
    f.nowMs = t0 + 3000;
    outbox.append(u"c"_s, "k", "p");
    f.close();
    f.open();
    QCOMPARE(f.outbox->oldestAgeMs(t0 + 4000), 1000);
}

void TestOutbox::reject()
{
    Fixture f;
    Outbox &outbox = f.open();
    for (quint64 s = 1; s <= 3; ++s)
        outbox.append(u"d"_s, "k", fixedPayload(s));
    QSignalSpy dropped(&outbox, &Outbox::dropped);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"refused entry 2 for good: field_type_conflict"_s));
    outbox.reject(2, u"field_type_conflict"_s);
    outbox.reject(2, u"field_type_conflict"_s); // once only
    QCOMPARE(dropped.count(), 1);
    QCOMPARE(dropped.at(0).at(0).toULongLong(), quint64(1));
    QCOMPARE(dropped.at(0).at(1).toString(), u"field_type_conflict"_s);
    QCOMPARE(f.dropped(u"field_type_conflict"_s), quint64(1));
    QCOMPARE(outbox.depthMessages(), 2);
    QCOMPARE(f.seqs(), (QList<quint64>{1, 3}));
    QVERIFY(!outbox.ack(2));
}

void TestOutbox::diskError()
{
    // A file size limit makes write() fail like a full disk would (EFBIG instead of ENOSPC).
    Fixture f;
    Outbox &outbox = f.open();
    QCOMPARE(outbox.append(u"d"_s, "k", fixedPayload(1)), Outbox::AppendResult::Stored);

    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved;
    limited.rlim_cur = kFixedRecord + 50; // room for a part of the second entry
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"upstream outbox: writing failed"_s));
    const Outbox::AppendResult result = outbox.append(u"d"_s, "k", fixedPayload(2));
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, previousHandler);

    QCOMPARE(result, Outbox::AppendResult::IoError);
    QCOMPARE(outbox.tail(), quint64(2));
    QCOMPARE(outbox.depthMessages(), 1);
    QCOMPARE(f.refused(u"io_error"_s), quint64(1));
    QVERIFY(f.counter(u"edgegate_outbox_io_errors_total"_s) >= 1);
    QCOMPARE(QFileInfo(f.path(segmentName(1))).size(), kFixedRecord); // the partial entry is gone

    // The disk has room again: nothing is left over from the failure.
    QCOMPARE(outbox.append(u"d"_s, "k", fixedPayload(2)), Outbox::AppendResult::Stored);
    f.close();
    f.open();
    QCOMPARE(f.seqs(), (QList<quint64>{1, 2}));
    QCOMPARE(f.readAll().at(1).payload, fixedPayload(2));
}

void TestOutbox::metricsExposed()
{
    Fixture f;
    Outbox &outbox = f.open();
    outbox.append(u"d"_s, "k", "p");
    outbox.reject(1, u"bad"_s);
    const QByteArray text = f.metrics.exposition();
    for (const char *name :
         {"edgegate_outbox_depth_messages", "edgegate_outbox_depth_bytes", "edgegate_outbox_oldest_age_seconds",
          "edgegate_outbox_appended_total", "edgegate_outbox_dropped_total", "edgegate_outbox_commits_total",
          "edgegate_outbox_io_errors_total"}) {
        QVERIFY2(text.contains(QByteArray("# HELP " + QByteArray(name) + ' ')), name);
        QVERIFY2(text.contains(QByteArray(name + "{sink=\"upstream\""_ba)), name);
    }
    QVERIFY(text.contains("edgegate_outbox_dropped_total{sink=\"upstream\",reason=\"bad\"} 1\n"));
}

void TestOutbox::killedMidStream()
{
    QTemporaryDir dir;
    const QString directory = dir.filePath(u"outbox/crash"_s);
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(kCrashChildEnv), directory);
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::SeparateChannels);
    QByteArray out;
    connect(&child, &QProcess::readyReadStandardOutput, this, [&] { out += child.readAllStandardOutput(); });
    child.start(QCoreApplication::applicationFilePath(), QStringList{});
    QVERIFY(child.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(out.count('\n') >= 2000, 30000);
    child.kill(); // SIGKILL, while it is appending
    QVERIFY(child.waitForFinished());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    out += child.readAllStandardOutput();

    QList<quint64> reported;
    const QList<QByteArray> lines = out.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) // the last piece has no newline: not a whole report
        reported.append(lines[i].toULongLong());
    QCOMPARE(reported.first(), quint64(1));
    QCOMPARE(reported.last(), quint64(reported.size()));

    Metrics metrics;
    OutboxSettings settings;
    settings.directory = directory;
    settings.maxBytes = 1LL << 30;
    settings.segmentBytes = 64 << 10;
    Outbox outbox(u"crash"_s, settings, metrics);
    QString error;
    QVERIFY2(outbox.open(&error), qPrintable(error));
    QVERIFY(outbox.tail() > reported.last()); // it may have stored more than it could report
    quint64 next = 0;
    const QList<OutboxEntry> entries = outbox.read(1, outbox.tail(), std::numeric_limits<int>::max(), &next);
    QCOMPARE(quint64(entries.size()), outbox.tail() - 1);
    for (const OutboxEntry &entry : entries) {
        QCOMPARE(entry.deviceId, deviceFor(entry.seq));
        QCOMPARE(entry.key, "devices/x/telemetry"_ba);
        QCOMPARE(entry.payload, payloadFor(entry.seq));
    }
    QVERIFY(QDir(directory).entryList({u"*.seg"_s}, QDir::Files).size() > 1);
}

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsSet(kCrashChildEnv))
        return crashChild(qEnvironmentVariable(kCrashChildEnv));
    QCoreApplication app(argc, argv);
    TestOutbox test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_outbox.moc"
