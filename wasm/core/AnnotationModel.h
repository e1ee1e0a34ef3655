// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace avseg {

// Edit rules of a track, from its category in the label config.
struct TrackPolicy {
    bool allowOverlap = true;
    int64_t minLength = 0;   // frames
};

struct Track {
    std::string id;
    std::string category;
    std::string tag;
    TrackPolicy policy;
};

// A span of one track. Times are exact frame positions of the media's timebase:
// the segment covers frames [start, end); seconds are derived (start / rate).
struct Segment {
    std::string id;
    std::string track;
    int64_t start = 0;
    int64_t end = 0;
    nlohmann::json fields = nlohmann::json::object();
};

// What an edit was refused for, or empty.
struct EditResult {
    bool ok = true;
    std::string reason;
    std::string id;  // the track or segment created, if any

    static EditResult refused(std::string why) { return {false, std::move(why), {}}; }
};

// Tracks, segments and whole-file classifications, with every edit undoable without limit.
// Edits that would break a track's policy (overlap, minimum length) or the media's bounds are
// refused with a reason, never silently adjusted.
class AnnotationModel {
public:
    // rate: frames per second of the timebase; frames: the media's length (0 if not known yet).
    void setTimebase(int64_t rate, int64_t frames);
    int64_t rate() const { return rate_; }
    int64_t mediaFrames() const { return frames_; }

    const std::vector<Track>& tracks() const { return tracks_; }
    const Track* track(const std::string& id) const;
    // Segments ordered by (start, end, id); kept until the next change.
    const std::vector<const Segment*>& segments() const;
    // Segments in track order, each track's by (start, end, id).
    std::vector<const Segment*> segmentsByTrack() const;
    // Segments overlapping frames [from, to), in segments() order.
    std::vector<const Segment*> segmentsIn(int64_t from, int64_t to) const;
    // The segment after this one on its track (by start), or null.
    const Segment* nextOnTrack(const std::string& id) const;
    const Segment* segment(const std::string& id) const;
    const nlohmann::json& classifications() const { return classifications_; }

    EditResult addTrack(const std::string& category, const std::string& tag, TrackPolicy policy = {});
    EditResult renameTrack(const std::string& id, const std::string& tag);
    EditResult removeTrack(const std::string& id);

    EditResult addSegment(const std::string& trackId, int64_t start, int64_t end, nlohmann::json fields = nlohmann::json::object());
    // trackId, if given, also moves it to that track: the place is checked once, as it ends up.
    EditResult setBounds(const std::string& id, int64_t start, int64_t end, const std::string& trackId = {});
    EditResult moveSegment(const std::string& id, int64_t start, const std::string& trackId = {});
    EditResult splitSegment(const std::string& id, int64_t at);
    EditResult mergeSegments(const std::string& first, const std::string& second);
    EditResult removeSegment(const std::string& id);
    // typing: consecutive edits of the same field while typing are one undo step, until
    // endTyping() or any other edit.
    EditResult setField(const std::string& id, const std::string& name, const nlohmann::json& value, bool typing = false);
    EditResult setClassification(const std::string& name, const nlohmann::json& value, bool typing = false);
    void endTyping();

    // A transaction: the edits between beginTransaction() and commitTransaction() are one undo
    // step (none if nothing changed; a single edit is recorded as it would be alone, so typing
    // in a field still joins the step before); rollbackTransaction() takes them all back, leaving the
    // segments, tracks, classifications, the ids new edits get, the undo and redo history and
    // revision() as they were at beginTransaction(). Transactions nest: an inner commit joins
    // the outer transaction, an inner rollback takes back only its own edits. While one is open
    // undo() and redo() refuse (return false), and the redo history is kept until a non-empty
    // outermost commit. fromJson() ends any open transaction with the rest of the history.
    void beginTransaction();
    bool commitTransaction();     // false if none was open
    bool rollbackTransaction();   // false if none was open
    size_t transactionDepth() const { return marks_.size(); }
    // fn() -> EditResult, run in a transaction: committed if it succeeds, rolled back if it is
    // refused or throws.
    template <class Fn>
    EditResult transaction(Fn&& fn)
    {
        beginTransaction();
        EditResult result;
        try {
            result = fn();
        } catch (...) {
            rollbackTransaction();
            throw;
        }
        if (result.ok)
            commitTransaction();
        else
            rollbackTransaction();
        return result;
    }
    // A group keeps the edits that were not refused, as one undo step (recording on several
    // tracks at once, deleting several tracks): a transaction that is always committed.
    void beginGroup() { beginTransaction(); }
    void endGroup() { commitTransaction(); }

