// SPDX-License-Identifier: MIT
// Peaks files as BBC audiowaveform 1.10 writes them (built byte by byte after its documented
// format: doc/peak-formats.md) and as avseg-cli writes them, read back; each kind of bad file
// refused with what is wrong; precomputed peaks that do not fit the media found out, and never
// drawn once the decode is done.
#include "AudiowaveformData.h"
#include "AudiowaveformReader.h"
#include "MediaSession.h"
#include "MemoryReader.h"
#include "StreamingDecoder.h"
#include "GeneratedPeaks.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace avseg;
using namespace avseg::test;

namespace {

void put32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(uint8_t(v >> (8 * i)));
}

// A .dat file laid out as audiowaveform writes it: version, flags (bit 0: 8-bit), sample rate,
// samples per pixel, length, (version 2) channels, then the values little-endian.
std::vector<uint8_t> dat(int version, int bits, int rate, int spp, uint32_t length, int channels, const std::vector<int>& values)
{
    std::vector<uint8_t> out;
    put32(out, uint32_t(version));
    put32(out, bits == 8 ? 1u : 0u);
    put32(out, uint32_t(rate));
    put32(out, uint32_t(spp));
    put32(out, length);
    if (version == 2)
        put32(out, uint32_t(channels));
    for (int v : values) {
        out.push_back(uint8_t(v & 0xff));
        if (bits == 16)
            out.push_back(uint8_t((v >> 8) & 0xff));
    }
    return out;
}

// audiowaveform 1.10's JSON: one line, no spaces, keys in this order, and a newline at the end.
std::string json(int channels, int rate, int spp, int bits, int length, const std::vector<int>& values)
{
    std::string out = "{\"version\":2,\"channels\":" + std::to_string(channels) + ",\"sample_rate\":" + std::to_string(rate)
        + ",\"samples_per_pixel\":" + std::to_string(spp) + ",\"bits\":" + std::to_string(bits) + ",\"length\":" + std::to_string(length)
        + ",\"data\":[";
    for (size_t i = 0; i < values.size(); ++i)
        out += (i ? "," : "") + std::to_string(values[i]);
    return out + "]}\n";
}

AudiowaveformRead read(const std::vector<uint8_t>& bytes)
{
    return readAudiowaveform(bytes.data(), bytes.size());
}

