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
                // A transaction: one undo step however many of its edits took effect, or, rolled
                // back, none (the state and revision as before, checked below).
                m.beginTransaction();
                for (int k = 1 + pick(4); k > 0; --k) {
                    const int64_t b = pick(16000 * 31);
                    switch (pick(5)) {
                    case 0: m.addSegment(anyTrack(), b, b + 1 + pick(16000)); break;
                    case 1: m.setBounds(anySegment(), b, b + 1 + pick(16000), pick(2) ? anyTrack() : std::string()); break;
                    case 2: m.removeTrack(anyTrack()); break;
                    case 3: m.setClassification("quality", json(pick(5))); break;
                    default: m.addTrack("speaker", "tag" + std::to_string(pick(6))); break;
                    }
                }
                if (pick(2))
                    REQUIRE(m.commitTransaction());
                else
                    REQUIRE(m.rollbackTransaction());
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

namespace {

// A model with history to keep: an undoable edit, an undone one (so there is something to
// redo) and a segment on t2 to update.
struct EditedModel {
    AnnotationModel m = modelWithTracks();
    std::string s, other;
    json beforeLastEdit;
    EditedModel()
    {
        s = m.addSegment("t2", 4800, 9600, {{"transcription", "hello"}}).id;
        other = m.addSegment("t1", 48000, 52800).id;
        beforeLastEdit = m.toJson();
        REQUIRE(m.setField(other, "note", "first").ok);
        REQUIRE(m.addSegment("t2", 96000, 100800).ok);
        REQUIRE(m.undo());   // the third segment is now a redo step
    }
};

} // namespace

TEST_CASE("an update whose last part is refused leaves the model exactly as it was", "[AnnotationModel]")
{
    EditedModel e;
    AnnotationModel& m = e.m;
    const std::string doc = m.toJson().dump();
    const size_t revision = m.revision();
    const auto result = m.transaction([&] {
        // A move to another track with new bounds, a field and a classification, then a refusal.
        if (auto r = m.setBounds(e.s, 9600, 19200, "t1"); !r.ok)
            return r;
        if (auto r = m.setField(e.s, "transcription", "changed"); !r.ok)
            return r;
        if (auto r = m.setClassification("quality", "good"); !r.ok)
            return r;
        if (auto r = m.addTrack("speaker", "Third"); !r.ok)
            return r;
        return m.setField(e.s, "", "a field without a name");
    });
    REQUIRE_FALSE(result.ok);
    CHECK(result.reason == "a field needs a name");
    CHECK(m.toJson().dump() == doc);
    CHECK(m.revision() == revision);
    CHECK(m.transactionDepth() == 0);
    CHECK(m.checkConsistency().empty());
    // The history is the one before: redo still there, and undo takes back the edit before.
    REQUIRE(m.canRedo());
    REQUIRE(m.undo());
    CHECK(m.toJson() == e.beforeLastEdit);
    REQUIRE(m.redo());
    CHECK(m.toJson().dump() == doc);
    REQUIRE(m.redo());
    CHECK(m.segments().size() == 3);
    // New ids are the ones they would have been without the rolled-back track.
    AnnotationModel fresh = EditedModel().m;
    CHECK(m.addTrack("speaker", "Fourth").id == fresh.addTrack("speaker", "Fourth").id);
}

