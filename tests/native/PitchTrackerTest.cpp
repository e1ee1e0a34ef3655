// SPDX-License-Identifier: MIT
#include "GeneratedSpeech.h"
#include "MediaError.h"
#include "PitchTracker.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <sstream>

using namespace avseg;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A tone whose phase is the integral of an exact instantaneous frequency: harmonics 1 ..
// `harmonics` (while under 0.45 x the rate) with amplitudes `weight(k)`.
std::vector<float> tone(int rate, double seconds, const std::function<double(double)>& phaseCycles,
    const std::function<double(int)>& weight, double maxHz)
{
    std::vector<float> s(size_t(seconds * rate));
    double norm = 0;
    for (int k = 1; k * maxHz < 0.45 * rate; ++k)
        norm += std::abs(weight(k));
    for (size_t i = 0; i < s.size(); ++i) {
        const double phase = 2 * kPi * phaseCycles(double(i) / rate);
        double v = 0;
        for (int k = 1; k * maxHz < 0.45 * rate; ++k)
            v += weight(k) * std::sin(k * phase);
        s[i] = static_cast<float>(0.5 * v / norm);
    }
    return s;
}

double sine(int k)
{
    return k == 1 ? 1 : 0;
}

double sawtooth(int k)
{
    return 1.0 / k;
}

// Equal harmonics: a band-limited pulse train.
double pulses(int)
{
    return 1;
}

PitchTrack trackAll(const std::vector<std::vector<float>>& planes, int rate, PitchOptions options = {})
{
    test::MemoryPcm pcm(rate, planes);
    PitchTracker tracker(rate, options);
    return tracker.track(pcm, 0, pcm.frames());
}

double centreSeconds(const PitchTrack& t, size_t i, int rate)
{
    return double((t.firstIndex + int64_t(i)) * t.hop) / rate;
}

// Every point whose window lies inside the signal is voiced and within 1% of truth(t).
void requireWithinOnePercent(const char* what, const PitchTrack& t, int rate, double seconds,
    const std::function<double(double)>& truth, double edge = 0.03)
{
    double worst = 0;
    size_t checked = 0;
    for (size_t i = 0; i < t.hz.size(); ++i) {
        const double at = centreSeconds(t, i, rate);
        if (at < edge || at > seconds - edge)
            continue;
        INFO(what << " at " << at << " s: " << t.hz[i] << " Hz, truth " << truth(at) << " Hz");
        REQUIRE(t.hz[i] > 0);
        worst = std::max(worst, std::abs(t.hz[i] / truth(at) - 1));
        ++checked;
    }
    std::printf("%s: %zu points, worst relative error %.4f%%\n", what, checked, 100 * worst);
    REQUIRE(checked > 0);
    REQUIRE(worst < 0.01);
}

} // namespace

TEST_CASE("sines, sawtooths and pulse trains are tracked within 1% at every point", "[PitchTracker]")
{
    const std::pair<const char*, double (*)(int)> shapes[] = {{"sine", sine}, {"sawtooth", sawtooth}, {"pulses", pulses}};
    for (int rate : {8000, 16000, 22050, 44100, 48000}) {
        for (double f0 : {55.0, 110.0, 233.0, 440.0, 780.0}) {
            for (const auto& [name, weight] : shapes) {
                const double seconds = 0.4;
                const auto s = tone(rate, seconds, [f0](double t) { return f0 * t; }, weight, f0);
                const std::string what = std::string(name) + " " + std::to_string(int(f0)) + " Hz at " + std::to_string(rate);
                requireWithinOnePercent(what.c_str(), trackAll({s}, rate), rate, seconds, [f0](double) { return f0; });
            }
        }
    }
}

