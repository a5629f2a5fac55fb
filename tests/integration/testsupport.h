// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

/// Helpers for tests against real processes: free ports, a mosquitto broker, influxd, edgegated
/// itself, HTTP requests and MQTT publishes with the real command-line clients.
namespace testsupport {

/// A loopback TCP port nothing listened on when it was checked.
quint16 freePort();

/// A loopback UDP port nothing was bound to when it was checked.
quint16 freeUdpPort();

/// True once something accepts TCP connections on 127.0.0.1:port (waits up to timeoutMs).
bool waitForListening(quint16 port, int timeoutMs = 10000);

/// A mosquitto broker of its own, on a port of its own, with its files in a temp folder.
class Broker
{
public:
    Broker();
    ~Broker();
    /// 0: pick a free port. `extraConfig` is appended to mosquitto.conf, after the loopback
    /// listener on port(): more listeners (a TLS one), an acl_file, log_type debug.
    bool start(quint16 port = 0, const QString &extraConfig = {});
    /// Runs mosquitto on a configuration file of its own (one `edgegated broker-config` wrote into
    /// sharedDir()), and waits until `port` listens.
    bool startWithFile(const QString &confPath, quint16 port);
    /// A folder of the broker's, which the user mosquitto drops to can read.
    [[nodiscard]] QString sharedDir();
    void reload(); ///< SIGHUP: mosquitto reads its configuration, certificates and CRL again
    void kill(); ///< SIGKILL, as a crash would
    void suspend(); ///< SIGSTOP: the broker holds its connections open and answers nothing
    void resume(); ///< SIGCONT
    /// The broker's folder, readable by the user mosquitto drops to (for certificates, ACLs).
    [[nodiscard]] QString filePath(const QString &name) const { return m_dir.filePath(name); }
    [[nodiscard]] quint16 port() const { return m_port; }
    /// Everything the broker logged so far.
    [[nodiscard]] QString log();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
};

/// edgegated started from its build path with a config written to a temp folder.
class Gateway
{
public:
    Gateway();
    ~Gateway();
    /// `yaml` is the whole config; data_dir defaults to a folder inside this object's temp dir.
    bool start(const QString &yaml);
    /// SIGTERM and wait: the exit code, or -1 if it did not exit normally within the timeout.
    int terminate(int timeoutMs = 15000);
    void kill();
    [[nodiscard]] QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    /// The file start() wrote its configuration to.
    [[nodiscard]] QString configPath() const { return m_dir.filePath(QStringLiteral("edgegated.yaml")); }
    [[nodiscard]] quint16 httpPort() const { return m_httpPort; }
    [[nodiscard]] quint16 coapPort() const { return m_coapPort; }
    [[nodiscard]] QString output() const;
    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] qint64 pid() const;
    /// The resident memory of the running process, from /proc (VmRSS), in bytes; -1 if unknown.
    [[nodiscard]] qint64 residentBytes() const;
    /// Starts the process with this many file descriptors at most (RLIMIT_NOFILE); 0: inherited.
    void setDescriptorLimit(int limit) { m_descriptorLimit = limit; }
    /// The port speaks HTTPS: start() waits for /healthz through curl with these arguments
    /// (e.g. --cacert, --cert, --key).
    void setHttps(const QStringList &curlArgs) { m_httpsCurlArgs = curlArgs; }

    /// A config with the ports and folders of this test filled in, plus `extra` YAML sections
    /// and extra keys (indented lines) for the mqtt and http sections.
    [[nodiscard]] QString config(quint16 brokerPort, const QString &extra = {}, const QString &mqttExtra = {},
                                 const QString &httpExtra = {});

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_httpPort = 0;
    quint16 m_coapPort = 0;
    QByteArray m_output;
    int m_descriptorLimit = 0;
    QStringList m_httpsCurlArgs;
};

struct HttpReply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

