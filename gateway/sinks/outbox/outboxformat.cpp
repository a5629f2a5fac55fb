// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/outbox/outboxformat.h"

#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <zlib.h>

namespace edgegate::outboxformat {

quint32 crc(const char *data, qint64 size)
{
    return static_cast<quint32>(crc32(0, reinterpret_cast<const Bytef *>(data), static_cast<uInt>(size)));
}

quint32 u32At(const char *p, qint64 at)
{
    return qFromLittleEndian<quint32>(p + at);
}

quint64 u64At(const char *p, qint64 at)
{
    return qFromLittleEndian<quint64>(p + at);
}

bool writeAll(int fd, const char *data, qint64 size, qint64 offset)
{
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, data, static_cast<size_t>(size), offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0) {
            errno = EIO;
            return false;
        }
        data += n;
        size -= n;
        offset += n;
    }
    return true;
}

qint64 readAll(int fd, char *data, qint64 size, qint64 offset)
{
    qint64 done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, data + done, static_cast<size_t>(size - done), offset + done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        done += n;
    }
    return done;
}

qint64 recordLength(const char *p)
{
    if (u32At(p, 0) != kRecordMagic)
        return 0;
    const qint64 length = u32At(p, 4);
    const qint64 fields = qint64(u32At(p, 28)) + u32At(p, 32) + u32At(p, 36);
    if (length < kHeaderBytes || length > kMaxRecordBytes || kHeaderBytes + fields != length)
        return 0;
    return length;
}

bool recordValid(const char *p, qint64 length, quint64 seq)
{
    return recordLength(p) == length && u64At(p, 12) == seq && crc(p + kCrcFrom, length - kCrcFrom) == u32At(p, 8);
}

OutboxEntry parseRecord(const char *p)
{
    OutboxEntry entry;
    entry.seq = u64At(p, 12);
    entry.enqueuedAtMs = static_cast<qint64>(u64At(p, 20));
    const qint64 idLength = u32At(p, 28);
    const qint64 keyLength = u32At(p, 32);
    const qint64 payloadLength = u32At(p, 36);
    const char *data = p + kHeaderBytes;
    entry.deviceId = QString::fromUtf8(data, idLength);
    entry.key = QByteArray(data + idLength, keyLength);
    entry.payload = QByteArray(data + idLength + keyLength, payloadLength);
    return entry;
}

QString errorText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

} // namespace edgegate::outboxformat
