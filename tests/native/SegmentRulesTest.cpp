// SPDX-License-Identifier: MIT
#include "SegmentRules.h"

#include "AnnotationModel.h"

#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>

using namespace avseg;
using nlohmann::json;

namespace {

// 1000 frames a second, 1000 frames long. t1 (speaker/A): no overlaps, at least 10 frames;
// t2 (noise/B): anything goes until a test changes the category's rules.
AnnotationModel model(int64_t frames = 1000)
{
    AnnotationModel m;
    m.setTimebase(1000, frames);
    REQUIRE(m.addTrack("speaker", "A", {false, 10}).id == "t1");
    REQUIRE(m.addTrack("noise", "B").id == "t2");
    return m;
}

const json kTracks = json::array({
    {{"id", "t1"}, {"category", "speaker"}, {"tag", "A"}, {"allowOverlap", false}, {"minLength", 10}},
    {{"id", "t2"}, {"category", "noise"}, {"tag", "B"}},
});

// What reading a document with these segments says, without the "segments[i]: " in front.
std::string documentSays(const json& segments, int64_t frames = 1000, json tracks = kTracks)
{
    AnnotationModel m;
    try {
        m.fromJson({{"timebase", {{"rate", 1000}, {"frames", frames}}}, {"tracks", tracks}, {"segments", segments}});
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        return what.substr(what.find(": ") + 2);
    }
    return {};
}

json segment(const std::string& id, const std::string& track, int64_t start, int64_t end)
{
    return {{"id", id}, {"track", track}, {"start", start}, {"end", end}};
}

std::map<std::string, std::string> allProblems(const AnnotationModel& m)
{
    std::map<std::string, std::string> out;
    for (const auto& [id, why] : m.allProblems())
        out[id] = why;
    return out;
}

} // namespace

TEST_CASE("each rule is named by the first one a segment breaks, in a fixed order", "[SegmentRules]")
{
    const Track t{"t1", "speaker", "A", {false, 10}};
    auto rule = [&](int64_t start, int64_t end, const Track* track = nullptr, const std::string& overlapping = {}) {
        return SegmentRules::check(Segment{"s1", "t1", start, end}, track, 1000, overlapping).rule;
    };
    CHECK(rule(0, 100, &t) == SegmentRule::None);
    CHECK(rule(0, 100, nullptr) == SegmentRule::NoTrack);
    CHECK(rule(-5, -10, &t, "s2") == SegmentRule::StartsBefore);   // also empty, and overlapping
    CHECK(rule(500, 500, &t, "s2") == SegmentRule::Empty);
    CHECK(rule(995, 1002, &t, "s2") == SegmentRule::EndsAfter);   // also shorter than 10 frames
    CHECK(rule(0, 9, &t, "s2") == SegmentRule::TooShort);
    CHECK(rule(0, 100, &t, "s2") == SegmentRule::Overlap);
    const Track open{"t2", "noise", "B", {true, 0}};
    CHECK(rule(0, 1, &open, "s2") == SegmentRule::None);   // a track that allows overlaps
    CHECK(SegmentRules::check(Segment{"s1", "t1", 0, 2000}, &t, 0).rule == SegmentRule::None);   // media length not known yet
    CHECK(SegmentRules::check(Segment{"s1", "t1", 0, 100}, &t, 1000).why.empty());
    CHECK(SegmentRules::forbidsOverlap(&t));
    CHECK_FALSE(SegmentRules::forbidsOverlap(&open));
    CHECK_FALSE(SegmentRules::forbidsOverlap(nullptr));
    CHECK(SegmentRules::overlap(Segment{"a", "t1", 0, 10}, Segment{"b", "t1", 9, 20}));
    CHECK_FALSE(SegmentRules::overlap(Segment{"a", "t1", 0, 10}, Segment{"b", "t1", 10, 20}));   // touching is not overlapping
}

TEST_CASE("a segment on no track is refused the same way by an edit, its own check and a document", "[SegmentRules]")
{
    // allProblems cannot meet it: removing a track removes its segments.
    AnnotationModel m = model();
    const std::string why = "there is no track 't9'";
    CHECK(m.addSegment("t9", 0, 100).reason == why);
    CHECK(m.problemWith(Segment{"s1", "t9", 0, 100}) == why);
    CHECK(documentSays(json::array({segment("s1", "t9", 0, 100)})) == why);
    CHECK(SegmentRules::check(Segment{"s1", "t9", 0, 100}, nullptr, 1000).why == why);
}

