// SPDX-License-Identifier: MIT
#include "EnergyEnvelope.h"
#include "GeneratedSpeech.h"
#include "PauseDetector.h"
#include "StreamingDecoder.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <random>

using namespace avseg;

namespace {

constexpr int kRate = 48000;
constexpr int64_t kTolerance = kRate * 5 / 1000;   // 5 ms

struct Span {
    int64_t start, end;
};

std::vector<Pause> pausesOf(const std::vector<float>& mono, const PauseOptions& options = {}, bool refine = true)
{
    test::MemoryPcm pcm(kRate, {mono});
    EnergyEnvelope envelope;
    pcm.feed(envelope);
    return detectPauses(envelope, options, refine ? &pcm : nullptr);
}

// Matches each true pause with the detected one it overlaps; prints every edge's error, recall
// and precision, and requires every true pause found with both edges within 5 ms.
void requireWithinTolerance(const char* what, const std::vector<Span>& truth, const std::vector<Pause>& found,
    bool everyFoundIsTrue = true)
{
    size_t matched = 0;
    int64_t worst = 0;
    for (const Span& t : truth) {
        const Pause* hit = nullptr;
        for (const Pause& p : found)
            if (p.start < t.end && t.start < p.end)
                hit = &p;
        INFO(what << ": true pause [" << t.start << ", " << t.end << ")");
        REQUIRE(hit);
        const int64_t ds = hit->start - t.start, de = hit->end - t.end;
        std::printf("%s: pause [%.4f, %.4f) s, start %+.3f ms, end %+.3f ms\n", what, double(t.start) / kRate,
            double(t.end) / kRate, 1000.0 * double(ds) / kRate, 1000.0 * double(de) / kRate);
        worst = std::max({worst, std::abs(ds), std::abs(de)});
        if (std::abs(ds) <= kTolerance && std::abs(de) <= kTolerance)
            ++matched;
    }
    size_t correct = 0;
    for (const Pause& p : found)
        for (const Span& t : truth)
            if (std::abs(p.start - t.start) <= kTolerance && std::abs(p.end - t.end) <= kTolerance)
                ++correct;
    std::printf("%s: recall %zu/%zu, precision %zu/%zu, worst edge %.3f ms\n", what, matched, truth.size(), correct,
        found.size(), 1000.0 * double(worst) / kRate);
    CHECK(matched == truth.size());
    if (everyFoundIsTrue)
        CHECK(correct == found.size());
    REQUIRE(worst <= kTolerance);
}

std::vector<float> noise(size_t n, double rmsDb, unsigned seed)
{
    std::mt19937 rng(seed);
    const float a = static_cast<float>(std::pow(10.0, rmsDb / 20.0) * std::sqrt(3.0));
    std::uniform_real_distribution<float> u(-a, a);
    std::vector<float> s(n);
    for (float& v : s)
        v = u(rng);
    return s;
}

} // namespace

