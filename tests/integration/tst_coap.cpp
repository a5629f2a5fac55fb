// SPDX-License-Identifier: Apache-2.0
#include "coaptestpdu.h"
#include "gateway/devicelinks/coap/coaplink.h"
#include "gateway/storage/certauthority.h"
#include "gateway/storage/devicecertificates.h"
#include "support/corepipeline.h"
#include "testsupport.h"

#include <QCborArray>
#include <QCborMap>
#include <QFile>
#include <QNetworkDatagram>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <coap3/coap.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using testsupport::freeUdpPort;

namespace {

constexpr int ClientTimeoutMs = 30000;

/// The core pipeline with a CoAP link on free loopback ports in front of it.
struct Server : CorePipeline
{
    explicit Server(RegistryPolicy policy = RegistryPolicy::Auto,
                    const std::function<void(CoapLink::Settings &)> &tune = {})
        : CorePipeline(policy, 4096)
    {
        psks.insert("dtls-1-identity", CoapLink::Psk{u"dtls-1"_s, "secret-key-1"});
        CoapLink::Settings settings;
        settings.host = u"127.0.0.1"_s;
        settings.port = freeUdpPort();
        settings.dtls = true;
        settings.dtlsHost = u"127.0.0.1"_s;
        settings.dtlsPort = freeUdpPort();
        settings.maxPayloadBytes = 512;
        if (tune)
            tune(settings);
        link = std::make_unique<CoapLink>(
            settings, ingest,
            [this](const QByteArray &identity) -> std::optional<CoapLink::Psk> {
                const auto it = psks.constFind(identity);
                return it == psks.cend() ? std::nullopt : std::optional(*it);
            },
            metrics);
        QString error;
        if (!link->start(&error))
            qFatal("cannot start the CoAP link: %s", qPrintable(error));
    }

    [[nodiscard]] QString url(const QString &path) const
    {
        return u"coap://127.0.0.1:%1%2"_s.arg(link->port()).arg(path);
    }

    [[nodiscard]] QString secureUrl(const QString &path) const
    {
        return u"coaps://127.0.0.1:%1%2"_s.arg(link->dtlsPort()).arg(path);
    }

    /// Messages the link handed to Ingest (accepted or not).
    quint64 ingested()
    {
        return counter(u"edgegate_messages_total"_s, {{u"protocol"_s, u"coap"_s}, {u"kind"_s, u"telemetry"_s}});
    }

    [[nodiscard]] std::optional<double> lastValue(const QString &device, const QString &metric) const
    {
        const auto *states = analytics.device(device);
        if (!states || !states->contains(metric))
            return std::nullopt;
        const Value &value = states->value(metric).last;
        if (!std::holds_alternative<double>(value))
            return std::nullopt;
        return std::get<double>(value);
    }

    QHash<QByteArray, CoapLink::Psk> psks;
    std::unique_ptr<CoapLink> link;
};

struct ClientRun
{
    int exitCode = -1;
    QString output;
};

/// coap-client-openssl, run without blocking the loop the link lives in.
ClientRun runClient(const QStringList &args)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(u"coap-client-openssl"_s, QStringList{u"-B"_s, u"10"_s} + args);
    ClientRun run;
    if (!process.waitForStarted(5000)) {
        run.output = u"cannot start coap-client-openssl: "_s + process.errorString();
        return run;
    }
    if (!finished.wait(ClientTimeoutMs)) {
        process.kill();
        finished.wait(5000);
        run.output = u"timed out: "_s;
    }
    run.output += QString::fromUtf8(process.readAll());
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

/// A CoAP message built by hand (RFC 7252 section 3), for what the command-line client cannot do.
QByteArray coapMessage(quint8 type, quint8 code, quint16 mid, const QByteArray &token, const QList<QByteArray> &path,
                       int contentFormat, const QByteArray &payload, bool observe = false)
{
    QByteArray out;
    out.append(char(0x40 | (type << 4) | token.size()));
    out.append(char(code));
    out.append(char(mid >> 8));
    out.append(char(mid & 0xff));
    out.append(token);
    int previous = 0;
    const auto option = [&](int number, const QByteArray &value) {
        // Short deltas and lengths only: enough for these tests.
        const int delta = number - previous;
        Q_ASSERT(delta < 13 && value.size() < 13);
        out.append(char((delta << 4) | value.size()));
        out.append(value);
        previous = number;
    };
    if (observe)
        option(6, {}); // Observe: register
    for (const QByteArray &segment : path)
        option(11, segment);
    if (contentFormat >= 0)
        option(12, contentFormat == 0 ? QByteArray() : QByteArray(1, char(contentFormat)));
    if (!payload.isEmpty()) {
        out.append(char(0xff));
        out.append(payload);
    }
    return out;
}

constexpr quint8 Code204 = (2 << 5) | 4;
constexpr quint8 Code205 = (2 << 5) | 5;
constexpr quint8 Code429 = (4 << 5) | 29;
constexpr quint8 Code503 = (5 << 5) | 3;

/// The gateway CA in a folder of its own, and a link that takes device certificates of it.
struct Pki
{
    explicit Pki(Server &server)
        : ca(dir.filePath(u"ca"_s), u"gw-test"_s)
        , certificates(ca, server.metrics)
    {
        CaError error;
        if (!ca.init(&error))
            qFatal("cannot make the CA: %s", qPrintable(error.message));
        const auto own
            = ca.issueServer(u"EdgeGate CoAP"_s, {u"127.0.0.1"_s}, 10, QDateTime::currentDateTimeUtc(), &error);
        QString why;
        if (!own || !server.link->setCertificates(ca.certificatePem(), own->certificatePem, own->keyPem, &why))
            qFatal("cannot give the link its certificate: %s", qPrintable(own ? why : error.message));
        certificates.reload();
        server.link->setCertificateCheck([this](const QByteArray &der) { return certificates.certificateDevice(der); });
        caFile = writeFile(dir, u"ca.crt"_s, ca.certificatePem());
    }