TEST_CASE("a segment starting before the media, or not ending after its start, is refused the same way by every path", "[SegmentRules]")
{
    AnnotationModel m = model();
    const std::string before = "the segment starts before the media", empty = "the segment must end after it starts";
    CHECK(m.addSegment("t1", -1, 100).reason == before);
    CHECK(m.problemWith(Segment{"s1", "t1", -1, 100}) == before);
    CHECK(documentSays(json::array({segment("s1", "t1", -1, 100)})) == before);
    const std::string id = m.addSegment("t1", 100, 200).id;
    REQUIRE(!id.empty());
    CHECK(m.setBounds(id, 300, 300).reason == empty);
    CHECK(m.addSegment("t2", 300, 200).reason == empty);
    CHECK(m.problemWith(Segment{"s1", "t2", 300, 300}) == empty);
    CHECK(documentSays(json::array({segment("s1", "t2", 300, 300)})) == empty);
}

TEST_CASE("a segment ending after the media is reported the same way by an edit, its own check, all problems and a document", "[SegmentRules]")
{
    const std::string why = "the segment ends after the media";
    AnnotationModel m = model();
    CHECK(m.addSegment("t2", 900, 1001).reason == why);
    CHECK(documentSays(json::array({segment("s1", "t2", 900, 1001)})) == why);
    // Pre-annotations made before the media's length was known.
    AnnotationModel later = model(0);
    REQUIRE(later.addSegment("t2", 900, 1001).id == "s3");
    later.setTimebase(1000, 1000);
    CHECK(later.problemWith(*later.segment("s3")) == why);
    CHECK(allProblems(later) == std::map<std::string, std::string>{{"s3", why}});
    // Also too short for t1 (995..1002 is 7 frames): every path names the rule before that one.
    CHECK(m.addSegment("t1", 995, 1002).reason == why);
    CHECK(documentSays(json::array({segment("s1", "t1", 995, 1002)})) == why);
    REQUIRE(later.addSegment("t1", 995, 1002).ok == false);
    later.setTimebase(1000, 0);
    const std::string both = later.addSegment("t1", 990, 1002).id;
    REQUIRE(!both.empty());
    later.setPolicy("speaker", {false, 100});
    later.setTimebase(1000, 1000);
    CHECK(allProblems(later).at(both) == why);
    CHECK(later.problemWith(*later.segment(both)) == why);
}

TEST_CASE("a segment shorter than its track's minimum is reported the same way by an edit, its own check, all problems and a document", "[SegmentRules]")
{
    const std::string why = "the segment is shorter than the minimum length of track noise/B";
    AnnotationModel m = model();
    REQUIRE(m.addSegment("t2", 0, 5).id == "s3");
    // The job's label config asks for 10 frames at least after the segment was made.
    m.setPolicy("noise", {true, 10});
    CHECK(allProblems(m) == std::map<std::string, std::string>{{"s3", why}});
    CHECK(m.problemWith(*m.segment("s3")) == why);
    CHECK(m.addSegment("t2", 100, 105).reason == why);
    CHECK(m.setBounds("s3", 0, 9).reason == why);
    json tracks = kTracks;
    tracks[1]["minLength"] = 10;
    CHECK(documentSays(json::array({segment("s1", "t2", 0, 5)}), 1000, tracks) == why);
}

TEST_CASE("overlapping segments are reported the same way by an edit, its own check, all problems and a document", "[SegmentRules]")
{
    const std::string why = "track noise/B does not allow overlapping segments (it would overlap s3)";
    AnnotationModel m = model();
    REQUIRE(m.addSegment("t2", 0, 100).id == "s3");
    REQUIRE(m.addSegment("t2", 50, 150).id == "s4");
    m.setPolicy("noise", {false, 0});
    // Both of the pair, each naming the other.
    CHECK(allProblems(m) == std::map<std::string, std::string>{
        {"s3", "track noise/B does not allow overlapping segments (it would overlap s4)"}, {"s4", why}});
    CHECK(m.problemWith(*m.segment("s4")) == why);
    CHECK(m.problemWith(*m.segment("s3")) == "track noise/B does not allow overlapping segments (it would overlap s4)");
    REQUIRE(m.removeSegment("s4").ok);
    CHECK(m.addSegment("t2", 50, 150).reason == why);
    const std::string apart = m.addSegment("t2", 500, 600).id;
    REQUIRE(!apart.empty());
    CHECK(m.setBounds(apart, 50, 600).reason == why);
    CHECK(m.moveSegment(apart, 99).reason == why);
    // A document: the later of the two in the text is the one refused.
    json tracks = kTracks;
    tracks[1]["allowOverlap"] = false;
    CHECK(documentSays(json::array({segment("s3", "t2", 0, 100), segment("s4", "t2", 50, 150)}), 1000, tracks) == why);
    CHECK(documentSays(json::array({segment("s4", "t2", 50, 150), segment("s3", "t2", 0, 100)}), 1000, tracks)
        == "track noise/B does not allow overlapping segments (it would overlap s4)");
    CHECK(documentSays(json::array({segment("s3", "t2", 0, 100), segment("s4", "t2", 50, 150)})) == "");   // allowed by default
}
