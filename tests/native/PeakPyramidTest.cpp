// SPDX-License-Identifier: MIT
#include "PeakBuilder.h"
#include "PeakPyramid.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

using namespace avseg;

namespace {

Peak bruteForce(const std::vector<float>& s, int64_t first, int64_t last)
{
    Peak p;
    for (int64_t i = first; i < last; ++i) {
        const int16_t q = quantiseSample(s[static_cast<size_t>(i)]);
        p.min = std::min(p.min, q);
        p.max = std::max(p.max, q);
    }
    return p;
}

void feed(PeakBuilder& builder, const std::vector<float>& s, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<size_t> chunk(1, 5000);
    builder.start({48000, 1});
    for (size_t at = 0; at < s.size();) {
        const size_t n = std::min(chunk(rng), s.size() - at);
        const float* ch[1] = {s.data() + at};
        builder.process(ch, n);
        at += n;
    }
    builder.done();
}

// A random non-empty range [first, last) within [0, size).
std::pair<int64_t, int64_t> randomRange(std::mt19937& rng, int64_t size)
{
    std::uniform_int_distribution<int64_t> pick(0, size);
    int64_t a = pick(rng), b = pick(rng);
    while (a == b)
        b = pick(rng);
    return std::minmax(a, b);
}

} // namespace

TEST_CASE("extent of aligned ranges equals the brute-force min and max", "[PeakPyramid]")
{
    const auto signal = test::randomSignal(200003, 7);
    PeakPyramid pyramid;
    PeakBuilder builder(pyramid);
    feed(builder, signal, 11);
    REQUIRE(pyramid.frames() == int64_t(signal.size()));

    const int64_t bin = int64_t(1) << pyramid.baseShift();
    std::mt19937 rng(3);
    const int64_t bins = (int64_t(signal.size()) + bin - 1) / bin;
    for (int i = 0; i < 2000; ++i) {
        const auto [a, b] = randomRange(rng, bins);
        const int64_t first = a * bin, last = std::min(b * bin, int64_t(signal.size()));
        const Peak got = pyramid.extent(0, first, last);
        const Peak want = bruteForce(signal, first, last);
        INFO("range " << first << ".." << last);
        REQUIRE(got.min == want.min);
        REQUIRE(got.max == want.max);
    }
}

TEST_CASE("extent of an unaligned range covers it and stays within the base bins it touches", "[PeakPyramid]")
{
    const auto signal = test::randomSignal(50000, 9);
    PeakPyramid pyramid;
    PeakBuilder builder(pyramid);
    feed(builder, signal, 2);
    const int64_t bin = int64_t(1) << pyramid.baseShift();
    std::mt19937 rng(5);
    for (int i = 0; i < 1000; ++i) {
        const auto [a, b] = randomRange(rng, int64_t(signal.size()));
        const Peak got = pyramid.extent(0, a, b);
        const Peak inner = bruteForce(signal, a, b);
        const Peak outer = bruteForce(signal, a / bin * bin, std::min((b + bin - 1) / bin * bin, int64_t(signal.size())));
        REQUIRE(got.min <= inner.min);
        REQUIRE(got.max >= inner.max);
        REQUIRE(got.min == outer.min);
        REQUIRE(got.max == outer.max);
    }
}

TEST_CASE("each level's bin is the union of its two children", "[PeakPyramid]")
{
    const auto signal = test::randomSignal(123457, 4);
    PeakPyramid pyramid;
    PeakBuilder builder(pyramid);
    feed(builder, signal, 8);
    REQUIRE(pyramid.levelCount() > 10);
    REQUIRE(pyramid.binCount(pyramid.levelCount() - 1) == 1);
    for (int l = 1; l < pyramid.levelCount(); ++l) {
        REQUIRE(pyramid.level(l).shift == pyramid.level(l - 1).shift + 1);
        REQUIRE(pyramid.binCount(l) == (pyramid.binCount(l - 1) + 1) / 2);
        for (int64_t i = 0; i < pyramid.binCount(l); ++i) {
            Peak merged = pyramid.at(l - 1, 2 * i, 0);
            if (2 * i + 1 < pyramid.binCount(l - 1))
                merged.merge(pyramid.at(l - 1, 2 * i + 1, 0));
            const Peak p = pyramid.at(l, i, 0);
            REQUIRE(p.min == merged.min);
            REQUIRE(p.max == merged.max);
        }
    }
}

TEST_CASE("quantisation rounds, clamps and maps NaN to zero", "[PeakPyramid]")
{
    REQUIRE(quantiseSample(0.0f) == 0);
    REQUIRE(quantiseSample(1.0f) == 32767);
    REQUIRE(quantiseSample(2.5f) == 32767);
    REQUIRE(quantiseSample(-1.0f) == -32767);
    REQUIRE(quantiseSample(-7.0f) == -32768);
    REQUIRE(quantiseSample(0.5f / 32767.0f) == 0);
    REQUIRE(quantiseSample(1.5f / 32767.0f) == 2);
    REQUIRE(quantiseSample(std::nanf("")) == 0);
}