    /// A client certificate of `authority` for `device` and its key, in one file as coap-client takes it.
    QString deviceFile(CertificateAuthority &authority, const QString &device)
    {
        CaError error;
        const auto issued = authority.issue(device, {}, 10, QDateTime::currentDateTimeUtc(), &error);
        if (!issued)
            qFatal("cannot issue: %s", qPrintable(error.message));
        certificates.reload();
        return writeFile(dir, device + u".pem"_s, issued->certificatePem + issued->keyPem);
    }
    QString deviceFile(const QString &device) { return deviceFile(ca, device); }

    QTemporaryDir dir;
    CertificateAuthority ca;
    DeviceCertificates certificates;
    QString caFile;
};

/// A libcoap client with a certificate, whose one DTLS session stays open from request to request.
class CertificateClient
{
public:
    CertificateClient(quint16 port, const QByteArray &caPem, const QByteArray &certificatePem, const QByteArray &keyPem)
        : m_ca(caPem)
        , m_certificate(certificatePem)
        , m_key(keyPem)
        , m_context(coap_new_context(nullptr))
    {
        coap_address_t to = coaptest::loopback(port);
        coap_dtls_pki_t pki{};
        pki.version = COAP_DTLS_PKI_SETUP_VERSION;
        pki.verify_peer_cert = 1;
        pki.check_common_ca = 1;
        pki.pki_key.key_type = COAP_PKI_KEY_PEM_BUF;
        const auto buffer = [](const QByteArray &pem) { return reinterpret_cast<const uint8_t *>(pem.constData()); };
        pki.pki_key.key.pem_buf.ca_cert = buffer(m_ca);
        pki.pki_key.key.pem_buf.ca_cert_len = size_t(m_ca.size()) + 1;
        pki.pki_key.key.pem_buf.public_cert = buffer(m_certificate);
        pki.pki_key.key.pem_buf.public_cert_len = size_t(m_certificate.size()) + 1;
        pki.pki_key.key.pem_buf.private_key = buffer(m_key);
        pki.pki_key.key.pem_buf.private_key_len = size_t(m_key.size()) + 1;
        m_session = m_context ? coap_new_client_session_pki(m_context, nullptr, &to, COAP_PROTO_DTLS, &pki) : nullptr;
        if (m_session) {
            coap_session_set_app_data(m_session, this);
            coap_register_response_handler(m_context, &CertificateClient::onResponse);
        }
    }
    ~CertificateClient()
    {
        if (m_session)
            coap_session_release(m_session);
        if (m_context)
            coap_free_context(m_context);
    }
    CertificateClient(const CertificateClient &) = delete;
    CertificateClient &operator=(const CertificateClient &) = delete;

    [[nodiscard]] bool isValid() const { return m_session != nullptr; }

    /// A CON POST of telemetry for `device` on the session: the answer's code (as 204), 0 for none.
    int post(const QByteArray &device)
    {
        m_code = 0;
        coap_pdu_t *pdu = coaptest::telemetryPost(m_session, COAP_MESSAGE_CON, device, "{\"temperature\": 19.5}");
        coap_send(m_session, pdu);
        // The link answers from the same thread's event loop, which qWaitFor keeps running.
        const bool answered = QTest::qWaitFor(
            [this] {
                coap_io_process(m_context, COAP_IO_NO_WAIT);
                return m_code != 0;
            },
            20000);
        return answered ? m_code : 0;
    }

private:
    static coap_response_t onResponse(coap_session_t *session, const coap_pdu_t * /*sent*/, const coap_pdu_t *received,
                                      const coap_mid_t /*mid*/)
    {
        auto *self = static_cast<CertificateClient *>(coap_session_get_app_data(session));
        const int code = int(coap_pdu_get_code(received));
        self->m_code = (code >> 5) * 100 + (code & 0x1f);
        return COAP_RESPONSE_OK;
    }

