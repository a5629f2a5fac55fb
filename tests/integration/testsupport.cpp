// SPDX-License-Identifier: Apache-2.0
#include "testsupport.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QUdpSocket>

#include <csignal>

#include <sys/resource.h>

using namespace Qt::StringLiterals;

namespace testsupport {

quint16 freePort()
{
    // Bind port 0 to have the kernel pick an unused port, then check no one answers there.
    for (int attempt = 0; attempt < 20; ++attempt) {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            continue;
        const quint16 port = probe.serverPort();
        probe.close();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (!socket.waitForConnected(200))
            return port;
    }
    qFatal("no free loopback port found");
}

quint16 freeUdpPort()
{
    QUdpSocket probe;
    if (!probe.bind(QHostAddress::LocalHost, 0))
        qFatal("no free loopback UDP port found");
    return probe.localPort();
}

bool waitForListening(quint16 port, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(200))
            return true;
        QTest::qWait(50);
    }
    return false;
}

namespace {

bool makeShared(const QString &path)
{
    // mosquitto started as root drops to its own user, which must still read its config and
    // write its log here.
    return QFile::setPermissions(path,
                                 QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                     | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther
                                     | QFile::ExeOther);
}

int runTool(const QString &program, const QStringList &args, const QByteArray &input, QByteArray *output,
            int timeoutMs = 15000)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    if (!process.waitForStarted(5000))
        return -1;
    if (!input.isNull())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return -1;
    }
    if (output)
        *output = process.readAll();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

} // namespace

Broker::Broker() = default;

Broker::~Broker()
{
    kill();
}

bool Broker::start(quint16 port, const QString &extraConfig)
{
    m_port = port ? port : freePort();
    makeShared(m_dir.path());
    const QString confPath = m_dir.filePath(u"mosquitto.conf"_s);
    QFile conf(confPath);
    if (!conf.open(QIODevice::WriteOnly))
        return false;
    // A log file rather than stdout: mosquitto buffers stdout when it is a pipe.
    conf.write(
        u"listener %1 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest file %2\n"
        "log_type error\nlog_type warning\nlog_type notice\nlog_type information\nlog_type subscribe\n"_s.arg(m_port)
            .arg(m_dir.filePath(u"mosquitto.log"_s))
            .toUtf8());
    conf.write(extraConfig.toUtf8());
    conf.close();
    QFile::setPermissions(confPath, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    return startWithFile(confPath, m_port);
}

bool Broker::startWithFile(const QString &confPath, quint16 port)
{
    m_port = port;
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->start(u"mosquitto"_s, {u"-c"_s, confPath});
    if (!m_process->waitForStarted(5000))
        return false;
    if (!waitForListening(m_port)) {
        qWarning("mosquitto did not listen on %d: %s", m_port, m_process->readAll().constData());
        return false;
    }
    return true;
}

QString Broker::sharedDir()
{
    makeShared(m_dir.path());
    return m_dir.path();
}

void Broker::reload()
{
    if (m_process)
        ::kill(static_cast<pid_t>(m_process->processId()), SIGHUP);
}

void Broker::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_process.reset();
}

void Broker::suspend()
{
    if (m_process)
        ::kill(static_cast<pid_t>(m_process->processId()), SIGSTOP);
}

void Broker::resume()
{
    if (m_process)
        ::kill(static_cast<pid_t>(m_process->processId()), SIGCONT);
}

