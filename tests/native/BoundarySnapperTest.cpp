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

// A 100 Hz sine at 0.5 whose crossings fall between frames 240k - 1 and 240k (240k nearer zero),
// and with it a quieter channel (0.3 cos) that would move the crossings of the channels' mean.
test::MemoryPcm crossings(size_t frames)
{
    std::vector<float> left(frames), right(frames);
    for (size_t i = 0; i < frames; ++i) {
        const double theta = 2 * kPi * 100 * (double(i) + 0.3) / kRate;
        left[i] = float(0.5 * std::sin(theta));
        right[i] = float(0.3 * std::cos(theta));
    }
    return test::MemoryPcm(kRate, {left, right});
}

// Zeros up to `onset`, then a 100 Hz sine whose first sample is just above zero.
std::vector<float> silenceThenSine(size_t frames, size_t onset)
{
    std::vector<float> s(frames, 0.0f);
    for (size_t i = onset; i < frames; ++i)
        s[i] = float(0.5 * std::sin(2 * kPi * 100 * (double(i - onset) + 0.3) / kRate));
    return s;
}

const unsigned kDefaultKinds = SnapPauseEdge | SnapEnergyMinimum | SnapZeroCrossing;

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

TEST_CASE("a boundary snaps to the nearest zero crossing of the loudest channel", "[BoundarySnapper]")
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

    // A polarity-inverted copy: the channels' mean is zero everywhere, the crossings are the sine's.
    std::vector<float> inverted(pcm.plane(0));
    for (float& v : inverted)
        v = -v;
    test::MemoryPcm opposite(kRate, {pcm.plane(0), inverted});
    r = snapBoundary(2450, 100, SnapZeroCrossing, {}, nullptr, &opposite);
    CHECK(r.kind == SnapZeroCrossing);
    CHECK(r.frame == 2400);
}

TEST_CASE("in digital silence there is no zero crossing, only at the edge of the zeros next to sound", "[BoundarySnapper]")
{
    test::MemoryPcm pcm(kRate, {silenceThenSine(kRate, 2000)});
    SnapResult r = snapBoundary(1500, 100, SnapZeroCrossing, {}, nullptr, &pcm);
    CHECK(r.kind == SnapNone);
    CHECK(r.frame == 1500);
    // The last zero before the sound.
    r = snapBoundary(1950, 100, SnapZeroCrossing, {}, nullptr, &pcm);
    CHECK(r.kind == SnapZeroCrossing);
    CHECK(r.frame == 1999);
    // With the quietest point asked too, a boundary in silence stays where it was dropped.
    EnergyEnvelope envelope;
    pcm.feed(envelope);
    r = snapBoundary(1500, 100, SnapEnergyMinimum | SnapZeroCrossing, {}, &envelope, &pcm);
    CHECK(r.kind == SnapEnergyMinimum);
    CHECK(r.frame == 1500);
}

