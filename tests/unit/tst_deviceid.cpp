// SPDX-License-Identifier: Apache-2.0
#include "shared/deviceid.h"

#include <QString>
#include <QTest>

using edgegate::MessageKind;
using edgegate::TopicError;

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(edgegate::MessageKind)
Q_DECLARE_METATYPE(edgegate::TopicError)

class TestDeviceId : public QObject
{
    Q_OBJECT

private slots:
    void isValidDeviceId_data();
    void isValidDeviceId();
    void parseDeviceTopic_data();
    void parseDeviceTopic();
    void deviceTopicRoundTrip_data();
    void deviceTopicRoundTrip();
    void messageKindName_data();
    void messageKindName();
};

void TestDeviceId::isValidDeviceId_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::addRow("single letter") << u"a"_s << true;
    QTest::addRow("single digit") << u"7"_s << true;
    QTest::addRow("letters and digits") << u"Sensor01abcXYZ"_s << true;
    QTest::addRow("all letters") << u"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"_s << true;
    QTest::addRow("all digits") << u"0123456789"_s << true;
    QTest::addRow("dot") << u"a.b"_s << true;
    QTest::addRow("underscore") << u"a_b"_s << true;
    QTest::addRow("colon") << u"a:b"_s << true;
    QTest::addRow("hyphen") << u"a-b"_s << true;
    QTest::addRow("only dot") << u"."_s << true;
    QTest::addRow("only underscore") << u"_"_s << true;
    QTest::addRow("only colon") << u":"_s << true;
    QTest::addRow("only hyphen") << u"-"_s << true;
    QTest::addRow("all punctuation") << u"plant-3:line_2.sensor-01"_s << true;
    QTest::addRow("64 chars") << QString(64, u'x') << true;
    QTest::addRow("64 chars mixed") << (u"a.b_c:d-"_s + QString(56, u'9')) << true;
    QTest::addRow("65 chars") << QString(65, u'x') << false;
    QTest::addRow("empty") << QString() << false;
    QTest::addRow("empty not null") << u""_s << false;
    QTest::addRow("space inside") << u"a b"_s << false;
    QTest::addRow("leading space") << u" a"_s << false;
    QTest::addRow("trailing space") << u"a "_s << false;
    QTest::addRow("tab") << u"a\tb"_s << false;
    QTest::addRow("newline") << u"a\nb"_s << false;
    QTest::addRow("slash") << u"a/b"_s << false;
    QTest::addRow("plus") << u"a+b"_s << false;
    QTest::addRow("hash") << u"a#b"_s << false;
    QTest::addRow("only plus") << u"+"_s << false;
    QTest::addRow("only hash") << u"#"_s << false;
    QTest::addRow("semicolon after colon") << u"a;b"_s << false;
    QTest::addRow("at before A") << u"a@b"_s << false;
    QTest::addRow("bracket after Z") << u"a[b"_s << false;
    QTest::addRow("backtick before a") << u"a`b"_s << false;
    QTest::addRow("brace after z") << u"a{b"_s << false;
    QTest::addRow("comma") << u"a,b"_s << false;
    QTest::addRow("asterisk") << u"a*b"_s << false;
    QTest::addRow("dollar") << u"a$b"_s << false;
    QTest::addRow("e acute") << u"\u00e9"_s << false;
    QTest::addRow("word with e acute") << u"caf\u00e9"_s << false;
    QTest::addRow("cyrillic a") << u"\u0430"_s << false;
    QTest::addRow("fullwidth digit") << u"\uff11"_s << false;
    QTest::addRow("NUL inside") << QString::fromUtf16(u"a\0b", 3) << false;
    QTest::addRow("only NUL") << QString(1, QChar(u'\0')) << false;
    QTest::addRow("emoji") << u"\U0001F600"_s << false;
    QTest::addRow("emoji after letters") << u"dev\U0001F600"_s << false;
}

void TestDeviceId::isValidDeviceId()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(edgegate::isValidDeviceId(id), valid);
}

