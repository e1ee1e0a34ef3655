// SPDX-License-Identifier: MIT
#include "AnnotationDocument.h"
#include "LabelConfig.h"

#include <catch2/catch.hpp>

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
    CHECK(error({{"format", "avseg.annotation"}, {"version", 1}, {"segments", {{{"id", "s"}, {"track", "nope"}, {"start", 0}, {"end", 5}}}}})
        == "segments[0]: there is no track 'nope'");
    CHECK(m.toJson() == before);
}
