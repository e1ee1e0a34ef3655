// SPDX-License-Identifier: MIT
#include "AnnotationDocument.h"
#include "LabelConfig.h"

#include <catch2/catch.hpp>

#include <chrono>

using namespace avseg;
using nlohmann::json;

TEST_CASE("write then read is lossless, hostile text included", "[AnnotationDocument]")
{
    AnnotationModel m;
    m.setTimebase(44100, 44100 * 5);
    const std::string track = m.addTrack("speaker", "<img src=x onerror=alert(1)>").id;
    REQUIRE(m.addSegment(track, 441, 88200, {{"transcription", "\"quoted\" \u05e9\u05dc\u05d5\u05dd \xF0\x9F\x90\x95 </script>"}, {"emotion", "Sad"}}).ok);
    REQUIRE(m.setClassification("speech", "speech").ok);
    AnnotationDocument doc;
    doc.media = {{"url", "s3://bucket/clip.wav"}, {"duration", 5.0}};
    doc.taskId = "task-7";
    const json written = doc.write(m);
    CHECK(written["format"] == "avseg.annotation");
    CHECK(written["version"] == 1);

    AnnotationModel loaded;
    AnnotationDocument back;
    back.read(json::parse(written.dump()), loaded);
    CHECK(back.write(loaded) == written);
    CHECK(back.taskId == "task-7");
    CHECK(loaded.tracks()[0].tag == "<img src=x onerror=alert(1)>");
}

TEST_CASE("a document from a newer version or of another kind is refused, and the model kept", "[AnnotationDocument]")
{
    AnnotationModel m;
    m.setTimebase(8000, 8000);
    REQUIRE(m.addTrack("a", "b").ok);
    const json before = m.toJson();
    AnnotationDocument doc;
    auto error = [&](const json& d) {
        try {
            doc.read(d, m);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error({{"format", "something"}, {"version", 1}}) == "format: must be \"avseg.annotation\"");
    CHECK(error({{"format", "avseg.annotation"}, {"version", 7}}).find("newer avseg") != std::string::npos);
    CHECK(error({{"format", "avseg.annotation"}, {"version", 18446744073709551615ull}}).find("newer avseg (version 18446744073709551615)") != std::string::npos);
    CHECK(error({{"format", "avseg.annotation"}, {"version", 0}}) == "version: must be 1 or more (got 0)");
    CHECK(error({{"format", "avseg.annotation"}, {"version", -3}}) == "version: must be 1 or more (got -3)");
    CHECK(error({{"format", "avseg.annotation"}, {"version", 1}, {"segments", {{{"id", "s"}, {"track", "nope"}, {"start", 0}, {"end", 5}}}}})
        == "segments[0]: there is no track 'nope'");
    CHECK(error({{"format", "avseg.annotation"}, {"version", 1}, {"tracks", {{{"id", "t1"}, {"category", "speaker"}, {"tag", "A"}}, {{"id", "t2"}, {"category", "speaker"}, {"tag", "A"}}}}})
        == "tracks[1]: a second track 'speaker: A' (the first is tracks[0])");
    CHECK(m.toJson() == before);
}

namespace {

// The message readText gives for `text`, or "" when it reads; the model must be kept on refusal.
std::string refusal(const std::string& text)
{
    AnnotationModel m;
    m.setTimebase(8000, 8000);
    REQUIRE(m.addTrack("speaker", "A").ok);
    const json before = m.toJson();
    AnnotationDocument doc;
    try {
        doc.readText(text, m);
    } catch (const ConfigError& e) {
        CHECK(m.toJson() == before);
        CHECK_NOTHROW(json(std::string(e.what())).dump());   // the message itself is valid UTF-8
        return e.what();
    }
    return {};
}

const std::string kHead = R"({"format": "avseg.annotation", "version": 1, "tracks": [{"id": "t1", "category": "speaker", "tag": "A"}], )";

} // namespace

TEST_CASE("document text is read strictly: a repeated key is refused with its place", "[AnnotationDocument]")
{
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "start": 0, "end": 800, "end": 80}]})")
        == "segments[0].end: appears twice in the same object");
    CHECK(refusal(R"({"format": "avseg.annotation", "version": 1, "version": 1})") == "version: appears twice in the same object");
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "start": 0, "end": 800, "fields": {"text": "a", "text": "b"}}]})")
        == "segments[0].fields.text: appears twice in the same object");
}

