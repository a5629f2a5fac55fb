// SPDX-License-Identifier: Apache-2.0
#pragma once

/// An invariant of a fuzz target: a crash libFuzzer reports, with the input that broke it.
inline void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}
