// SPDX-License-Identifier: MIT
#include "EnergyEnvelope.h"
#include "GeneratedSpeech.h"
#include "LoudnessMeter.h"
#include "PauseDetector.h"
#include "StreamingDecoder.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>

using namespace avseg;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> sine(size_t n, double hz, int rate, double amplitude)
{
    std::vector<float> s(n);
    for (size_t i = 0; i < n; ++i)
        s[i] = float(amplitude * std::sin(2 * kPi * hz * double(i) / rate));
    return s;
}

} // namespace

TEST_CASE("a block is about a millisecond: the hop is the sample rate / 1000 rounded", "[EnergyEnvelope]")
{
    for (auto [rate, hop] : {std::pair{48000, 48}, {44100, 44}, {22050, 22}, {8000, 8}, {11025, 11}, {400, 1}}) {
        EnergyEnvelope e;
        e.start({rate, 1});
        CHECK(e.hop() == hop);
    }
}

TEST_CASE("a full-scale sine reads -3.01 dB per block, half scale -9.03, silence the floor", "[EnergyEnvelope]")
{
    // 1 kHz at 48 kHz: each 48-frame block holds exactly one period.
    std::vector<float> s = sine(4800, 1000, 48000, 1.0);
    const std::vector<float> half = sine(4800, 1000, 48000, 0.5);
    s.insert(s.end(), half.begin(), half.end());
    s.resize(s.size() + 4800, 0.0f);
    EnergyEnvelope e;
    test::MemoryPcm(48000, {s}).feed(e, 1000);
    REQUIRE(e.blocks() == 300);
    CHECK(e.frames() == 14400);
    CHECK(e.levelDb(0) == Approx(-3.0103).margin(0.001));
    CHECK(e.levelDb(99) == Approx(-3.0103).margin(0.001));
    CHECK(e.levelDb(100) == Approx(-9.0309).margin(0.001));
    CHECK(e.levelDb(299) == EnergyEnvelope::kSilenceDb);
}

TEST_CASE("the level is the mean of the channels' powers, whatever the chunking", "[EnergyEnvelope]")
{
    const std::vector<float> left = test::randomSignal(10007, 1);
    std::vector<float> right = left;
    for (float& v : right)
        v = -v;
    // Opposite channels do not cancel: the level is either channel's.
    EnergyEnvelope alone, opposite;
    test::MemoryPcm(48000, {left}).feed(alone);
    test::MemoryPcm(48000, {left, right}).feed(opposite);
    REQUIRE(opposite.blocks() == alone.blocks());
    for (size_t b = 0; b < alone.blocks(); ++b)
        REQUIRE(opposite.levelDb(b) == alone.levelDb(b));
    CHECK(alone.levelDb(10) > -30.0f);

    const std::vector<float> other = test::randomSignal(10007, 2);
    for (size_t chunk : {1, 47, 48, 1000, 20000}) {
        EnergyEnvelope stereo;
        test::MemoryPcm(48000, {left, other}).feed(stereo, chunk);
        REQUIRE(stereo.blocks() == 209);   // the last block holds 23 frames
        for (size_t b = 0; b < stereo.blocks(); ++b) {
            double sum = 0;
            const size_t end = std::min(left.size(), (b + 1) * 48);
            for (size_t i = b * 48; i < end; ++i)
                sum += (double(left[i]) * left[i] + double(other[i]) * other[i]) / 2;
            REQUIRE(stereo.levelDb(b) == Approx(10 * std::log10(sum / double(end - b * 48))).margin(1e-4));
        }
    }
}

TEST_CASE("espeak-ng speech copied to stereo with the right channel inverted by sox reads the mono levels",
    "[EnergyEnvelope]")
{
    test::TempDir dir;
    test::speak(dir, dir / "mono.wav", "en-us", "One channel is upside down");
    const std::vector<float> mono = test::readSamples(dir, dir / "mono.wav");
    const std::vector<std::vector<float>> planes = test::invertedStereo(dir, dir / "mono.wav");
    REQUIRE(planes[0] == mono);
    EnergyEnvelope one, two;
    test::MemoryPcm(48000, {mono}).feed(one);
    test::MemoryPcm(48000, planes).feed(two);
    REQUIRE(two.blocks() == one.blocks());
    size_t sounding = 0;
    for (size_t b = 0; b < one.blocks(); ++b) {
        REQUIRE(two.levelDb(b) == Approx(one.levelDb(b)).margin(1e-4));
        sounding += one.levelDb(b) > -60.0f;
    }
    CHECK(sounding > one.blocks() / 2);
    CHECK(speechLevelDb(two) == Approx(speechLevelDb(one)).margin(0.01));
    CHECK(speechLevelDb(two) > -40);
}