TEST_CASE("document text is read strictly: nesting deeper than the limit is refused before it is built", "[AnnotationDocument]")
{
    std::string nested = "1";
    for (int i = 0; i < 70; ++i)
        nested = "[" + nested + "]";
    std::string at = "segments[0].fields.x";
    for (int i = 0; i < 60; ++i)
        at += "[0]";
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "start": 0, "end": 800, "fields": {"x": )" + nested + "}}]}")
        == at + ": nested too deeply (more than 64 levels)");
    // A bomb far beyond any stack: refused at the limit, never recursed into.
    const std::string bomb = std::string(1000000, '[') + std::string(1000000, ']');
    CHECK(refusal(bomb).find("nested too deeply (more than 64 levels)") != std::string::npos);
    // Up to the limit is fine.
    std::string deepest = "1";
    for (int i = 0; i < StrictJson::kMaxDepth - 4; ++i)
        deepest = "[" + deepest + "]";
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "start": 0, "end": 800, "fields": {"x": )" + deepest + "}}]}") == "");
}

TEST_CASE("document text is read strictly: invalid UTF-8 is refused with its line and column", "[AnnotationDocument]")
{
    CHECK(refusal(kHead + "\"segments\": [{\"id\": \"s1\", \"track\": \"t1\", \"start\": 0, \"end\": 800, \"fields\": {\"text\": \"caf\xE9\"}}]}")
        == "document: is not valid UTF-8 (byte 0xE9 at line 1, column " + std::to_string(kHead.size() + 89) + ")");
    CHECK(refusal("{\n\"format\": \"avseg.annotation\",\n \"version\": 1, \"taskId\": \"\xED\xA0\x80\"}")
        == "document: is not valid UTF-8 (byte 0xED at line 3, column 27)");
    CHECK(refusal(R"({"format": "avseg.annotation", "version": 1,)").rfind("document: is not valid JSON (line 1, column ", 0) == 0);
}

TEST_CASE("document text is read strictly: anything after the document, or a second one, is refused", "[AnnotationDocument]")
{
    const std::string doc = R"({"format": "avseg.annotation", "version": 1})";
    CHECK(refusal(doc).empty());
    CHECK(refusal(doc + "\n\t ").empty());   // whitespace is no value
    CHECK(refusal(doc + " x").rfind("document: is not valid JSON (line 1, column 46: syntax error while parsing value - invalid literal", 0) == 0);
    CHECK(refusal(doc + doc).rfind("document: is not valid JSON (line 1, column 45: syntax error while parsing value - unexpected '{'; expected end of input)", 0) == 0);
    CHECK(refusal(doc + ",").rfind("document: is not valid JSON (line 1, column 45: syntax error while parsing value - unexpected ','; expected end of input)", 0) == 0);
    CHECK(refusal("[" + doc + "]") == "document: must be a JSON object");   // it said "config: ..."
}

