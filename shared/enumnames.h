// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringView>

#include <array>
#include <cstddef>
#include <optional>

namespace edgegate {

/// The names of an enum's values (on the wire, in metrics labels, in config files), read both
/// ways. The enum counts from 0 without gaps and the names stand in its declaration order.
/// Made by enumNames<E>(u"first", u"second", ...) from string literals.
template<typename Enum, std::size_t N> class EnumNames
{
public:
    constexpr explicit EnumNames(const std::array<QStringView, N> &names)
        : m_names(names)
    {
    }

    /// The name of `value`; empty for a value past the list. The names are literals: the string
    /// refers to one rather than copying it, as a QStringLiteral would.
    [[nodiscard]] QString nameOf(Enum value) const
    {
        const auto index = static_cast<std::size_t>(value);
        if (index >= N)
            return {};
        return QString::fromRawData(reinterpret_cast<const QChar *>(m_names[index].utf16()), m_names[index].size());
    }

    /// The value called `name` (exact, case-sensitive match).
    [[nodiscard]] std::optional<Enum> valueOf(QStringView name) const
    {
        for (std::size_t i = 0; i < N; ++i) {
            if (m_names[i] == name)
                return static_cast<Enum>(i);
        }
        return std::nullopt;
    }

    /// Every value, in declaration order.
    [[nodiscard]] static constexpr std::array<Enum, N> values()
    {
        std::array<Enum, N> all{};
        for (std::size_t i = 0; i < N; ++i)
            all[i] = static_cast<Enum>(i);
        return all;
    }

    [[nodiscard]] static constexpr std::size_t size() { return N; }

private:
    std::array<QStringView, N> m_names;
};

template<typename Enum, typename... Names>
[[nodiscard]] constexpr EnumNames<Enum, sizeof...(Names)> enumNames(const Names &...names)
{
    return EnumNames<Enum, sizeof...(Names)>({QStringView(names)...});
}

} // namespace edgegate
