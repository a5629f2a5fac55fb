// SPDX-License-Identifier: Apache-2.0
// CoAP -> MQTT translation latency through a running edgegated: sends CoAP NON POSTs of JSON
// telemetry at a fixed rate over UDP loopback, receives the republished messages from the local
// broker, and reports latency percentiles and losses.
// Usage: bench_coap_translation COAP_PORT MQTT_PORT RATE_PER_S COUNT [DEVICES]
#include <QByteArray>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUdpSocket>

#include <mosquitto.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

void appendOption(QByteArray &out, int &last, int number, const QByteArray &value)
{
    const int delta = number - last;
    last = number;
    const int length = static_cast<int>(value.size());
    auto nibble = [](int v) { return v < 13 ? v : (v < 269 ? 13 : 14); };
    out.append(char((nibble(delta) << 4) | nibble(length)));
    if (delta >= 13 && delta < 269)
        out.append(char(delta - 13));
    if (length >= 13 && length < 269)
        out.append(char(length - 13));
    out.append(value);
}

/// A NON POST to /devices/{id}/telemetry with Content-Format 50 (JSON).
QByteArray coapPost(quint16 messageId, const QByteArray &deviceId, const QByteArray &payload)
{
    QByteArray out;
    out.append(char(0x50)); // version 1, NON, no token
    out.append(char(0x02)); // POST
    out.append(char(messageId >> 8));
    out.append(char(messageId & 0xff));
    int last = 0;
    appendOption(out, last, 11, "devices");
    appendOption(out, last, 11, deviceId);
    appendOption(out, last, 11, "telemetry");
    appendOption(out, last, 12, QByteArray(1, char(50)));
    out.append(char(0xff));
    out.append(payload);
    return out;
}

struct Received
{
    std::mutex mutex;
    std::vector<qint64> latencies;
    std::atomic<int> count{0};
};

void onMessage(mosquitto *, void *obj, const mosquitto_message *message)
{
    auto *received = static_cast<Received *>(obj);
    const qint64 now = nowNs();
    const QJsonObject o
        = QJsonDocument::fromJson(QByteArray(static_cast<const char *>(message->payload), message->payloadlen))
              .object();
    const qint64 sent = o.value(QStringLiteral("t0")).toInteger();
    std::lock_guard lock(received->mutex);
    received->latencies.push_back(now - sent);
    ++received->count;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s COAP_PORT MQTT_PORT RATE_PER_S COUNT [DEVICES]\n", argv[0]);
        return 2;
    }
    const quint16 coapPort = quint16(QByteArray(argv[1]).toUInt());
    const int mqttPort = QByteArray(argv[2]).toInt();
    const int rate = QByteArray(argv[3]).toInt();
    const int count = QByteArray(argv[4]).toInt();
    const int devices = argc > 5 ? QByteArray(argv[5]).toInt() : 100;

    Received received;
    mosquitto_lib_init();
    mosquitto *mosq = mosquitto_new(nullptr, true, &received);
    mosquitto_message_callback_set(mosq, onMessage);
    if (mosquitto_connect(mosq, "127.0.0.1", mqttPort, 30) != MOSQ_ERR_SUCCESS) {
        std::fprintf(stderr, "cannot connect to the broker\n");
        return 1;
    }
    mosquitto_subscribe(mosq, nullptr, "devices/+/telemetry", 0);
    mosquitto_loop_start(mosq);
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // let the subscription settle

    QUdpSocket socket;
    std::vector<QByteArray> ids;
    for (int d = 0; d < devices; ++d)
        ids.push_back("bench-" + QByteArray::number(d));
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL / rate);
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
        std::this_thread::sleep_until(start + i * interval);
        const QByteArray payload = "{\"seq\":" + QByteArray::number(i) + ",\"t0\":" + QByteArray::number(nowNs()) + "}";
        socket.writeDatagram(coapPost(quint16(i), ids[size_t(i % devices)], payload), QHostAddress::LocalHost,
                             coapPort);
    }
    const double sendSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    // Wait for stragglers, at most 5 s after the last one left.
    for (int waited = 0; waited < 50 && received.count.load() < count; ++waited)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    mosquitto_disconnect(mosq);
    mosquitto_loop_stop(mosq, false);

    std::lock_guard lock(received.mutex);
    auto &l = received.latencies;
    std::sort(l.begin(), l.end());
    auto pct = [&l](double p) { return l.empty() ? 0.0 : double(l[size_t(p * double(l.size() - 1))]) / 1e6; };
    std::printf("rate %d msg/s (achieved %.0f), sent %d, received %zu (lost %zu)\n", rate, count / sendSeconds, count,
                l.size(), size_t(count) - l.size());
    std::printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", pct(0.5), pct(0.9), pct(0.99), pct(1.0));
    return 0;
}