    QByteArray m_ca;
    QByteArray m_certificate;
    QByteArray m_key;
    coap_context_t *m_context = nullptr;
    coap_session_t *m_session = nullptr;
    int m_code = 0;
};

/// A DTLS client that stops half-way: it answers the server's cookie and waits for the server's
/// hello, which means the server holds a session in handshake for it, then never goes on.
struct HalfOpenDtls
{
    explicit HalfOpenDtls(quint16 port)
        : fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0))
        , context(SSL_CTX_new(DTLS_client_method()))
    {
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(port);
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || !context || ::connect(fd, reinterpret_cast<sockaddr *>(&server), sizeof server) != 0)
            qFatal("cannot make a DTLS client socket");
        SSL_CTX_set_psk_client_callback(context, &psk);
        SSL_CTX_set_cipher_list(context, "PSK-AES128-CCM8");
        ssl = SSL_new(context);
        BIO *bio = BIO_new_dgram(fd, BIO_NOCLOSE);
        BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &server);
        SSL_set_bio(ssl, bio, bio);
    }
    ~HalfOpenDtls()
    {
        SSL_free(ssl);
        SSL_CTX_free(context);
        ::close(fd);
    }
    HalfOpenDtls(const HalfOpenDtls &) = delete;
    HalfOpenDtls &operator=(const HalfOpenDtls &) = delete;

    /// Hello, cookie, hello again with the cookie, the server's hello: true when all came.
    bool start()
    {
        SSL_connect(ssl);
        if (!readable())
            return false;
        SSL_connect(ssl);
        return readable();
    }

    bool readable() const
    {
        return QTest::qWaitFor(
            [this] {
                pollfd p{fd, POLLIN, 0};
                return ::poll(&p, 1, 0) > 0;
            },
            10000);
    }

    static unsigned int psk(SSL * /*ssl*/, const char * /*hint*/, char *identity, unsigned int maxIdentity,
                            unsigned char *key, unsigned int maxKey)
    {
        static constexpr char Identity[] = "dtls-1-identity";
        static constexpr char Key[] = "secret-key-1";
        if (maxIdentity < sizeof Identity || maxKey < sizeof Key - 1)
            return 0;
        std::memcpy(identity, Identity, sizeof Identity);
        std::memcpy(key, Key, sizeof Key - 1);
        return sizeof Key - 1;
    }

    int fd;
    SSL_CTX *context;
    SSL *ssl = nullptr;
};

/// UDP sockets on one loopback address, each a peer of its own (its own port).
struct Peers
{
    Peers(const QHostAddress &address, int count)
    {
        for (int i = 0; i < count; ++i) {
            sockets.push_back(std::make_unique<QUdpSocket>());
            if (!sockets.back()->bind(address, 0))
                qFatal("cannot bind a UDP socket to %s", qPrintable(address.toString()));
        }
    }

    /// Sends one datagram from each socket, then waits for one answer on each.
    QList<QByteArray> exchange(quint16 port, const std::function<QByteArray(int)> &datagram)
    {
        for (int i = 0; i < int(sockets.size()); ++i)
            sockets[i]->writeDatagram(datagram(i), QHostAddress::LocalHost, port);
        QList<QByteArray> answers;
        for (auto &socket : sockets) {
            if (!QTest::qWaitFor([&] { return socket->hasPendingDatagrams(); }, 20000))
                return answers;
            answers.append(socket->receiveDatagram().data());
        }
        return answers;
    }

    std::vector<std::unique_ptr<QUdpSocket>> sockets;
};

/// One CON from one socket, and its answer.
QByteArray exchangeOne(QUdpSocket &socket, quint16 port, const QByteArray &datagram)
{
    socket.writeDatagram(datagram, QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.hasPendingDatagrams(); }, 20000))
        return {};
    return socket.receiveDatagram().data();
}

quint8 codeOf(const QByteArray &answer)
{
    return answer.size() >= 2 ? quint8(answer[1]) : 0;
}

} // namespace

class TestCoap : public QObject
{
    Q_OBJECT
private slots:
    void telemetry_data();
    void telemetry();
    void refusals_data();
    void refusals();
    void policyDeny();
    void junkFromManyPortsCannotLockDevicesOut();
    void addressOverItsShareGets429();
    void observersAreCapped();
    void spoofedResetsAreNotLogged();
    void duplicateConIsIngestedOnce();
    void rememberedAnswersStayWithinTheirBudget();
    void observeCommands();
    void dtlsPskRightKey();
    void dtlsPskWrongKeyIsRefused();
    void dtlsIdentityMayOnlyPostForItsDevice();
    void dtlsCertificateOfTheGatewayCa();
    void dtlsCertificatesTheCaDoesNotVouchFor();
    void dtlsCertificateRevokedDuringASession();
    void dtlsHandshakesAreCapped();
    void discovery();
    void portInUseIsReported();
};

