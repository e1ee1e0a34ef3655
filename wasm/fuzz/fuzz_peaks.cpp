// SPDX-License-Identifier: MIT
// libFuzzer harness: the input is a small program that feeds sample blocks to a
// PeakBuilder, checks the pyramid against a brute force over the samples fed, and
// renders it into an exactly sized image. Layout:
//   byte 0  channels 1 + (b & 3), baseShift (b >> 2) & 7
//   byte 1  maxBasePeaks 1 + b
//   byte 2  image width b & 63, row padding (b >> 6) * 4 bytes
//   byte 3  image height b & 31, amplitude (b >> 5)
//   then ops; each op byte's low 3 bits pick a block kind or a checkpoint.
#include "FuzzInput.h"
#include "PeakBuilder.h"
#include "PeakPyramid.h"
#include "WaveformRenderer.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

using namespace avseg;
using avseg::fuzz::Input;


namespace {

// Per input: each checkpoint's brute force is linear in the frames fed.
constexpr int64_t kMaxFrames = 1 << 15;
constexpr int kMaxCheckpoints = 16;

const float kSpecial[16] = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f,
    std::numeric_limits<float>::quiet_NaN(),
    std::numeric_limits<float>::infinity(),
    -std::numeric_limits<float>::infinity(),
    1e30f, -1e30f,
    32767.5f / 32767.0f,    // rounds to the clamp edge
    -32768.5f / 32767.0f,
    32766.5f / 32767.0f,    // a rounding midpoint
    1e-40f,                 // denormal
    -FLT_MAX,
};

