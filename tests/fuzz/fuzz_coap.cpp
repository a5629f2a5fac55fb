// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: CoAP request handling. Each input is one datagram a device could send, given
// over loopback to the CoAP link in front of the service's core, with the resource directory and
// firmware resources: libcoap's parser, then the link's routing, session shares, de-duplication,
// ingest and the handlers. The first byte picks one of four client sockets (four sessions) and
// whether the message id is the input's own.
#include "fuzzcheck.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/core.h"
#include "gateway/core/discovery/resourcedirectory.h"
#include "gateway/devicelinks/coap/coapfirmware.h"
#include "gateway/devicelinks/coap/coaplink.h"
#include "gateway/devicelinks/coap/coapresourcedirectory.h"
#include "gateway/storage/chartfile.h"
#include "gateway/storage/firmwarestore.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int MaxSessions = 16;

struct Harness
{
    Harness()
        : core({{RegistryPolicy::Auto, 90s, 1h, {}, 2000, 1000000}, {10, 3.0, 5, 64, 8 * 1024 * 1024}, {4096, 10}, 50},
               store, charts, metrics)
        , firmware({dir.filePath(u"firmware"_s), 1024 * 1024})
    {
        QString error;
        if (!store.open(dir.filePath(u"registry.db"_s)) || !core.registry.load(&error) || !firmware.load(&error)
            || !charts.open(dir.filePath(u"charts"_s), &error))
            qFatal("cannot open the stores: %s", qPrintable(error));
        core.telemetryHistory.load();
        CoapLink::Settings settings;
        settings.host = u"127.0.0.1"_s;
        settings.port = 0;
        settings.maxPayloadBytes = 4096;
        settings.maxSessions = MaxSessions;
        settings.maxSessionsPerAddress = 4; // an address past its share is refused whole: not here
        settings.dedupBytes = 64 * 1024;
        link = std::make_unique<CoapLink>(
            settings, core.ingest, [](const QByteArray &) { return std::nullopt; }, metrics);
        link->setCredentialCheck([this](const QString &id) { return core.registry.hasCredential(id); });
        directory = std::make_unique<CoapResourceDirectory>(*link, resources, core.ingest, core.registry, 4096);
        coapFirmware = std::make_unique<CoapFirmware>(firmware, metrics);
        coapFirmware->serve(*link);
        if (!link->start(&error))
            qFatal("cannot start the CoAP link: %s", qPrintable(error));
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(link->port());
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int &fd : clients) {
            fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
            if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0)
                qFatal("cannot make a client socket");
        }
    }

    QTemporaryDir dir;
    Metrics metrics;
    SqliteDeviceStore store;
    ChartFile charts{1024, metrics};
    Core core;
    FirmwareStore firmware;
    ResourceDirectory resources{100};
    std::unique_ptr<CoapLink> link;
    std::unique_ptr<CoapResourceDirectory> directory;
    std::unique_ptr<CoapFirmware> coapFirmware;
    std::array<int, 4> clients{};
};

Harness *harness = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    // Refusals are the point here: their warnings would only slow the run down.
    QLoggingCategory::setFilterRules(u"edgegate.*=false"_s);
    harness = new Harness; // lives as long as the process, as the link's sockets do
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1 || size > 1400)
        return 0;
    const int fd = harness->clients[data[0] % harness->clients.size()];
    QByteArray datagram(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    // The link answers a repeated message id of a session from memory for 247 s: unless the first
    // byte's top bit asks for the input's own id (to reach that memory), each input gets a fresh one.
    if (!(data[0] & 0x80) && datagram.size() >= 4) {
        static quint16 nextId = 0;
        ++nextId;
        datagram[2] = char(nextId >> 8);
        datagram[3] = char(nextId & 0xff);
    }
    if (::send(fd, datagram.constData(), size_t(datagram.size()), 0) < 0)
        return 0;
    // The datagram is queued on loopback already: one pass of the loop hands it to libcoap, the
    // next runs what it scheduled (notifications, deferred pushes).
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
    char answer[2048];
    for (const int client : harness->clients) {
        while (::recv(client, answer, sizeof answer, MSG_DONTWAIT) > 0) { }
    }
    // One session per client socket at most: a session the link counted twice or never let go shows here.
    check(harness->metrics.gauge(u"edgegate_coap_sessions"_s, {}).value() <= double(harness->clients.size()));
    check(harness->link->port() != 0);
    return 0;
}