TEST_CASE("a committed update is one undo step, and redo brings it back whole", "[AnnotationModel]")
{
    EditedModel e;
    AnnotationModel& m = e.m;
    const json before = m.toJson();
    const size_t revision = m.revision();
    const auto result = m.transaction([&] {
        if (auto r = m.setBounds(e.s, 9600, 19200, "t1"); !r.ok)
            return r;
        return m.setField(e.s, "transcription", "changed");
    });
    REQUIRE(result.ok);
    const json after = m.toJson();
    CHECK(m.segment(e.s)->track == "t1");
    CHECK(m.segment(e.s)->start == 9600);
    CHECK(m.segment(e.s)->fields["transcription"] == "changed");
    CHECK(m.revision() != revision);
    CHECK_FALSE(m.canRedo());   // a change drops what was undone before it
    REQUIRE(m.undo());
    CHECK(m.toJson() == before);
    REQUIRE(m.undo());
    CHECK(m.toJson() == e.beforeLastEdit);
    REQUIRE(m.redo());
    REQUIRE(m.redo());
    CHECK(m.toJson() == after);
    // A transaction that changes nothing is no step, and keeps the redo history.
    REQUIRE(m.undo());
    m.beginTransaction();
    REQUIRE(m.setField(e.s, "transcription", "hello").ok);   // the value it has
    REQUIRE(m.commitTransaction());
    REQUIRE(m.canRedo());
    REQUIRE(m.redo());
    CHECK(m.toJson() == after);
}

TEST_CASE("the final place of a moved segment is checked, not the steps to it", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();   // t1 forbids overlap and has a minimum length of 480
    const std::string s = m.addSegment("t2", 0, 48000).id;
    REQUIRE(m.addSegment("t1", 9600, 14400).ok);
    // Moved with its old length it would overlap; in its new bounds it does not.
    REQUIRE_FALSE(m.moveSegment(s, 0, "t1").ok);
    REQUIRE(m.setBounds(s, 0, 4800, "t1").ok);
    CHECK(m.segment(s)->track == "t1");
    CHECK(m.segment(s)->end == 4800);
    CHECK(m.setBounds(s, 4800, 4900, "t1").reason.find("minimum length") != std::string::npos);
    CHECK(m.setBounds(s, 0, 4800, "t9").reason == "there is no track 't9'");
}

TEST_CASE("transactions nest: an inner rollback takes back its own edits, an inner commit joins the outer", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const json before = m.toJson();
    const size_t revision = m.revision();
    m.beginTransaction();
    const std::string a = m.addSegment("t1", 0, 4800).id;
    REQUIRE(m.setClassification("quality", "good").ok);
    const json afterA = m.toJson();
    const size_t revisionA = m.revision();
    m.beginTransaction();
    REQUIRE(m.addSegment("t2", 0, 4800).ok);
    REQUIRE(m.setClassification("quality", "bad").ok);
    REQUIRE(m.removeTrack("t1").ok);
    CHECK(m.transactionDepth() == 2);
    REQUIRE(m.rollbackTransaction());
    CHECK(m.toJson() == afterA);
    CHECK(m.revision() == revisionA);
    CHECK(m.segments().size() == 1);   // the order cache follows the rollback
    m.beginTransaction();
    const std::string c = m.addSegment("t2", 9600, 14400).id;
    REQUIRE(m.commitTransaction());
    CHECK_FALSE(m.canUndo());   // undo waits for the outer transaction
    CHECK_FALSE(m.undo());
    REQUIRE(m.commitTransaction());
    CHECK_FALSE(m.commitTransaction());   // none open
    const json after = m.toJson();
    CHECK(m.segment(a));
    CHECK(m.segment(c));
    CHECK(m.classifications()["quality"] == "good");
    REQUIRE(m.undo());   // all of it, in one step
    CHECK(m.toJson() == before);
    REQUIRE(m.canUndo());   // the two addTrack steps are still there
    REQUIRE(m.redo());
    CHECK(m.toJson() == after);
    CHECK(m.revision() != revision);

    // An outer rollback takes back what inner transactions committed into it.
    const std::string doc = m.toJson().dump();
    const size_t committed = m.revision();
    m.beginTransaction();
    m.beginTransaction();
    REQUIRE(m.removeSegment(a).ok);
    REQUIRE(m.commitTransaction());
    REQUIRE(m.rollbackTransaction());
    CHECK_FALSE(m.rollbackTransaction());
    CHECK(m.toJson().dump() == doc);
    CHECK(m.revision() == committed);
}