uint32_t nextRandom(uint32_t& s)
{
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

bool same(const Peak& a, const Peak& b)
{
    return a.min == b.min && a.max == b.max;
}

struct Harness {
    int channels;
    PeakBuilder::Options options;
    int width, height, stride;
    float amplitude;
    PeakPyramid pyramid;
    std::vector<std::vector<float>> fed;

    int64_t frames() const { return static_cast<int64_t>(fed[0].size()); }

    void feed(PeakBuilder& builder, const std::vector<std::vector<float>>& block)
    {
        // Separate exact-size planes so ASan sees any read past a block.
        std::vector<const float*> planes(channels);
        for (int c = 0; c < channels; ++c) {
            planes[c] = block[c].data();
            fed[c].insert(fed[c].end(), block[c].begin(), block[c].end());
        }
        builder.process(planes.data(), block[0].size());
    }

    // Brute force: quantised min/max of every base bin, straight from the samples fed.
    std::vector<Peak> bruteBins(int64_t binSize) const
    {
        const int64_t bins = (frames() + binSize - 1) / binSize;
        std::vector<Peak> out(static_cast<size_t>(bins * channels));
        for (int c = 0; c < channels; ++c)
            for (int64_t f = 0; f < frames(); ++f) {
                const int16_t q = quantiseSample(fed[c][f]);
                out[(f / binSize) * channels + c].merge(Peak{q, q});
            }
        return out;
    }

    void check(bool finished, Input& in)
    {
        FUZZ_CHECK(pyramid.frames() == frames());
        FUZZ_CHECK(pyramid.channels() == channels);
        const int levels = pyramid.levelCount();
        FUZZ_CHECK(levels >= 1);
        const int shift = pyramid.baseShift();
        FUZZ_CHECK(shift >= options.baseShift && shift < 48);
        const int64_t binSize = int64_t(1) << shift;
        FUZZ_CHECK(pyramid.binCount(0) == (frames() + binSize - 1) / binSize);
        FUZZ_CHECK(pyramid.level(0).open == (!finished && frames() % binSize != 0));
        // The budget (at least two bins, to pair), plus the open bin shown while loading.
        FUZZ_CHECK(static_cast<int64_t>(pyramid.level(0).bins.size()) < std::max<int64_t>(options.maxBasePeaks, 2 * channels) + channels);
        for (int l = 0; l < levels; ++l) {
            FUZZ_CHECK(pyramid.level(l).shift == shift + l);
            FUZZ_CHECK(pyramid.level(l).bins.size() % channels == 0);
        }
        for (int l = 1; l < levels; ++l) {
            const int64_t children = pyramid.completeBinCount(l - 1);
            // Upper levels hold complete pairs while loading; done() carries an unpaired last bin up.
            FUZZ_CHECK(pyramid.binCount(l) == (finished ? (children + 1) / 2 : children / 2));
            FUZZ_CHECK(!pyramid.level(l).open);
            for (int64_t i = 0; i < pyramid.binCount(l); ++i)
                for (int c = 0; c < channels; ++c) {
                    Peak want = pyramid.at(l - 1, 2 * i, c);
                    if (2 * i + 1 < children)
                        want.merge(pyramid.at(l - 1, 2 * i + 1, c));
                    FUZZ_CHECK(same(pyramid.at(l, i, c), want));
                }
        }
        if (finished && frames() > 0)
            FUZZ_CHECK(pyramid.binCount(levels - 1) == 1);

        const std::vector<Peak> brute = bruteBins(binSize);
        const int64_t bins = pyramid.binCount(0);
        for (int64_t b = 0; b < bins; ++b)
            for (int c = 0; c < channels; ++c)
                FUZZ_CHECK(same(pyramid.at(0, b, c), brute[b * channels + c]));

        // extent(): exact on the base grid, and widened to whole base bins elsewhere.
        auto expected = [&](int c, int64_t first, int64_t last) {
            Peak want;
            if (last <= first)
                return want;
            const int64_t hi = std::min((last - 1) / binSize + 1, bins);
            for (int64_t b = std::max<int64_t>(first, 0) / binSize; b < hi; ++b)
                want.merge(brute[b * channels + c]);
            return want;
        };
        uint32_t rng = 0x2545f491u ^ uint32_t(in.byte());
        for (int c = 0; c < channels; ++c)
            FUZZ_CHECK(same(pyramid.extent(c, 0, frames()), expected(c, 0, frames())));
        for (int k = 0; k < 24 && frames() > 0; ++k) {
            const int c = static_cast<int>(nextRandom(rng) % channels);
            int64_t first, last;
            if (k % 2 == 0) {
                first = nextRandom(rng) % (bins + 1) * binSize;
                last = std::min(int64_t(nextRandom(rng) % (bins + 1)) * binSize, frames());
            } else {
                first = nextRandom(rng) % (frames() + 1);
                last = nextRandom(rng) % (frames() + 1);
            }
            FUZZ_CHECK(same(pyramid.extent(c, first, last), expected(c, first, last)));
        }

        render(in);
    }

    void render(Input& in)
    {
        const uint8_t e = in.byte();
        WaveformView view;
        view.startFrame = std::ldexp(double(in.s16()), (e & 31) - 8);
        const uint8_t m = in.byte();
        view.framesPerPixel = (e & 0x80) ? -double(m) : std::ldexp(1.0 + m / 256.0, (in.byte() & 31) - 8);

        const size_t bytes = width > 0 && height > 0 ? size_t(height - 1) * stride + size_t(width) * 4 : 0;
        std::vector<uint8_t> pixels(bytes, 0xa5);
        RgbaImage image{pixels.data(), width, height, stride};
        WaveformStyle style;
        style.amplitude = amplitude;
        renderPeaks(pyramid, view, style, image);

        for (int y = 0; y < height; ++y) {
            const uint8_t* row = pixels.data() + size_t(y) * stride;
            for (int x = 0; x < width; ++x) {
                const uint32_t px = uint32_t(row[x * 4]) << 24 | uint32_t(row[x * 4 + 1]) << 16
                    | uint32_t(row[x * 4 + 2]) << 8 | row[x * 4 + 3];
                FUZZ_CHECK(px == style.background || px == style.wave || px == style.axis);
            }
            if (y + 1 < height)
                for (int x = width * 4; x < stride; ++x)
                    FUZZ_CHECK(row[x] == 0xa5);
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in{data, size};
    if (size < 4)
        return 0;
    const uint8_t b0 = in.byte(), b1 = in.byte(), b2 = in.byte(), b3 = in.byte();
    static const float kAmplitude[8] = {1.0f, 0.5f, 2.0f, 10.0f, 0.0f, -1.0f,
        std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};

    Harness h;
    h.channels = 1 + (b0 & 3);
    h.options.baseShift = (b0 >> 2) & 7;
    h.options.maxBasePeaks = 1 + b1;
    h.width = b2 & 63;
    h.stride = h.width > 0 ? h.width * 4 + (b2 >> 6) * 4 : 0;
    h.height = b3 & 31;
    h.amplitude = kAmplitude[b3 >> 5];
    h.fed.assign(h.channels, {});

    PeakBuilder builder(h.pyramid, h.options);
    builder.start({48000, h.channels});

    std::vector<std::vector<float>> block(h.channels);
    int checkpoints = 0;
    while (!in.empty() && h.frames() < kMaxFrames) {
        const uint8_t op = in.byte();
        int64_t n = 0;
        switch (op & 7) {
        case 0:
        case 1: n = in.byte(); break;
        case 2: n = in.byte() & 63; break;
        case 3: n = (in.byte() + 1) * 16; break;
        case 4: n = in.s16() & 4095; break;
        case 5: n = 0; break;
        case 6:
            if (++checkpoints <= kMaxCheckpoints)
                h.check(false, in);
            continue;
        case 7: n = in.byte() & 63; break;
        }
        n = std::min(n, kMaxFrames - h.frames());
        static const float kGain[4] = {1.0f, 1.5f, 1e-4f, 1e30f};
        const float gain = kGain[(op >> 3) & 3];
        const uint8_t seed = (op & 7) == 3 || (op & 7) == 4 ? in.byte() : 0;
        uint32_t rng = ((0x9e3779b9u * (op + 1u)) ^ (uint32_t(seed) << 16)) | 1u;
        const float constant = kSpecial[seed & 15];
        for (int c = 0; c < h.channels; ++c)
            block[c].assign(static_cast<size_t>(n), 0.0f);
        for (int64_t f = 0; f < n; ++f)
            for (int c = 0; c < h.channels; ++c) {
                float& s = block[c][f];
                switch (op & 7) {
                case 0:
                case 1: s = in.s16() / 32768.0f * gain; break;
                case 2: s = in.f32(); break;
                case 3: {
                    const uint32_t r = nextRandom(rng);
                    s = r % 64 == 0 ? kSpecial[(r >> 8) & 15] : (int32_t(r >> 8) - (1 << 23)) / float(1 << 23) * 1.2f;
                    break;
                }
                case 4: s = constant; break;
                case 7: s = kSpecial[in.byte() & 15]; break;
                }
            }
        h.feed(builder, block);
    }
    h.check(false, in);
    builder.done();
    h.check(true, in);
    return 0;
}
