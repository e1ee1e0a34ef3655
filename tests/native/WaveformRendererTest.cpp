// SPDX-License-Identifier: MIT
#include "PeakBuilder.h"
#include "WaveformRenderer.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace avseg;

namespace {

struct Canvas {
    Canvas(int w, int h) : pixels(size_t(w) * h * 4), image{pixels.data(), w, h, w * 4} {}
    uint32_t at(int x, int y) const
    {
        const uint8_t* p = &pixels[(size_t(y) * image.width + x) * 4];
        return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
    }
    std::vector<uint8_t> pixels;
    RgbaImage image;
};

PeakPyramid pyramidOf(const std::vector<std::vector<float>>& channels)
{
    PeakPyramid p;
    PeakBuilder b(p);
    b.start({48000, int(channels.size())});
    std::vector<const float*> ch;
    for (const auto& c : channels)
        ch.push_back(c.data());
    b.process(ch.data(), channels[0].size());
    b.done();
    return p;
}

} // namespace

TEST_CASE("silence draws only the zero line, a full-scale square fills its columns", "[WaveformRenderer]")
{
    // 1024 frames of silence, then a full-scale square wave.
    std::vector<float> s(2048, 0.0f);
    for (size_t i = 1024; i < 2048; ++i)
        s[i] = (i / 8) % 2 ? 1.0f : -1.0f;
    const PeakPyramid p = pyramidOf({s});
    Canvas canvas(200, 51);
    WaveformStyle style;
    renderPeaks(p, {0.0, 10.0}, style, canvas.image);

    const int zeroRow = amplitudeRow(0.0f, 1.0f, 51);
    REQUIRE(zeroRow == 25);
    // Columns may reach into the base bin (16 frames) their edge falls in, no further.
    for (int x = 0; x < 100; ++x)
        for (int y = 0; y < 51; ++y)
            REQUIRE(canvas.at(x, y) == (y == zeroRow ? style.wave : style.background));
    for (int x = 103; x < 200; ++x)
        for (int y = 0; y < 51; ++y)
            REQUIRE(canvas.at(x, y) == style.wave);
}

TEST_CASE("a column spans exactly from its maximum to its minimum row", "[WaveformRenderer]")
{
    std::vector<float> s(1600, 0.0f);
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = (i % 16 == 3) ? 0.5f : ((i % 16 == 9) ? -0.25f : 0.0f);
    const PeakPyramid p = pyramidOf({s});
    Canvas canvas(100, 101);
    WaveformStyle style;
    renderPeaks(p, {0.0, 16.0}, style, canvas.image);
    const int top = amplitudeRow(0.5f, 1.0f, 101), bottom = amplitudeRow(-0.25f, 1.0f, 101);
    REQUIRE(top == 25);
    REQUIRE(bottom == 63);
    for (int x = 0; x < 100; ++x)
        for (int y = 0; y < 101; ++y)
            REQUIRE((canvas.at(x, y) == style.wave) == (y >= top && y <= bottom));
}

TEST_CASE("stereo channels are stacked in separate bands", "[WaveformRenderer]")
{
    std::vector<float> left(4800, 0.0f), right(4800, 0.0f);
    for (size_t i = 0; i < right.size(); ++i)
        right[i] = i % 2 ? 0.9f : -0.9f;
    const PeakPyramid p = pyramidOf({left, right});
    Canvas canvas(48, 100);
    WaveformStyle style;
    renderPeaks(p, {0.0, 100.0}, style, canvas.image);
    for (int x = 0; x < 48; ++x) {
        int leftWave = 0, rightWave = 0;
        for (int y = 0; y < 50; ++y)
            leftWave += canvas.at(x, y) == style.wave;
        for (int y = 50; y < 100; ++y)
            rightWave += canvas.at(x, y) == style.wave;
        REQUIRE(leftWave == 1);     // the zero line of a silent channel in wave colour
        REQUIRE(rightWave > 40);
    }
}

TEST_CASE("the view past the end of the media is background", "[WaveformRenderer]")
{
    const PeakPyramid p = pyramidOf({std::vector<float>(1000, 0.5f)});
    Canvas canvas(100, 20);
    WaveformStyle style;
    renderPeaks(p, {500.0, 10.0}, style, canvas.image);
    REQUIRE(canvas.at(10, 5) == style.wave);
    for (int x = 51; x < 100; ++x)
        for (int y = 0; y < 20; ++y)
            REQUIRE((canvas.at(x, y) == style.background || canvas.at(x, y) == style.axis));
}

TEST_CASE("at sample level every sample gets a dot at its own value", "[WaveformRenderer]")
{
    std::vector<float> s = {0.0f, 0.8f, -0.8f, 0.4f, -0.4f, 0.0f, 0.6f, -0.2f, 0.1f, 0.3f};
    const float* ch[1] = {s.data()};
    Canvas canvas(200, 81);
    WaveformStyle style;
    // 20 px per sample, starting at frame 0.
    renderSamples({0, int64_t(s.size()), 1, ch}, {0.0, 0.05}, style, canvas.image);
    for (size_t i = 0; i < s.size(); ++i) {
        const int x = int(i) * 20, y = amplitudeRow(s[i], 1.0f, 81);
        REQUIRE(canvas.at(x, y) == style.sampleDot);
        // Between two samples the line passes through the interpolated value.
        if (i + 1 < s.size()) {
            const float mid = (s[i] + s[i + 1]) / 2;
            const int ym = amplitudeRow(mid, 1.0f, 81);
            bool found = false;
            for (int dy = -1; dy <= 1; ++dy)
                found |= canvas.at(x + 10, ym + dy) == style.wave;
            REQUIRE(found);
        }
    }
}

TEST_CASE("sample-level min and max per column match the samples", "[WaveformRenderer]")
{
    std::vector<float> s(400);
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = (i % 4 == 0) ? 0.5f : -0.5f;
    const float* ch[1] = {s.data()};
    Canvas canvas(100, 41);
    WaveformStyle style;
    renderSamples({0, int64_t(s.size()), 1, ch}, {0.0, 4.0}, style, canvas.image);
    const int top = amplitudeRow(0.5f, 1.0f, 41), bottom = amplitudeRow(-0.5f, 1.0f, 41);
    for (int x = 0; x < 100; ++x) {
        REQUIRE(canvas.at(x, top) == style.wave);
        REQUIRE(canvas.at(x, bottom) == style.wave);
        REQUIRE(canvas.at(x, top - 1) == style.background);
        REQUIRE(canvas.at(x, bottom + 1) == style.background);
    }
}