namespace {

// Four espeak-ng utterances joined with inserted digital silences of known lengths: the lead, three
// gaps and the tail. espeak-ng fades in and out over tens of milliseconds (the end of "long" keeps
// pitch pulses near -48 dBFS for 20 ms), where one threshold is as right as another; trimmed by sox
// where they first and last reach `trim` of full scale, well above the detector's threshold, the
// utterances begin and end sounding, and the inserted silences are the true pauses to the sample.
struct JoinedSpeech {
    std::vector<float> samples;
    std::vector<Span> truth;
};

JoinedSpeech joinedSpeech(const test::TempDir& dir, const std::string& trim)
{
    const char* lines[][2] = {
        {"en-us", "The quick brown fox jumps over the lazy dog"},
        {"en-gb", "Segment boundaries must be sample accurate"},
        {"en-us+f3", "Annotators look for the pause that is too long"},
        {"en-gb-scotland+m3", "Silence separates these phrases"},
    };
    const double gaps[] = {0.35, 0.25, 0.6, 1.1, 0.45};
    JoinedSpeech j;
    for (size_t i = 0; i <= std::size(lines); ++i) {
        const int64_t start = int64_t(j.samples.size());
        j.samples.resize(j.samples.size() + size_t(std::lround(gaps[i] * kRate)), 0.0f);
        j.truth.push_back({start, int64_t(j.samples.size())});
        if (i == std::size(lines))
            break;
        const std::string file = dir / ("line" + std::to_string(i) + ".wav");
        test::speak(dir, file, lines[i][0], lines[i][1], trim);
        const std::vector<float> speech = test::readSamples(dir, file);
        j.samples.insert(j.samples.end(), speech.begin(), speech.end());
    }
    return j;
}

double thresholdOf(const std::vector<float>& samples, const char* what)
{
    EnergyEnvelope envelope;
    test::MemoryPcm(kRate, {samples}).feed(envelope);
    const double threshold = pauseThresholdDb(envelope, PauseOptions{});
    std::printf("%s: speech level %.2f dBFS, noise floor %.2f dBFS, threshold %.2f dBFS\n", what,
        speechLevelDb(envelope), noiseFloorDb(envelope), threshold);
    return threshold;
}

} // namespace

TEST_CASE("pauses between espeak-ng utterances joined with silences of known lengths are found within 5 ms",
    "[PauseDetector]")
{
    test::TempDir dir;
    // Trimmed at 1 % (-40 dBFS), 10 dB above the threshold.
    const JoinedSpeech j = joinedSpeech(dir, "1%");
    REQUIRE(thresholdOf(j.samples, "inserted silences") < -40 - 6);
    requireWithinTolerance("inserted silences", j.truth, pausesOf(j.samples));

    SECTION("the threshold follows the speech level: 20 dB quieter, the same pauses")
    {
        std::vector<float> quiet = j.samples;
        for (float& v : quiet)
            v *= 0.1f;
        requireWithinTolerance("inserted silences -20 dB", j.truth, pausesOf(quiet));
    }
}

TEST_CASE("over a pink-noise floor 30 dB below the speech the threshold rises above it and the pauses are found",
    "[PauseDetector]")
{
    test::TempDir dir;
    // Trimmed at 5 % (-26 dBFS), well above the raised threshold.
    JoinedSpeech j = joinedSpeech(dir, "5%");
    const std::string noiseFile = dir / "noise.wav";
    test::shell("sox -R -V1 -n -r 48000 -b 16 -c 1 '" + noiseFile + "' synth " + std::to_string(j.samples.size())
        + "s pinknoise vol -36dB");
    const std::vector<float> floor = test::readSamples(dir, noiseFile);
    REQUIRE(floor.size() == j.samples.size());
    for (size_t i = 0; i < floor.size(); ++i)
        j.samples[i] += floor[i];
    EnergyEnvelope envelope;
    test::MemoryPcm(kRate, {j.samples}).feed(envelope);
    const double threshold = thresholdOf(j.samples, "noise floor");
    CHECK(threshold > speechLevelDb(envelope) + PauseOptions{}.thresholdDb + 5);
    requireWithinTolerance("noise floor", j.truth, pausesOf(j.samples));
}