TEST_CASE("a revision names one state: a rollback returns to it, and later states get new numbers", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const size_t start = m.revision();
    m.beginTransaction();
    REQUIRE(m.addSegment("t1", 0, 4800).ok);
    const size_t inside = m.revision();
    CHECK(inside != start);
    REQUIRE(m.rollbackTransaction());
    CHECK(m.revision() == start);
    REQUIRE(m.addSegment("t2", 0, 4800).ok);   // another state than the rolled-back one
    CHECK(m.revision() != inside);
    CHECK(m.revision() != start);
    // A rule that changed meanwhile stays, so the state after the rollback is a new one.
    const size_t beforeRule = m.revision();
    m.beginTransaction();
    m.setPolicy("speaker", {false, 960});
    REQUIRE(m.rollbackTransaction());
    CHECK(m.revision() != beforeRule);
    CHECK(m.track("t1")->policy.minLength == 960);
    // So does a new timebase.
    const size_t beforeTimebase = m.revision();
    m.setTimebase(48000, 48000 * 60);   // the same: no change
    CHECK(m.revision() == beforeTimebase);
    m.beginTransaction();
    m.setTimebase(48000, 48000 * 30);
    REQUIRE(m.rollbackTransaction());
    CHECK(m.revision() != beforeTimebase);
    CHECK(m.mediaFrames() == 48000 * 30);
}

TEST_CASE("an exception inside a transaction rolls it back and reaches the caller", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const std::string doc = m.toJson().dump();
    const size_t revision = m.revision();
    CHECK_THROWS_AS(m.transaction([&]() -> EditResult {
        REQUIRE(m.addSegment("t1", 0, 4800).ok);
        throw std::runtime_error("the caller gave up");
    }), std::runtime_error);
    CHECK(m.toJson().dump() == doc);
    CHECK(m.revision() == revision);
    CHECK(m.transactionDepth() == 0);
}

TEST_CASE("a group keeps the edits that were not refused, and a load ends an open transaction", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    m.beginGroup();
    REQUIRE(m.addSegment("t1", 0, 4800).ok);
    REQUIRE_FALSE(m.addSegment("t1", 100, 5000).ok);
    m.endGroup();
    CHECK(m.segments().size() == 1);
    m.beginTransaction();
    REQUIRE(m.addSegment("t2", 0, 4800).ok);
    const json loaded = m.toJson();
    const size_t revision = m.revision();
    m.fromJson(loaded);
    CHECK(m.transactionDepth() == 0);
    CHECK_FALSE(m.rollbackTransaction());
    CHECK(m.toJson() == loaded);
    CHECK(m.revision() != revision);
    CHECK_FALSE(m.canUndo());
}

TEST_CASE("keystrokes each in a transaction of their own still join one undo step; a larger transaction does not", "[AnnotationModel]")
{
    AnnotationModel m = modelWithTracks();
    const std::string s = m.addSegment("t2", 0, 4800).id;
    const json empty = m.toJson();
    for (const char* text : {"h", "he", "hel"}) {
        m.beginTransaction();
        REQUIRE(m.setField(s, "transcription", text, true).ok);
        REQUIRE(m.commitTransaction());
    }
    const json typed = m.toJson();
    m.beginTransaction();
    REQUIRE(m.setField(s, "transcription", "help", true).ok);
    REQUIRE(m.setField(s, "note", "x").ok);
    REQUIRE(m.commitTransaction());
    m.beginTransaction();   // a keystroke rolled back leaves the typing step open for the next one
    REQUIRE(m.setField(s, "transcription", "hello", true).ok);
    REQUIRE(m.rollbackTransaction());
    REQUIRE(m.setField(s, "transcription", "hello", true).ok);
    REQUIRE(m.undo());
    CHECK(m.segment(s)->fields["transcription"] == "help");
    REQUIRE(m.undo());
    CHECK(m.toJson() == typed);
    REQUIRE(m.undo());
    CHECK(m.toJson() == empty);
}
