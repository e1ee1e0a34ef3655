// SPDX-License-Identifier: MIT
// EBU Tech 3341 (2016, Table 1) and Tech 3342 (2016, Table 1) minimum-requirement signals,
// generated here as the documents describe them: 1 kHz sines, the level in dBFS being each
// channel's peak, at 48 kHz and again at 44.1 kHz.
#include "LoudnessMeter.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace avseg;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kTolerance = 0.1;   // LU, Tech 3341's for these cases

struct Tone {
    double dbfs;      // peak level of the sine; below -200: digital silence
    double seconds;
};

// Feeds `tones` one after the other, each channel scaled by `gains` (dB), a continuous 1 kHz phase.
LoudnessMeter measure(int rate, const std::vector<Tone>& tones, const std::vector<double>& gains = {0, 0})
{
    LoudnessMeter meter;
    const int channels = int(gains.size());
    meter.start({rate, channels});
    std::vector<std::vector<float>> planes(size_t(channels), std::vector<float>(4096));
    std::vector<const float*> pointers;
    for (const auto& p : planes)
        pointers.push_back(p.data());
    int64_t n = 0;
    for (const Tone& tone : tones) {
        const int64_t frames = std::llround(tone.seconds * rate);
        std::vector<double> amplitude;
        for (double gain : gains)
            amplitude.push_back(tone.dbfs < -200 ? 0.0 : std::pow(10.0, (tone.dbfs + gain) / 20));
        for (int64_t done = 0; done < frames;) {
            const int64_t count = std::min<int64_t>(4096, frames - done);
            for (int64_t i = 0; i < count; ++i) {
                const double s = std::sin(2 * kPi * 1000.0 * double(n + i) / rate);
                for (int c = 0; c < channels; ++c)
                    planes[size_t(c)][size_t(i)] = float(s * amplitude[size_t(c)]);
            }
            meter.process(pointers.data(), size_t(count));
            n += count;
            done += count;
        }
    }
    meter.done();
    return meter;
}

std::vector<Tone> repeat(int times, std::vector<Tone> pattern)
{
    std::vector<Tone> out;
    for (int i = 0; i < times; ++i)
        out.insert(out.end(), pattern.begin(), pattern.end());
    return out;
}

} // namespace

TEST_CASE("K-weighting derived for 48 kHz gives BS.1770-4's coefficients", "[LoudnessMeter]")
{
    const auto f = LoudnessMeter::kWeighting(48000);
    // BS.1770-4 Table 1 (pre-filter) and Table 2 (RLB), printed to 14 decimals.
    CHECK(f[0].b0 == Approx(1.53512485958697).margin(1e-9));
    CHECK(f[0].b1 == Approx(-2.69169618940638).margin(1e-9));
    CHECK(f[0].b2 == Approx(1.19839281085285).margin(1e-9));
    CHECK(f[0].a1 == Approx(-1.69065929318241).margin(1e-9));
    CHECK(f[0].a2 == Approx(0.73248077421585).margin(1e-9));
    CHECK(f[1].b0 == 1.0);
    CHECK(f[1].b1 == -2.0);
    CHECK(f[1].b2 == 1.0);
    CHECK(f[1].a1 == Approx(-1.99004745483398).margin(1e-9));
    CHECK(f[1].a2 == Approx(0.99007225036621).margin(1e-9));
}

TEST_CASE("EBU Tech 3341 cases 1-6: integrated, momentary and short-term loudness within 0.1 LU", "[LoudnessMeter]")
{
    for (int rate : {48000, 44100}) {
        INFO(rate << " Hz");
        {
            // Case 1 and 2: 20 s at -23 and -33 dBFS; M, S and I read the level.
            for (double level : {-23.0, -33.0}) {
                const LoudnessMeter m = measure(rate, {{level, 20}});
                CHECK(m.integrated() == Approx(level).margin(kTolerance));
                CHECK(m.momentary().back() == Approx(level).margin(kTolerance));
                CHECK(m.shortTerm().back() == Approx(level).margin(kTolerance));
                CHECK(m.momentary().size() == 200);
                std::printf("Tech 3341 case %d at %d Hz: I %.3f LUFS\n", level == -23 ? 1 : 2, rate, m.integrated());
            }
        }
        // Case 3 and 4: the relative and absolute gates keep out the quieter parts.
        const LoudnessMeter c3 = measure(rate, {{-36, 10}, {-23, 60}, {-36, 10}});
        CHECK(c3.integrated() == Approx(-23).margin(kTolerance));
        const LoudnessMeter c4 = measure(rate, {{-72, 10}, {-36, 10}, {-23, 60}, {-36, 10}, {-72, 10}});
        CHECK(c4.integrated() == Approx(-23).margin(kTolerance));
        // Case 5: gated blocks of -26 and -20 dBFS average to -23.
        const LoudnessMeter c5 = measure(rate, {{-26, 20}, {-20, 20.1}, {-26, 20}});
        CHECK(c5.integrated() == Approx(-23).margin(kTolerance));
        // Case 6: 5.0, L and R at -28, C at -24, Ls and Rs at -30 dBFS; the surrounds weigh 1.41.
        const LoudnessMeter c6 = measure(rate, {{0, 20}}, {-28, -28, -24, -30, -30});
        CHECK(c6.integrated() == Approx(-23).margin(kTolerance));
        // The same in 5.1 (L R C LFE Ls Rs) with a loud LFE, which does not count.
        const LoudnessMeter c6lfe = measure(rate, {{0, 20}}, {-28, -28, -24, -10, -30, -30});
        CHECK(c6lfe.integrated() == Approx(-23).margin(kTolerance));
        std::printf("Tech 3341 cases 3-6 at %d Hz: I %.3f, %.3f, %.3f, %.3f (5.1: %.3f) LUFS\n", rate, c3.integrated(),
            c4.integrated(), c5.integrated(), c6.integrated(), c6lfe.integrated());
    }
}

