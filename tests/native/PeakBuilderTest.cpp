// SPDX-License-Identifier: MIT
#include "PeakBuilder.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

using namespace avseg;

namespace {

void feedStereo(PeakBuilder& builder, const std::vector<float>& l, const std::vector<float>& r, size_t chunk)
{
    builder.start({44100, 2});
    for (size_t at = 0; at < l.size(); at += chunk) {
        const float* ch[2] = {l.data() + at, r.data() + at};
        builder.process(ch, std::min(chunk, l.size() - at));
    }
    builder.done();
}

} // namespace

TEST_CASE("the pyramid does not depend on how the PCM is chunked", "[PeakBuilder]")
{
    const auto l = test::randomSignal(77777, 1), r = test::randomSignal(77777, 2);
    PeakPyramid a, b;
    PeakBuilder ba(a), bb(b);
    feedStereo(ba, l, r, 1);
    feedStereo(bb, l, r, 4096);
    REQUIRE(a.levelCount() == b.levelCount());
    for (int lv = 0; lv < a.levelCount(); ++lv)
        for (int64_t i = 0; i < a.binCount(lv); ++i)
            for (int c = 0; c < 2; ++c) {
                REQUIRE(a.at(lv, i, c).min == b.at(lv, i, c).min);
                REQUIRE(a.at(lv, i, c).max == b.at(lv, i, c).max);
            }
}

TEST_CASE("channels are kept apart", "[PeakBuilder]")
{
    std::vector<float> l(10000, 0.25f), r(10000, -0.75f);
    PeakPyramid p;
    PeakBuilder b(p);
    feedStereo(b, l, r, 333);
    REQUIRE(p.extent(0, 0, 10000).min == quantiseSample(0.25f));
    REQUIRE(p.extent(0, 0, 10000).max == quantiseSample(0.25f));
    REQUIRE(p.extent(1, 0, 10000).min == quantiseSample(-0.75f));
    REQUIRE(p.extent(1, 0, 10000).max == quantiseSample(-0.75f));
}

TEST_CASE("a long stream coarsens the base instead of growing past its budget", "[PeakBuilder]")
{
    PeakBuilder::Options options;
    options.baseShift = 2;
    options.maxBasePeaks = 1000;
    const auto s = test::randomSignal(500000, 5);
    PeakPyramid p;
    PeakBuilder b(p, options);
    b.start({8000, 1});
    size_t peakBase = 0;
    for (size_t at = 0; at < s.size(); at += 1500) {
        const float* ch[1] = {s.data() + at};
        b.process(ch, std::min<size_t>(1500, s.size() - at));
        peakBase = std::max(peakBase, p.level(0).bins.capacity());
        // The live edge is visible while loading.
        REQUIRE(p.frames() == int64_t(std::min(at + 1500, s.size())));
    }
    b.done();
    REQUIRE(peakBase <= 1000 + 1); // the budget, plus the open bin shown while loading
    REQUIRE(p.baseShift() > 2);
    REQUIRE(p.binCount(0) * (int64_t(1) << p.baseShift()) >= int64_t(s.size()));
    // Still exact on the new base grid.
    const int64_t bin = int64_t(1) << p.baseShift();
    for (int64_t first = 0; first + 7 * bin <= int64_t(s.size()); first += 5 * bin) {
        Peak want;
        for (int64_t i = first; i < first + 7 * bin; ++i) {
            want.min = std::min(want.min, quantiseSample(s[i]));
            want.max = std::max(want.max, quantiseSample(s[i]));
        }
        const Peak got = p.extent(0, first, first + 7 * bin);
        REQUIRE(got.min == want.min);
        REQUIRE(got.max == want.max);
    }
}

TEST_CASE("memory stays within budget for any length", "[PeakBuilder]")
{
    PeakBuilder::Options options;
    options.maxBasePeaks = 1 << 12;
    std::vector<size_t> bytes;
    for (size_t minutes : {1, 10, 100}) {
        PeakPyramid p;
        PeakBuilder b(p, options);
        b.start({48000, 2});
        std::vector<float> block(48000, 0.1f);
        const float* ch[2] = {block.data(), block.data()};
        for (size_t s = 0; s < minutes * 60; ++s)
            b.process(ch, block.size());
        b.done();
        bytes.push_back(p.memoryBytes());
    }
    // Twice the base budget covers the base plus all coarser levels.
    for (size_t v : bytes)
        REQUIRE(v <= 2 * (size_t(1) << 12) * sizeof(Peak) + 4096 * sizeof(Peak) * 2);
    REQUIRE(bytes[2] <= bytes[1] + bytes[1] / 4);
}