TEST_CASE("document text is read strictly: whole numbers past 64 bits, or seconds beyond any media, are refused, never wrapped", "[AnnotationDocument]")
{
    // Read as int64, 2^64 - 1 is -1 and 2^63 is -2^63: they were refused for the wrong reason or passed.
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "start": 0, "end": 18446744073709551615}]})")
        == "segments[0].end: is 18446744073709551615, past the largest 64-bit integer");
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "start": 9223372036854775808, "end": 1}]})")
        == "segments[0].start: is 9223372036854775808, past the largest 64-bit integer");
    CHECK(refusal(R"({"format": "avseg.annotation", "version": 1, "timebase": {"rate": 18446744073709551615}})")
        == "timebase.rate: is 18446744073709551615, past the largest 64-bit integer");
    CHECK(refusal(R"({"format": "avseg.annotation", "version": 1, "timebase": {"rate": 8000, "frames": 9223372036854775808}})")
        == "timebase.frames: is 9223372036854775808, past the largest 64-bit integer");
    CHECK(refusal(R"({"format": "avseg.annotation", "version": 1, "tracks": [{"id": "t1", "category": "c", "tag": "x", "minLength": 18446744073709551615}]})")
        == "tracks[0].minLength: is 18446744073709551615, past the largest 64-bit integer");
    // The largest int64 itself is a number of frames (here: past the media's end).
    CHECK(refusal(kHead + R"("timebase": {"rate": 8000}, "segments": [{"id": "s1", "track": "t1", "start": 0, "end": 9223372036854775807}]})").empty());
    // Seconds from other tools: placed on a frame only when one exists.
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "startTime": 1e300, "endTime": 2e300}]})")
        == "segments[0].startTime: is 1e+300 seconds, beyond any media");
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "startTime": 0, "endTime": 1.2e15}]})")
        == "segments[0].endTime: is 1.2e+15 seconds, beyond any media");   // at 48 kHz: 5.8e19 frames
    CHECK(refusal(kHead + R"("segments": [{"id": "s1", "track": "t1", "startTime": -1e300, "endTime": 1}]})")
        == "segments[0].startTime: is -1e+300 seconds, beyond any media");
}

TEST_CASE("document text that is valid reads the same as the parsed document", "[AnnotationDocument]")
{
    const std::string text = kHead + R"("segments": [{"id": "s1", "track": "t1", "start": 0, "end": 800, "fields": {"text": "caf\u00e9 \ud83d\udc15"}}], "taskId": "k"})";
    AnnotationModel fromText, fromJson;
    AnnotationDocument a, b;
    a.readText(text, fromText);
    b.read(json::parse(text), fromJson);
    CHECK(fromText.toJson() == fromJson.toJson());
    CHECK(a.write(fromText) == b.write(fromJson));
}

TEST_CASE("a long document on tracks without overlap loads in linear-logarithmic time, an overlap still refused", "[AnnotationDocument]")
{
    const int n = 100000;
    std::string text = R"({"format": "avseg.annotation", "version": 1, "timebase": {"rate": 48000}, "tracks": [)"
        R"({"id": "t1", "category": "speaker", "tag": "A", "allowOverlap": false}, {"id": "t2", "category": "speaker", "tag": "B", "allowOverlap": false}], "segments": [)";
    for (int i = 0; i < n; ++i) {
        // Out of time order, interleaved over two tracks, each segment right after the one before on its track.
        const int k = (i * 7919) % n;
        text += (i ? "," : "") + std::string(R"({"id": "s)") + std::to_string(k) + R"(", "track": "t)" + std::to_string(1 + k % 2) +
            R"(", "start": )" + std::to_string(int64_t(k / 2) * 4800) + R"(, "end": )" + std::to_string(int64_t(k / 2) * 4800 + 4800) + "}";
    }
    AnnotationModel m;
    AnnotationDocument doc;
    const auto t0 = std::chrono::steady_clock::now();
    doc.readText(text + "]}", m);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(m.segments().size() == size_t(n));
    CHECK(seconds < 10);   // about 1 s; checking each segment against all others took minutes

    // s4 (t1, 9600-14400) shifted to overlap s2 (t1, 4800-9600); s5 on t2 is not affected.
    const std::string overlapping = R"({"format": "avseg.annotation", "version": 1, "tracks": [{"id": "t1", "category": "speaker", "tag": "A", "allowOverlap": false}, {"id": "t2", "category": "speaker", "tag": "B"}], "segments": [)"
        R"({"id": "s4", "track": "t1", "start": 9000, "end": 14400}, {"id": "s5", "track": "t2", "start": 0, "end": 99999}, {"id": "s2", "track": "t1", "start": 4800, "end": 9600}]})";
    CHECK(refusal(overlapping) == "segments[2]: track speaker/A does not allow overlapping segments (it would overlap s4)");
    CHECK(refusal(R"({"format": "avseg.annotation", "version": 1, "tracks": [{"id": "t1", "category": "speaker", "tag": "A", "allowOverlap": false}], "segments": [)"
        R"({"id": "s1", "track": "t1", "start": 0, "end": 10}, {"id": "s2", "track": "t1", "start": 10, "end": 20}]})") == "");
}