void TestDeviceId::parseDeviceTopic_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("id");
    QTest::addColumn<MessageKind>("kind");
    QTest::addColumn<TopicError>("error");

    const auto accept = [](const char *name, const QString &topic, const QString &id, MessageKind kind) {
        QTest::addRow("%s", name) << topic << true << id << kind << TopicError::NotDeviceTopic;
    };
    const auto refuse = [](const char *name, const QString &topic, TopicError error) {
        QTest::addRow("%s", name) << topic << false << QString() << MessageKind::Telemetry << error;
    };

    accept("telemetry", u"devices/a/telemetry"_s, u"a"_s, MessageKind::Telemetry);
    accept("status", u"devices/a/status"_s, u"a"_s, MessageKind::Status);
    accept("meta", u"devices/a/meta"_s, u"a"_s, MessageKind::Meta);
    accept("commands", u"devices/a/commands"_s, u"a"_s, MessageKind::Command);
    accept("ota", u"devices/a/ota"_s, u"a"_s, MessageKind::Ota);
    accept("events", u"devices/a/events"_s, u"a"_s, MessageKind::Event);
    accept("commands/ack", u"devices/a/commands/ack"_s, u"a"_s, MessageKind::CommandAck);
    accept("ota/progress", u"devices/a/ota/progress"_s, u"a"_s, MessageKind::OtaProgress);
    accept("id with punctuation", u"devices/plant-3:line_2.s01/status"_s, u"plant-3:line_2.s01"_s, MessageKind::Status);
    accept("64-char id", u"devices/"_s + QString(64, u'k') + u"/telemetry"_s, QString(64, u'k'),
           MessageKind::Telemetry);
    accept("64-char id with sub-level", u"devices/"_s + QString(64, u'k') + u"/ota/progress"_s, QString(64, u'k'),
           MessageKind::OtaProgress);

    refuse("other root", u"foo/a/telemetry"_s, TopicError::NotDeviceTopic);
    refuse("empty", QString(), TopicError::NotDeviceTopic);
    refuse("devices alone", u"devices"_s, TopicError::NotDeviceTopic);
    refuse("root in upper case", u"Devices/a/telemetry"_s, TopicError::NotDeviceTopic);
    refuse("root singular", u"device/a/telemetry"_s, TopicError::NotDeviceTopic);
    refuse("leading slash", u"/devices/a/telemetry"_s, TopicError::NotDeviceTopic);

    refuse("two levels", u"devices/a"_s, TopicError::BadLevels);
    refuse("trailing slash after root", u"devices/"_s, TopicError::BadLevels);
    refuse("id with slash", u"devices/a/b/telemetry"_s, TopicError::BadLevels);
    refuse("five levels", u"devices/a/b/c/d"_s, TopicError::BadLevels);
    refuse("five levels from known pair", u"devices/a/commands/ack/x"_s, TopicError::BadLevels);
    refuse("trailing slash after kind", u"devices/a/telemetry/"_s, TopicError::BadLevels);
    refuse("unknown sub-level of commands", u"devices/a/commands/nack"_s, TopicError::BadLevels);
    refuse("ack under ota", u"devices/a/ota/ack"_s, TopicError::BadLevels);
    refuse("sub-level of telemetry", u"devices/a/telemetry/ack"_s, TopicError::BadLevels);

    refuse("empty id", u"devices//telemetry"_s, TopicError::InvalidDeviceId);
    refuse("id with space", u"devices/a b/telemetry"_s, TopicError::InvalidDeviceId);
    refuse("65-char id", u"devices/"_s + QString(65, u'k') + u"/telemetry"_s, TopicError::InvalidDeviceId);
    refuse("wildcard id", u"devices/+/status"_s, TopicError::InvalidDeviceId);
    refuse("unicode id", u"devices/caf\u00e9/meta"_s, TopicError::InvalidDeviceId);
    refuse("invalid id with sub-level", u"devices/a b/commands/ack"_s, TopicError::InvalidDeviceId);

    refuse("unknown kind", u"devices/a/foo"_s, TopicError::UnknownKind);
    refuse("empty kind", u"devices/a/"_s, TopicError::UnknownKind);
    refuse("kind in upper case", u"devices/a/Telemetry"_s, TopicError::UnknownKind);
    refuse("event singular", u"devices/a/event"_s, TopicError::UnknownKind);
    refuse("command singular", u"devices/a/command"_s, TopicError::UnknownKind);
    refuse("ack without commands", u"devices/a/ack"_s, TopicError::UnknownKind);
}