QString Broker::log()
{
    QFile file(m_dir.filePath(u"mosquitto.log"_s));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

Gateway::Gateway() = default;

Gateway::~Gateway()
{
    kill();
}

QString Gateway::config(quint16 brokerPort, const QString &extra, const QString &mqttExtra, const QString &httpExtra)
{
    m_httpPort = freePort();
    m_coapPort = freeUdpPort();
    return u"gateway:\n  id: test-gw\n  data_dir: %1\n"
           "mqtt:\n  host: 127.0.0.1\n  port: %2\n  reconnect_min: 100ms\n  reconnect_max: 500ms\n%3"
           "http:\n  listen: 127.0.0.1:%4\n%5coap:\n  listen: 127.0.0.1:%7\n%6"_s.arg(dataDir())
               .arg(brokerPort)
               .arg(mqttExtra)
               .arg(m_httpPort)
               .arg(httpExtra, extra)
               .arg(m_coapPort);
}

bool Gateway::start(const QString &yaml)
{
    if (m_httpPort == 0)
        qFatal("build the config with Gateway::config() first");
    QFile file(configPath());
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(yaml.toUtf8());
    file.close();

    m_output.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(),
                     [this] { m_output += m_process->readAll(); });
    // Tests never announce on the host's network: without a private bus of the test's own, mDNS finds none.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!env.contains(u"DBUS_SYSTEM_BUS_ADDRESS"_s))
        env.insert(u"DBUS_SYSTEM_BUS_ADDRESS"_s, u"unix:path="_s + m_dir.filePath(u"no-system-bus"_s));
    m_process->setProcessEnvironment(env);
    if (m_descriptorLimit > 0) {
        const rlim_t limit = rlim_t(m_descriptorLimit);
        m_process->setChildProcessModifier([limit] {
            const rlimit l{limit, limit};
            ::setrlimit(RLIMIT_NOFILE, &l);
        });
    }
    m_process->start(QStringLiteral(EDGEGATED_PATH), {u"--config"_s, configPath()});
    if (!m_process->waitForStarted(5000))
        return false;
    Http http(m_httpPort);
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
        const int status = m_httpsCurlArgs.isEmpty()
            ? http.get(u"/healthz"_s).status
            : curlUrl(u"https://127.0.0.1:%1/healthz"_s.arg(m_httpPort), m_httpsCurlArgs).status;
        if (status == 200)
            return true;
        QTest::qWait(50);
    }
    qWarning("edgegated did not become healthy:\n%s", qPrintable(output()));
    return false;
}

qint64 Gateway::pid() const
{
    return m_process ? m_process->processId() : 0;
}

qint64 Gateway::residentBytes() const
{
    QFile status(u"/proc/%1/status"_s.arg(pid()));
    if (pid() == 0 || !status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

int Gateway::terminate(int timeoutMs)
{
    if (!m_process)
        return -1;
    m_process->terminate();
    const bool finished = m_process->waitForFinished(timeoutMs);
    m_output += m_process->readAll();
    if (!finished || m_process->exitStatus() != QProcess::NormalExit) {
        kill();
        return -1;
    }
    const int code = m_process->exitCode();
    m_process.reset();
    return code;
}

void Gateway::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_output += m_process->readAll();
    m_process.reset();
}

bool Gateway::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString Gateway::output() const
{
    return QString::fromUtf8(m_output);
}

Influxd::Influxd() = default;

Influxd::~Influxd()
{
    kill();
}

bool Influxd::start()
{
    if (m_process)
        return false;
    if (m_httpPort == 0) {
        m_httpPort = freePort();
        m_rpcPort = freePort();
        while (m_rpcPort == m_httpPort)
            m_rpcPort = freePort();
    }
    // Every folder in the temp dir and every listener on a loopback port of its own; the
    // services that are off by default are switched off explicitly so a changed default
    // cannot make the test listen on a fixed port.
    const QString config = uR"(reporting-disabled = true
bind-address = "127.0.0.1:%1"
[meta]
  dir = "%3/meta"
[data]
  dir = "%3/data"
  wal-dir = "%3/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:%2"
  log-enabled = false
[monitor]
  store-enabled = false
[[graphite]]
  enabled = false
[[collectd]]
  enabled = false
[[opentsdb]]
  enabled = false
[[udp]]
  enabled = false
)"_s.arg(m_rpcPort)
                               .arg(m_httpPort)
                               .arg(m_dir.path());
    QFile file(m_dir.filePath(u"influxdb.conf"_s));
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(config.toUtf8());
    file.close();

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(),
                     [this] { m_output += m_process->readAll(); });
    m_process->start(u"influxd"_s, {u"run"_s, u"-config"_s, file.fileName()});
    if (!m_process->waitForStarted(10000))
        return false;
    Http http(m_httpPort);
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
        if (http.get(u"/ping"_s).status == 204)
            return true;
        QTest::qWait(50);
    }
    qWarning("influxd did not answer /ping on %d:\n%s", m_httpPort, qPrintable(output()));
    return false;
}

bool Influxd::stop(int timeoutMs)
{
    if (!m_process)
        return true;
    m_process->terminate();
    const bool finished = m_process->waitForFinished(timeoutMs);
    m_output += m_process->readAll();
    if (!finished) {
        kill();
        return false;
    }
    m_process.reset();
    return true;
}

