// SPDX-License-Identifier: MIT
// Synthetic grey pictures with known content: textures moving smoothly, cuts between them,
// flashes, fast pans, frozen and skipped frames.
#include "MediaError.h"
#include "MotionAnalyzer.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>

using namespace avseg;

namespace {

constexpr int W = 64;
constexpr int H = 36;
using Picture = std::vector<uint8_t>;

// A texture of a shot (its own pattern and brightness), seen from position x (pixels, fractional).
Picture texture(int shot, double x)
{
    Picture p(size_t(W) * H);
    const double fx = 0.21 + 0.07 * shot;
    const double fy = 0.33 - 0.05 * shot;
    const double base = 60 + 45 * (shot % 4);
    for (int r = 0; r < H; ++r) {
        for (int c = 0; c < W; ++c) {
            const double u = c + x;
            const double v = std::sin(u * fx) * std::cos(r * fy + u * 0.05) + 0.5 * std::sin(r * 0.9 + u * 0.13);
            p[size_t(r) * W + c] = uint8_t(std::lround(std::clamp(base + 40 * v, 0.0, 255.0)));
        }
    }
    return p;
}

MotionAnalyzer analyse(const std::vector<Picture>& pictures)
{
    MotionAnalyzer a;
    for (const Picture& p : pictures)
        a.push(p.data(), W, H);
    a.finish();
    return a;
}

// Shots of the given lengths, each a texture panning at `speed` pixels a frame.
std::vector<Picture> shots(const std::vector<int>& lengths, double speed)
{
    std::vector<Picture> out;
    for (size_t s = 0; s < lengths.size(); ++s) {
        for (int f = 0; f < lengths[s]; ++f)
            out.push_back(texture(int(s), f * speed));
    }
    return out;
}

} // namespace

TEST_CASE("motion is the mean absolute luma difference to the frame before, in [0, 1]", "[MotionAnalyzer]")
{
    MotionAnalyzer a;
    const Picture black(W * H, 0), white(W * H, 255), half(W * H, 51);
    a.push(black.data(), W, H);
    a.push(white.data(), W, H);
    a.push(half.data(), W, H);
    a.push(half.data(), W, H);
    a.finish();
    REQUIRE(a.frames() == 4);
    CHECK(a.motion()[0] == 0.0f);
    CHECK(a.motion()[1] == Approx(1.0));
    CHECK(a.motion()[2] == Approx(204.0 / 255));
    CHECK(a.motion()[3] == 0.0f);
}

TEST_CASE("cuts between moving shots are found at exactly the frames that begin them", "[MotionAnalyzer]")
{
    for (const double speed : {0.5, 1.0, 2.0}) {
        INFO("panning " << speed << " px a frame");
        const MotionAnalyzer a = analyse(shots({30, 25, 3, 40, 12}, speed));
        CHECK(a.cuts() == std::vector<int64_t>{30, 55, 58, 98});
        CHECK(a.jerks().empty());
    }
}

TEST_CASE("smooth motion, even fast and accelerating, is no cut", "[MotionAnalyzer]")
{
    std::vector<Picture> pictures;
    double x = 0;
    for (int f = 0; f < 120; ++f) {
        pictures.push_back(texture(1, x));
        x += 0.2 + f * 0.08; // from a fifth of a pixel a frame to ten
    }
    const MotionAnalyzer a = analyse(pictures);
    CHECK(a.motion()[110] > 0.05f);
    CHECK(a.cuts().empty());
    CHECK(a.jerks().empty());
}

TEST_CASE("a sudden whip pan moves the picture, not its histogram: no cut", "[MotionAnalyzer]")
{
    std::vector<Picture> pictures;
    for (int f = 0; f < 60; ++f)
        pictures.push_back(texture(2, f < 30 ? 0.0 : 23.0 + f)); // a jump of 23 px, then still
    const MotionAnalyzer a = analyse(pictures);
    CHECK(a.motion()[30] > 0.1f);
    CHECK(a.histogramChange()[30] < 0.2f);
    CHECK(a.cuts().empty());
}

TEST_CASE("a flash of one or two frames is neither a cut nor a jerk; a cut right after one is", "[MotionAnalyzer]")
{
    for (const int length : {1, 2}) {
        INFO(length << " flash frames");
        std::vector<Picture> pictures = shots({60, 30}, 1.0);
        for (int f = 0; f < length; ++f)
            pictures[size_t(25 + f)] = Picture(W * H, 250);
        // A flash ending in a cut: the frame after it begins the next shot.
        for (int f = 0; f < length; ++f)
            pictures[size_t(60 - length + f)] = Picture(W * H, 5);
        const MotionAnalyzer a = analyse(pictures);
        CHECK(a.motion()[25] > 0.3f);
        CHECK(a.cuts() == std::vector<int64_t>{60 - length, 60});
        CHECK(a.jerks().empty());
    }
}

TEST_CASE("a frozen frame and a skipped frame within motion are jerks; the catching up is not", "[MotionAnalyzer]")
{
    std::vector<Picture> pictures;
    for (int f = 0; f < 80; ++f) {
        // Frame 20 repeats 19 and 21 catches up with two steps; from frame 40 on each shows the
        // picture after its own (the one for 40 is dropped); frame 60 repeats 59.
        const int shown = f == 20 ? 19 : f == 60 ? 60 : f >= 40 ? f + 1 : f;
        pictures.push_back(texture(3, shown * 1.0));
    }
    const MotionAnalyzer a = analyse(pictures);
    CHECK(a.jerks() == std::vector<int64_t>{20, 40, 60});
    CHECK(a.cuts().empty());
}

TEST_CASE("a still picture's noise, a stop of motion and an uneven step are no jerks", "[MotionAnalyzer]")
{
    std::vector<Picture> pictures;
    for (int f = 0; f < 60; ++f) {
        // Frame 15 moves 0.6 of a step and 16 catches up with 1.4: uneven, not frozen or skipped.
        Picture p = texture(0, f == 15 ? 14 * 1.5 + 0.9 : f < 30 ? f * 1.5 : 45.0);
        p[size_t(f * 7) % p.size()] ^= 1; // a little noise
        pictures.push_back(p);
    }
    const MotionAnalyzer a = analyse(pictures);
    CHECK(a.jerks().empty());
    CHECK(a.cuts().empty());
}

TEST_CASE("pictures of another size are refused with a clear message; push after finish is ignored", "[MotionAnalyzer]")
{
    MotionAnalyzer a;
    const Picture p(W * H, 9);
    a.push(p.data(), W, H);
    try {
        a.push(p.data(), H, W);
        FAIL("a picture of another size was taken");
    } catch (const MediaError& e) {
        CHECK(e.code() == ErrorCode::InvalidValue);
        CHECK(std::string(e.what()) == "motion frame 1 is 36x64 pixels, the ones before 64x36");
    }
    a.finish();
    a.push(p.data(), W, H);
    CHECK(a.frames() == 1);
}
