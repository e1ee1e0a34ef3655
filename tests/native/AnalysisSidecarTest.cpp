// SPDX-License-Identifier: MIT
// The analysis sidecar (doc/analysis-format.md): everything written reads back exactly, and each
// kind of damaged or inconsistent file is refused with a message saying what is wrong.
#include "AnalysisSidecar.h"
#include "MediaError.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

using namespace avseg;

namespace {

AnalysisData sample()
{
    AnalysisData a;
    a.sampleRate = 48000;
    a.frames = 480000;
    a.generator = "test";
    a.energy = AnalysisData::Energy{48, std::vector<float>(10000)};
    for (size_t i = 0; i < a.energy->levels.size(); ++i)
        a.energy->levels[i] = -60.0f + float(i % 50);
    a.pauses = AnalysisData::Pauses{-21.5, PauseOptions{-28.0, 0.15}, {{0, 4800, -70.0f}, {96013, 120007, -61.25f}, {470000, 480000, -80.0f}}};
    AnalysisData::Loudness l;
    l.stepFrames = 4800;
    l.momentary = std::vector<float>(100, -23.0f);
    l.shortTerm = std::vector<float>(100, -24.5f);
    l.momentary[3] = LoudnessMeter::kSilenceLufs;
    l.integrated = -23.25;
    l.range = std::nullopt;
    l.jumpLu = 10;
    l.jumps = {{19200, -40.0f, -23.0f}};
    a.loudness = l;
    AnalysisData::Pitch p;
    p.hop = 48;
    p.firstIndex = 0;
    p.floorHz = 75;
    p.ceilingHz = 600;
    for (int i = 0; i < 10000; ++i) {
        p.hz.push_back(i % 3 ? 120.5f + float(i % 7) : 0.0f);
        p.clarity.push_back(float(i % 11) / 10.0f);
    }
    a.pitch = p;
    AnalysisData::Video v;
    v.frames = 250;
    v.motion = std::vector<float>(250, 0.01f);
    v.motion[0] = 0;
    v.motion[100] = 0.9f;
    v.cuts = {100};
    v.jerks = {40, 180};
    a.video = v;
    return a;
}

std::string refusal(const std::vector<uint8_t>& bytes)
{
    try {
        readAnalysisSidecar(bytes.data(), bytes.size());
    } catch (const MediaError& e) {
        CHECK(e.code() == ErrorCode::InvalidAnalysis);
        return e.what();
    }
    return "(read without complaint)";
}

// The file with its JSON header replaced (same layout otherwise: the arrays' offsets are relative).
std::vector<uint8_t> withHeader(const std::vector<uint8_t>& bytes, const std::string& from, const std::string& to)
{
    uint32_t n;
    std::memcpy(&n, bytes.data() + 12, 4);
    std::string header(bytes.begin() + 16, bytes.begin() + 16 + n);
    const size_t at = header.find(from);
    REQUIRE(at != std::string::npos);
    header.replace(at, from.size(), to);
    const size_t oldData = (16 + n + 7) & ~size_t(7);
    std::vector<uint8_t> out(bytes.begin(), bytes.begin() + 12);
    for (int i = 0; i < 4; ++i)
        out.push_back(uint8_t(header.size() >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());
    out.resize((out.size() + 7) & ~size_t(7), 0);
    out.insert(out.end(), bytes.begin() + long(oldData), bytes.end());
    return out;
}

} // namespace

TEST_CASE("AnalysisSidecar: every part written reads back exactly")
{
    const AnalysisData a = sample();
    const std::vector<uint8_t> bytes = writeAnalysisSidecar(a);
    REQUIRE(std::memcmp(bytes.data(), "AVSEGANL", 8) == 0);
    const AnalysisData b = readAnalysisSidecar(bytes.data(), bytes.size());
    CHECK(b.sampleRate == 48000);
    CHECK(b.frames == 480000);
    CHECK(b.generator == "test");
    REQUIRE(b.energy);
    CHECK(b.energy->hop == 48);
    CHECK(b.energy->levels == a.energy->levels);
    REQUIRE(b.pauses);
    CHECK(b.pauses->speechLevelDb == -21.5);
    CHECK(b.pauses->options.thresholdDb == -28.0);
    CHECK(b.pauses->options.minDuration == 0.15);
    REQUIRE(b.pauses->pauses.size() == 3);
    CHECK(b.pauses->pauses[1].start == 96013);
    CHECK(b.pauses->pauses[1].end == 120007);
    CHECK(b.pauses->pauses[1].levelDb == -61.25f);
    REQUIRE(b.loudness);
    CHECK(b.loudness->stepFrames == 4800);
    CHECK(b.loudness->momentary == a.loudness->momentary);
    CHECK(b.loudness->shortTerm == a.loudness->shortTerm);
    CHECK(b.loudness->integrated == std::optional<double>(-23.25));
    CHECK(!b.loudness->range);
    CHECK(b.loudness->jumpLu == 10);
    REQUIRE(b.loudness->jumps.size() == 1);
    CHECK(b.loudness->jumps[0].frame == 19200);
    CHECK(b.loudness->jumps[0].fromLufs == -40.0f);
    CHECK(b.loudness->jumps[0].toLufs == -23.0f);
    REQUIRE(b.pitch);
    CHECK(b.pitch->hop == 48);
    CHECK(b.pitch->floorHz == 75);
    CHECK(b.pitch->ceilingHz == 600);
    CHECK(b.pitch->hz == a.pitch->hz);
    CHECK(b.pitch->clarity == a.pitch->clarity);
    REQUIRE(b.video);
    CHECK(b.video->frames == 250);
    CHECK(b.video->motion == a.video->motion);
    CHECK(b.video->cuts == a.video->cuts);
    CHECK(b.video->jerks == a.video->jerks);
    // Arrays are 8-byte aligned and the file holds nothing else: size = header + arrays.
    CHECK(bytes.size() % 8 == 0);
    CHECK(bytes.size() < 16 + 2048 + (10000 + 200 + 20000 + 250) * 4 + 3 * 16 + 64);
}

TEST_CASE("AnalysisSidecar: any part may be absent")
{
    AnalysisData a;
    a.sampleRate = 16000;
    a.frames = 0;
    const std::vector<uint8_t> bytes = writeAnalysisSidecar(a);
    const AnalysisData b = readAnalysisSidecar(bytes.data(), bytes.size());
    CHECK(b.sampleRate == 16000);
    CHECK((!b.energy && !b.pauses && !b.loudness && !b.pitch && !b.video));
    AnalysisData v;
    v.sampleRate = 44100;
    v.frames = 44100;
    v.video = AnalysisData::Video{3, {0, 0.5f, 0.1f}, {1}, {}};
    const auto vb = writeAnalysisSidecar(v);
    CHECK(readAnalysisSidecar(vb.data(), vb.size()).video->cuts == std::vector<int64_t>{1});
}

TEST_CASE("AnalysisSidecar: a medium without audio is motion alone at sampleRate 1 and 0 frames")
{
    AnalysisData a;
    a.sampleRate = 1;
    a.frames = 0;
    a.video = AnalysisData::Video{4, {0, 0.02f, 0.6f, 0.01f}, {2}, {}};
    const auto bytes = writeAnalysisSidecar(a);
    const AnalysisData b = readAnalysisSidecar(bytes.data(), bytes.size());
    CHECK(b.sampleRate == 1);
    CHECK(b.frames == 0);
    CHECK((!b.energy && !b.pauses && !b.loudness && !b.pitch));
    REQUIRE(b.video);
    CHECK(b.video->frames == 4);
    CHECK(b.video->cuts == std::vector<int64_t>{2});
}

TEST_CASE("AnalysisSidecar: truncated and foreign files are refused, naming what is wrong")
{
    const std::vector<uint8_t> bytes = writeAnalysisSidecar(sample());
    CHECK(refusal({}) == "analysis sidecar: the file is too short for a header (0 bytes, at least 16 needed)");
    CHECK(refusal(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 10)) ==
        "analysis sidecar: the file is too short for a header (10 bytes, at least 16 needed)");
    std::vector<uint8_t> wav(bytes);
    std::memcpy(wav.data(), "RIFF\x24\0\0\0", 8);
    CHECK(refusal(wav) == "analysis sidecar: not an avseg analysis sidecar (it does not start with AVSEGANL)");
    std::vector<uint8_t> newer(bytes);
    newer[8] = 2;
    CHECK(refusal(newer) == "analysis sidecar: version 2: this reader reads version 1 (the file was written by a newer avseg)");
    CHECK_THAT(refusal(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 100)),
        Catch::Matches("analysis sidecar: the header says it is \\d+ bytes long but only 84 follow: the file is truncated"));
    // Cut inside the arrays: the first array that does not fit is named.
    CHECK_THAT(refusal(std::vector<uint8_t>(bytes.begin(), bytes.end() - 100)),
        Catch::Matches("analysis sidecar: motion\\.motion: its 250 values at data byte \\d+ end past the end of the file \\(\\d+ bytes of data\\): the file is truncated"));
    std::vector<uint8_t> longer(bytes);
    longer.resize(longer.size() + 16, 0);
    CHECK(refusal(longer) == "analysis sidecar: 16 bytes follow the last array: not a sidecar as written");
}