TEST_CASE("EBU Tech 3341 case 9: short-term loudness constant at -23 LUFS after 3 s", "[LoudnessMeter]")
{
    for (int rate : {48000, 44100}) {
        INFO(rate << " Hz");
        const LoudnessMeter m = measure(rate, repeat(5, {{-20, 1.34}, {-30, 1.66}}));
        REQUIRE(m.shortTerm().size() == 150);
        double worst = 0;
        for (size_t i = 29; i < m.shortTerm().size(); ++i) {
            INFO("short-term value " << i);
            CHECK(m.shortTerm()[i] == Approx(-23).margin(kTolerance));
            worst = std::max(worst, std::abs(m.shortTerm()[i] + 23.0));
        }
        std::printf("Tech 3341 case 9 at %d Hz: short-term within %.3f LU of -23\n", rate, worst);
    }
}

TEST_CASE("EBU Tech 3341 case 10: the maximum short-term loudness of a 3 s tone is -23 LUFS wherever it starts",
    "[LoudnessMeter]")
{
    // 20 signals: i * 0.15 s of silence, 3 s at -23 dBFS, 1 s of silence. On the 100 ms grid a tone
    // starting between two steps is read at most 50 ms short: 10 log10(2.95 / 3) = -0.07 LU.
    for (int rate : {48000, 44100}) {
        double worst = 0;
        for (int i = 0; i < 20; ++i) {
            INFO(rate << " Hz, signal " << i + 1);
            const LoudnessMeter m = measure(rate, {{-999, 0.15 * i}, {-23, 3}, {-999, 1}});
            const double top = *std::max_element(m.shortTerm().begin(), m.shortTerm().end());
            CHECK(top == Approx(-23).margin(kTolerance));
            CHECK(m.maxShortTerm() == Approx(-23).margin(kTolerance));
            worst = std::max({worst, std::abs(top + 23), std::abs(m.maxShortTerm() + 23)});
        }
        std::printf("Tech 3341 case 10 at %d Hz: max short-term within %.3f LU of -23\n", rate, worst);
    }
}

TEST_CASE("the maximum momentary loudness of a 0.4 s burst at -23 dBFS reads -23 LUFS wherever it starts",
    "[LoudnessMeter]")
{
    // The kind of signal of Tech 3341 case 13 (max M within 0.1 LU however the burst lies against
    // the meter's steps), here at 20 offsets 5 ms apart. The 100 ms values alone would read such a
    // burst up to 0.58 LU low; the maximum is followed every 10 ms.
    for (int rate : {48000, 44100}) {
        double worst = 0, gridWorst = 0;
        for (int i = 0; i < 20; ++i) {
            INFO(rate << " Hz, offset " << 5 * i << " ms");
            const LoudnessMeter m = measure(rate, {{-999, 0.5 + 0.005 * i}, {-23, 0.4}, {-999, 0.6}});
            CHECK(m.maxMomentary() == Approx(-23).margin(kTolerance));
            worst = std::max(worst, std::abs(m.maxMomentary() + 23));
            gridWorst = std::max(gridWorst, std::abs(double(*std::max_element(m.momentary().begin(), m.momentary().end())) + 23));
        }
        std::printf("0.4 s bursts at %d Hz: max momentary within %.3f LU of -23 (the 100 ms values alone: %.3f)\n",
            rate, worst, gridWorst);
    }
}