void Influxd::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(10000);
    m_output += m_process->readAll();
    m_process.reset();
}

bool Influxd::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QUrl Influxd::url() const
{
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_httpPort));
}

QString Influxd::output() const
{
    return QString::fromUtf8(m_output);
}

bool Influxd::createDatabase(const QString &name)
{
    Http http(m_httpPort);
    const auto reply = http.send(
        "POST", u"/query?q="_s + QString::fromLatin1(QUrl::toPercentEncoding(u"CREATE DATABASE \"%1\""_s.arg(name))),
        {}, {});
    if (reply.status != 200 || reply.body.contains("error")) {
        qWarning() << "CREATE DATABASE failed:" << reply.status << reply.body;
        return false;
    }
    return true;
}

int Influxd::write(const QString &db, const QByteArray &body)
{
    Http http(m_httpPort);
    const auto reply
        = http.send("POST", u"/write?db=%1&precision=ns"_s.arg(QString::fromLatin1(QUrl::toPercentEncoding(db))), body,
                    "text/plain; charset=utf-8");
    if (reply.status != 204)
        qWarning() << "write failed:" << reply.status << reply.body;
    return reply.status;
}

QJsonObject Influxd::query(const QString &db, const QString &q)
{
    Http http(m_httpPort);
    const auto reply = http.get(u"/query?db=%1&epoch=ns&q=%2"_s.arg(QString::fromLatin1(QUrl::toPercentEncoding(db)),
                                                                    QString::fromLatin1(QUrl::toPercentEncoding(q))));
    QJsonObject result = reply.json().value(u"results"_s).toArray().at(0).toObject();
    if (reply.status != 200 || result.contains(u"error"_s))
        qWarning() << "query failed:" << reply.status << reply.body;
    return result;
}

qint64 Influxd::count(const QString &db, const QString &q)
{
    const QJsonObject result = query(db, q);
    if (result.isEmpty() || result.contains(u"error"_s))
        return -1;
    if (result.value(u"series"_s).toArray().isEmpty())
        return 0;
    // One row: [time, count].
    return firstSeriesRows(result).at(0).toArray().at(1).toInteger(-1);
}

QJsonArray Influxd::rows(const QString &db, const QString &q)
{
    return firstSeriesRows(query(db, q));
}

QJsonArray Influxd::firstSeriesRows(const QJsonObject &result)
{
    return result.value(u"series"_s).toArray().at(0).toObject().value(u"values"_s).toArray();
}

Http::Http(quint16 port)
    : m_port(port)
{
    m_manager.setProxy(QNetworkProxy::NoProxy);
}

HttpReply Http::get(const QString &path)
{
    return send("GET", path, {}, {});
}

HttpReply Http::send(const QByteArray &method, const QString &path, const QByteArray &body,
                     const QByteArray &contentType)
{
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path)));
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    request.setTransferTimeout(10000);
    QNetworkReply *reply = m_manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    HttpReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return result;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

CurlReply curl(quint16 port, const QString &path, const QStringList &args)
{
    return curlUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(path), args);
}

CurlReply curlUrl(const QString &url, const QStringList &args)
{
    QByteArray output;
    const QStringList all
        = QStringList{u"-s"_s, u"-o"_s, u"-"_s, u"-w"_s, u"\n%{http_code}"_s, u"--max-time"_s, u"10"_s} + args
        + QStringList{url};
    QProcess process;
    process.start(u"curl"_s, all);
    CurlReply reply;
    if (!process.waitForFinished(15000))
        return reply;
    output = process.readAllStandardOutput();
    const qsizetype cut = output.lastIndexOf('\n');
    reply.status = output.mid(cut + 1).trimmed().toInt();
    reply.body = output.left(cut);
    return reply;
}

Subscriber::Subscriber(quint16 brokerPort, const QString &filter)
    : m_process(std::make_unique<QProcess>())
    , m_clientId(u"test-sub-%1"_s.arg(QCoreApplication::applicationPid()) + QString::number(quintptr(this), 16))
{
    // stdbuf: mosquitto_sub writes through stdio, which buffers a file in blocks.
    m_process->setStandardOutputFile(m_dir.filePath(u"messages"_s));
    m_process->start(u"stdbuf"_s,
                     {u"-oL"_s, u"mosquitto_sub"_s, u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(brokerPort),
                      u"-t"_s, filter, u"-v"_s, u"-q"_s, u"1"_s, u"-i"_s, m_clientId});
    m_process->waitForStarted(5000);
}

