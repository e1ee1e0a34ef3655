// SPDX-License-Identifier: MIT
#include "AnnotationModel.h"

#include <catch2/catch.hpp>

#include <random>

using namespace avseg;
using nlohmann::json;

namespace {

AnnotationModel modelWithTracks()
{
    AnnotationModel m;
    m.setTimebase(48000, 48000 * 60);
    REQUIRE(m.addTrack("speaker", "Customer", {false, 480}).ok);
    REQUIRE(m.addTrack("speaker", "Representative").ok);
    return m;
}

} // namespace

TEST_CASE("segments are stored at exact frames and exported with derived seconds", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const auto r = m.addSegment("t1", 12345, 67891, {{"transcription", "hello"}});
    REQUIRE(r.ok);
    const json doc = m.toJson();
    REQUIRE(doc["segments"][0]["start"] == 12345);
    REQUIRE(doc["segments"][0]["end"] == 67891);
    REQUIRE(doc["segments"][0]["startTime"].get<double>() == 12345.0 / 48000.0);
    REQUIRE(doc["segments"][0]["fields"]["transcription"] == "hello");
}

TEST_CASE("invalid segments are refused with a reason, never adjusted", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    CHECK(m.addSegment("t1", 1000, 1000).reason == "the segment must end after it starts");
    CHECK(m.addSegment("t1", 2000, 1000).reason == "the segment must end after it starts");
    CHECK(m.addSegment("t1", -1, 1000).reason == "the segment starts before the media");
    CHECK(m.addSegment("t1", 0, 48000 * 61).reason == "the segment ends after the media");
    CHECK(m.addSegment("t9", 0, 1000).reason == "there is no track 't9'");
    CHECK(m.addSegment("t1", 0, 100).reason.find("minimum length") != std::string::npos);
    REQUIRE(m.segments().empty());
    REQUIRE(m.canUndo()); // the two addTrack edits, nothing else
}

TEST_CASE("a track that forbids overlap refuses overlapping edits; another allows them", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const std::string a = m.addSegment("t1", 1000, 5000).id;
    const auto overlap = m.addSegment("t1", 4000, 9000);
    REQUIRE_FALSE(overlap.ok);
    CHECK(overlap.reason.find("does not allow overlapping") != std::string::npos);
    REQUIRE(m.addSegment("t1", 5000, 9000).ok); // touching is not overlapping
    REQUIRE(m.addSegment("t2", 1000, 5000).ok);
    REQUIRE(m.addSegment("t2", 2000, 6000).ok);
    CHECK_FALSE(m.setBounds(a, 1000, 5001).ok);
    CHECK(m.segment(a)->end == 5000);
    CHECK(m.checkConsistency().empty());
}

TEST_CASE("duplicate tracks are refused; removing a track removes its segments and undo brings both back", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    CHECK(m.addTrack("speaker", "Customer").reason == "a track speaker/Customer already exists");
    const std::string s = m.addSegment("t1", 0, 4800).id;
    const json before = m.toJson();
    REQUIRE(m.removeTrack("t1").ok);
    CHECK(m.track("t1") == nullptr);
    CHECK(m.segment(s) == nullptr);
    REQUIRE(m.undo());
    CHECK(m.toJson() == before);
    CHECK(m.tracks()[0].id == "t1"); // back in its place
}