TEST_CASE("an hour of envelope takes 14.4 MB", "[EnergyEnvelope]")
{
    // 8 kHz keeps the test quick; the block count per hour is the same at any rate.
    const int rate = 8000;
    const std::vector<float> minute = sine(size_t(rate) * 60, 440, rate, 0.3);
    const float* planes[] = {minute.data()};
    EnergyEnvelope e;
    e.start({rate, 1});
    for (int m = 0; m < 60; ++m)
        e.process(planes, minute.size());
    e.done();
    CHECK(e.blocks() == 3600000);
    CHECK(e.memoryBytes() <= 3600000 * sizeof(float) + 1024);
}

TEST_CASE("envelope and pause throughput (printed)", "[EnergyEnvelope]")
{
    const int rate = 48000;
    // Ten seconds of speech-like bursts with pauses, repeated for 10 minutes of stereo.
    std::vector<float> tenSeconds = test::randomSignal(size_t(rate) * 10, 5);
    for (size_t i = 0; i < tenSeconds.size(); ++i)
        if ((i / (size_t(rate) * 7 / 10)) % 3 == 2)
            tenSeconds[i] = 0;
    const float* planes[] = {tenSeconds.data(), tenSeconds.data()};
    EnergyEnvelope e;
    e.start({rate, 2});
    const int seconds = 600;
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < seconds / 10; ++s)
        e.process(planes, tenSeconds.size());
    e.done();
    const auto t1 = std::chrono::steady_clock::now();
    const std::vector<Pause> pauses = detectPauses(e, PauseOptions{});
    const auto t2 = std::chrono::steady_clock::now();
    const double envelope = std::chrono::duration<double>(t1 - t0).count();
    const double detect = std::chrono::duration<double>(t2 - t1).count();
    std::printf("EnergyEnvelope: 10 min of 48 kHz stereo in %.3f s (%.1f s per hour); detectPauses %.3f s "
                "(%.2f s per hour, %zu pauses); %zu bytes\n",
        envelope, envelope * 3600 / seconds, detect, detect * 3600 / seconds, pauses.size(), e.memoryBytes());
    CHECK(pauses.size() == size_t(seconds / 10) * 5);
}

namespace {

class NullSink : public AudioSink {
public:
    void start(const AudioFormat&) override {}
    void process(const float* const*, size_t frames) override { this->frames += int64_t(frames); }
    void done() override {}
    int64_t frames = 0;
};

// What the worker's decode feeds: the decoder's own sink and the analyses.
class Tee : public AudioSink {
public:
    explicit Tee(std::vector<AudioSink*> sinks) : sinks_(std::move(sinks)) {}
    void start(const AudioFormat& f) override { for (AudioSink* s : sinks_) s->start(f); }
    void process(const float* const* ch, size_t n) override { for (AudioSink* s : sinks_) s->process(ch, n); }
    void done() override { for (AudioSink* s : sinks_) s->done(); }

private:
    std::vector<AudioSink*> sinks_;
};

} // namespace

TEST_CASE("envelope, pauses and loudness against decoding the MP3 they come from (printed)", "[EnergyEnvelope]")
{
    const std::vector<uint8_t> bytes = test::readBytes(test::fixture("sample.mp3"));
    const int rounds = 6;
    double decodeOnly = 0, withAnalysis = 0, detect = 0;
    int64_t frames = 0;
    int rate = 0;
    for (int r = 0; r < rounds; ++r) {
        {
            NullSink sink;
            const auto t0 = std::chrono::steady_clock::now();
            StreamingDecoder decoder(sink, nullptr);
            test::streamInto(decoder, bytes, 1 << 20);
            decodeOnly += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            frames = sink.frames;
        }
        NullSink sink;
        EnergyEnvelope envelope;
        LoudnessMeter loudness;
        Tee tee({&sink, &envelope, &loudness});
        const auto t0 = std::chrono::steady_clock::now();
        StreamingDecoder decoder(tee, nullptr);
        test::streamInto(decoder, bytes, 1 << 20);
        const auto t1 = std::chrono::steady_clock::now();
        const std::vector<Pause> pauses = detectPauses(envelope, PauseOptions{});
        (void)loudness.integrated();
        const auto t2 = std::chrono::steady_clock::now();
        withAnalysis += std::chrono::duration<double>(t1 - t0).count();
        detect += std::chrono::duration<double>(t2 - t1).count();
        rate = envelope.sampleRate();
        CHECK(!pauses.empty());
    }
    const double hours = double(frames) * rounds / rate / 3600;
    std::printf("sample.mp3 (%.1f s at %d Hz) x %d: decode alone %.2f s per hour; decode + envelope + loudness "
                "%.2f s per hour (analysis %.2f s per hour); pauses + integrated loudness %.3f s per hour\n",
        double(frames) / rate, rate, rounds, decodeOnly / hours, withAnalysis / hours, (withAnalysis - decodeOnly) / hours,
        detect / hours);
}