TEST_CASE("glides are tracked within 1% of their instantaneous frequency at every point", "[PitchTracker]")
{
    const double seconds = 1.0;
    // Linear 100 -> 300 Hz: f(t) = 100 + 200 t, phase = 100 t + 100 t^2 cycles.
    const auto linear = [](double t) { return 100 * t + 100 * t * t; };
    const auto linearHz = [](double t) { return 100 + 200 * t; };
    // Exponential 400 -> 100 Hz: f(t) = 400 * 4^-t, phase = 400 (1 - 4^-t) / ln 4 cycles.
    const auto falling = [](double t) { return 400 * (1 - std::pow(4.0, -t)) / std::log(4.0); };
    const auto fallingHz = [](double t) { return 400 * std::pow(4.0, -t); };
    // Linear 150 -> 250 Hz.
    const auto slow = [](double t) { return 150 * t + 50 * t * t; };
    const auto slowHz = [](double t) { return 150 + 100 * t; };
    for (int rate : {16000, 44100}) {
        requireWithinOnePercent("linear sine glide 100-300 Hz", trackAll({tone(rate, seconds, linear, sine, 300)}, rate),
            rate, seconds, linearHz);
        requireWithinOnePercent("linear sawtooth glide 100-300 Hz",
            trackAll({tone(rate, seconds, linear, sawtooth, 300)}, rate), rate, seconds, linearHz);
        requireWithinOnePercent("exponential sawtooth glide 400-100 Hz",
            trackAll({tone(rate, seconds, falling, sawtooth, 400)}, rate), rate, seconds, fallingHz);
        requireWithinOnePercent("linear sawtooth glide 150-250 Hz", trackAll({tone(rate, seconds, slow, sawtooth, 250)}, rate),
            rate, seconds, slowHz);
    }
}

TEST_CASE("the channels' mean is tracked: a tone in both channels with opposite noise", "[PitchTracker]")
{
    const int rate = 44100;
    const double seconds = 0.5;
    const auto s = tone(rate, seconds, [](double t) { return 150 * t; }, sawtooth, 150);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    std::vector<float> left(s), right(s);
    for (size_t i = 0; i < s.size(); ++i) {
        const float n = u(rng);
        left[i] += n;
        right[i] -= n;
    }
    // Either channel alone is mostly noise.
    const PitchTrack one = trackAll({left}, rate);
    const auto voiced = std::count_if(one.hz.begin(), one.hz.end(), [](float hz) { return hz > 0; });
    CHECK(voiced < long(one.hz.size() / 2));
    requireWithinOnePercent("stereo mean", trackAll({left, right}, rate), rate, seconds, [](double) { return 150.0; });
}

TEST_CASE("espeak-ng speech in stereo with one channel inverted by sox tracks as the mono", "[PitchTracker]")
{
    test::TempDir dir;
    test::speak(dir, dir / "mono.wav", "en-us", "Where has the pitch of this voice gone?");
    const std::vector<float> mono = test::readSamples(dir, dir / "mono.wav");
    const std::vector<std::vector<float>> planes = test::invertedStereo(dir, dir / "mono.wav");
    const PitchTrack one = trackAll({mono}, 48000);
    const PitchTrack two = trackAll(planes, 48000);
    const auto voiced = std::count_if(one.hz.begin(), one.hz.end(), [](float hz) { return hz > 0; });
    std::printf("espeak-ng inverted stereo: %ld of %zu points voiced in the mono\n", long(voiced), one.hz.size());
    CHECK(voiced > long(one.hz.size() / 4));
    REQUIRE(two.hz.size() == one.hz.size());
    for (size_t i = 0; i < one.hz.size(); ++i) {
        INFO("point " << i);
        REQUIRE(two.hz[i] == Approx(one.hz[i]).epsilon(1e-6));
        REQUIRE(two.clarity[i] == Approx(one.clarity[i]).margin(1e-6));
    }
}

