// SPDX-License-Identifier: MIT
#include "AnnotationValidator.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace avseg;
using nlohmann::json;

namespace {

LabelConfig callCentreConfig()
{
    return LabelConfig::parse(R"({
      "categories": [{"name": "speaker", "tags": ["Customer", "Representative"], "allowOverlap": false, "minLength": 0.1}],
      "segmentFields": [
        {"name": "transcription", "type": "text", "required": true, "label": "Transcription"},
        {"name": "emotion", "type": "choice", "options": ["Happy", "Angry", "Neutral", "Sad", "Worried"], "label": "Emotion"}
      ],
      "classifications": [
        {"name": "speech", "type": "choice", "options": ["speech", "non-speech"], "required": true, "label": "Speech"},
        {"name": "quality", "type": "rating", "max": 5, "label": "Quality"}
      ]
    })");
}

AnnotationModel model(const LabelConfig& config)
{
    AnnotationModel m;
    m.setTimebase(48000, 48000 * 10);
    REQUIRE(m.addTrack("speaker", "Customer", policyFor(config, "speaker", 48000)).ok);
    return m;
}

} // namespace

TEST_CASE("the category's policy becomes the track's, minimum length in frames", "[AnnotationValidator]")
{
    const LabelConfig config = callCentreConfig();
    const TrackPolicy p = policyFor(config, "speaker", 48000);
    CHECK_FALSE(p.allowOverlap);
    CHECK(p.minLength == 4800);
    CHECK(policyFor(config, "unknown", 48000).allowOverlap);
}

TEST_CASE("a complete annotation has no problems", "[AnnotationValidator]")
{
    const LabelConfig config = callCentreConfig();
    AnnotationModel m = model(config);
    REQUIRE(m.addSegment("t1", 0, 48000, {{"transcription", "hello"}, {"emotion", "Happy"}}).ok);
    REQUIRE(m.setClassification("speech", "speech").ok);
    CHECK(validateAnnotations(m, config).empty());
}

TEST_CASE("problems name the segment, the field and what is wrong", "[AnnotationValidator]")
{
    const LabelConfig config = callCentreConfig();
    AnnotationModel m = model(config);
    const std::string a = m.addSegment("t1", 48000, 96000, {{"emotion", "Furious"}}).id;
    const std::string b = m.addSegment("t1", 0, 24000, {{"transcription", "hi"}}).id;
    REQUIRE(m.setClassification("quality", 9).ok);
    const auto problems = validateAnnotations(m, config);
    REQUIRE(problems.size() == 4);
    // Segments in time order, then the classifications.
    CHECK(problems[0].segment == a);
    CHECK(problems[0].field == "transcription");
    CHECK(problems[0].message == "Transcription is required");
    CHECK(problems[1].segment == a);
    CHECK(problems[1].field == "emotion");
    CHECK(problems[1].message.rfind("Emotion: ", 0) == 0);
    CHECK(problems[2].field == "speech");
    CHECK(problems[2].message == "Speech is required");
    CHECK(problems[3].field == "quality");
    CHECK(problems[3].segment.empty());
    (void)b;
}

TEST_CASE("tracks outside the config and segments that break the rules are reported", "[AnnotationValidator]")
{
    const LabelConfig config = callCentreConfig();
    AnnotationModel m;
    m.fromJson({{"timebase", {{"rate", 48000}, {"frames", 48000}}},
        {"tracks", {{{"id", "t1"}, {"category", "speaker"}, {"tag", "Agent"}}, {{"id", "t2"}, {"category", "dog"}, {"tag", "Rex"}}}},
        {"segments", {{{"id", "s1"}, {"track", "t1"}, {"start", 0}, {"end", 100}, {"fields", {{"transcription", "x"}}}}}}});
    // Policy from the config applied to a loaded document: the 100-frame segment is too short.
    AnnotationModel strict;
    strict.setTimebase(48000, 48000);
    REQUIRE(strict.addTrack("speaker", "Customer", policyFor(config, "speaker", 48000)).ok);
    CHECK_FALSE(strict.addSegment("t1", 0, 100).ok);

    const auto problems = validateAnnotations(m, config);
    REQUIRE(problems.size() >= 2);
    CHECK(problems[0].track == "t1");
    CHECK(problems[0].message == "'Agent' is not a tag of the category 'speaker'");
    CHECK(problems[1].track == "t2");
    CHECK(problems[1].message == "the category 'dog' is not in the label config");
}

TEST_CASE("a loaded document's tracks take the config's rules; other categories keep their own", "[AnnotationValidator]")
{
    const LabelConfig config = callCentreConfig();
    AnnotationModel m;
    m.fromJson(json::parse(R"({"timebase": {"rate": 44100, "frames": 441000},
      "tracks": [{"id": "t1", "category": "speaker", "tag": "Customer", "allowOverlap": true, "minLength": 0},
                 {"id": "t2", "category": "noise", "tag": "hum", "allowOverlap": false, "minLength": 7}],
      "segments": [{"id": "s1", "track": "t1", "start": 0, "end": 44100}, {"id": "s2", "track": "t1", "start": 22050, "end": 66150},
                   {"id": "s3", "track": "t1", "start": 88200, "end": 88300}]})"));
    REQUIRE(m.allProblems().empty());
    applyPolicies(config, m);
    CHECK_FALSE(m.track("t1")->policy.allowOverlap);
    CHECK(m.track("t1")->policy.minLength == 4410);  // 0.1 s at the document's rate
    CHECK_FALSE(m.track("t2")->policy.allowOverlap);
    CHECK(m.track("t2")->policy.minLength == 7);
    const auto problems = validateAnnotations(m, config);
    std::vector<std::string> segments;
    for (const auto& p : problems)
        if (!p.segment.empty())
            segments.push_back(p.segment);
    CHECK(std::count(segments.begin(), segments.end(), "s1") >= 1);
    CHECK(std::count(segments.begin(), segments.end(), "s2") >= 1);
    CHECK(std::count(segments.begin(), segments.end(), "s3") >= 1);
    CHECK_FALSE(m.addSegment("t1", 30000, 40000).ok);
}

TEST_CASE("minSegments: fewer segments than the config asks for is a problem, as the AWS sample refuses a submit with none", "[AnnotationValidator]")
{
    const LabelConfig config = LabelConfig::parse(R"({"categories": {"speaker": ["Customer"]}, "minSegments": 2})");
    AnnotationModel m = model(config);
    auto problems = validateAnnotations(m, config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "at least 2 segments are needed, there are 0");
    CHECK(problems[0].segment.empty());
    REQUIRE(m.addSegment("t1", 0, 48000, json::object()).ok);
    problems = validateAnnotations(m, config);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "at least 2 segments are needed, there is 1");
    REQUIRE(m.addSegment("t1", 48000, 96000, json::object()).ok);
    CHECK(validateAnnotations(m, config).empty());
    const LabelConfig one = LabelConfig::parse(R"({"categories": {"speaker": ["Customer"]}, "minSegments": 1})");
    AnnotationModel empty = model(one);
    CHECK(validateAnnotations(empty, one).at(0).message == "at least 1 segment is needed, there are 0");
    CHECK(validateAnnotations(empty, callCentreConfig()).size() == 1);   // only the required classification: no rule by default
}