TEST_CASE("EBU Tech 3341 case 12: momentary loudness constant at -23 LUFS after 1 s", "[LoudnessMeter]")
{
    for (int rate : {48000, 44100}) {
        INFO(rate << " Hz");
        const LoudnessMeter m = measure(rate, repeat(25, {{-20, 0.18}, {-30, 0.22}}));
        REQUIRE(m.momentary().size() == 100);
        double worst = 0;
        for (size_t i = 9; i < m.momentary().size(); ++i) {
            INFO("momentary value " << i);
            CHECK(m.momentary()[i] == Approx(-23).margin(kTolerance));
            worst = std::max(worst, std::abs(m.momentary()[i] + 23.0));
        }
        std::printf("Tech 3341 case 12 at %d Hz: momentary within %.3f LU of -23\n", rate, worst);
    }
}

TEST_CASE("EBU Tech 3342 cases 1-4: loudness range within 1 LU", "[LoudnessMeter]")
{
    struct Case {
        std::vector<Tone> tones;
        double lra;
    };
    const Case cases[] = {
        {{{-20, 20}, {-30, 20}}, 10},
        {{{-20, 20}, {-15, 20}}, 5},
        {{{-40, 20}, {-20, 20}}, 20},
        {{{-50, 20}, {-35, 20}, {-20, 20}, {-35, 20}, {-50, 20}}, 15},
    };
    for (int rate : {48000, 44100})
        for (size_t i = 0; i < std::size(cases); ++i) {
            const double lra = measure(rate, cases[i].tones).range();
            INFO("case " << i + 1 << " at " << rate << " Hz");
            CHECK(lra == Approx(cases[i].lra).margin(1.0));
            std::printf("Tech 3342 case %zu at %d Hz: LRA %.3f LU (expected %.0f)\n", i + 1, rate, lra, cases[i].lra);
        }
}

TEST_CASE("silence reads the floor and passes no gate", "[LoudnessMeter]")
{
    const LoudnessMeter m = measure(48000, {{-999, 5}});
    CHECK(m.momentary().back() == LoudnessMeter::kSilenceLufs);
    CHECK(m.integrated() == LoudnessMeter::kSilenceLufs);
    CHECK(m.range() == 0);
    CHECK(m.jumps().empty());
}

TEST_CASE("a sudden rise or fall of momentary loudness is flagged once, where it happens", "[LoudnessMeter]")
{
    const int rate = 48000;
    // -30 dBFS, up to -15 at 5 s, back to -30 at 9 s; then a slow fade of 1 LU per 100 ms.
    std::vector<Tone> tones = {{-30, 5}, {-15, 4}, {-30, 3}};
    for (int i = 1; i <= 15; ++i)
        tones.push_back({-30 + i * 1.0, 0.1});
    const LoudnessMeter m = measure(rate, tones);
    const std::vector<LoudnessJump> jumps = m.jumps(10, 0.4);
    REQUIRE(jumps.size() == 2);
    CHECK(jumps[0].frame == Approx(5.0 * rate).margin(rate / 20));
    CHECK(jumps[0].fromLufs == Approx(-30).margin(0.2));
    CHECK(jumps[0].toLufs == Approx(-15).margin(0.2));
    CHECK(jumps[1].frame == Approx(9.0 * rate).margin(rate / 20));
    CHECK(jumps[1].toLufs == Approx(-30).margin(0.2));
    // A larger threshold sees none; a 1.5 s window sees the fade too (15 LU in 1.5 s).
    CHECK(m.jumps(16, 0.4).empty());
    CHECK(m.jumps(10, 1.5).size() == 3);

    // From silence, sound is an onset (a pause's edge), not a jump.
    CHECK(measure(rate, {{-999, 3}, {-20, 3}}).jumps().empty());
}

TEST_CASE("loudness throughput (printed)", "[LoudnessMeter]")
{
    const int rate = 48000;
    std::vector<std::vector<float>> planes(2, std::vector<float>(size_t(rate)));
    for (size_t i = 0; i < planes[0].size(); ++i)
        planes[0][i] = planes[1][i] = float(0.1 * std::sin(double(i) * 0.13) + 0.05 * std::sin(double(i) * 0.0071));
    const float* pointers[] = {planes[0].data(), planes[1].data()};
    LoudnessMeter meter;
    meter.start({rate, 2});
    const int seconds = 600;
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < seconds; ++s)
        meter.process(pointers, size_t(rate));
    meter.done();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("LoudnessMeter: 10 min of 48 kHz stereo in %.3f s (%.0fx real time, %.1f s per hour); %zu bytes\n",
        took, seconds / took, took * 3600 / seconds, meter.memoryBytes());
    CHECK(meter.momentary().size() == size_t(seconds) * 10);
}