TEST_CASE("synthetic pauses cut into a continuous espeak-ng passage are found within 5 ms", "[PauseDetector]")
{
    test::TempDir dir;
    const std::string file = dir / "passage.wav";
    test::speak(dir, file, "en-us",
        "Annotators listen to long recordings and mark every place where the speaker stops talking "
        "so that each segment lines up with the sound and nothing of the speech is lost between them");
    std::vector<float> passage = test::readSamples(dir, file);

    // Where the passage is loud enough that the cut, not the speech, makes the edge: the 10 ms
    // on the outer side within 20 dB of the passage's loudest 1 ms block.
    const int64_t block = kRate / 1000;
    auto blockDb = [&](int64_t first) {
        double sum = 0;
        for (int64_t i = first; i < first + block; ++i)
            sum += double(passage[size_t(i)]) * passage[size_t(i)];
        return 10 * std::log10(sum / double(block) + 1e-30);
    };
    double loudest = -300;
    for (int64_t b = 0; b + block <= int64_t(passage.size()); b += block)
        loudest = std::max(loudest, blockDb(b));
    auto loudAround = [&](int64_t first) {
        if (first < 0 || first + 10 * block > int64_t(passage.size()))
            return false;
        double sum = 0;
        for (int64_t b = first; b < first + 10 * block; b += block)
            sum += std::pow(10.0, blockDb(b) / 10);
        return 10 * std::log10(sum / 10) >= loudest - 20;
    };
    // Nominal start (s), length (s), and what fills the cut: digital zeros or noise at that dBFS.
    const double cuts[][3] = {{1.2, 0.25, -999}, {3.0, 0.45, -60}, {5.0, 0.8, -66}, {7.2, 0.3, -60}};
    std::vector<Span> truth;
    for (const auto& cut : cuts) {
        int64_t start = std::lround(cut[0] * kRate);
        while (!loudAround(start - 10 * block))
            ++start;
        int64_t end = start + std::lround(cut[1] * kRate);
        while (!loudAround(end))
            ++end;
        REQUIRE(end < int64_t(passage.size()));
        const std::vector<float> fill = noise(size_t(end - start), cut[2], unsigned(start));
        for (int64_t i = start; i < end; ++i)
            passage[size_t(i)] = cut[2] < -900 ? 0.0f : fill[size_t(i - start)];
        truth.push_back({start, end});
    }
    requireWithinTolerance("cut into speech", truth, pausesOf(passage));
}

TEST_CASE("with the PCM a pause's edges are the exact samples where the sound stops and starts", "[PauseDetector]")
{
    std::vector<float> s = noise(100000, -12, 7);
    std::fill(s.begin() + 12345, s.begin() + 34567, 0.0f);
    const std::vector<Pause> exact = pausesOf(s);
    REQUIRE(exact.size() == 1);
    CHECK(exact[0].start == 12345);
    CHECK(exact[0].end == 34567);
    CHECK(exact[0].levelDb == EnergyEnvelope::kSilenceDb);

    // Without it, the edges are those of the 1 ms blocks wholly inside the silence.
    const std::vector<Pause> blocks = pausesOf(s, {}, false);
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].start == 12384);
    CHECK(blocks[0].end == 34560);
}

TEST_CASE("espeak-ng speech in stereo with one channel inverted by sox has the mono's pauses, to the sample",
    "[PauseDetector]")
{
    test::TempDir dir;
    test::speak(dir, dir / "a.wav", "en-us", "First the one phrase", "1%");
    test::speak(dir, dir / "b.wav", "en-gb", "and after a pause the other", "1%");
    test::shell("sox -D -V1 '" + dir / "a.wav" + "' '" + dir / "padded.wav" + "' pad 0.3 0.45");
    test::shell("sox -D -V1 '" + dir / "padded.wav" + "' '" + dir / "b.wav" + "' '" + dir / "mono.wav" + "' pad 0 0.25");
    const std::vector<float> mono = test::readSamples(dir, dir / "mono.wav");
    const std::vector<std::vector<float>> planes = test::invertedStereo(dir, dir / "mono.wav");

    EnergyEnvelope one, two;
    test::MemoryPcm monoPcm(kRate, {mono}), stereoPcm(kRate, planes);
    monoPcm.feed(one);
    stereoPcm.feed(two);
    CHECK(speechLevelDb(two) == Approx(speechLevelDb(one)).margin(0.01));
    const std::vector<Pause> expected = detectPauses(one, PauseOptions{}, &monoPcm);
    const std::vector<Pause> found = detectPauses(two, PauseOptions{}, &stereoPcm);
    // The lead, the gap and the tail at least.
    REQUIRE(expected.size() >= 3);
    CHECK(expected.front().end == kRate * 3 / 10);
    REQUIRE(found.size() == expected.size());
    for (size_t i = 0; i < found.size(); ++i) {
        INFO("pause " << i << ": mono [" << expected[i].start << ", " << expected[i].end << ")");
        CHECK(found[i].start == expected[i].start);
        CHECK(found[i].end == expected[i].end);
        CHECK(found[i].levelDb == Approx(expected[i].levelDb).margin(1e-3));
    }
}