TEST_CASE("where the channels cancel the loudest channel is tracked, per 64-point block, and pieces still join exactly",
    "[PitchTracker]")
{
    const int rate = 44100;
    const std::vector<float> s = tone(rate, 1.2, [](double t) { return 120 * t + 80 * t * t; }, sawtooth, 400);
    // The right channel is inverted up to a block edge (64 points of 44 frames), the same after it:
    // the mean cancels in the first part, and is the signal itself in the second.
    const size_t flip = 10 * 64 * 44;
    std::vector<float> right(s);
    for (size_t i = 0; i < flip; ++i)
        right[i] = -right[i];
    test::MemoryPcm stereo(rate, {s, right});
    PitchTracker tracker(rate, {});
    const PitchTrack whole = tracker.track(stereo, 0, stereo.frames());
    // Away from the flip (whose neighbours' windows reach across it), exactly the mono's values.
    const PitchTrack mono = trackAll({s}, rate);
    REQUIRE(whole.hz.size() == mono.hz.size());
    size_t compared = 0;
    for (size_t i = 0; i < mono.hz.size(); ++i) {
        if (std::llabs(int64_t(i) * 44 - int64_t(flip)) < 3000)
            continue;
        INFO("point " << i);
        REQUIRE(whole.hz[i] == mono.hz[i]);
        REQUIRE(whole.clarity[i] == mono.clarity[i]);
        ++compared;
    }
    CHECK(compared > mono.hz.size() * 8 / 10);
    for (int64_t cut : {int64_t(1), int64_t(12345), int64_t(flip - 7), int64_t(flip + 44), stereo.frames() - 100}) {
        INFO("cut at frame " << cut);
        const PitchTrack a = tracker.track(stereo, 0, cut);
        const PitchTrack b = tracker.track(stereo, cut, stereo.frames() - cut);
        std::vector<float> hz(a.hz), clarity(a.clarity);
        hz.insert(hz.end(), b.hz.begin(), b.hz.end());
        clarity.insert(clarity.end(), b.clarity.begin(), b.clarity.end());
        REQUIRE(hz == whole.hz);
        REQUIRE(clarity == whole.clarity);
    }
    const PitchTrack window = tracker.track(stereo, int64_t(flip) - 3000, 9000);
    REQUIRE(std::equal(window.hz.begin(), window.hz.end(), whole.hz.begin() + window.firstIndex));
}

TEST_CASE("white noise and silence are unvoiced", "[PitchTracker]")
{
    const int rate = 48000;
    std::mt19937 rng(11);
    for (double level : {0.5, 0.05, 0.001}) {
        std::uniform_real_distribution<float> u(-float(level), float(level));
        std::vector<float> noise(static_cast<size_t>(rate));
        for (float& v : noise)
            v = u(rng);
        const PitchTrack t = trackAll({noise}, rate);
        const auto voiced = std::count_if(t.hz.begin(), t.hz.end(), [](float hz) { return hz > 0; });
        std::printf("white noise at %g: %ld of %zu points voiced\n", level, long(voiced), t.hz.size());
        CHECK(voiced == 0);
    }
    const PitchTrack quiet = trackAll({std::vector<float>(size_t(rate), 0.0f)}, rate);
    REQUIRE(quiet.hz.size() == 1000);
    for (size_t i = 0; i < quiet.hz.size(); ++i) {
        REQUIRE(quiet.hz[i] == 0);
        REQUIRE(quiet.clarity[i] == 0);
    }
}

