// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <optional>

namespace edgegate {

/// Seals small secrets (device PSKs) with AES-256-GCM under a key kept in a file of its own, so a
/// copy of the database alone does not reveal them. Each sealed value is bound to a context (the
/// device id): moved to another row, it no longer opens.
class SecretBox
{
public:
    static constexpr qsizetype KeyBytes = 32;

    /// Reads the key in `path`, or creates the file (mode 0600, a random key) when there is none.
    /// A key file that others may read is made private; one of the wrong size is refused.
    [[nodiscard]] static std::optional<SecretBox> fromKeyFile(const QString &path, QString *error);

    ~SecretBox();
    SecretBox(const SecretBox &) = default;
    SecretBox &operator=(const SecretBox &) = default;

    /// A version byte, a random 96-bit nonce, the ciphertext and the 128-bit tag.
    [[nodiscard]] QByteArray seal(QByteArrayView plain, QByteArrayView context) const;
    /// Nothing when `sealed` was not sealed under this key and context, or was changed.
    [[nodiscard]] std::optional<QByteArray> open(QByteArrayView sealed, QByteArrayView context) const;

private:
    SecretBox() = default;

    std::array<unsigned char, KeyBytes> m_key{};
};

} // namespace edgegate