TEST_CASE("leading and trailing silence count as pauses, spans shorter than the minimum duration do not", "[PauseDetector]")
{
    std::vector<float> s(kRate * 3, 0.0f);
    const std::vector<float> tone = noise(size_t(kRate), -20, 3);
    std::copy(tone.begin(), tone.end(), s.begin() + kRate / 2);                 // 0.5 .. 1.5 s
    std::copy(tone.begin(), tone.begin() + kRate * 4 / 5, s.begin() + kRate * 7 / 4);   // 1.75 .. 2.55 s
    const std::vector<Pause> pauses = pausesOf(s);
    REQUIRE(pauses.size() == 3);
    CHECK(pauses[0].start == 0);
    CHECK(pauses[0].end == kRate / 2);
    CHECK(pauses[1].start == kRate * 3 / 2);
    CHECK(pauses[1].end == kRate * 7 / 4);
    CHECK(pauses[2].start == kRate * 51 / 20);
    CHECK(pauses[2].end == kRate * 3);

    PauseOptions longer;
    longer.minDuration = 0.3;
    const std::vector<Pause> fewer = pausesOf(s, longer);
    REQUIRE(fewer.size() == 2);
    CHECK(fewer[0].end == kRate / 2);
    CHECK(fewer[1].start == kRate * 51 / 20);

    // A file that never sounds is one pause.
    const std::vector<Pause> silent = pausesOf(std::vector<float>(kRate, 0.0f));
    REQUIRE(silent.size() == 1);
    CHECK(silent[0].end == kRate);
}

TEST_CASE("the speech level is the active level: pauses and a quiet floor do not lower it", "[PauseDetector]")
{
    // A steady noise at -20 dBFS (its 1 ms blocks vary little) is its own active level.
    std::vector<float> steady = noise(size_t(kRate) * 4, -20, 11);
    EnergyEnvelope envelope;
    test::MemoryPcm(kRate, {steady}).feed(envelope);
    const double level = speechLevelDb(envelope);
    CHECK(level == Approx(-20).margin(0.3));

    // Three quarters of the time silent, or noise 50 dB down: the long-term level falls by 6 dB,
    // the active level by no more than P.56's 200 ms hangover adds to the activity (1.5 dB).
    std::vector<float> sparse(steady.size() * 4, 0.0f);
    std::vector<float> floor = noise(sparse.size(), -70, 12);
    for (size_t i = 0; i < steady.size(); i += size_t(kRate) / 2)
        for (size_t k = 0; k < size_t(kRate) / 2; ++k) {
            sparse[4 * i + k] = steady[i + k];
            floor[4 * i + k] = steady[i + k];
        }
    for (const auto* s : {&sparse, &floor}) {
        EnergyEnvelope e;
        test::MemoryPcm(kRate, {*s}).feed(e);
        CHECK(speechLevelDb(e) == Approx(level - 1.5).margin(0.7));
    }
    EnergyEnvelope silent;
    test::MemoryPcm(kRate, {std::vector<float>(kRate, 0.0f)}).feed(silent);
    CHECK(speechLevelDb(silent) == EnergyEnvelope::kSilenceDb);
}

