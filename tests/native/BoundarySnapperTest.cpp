// SPDX-License-Identifier: MIT
#include "BoundarySnapper.h"
#include "GeneratedSpeech.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace avseg;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kRate = 48000;

// Stereo whose channels' mean is cos(phi) sin(2 pi 100 t + 0.3 samples): neither channel crosses
// zero where the mean does, at every 240th frame (the pair (240k - 1, 240k), 240k nearer zero).
test::MemoryPcm crossings(size_t frames)
{
    std::vector<float> left(frames), right(frames);
    for (size_t i = 0; i < frames; ++i) {
        const double theta = 2 * kPi * 100 * (double(i) + 0.3) / kRate;
        left[i] = float(0.5 * std::sin(theta + 0.5));
        right[i] = float(0.5 * std::sin(theta - 0.5));
    }
    return test::MemoryPcm(kRate, {left, right});
}

} // namespace

TEST_CASE("a boundary snaps to the nearest pause edge within the radius", "[BoundarySnapper]")
{
    const std::vector<Pause> pauses = {{1000, 5000, -90}, {9000, 12000, -90}};
    SnapResult r = snapBoundary(5300, 500, SnapPauseEdge, pauses, nullptr, nullptr);
    CHECK(r.kind == SnapPauseEdge);
    CHECK(r.frame == 5000);
    r = snapBoundary(8000, 1000, SnapPauseEdge, pauses, nullptr, nullptr);
    CHECK(r.frame == 9000);
    // Exactly at the radius is in reach; one frame further is not.
    CHECK(snapBoundary(8000, 1000, SnapPauseEdge, pauses, nullptr, nullptr).kind == SnapPauseEdge);
    r = snapBoundary(7999, 1000, SnapPauseEdge, pauses, nullptr, nullptr);
    CHECK(r.kind == SnapNone);
    CHECK(r.frame == 7999);
    // Not asked for: no snapping even on an edge.
    CHECK(snapBoundary(5000, 500, SnapZeroCrossing, pauses, nullptr, nullptr).kind == SnapNone);
}

TEST_CASE("a boundary snaps to the nearest zero crossing of the channels' mean", "[BoundarySnapper]")
{
    test::MemoryPcm pcm = crossings(kRate);
    SnapResult r = snapBoundary(2450, 100, SnapZeroCrossing, {}, nullptr, &pcm);
    CHECK(r.kind == SnapZeroCrossing);
    CHECK(r.frame == 2400);
    r = snapBoundary(2550, 100, SnapZeroCrossing, {}, nullptr, &pcm);
    CHECK(r.frame == 2640);
    // No crossing between 2500 and 2600.
    r = snapBoundary(2550, 50, SnapZeroCrossing, {}, nullptr, &pcm);
    CHECK(r.kind == SnapNone);
    CHECK(r.frame == 2550);
    // Without pcm there is nothing to read.
    CHECK(snapBoundary(2450, 100, SnapZeroCrossing, {}, nullptr, nullptr).kind == SnapNone);
}

TEST_CASE("a boundary snaps to the quietest point of the envelope within the radius", "[BoundarySnapper]")
{
    // A 1 kHz tone whose amplitude falls linearly to nothing at frame 10000 and rises again.
    std::vector<float> s(40000);
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = float(std::min(1.0, std::abs(double(i) - 10000) / 4000) * 0.5 * std::sin(2 * kPi * 1000 * double(i) / kRate));
    test::MemoryPcm pcm(kRate, {s});
    EnergyEnvelope envelope;
    pcm.feed(envelope);

    SnapResult r = snapBoundary(10700, 1000, SnapEnergyMinimum, {}, &envelope, &pcm);
    CHECK(r.kind == SnapEnergyMinimum);
    CHECK(r.frame == Approx(10000).margin(2));
    // Without pcm, the middle of the quietest block.
    r = snapBoundary(10700, 1000, SnapEnergyMinimum, {}, &envelope, nullptr);
    CHECK(r.frame == Approx(10000).margin(24));
    // Out of reach of the dip, the quietest point is the reach's edge nearest to it.
    r = snapBoundary(13000, 1000, SnapEnergyMinimum, {}, &envelope, &pcm);
    CHECK(r.frame >= 12000);
    CHECK(r.frame <= 12024);
}

