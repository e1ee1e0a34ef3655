// SPDX-License-Identifier: MIT
// Shared by the libFuzzer harnesses: reading the input as a little program, and reporting a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace avseg::fuzz {

// Stops the run so libFuzzer keeps the input: a broken invariant is as much a finding as a crash.
#define FUZZ_CHECK(cond)                                                                         \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            std::fprintf(stderr, "%s: check failed at line %d: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                        \
        }                                                                                        \
    } while (0)

[[noreturn]] inline void bug(const char* harness, const std::string& what)
{
    std::fprintf(stderr, "%s: %s\n", harness, what.c_str());
    std::abort();
}

// Bytes consumed from the front; past the end every read is zero.
struct Input {
    const uint8_t* p;
    size_t n;

    bool empty() const { return n == 0; }
    uint8_t byte()
    {
        if (n == 0)
            return 0;
        --n;
        return *p++;
    }
    // Each operand read in its own statement: the order of the two sides of | is unspecified.
    uint16_t u16()
    {
        const uint8_t lo = byte();
        return uint16_t(lo | byte() << 8);
    }
    int16_t s16() { return int16_t(u16()); }
    uint32_t u32()
    {
        const uint32_t lo = u16();
        return lo | uint32_t(u16()) << 16;
    }
    int64_t i64() { return int64_t(u64()); }
    uint64_t u64()
    {
        const uint64_t lo = u32();
        return lo | uint64_t(u32()) << 32;
    }
    float f32()
    {
        const uint32_t bits = u32();
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    }
    double f64()
    {
        const uint64_t bits = u64();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }
};

// A double that is often ordinary, sometimes extreme: exponents from the input, specials by index.
inline double interestingDouble(Input& in, double scale)
{
    static const double kSpecial[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e300, -1e300, 9.2e18, -9.2e18, 4.9e-324,
        __builtin_nan(""), __builtin_inf(), -__builtin_inf(), 2147483647.0, 4294967296.0, 1e-9};
    const uint8_t kind = in.byte();
    switch (kind >> 6) {
    case 0: return kSpecial[kind & 15];
    case 1: return double(int16_t(in.u16())) * scale / 256.0;
    case 2: return double(in.u32()) * scale / 65536.0;
    default: return in.f64();
    }
}

} // namespace avseg::fuzz