void TestCoap::telemetry_data()
{
    QTest::addColumn<QString>("device");
    QTest::addColumn<int>("contentFormat");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("confirmable");

    const QByteArray json = R"({"temperature": 21.5})";
    const QByteArray cbor = QCborMap{{u"temperature"_s, 21.5}}.toCborValue().toCbor();
    const QByteArray senmlJson = R"([{"n": "temperature", "v": 21.5}])";
    // SenML CBOR labels: 0 is the name, 2 the value (RFC 8428 section 6).
    const QByteArray senmlCbor = QCborArray{QCborMap{{0, u"temperature"_s}, {2, 21.5}}}.toCborValue().toCbor();
    for (const bool con : {true, false}) {
        const QString type = con ? u"con"_s : u"non"_s;
        QTest::addRow("json %s", qPrintable(type)) << u"json-"_s + type << 50 << json << con;
        QTest::addRow("cbor %s", qPrintable(type)) << u"cbor-"_s + type << 60 << cbor << con;
        QTest::addRow("senml json %s", qPrintable(type)) << u"senmlj-"_s + type << 110 << senmlJson << con;
        QTest::addRow("senml cbor %s", qPrintable(type)) << u"senmlc-"_s + type << 112 << senmlCbor << con;
        QTest::addRow("no format %s", qPrintable(type)) << u"auto-"_s + type << -1 << json << con;
    }
}

void TestCoap::telemetry()
{
    QFETCH(QString, device);
    QFETCH(int, contentFormat);
    QFETCH(QByteArray, payload);
    QFETCH(bool, confirmable);

    Server server;
    QStringList args{u"-m"_s, u"post"_s, u"-f"_s, writeFile(server.dir, u"payload"_s, payload)};
    if (contentFormat >= 0)
        args << u"-t"_s << QString::number(contentFormat);
    if (!confirmable)
        args << u"-N"_s;
    const ClientRun run = runClient(args << server.url(u"/devices/%1/telemetry"_s.arg(device)));
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    QTRY_VERIFY2_WITH_TIMEOUT(server.lastValue(device, u"temperature"_s) == 21.5, qPrintable(run.output), 5000);
    QCOMPARE(server.ingested(), 1u);
    QCOMPARE(server.counter(u"edgegate_coap_requests_total"_s, {{u"code"_s, u"2.04"_s}}), 1u);
}

