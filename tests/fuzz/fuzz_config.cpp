// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the configuration loader on any YAML text. It must report errors with their
// line, never throw or crash, and a text it takes must load again the same way.
#include "fuzzcheck.h"
#include "gateway/app/config/config.h"

#include <cstdint>

using namespace edgegate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // Larger texts only repeat what small ones reach, and yaml-cpp's own recursion is not ours to test.
    if (size > 16384)
        return 0;
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    const ConfigLoad first = loadConfigText(yaml);
    for (const ConfigError &error : first.errors)
        check(!error.message.isEmpty());
    const ConfigLoad second = loadConfigText(yaml);
    check(first.errors.size() == second.errors.size());
    return 0;
}
