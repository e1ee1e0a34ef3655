// SPDX-License-Identifier: MIT
// MediaSession's analyses: the streaming decode feeds the energy envelope and the loudness meter
// (one decode, no second pass), pauses refined and pitch read from the seekable copy through
// decoders of their own, and snapping to what was found, as the worker uses them.
#include "GeneratedSpeech.h"
#include "MediaSession.h"
#include "MemoryReader.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <memory>

using namespace avseg;

namespace {

// A session over a fixture: bytes pushed, the seekable copy attached, decoded to the end.
std::unique_ptr<MediaSession> decoded(const std::string& name)
{
    auto session = std::make_unique<MediaSession>();
    const auto bytes = test::readBytes(test::fixture(name));
    session->push(bytes.data(), bytes.size());
    session->finish();
    session->attachSeekable(std::make_unique<MemoryReader>(bytes));
    while (session->pump(1 << 20) != StreamingDecoder::State::Done) {
    }
    return session;
}

// The session's decoded samples, held in memory as a second, independent source.
test::MemoryPcm inMemory(MediaSession& session)
{
    const int channels = session.info().channels;
    const PcmSpan all = session.samples(0, session.framesDecoded());
    REQUIRE(all.frames == session.framesDecoded());
    std::vector<std::vector<float>> planes(static_cast<size_t>(channels));
    for (int c = 0; c < channels; ++c)
        planes[size_t(c)].assign(all.data[c], all.data[c] + all.frames);
    return test::MemoryPcm(session.info().sampleRate, std::move(planes));
}

} // namespace

TEST_CASE("the streaming decode gives the envelope and the loudness meter what a separate pass over its samples gives",
    "[MediaSession][analysis]")
{
    for (const char* name : {"speech-gaps.flac", "tone-stereo-44k.flac"}) {
        SECTION(name)
        {
            auto session = decoded(name);
            test::MemoryPcm pcm = inMemory(*session);
            EnergyEnvelope envelope;
            LoudnessMeter loudness;
            pcm.feed(envelope, 1000);
            pcm.feed(loudness, 1000);
            REQUIRE(session->envelope().hop() == envelope.hop());
            const std::vector<float>& streamed = session->envelope().levels();
            REQUIRE(streamed.size() == envelope.levels().size());
            for (size_t i = 0; i < streamed.size(); ++i) {
                INFO("block " << i << " of " << streamed.size());
                REQUIRE(streamed[i] == Approx(envelope.levels()[i]).margin(1e-4));
            }
            REQUIRE(session->loudness().momentary() == loudness.momentary());
            REQUIRE(session->loudness().shortTerm() == loudness.shortTerm());
            REQUIRE(session->loudness().integrated() == loudness.integrated());
            REQUIRE(session->loudness().range() == loudness.range());
        }
    }
}

TEST_CASE("pauses refined from the seekable copy have the edges of the samples in memory, and a boundary snaps to them",
    "[MediaSession][analysis]")
{
    auto session = decoded("speech-gaps.flac");
    test::MemoryPcm pcm = inMemory(*session);
    const PauseOptions options;
    const std::vector<Pause> expected = detectPauses(session->envelope(), options, &pcm);
    const std::vector<Pause> coarse = session->findPauses(options, false);
    const std::vector<Pause> found = session->findPauses(options, true);
    REQUIRE(found.size() == expected.size());
    REQUIRE(found.size() >= 2);   // the fixture's two gaps of 1.5 s
    for (size_t i = 0; i < found.size(); ++i) {
        CHECK(found[i].start == expected[i].start);
        CHECK(found[i].end == expected[i].end);
    }
    // Without the copy's samples the edges fall on the envelope's blocks.
    const int hop = session->envelope().hop();
    for (const Pause& p : coarse)
        CHECK((p.start % hop == 0 && (p.end % hop == 0 || p.end == session->framesDecoded())));

    const Pause& gap = found[found.size() > 2 ? 1 : 0];
    const SnapResult toEdge = session->snap(gap.end - 300, 2400, SnapPauseEdge);
    CHECK(toEdge.kind == SnapPauseEdge);
    CHECK(toEdge.frame == gap.end);
    const SnapResult none = session->snap(gap.end - 30000, 100, SnapPauseEdge);
    CHECK(none.kind == SnapNone);
    CHECK(none.frame == gap.end - 30000);
}

TEST_CASE("pitch computed in pieces, in any order, joins into the track of one pass over the samples in memory",
    "[MediaSession][analysis]")
{
    auto session = decoded("speech-gaps.flac");
    test::MemoryPcm pcm = inMemory(*session);
    PitchOptions options;
    options.floorHz = 75;
    options.ceilingHz = 500;
    const int rate = session->info().sampleRate;
    PitchTracker tracker(rate, options);
    const int64_t frames = session->framesDecoded();
    const PitchTrack whole = tracker.track(pcm, 0, frames);
    REQUIRE(session->pitchHop(options) == tracker.hop());
    const int64_t hop = tracker.hop();

    // A window in the middle first, then the rest from its end, then from the start: as the worker goes.
    const int64_t points = (frames + hop - 1) / hop;
    std::vector<float> hz(size_t(points), -1), clarity(size_t(points), -1);
    const int64_t a = points / 3, b = a + points / 10;
    for (auto [from, to] : {std::pair<int64_t, int64_t>{a, b}, {b, points}, {0, a}}) {
        for (int64_t i = from; i < to; i += 777) {
            const int64_t n = std::min<int64_t>(777, to - i);
            const PitchTrack piece = session->pitch(i * hop, n * hop, options);
            REQUIRE(piece.hop == hop);
            REQUIRE(piece.firstIndex == i);
            REQUIRE(int64_t(piece.hz.size()) == n);
            std::copy(piece.hz.begin(), piece.hz.end(), hz.begin() + i);
            std::copy(piece.clarity.begin(), piece.clarity.end(), clarity.begin() + i);
        }
    }
    REQUIRE(whole.firstIndex == 0);
    REQUIRE(whole.hz.size() == hz.size());
    CHECK(whole.hz == hz);
    CHECK(whole.clarity == clarity);
}