    // The rules of every track of a category. They come from the label config, which belongs to
    // the job rather than the document, so this is not an edit: undo neither reverts it nor
    // brings back tracks with older rules.
    void setPolicy(const std::string& category, const TrackPolicy& policy);

    bool canUndo() const { return marks_.empty() && done_ > 0; }
    bool canRedo() const { return marks_.empty() && done_ < history_.size(); }
    bool undo();
    bool redo();
    // Names the model's state: every change (an edit, also inside a transaction; undo; redo; a
    // new timebase, policy or document) gives it a number never given before, so equal revisions
    // mean equal content. A rollback returns it to the number it had at beginTransaction(), as
    // the content is that state again (unless setTimebase() or setPolicy(), which a rollback does
    // not take back, changed something meanwhile: then it gets a new number).
    size_t revision() const { return revision_; }

    // What is wrong with this segment as it stands (bounds, track, policy), or empty.
    std::string problemWith(const Segment& s) const { return checkSegment(s, {}); }
    // problemWith() for every segment at once, in O(n log n): (segment id, reason) pairs.
    std::vector<std::pair<std::string, std::string>> allProblems() const;

    // Checks the model's own invariants (for tests); empty when consistent.
    std::string checkConsistency() const;

    // The document's tracks/segments/classifications parts; times as frames and seconds.
    nlohmann::json toJson() const;
    // Replaces everything (not undoable: it starts a new history). Throws ConfigError-like
    // std::invalid_argument with the location of a malformed part.
    void fromJson(const nlohmann::json& doc);

private:
    // An edit is a list of entity changes: each the state before and after (nullopt: absent).
    struct SegmentChange {
        std::optional<Segment> before, after;
    };
    struct TrackChange {
        std::optional<Track> before, after;
        size_t index = 0;
    };
    struct Edit {
        std::vector<TrackChange> tracks;
        std::vector<SegmentChange> segments;
        std::optional<std::pair<nlohmann::json, nlohmann::json>> classifications;
        std::string typing;  // non-empty: later typing in the same field joins this edit
    };

    // Where a transaction began: how much of pending_ was there, and what to restore.
    struct Mark {
        size_t segments = 0, tracks = 0;
        std::optional<std::pair<nlohmann::json, nlohmann::json>> classifications;
        std::string typing;
        uint64_t nextId = 1;
        size_t revision = 0;
        size_t outsideChanges = 0;
    };

    std::string checkSegment(const Segment& s, const std::string& ignoreId) const;
    std::string newId(char prefix);
    void commit(Edit edit);
    void record(Edit edit);
    void noteChange();
    void apply(const Edit& edit, bool forward);
    void putSegment(const std::optional<Segment>& from, const std::optional<Segment>& to);
    void putTrack(const std::optional<Track>& from, const std::optional<Track>& to, size_t index);

    int64_t rate_ = 48000;
    int64_t frames_ = 0;
    std::vector<Track> tracks_;
    std::map<std::string, Segment> segments_;
    nlohmann::json classifications_ = nlohmann::json::object();
    std::vector<Edit> history_;
    size_t done_ = 0;
    size_t revision_ = 0;
    size_t issued_ = 0;          // the highest revision given so far
    size_t generation_ = 0;      // counts every change of segments_, for ordered_
    size_t outsideChanges_ = 0;  // setTimebase() and setPolicy() changes, which rollbacks keep
    uint64_t nextId_ = 1;
    Edit pending_;               // the open transactions' edits, applied but not yet in history_
    std::vector<Mark> marks_;    // one per open transaction, outermost first
    // segments() in order, for the generation it was made at; a copy of the model starts empty,
    // since the pointers are into this model's own map.
    struct OrderCache {
        std::vector<const Segment*> order;
        size_t generation = SIZE_MAX;
        OrderCache() = default;
        OrderCache(const OrderCache&) {}
        OrderCache& operator=(const OrderCache&)
        {
            order.clear();
            generation = SIZE_MAX;
            return *this;
        }
    };
    mutable OrderCache ordered_;
};

} // namespace avseg