void TestDeviceId::parseDeviceTopic()
{
    QFETCH(QString, topic);
    QFETCH(bool, ok);
    QFETCH(QString, id);
    QFETCH(MessageKind, kind);
    QFETCH(TopicError, error);

    const edgegate::TopicParse parsed = edgegate::parseDeviceTopic(topic);
    QCOMPARE(parsed.topic.has_value(), ok);
    if (ok) {
        QCOMPARE(parsed.topic->deviceId, id);
        QCOMPARE(parsed.topic->kind, kind);
    } else {
        QCOMPARE(parsed.error, error);
    }
}

void TestDeviceId::deviceTopicRoundTrip_data()
{
    QTest::addColumn<MessageKind>("kind");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("topic");

    const QString id = u"Plant-3:line_2.s01"_s;
    QTest::addRow("telemetry") << MessageKind::Telemetry << id << u"devices/Plant-3:line_2.s01/telemetry"_s;
    QTest::addRow("status") << MessageKind::Status << id << u"devices/Plant-3:line_2.s01/status"_s;
    QTest::addRow("meta") << MessageKind::Meta << id << u"devices/Plant-3:line_2.s01/meta"_s;
    QTest::addRow("event") << MessageKind::Event << id << u"devices/Plant-3:line_2.s01/events"_s;
    QTest::addRow("command") << MessageKind::Command << id << u"devices/Plant-3:line_2.s01/commands"_s;
    QTest::addRow("command_ack") << MessageKind::CommandAck << id << u"devices/Plant-3:line_2.s01/commands/ack"_s;
    QTest::addRow("ota") << MessageKind::Ota << id << u"devices/Plant-3:line_2.s01/ota"_s;
    QTest::addRow("ota_progress") << MessageKind::OtaProgress << id << u"devices/Plant-3:line_2.s01/ota/progress"_s;
    QTest::addRow("64-char id") << MessageKind::CommandAck << QString(64, u'Z')
                                << (u"devices/"_s + QString(64, u'Z') + u"/commands/ack"_s);
}

void TestDeviceId::deviceTopicRoundTrip()
{
    QFETCH(MessageKind, kind);
    QFETCH(QString, id);
    QFETCH(QString, topic);

    const QString built = edgegate::deviceTopic(id, kind);
    QCOMPARE(built, topic);
    const edgegate::TopicParse parsed = edgegate::parseDeviceTopic(built);
    QVERIFY2(parsed.topic.has_value(), qPrintable(built));
    QCOMPARE(parsed.topic->deviceId, id);
    QCOMPARE(parsed.topic->kind, kind);
}

void TestDeviceId::messageKindName_data()
{
    QTest::addColumn<MessageKind>("kind");
    QTest::addColumn<QString>("name");

    QTest::addRow("Telemetry") << MessageKind::Telemetry << u"telemetry"_s;
    QTest::addRow("Status") << MessageKind::Status << u"status"_s;
    QTest::addRow("Meta") << MessageKind::Meta << u"meta"_s;
    QTest::addRow("Event") << MessageKind::Event << u"event"_s;
    QTest::addRow("Command") << MessageKind::Command << u"command"_s;
    QTest::addRow("CommandAck") << MessageKind::CommandAck << u"command_ack"_s;
    QTest::addRow("Ota") << MessageKind::Ota << u"ota"_s;
    QTest::addRow("OtaProgress") << MessageKind::OtaProgress << u"ota_progress"_s;
}

void TestDeviceId::messageKindName()
{
    QFETCH(MessageKind, kind);
    QFETCH(QString, name);
    QCOMPARE(edgegate::messageKindName(kind), name);
}

QTEST_APPLESS_MAIN(TestDeviceId)

#include "tst_deviceid.moc"
