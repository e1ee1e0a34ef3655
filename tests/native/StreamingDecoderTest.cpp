// SPDX-License-Identifier: MIT
#include "StreamingDecoder.h"
#include "MemoryReader.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

using namespace avseg;
using avseg::test::CollectingSink;

namespace {

struct Decoded {
    CollectingSink sink;
    MediaInfo info;
    std::vector<MediaProblem> problems;
};

Decoded decodeFile(const std::string& name, size_t chunk)
{
    Decoded d;
    const auto bytes = test::readBytes(test::fixture(name));
    MemoryReader whole(bytes); // as the browser attaches the downloaded file
    StreamingDecoder decoder(d.sink, nullptr);
    decoder.setWholeFile(&whole);
    test::streamInto(decoder, bytes, chunk);
    d.info = decoder.info();
    d.problems = decoder.problems();
    return d;
}

ErrorCode errorOf(const std::string& name)
{
    try {
        decodeFile(name, 65536);
    } catch (const MediaError& e) {
        return e.code();
    }
    return ErrorCode::None;
}

} // namespace

TEST_CASE("every supported format decodes to ffprobe's sample count, rate and channels", "[StreamingDecoder]")
{
    const auto files = test::manifest()["files"];
    int checked = 0;
    for (const auto& f : files) {
        const std::string name = f["file"];
        const auto& audio = f["audio"];
        if (audio.is_null() || audio["decodeErrors"].get<bool>() || audio["ffprobeFrames"].get<int64_t>() == 0
            || name.rfind("unsupported", 0) == 0 || name.rfind("truncated", 0) == 0)
            continue;
        SECTION(name)
        {
            const Decoded d = decodeFile(name, 65536);
            CHECK(d.info.sampleRate == audio["sampleRate"].get<int>());
            CHECK(d.info.channels == audio["channels"].get<int>());
            CHECK(int64_t(d.sink.frames()) == audio["ffprobeFrames"].get<int64_t>());
            CHECK(d.problems.empty());
            CHECK(d.sink.starts == 1);
            CHECK(d.sink.dones == 1);
        }
        ++checked;
    }
    REQUIRE(checked >= 15);
}

TEST_CASE("the PCM does not depend on how the bytes arrive", "[StreamingDecoder]")
{
    for (const char* name : {"speech-gaps.mp3", "speech-gaps.ogg", "speech-gaps.aac.m4a", "speech-gaps.pcm_s24le.wav"}) {
        SECTION(name)
        {
            const Decoded whole = decodeFile(name, 1 << 30);
            const Decoded trickle = decodeFile(name, 1000);
            REQUIRE(whole.sink.frames() == trickle.sink.frames());
            REQUIRE(whole.sink.pcm == trickle.sink.pcm);
        }
    }
}

TEST_CASE("decoding starts before the download ends and holds only the read-ahead", "[StreamingDecoder]")
{
    const auto bytes = test::readBytes(test::fixture("speech-gaps.pcm_f32le.wav"));
    REQUIRE(bytes.size() > 1000000);
    CollectingSink sink;
    StreamingDecoder::Options options;
    options.probeBytes = 64 * 1024;
    options.readAhead = 128 * 1024;
    StreamingDecoder decoder(sink, nullptr, options);
    const size_t half = bytes.size() / 2;
    size_t maxHeld = 0;
    for (size_t at = 0; at < half; at += 16384) {
        decoder.push(bytes.data() + at, 16384);
        while (decoder.pump(8) == StreamingDecoder::State::Decoding) {
        }
        maxHeld = std::max(maxHeld, decoder.bytesHeld());
    }
    CHECK(decoder.opened());
    CHECK(sink.frames() > 100000);
    CHECK(maxHeld < 400 * 1024);
}

TEST_CASE("silent gaps decode as silence at their exact sample positions", "[StreamingDecoder]")
{
    std::ifstream in(test::fixture("speech-gaps.json"));
    const auto layout = nlohmann::json::parse(in);
    for (const char* name : {"speech-gaps.flac", "speech-gaps.pcm_s16le.wav", "speech-gaps.alac.m4a"}) {
        const Decoded d = decodeFile(name, 32768);
        REQUIRE(int64_t(d.sink.frames()) == layout["frames"].get<int64_t>());
        for (const auto& gap : layout["silence"]) {
            const int64_t a = gap[0], b = gap[1];
            for (int64_t i = a; i < b; ++i)
                REQUIRE(d.sink.pcm[0][i] == 0.0f);
            REQUIRE(d.sink.pcm[0][a - 1] != 0.0f);
            REQUIRE(d.sink.pcm[0][b] != 0.0f);
        }
    }
}