TEST_CASE("points sit on a grid of whole hops, and pieces tracked separately join exactly", "[PitchTracker]")
{
    const int rate = 44100;
    // A glide, a pause, noise and a steady tone, so that every kind of point crosses the joins.
    std::vector<float> s = tone(rate, 0.6, [](double t) { return 120 * t + 80 * t * t; }, sawtooth, 300);
    s.resize(s.size() + size_t(rate / 5), 0.0f);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-0.2f, 0.2f);
    for (int i = 0; i < rate / 5; ++i)
        s.push_back(u(rng));
    const auto steady = tone(rate, 0.5, [](double t) { return 210 * t; }, pulses, 210);
    s.insert(s.end(), steady.begin(), steady.end());

    test::MemoryPcm pcm(rate, {s});
    PitchTracker tracker(rate, {});
    REQUIRE(tracker.hop() == 44);   // 1 ms rounded to whole frames
    const PitchTrack whole = tracker.track(pcm, 0, pcm.frames());
    REQUIRE(whole.firstIndex == 0);
    REQUIRE(whole.hz.size() == size_t((pcm.frames() + 43) / 44));
    for (int64_t cut : {int64_t(1), int64_t(4400), int64_t(12345), int64_t(26461), pcm.frames() / 2 + 17, pcm.frames() - 100}) {
        INFO("cut at frame " << cut);
        const PitchTrack a = tracker.track(pcm, 0, cut);
        const PitchTrack b = tracker.track(pcm, cut, pcm.frames() - cut);
        REQUIRE(b.firstIndex == (cut + 43) / 44);
        REQUIRE(a.hz.size() == size_t(b.firstIndex));
        std::vector<float> hz(a.hz), clarity(a.clarity);
        hz.insert(hz.end(), b.hz.begin(), b.hz.end());
        clarity.insert(clarity.end(), b.clarity.begin(), b.clarity.end());
        REQUIRE(hz == whole.hz);
        REQUIRE(clarity == whole.clarity);
    }
    // A window in the middle, as the element asks for the visible part.
    const PitchTrack window = tracker.track(pcm, 20000, 9000);
    REQUIRE(window.firstIndex == 455);
    REQUIRE(window.hz.size() == 205);
    REQUIRE(std::equal(window.hz.begin(), window.hz.end(), whole.hz.begin() + 455));
    const auto voiced = std::count_if(whole.hz.begin(), whole.hz.end(), [](float hz) { return hz > 0; });
    CHECK(voiced > long(whole.hz.size()) / 2);
}

TEST_CASE("options it cannot use are refused with the reason", "[PitchTracker]")
{
    auto refused = [](int rate, PitchOptions o) {
        try {
            PitchTracker t(rate, o);
        } catch (const MediaError& e) {
            CHECK(e.code() == ErrorCode::InvalidValue);
            return std::string(e.what());
        }
        return std::string();
    };
    PitchOptions o;
    o.floorHz = 300;
    o.ceilingHz = 200;
    CHECK_THAT(refused(16000, o), Catch::Contains("below the ceiling"));
    o = {};
    o.ceilingHz = 3000;
    CHECK_THAT(refused(8000, o), Catch::Contains("quarter of the sample rate"));
    o = {};
    o.hopSeconds = 0;
    CHECK_THAT(refused(8000, o), Catch::Contains("hop"));
    o = {};
    o.threshold = 1.5;
    CHECK_THAT(refused(8000, o), Catch::Contains("threshold"));
}

TEST_CASE("the speaker's range is 0.75 x the first quartile to 1.5 x the third, rounded to 10 Hz", "[PitchTracker]")
{
    PitchTrack t;
    t.hop = 48;
    // 100 .. 299 Hz once each, and unvoiced points that do not count.
    for (int i = 0; i < 200; ++i) {
        t.hz.push_back(float(100 + (i * 37) % 200));
        t.hz.push_back(0);
    }
    // Quartiles (type 7) 149.75 and 249.25: 112.3 -> 110, 373.9 -> 380.
    const PitchRange r = speakerRange(t, {50, 800});
    CHECK(r.floorHz == 110);
    CHECK(r.ceilingHz == 380);
    // Too little voiced (99 values): the fallback.
    t.hz.resize(198);
    const PitchRange few = speakerRange(t, {60, 700});
    CHECK(few.floorHz == 60);
    CHECK(few.ceilingHz == 700);
}