void TestCoap::refusals_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("reason");

    QTest::addRow("malformed json") << QStringList{u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"a\":"_s}
                                    << u"/devices/m-1/telemetry"_s << u"4.00"_s << u"malformed_json"_s;
    QTest::addRow("oversized") << QStringList{u"-m"_s, u"post"_s, u"-t"_s,
                                              u"50"_s, u"-e"_s,   u"{\"a\": \"%1\"}"_s.arg(QString(600, u'x'))}
                               << u"/devices/m-1/telemetry"_s << u"4.13"_s << u"too_large"_s;
    QTest::addRow("text/plain") << QStringList{u"-m"_s, u"post"_s, u"-t"_s, u"0"_s, u"-e"_s, u"21.5"_s}
                                << u"/devices/m-1/telemetry"_s << u"4.15"_s << u"unsupported_content_format"_s;
    QTest::addRow("xml") << QStringList{u"-m"_s, u"put"_s, u"-t"_s, u"41"_s, u"-e"_s, u"<a/>"_s}
                         << u"/devices/m-1/telemetry"_s << u"4.15"_s << u"unsupported_content_format"_s;
    QTest::addRow("unknown path") << QStringList{u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{}"_s}
                                  << u"/nowhere"_s << u"4.04"_s << u"unknown_resource"_s;
    QTest::addRow("unknown kind") << QStringList{u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{}"_s}
                                  << u"/devices/m-1/weather"_s << u"4.04"_s << u"unknown_resource"_s;
    QTest::addRow("invalid id") << QStringList{u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"a\": 1}"_s}
                                << u"/devices/bad%21id/telemetry"_s << u"4.00"_s << u"invalid_device_id"_s;
    QTest::addRow("id too long") << QStringList{u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"a\": 1}"_s}
                                 << u"/devices/%1/telemetry"_s.arg(QString(65, u'a')) << u"4.00"_s
                                 << u"invalid_device_id"_s;
}

void TestCoap::refusals()
{
    QFETCH(QStringList, args);
    QFETCH(QString, path);
    QFETCH(QString, code);
    QFETCH(QString, reason);

    Server server;
    const ClientRun run = runClient(args << server.url(path));
    // The client prints the code of an error response and its diagnostic payload (the reason).
    QVERIFY2(run.output.contains(code), qPrintable(run.output));
    QVERIFY2(run.output.contains(reason), qPrintable(run.output));
    QCOMPARE(server.counter(u"edgegate_coap_requests_total"_s, {{u"code"_s, code}}), 1u);
    QCOMPARE(server.counter(u"edgegate_bad_messages_total"_s, {{u"reason"_s, reason}}), 1u);
    QVERIFY(!server.analytics.device(u"m-1"_s));
}

void TestCoap::policyDeny()
{
    Server server(RegistryPolicy::Deny);
    const ClientRun run = runClient(
        {u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"a\": 1}"_s, server.url(u"/devices/stranger/telemetry"_s)});
    QVERIFY2(run.output.contains(u"4.03"_s), qPrintable(run.output));
    QVERIFY(!server.analytics.device(u"stranger"_s));
}

void TestCoap::junkFromManyPortsCannotLockDevicesOut()
{
    Server server(RegistryPolicy::Auto, [](CoapLink::Settings &s) { s.maxSessions = 20; });
    // 200 peers on another address, from 200 ports, each sending a bare four-byte header (a CON GET of /).
    Peers junk(QHostAddress(u"127.0.0.2"_s), 200);
    const QList<QByteArray> answers = junk.exchange(server.link->port(), [](int i) {
        QByteArray header("\x40\x01", 2);
        header.append(char(i >> 8)).append(char(i));
        return header;
    });
    QCOMPARE(answers.size(), 200); // each answered (4.04)
    // Idle sessions past max_sessions ended, least recently used first.
    QVERIFY(server.metrics.gauge(u"edgegate_coap_sessions"_s, {}).value() <= 20);

    // A device that comes now is served.
    const ClientRun run = runClient(
        {u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"a\": 1}"_s, server.url(u"/devices/real-1/telemetry"_s)});
    QVERIFY2(run.exitCode == 0 && !run.output.contains(u"5.03"_s) && !run.output.contains(u"4.29"_s),
             qPrintable(run.output));
    QCOMPARE(server.ingested(), 1u);
}

void TestCoap::addressOverItsShareGets429()
{
    Server server(RegistryPolicy::Auto, [](CoapLink::Settings &s) { s.maxSessionsPerAddress = 3; });
    Peers greedy(QHostAddress(u"127.0.0.2"_s), 5);
    const QList<QByteArray> answers = greedy.exchange(server.link->port(), [](int i) {
        return coapMessage(0, 2, quint16(0x100 + i), "tk", {"devices", "greedy", "telemetry"}, 50, R"({"v": 1})");
    });
    QCOMPARE(answers.size(), 5);
    int served = 0;
    for (const QByteArray &answer : answers) {
        if (codeOf(answer) == Code204) {
            ++served;
            continue;
        }
        QCOMPARE(codeOf(answer), Code429);
        // Max-Age 30 (option 14: delta 13 + 1, one byte), then the reason as the diagnostic payload.
        QCOMPARE(answer.mid(6, 3), QByteArray("\xd1\x01\x1e", 3));
        QVERIFY2(answer.endsWith("\xfftoo_many_from_address"), answer.toHex().constData());
    }
    // Sessions start as the datagrams arrive: the first three are within the share.
    QCOMPARE(served, 3);
    QCOMPARE(server.counter(u"edgegate_messages_rejected_total"_s, {{u"reason"_s, u"too_many_from_address"_s}}), 2u);

    // Another address is not affected.
    QUdpSocket other;
    QVERIFY(other.bind(QHostAddress::LocalHost, 0));
    const QByteArray answer = exchangeOne(
        other, server.link->port(), coapMessage(0, 2, 7, "tk", {"devices", "modest", "telemetry"}, 50, R"({"v": 1})"));
    QCOMPARE(codeOf(answer), Code204);
}

void TestCoap::spoofedResetsAreNotLogged()
{
    Server server;
    QTest::failOnWarning(QRegularExpression(u"RST"_s));
    Peers spoofers(QHostAddress(u"127.0.0.2"_s), 50);
    for (int i = 0; i < int(spoofers.sockets.size()); ++i) {
        const char reset[] = {'\x70', '\x00', char(i >> 8), char(i)}; // RST, empty, message id i
        spoofers.sockets[i]->writeDatagram(QByteArray(reset, 4), QHostAddress::LocalHost, server.link->port());
    }
    // A request sent after them is answered after them.
    QUdpSocket device;
    QVERIFY(device.bind(QHostAddress::LocalHost, 0));
    QCOMPARE(codeOf(exchangeOne(device, server.link->port(),
                                coapMessage(0, 2, 1, "tk", {"devices", "calm", "telemetry"}, 50, R"({"v": 1})"))),
             Code204);
}

void TestCoap::observersAreCapped()
{
    Server server(RegistryPolicy::Auto, [](CoapLink::Settings &s) { s.maxSessions = 2; });
    QUdpSocket device;
    QVERIFY(device.bind(QHostAddress::LocalHost, 0));
    QCOMPARE(codeOf(exchangeOne(device, server.link->port(),
                                coapMessage(0, 2, 1, "tk", {"devices", "watched", "telemetry"}, 50, R"({"v": 1})"))),
             Code204);
    // Observers hold their sessions: two may, a third is told to come back later.
    Peers observers(QHostAddress::LocalHost, 3);
    QList<quint8> codes;
    for (auto &socket : observers.sockets) {
        codes.append(codeOf(exchangeOne(*socket, server.link->port(),
                                        coapMessage(0, 1, 2, "ob", {"devices", "watched", "commands"}, -1, {}, true))));
    }
    QCOMPARE(codes, (QList<quint8>{Code205, Code205, Code503}));
    QCOMPARE(server.counter(u"edgegate_messages_rejected_total"_s, {{u"reason"_s, u"too_many_sessions"_s}}), 1u);
}

void TestCoap::duplicateConIsIngestedOnce()
{
    Server server;
    QUdpSocket socket;
    QVERIFY(socket.bind(QHostAddress::LocalHost, 0));
    const QByteArray request
        = coapMessage(0 /*CON*/, 2 /*POST*/, 0x1234, "tk", {"devices", "dup-1", "telemetry"}, 50, R"({"v": 7.5})");
    // The same datagram twice, as a retransmission after a lost ACK would look.
    for (int i = 0; i < 2; ++i)
        QCOMPARE(socket.writeDatagram(request, QHostAddress::LocalHost, server.link->port()), request.size());
    QList<QByteArray> replies;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            while (socket.hasPendingDatagrams())
                replies.append(socket.receiveDatagram().data());
            return replies.size() >= 2;
        }(),
        10000);
    for (const QByteArray &reply : replies) {
        QVERIFY(reply.size() >= 6);
        QCOMPARE(quint8(reply[0]) >> 4 & 0x3, 2); // ACK
        QCOMPARE(quint8(reply[1]), quint8((2 << 5) | 4)); // 2.04
        QCOMPARE(reply.mid(2, 2), request.mid(2, 2)); // message id
        QCOMPARE(reply.mid(4, 2), QByteArray("tk"));
    }
    QCOMPARE(server.ingested(), 1u);
    QCOMPARE(server.counter(u"edgegate_coap_duplicates_total"_s), 1u);
    QCOMPARE(server.lastValue(u"dup-1"_s, u"v"_s), 7.5);

    // A new message id is a new message.
    const QByteArray next = coapMessage(0, 2, 0x1235, "tl", {"devices", "dup-1", "telemetry"}, 50, R"({"v": 8.5})");
    socket.writeDatagram(next, QHostAddress::LocalHost, server.link->port());
    QTRY_COMPARE_WITH_TIMEOUT(server.ingested(), 2u, 10000);
}