TEST_CASE("bad input fails with a specific code", "[StreamingDecoder]")
{
    CHECK(errorOf("empty.wav") == ErrorCode::EmptyMedia);
    CHECK(errorOf("header-only.wav") == ErrorCode::EmptyMedia);
    CHECK(errorOf("garbage.bin") == ErrorCode::UnsupportedFormat);
    CHECK(errorOf("notmedia.txt") == ErrorCode::UnsupportedFormat);
}

TEST_CASE("truncated and damaged files keep what decodes and say what is wrong", "[StreamingDecoder]")
{
    for (const char* name : {"truncated.wav", "truncated.mp3"}) {
        SECTION(name)
        {
            const Decoded d = decodeFile(name, 65536);
            CHECK(d.sink.frames() > 10000);
            REQUIRE(d.problems.size() == 1);
            CHECK(d.problems[0].code == ErrorCode::TruncatedMedia);
            CHECK(d.problems[0].message.find("truncated") != std::string::npos);
        }
    }
    const Decoded corrupt = decodeFile("corrupt.mp3", 65536);
    CHECK(corrupt.sink.frames() > 100000);
    bool damaged = false;
    for (const auto& p : corrupt.problems)
        damaged |= p.code == ErrorCode::CorruptMedia;
    CHECK(damaged);
}

TEST_CASE("a packet larger than the read-ahead stops the stream and decoding continues from the whole file", "[StreamingDecoder]")
{
    // Ogg pages of several KiB against a 4 KiB read-ahead.
    const auto bytes = test::readBytes(test::fixture("speech-gaps.ogg"));
    test::CollectingSink whole;
    {
        StreamingDecoder decoder(whole, nullptr);
        test::streamInto(decoder, bytes, bytes.size());
    }
    StreamingDecoder::Options options;
    options.probeBytes = 4096;
    options.readAhead = 4096;
    test::CollectingSink sink;
    SeekIndex index;
    StreamingDecoder decoder(sink, &index, options);
    MemoryReader copy(bytes);
    decoder.setWholeFile(&copy);
    test::streamInto(decoder, bytes, 1000);
    REQUIRE(decoder.stalled());
    REQUIRE(sink.frames() == whole.frames());
    CHECK(decoder.problems().empty());
    // Lossy: the continuation may differ in the last bits right after the stop, never in position.
    for (size_t i = 0; i < whole.frames(); ++i)
        REQUIRE(std::abs(sink.pcm[0][i] - whole.pcm[0][i]) < 2e-3f);
}

TEST_CASE("without a whole copy, a stopped stream fails clearly instead of waiting forever", "[StreamingDecoder]")
{
    const auto bytes = test::readBytes(test::fixture("speech-gaps.ogg"));
    StreamingDecoder::Options options;
    options.probeBytes = 4096;
    options.readAhead = 4096;
    test::CollectingSink sink;
    StreamingDecoder decoder(sink, nullptr, options);
    REQUIRE_THROWS_AS(test::streamInto(decoder, bytes, 1000), MediaError);
}

namespace {

// A file in memory that counts the bytes read from it, as a Range-request reader would fetch them.
class CountingReader : public MemoryReader {
public:
    using MemoryReader::MemoryReader;
    size_t read(uint8_t* dst, size_t n) override
    {
        const size_t got = MemoryReader::read(dst, n);
        bytesRead += static_cast<int64_t>(got);
        return got;
    }
    int64_t bytesRead = 0;
};

} // namespace

TEST_CASE("decoding from a seekable source gives the same PCM, and an MP4's pictures are not read", "[StreamingDecoder]")
{
    for (const std::string name : {"speech-gaps.aac.m4a", "speech-gaps.mp3", "speech-gaps.flac", "speech-gaps.opus.webm", "speech-gaps.wav", "big-video.mp4"}) {
        INFO(name);
        const Decoded pushed = decodeFile(name, 65536);
        CountingReader source(test::readBytes(test::fixture(name)));
        const int64_t size = source.size();
        test::CollectingSink sink;
        StreamingDecoder decoder(sink, nullptr);
        decoder.openSeekable(source);
        while (decoder.pump(64) != StreamingDecoder::State::Done) {
        }
        CHECK(sink.pcm == pushed.sink.pcm);
        CHECK(decoder.problems().empty());
        if (name == "big-video.mp4") {
            INFO(source.bytesRead << " of " << size << " bytes read");
            CHECK(source.bytesRead < size / 5);
        }
    }
}
