// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/sinks/sink.h"

#include <QString>

namespace edgegate::outboxformat {

// The files of an outbox. Record: a fixed little-endian header, then device id (UTF-8), key and payload.
//   0 magic "EGO1"   4 length of the whole record   8 CRC-32 of bytes 12..length
//  12 seq (u64)     20 enqueuedAtMs (i64)          28 id length  32 key length  36 payload length
inline constexpr quint32 kRecordMagic = 0x314F4745; // "EGO1" read as little-endian
inline constexpr qint64 kHeaderBytes = 40;
inline constexpr qint64 kCrcFrom = 12;
// Cursor: magic "EGOC", version, head (u64), CRC-32 of the first 16 bytes, zero.
inline constexpr quint32 kCursorMagic = 0x434F4745;
inline constexpr quint32 kCursorVersion = 1;
inline constexpr qint64 kCursorBytes = 24;

// Hard caps keep offsets in 32 bits and a hostile or corrupt length from allocating gigabytes.
inline constexpr qint64 kMaxRecordBytes = 64LL << 20;
inline constexpr qint64 kMinSegmentBytes = 4096;
inline constexpr qint64 kMaxSegmentBytes = 1LL << 30;
// Read-ahead for read() and recovery: large enough that a sequential drain costs few syscalls.
inline constexpr qint64 kChunkBytes = 256 << 10;
inline constexpr qint64 kRecoveryChunkBytes = 1 << 20;

[[nodiscard]] quint32 crc(const char *data, qint64 size);
[[nodiscard]] quint32 u32At(const char *p, qint64 at);
[[nodiscard]] quint64 u64At(const char *p, qint64 at);
/// pwrite until all is written; false with errno set.
[[nodiscard]] bool writeAll(int fd, const char *data, qint64 size, qint64 offset);
/// Bytes read, fewer only at end of file; -1 on error.
[[nodiscard]] qint64 readAll(int fd, char *data, qint64 size, qint64 offset);
/// The record length the header at `p` announces, or 0 when the header cannot be right.
[[nodiscard]] qint64 recordLength(const char *p);
[[nodiscard]] bool recordValid(const char *p, qint64 length, quint64 seq);
[[nodiscard]] OutboxEntry parseRecord(const char *p);
[[nodiscard]] QString errorText(int error);

} // namespace edgegate::outboxformat
