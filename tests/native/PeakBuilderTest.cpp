// SPDX-License-Identifier: MIT
#include "PeakBuilder.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <iterator>
#include <limits>

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

namespace {

// The base level as it must be: each bin the min and max of its quantised samples.
void requireBaseIsBruteForce(const PeakPyramid& p, const std::vector<std::vector<float>>& channels)
{
    const int nch = static_cast<int>(channels.size());
    const int64_t bin = int64_t(1) << p.baseShift();
    const int64_t frames = static_cast<int64_t>(channels[0].size());
    REQUIRE(p.binCount(0) == (frames + bin - 1) / bin);
    for (int64_t b = 0; b < p.binCount(0); ++b)
        for (int c = 0; c < nch; ++c) {
            Peak want;
            for (int64_t i = b * bin; i < std::min(frames, (b + 1) * bin); ++i) {
                const int16_t q = quantiseSample(channels[c][static_cast<size_t>(i)]);
                want.min = std::min(want.min, q);
                want.max = std::max(want.max, q);
            }
            const Peak got = p.at(0, b, c);
            INFO("bin " << b << " of " << p.binCount(0) << ", channel " << c << " of " << nch << ", " << bin << " frames per bin");
            REQUIRE(got.min == want.min);
            REQUIRE(got.max == want.max);
        }
}

} // namespace

TEST_CASE("whole bins taken from a block are the brute-force min and max, whatever the samples", "[PeakBuilder]")
{
    // The block path works on four bins at a time and trusts it saw only finite samples;
    // blocks with NaN, infinities or sums past float's range are redone one bin at a time.
    const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
        -std::numeric_limits<float>::infinity(), 3e38f, -3e38f, -0.0f, 1.0f, -1.0f, 1.00002f, -1.00002f, 2.5f, -7.0f};
    std::mt19937 rng(11);
    for (int nch : {1, 2, 6})
        for (int shift : {2, 3, 4, 6})
            for (bool withSpecials : {false, true}) {
                const size_t bin = size_t(1) << shift;
                const size_t frames = 37 * bin + 3; // bin counts not a multiple of four, and a last partial bin
                std::vector<std::vector<float>> channels;
                for (int c = 0; c < nch; ++c)
                    channels.push_back(test::randomSignal(frames, static_cast<unsigned>(100 * nch + 10 * shift + c)));
                if (withSpecials)
                    for (auto& ch : channels)
                        for (int k = 0; k < 3; ++k)
                            ch[rng() % frames] = specials[rng() % std::size(specials)];
                PeakPyramid p;
                PeakBuilder::Options options;
                options.baseShift = shift;
                PeakBuilder builder(p, options);
                builder.start({48000, nch});
                // Blocks of whole bins (5, 4, 9, 1, ... bins) and some that start or end mid-bin.
                const size_t blocks[] = {5 * bin, 4 * bin, 9 * bin + 1, bin - 1, 8 * bin, bin, 13 * bin};
                std::vector<const float*> ptrs(static_cast<size_t>(nch));
                for (size_t at = 0, i = 0; at < frames; ++i) {
                    const size_t n = std::min(blocks[i % std::size(blocks)], frames - at);
                    for (int c = 0; c < nch; ++c)
                        ptrs[static_cast<size_t>(c)] = channels[static_cast<size_t>(c)].data() + at;
                    builder.process(ptrs.data(), n);
                    at += n;
                }
                builder.done();
                INFO(nch << " channels, shift " << shift << (withSpecials ? ", with NaN/inf/huge samples" : ""));
                requireBaseIsBruteForce(p, channels);
            }
}

TEST_CASE("whole bins quantise as quantiseSample does: rounding ties, clipping, signed zero", "[PeakBuilder]")
{
    // Every value as a constant bin of four frames, so each bin's min and max are that value.
    std::vector<float> values;
    for (int k = -32800; k <= 32800; ++k)
        for (double f : {0.0, 0.5, 0.49999, 0.50001}) {
            const float v = static_cast<float>((k + f) / 32767.0);
            values.insert(values.end(), {v, std::nextafter(v, 2.0f), std::nextafter(v, -2.0f)});
        }
    values.insert(values.end(), {0.0f, -0.0f, 1e-30f, -1e-30f, 1e30f, -1e30f});
    std::vector<float> samples;
    for (float v : values)
        samples.insert(samples.end(), 4, v);
    PeakPyramid p;
    PeakBuilder::Options options;
    options.baseShift = 2;
    options.maxBasePeaks = int64_t(1) << 24;
    PeakBuilder builder(p, options);
    builder.start({48000, 1});
    const float* ch[1] = {samples.data()};
    builder.process(ch, samples.size());
    builder.done();
    REQUIRE(p.baseShift() == 2);
    for (size_t i = 0; i < values.size(); ++i) {
        INFO("value " << values[i] << " (" << values[i] * 32767.0f << " scaled)");
        REQUIRE(p.at(0, static_cast<int64_t>(i), 0).min == quantiseSample(values[i]));
        REQUIRE(p.at(0, static_cast<int64_t>(i), 0).max == quantiseSample(values[i]));
    }
}