TEST_CASE("split, merge, move to another track", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const std::string s = m.addSegment("t2", 1000, 9000, {{"transcription", "good morning"}, {"emotion", "Happy"}}).id;
    CHECK_FALSE(m.splitSegment(s, 1000).ok);
    const auto right = m.splitSegment(s, 4000);
    REQUIRE(right.ok);
    CHECK(m.segment(s)->end == 4000);
    CHECK(m.segment(right.id)->start == 4000);
    CHECK(m.segment(right.id)->fields["emotion"] == "Happy");
    REQUIRE(m.setField(right.id, "transcription", "sir").ok);
    REQUIRE(m.setField(s, "transcription", "good morning").ok);
    const auto merged = m.mergeSegments(right.id, s);
    REQUIRE(merged.ok);
    CHECK(merged.id == s);
    CHECK(m.segment(s)->end == 9000);
    CHECK(m.segment(s)->fields["transcription"] == "good morning sir");
    CHECK(m.segment(right.id) == nullptr);
    REQUIRE(m.moveSegment(s, 20000, "t1").ok);
    CHECK(m.segment(s)->track == "t1");
    CHECK(m.segment(s)->start == 20000);
    CHECK(m.segment(s)->end == 28000);
}

TEST_CASE("random edits with undo and redo keep the model consistent and round-trip exactly", "[AnnotationModel][property]")
{
    std::mt19937 rng(20261125);
    for (int run = 0; run < 5; ++run) {
        AnnotationModel m;
        m.setTimebase(16000, 16000 * 30);
        std::vector<json> states = {m.toJson()}; // states[i]: after i edits that took effect
        size_t at = 0;
        int applied = 0, undone = 0;
        size_t most = 0;
        auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
        auto anySegment = [&]() -> std::string {
            const auto all = m.segments();
            return all.empty() ? "s0" : all[pick(int(all.size()))]->id;
        };
        auto anyTrack = [&]() -> std::string {
            return m.tracks().empty() ? "t0" : m.tracks()[pick(int(m.tracks().size()))].id;
        };
        for (int step = 0; step < 2000; ++step) {
            const size_t revision = m.revision();
            const int op = pick(18);
            if (op >= 14 && op <= 15 && m.canUndo()) {
                REQUIRE(m.undo());
                REQUIRE(m.toJson() == states[--at]);
                ++undone;
                continue;
            }
            if (op == 16 && m.canRedo()) {
                REQUIRE(m.redo());
                REQUIRE(m.toJson() == states[++at]);
                continue;
            }
            const int64_t a = pick(16000 * 31), len = pick(16000 * 3) - 100;
            EditResult r;
            switch (op) {
            case 0: r = m.addTrack(pick(2) ? "speaker" : "emotion", "tag" + std::to_string(pick(6)), {pick(2) == 0, pick(800)}); break;
            case 1: r = pick(4) ? m.addSegment(anyTrack(), a, a + len) : m.removeTrack(anyTrack()); break;
            case 2: r = m.renameTrack(anyTrack(), "tag" + std::to_string(pick(6))); break;
            case 3: case 4: case 5: case 6: case 7: r = m.addSegment(anyTrack(), a, a + len, {{"n", pick(100)}}); break;
            case 8: r = m.setBounds(anySegment(), a, a + len); break;
            case 9: r = m.moveSegment(anySegment(), a, pick(2) ? anyTrack() : std::string()); break;
            case 10: r = m.splitSegment(anySegment(), a); break;
            case 11: r = m.mergeSegments(anySegment(), anySegment()); break;
            case 12: r = pick(3) ? m.setField(anySegment(), "text", "v" + std::to_string(pick(5))) : m.removeSegment(anySegment()); break;
            case 17: {
                // A group: one undo step however many of its edits took effect.
                m.beginGroup();
                for (int k = 1 + pick(3); k > 0; --k) {
                    const int64_t b = pick(16000 * 31);
                    if (pick(2))
                        m.addSegment(anyTrack(), b, b + 1 + pick(16000));
                    else
                        m.setBounds(anySegment(), b, b + 1 + pick(16000));
                }
                m.endGroup();
                break;
            }
            default: r = m.setClassification("quality", pick(4) ? json(pick(5)) : json()); break;
            }
            INFO("run " << run << " step " << step << " op " << op << ": " << r.reason);
            REQUIRE(m.checkConsistency().empty());
            REQUIRE(m.allProblems().empty());
            most = std::max(most, m.segments().size());
            if (m.revision() != revision) {
                states.resize(at + 1);
                states.push_back(m.toJson());
                ++at;
                ++applied;
            } else {
                REQUIRE(m.toJson() == states[at]); // a refused edit changes nothing
            }
        }
        REQUIRE(applied > 400);
        REQUIRE(undone > 50);
        REQUIRE(most > 20);
        AnnotationModel copy;
        copy.fromJson(m.toJson());
        REQUIRE(copy.toJson() == m.toJson());
        REQUIRE(copy.checkConsistency().empty());
        // New ids after a reload never collide with loaded ones.
        if (!copy.tracks().empty()) {
            const auto added = copy.addSegment(copy.tracks()[0].id, 0, 16000 * 30);
            if (added.ok)
                REQUIRE(m.segment(added.id) == nullptr);
        }
    }
}