void TestCoap::rememberedAnswersStayWithinTheirBudget()
{
    Server server(RegistryPolicy::Auto, [](CoapLink::Settings &s) { s.dedupBytes = 3 * CoapLink::AnswerBytes; });
    QUdpSocket socket;
    QVERIFY(socket.bind(QHostAddress::LocalHost, 0));
    const auto post = [&](quint16 mid) {
        return codeOf(
            exchangeOne(socket, server.link->port(),
                        coapMessage(0, 2, mid, "tk", {"devices", "budget-1", "telemetry"}, 50, R"({"v": 1})")));
    };
    for (quint16 mid = 1; mid <= 5; ++mid)
        QCOMPARE(post(mid), Code204);
    QCOMPARE(server.ingested(), 5u);
    QCOMPARE(server.counter(u"edgegate_coap_dedup_evicted_total"_s), 2u);
    // The newest answers are still known; the oldest were given up to stay within the budget.
    QCOMPARE(post(5), Code204);
    QCOMPARE(server.ingested(), 5u);
    QCOMPARE(server.counter(u"edgegate_coap_duplicates_total"_s), 1u);
    QCOMPARE(post(1), Code204);
    QCOMPARE(server.ingested(), 6u);
}

void TestCoap::observeCommands()
{
    Server server;
    // The commands resource exists once the gateway knows the device.
    const ClientRun hello = runClient(
        {u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"a\": 1}"_s, server.url(u"/devices/obs-1/telemetry"_s)});
    QVERIFY2(hello.exitCode == 0, qPrintable(hello.output));

    QProcess observer;
    observer.setProcessChannelMode(QProcess::MergedChannels);
    QByteArray output;
    connect(&observer, &QProcess::readyRead, this, [&] { output += observer.readAll(); });
    observer.start(
        u"coap-client-openssl"_s,
        {u"-s"_s, u"20"_s, u"-B"_s, u"25"_s, u"-w"_s, u"-m"_s, u"get"_s, server.url(u"/devices/obs-1/commands"_s)});
    QVERIFY(observer.waitForStarted(5000));
    // The registration's answer: no command yet.
    QTRY_VERIFY2_WITH_TIMEOUT(output.contains("{}"), output.constData(), 10000);

    const QByteArray command = R"({"name": "reboot", "delay": 5})";
    QVERIFY(server.link->push(u"obs-1"_s, Downlink::Command, command));
    QTRY_VERIFY2_WITH_TIMEOUT(output.contains(command), output.constData(), 10000);
    // A plain GET reads the last command.
    const ClientRun get = runClient({u"-m"_s, u"get"_s, server.url(u"/devices/obs-1/commands"_s)});
    QVERIFY2(get.output.contains(QString::fromUtf8(command)), qPrintable(get.output));
    // Nobody observes another device.
    QVERIFY(!server.link->push(u"obs-2"_s, Downlink::Command, command));

    QSignalSpy finished(&observer, &QProcess::finished);
    observer.kill();
    QVERIFY(finished.wait(5000));
}