/// An InfluxDB 1.x server (influxd) of its own, on loopback ports of its own, with its data in a
/// temp folder. start() after stop() or kill() brings it back on the same ports with the same data.
class Influxd
{
public:
    Influxd();
    ~Influxd();
    /// Starts influxd and waits until it answers /ping.
    bool start();
    /// SIGTERM and wait, a clean shutdown; false when it did not exit in time (it is killed then).
    bool stop(int timeoutMs = 15000);
    /// Runs mosquitto on a configuration file of its own (one `edgegated broker-config` wrote into
    /// sharedDir()), and waits until `port` listens.
    bool startWithFile(const QString &confPath, quint16 port);
    /// A folder of the broker's, which the user mosquitto drops to can read.
    [[nodiscard]] QString sharedDir();
    void reload(); ///< SIGHUP: mosquitto reads its configuration, certificates and CRL again
    void kill(); ///< SIGKILL, as a crash would
    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] quint16 port() const { return m_httpPort; }
    [[nodiscard]] QUrl url() const;
    /// Everything influxd logged so far.
    [[nodiscard]] QString output() const;

    bool createDatabase(const QString &name);
    /// POST /write?db=...&precision=ns; the HTTP status.
    int write(const QString &db, const QByteArray &body);
    /// The first statement's result of a query, e.g. {"series":[...]}; warns on an error.
    QJsonObject query(const QString &db, const QString &q);
    /// The one number a query like `SELECT count(v) FROM m` answers: 0 without a series, -1 on error.
    qint64 count(const QString &db, const QString &q);
    /// The rows of the first series a query answers ([time, column...] each), empty without one.
    QJsonArray rows(const QString &db, const QString &q);

private:
    static QJsonArray firstSeriesRows(const QJsonObject &result);

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_httpPort = 0;
    quint16 m_rpcPort = 0;
    QByteArray m_output;
};

/// Blocking HTTP requests against 127.0.0.1:port.
class Http
{
public:
    explicit Http(quint16 port);
    HttpReply get(const QString &path);
    HttpReply send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                   const QByteArray &contentType = "application/json");

private:
    quint16 m_port;
    QNetworkAccessManager m_manager;
};

/// What curl got: the HTTP status (0 when it failed to connect) and the body.
struct CurlReply
{
    int status = 0;
    QByteArray body;
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

/// The whole file, or nothing when it cannot be read.
QByteArray readFile(const QString &path);

/// Runs the real curl against 127.0.0.1:port; `args` come before the URL (e.g. -X, -H, --data-binary).
/// Blocks without running the event loop: only for servers in another process.
CurlReply curl(quint16 port, const QString &path, const QStringList &args = {});
/// The same for any URL (https://...).
CurlReply curlUrl(const QString &url, const QStringList &args = {});

/// mosquitto_sub watching a topic filter for as long as the object lives; lines are "topic payload".
class Subscriber
{
public:
    Subscriber(quint16 brokerPort, const QString &filter);
    ~Subscriber();
    /// True once the subscription is in place (the broker logged it or a first message came).
    bool waitUntilSubscribed(Broker &broker, int timeoutMs = 10000);
    /// Messages received so far, as (topic, payload).
    [[nodiscard]] QList<std::pair<QString, QByteArray>> messages();

private:
    // The messages go to a file, not a pipe: a pipe nobody reads while the test blocks (waiting for a
    // process, say) fills up, stalls mosquitto_sub, and the broker then drops what it cannot queue.
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QString m_clientId;
};

/// Publishes with mosquitto_pub; true when it exited 0.
bool publish(quint16 brokerPort, const QString &topic, const QByteArray &payload, int qos = 1, bool retain = false,
             const QString &protocol = QStringLiteral("5"));

/// Reads one retained message with mosquitto_sub; empty when there is none.
QByteArray retained(quint16 brokerPort, const QString &topic);

/// Runs `promtool check metrics` on the text; its output on failure.
bool promtoolCheck(const QByteArray &metricsText, QString *output);

/// The value of one sample line in a Prometheus exposition (`name{labels}`), or -1 when absent.
double metricValue(const QByteArray &metricsText, const QString &series);

/// Keys and certificates made with the openssl command, as files `{name}.key` and `{name}.crt` in `dir`.
class TestPki
{
public:
    explicit TestPki(const QString &dir)
        : m_dir(dir)
    {
    }
    /// A self-signed CA (EC P-256, 30 days).
    bool makeCa(const QString &name);
    /// A certificate for 127.0.0.1 and localhost, for servers and clients, signed by the CA `ca`.
    bool issue(const QString &name, const QString &commonName, const QString &ca, int days = 30);
    [[nodiscard]] QString path(const QString &file) const { return m_dir + u'/' + file; }

private:
    bool openssl(const QStringList &args);
    QString m_dir;
};

} // namespace testsupport