TEST_CASE("loading names the malformed part", "[AnnotationModel]")
{
    AnnotationModel m;
    auto error = [&](const json& doc) {
        try {
            m.fromJson(doc);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error(json::array()) == "document: must be an object");
    CHECK(error({{"tracks", {{{"id", "t1"}, {"category", "speaker"}}}}}) == "tracks[0].tag: must be a non-empty string");
    CHECK(error({{"tracks", {{{"id", "t1"}, {"category", "a"}, {"tag", "b"}}}},
                {"segments", {{{"id", "s1"}, {"track", "t1"}, {"start", 5}, {"end", 2}}}}})
        == "segments[0]: the segment must end after it starts");
    CHECK(error({{"segments", {{{"id", "s1"}, {"track", "t7"}, {"start", 0}, {"end", 2}}}}}) == "segments[0]: there is no track 't7'");
    CHECK(error({{"timebase", {{"rate", 0}}}}) == "timebase.rate: must be a positive integer");
    // Seconds alone (another tool's pre-annotations) are placed on the nearest frame.
    m.fromJson({{"timebase", {{"rate", 48000}}}, {"tracks", {{{"id", "a"}, {"category", "c"}, {"tag", "t"}}}},
        {"segments", {{{"id", "x"}, {"track", "a"}, {"startTime", 0.5}, {"endTime", 1.25}}}}});
    CHECK(m.segment("x")->start == 24000);
    CHECK(m.segment("x")->end == 60000);
}

TEST_CASE("typing in a field is one undo step until typing ends or another edit comes", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const std::string s = m.addSegment("t2", 0, 4800).id;
    const json empty = m.toJson();
    for (const char* text : {"h", "he", "hel", "hello"})
        REQUIRE(m.setField(s, "transcription", text, true).ok);
    CHECK(m.segment(s)->fields["transcription"] == "hello");
    const json typed = m.toJson();
    m.endTyping();
    REQUIRE(m.setField(s, "transcription", "hello!", true).ok);
    REQUIRE(m.undo());
    CHECK(m.toJson() == typed);
    REQUIRE(m.undo());
    CHECK(m.toJson() == empty);
    REQUIRE(m.redo());
    CHECK(m.toJson() == typed);
    // Typing in another field is a new step.
    REQUIRE(m.setField(s, "note", "a", true).ok);
    REQUIRE(m.setField(s, "transcription", "x", true).ok);
    REQUIRE(m.undo());
    CHECK(m.segment(s)->fields["transcription"] == "hello");
    CHECK(m.segment(s)->fields["note"] == "a");
}

TEST_CASE("all problems at once agree with each segment's own check", "[AnnotationModel]")
{
    AnnotationModel m;
    m.fromJson({{"timebase", {{"rate", 1000}}},
        {"tracks", {{{"id", "a"}, {"category", "c"}, {"tag", "x"}, {"allowOverlap", false}, {"minLength", 10}},
                       {{"id", "b"}, {"category", "c"}, {"tag", "y"}}}},
        {"segments", {{{"id", "s1"}, {"track", "a"}, {"start", 0}, {"end", 100}},
                         {{"id", "s2"}, {"track", "a"}, {"start", 100}, {"end", 160}},
                         {{"id", "s3"}, {"track", "a"}, {"start", 200}, {"end", 900}},
                         {{"id", "s4"}, {"track", "b"}, {"start", 0}, {"end", 100}},
                         {{"id", "s5"}, {"track", "b"}, {"start", 10}, {"end", 20}}}}});
    CHECK(m.allProblems().empty());
    // The media turns out shorter than the pre-annotations assumed.
    m.setTimebase(1000, 500);
    std::map<std::string, std::string> all;
    for (const auto& [id, why] : m.allProblems())
        all[id] = why;
    REQUIRE(all.size() == 1);
    CHECK(all["s3"] == "the segment ends after the media");
    for (const Segment* s : m.segments())
        CHECK(m.problemWith(*s).empty() == (all.count(s->id) == 0));
}

TEST_CASE("a group of edits is one undo step, and edits after it are steps of their own", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const json before = m.toJson();
    m.beginGroup();
    REQUIRE(m.addSegment("t1", 0, 4800).ok);
    REQUIRE(m.addSegment("t2", 0, 4800).ok);
    REQUIRE_FALSE(m.addSegment("t1", 100, 5000).ok); // refused inside the group: nothing recorded
    m.endGroup();
    REQUIRE(m.segments().size() == 2);
    const json grouped = m.toJson();
    REQUIRE(m.addSegment("t2", 9600, 14400).ok);
    REQUIRE(m.undo());
    REQUIRE(m.toJson() == grouped);
    REQUIRE(m.undo());
    REQUIRE(m.toJson() == before);
    REQUIRE(m.tracks().size() == 2); // the undo before took the whole group, no more
    REQUIRE(m.redo());
    REQUIRE(m.toJson() == grouped);
}

TEST_CASE("a category's rules apply to its tracks, including ones undo brings back", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();   // t1 forbids overlap, t2 allows it
    REQUIRE(m.addSegment("t2", 0, 4800).ok);
    REQUIRE(m.addSegment("t2", 2400, 7200).ok);
    REQUIRE(m.removeTrack("t2").ok);
    m.setPolicy("speaker", {false, 0});
    REQUIRE(m.track("t1")->policy.allowOverlap == false);
    REQUIRE(m.track("t1")->policy.minLength == 0);
    REQUIRE(m.undo());
    REQUIRE(m.track("t2")->policy.allowOverlap == false);
    // The overlap it had is now a problem, and new overlaps are refused.
    REQUIRE(m.allProblems().size() == 2);
    REQUIRE_FALSE(m.addSegment("t2", 100, 200).ok);
}

TEST_CASE("segments by track follow the track order; next on track skips other tracks", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const std::string a = m.addSegment("t2", 0, 4800).id;
    const std::string b = m.addSegment("t1", 1000, 4800).id;
    const std::string c = m.addSegment("t2", 2000, 4800).id;
    const std::string d = m.addSegment("t1", 9000, 9600).id;
    std::vector<std::string> order;
    for (const Segment* s : m.segmentsByTrack())
        order.push_back(s->id);
    REQUIRE(order == std::vector<std::string>{b, d, a, c});
    REQUIRE(m.nextOnTrack(a)->id == c);
    REQUIRE(m.nextOnTrack(b)->id == d);
    REQUIRE(m.nextOnTrack(d) == nullptr);
    std::vector<std::string> visible;
    for (const Segment* s : m.segmentsIn(4800, 9001))
        visible.push_back(s->id);
    REQUIRE(visible == std::vector<std::string>{d});
    // A copy of the model reads its own segments, not the original's.
    AnnotationModel copy = m;
    REQUIRE(m.removeSegment(d).ok);
    REQUIRE(copy.segments().size() == 4);
    REQUIRE(copy.segments().back()->id == d);
}