void TestCoap::dtlsPskRightKey()
{
    Server server;
    const ClientRun run
        = runClient({u"-u"_s, u"dtls-1-identity"_s, u"-k"_s, u"secret-key-1"_s, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s,
                     u"-e"_s, u"{\"temperature\": 30.5}"_s, server.secureUrl(u"/devices/dtls-1/telemetry"_s)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    QTRY_COMPARE_WITH_TIMEOUT(server.lastValue(u"dtls-1"_s, u"temperature"_s), 30.5, 5000);
    QCOMPARE(server.registry.find(u"dtls-1"_s)->proof, u"psk"_s);
    QCOMPARE(server.counter(u"edgegate_coap_dtls_failures_total"_s), 0u);
}

void TestCoap::dtlsPskWrongKeyIsRefused()
{
    Server server;
    for (const auto &[identity, key] :
         {std::pair{u"dtls-1-identity"_s, u"wrong-key"_s}, std::pair{u"nobody"_s, u"secret-key-1"_s}}) {
        const ClientRun run = runClient({u"-u"_s, identity, u"-k"_s, key, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s,
                                         u"{\"temperature\": 30}"_s, server.secureUrl(u"/devices/dtls-1/telemetry"_s)});
        QVERIFY2(!run.output.contains(u"2.04"_s), qPrintable(run.output));
    }
    // An unknown identity fails at once; a wrong key only when the server gives up on the handshake.
    QTRY_COMPARE_WITH_TIMEOUT(server.counter(u"edgegate_coap_dtls_failures_total"_s), 2u, 90000);
    QCOMPARE(server.ingested(), 0u);
    QVERIFY(!server.analytics.device(u"dtls-1"_s));
}

void TestCoap::dtlsIdentityMayOnlyPostForItsDevice()
{
    Server server;
    const ClientRun run
        = runClient({u"-u"_s, u"dtls-1-identity"_s, u"-k"_s, u"secret-key-1"_s, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s,
                     u"-e"_s, u"{\"temperature\": 30}"_s, server.secureUrl(u"/devices/someone-else/telemetry"_s)});
    QVERIFY2(run.output.contains(u"4.03"_s), qPrintable(run.output));
    QCOMPARE(server.ingested(), 0u);
    QCOMPARE(server.counter(u"edgegate_bad_messages_total"_s, {{u"reason"_s, u"forbidden_device"_s}}), 1u);
}

void TestCoap::dtlsCertificateOfTheGatewayCa()
{
    Server server;
    Pki pki(server);
    const QString device = pki.deviceFile(u"pki-1"_s);
    const auto post = [&](const QString &id, double value) {
        return runClient({u"-c"_s, device, u"-C"_s, pki.caFile, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s,
                          u"{\"temperature\": %1}"_s.arg(value), server.secureUrl(u"/devices/%1/telemetry"_s.arg(id))});
    };
    ClientRun run = post(u"pki-1"_s, 21.5);
    QVERIFY2(run.exitCode == 0 && !run.output.contains(u"4."_s), qPrintable(run.output));
    QTRY_COMPARE_WITH_TIMEOUT(server.lastValue(u"pki-1"_s, u"temperature"_s), 21.5, 5000);
    QCOMPARE(server.registry.find(u"pki-1"_s)->proof, u"certificate"_s);

    // The certificate speaks for its CN alone.
    run = post(u"pki-2"_s, 22);
    QVERIFY2(run.output.contains(u"4.03"_s), qPrintable(run.output));
    QCOMPARE(server.counter(u"edgegate_bad_messages_total"_s, {{u"reason"_s, u"forbidden_device"_s}}), 1u);
    QVERIFY(!server.analytics.device(u"pki-2"_s));

    // PSK devices are still served beside certificates.
    run = runClient({u"-u"_s, u"dtls-1-identity"_s, u"-k"_s, u"secret-key-1"_s, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s,
                     u"-e"_s, u"{\"temperature\": 30.5}"_s, server.secureUrl(u"/devices/dtls-1/telemetry"_s)});
    QVERIFY2(run.exitCode == 0 && !run.output.contains(u"4."_s), qPrintable(run.output));
    QTRY_COMPARE_WITH_TIMEOUT(server.lastValue(u"dtls-1"_s, u"temperature"_s), 30.5, 5000);
    QCOMPARE(server.counter(u"edgegate_coap_dtls_failures_total"_s), 0u);
}

void TestCoap::dtlsCertificatesTheCaDoesNotVouchFor()
{
    Server server;
    Pki pki(server);
    // Another CA's certificate with the right CN, a revoked one, and none at all.
    QTemporaryDir otherDir;
    CertificateAuthority other(otherDir.filePath(u"ca"_s), u"elsewhere"_s);
    CaError error;
    QVERIFY(other.init(&error));
    const QString foreign = pki.deviceFile(other, u"pki-1"_s);
    const QString revoked = pki.deviceFile(u"pki-3"_s);
    QVERIFY(pki.ca.revoke(u"pki-3"_s, QDateTime::currentDateTimeUtc(), &error).value_or(0) == 1);
    pki.certificates.reload();

    const QList<std::pair<QStringList, QString>> attempts{
        {{u"-c"_s, foreign, u"-C"_s, pki.caFile}, u"pki-1"_s},
        {{u"-c"_s, revoked, u"-C"_s, pki.caFile}, u"pki-3"_s},
        {{u"-C"_s, pki.caFile}, u"pki-1"_s},
    };
    for (const auto &[credentials, id] : attempts) {
        const ClientRun run
            = runClient(credentials
                        + QStringList{u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"temperature\": 1}"_s,
                                      server.secureUrl(u"/devices/%1/telemetry"_s.arg(id))});
        QVERIFY2(!run.output.contains(u"2.04"_s), qPrintable(run.output));
    }
    QTRY_VERIFY_WITH_TIMEOUT(server.counter(u"edgegate_coap_dtls_failures_total"_s) >= 3u, 90000);
    QCOMPARE(server.ingested(), 0u);
}

void TestCoap::dtlsCertificateRevokedDuringASession()
{
    Server server;
    Pki pki(server);
    CaError error;
    const auto issued = pki.ca.issue(u"pki-5"_s, {}, 10, QDateTime::currentDateTimeUtc(), &error);
    QVERIFY(issued);
    pki.certificates.reload();
    CertificateClient client(server.link->dtlsPort(), pki.ca.certificatePem(), issued->certificatePem, issued->keyPem);
    QVERIFY(client.isValid());
    QCOMPARE(client.post("pki-5"), 204);
    QCOMPARE(server.lastValue(u"pki-5"_s, u"temperature"_s), 19.5);

    QCOMPARE(pki.ca.revoke(u"pki-5"_s, QDateTime::currentDateTimeUtc(), &error).value_or(0), 1);
    pki.certificates.reload();
    // The same session, no new handshake: its next request is refused.
    QCOMPARE(client.post("pki-5"), 403);
    QCOMPARE(server.counter(u"edgegate_bad_messages_total"_s, {{u"reason"_s, u"forbidden_device"_s}}), 1u);
    QCOMPARE(server.metrics.gauge(u"edgegate_coap_sessions"_s, {}).value(), 1.0);
}

void TestCoap::dtlsHandshakesAreCapped()
{
    Server server(RegistryPolicy::Auto, [](CoapLink::Settings &s) { s.maxHandshakes = 2; });
    const auto handshakes = [&] { return server.metrics.gauge(u"edgegate_coap_dtls_handshakes"_s, {}).value(); };
    std::vector<std::unique_ptr<HalfOpenDtls>> halfOpen;
    for (int i = 0; i < 5; ++i) {
        halfOpen.push_back(std::make_unique<HalfOpenDtls>(server.link->dtlsPort()));
        QVERIFY(halfOpen.back()->start());
        QTRY_VERIFY_WITH_TIMEOUT(handshakes() >= std::min(i + 1, 2), 5000);
    }
    // Past the cap the oldest handshake went, each time: never more than two are held, and new
    // peers (the last one and the device below) are not turned away.
    QCOMPARE(handshakes(), 2.0);
    QCOMPARE(server.counter(u"edgegate_coap_dtls_handshakes_dropped_total"_s), 3u);
    const ClientRun run
        = runClient({u"-u"_s, u"dtls-1-identity"_s, u"-k"_s, u"secret-key-1"_s, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s,
                     u"-e"_s, u"{\"temperature\": 30.5}"_s, server.secureUrl(u"/devices/dtls-1/telemetry"_s)});
    QVERIFY2(run.exitCode == 0 && !run.output.contains(u"4."_s), qPrintable(run.output));
    QTRY_COMPARE_WITH_TIMEOUT(server.lastValue(u"dtls-1"_s, u"temperature"_s), 30.5, 5000);
    QVERIFY(handshakes() <= 2.0);
}

void TestCoap::discovery()
{
    Server server;
    const ClientRun run = runClient({u"-m"_s, u"get"_s, server.url(u"/.well-known/core"_s)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    QVERIFY2(run.output.contains(u"</devices/{id}/telemetry>"_s), qPrintable(run.output));
    QVERIFY2(run.output.contains(u"ct=\"50 60 110 112\""_s), qPrintable(run.output));
    QVERIFY2(run.output.contains(u"</devices/{id}/commands>"_s), qPrintable(run.output));
    QVERIFY2(run.output.contains(u";obs"_s), qPrintable(run.output));
}

void TestCoap::portInUseIsReported()
{
    QUdpSocket taken;
    QVERIFY(taken.bind(QHostAddress::LocalHost, 0));
    CorePipeline core(RegistryPolicy::Auto, 4096);
    Metrics &metrics = core.metrics;
    Ingest &ingest = core.ingest;
    CoapLink::Settings settings;
    settings.host = u"127.0.0.1"_s;
    settings.port = taken.localPort();
    CoapLink link(settings, ingest, {}, metrics);
    QString error;
    QVERIFY(!link.start(&error));
    QVERIFY2(error.contains(QString::number(taken.localPort())), qPrintable(error));

    // Port 0 takes any free port and reports it.
    settings.port = 0;
    CoapLink anyPort(settings, ingest, {}, metrics);
    QVERIFY2(anyPort.start(&error), qPrintable(error));
    QVERIFY(anyPort.port() != 0);
}

QTEST_GUILESS_MAIN(TestCoap)
#include "tst_coap.moc"
