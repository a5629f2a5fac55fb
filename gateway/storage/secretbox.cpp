// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/secretbox.h"

#include <QFile>
#include <QLoggingCategory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSecrets, "edgegate.secrets")

namespace {

constexpr char Version = 1;
constexpr int NonceBytes = 12;
constexpr int TagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext()
{
    return {EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
}

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

QString systemError(const QString &what, const QString &path)
{
    return u"%1 %2: %3"_s.arg(what, path, QString::fromLocal8Bit(std::strerror(errno)));
}

// Reads exactly `size` bytes; false at a short read or an error.
bool readAll(int fd, unsigned char *out, qsizetype size)
{
    qsizetype done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, out + done, size_t(size - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

} // namespace

std::optional<SecretBox> SecretBox::fromKeyFile(const QString &path, QString *error)
{
    const QByteArray name = QFile::encodeName(path);
    SecretBox box;
    int fd = ::open(name.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            *error = systemError(u"cannot create the key file"_s, path);
            return std::nullopt;
        }
        bool written = RAND_bytes(box.m_key.data(), KeyBytes) == 1;
        written = written && ::write(fd, box.m_key.data(), KeyBytes) == KeyBytes && ::fsync(fd) == 0;
        ::close(fd);
        if (!written) {
            ::unlink(name.constData());
            *error = systemError(u"cannot write the key file"_s, path);
            return std::nullopt;
        }
        qCInfo(lcSecrets).noquote() << "created the key file" << path << "(keep it with backups of data_dir)";
        return box;
    }
    if (fd < 0) {
        *error = systemError(u"cannot open the key file"_s, path);
        return std::nullopt;
    }
    struct stat info = {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size != KeyBytes) {
        ::close(fd);
        *error = u"the key file %1 is not %2 bytes: restore it from a backup (without it no stored PSK opens)"_s.arg(
            path, QString::number(KeyBytes));
        return std::nullopt;
    }
    if ((info.st_mode & 077) != 0) {
        if (::fchmod(fd, 0600) != 0) {
            ::close(fd);
            *error = systemError(u"cannot make the key file private"_s, path);
            return std::nullopt;
        }
        qCWarning(lcSecrets).noquote() << "the key file" << path << "was readable by others: made private (0600)";
    }
    const bool read = readAll(fd, box.m_key.data(), KeyBytes);
    ::close(fd);
    if (!read) {
        *error = systemError(u"cannot read the key file"_s, path);
        return std::nullopt;
    }
    return box;
}

SecretBox::~SecretBox()
{
    OPENSSL_cleanse(m_key.data(), m_key.size());
}

QByteArray SecretBox::seal(QByteArrayView plain, QByteArrayView context) const
{
    QByteArray out(1 + NonceBytes + plain.size() + TagBytes, Qt::Uninitialized);
    auto *data = reinterpret_cast<unsigned char *>(out.data());
    data[0] = Version;
    unsigned char *nonce = data + 1;
    unsigned char *cipher = nonce + NonceBytes;
    unsigned char *tag = cipher + plain.size();
    const CipherContext ctx = newContext();
    int n = 0;
    const bool ok = ctx && RAND_bytes(nonce, NonceBytes) == 1
        && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, NonceBytes, nullptr) == 1
        && EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, m_key.data(), nonce) == 1
        && EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(context), int(context.size())) == 1
        && EVP_EncryptUpdate(ctx.get(), cipher, &n, bytes(plain), int(plain.size())) == 1
        && EVP_EncryptFinal_ex(ctx.get(), cipher + n, &n) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, TagBytes, tag) == 1;
    return ok ? out : QByteArray();
}

std::optional<QByteArray> SecretBox::open(QByteArrayView sealed, QByteArrayView context) const
{
    if (sealed.size() < 1 + NonceBytes + TagBytes || sealed[0] != Version)
        return std::nullopt;
    const unsigned char *nonce = bytes(sealed) + 1;
    const unsigned char *cipher = nonce + NonceBytes;
    const qsizetype cipherBytes = sealed.size() - 1 - NonceBytes - TagBytes;
    // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
    unsigned char tag[TagBytes];
    std::memcpy(tag, cipher + cipherBytes, TagBytes);
    QByteArray plain(cipherBytes, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(plain.data());
    const CipherContext ctx = newContext();
    int n = 0;
    const bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, NonceBytes, nullptr) == 1
        && EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, m_key.data(), nonce) == 1
        && EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(context), int(context.size())) == 1
        && EVP_DecryptUpdate(ctx.get(), out, &n, cipher, int(cipherBytes)) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, TagBytes, tag) == 1
        && EVP_DecryptFinal_ex(ctx.get(), out + n, &n) == 1;
    if (!ok)
        return std::nullopt;
    return plain;
}

} // namespace edgegate