TEST_CASE("espeak-ng speech agrees with Praat's To Pitch (ac) where both hear voicing", "[PitchTracker][praat]")
{
    test::TempDir dir;
    const std::string script = dir / "pitch.praat";
    std::ofstream(script) << "form Pitch\n  sentence In\n  sentence Out\n  real Step\n  real Floor\n  real Ceiling\nendform\n"
                             "Read from file: in$\n"
                             "To Pitch (ac): step, floor, 15, \"no\", 0.03, 0.45, 0.01, 0.35, 0.14, ceiling\n"
                             "n = Get number of frames\nwriteFile: out$, \"\"\n"
                             "for i to n\n  t = Get time from frame number: i\n  f = Get value in frame: i, \"Hertz\"\n"
                             "  appendFileLine: out$, fixed$(t, 6), \" \", fixed$(f, 3)\nendfor\n";
    const int rate = 48000;
    struct Voice {
        const char* name;
        double floorHz, ceilingHz;
    };
    for (const Voice& voice : {Voice{"en", 60, 400}, Voice{"en+f3", 100, 600}}) {
        const std::string wav = dir / "speech.wav";
        test::speak(dir, wav, voice.name,
            "Where is the pause that is too long? The quick brown fox jumps over the lazy dog, "
            "and the voice jumps in loudness when the scene cuts.");
        const std::vector<float> samples = test::readSamples(dir, wav);
        PitchOptions options;
        options.floorHz = voice.floorHz;
        options.ceilingHz = voice.ceilingHz;
        const PitchTrack ours = trackAll({samples}, rate, options);

        const std::string out = dir / "praat.txt";
        test::shell("praat --run '" + script + "' '" + wav + "' '" + out + "' 0.001 " + std::to_string(voice.floorHz) + " "
            + std::to_string(voice.ceilingHz));
        std::ifstream in(out);
        std::string line;
        size_t both = 0, gross = 0, praatVoiced = 0, praatUnvoiced = 0, oursOnly = 0;
        std::vector<double> relative;
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            double t = 0;
            std::string value;
            fields >> t >> value;
            char* endp = nullptr;
            const double praat = std::strtod(value.c_str(), &endp);
            const auto i = static_cast<int64_t>(std::llround(t * rate / ours.hop)) - ours.firstIndex;
            const bool oursVoiced = i >= 0 && i < int64_t(ours.hz.size()) && ours.hz[size_t(i)] > 0;
            if (endp == value.c_str() || !(praat > 0)) {
                ++praatUnvoiced;
                oursOnly += oursVoiced;
                continue;
            }
            ++praatVoiced;
            if (!oursVoiced)
                continue;
            ++both;
            const double r = std::abs(ours.hz[size_t(i)] / praat - 1);
            relative.push_back(r);
            if (r > 0.2)
                ++gross;
        }
        REQUIRE(both > 500);
        std::sort(relative.begin(), relative.end());
        const double median = relative[relative.size() / 2];
        const double grossRate = double(gross) / double(both);
        std::printf("espeak-ng %s vs Praat (ac) %g-%g Hz: Praat voiced %zu, also ours %zu (%.1f%%); Praat unvoiced %zu, "
                    "ours voiced %zu; gross errors (>20%%) %.2f%%, median relative difference %.3f%%, 90th percentile %.3f%%\n",
            voice.name, voice.floorHz, voice.ceilingHz, praatVoiced, both, 100.0 * double(both) / double(praatVoiced),
            praatUnvoiced, oursOnly,
            100 * grossRate, 100 * median, 100 * relative[relative.size() * 9 / 10]);
        CHECK(double(both) > 0.8 * double(praatVoiced));
        CHECK(double(oursOnly) < 0.5 * double(praatUnvoiced));
        CHECK(grossRate < 0.05);
        CHECK(median < 0.02);

        // The two-pass range brackets the voice's median.
        std::vector<float> voiced;
        std::copy_if(ours.hz.begin(), ours.hz.end(), std::back_inserter(voiced), [](float hz) { return hz > 0; });
        std::sort(voiced.begin(), voiced.end());
        const double typical = voiced[voiced.size() / 2];
        const PitchRange range = speakerRange(ours, {voice.floorHz, voice.ceilingHz});
        std::printf("espeak-ng %s: median %.1f Hz, speaker range %g-%g Hz\n", voice.name, typical, range.floorHz,
            range.ceilingHz);
        CHECK(range.floorHz < 0.8 * typical);
        CHECK(range.ceilingHz > 1.25 * typical);
    }
}