TEST_CASE("with several kinds asked the nearest candidate wins and nothing in reach leaves the frame", "[BoundarySnapper]")
{
    test::MemoryPcm pcm = crossings(kRate);
    EnergyEnvelope envelope;
    pcm.feed(envelope);
    const std::vector<Pause> pauses = {{2430, 3000, -90}};
    const unsigned all = SnapPauseEdge | SnapEnergyMinimum | SnapZeroCrossing;
    // 2425: the pause edge (5 away) beats the crossing at 2400 (25 away).
    SnapResult r = snapBoundary(2425, 200, all, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapPauseEdge);
    CHECK(r.frame == 2430);
    // 2405: the crossing (5 away) beats the edge (25 away).
    r = snapBoundary(2405, 200, SnapPauseEdge | SnapZeroCrossing, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapZeroCrossing);
    CHECK(r.frame == 2400);
    // Radius 0: only a candidate exactly there.
    CHECK(snapBoundary(2400, 0, all, pauses, &envelope, &pcm).frame == 2400);
    r = snapBoundary(2401, 0, SnapPauseEdge | SnapZeroCrossing, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapNone);
    CHECK(r.frame == 2401);
    // Past the end of the medium nothing is in reach.
    r = snapBoundary(kRate + 5000, 1000, all, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapNone);
    CHECK(r.frame == kRate + 5000);
}

TEST_CASE("in espeak-ng speech a boundary dropped near a pause lands on its edge, or on a zero crossing",
    "[BoundarySnapper]")
{
    test::TempDir dir;
    test::speak(dir, dir / "a.wav", "en-us", "Snap to the pause", "1%");
    test::speak(dir, dir / "b.wav", "en-gb", "then carry on", "1%");
    std::vector<float> s = test::readSamples(dir, dir / "a.wav");
    const int64_t silenceStart = int64_t(s.size());
    s.resize(s.size() + kRate / 2, 0.0f);
    const int64_t silenceEnd = int64_t(s.size());
    const std::vector<float> b = test::readSamples(dir, dir / "b.wav");
    s.insert(s.end(), b.begin(), b.end());
    test::MemoryPcm pcm(kRate, {s});
    EnergyEnvelope envelope;
    pcm.feed(envelope);
    const std::vector<Pause> pauses = detectPauses(envelope, PauseOptions{}, &pcm);

    const int64_t radius = kRate / 20;   // 50 ms
    SnapResult r = snapBoundary(silenceStart - kRate * 3 / 100, radius, SnapPauseEdge, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapPauseEdge);
    CHECK(r.frame == silenceStart);
    r = snapBoundary(silenceEnd + kRate * 3 / 100, radius, SnapPauseEdge, pauses, &envelope, &pcm);
    CHECK(r.frame == silenceEnd);

    // Inside a word: the snapped frame is next to a sign change and nearer zero than its partner.
    const int64_t inWord = silenceEnd + kRate / 5;
    r = snapBoundary(inWord, radius, SnapZeroCrossing, pauses, &envelope, &pcm);
    REQUIRE(r.kind == SnapZeroCrossing);
    CHECK(std::abs(r.frame - inWord) <= radius);
    const float here = s[size_t(r.frame)];
    const float before = s[size_t(r.frame - 1)], after = s[size_t(r.frame + 1)];
    const bool crossesBefore = (before < 0) != (here < 0) && std::abs(here) <= std::abs(before);
    const bool crossesAfter = (after < 0) != (here < 0) && std::abs(here) <= std::abs(after);
    CHECK((here == 0 || crossesBefore || crossesAfter));
}