TEST_CASE("AnalysisSidecar: a damaged header or inconsistent values are refused with their place")
{
    const std::vector<uint8_t> bytes = writeAnalysisSidecar(sample());
    CHECK(refusal(withHeader(bytes, "\"sampleRate\":48000", "\"sampleRate\":0")) ==
        "analysis sidecar: sampleRate must be an integer from 1 to 16777216, got 0");
    CHECK(refusal(withHeader(bytes, "\"sampleRate\":48000", "\"sampleRate\":48000,\"sampleRate\":44100")) ==
        "analysis sidecar: header: sampleRate: appears twice in the same object");
    CHECK_THAT(refusal(withHeader(bytes, "{", "[")), Catch::StartsWith("analysis sidecar: header: "));
    CHECK(refusal(withHeader(bytes, "\"type\":\"f32\"", "\"type\":\"f64\"")) == "analysis sidecar: energy.levels.type must be \"f32\"");
    CHECK(refusal(withHeader(bytes, "\"clarity\":{\"count\":10000", "\"clarity\":{\"count\":9998")) ==
        "analysis sidecar: pitch.hz has 10000 values but pitch.clarity 9998");
    // The pitch floor above its ceiling.
    CHECK(refusal(withHeader(bytes, "\"floorHz\":75.0", "\"floorHz\":700.0")) ==
        "analysis sidecar: pitch.floorHz 700.0 and ceilingHz 600.0: the floor must be above 0 and below the ceiling");
    // Fewer frames than the pauses reach, or than the energy's blocks cover.
    AnalysisData shorter = sample();
    shorter.energy.reset();
    const std::vector<uint8_t> noEnergy = writeAnalysisSidecar(shorter);
    CHECK(refusal(withHeader(noEnergy, "\"frames\":480000", "\"frames\":475000")) ==
        "analysis sidecar: pause 2 [470000, 480000) is empty, out of order or past the 475000 frames");
    CHECK(refusal(withHeader(bytes, "\"frames\":480000", "\"frames\":48000")) ==
        "analysis sidecar: energy.levels has 10000 values from index 0 at 48 frames each: more than the 48000 frames hold");
    // More video frames than motion values.
    CHECK(refusal(withHeader(bytes, "\"frames\":250", "\"frames\":251")) == "analysis sidecar: motion.motion has 250 values for 251 video frames");
    // An offset that is not aligned.
    CHECK_THAT(refusal(withHeader(bytes, "\"offset\":0", "\"offset\":4")), Catch::Matches("analysis sidecar: energy\\.levels\\.offset 4 is not a multiple of 8"));
}

TEST_CASE("AnalysisSidecar: values the element could not draw are refused, naming the first")
{
    AnalysisData a = sample();
    a.pitch->clarity[7] = 1.5f;
    // The writer checks what it writes by reading it back.
    try {
        writeAnalysisSidecar(a);
        FAIL("written");
    } catch (const MediaError& e) {
        CHECK(std::string(e.what()) == "analysis sidecar: pitch.clarity[7] is 1.5: clarity must be within [0, 1]");
    }
    a = sample();
    a.energy->levels[3] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH(writeAnalysisSidecar(a), "analysis sidecar: cannot write energy.levels[3]: it is not a finite number");
    a = sample();
    a.video->cuts = {100, 100};
    CHECK_THROWS_WITH(writeAnalysisSidecar(a), "analysis sidecar: motion.cuts[1] is 100: not after the one before (100)");
    a = sample();
    a.pauses->pauses[1].start = 2000;
    CHECK_THROWS_WITH(writeAnalysisSidecar(a),
        "analysis sidecar: cannot write pauses[1] [2000, 120007): pauses must be in order, not empty, and within the 480000 frames");
}