TEST_CASE("the gaps between the call fixture's turns are found within 5 ms of the turns' edges", "[PauseDetector]")
{
    // tests/fixtures/make-media.sh: six espeak-ng turns trimmed at 0.1 % of full scale (their fades
    // kept), joined with digital silence; call.json has each turn's exact span.
    test::TempDir dir;
    const std::vector<float> call = test::readSamples(dir, test::fixture("call.wav"));
    const nlohmann::json turns = nlohmann::json::parse(test::readBytes(test::fixture("call.json")))["turns"];
    std::vector<Span> truth;
    int64_t previousEnd = 0;
    for (const auto& turn : turns) {
        truth.push_back({previousEnd, turn["start"].get<int64_t>()});
        previousEnd = turn["end"].get<int64_t>();
    }
    truth.push_back({previousEnd, int64_t(call.size())});
    // Also found: the turns' own breaks at full stops and commas, which call.json does not list.
    requireWithinTolerance("call turns", truth, pausesOf(call), false);
}

TEST_CASE("the speech-gaps fixture's two silences are found within 5 ms through the decoder, lossy encodings too",
    "[PauseDetector]")
{
    const nlohmann::json truth = nlohmann::json::parse(test::readBytes(test::fixture("speech-gaps.json")))["silence"];
    std::vector<Span> spans;
    for (const auto& s : truth)
        spans.push_back({s[0].get<int64_t>(), s[1].get<int64_t>()});
    for (const char* name : {"speech-gaps.wav", "speech-gaps.flac", "speech-gaps.mp3", "speech-gaps.aac.m4a",
             "speech-gaps.ogg", "speech-gaps.pcm_mulaw.wav", "speech-gaps.opus"}) {
        test::CollectingSink sink;
        StreamingDecoder decoder(sink, nullptr);
        test::streamInto(decoder, test::readBytes(test::fixture(name)), 1 << 16);
        REQUIRE(sink.format.sampleRate == kRate);
        test::MemoryPcm pcm(kRate, sink.pcm);
        EnergyEnvelope envelope;
        pcm.feed(envelope);
        const std::vector<Pause> found = detectPauses(envelope, PauseOptions{}, &pcm);
        if (std::string(name) == "speech-gaps.opus") {
            // Opus at 64 kbit/s keeps sounding above the threshold for 29 ms after the second
            // phrase (its coding noise spreads past the end): printed, not required.
            for (size_t i = 0; i < found.size() && i < spans.size(); ++i)
                std::printf("%s: pause %zu start %+.3f ms, end %+.3f ms\n", name, i,
                    1000.0 * double(found[i].start - spans[i].start) / kRate, 1000.0 * double(found[i].end - spans[i].end) / kRate);
            continue;
        }
        requireWithinTolerance(name, spans, found);
    }
}

namespace {

// Random sentences of common words, spoken by espeak-ng without a break: minutes of continuous
// speech whose only pauses are the sentences' ends (espeak-ng keeps words within a sentence closer
// than 0.2 s).
std::vector<float> continuousSpeech(const test::TempDir& dir, size_t sentences)
{
    static const char* const words[] = {"the", "people", "of", "and", "water", "to", "over", "morning", "is",
        "that", "river", "for", "it", "was", "little", "with", "between", "they", "could", "remember", "from",
        "window", "at", "which", "garden", "have", "evening", "one", "all", "mountain", "their", "would", "other",
        "when", "story", "will", "number", "about", "many", "then", "yellow", "like", "under", "these", "picture",
        "two", "first", "new", "family", "very", "after", "most", "should", "letter", "great", "through"};
    std::mt19937 rng(15);
    std::string text;
    for (size_t s = 0; s < sentences; ++s) {
        const size_t n = 6 + rng() % 9;
        for (size_t w = 0; w < n; ++w) {
            std::string word = words[rng() % std::size(words)];
            if (w == 0)
                word[0] = char(std::toupper(word[0]));
            text += word + (w + 1 < n ? " " : ". ");
        }
    }
    std::FILE* f = std::fopen((dir / "text.txt").c_str(), "w");
    REQUIRE(f);
    std::fputs(text.c_str(), f);
    std::fclose(f);
    test::shell("espeak-ng -v en-us -f '" + dir / "text.txt" + "' -w '" + dir / "raw.wav" + "'");
    test::shell("sox -R -D -V1 '" + dir / "raw.wav" + "' -r 48000 -b 16 -c 1 '" + dir / "speech.wav" + "' rate");
    return test::readSamples(dir, dir / "speech.wav");
}

EnergyEnvelope envelopeOf(const std::vector<float>& samples, size_t frames)
{
    EnergyEnvelope envelope;
    const std::vector<float> head(samples.begin(), samples.begin() + std::min(frames, samples.size()));
    test::MemoryPcm(kRate, {head}).feed(envelope);
    return envelope;
}

double meanLevelDb(const std::vector<float>& samples)
{
    double sum = 0;
    for (float v : samples)
        sum += double(v) * v;
    return 10 * std::log10(sum / double(samples.size()));
}

std::vector<float> tone(double seconds, double rmsDb, double hz)
{
    std::vector<float> s(size_t(std::lround(seconds * kRate)));
    const double a = std::pow(10.0, rmsDb / 20.0) * std::sqrt(2.0);
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = float(a * std::sin(2 * M_PI * hz * double(i) / kRate));
    return s;
}

} // namespace