Subscriber::~Subscriber()
{
    m_process->kill();
    m_process->waitForFinished(5000);
}

bool Subscriber::waitUntilSubscribed(Broker &broker, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        // With log_type subscribe, mosquitto logs "<client id> <qos> <filter>" per subscription.
        if (broker.log().contains(m_clientId + u" 1 "_s))
            return true;
        QTest::qWait(50);
    }
    return false;
}

QList<std::pair<QString, QByteArray>> Subscriber::messages()
{
    QFile file(m_dir.filePath(u"messages"_s));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = file.readAll();
    QList<std::pair<QString, QByteArray>> out;
    // Only complete lines: the last one may still be arriving.
    for (const QByteArray &line : text.left(text.lastIndexOf('\n')).split('\n')) {
        const qsizetype space = line.indexOf(' ');
        if (space > 0)
            out.append({QString::fromUtf8(line.left(space)), line.mid(space + 1)});
    }
    return out;
}

bool publish(quint16 brokerPort, const QString &topic, const QByteArray &payload, int qos, bool retain,
             const QString &protocol)
{
    QStringList args{u"-h"_s, u"127.0.0.1"_s,
                     u"-p"_s, QString::number(brokerPort),
                     u"-t"_s, topic,
                     u"-q"_s, QString::number(qos),
                     u"-V"_s, protocol == u"5" ? u"mqttv5"_s : u"mqttv311"_s};
    if (retain)
        args << u"-r"_s;
    if (payload.isEmpty())
        args << u"-n"_s;
    else
        args << u"-s"_s;
    QByteArray output;
    const int rc = runTool(u"mosquitto_pub"_s, args, payload.isEmpty() ? QByteArray() : payload, &output);
    if (rc != 0)
        qWarning("mosquitto_pub failed (%d): %s", rc, output.constData());
    return rc == 0;
}

QByteArray retained(quint16 brokerPort, const QString &topic)
{
    QByteArray output;
    const int rc = runTool(u"mosquitto_sub"_s,
                           {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(brokerPort), u"-t"_s, topic, u"-C"_s,
                            u"1"_s, u"-W"_s, u"2"_s, u"--retained-only"_s},
                           QByteArray(), &output);
    return rc == 0 ? output.trimmed() : QByteArray();
}

bool promtoolCheck(const QByteArray &metricsText, QString *output)
{
    QByteArray out;
    const int rc = runTool(u"promtool"_s, {u"check"_s, u"metrics"_s}, metricsText, &out);
    *output = QString::fromUtf8(out);
    return rc == 0;
}

double metricValue(const QByteArray &metricsText, const QString &series)
{
    const QByteArray prefix = series.toUtf8() + ' ';
    for (const QByteArray &line : metricsText.split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).toDouble();
    }
    return -1;
}

bool TestPki::openssl(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(u"openssl"_s, args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0) {
        qWarning("openssl %s: %s", qPrintable(args.join(u' ')), p.readAll().constData());
        return false;
    }
    return true;
}

bool TestPki::makeCa(const QString &name)
{
    return openssl({u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                    u"-nodes"_s, u"-keyout"_s, path(name + u".key"_s), u"-out"_s, path(name + u".crt"_s), u"-days"_s,
                    u"30"_s, u"-subj"_s, u"/CN=EdgeGate test "_s + name});
}

bool TestPki::issue(const QString &name, const QString &commonName, const QString &ca, int days)
{
    QFile ext(path(name + u".ext"_s));
    if (!ext.open(QIODevice::WriteOnly))
        return false;
    ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    ext.close();
    return openssl({u"req"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s,
                    u"-keyout"_s, path(name + u".key"_s), u"-out"_s, path(name + u".csr"_s), u"-subj"_s,
                    u"/CN="_s + commonName})
        && openssl({u"x509"_s, u"-req"_s, u"-in"_s, path(name + u".csr"_s), u"-CA"_s, path(ca + u".crt"_s), u"-CAkey"_s,
                    path(ca + u".key"_s), u"-CAcreateserial"_s, u"-days"_s, QString::number(days), u"-out"_s,
                    path(name + u".crt"_s), u"-extfile"_s, ext.fileName()});
}

} // namespace testsupport