AudiowaveformRead read(const std::string& text)
{
    return readAudiowaveform(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

std::string refusal(const AudiowaveformRead& r)
{
    REQUIRE_FALSE(r.ok);
    REQUIRE(r.data.empty());
    return r.error;
}


} // namespace

TEST_CASE("a version 2 .dat of 16-bit stereo peaks reads its header and every value", "[AudiowaveformReader]")
{
    const std::vector<int> values{-32768, 32767, -1, 1, -300, 200, 0, 0, -12345, 23456, -2, 3};
    const AudiowaveformRead r = read(dat(2, 16, 44100, 512, 3, 2, values));
    REQUIRE(r.ok);
    CHECK(r.header.version == 2);
    CHECK(r.header.bits == 16);
    CHECK(r.header.sampleRate == 44100);
    CHECK(r.header.samplesPerPixel == 512);
    CHECK(r.header.channels == 2);
    CHECK(r.header.length == 3);
    CHECK_FALSE(r.header.json);
    REQUIRE(r.data == std::vector<int16_t>(values.begin(), values.end()));
}

TEST_CASE("a version 1 .dat (20-byte header, one channel) of 8-bit peaks reads as 16-bit values times 256", "[AudiowaveformReader]")
{
    const AudiowaveformRead r = read(dat(1, 8, 48000, 256, 2, 1, {-128, 127, -3, 5}));
    REQUIRE(r.ok);
    CHECK(r.header.version == 1);
    CHECK(r.header.bits == 8);
    CHECK(r.header.channels == 1);
    REQUIRE(r.data == std::vector<int16_t>{-32768, 32512, -768, 1280});
}

TEST_CASE("audiowaveform's JSON reads, as written and with leading whitespace, a byte order mark or its documentation's layout", "[AudiowaveformReader]")
{
    const std::string written = json(2, 48000, 512, 8, 3, {-65, 63, -66, 64, -40, 41, -39, 45, -55, 43, -55, 44});
    const std::string documented = "{\n  \"version\": 2,\n  \"channels\": 2,\n  \"sample_rate\": 48000,\n  \"samples_per_pixel\": 512,\n"
                                   "  \"bits\": 8,\n  \"length\": 3,\n  \"data\": [-65,63,-66,64,-40,41,-39,45,-55,43,-55,44]\n}\n";
    for (const std::string& text : {written, " \t\r\n" + written, "\xEF\xBB\xBF" + written, "\xEF\xBB\xBF\n  " + written, documented}) {
        CAPTURE(text.substr(0, 12));
        const AudiowaveformRead r = read(text);
        REQUIRE(r.ok);
        CHECK(r.header.json);
        CHECK(r.header.channels == 2);
        CHECK(r.header.sampleRate == 48000);
        CHECK(r.header.samplesPerPixel == 512);
        CHECK(r.header.length == 3);
        REQUIRE(r.data.size() == 12);
        CHECK(r.data[0] == -65 * 256);
        CHECK(r.data[11] == 44 * 256);
    }
    // Before 1.3 audiowaveform wrote neither version nor channels: one channel.
    const AudiowaveformRead old = read(std::string("{\"sample_rate\":8000,\"samples_per_pixel\":80,\"bits\":16,\"length\":1,\"data\":[-7,9]}\n"));
    REQUIRE(old.ok);
    CHECK(old.header.version == 1);
    CHECK(old.header.channels == 1);
    CHECK(old.data == std::vector<int16_t>{-7, 9});
}

TEST_CASE("avseg-cli's own .dat and JSON, 8 and 16 bits, mixed down and split, read back as written", "[AudiowaveformReader]")
{
    for (const auto& [name, split] : std::vector<std::pair<std::string, bool>>{{"speech-gaps.wav", false}, {"tone-stereo-44k.flac", true},
                                                                                 {"tone-stereo-44k.flac", false}}) {
        const AudiowaveformData peaks = generatedPeaks(name, 300, split);
        for (int bits : {8, 16}) {
            CAPTURE(name, split, bits);
            std::vector<int16_t> expected(peaks.data);
            if (bits == 8)
                for (int16_t& v : expected)
                    v = int16_t(v / 256 * 256);
            const std::vector<uint8_t> binary = audiowaveformDat(peaks, bits);
            const std::string text = audiowaveformJson(peaks, bits);
            for (const AudiowaveformRead& r : {read(binary), read(text)}) {
                REQUIRE(r.ok);
                CHECK(r.header.version == 2);
                CHECK(r.header.bits == bits);
                CHECK(r.header.sampleRate == peaks.sampleRate);
                CHECK(r.header.samplesPerPixel == 300);
                CHECK(r.header.channels == peaks.channels);
                CHECK(r.header.length == int64_t(peaks.length()));
                CHECK(r.data == expected);
            }
        }
    }
}

TEST_CASE("a peaks file of no pixels (audiowaveform's output for empty input) is refused as such", "[AudiowaveformReader]")
{
    CHECK_THAT(refusal(read(dat(2, 8, 44100, 256, 0, 1, {}))), Catch::Contains("length is 0: the file holds no peaks"));
    CHECK_THAT(refusal(read(dat(1, 16, 44100, 256, 0, 1, {}))), Catch::Contains("length is 0: the file holds no peaks"));
    CHECK_THAT(refusal(read(json(1, 44100, 256, 8, 0, {}))), Catch::Contains("\"length\" is 0: the file holds no peaks"));
}

TEST_CASE("JSON with leading whitespace is never taken for a .dat of some version", "[AudiowaveformReader]")
{
    // What the JavaScript reader said for this: "version 2064261152 is not 1 or 2".
    const std::string bad = "  \n{\"version\":2,\"channels\":1,\"sample_rate\":44100,\"samples_per_pixel\":256,\"bits\":8,\"length\":1,\"data\":[1]}";
    const std::string why = refusal(read(bad));
    CHECK_THAT(why, Catch::Contains("\"data\" holds 1 values, but \"length\" 1 x 1 channel x 2 (min, max) is 2"));
    CHECK_THAT(why, !Catch::Contains("version"));
    CHECK_THAT(refusal(read(std::string("\n{\"version\":2,"))), Catch::StartsWith("the JSON is not valid JSON"));
    CHECK(refusal(read(std::string(" \r\n\t"))) == "the file holds only whitespace");
}

TEST_CASE("8-bit values outside -128..127 and 16-bit ones outside -32768..32767 are refused, naming the value", "[AudiowaveformReader]")
{
    CHECK(refusal(read(json(1, 44100, 256, 8, 2, {-5, 5, -128, 128}))) == "the JSON's data[3] is 128, outside -128..127 for 8-bit peaks");
    CHECK(refusal(read(json(1, 44100, 256, 8, 1, {-129, 5}))) == "the JSON's data[0] is -129, outside -128..127 for 8-bit peaks");
    CHECK(refusal(read(json(1, 44100, 256, 16, 1, {-32769, 5}))) == "the JSON's data[0] is -32769, outside -32768..32767 for 16-bit peaks");
    CHECK(refusal(read(json(1, 44100, 256, 16, 1, {0, 40000}))) == "the JSON's data[1] is 40000, outside -32768..32767 for 16-bit peaks");
    CHECK(refusal(read(std::string("{\"version\":2,\"channels\":1,\"sample_rate\":44100,\"samples_per_pixel\":256,\"bits\":8,\"length\":1,\"data\":[1.5,2]}")))
          == "the JSON's data[0] is 1.5, not an integer");
    // The extremes themselves are values.
    REQUIRE(read(json(1, 44100, 256, 8, 1, {-128, 127})).ok);
    REQUIRE(read(json(1, 44100, 256, 16, 1, {-32768, 32767})).ok);
}

TEST_CASE("integers at or past 2^63 and below -2^63 are refused as out of range, never wrapped to small values", "[AudiowaveformReader]")
{
    auto data = [](int bits, const std::string& values) {
        return read("{\"version\":2,\"channels\":1,\"sample_rate\":44100,\"samples_per_pixel\":256,\"bits\":" + std::to_string(bits)
            + ",\"length\":1,\"data\":[" + values + "]}");
    };
    // 2^64 - 1 read as an int64 is -1, 2^64 - 128 is -128: both would pass as peaks.
    CHECK(refusal(data(8, "0,18446744073709551615")) == "the JSON's data[1] is 18446744073709551615, outside -128..127 for 8-bit peaks");
    CHECK(refusal(data(8, "18446744073709551488,0")) == "the JSON's data[0] is 18446744073709551488, outside -128..127 for 8-bit peaks");
    CHECK(refusal(data(16, "0,9223372036854775808")) == "the JSON's data[1] is 9223372036854775808, outside -32768..32767 for 16-bit peaks");
    CHECK(refusal(data(16, "-9223372036854775808,0")) == "the JSON's data[0] is -9223372036854775808, outside -32768..32767 for 16-bit peaks");
    // Past 64 bits nlohmann reads a number as a float; it is still an integer, quoted as written.
    CHECK(refusal(data(16, "-9223372036854775809,0")) == "the JSON's data[0] is -9223372036854775809, outside -32768..32767 for 16-bit peaks");
    CHECK(refusal(data(16, "0,36893488147419103232")) == "the JSON's data[1] is 36893488147419103232, outside -32768..32767 for 16-bit peaks");
    CHECK(refusal(data(16, "0,1e3")) == "the JSON's data[1] is 1000.0, not an integer");
    // The header's integers neither.
    CHECK(refusal(read(std::string("{\"version\":2,\"channels\":1,\"sample_rate\":18446744073709551615,\"samples_per_pixel\":256,\"bits\":16,\"length\":1,\"data\":[0,0]}")))
          == "the JSON's \"sample_rate\" is 18446744073709551615, past the largest 64-bit integer");
    CHECK(refusal(read(std::string("{\"version\":2,\"channels\":1,\"sample_rate\":44100,\"samples_per_pixel\":256,\"bits\":16,\"length\":18446744073709551615,\"data\":[0,0]}")))
          == "the JSON's \"length\" is 18446744073709551615, past the largest 64-bit integer");
}

TEST_CASE("each bad .dat is refused with what is wrong", "[AudiowaveformReader]")
{
    CHECK(refusal(read(std::vector<uint8_t>{})) == "the file is empty (0 bytes)");
    CHECK(refusal(read(std::vector<uint8_t>{2, 0, 0})) == "the file is too short for a header");
    CHECK(refusal(read(std::vector<uint8_t>{2, 0, 0, 0, 1, 0, 0, 0})) == "the file is too short for a header");
    const std::vector<uint8_t> v1 = dat(1, 8, 44100, 256, 1, 1, {0, 0});
    CHECK(refusal(read(std::vector<uint8_t>(v1.begin(), v1.begin() + 19))) == "the file is too short for a header");
    CHECK_THAT(refusal(read(dat(3, 8, 44100, 256, 1, 1, {0, 0}))), Catch::Contains("version 3"));
    CHECK_THAT(refusal(read(dat(2, 8, 0, 256, 1, 1, {0, 0}))), Catch::Contains("sample rate is 0, not 1 Hz or more"));
    CHECK_THAT(refusal(read(dat(2, 8, 44100, 0, 1, 1, {0, 0}))), Catch::Contains("samples per pixel is 0"));
    CHECK_THAT(refusal(read(dat(2, 8, 44100, 256, 1, 0, {}))), Catch::Contains("channel count is 0, not 1 to 64"));
    CHECK_THAT(refusal(read(dat(2, 8, 44100, 256, 1, -1, {0, 0}))), Catch::Contains("channel count is -1"));
    // Short by one byte, and one byte over.
    CHECK_THAT(refusal(read(dat(2, 16, 44100, 256, 2, 1, {1, 2, 3}))),
               Catch::Contains("says 2 pixels of 1 channel at 16 bits (8 bytes of data), but the file holds 6 bytes after the header"));
    std::vector<uint8_t> over = dat(2, 8, 44100, 256, 1, 2, {1, 2, 3, 4});
    over.push_back(0);
    CHECK_THAT(refusal(read(over)), Catch::Contains("(4 bytes of data), but the file holds 5 bytes"));
    // A length near 2^32 with many channels is refused without allocating.
    CHECK_THAT(refusal(read(dat(2, 16, 44100, 256, 0xffffffffu, 64, {0, 0}))), Catch::Contains("4294967295 pixels of 64 channels"));
}

TEST_CASE("each bad JSON is refused with what is wrong", "[AudiowaveformReader]")
{
    const std::string head = "{\"version\":2,\"channels\":1,\"sample_rate\":44100,\"samples_per_pixel\":256,";
    CHECK(refusal(read(std::string("{\"version\":2,\"channels\":1,\"samples_per_pixel\":256,\"bits\":8,\"length\":1,\"data\":[0,0]}")))
          == "the JSON has no \"sample_rate\"");
    CHECK(refusal(read(head + "\"bits\":12,\"length\":1,\"data\":[0,0]}")) == "the JSON's \"bits\" is 12, not 8 or 16");
    CHECK(refusal(read(head + "\"bits\":\"8\",\"length\":1,\"data\":[0,0]}")) == "the JSON's \"bits\" is \"8\", not an integer");
    CHECK(refusal(read(std::string("{\"version\":3,\"sample_rate\":1,\"samples_per_pixel\":2,\"bits\":8,\"length\":1,\"data\":[0,0]}")))
          == "the JSON's \"version\" is 3, not 1 or 2");
    CHECK(refusal(read(head + "\"bits\":8,\"length\":-1,\"data\":[0,0]}")) == "the JSON's \"length\" is -1, not 0 to 4294967295");
    CHECK(refusal(read(head + "\"bits\":8,\"length\":1}")) == "the JSON has no \"data\"");
    CHECK(refusal(read(head + "\"bits\":8,\"length\":1,\"data\":{}}")) == "the JSON's \"data\" is not an array");
    CHECK(refusal(read(head + "\"bits\":8,\"length\":2,\"data\":[0,0]}"))
          == "the JSON's \"data\" holds 2 values, but \"length\" 2 x 1 channel x 2 (min, max) is 4");
    CHECK_THAT(refusal(read(head + "\"bits\":8,\"bits\":16,\"length\":1,\"data\":[0,0]}")), Catch::Contains("bits appears twice"));
    CHECK_THAT(refusal(read(head + "\"bits\":8,\"length\":1,\"data\":[0,0]")), Catch::StartsWith("the JSON is not valid JSON"));
    CHECK(refusal(read(std::string("{\"version\":2,\"channels\":0,\"sample_rate\":44100,\"samples_per_pixel\":256,\"bits\":8,\"length\":1,\"data\":[]}")))
          == "the JSON's \"channels\" is 0, not 1 to 64");
}

TEST_CASE("peaks that do not fit the media are found out: channels, sample rate, length beyond the rounded-up last pixel", "[AudiowaveformReader]")
{
    AudiowaveformHeader h;
    h.channels = 1;
    h.sampleRate = 44100;
    h.samplesPerPixel = 256;
    h.length = 517;   // ceil(132300 / 256)
    CHECK(audiowaveformMismatch(h, 1, 44100, 132300).empty());
    CHECK(audiowaveformMismatch(h, 1, 44100, 516 * 256 + 1).empty());
    CHECK(audiowaveformMismatch(h, 1, 44100, -1).empty());
    CHECK(audiowaveformMismatch(h, 2, 44100, 132300).empty());   // mixed down: the tools' default
    CHECK(audiowaveformMismatch(h, 1, 48000, 132300) == "they are for 44100 Hz, the media is 48000 Hz");
    CHECK(audiowaveformMismatch(h, 1, 44100, 516 * 256) == "they are 517 pixels of 256 samples, but the media's 132096 samples make 516");
    CHECK(audiowaveformMismatch(h, 1, 44100, 517 * 256 + 1) == "they are 517 pixels of 256 samples, but the media's 132353 samples make 518");
    h.channels = 2;
    CHECK(audiowaveformMismatch(h, 1, 44100, 132300) == "they have 2 channels, the media 1");
    CHECK(audiowaveformMismatch(h, 1, 22050, 132300) == "they have 2 channels, the media 1; they are for 44100 Hz, the media is 22050 Hz");
}

namespace {

// The media decoded through a session (the worker's streamed path), seeded with `peaks` first.
std::unique_ptr<MediaSession> decodedWith(const std::string& name, const AudiowaveformData* peaks, int& pumpsBefore)
{
    auto session = std::make_unique<MediaSession>();
    if (peaks)
        REQUIRE(session->seedPeaks(peaks->data.data(), peaks->data.size(), peaks->channels, peaks->sampleRate, peaks->samplesPerPixel));
    const auto bytes = readBytes(fixture(name));
    session->push(bytes.data(), bytes.size());
    session->finish();
    pumpsBefore = 0;
    while (session->pump(8) != StreamingDecoder::State::Done)
        pumpsBefore += session->previewShown() ? 1 : 0;
    return session;
}

std::vector<uint8_t> drawn(MediaSession& session, double framesPerPixel)
{
    const int width = 300, height = 80;
    std::vector<uint8_t> pixels(size_t(width * height * 4));
    RgbaImage image{pixels.data(), width, height, width * 4};
    session.render(image, WaveformView{double(session.peaks().frames() / 3), framesPerPixel}, WaveformStyle{}, false);
    return pixels;
}

} // namespace

TEST_CASE("once decoded, the media's own waveform is drawn in place of precomputed peaks that round their last pixel up", "[AudiowaveformReader][MediaSession]")
{
    struct Case {
        std::string media;
        std::string peaksFrom;
        int spp;
        bool split;
        std::string mismatch;
    };
    for (const Case& c : std::vector<Case>{
             {"tone-stereo-44k.flac", "tone-stereo-44k.flac", 256, false, ""},
             {"speech-gaps.flac", "tone-stereo-44k.flac", 256, true, "they have 2 channels, the media 1; they are for 44100 Hz, the media is 48000 Hz"},
             {"speech-gaps.flac", "speech-gaps.wav", 1000, false, ""},
             {"tone-stereo-44k.flac", "tone-stereo-44k.flac", 512, true, ""}}) {
        CAPTURE(c.media, c.peaksFrom, c.spp, c.split);
        const AudiowaveformData peaks = generatedPeaks(c.peaksFrom, c.spp, c.split);
        int shown = 0, unused = 0;
        const auto seeded = decodedWith(c.media, &peaks, shown);
        const auto plain = decodedWith(c.media, nullptr, unused);
        const bool sameRate = c.mismatch.find("Hz") == std::string::npos;
        // The peaks cover more than the media (the last pixel rounded up) ...
        if (sameRate)
            REQUIRE(seeded->previewPeaks().frames() > seeded->peaks().frames());
        // ... yet once done the decode's waveform is drawn, at every scale.
        CHECK_FALSE(seeded->previewShown());
        for (double fpp : {256.0, 1024.0, 8192.0})
            CHECK(drawn(*seeded, fpp) == drawn(*plain, fpp));
        CHECK(seeded->peaksMismatch() == c.mismatch);
        // At the media's rate they stood in while it decoded; at another rate not once it was open.
        if (sameRate)
            CHECK(shown > 0);
        else
            CHECK(shown == 0);
    }
}

TEST_CASE("before the media is open, seeded peaks are drawn and nothing is said about them", "[AudiowaveformReader][MediaSession]")
{
    const AudiowaveformData peaks = generatedPeaks("tone-stereo-44k.flac", 256, false);
    MediaSession session;
    REQUIRE(session.seedPeaks(peaks.data.data(), peaks.data.size(), peaks.channels, peaks.sampleRate, peaks.samplesPerPixel));
    CHECK(session.previewShown());
    CHECK(session.peaksMismatch().empty());
}

TEST_CASE("JSON read as it streams keeps StrictJson's refusals: a key twice at any depth, nesting too deep, broken UTF-8, junk quoted whole", "[AudiowaveformReader]")
{
    const std::string head = "{\"version\":2,\"channels\":1,\"sample_rate\":44100,\"samples_per_pixel\":256,\"bits\":8,\"length\":1,";
    CHECK(refusal(read(head + "\"data\":[0,0],\"extra\":{\"a\":1,\"a\":2}}")) == "the JSON extra.a appears twice in the same object");
    CHECK(refusal(read(head + "\"data\":[0,{\"k\":1,\"k\":2}]}")) == "the JSON data[1].k appears twice in the same object");
    CHECK(refusal(read(head + "\"data\":[0,0],\"data\":[0,0]}")) == "the JSON data appears twice in the same object");
    // 64 levels are the most: the top-level object and 63 arrays; the 64th array is refused.
    std::string where = "the JSON extra";
    for (int i = 0; i < 63; ++i)
        where += "[0]";
    CHECK(refusal(read(head + "\"data\":[0,0],\"extra\":" + std::string(64, '[') + std::string(64, ']') + "}"))
          == where + " nested too deeply (more than 64 levels)");
    CHECK(refusal(read(head + "\"data\":[0,0],\"note\":\"\xFF\"}")) == "the JSON is not valid UTF-8 (byte 0xFF at line 1, column 112)");
    // Junk where a value goes is quoted as it reads; a later syntax error still comes first.
    CHECK(refusal(read(head + "\"data\":[0,{\"x\":[1,\"y\",null]}],\"z\":true}")) == "the JSON's data[1] is {\"x\":[1,\"y\",null]}, not an integer");
    CHECK(refusal(read(head + "\"data\":[[],300]}")) == "the JSON's data[0] is [], not an integer");
    CHECK(refusal(read(std::string("{\"version\":2,\"channels\":1,\"sample_rate\":44100,\"samples_per_pixel\":256,\"bits\":{\"a\":[1]},\"length\":1,\"data\":[0,0]}")))
          == "the JSON's \"bits\" is {\"a\":[1]}, not an integer");
    CHECK_THAT(refusal(read(head + "\"data\":[1.5,0]")), Catch::StartsWith("the JSON is not valid JSON"));
    // Whatever order the members come in.
    const AudiowaveformRead r = read(std::string("{\"data\":[-3,4],\"x\":[{}],\"length\":1,\"bits\":8,\"samples_per_pixel\":256,\"sample_rate\":44100}"));
    REQUIRE(r.ok);
    CHECK(r.data == std::vector<int16_t>{-768, 1024});
}

TEST_CASE("a million-value JSON reads to the same header and values as the .dat of the same peaks", "[AudiowaveformReader]")
{
    for (int bits : {16, 8}) {
        CAPTURE(bits);
        const int channels = 2, length = 250000;
        std::vector<int> values(size_t(length) * channels * 2);
        uint32_t seed = 12345;
        for (int& v : values) {
            seed = seed * 1664525u + 1013904223u;
            v = bits == 8 ? int(seed >> 24) - 128 : int(seed >> 16) - 32768;
        }
        const AudiowaveformRead fromJson = read(json(channels, 44100, 256, bits, length, values));
        const AudiowaveformRead fromDat = read(dat(2, bits, 44100, 256, uint32_t(length), channels, values));
        REQUIRE(fromJson.ok);
        REQUIRE(fromDat.ok);
        CHECK(fromJson.header.bits == fromDat.header.bits);
        CHECK(fromJson.header.channels == fromDat.header.channels);
        CHECK(fromJson.header.length == fromDat.header.length);
        CHECK(fromJson.header.sampleRate == fromDat.header.sampleRate);
        CHECK(fromJson.header.samplesPerPixel == fromDat.header.samplesPerPixel);
        REQUIRE(fromJson.data.size() == values.size());
        CHECK(fromJson.data == fromDat.data);
    }
}