TEST_CASE("minutes of continuous speech read the speech level of their first minute, pauses only at sentence ends",
    "[PauseDetector]")
{
    // Near the top threshold only the blocks around the loudest peak are active, and the energy
    // over them grows with the length: the level must come from the lowest threshold where P.56's
    // margin is met, not the highest.
    test::TempDir dir;
    const size_t sentences = 100;
    const std::vector<float> speech = continuousSpeech(dir, sentences);
    const double seconds = double(speech.size()) / kRate;
    REQUIRE(seconds > 200);
    const EnergyEnvelope minute = envelopeOf(speech, size_t(60) * kRate);
    const EnergyEnvelope whole = envelopeOf(speech, speech.size());
    const double minuteLevel = speechLevelDb(minute), level = speechLevelDb(whole);
    const double mean = meanLevelDb(speech);
    const size_t minutePauses = detectPauses(minute, PauseOptions{}).size();
    const size_t pauses = detectPauses(whole, PauseOptions{}).size();
    std::printf("continuous speech: %.1f s, %zu sentences, long-term level %.2f dBFS; speech level %.2f dBFS "
                "(first minute %.2f); %zu pauses (first minute %zu)\n",
        seconds, sentences, mean, level, minuteLevel, pauses, minutePauses);
    CHECK(level == Approx(minuteLevel).margin(1.0));
    // Speech is active more than half of the time: its active level lies within 3 dB above its mean.
    CHECK(level >= mean);
    CHECK(level <= mean + 3);
    CHECK(minuteLevel <= mean + 3);
    CHECK(double(pauses) / seconds <= 1.25 * double(minutePauses) / 60);
    CHECK(double(pauses) >= 0.75 * double(sentences));
    CHECK(double(pauses) <= 1.25 * double(sentences));
}

TEST_CASE("a steady tone reads its RMS level, one short loud burst in minutes of it does not move the level",
    "[PauseDetector]")
{
    for (double hz : {440.0, 1000.0}) {
        std::vector<float> s = tone(300, -20, hz);
        CHECK(speechLevelDb(envelopeOf(s, size_t(10) * kRate)) == Approx(-20).margin(0.2));
        CHECK(speechLevelDb(envelopeOf(s, s.size())) == Approx(-20).margin(0.2));
        // 50 ms 14 dB louder add 0.2 dB to the mean over the five minutes.
        const std::vector<float> burst = tone(0.05, -6, 1000);
        std::copy(burst.begin(), burst.end(), s.begin() + 100 * kRate);
        const EnergyEnvelope withBurst = envelopeOf(s, s.size());
        INFO(hz << " Hz");
        CHECK(speechLevelDb(withBurst) == Approx(-20).margin(0.5));
        CHECK(detectPauses(withBurst, PauseOptions{}).empty());
    }
}
