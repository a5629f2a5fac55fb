// SPDX-License-Identifier: Apache-2.0
// The edgegated command line: --check-config, --version, --log-level.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run edgegated(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(EDGEGATED_PATH), args);
    Run r;
    if (!p.waitForFinished(15000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(text);
    return path;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void version();
    void checkValidConfig();
    void checkSampleConfig();
    void checkInvalidConfigListsEveryProblem();
    void runRefusesInvalidConfig();
    void unknownLogLevel();
};

void TestCli::version()
{
    const Run r = edgegated({u"--version"_s});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains(u"edgegated "_s));
    QVERIFY(r.out.contains(QStringLiteral(EDGEGATE_VERSION)));
}

void TestCli::checkValidConfig()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, u"empty.yaml"_s, "# nothing set: every default applies\n");
    const Run r = edgegated({u"--check-config"_s, path});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.err.isEmpty());
}

void TestCli::checkSampleConfig()
{
    const Run r = edgegated({u"--check-config"_s, QStringLiteral(EDGEGATE_SOURCE_DIR "/packaging/edgegated.yaml")});
    QCOMPARE(r.exitCode, 0);
}

void TestCli::checkInvalidConfigListsEveryProblem()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, u"bad.yaml"_s,
                                   "gateway:\n"
                                   "  id: gw-1\n"
                                   "mqtt:\n"
                                   "  hots: 127.0.0.1\n" // line 4: unknown key
                                   "  port: 70000\n" // line 5: out of range
                                   "http:\n"
                                   "  listen: nowhere\n" // line 7: bad address
                                   "registry:\n"
                                   "  policy: sometimes\n" // line 9: bad value
                                   "analytics:\n"
                                   "  window: many\n"); // line 11: wrong type
    const Run r = edgegated({u"--check-config"_s, path});
    QCOMPARE(r.exitCode, 2);
    const QStringList lines = r.err.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    const int expectedLines[] = {4, 5, 7, 9, 11};
    for (int i = 0; i < 5; ++i)
        QVERIFY2(lines.at(i).startsWith(u"%1:%2: "_s.arg(path).arg(expectedLines[i])), qPrintable(lines.at(i)));
    QVERIFY(lines.at(0).contains(u"mqtt.hots"_s));
    QVERIFY(lines.at(1).contains(u"70000"_s));
}

void TestCli::runRefusesInvalidConfig()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, u"bad.yaml"_s, "mqtt:\n  port: [1, 2]\n");
    const Run r = edgegated({u"--config"_s, path});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.startsWith(path + u":2: "_s));
}

void TestCli::unknownLogLevel()
{
    const Run r = edgegated({u"--log-level"_s, u"chatty"_s});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains(u"chatty"_s));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