TEST_CASE("a boundary snaps to the quietest point of the envelope within the radius", "[BoundarySnapper]")
{
    // A 1 kHz tone whose amplitude falls linearly to nothing at frame 10000 and rises again.
    std::vector<float> s(40000);
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = float(std::min(1.0, std::abs(double(i) - 10000.5) / 4000) * 0.5 * std::sin(2 * kPi * 1000 * double(i) / kRate));
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

TEST_CASE("kinds rank: a pause edge in reach wins, else the quietest point fine-tuned to a zero crossing", "[BoundarySnapper]")
{
    test::MemoryPcm pcm = crossings(kRate);
    EnergyEnvelope envelope;
    pcm.feed(envelope);
    const std::vector<Pause> pauses = {{2430, 3000, -90}};
    // The crossing at 2400 is 5 frames away, the pause edge 25: the edge wins, exactly.
    SnapResult r = snapBoundary(2405, 200, SnapPauseEdge | SnapZeroCrossing, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapPauseEdge);
    CHECK(r.frame == 2430);
    r = snapBoundary(2405, 200, kDefaultKinds, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapPauseEdge);
    CHECK(r.frame == 2430);
    // Radius 0: only a candidate exactly there.
    CHECK(snapBoundary(2430, 0, kDefaultKinds, pauses, &envelope, &pcm).kind == SnapPauseEdge);
    r = snapBoundary(2401, 0, SnapPauseEdge | SnapZeroCrossing, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapNone);
    CHECK(r.frame == 2401);
    // Past the end of the medium nothing is in reach.
    r = snapBoundary(kRate + 5000, 1000, kDefaultKinds, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapNone);
    CHECK(r.frame == kRate + 5000);

    // A 1 kHz tone (crossings between 24k - 1 and 24k, 24k nearer) whose amplitude falls to nothing
    // between frames 10000 and 10001: the quietest point is there, and the nearest crossing within 1 ms of it is
    // 10008; asked alone from 10700, the nearest crossing is 10704.
    std::vector<float> s(40000);
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = float(std::min(1.0, std::abs(double(i) - 10000.5) / 4000) * 0.5
            * std::sin(2 * kPi * 1000 * (double(i) + 0.3) / kRate));
    test::MemoryPcm dip(kRate, {s});
    EnergyEnvelope dipEnvelope;
    dip.feed(dipEnvelope);
    r = snapBoundary(10700, 1000, SnapEnergyMinimum, {}, &dipEnvelope, &dip);
    CHECK(r.frame == Approx(10000).margin(2));
    r = snapBoundary(10700, 1000, SnapEnergyMinimum | SnapZeroCrossing, {}, &dipEnvelope, &dip);
    CHECK(r.kind == SnapEnergyMinimum);
    CHECK(r.frame == 10008);
    r = snapBoundary(10700, 1000, SnapZeroCrossing, {}, &dipEnvelope, &dip);
    CHECK(r.kind == SnapZeroCrossing);
    CHECK(r.frame == 10704);
}

TEST_CASE("in espeak-ng speech a boundary dropped near a pause lands exactly on its edge with the default kinds",
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

    // The config's default reach, 20 ms; dropped 5 and 10 ms either side of each edge, in the speech
    // or in the digital silence of the pause.
    const int64_t radius = kRate / 50;
    for (int64_t edge : {silenceStart, silenceEnd})
        for (int64_t ms : {-10, -5, 5, 10}) {
            const int64_t dropped = edge + ms * kRate / 1000;
            INFO("edge " << edge << ", dropped " << ms << " ms from it");
            const SnapResult r = snapBoundary(dropped, radius, kDefaultKinds, pauses, &envelope, &pcm);
            CHECK(r.kind == SnapPauseEdge);
            CHECK(r.frame == edge);
        }

    // Deep in the silence, out of reach of both edges: nothing to prefer, the boundary stays; zero
    // crossings alone find none.
    const int64_t inSilence = (silenceStart + silenceEnd) / 2;
    SnapResult r = snapBoundary(inSilence, radius, kDefaultKinds, pauses, &envelope, &pcm);
    CHECK(r.frame == inSilence);
    r = snapBoundary(inSilence, radius, SnapZeroCrossing, pauses, &envelope, &pcm);
    CHECK(r.kind == SnapNone);

    // Inside a word: the quietest point within reach, at a sign change, nearer zero than its partner.
    const int64_t inWord = silenceEnd + kRate / 5;
    for (unsigned kinds : {unsigned(SnapZeroCrossing), kDefaultKinds}) {
        INFO("kinds " << kinds);
        r = snapBoundary(inWord, radius, kinds, pauses, &envelope, &pcm);
        REQUIRE(r.kind != SnapNone);
        CHECK(r.kind != SnapPauseEdge);
        CHECK(std::abs(r.frame - inWord) <= radius);
        const float here = s[size_t(r.frame)];
        const float before = s[size_t(r.frame - 1)], after = s[size_t(r.frame + 1)];
        const bool crossesBefore = before != 0 && (before < 0) != (here < 0) && std::abs(here) <= std::abs(before);
        const bool crossesAfter = after != 0 && (after < 0) != (here < 0) && std::abs(here) <= std::abs(after);
        CHECK((here == 0 || crossesBefore || crossesAfter));
    }
}
