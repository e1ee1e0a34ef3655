// SPDX-License-Identifier: MIT
#include "AnnotationModel.h"

#include "SegmentRules.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace avseg {

namespace {

bool emptyValue(const nlohmann::json& v)
{
    return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) || (v.is_array() && v.empty());
}

std::string describe(const Track& t)
{
    return t.category + "/" + t.tag;
}

} // namespace

void AnnotationModel::setTimebase(int64_t rate, int64_t frames)
{
    const int64_t oldRate = rate_, oldFrames = frames_;
    rate_ = rate > 0 ? rate : rate_;
    frames_ = std::max<int64_t>(frames, 0);
    if (rate_ != oldRate || frames_ != oldFrames) {
        revision_ = ++issued_;
        ++outsideChanges_;
    }
}

const Track* AnnotationModel::track(const std::string& id) const
{
    for (const Track& t : tracks_)
        if (t.id == id)
            return &t;
    return nullptr;
}

const Segment* AnnotationModel::segment(const std::string& id) const
{
    const auto it = segments_.find(id);
    return it == segments_.end() ? nullptr : &it->second;
}

const std::vector<const Segment*>& AnnotationModel::segments() const
{
    std::vector<const Segment*>& order = ordered_.order;
    if (ordered_.generation == generation_ && order.size() == segments_.size())
        return order;
    order.clear();
    order.reserve(segments_.size());
    for (const auto& [id, s] : segments_)
        order.push_back(&s);
    std::sort(order.begin(), order.end(), [](const Segment* a, const Segment* b) {
        return std::tie(a->start, a->end, a->id) < std::tie(b->start, b->end, b->id);
    });
    ordered_.generation = generation_;
    return order;
}

std::vector<const Segment*> AnnotationModel::segmentsByTrack() const
{
    std::map<std::string, size_t> rank;
    for (size_t i = 0; i < tracks_.size(); ++i)
        rank.emplace(tracks_[i].id, i);
    std::vector<const Segment*> out = segments();
    // Segments of a track that does not exist (a broken document) come last.
    std::stable_sort(out.begin(), out.end(), [&](const Segment* a, const Segment* b) {
        const auto ra = rank.find(a->track), rb = rank.find(b->track);
        return (ra == rank.end() ? SIZE_MAX : ra->second) < (rb == rank.end() ? SIZE_MAX : rb->second);
    });
    return out;
}

std::vector<const Segment*> AnnotationModel::segmentsIn(int64_t from, int64_t to) const
{
    std::vector<const Segment*> out;
    for (const Segment* s : segments()) {
        if (s->start >= to)
            break;
        if (s->end > from)
            out.push_back(s);
    }
    return out;
}

const Segment* AnnotationModel::nextOnTrack(const std::string& id) const
{
    const Segment* self = segment(id);
    if (!self)
        return nullptr;
    const auto& all = segments();
    auto it = std::find(all.begin(), all.end(), self);
    for (++it; it != all.end(); ++it)
        if ((*it)->track == self->track)
            return *it;
    return nullptr;
}

void AnnotationModel::beginTransaction()
{
    marks_.push_back({pending_.segments.size(), pending_.tracks.size(), pending_.classifications, pending_.typing, nextId_, revision_, outsideChanges_});
}

bool AnnotationModel::commitTransaction()
{
    if (marks_.empty())
        return false;
    marks_.pop_back();
    if (!marks_.empty())
        return true;   // joins the outer transaction
    Edit edit = std::move(pending_);
    pending_ = {};
    if (!edit.segments.empty() || !edit.tracks.empty() || edit.classifications)
        record(std::move(edit));
    return true;
}

bool AnnotationModel::rollbackTransaction()
{
    if (marks_.empty())
        return false;
    const Mark mark = std::move(marks_.back());
    marks_.pop_back();
    // As undo does: tracks first, so a track is back before its segments need it; newest first.
    for (; pending_.tracks.size() > mark.tracks; pending_.tracks.pop_back()) {
        const TrackChange& c = pending_.tracks.back();
        putTrack(c.after, c.before, c.index);
    }
    for (; pending_.segments.size() > mark.segments; pending_.segments.pop_back()) {
        const SegmentChange& c = pending_.segments.back();
        putSegment(c.after, c.before);
    }
    if (pending_.classifications)
        classifications_ = mark.classifications ? mark.classifications->second : pending_.classifications->first;
    pending_.classifications = mark.classifications;
    pending_.typing = mark.typing;
    nextId_ = mark.nextId;
    ++generation_;
    revision_ = mark.outsideChanges == outsideChanges_ ? mark.revision : ++issued_;
    return true;
}

void AnnotationModel::setPolicy(const std::string& category, const TrackPolicy& policy)
{
    auto update = [&](std::optional<Track>& t) {
        if (t && t->category == category)
            t->policy = policy;
    };
    bool changed = false;
    for (Track& t : tracks_)
        if (t.category == category && (t.policy.allowOverlap != policy.allowOverlap || t.policy.minLength != policy.minLength)) {
            t.policy = policy;
            changed = true;
        }
    for (Edit& e : history_)
        for (TrackChange& c : e.tracks) {
            update(c.before);
            update(c.after);
        }
    if (changed) {
        revision_ = ++issued_;
        ++outsideChanges_;
    }
}

std::string AnnotationModel::newId(char prefix)
{
    std::string id;
    do
        id = prefix + std::to_string(nextId_++);
    while (track(id) || segment(id));
    return id;
}

std::string AnnotationModel::checkSegment(const Segment& s, const std::string& ignoreId) const
{
    const Track* t = track(s.track);
    std::string overlapping;
    if (SegmentRules::forbidsOverlap(t))
        for (const auto& [id, other] : segments_)
            if (id != s.id && id != ignoreId && other.track == s.track && SegmentRules::overlap(s, other)) {
                overlapping = id;
                break;
            }
    return SegmentRules::check(s, t, frames_, overlapping).why;
}

EditResult AnnotationModel::addTrack(const std::string& category, const std::string& tag, TrackPolicy policy)
{
    if (category.empty() || tag.empty())
        return EditResult::refused("a track needs a category and a tag");
    for (const Track& t : tracks_)
        if (t.category == category && t.tag == tag)
            return EditResult::refused("a track " + category + "/" + tag + " already exists");
    Track t{newId('t'), category, tag, policy};
    Edit edit;
    edit.tracks.push_back({std::nullopt, t, tracks_.size()});
    commit(std::move(edit));
    return {true, {}, t.id};
}

EditResult AnnotationModel::renameTrack(const std::string& id, const std::string& tag)
{
    const Track* t = track(id);
    if (!t)
        return EditResult::refused("there is no track '" + id + "'");
    if (tag.empty())
        return EditResult::refused("a track needs a tag");
    for (const Track& other : tracks_)
        if (other.id != id && other.category == t->category && other.tag == tag)
            return EditResult::refused("a track " + t->category + "/" + tag + " already exists");
    Track renamed = *t;
    renamed.tag = tag;
    Edit edit;
    edit.tracks.push_back({*t, renamed, static_cast<size_t>(t - tracks_.data())});
    commit(std::move(edit));
    return {true, {}, id};
}

EditResult AnnotationModel::removeTrack(const std::string& id)
{
    const Track* t = track(id);
    if (!t)
        return EditResult::refused("there is no track '" + id + "'");
    Edit edit;
    for (const auto& [sid, s] : segments_)
        if (s.track == id)
            edit.segments.push_back({s, std::nullopt});
    edit.tracks.push_back({*t, std::nullopt, static_cast<size_t>(t - tracks_.data())});
    commit(std::move(edit));
    return {true, {}, id};
}

EditResult AnnotationModel::addSegment(const std::string& trackId, int64_t start, int64_t end, nlohmann::json fields)
{
    if (!fields.is_object())
        return EditResult::refused("segment fields must be an object");
    Segment s{newId('s'), trackId, start, end, std::move(fields)};
    if (const std::string why = checkSegment(s, {}); !why.empty())
        return EditResult::refused(why);
    Edit edit;
    edit.segments.push_back({std::nullopt, s});
    commit(std::move(edit));
    return {true, {}, s.id};
}

EditResult AnnotationModel::setBounds(const std::string& id, int64_t start, int64_t end, const std::string& trackId)
{
    const Segment* s = segment(id);
    if (!s)
        return EditResult::refused("there is no segment '" + id + "'");
    Segment changed = *s;
    changed.start = start;
    changed.end = end;
    if (!trackId.empty())
        changed.track = trackId;
    if (const std::string why = checkSegment(changed, {}); !why.empty())
        return EditResult::refused(why);
    if (changed.start == s->start && changed.end == s->end && changed.track == s->track)
        return {true, {}, id};
    Edit edit;
    edit.segments.push_back({*s, changed});
    commit(std::move(edit));
    return {true, {}, id};
}

EditResult AnnotationModel::moveSegment(const std::string& id, int64_t start, const std::string& trackId)
{
    const Segment* s = segment(id);
    if (!s)
        return EditResult::refused("there is no segment '" + id + "'");
    Segment changed = *s;
    changed.end = start + (s->end - s->start);
    changed.start = start;
    if (!trackId.empty())
        changed.track = trackId;
    if (const std::string why = checkSegment(changed, {}); !why.empty())
        return EditResult::refused(why);
    Edit edit;
    edit.segments.push_back({*s, changed});
    commit(std::move(edit));
    return {true, {}, id};
}

EditResult AnnotationModel::splitSegment(const std::string& id, int64_t at)
{
    const Segment* s = segment(id);
    if (!s)
        return EditResult::refused("there is no segment '" + id + "'");
    if (at <= s->start || at >= s->end)
        return EditResult::refused("the split point must lie inside the segment");
    Segment left = *s, right = *s;
    left.end = at;
    right.start = at;
    right.id = newId('s');
    for (const Segment* part : {&left, &right})
        if (const std::string why = checkSegment(*part, s->id); !why.empty())
            return EditResult::refused(why);
    Edit edit;
    edit.segments.push_back({*s, left});
    edit.segments.push_back({std::nullopt, right});
    commit(std::move(edit));
    return {true, {}, right.id};
}

EditResult AnnotationModel::mergeSegments(const std::string& firstId, const std::string& secondId)
{
    const Segment* a = segment(firstId);
    const Segment* b = segment(secondId);
    if (!a || !b || a == b)
        return EditResult::refused("merging needs two different segments");
    if (a->track != b->track)
        return EditResult::refused("only segments on the same track can be merged");
    if (b->start < a->start)
        std::swap(a, b);
    for (const auto& [id, other] : segments_)
        if (other.track == a->track && &other != a && &other != b && other.start >= a->start && other.start < b->start)
            return EditResult::refused("only neighbouring segments can be merged (" + id + " lies between)");
    Segment merged = *a;
    merged.end = std::max(a->end, b->end);
    for (const auto& [name, value] : b->fields.items()) {
        nlohmann::json& mine = merged.fields[name];
        if (emptyValue(mine))
            mine = value;
        else if (mine.is_string() && value.is_string() && !value.get_ref<const std::string&>().empty())
            mine = mine.get<std::string>() + " " + value.get<std::string>();
    }
    if (const std::string why = checkSegment(merged, b->id); !why.empty())
        return EditResult::refused(why);
    Edit edit;
    edit.segments.push_back({*b, std::nullopt});
    edit.segments.push_back({*a, merged});
    commit(std::move(edit));
    return {true, {}, merged.id};
}

EditResult AnnotationModel::removeSegment(const std::string& id)
{
    const Segment* s = segment(id);
    if (!s)
        return EditResult::refused("there is no segment '" + id + "'");
    Edit edit;
    edit.segments.push_back({*s, std::nullopt});
    commit(std::move(edit));
    return {true, {}, id};
}

EditResult AnnotationModel::setField(const std::string& id, const std::string& name, const nlohmann::json& value, bool typing)
{
    const Segment* s = segment(id);
    if (!s)
        return EditResult::refused("there is no segment '" + id + "'");
    if (name.empty())
        return EditResult::refused("a field needs a name");
    Segment changed = *s;
    if (value.is_null())
        changed.fields.erase(name);
    else
        changed.fields[name] = value;
    if (changed.fields == s->fields)
        return {true, {}, id};
    Edit edit;
    edit.segments.push_back({*s, changed});
    if (typing)
        edit.typing = "segment\n" + id + "\n" + name;
    commit(std::move(edit));
    return {true, {}, id};
}

EditResult AnnotationModel::setClassification(const std::string& name, const nlohmann::json& value, bool typing)
{
    if (name.empty())
        return EditResult::refused("a classification needs a name");
    nlohmann::json changed = classifications_;
    if (value.is_null())
        changed.erase(name);
    else
        changed[name] = value;
    if (changed == classifications_)
        return {};
    Edit edit;
    edit.classifications = std::make_pair(classifications_, changed);
    if (typing)
        edit.typing = "classification\n" + name;
    commit(std::move(edit));
    return {};
}

void AnnotationModel::commit(Edit edit)
{
    apply(edit, true);
    if (marks_.empty()) {
        record(std::move(edit));
        return;
    }
    // In a transaction: later edits run after the earlier ones, and undo runs them backwards. A
    // transaction of one edit is recorded as that edit alone would be, so keystrokes still join.
    const bool first = pending_.segments.empty() && pending_.tracks.empty() && !pending_.classifications;
    pending_.typing = first ? edit.typing : std::string();
    pending_.segments.insert(pending_.segments.end(), edit.segments.begin(), edit.segments.end());
    pending_.tracks.insert(pending_.tracks.end(), edit.tracks.begin(), edit.tracks.end());
    if (edit.classifications) {
        if (pending_.classifications)
            pending_.classifications->second = edit.classifications->second;
        else
            pending_.classifications = edit.classifications;
    }
}

// Puts an applied edit into the history as one undo step.
void AnnotationModel::record(Edit edit)
{
    history_.resize(done_);
    if (!edit.typing.empty() && !history_.empty() && history_.back().typing == edit.typing) {
        // More typing in the same field: one undo step from before the first keystroke.
        Edit& last = history_.back();
        for (size_t i = 0; i < last.segments.size() && i < edit.segments.size(); ++i)
            last.segments[i].after = edit.segments[i].after;
        if (last.classifications && edit.classifications)
            last.classifications->second = edit.classifications->second;
        return;
    }
    history_.push_back(std::move(edit));
    done_ = history_.size();
}

void AnnotationModel::endTyping()
{
    if (!history_.empty())
        history_.back().typing.clear();
}

bool AnnotationModel::undo()
{
    if (!canUndo())
        return false;
    apply(history_[--done_], false);
    return true;
}

bool AnnotationModel::redo()
{
    if (!canRedo())
        return false;
    apply(history_[done_++], true);
    return true;
}

void AnnotationModel::apply(const Edit& edit, bool forward)
{
    // Backwards in reverse order, so a track comes back before its segments need it.
    if (forward) {
        for (const SegmentChange& c : edit.segments)
            putSegment(c.before, c.after);
        for (const TrackChange& c : edit.tracks)
            putTrack(c.before, c.after, c.index);
    } else {
        for (auto c = edit.tracks.rbegin(); c != edit.tracks.rend(); ++c)
            putTrack(c->after, c->before, c->index);
        for (auto c = edit.segments.rbegin(); c != edit.segments.rend(); ++c)
            putSegment(c->after, c->before);
    }
    if (edit.classifications)
        classifications_ = forward ? edit.classifications->second : edit.classifications->first;
    noteChange();
}

void AnnotationModel::noteChange()
{
    revision_ = ++issued_;
    ++generation_;
}

void AnnotationModel::putSegment(const std::optional<Segment>& from, const std::optional<Segment>& to)
{
    if (from && (!to || to->id != from->id))
        segments_.erase(from->id);
    if (to)
        segments_[to->id] = *to;
}

void AnnotationModel::putTrack(const std::optional<Track>& from, const std::optional<Track>& to, size_t index)
{
    if (from) {
        const auto it = std::find_if(tracks_.begin(), tracks_.end(), [&](const Track& t) { return t.id == from->id; });
        if (it != tracks_.end()) {
            if (to && to->id == from->id) {
                *it = *to;
                return;
            }
            tracks_.erase(it);
        }
    }
    if (to)
        tracks_.insert(tracks_.begin() + static_cast<std::ptrdiff_t>(std::min(index, tracks_.size())), *to);
}

std::vector<std::pair<std::string, std::string>> AnnotationModel::allProblems() const
{
    std::map<std::string, const Track*> tracks;
    for (const Track& t : tracks_)
        tracks[t.id] = &t;
    std::vector<const Segment*> order;
    order.reserve(segments_.size());
    for (const auto& [id, s] : segments_)
        order.push_back(&s);
    std::sort(order.begin(), order.end(), [](const Segment* a, const Segment* b) {
        return std::tie(a->track, a->start, a->end, a->id) < std::tie(b->track, b->start, b->end, b->id);
    });
    std::map<std::string, std::string> found;
    // Per track, sorted by start: a segment overlaps an earlier one iff it starts before the furthest end so far.
    const Segment* furthest = nullptr;
    for (size_t i = 0; i < order.size(); ++i) {
        const Segment& s = *order[i];
        if (i == 0 || order[i - 1]->track != s.track)
            furthest = nullptr;
        const auto it = tracks.find(s.track);
        const Track* t = it == tracks.end() ? nullptr : it->second;
        const bool overlapping = furthest && s.start < furthest->end;
        if (SegmentProblem p = SegmentRules::check(s, t, frames_, overlapping ? furthest->id : std::string())) {
            // Both of an overlapping pair are reported, each naming the other.
            if (p.rule == SegmentRule::Overlap)
                found.emplace(furthest->id, SegmentRules::check(*furthest, t, frames_, s.id).why);
            found[s.id] = std::move(p.why);
        }
        if (!furthest || s.end > furthest->end)
            furthest = &s;
    }
    return {found.begin(), found.end()};
}

std::string AnnotationModel::checkConsistency() const
{
    std::set<std::string> trackIds;
    for (const Track& t : tracks_) {
        if (!trackIds.insert(t.id).second)
            return "duplicate track id " + t.id;
        for (const Track& u : tracks_)
            if (&t != &u && t.category == u.category && t.tag == u.tag)
                return "duplicate track " + describe(t);
    }
    for (const auto& [id, s] : segments_) {
        if (id != s.id)
            return "segment stored under the wrong id " + id;
        if (trackIds.count(s.track) == 0)
            return "segment " + id + " on a missing track";
        if (const std::string why = checkSegment(s, {}); !why.empty())
            return "segment " + id + ": " + why;
    }
    if (done_ > history_.size())
        return "undo position past the history";
    return {};
}

nlohmann::json AnnotationModel::toJson() const
{
    nlohmann::json tracks = nlohmann::json::array();
    for (const Track& t : tracks_)
        tracks.push_back({{"id", t.id}, {"category", t.category}, {"tag", t.tag},
            {"allowOverlap", t.policy.allowOverlap}, {"minLength", t.policy.minLength}});
    nlohmann::json segments = nlohmann::json::array();
    auto& list = segments.get_ref<nlohmann::json::array_t&>();
    list.reserve(segments_.size());
    // Built member by member: initializer lists copy every value twice.
    for (const Segment* s : this->segments()) {
        nlohmann::json& out = list.emplace_back(nlohmann::json::value_t::object);
        out["id"] = s->id;
        out["track"] = s->track;
        out["start"] = s->start;
        out["end"] = s->end;
        out["startTime"] = double(s->start) / double(rate_);
        out["endTime"] = double(s->end) / double(rate_);
        out["fields"] = s->fields;
    }
    nlohmann::json doc = nlohmann::json::object();
    doc["timebase"] = {{"rate", rate_}, {"frames", frames_}};
    doc["tracks"] = std::move(tracks);
    doc["segments"] = std::move(segments);
    doc["classifications"] = classifications_;
    return doc;
}

void AnnotationModel::fromJson(const nlohmann::json& doc)
{
    auto fail = [](const std::string& where, const std::string& why) {
        throw std::invalid_argument(where + ": " + why);
    };
    if (!doc.is_object())
        fail("document", "must be an object");
    // Whether v is an integer int64 holds: read as int64, one past it wraps to a negative number.
    auto isInt64 = [&](const nlohmann::json& v, const std::string& where) {
        if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX))
            fail(where, "is " + v.dump() + ", past the largest 64-bit integer");
        return v.is_number_integer();
    };
    AnnotationModel next;
    if (doc.contains("timebase")) {
        const auto& tb = doc["timebase"];
        if (!tb.is_object() || !isInt64(tb.value("rate", nlohmann::json()), "timebase.rate") || tb["rate"].get<int64_t>() <= 0)
            fail("timebase.rate", "must be a positive integer");
        next.rate_ = tb["rate"].get<int64_t>();
        if (tb.contains("frames")) {
            if (!isInt64(tb["frames"], "timebase.frames") || tb["frames"].get<int64_t>() < 0)
                fail("timebase.frames", "must be a whole number of frames");
            next.frames_ = tb["frames"].get<int64_t>();
        }
    }
    uint64_t maxId = 0;
    auto noteId = [&](const std::string& id) {
        if (id.size() > 1 && std::all_of(id.begin() + 1, id.end(), [](unsigned char ch) { return std::isdigit(ch) != 0; }) && id.size() < 19)
            maxId = std::max<uint64_t>(maxId, std::stoull(id.substr(1)));
    };
    const auto tracks = doc.value("tracks", nlohmann::json::array());
    if (!tracks.is_array())
        fail("tracks", "must be an array");
    std::map<std::pair<std::string, std::string>, size_t> named; // lanes, and consolidation, tell tracks apart by these
    for (size_t i = 0; i < tracks.size(); ++i) {
        const auto& t = tracks[i];
        const std::string where = "tracks[" + std::to_string(i) + "]";
        if (!t.is_object())
            fail(where, "must be an object");
        for (const char* key : {"id", "category", "tag"})
            if (!t.contains(key) || !t[key].is_string() || t[key].get_ref<const std::string&>().empty())
                fail(where + "." + key, "must be a non-empty string");
        Track track{t["id"], t["category"], t["tag"], {}};
        if (t.contains("allowOverlap")) {
            if (!t["allowOverlap"].is_boolean())
                fail(where + ".allowOverlap", "must be true or false");
            track.policy.allowOverlap = t["allowOverlap"];
        }
        if (t.contains("minLength")) {
            if (!isInt64(t["minLength"], where + ".minLength") || t["minLength"].get<int64_t>() < 0)
                fail(where + ".minLength", "must be a whole number of frames");
            track.policy.minLength = t["minLength"];
        }
        if (next.track(track.id))
            fail(where + ".id", "'" + track.id + "' is used twice");
        if (const auto [it, added] = named.emplace(std::make_pair(track.category, track.tag), i); !added)
            fail(where, "a second track '" + track.category + ": " + track.tag + "' (the first is tracks[" + std::to_string(it->second) + "])");
        noteId(track.id);
        next.tracks_.push_back(track);
    }
    // Overlaps are checked once all segments are in, by track and start: checked one by one
    // against all the others, a long document took minutes.
    static const nlohmann::json noSegments = nlohmann::json::array();
    const nlohmann::json& segments = doc.contains("segments") ? doc["segments"] : noSegments;   // not copied: it can be long
    if (!segments.is_array())
        fail("segments", "must be an array");
    for (size_t i = 0; i < segments.size(); ++i) {
        const auto& s = segments[i];
        const std::string where = "segments[" + std::to_string(i) + "]";
        if (!s.is_object())
            fail(where, "must be an object");
        for (const char* key : {"id", "track"})
            if (!s.contains(key) || !s[key].is_string() || s[key].get_ref<const std::string&>().empty())
                fail(where + "." + key, "must be a non-empty string");
        Segment seg{s["id"], s["track"], 0, 0, s.value("fields", nlohmann::json::object())};
        // Exact frames when given; seconds (from other tools) are rounded to the nearest frame.
        for (auto [frameKey, timeKey, target] : {std::tuple{"start", "startTime", &seg.start}, std::tuple{"end", "endTime", &seg.end}}) {
            if (s.contains(frameKey)) {
                if (!isInt64(s[frameKey], where + "." + frameKey))
                    fail(where + "." + frameKey, "must be a whole number of frames");
                *target = s[frameKey];
            } else if (s.contains(timeKey) && s[timeKey].is_number()) {
                const double frame = std::round(s[timeKey].get<double>() * double(next.rate_));
                // Outside int64 the conversion is undefined (a trap in wasm).
                if (!(frame >= -9223372036854775808.0 && frame < 9223372036854775808.0))
                    fail(where + "." + timeKey, "is " + s[timeKey].dump() + " seconds, beyond any media");
                *target = static_cast<int64_t>(frame);
            } else {
                fail(where + "." + frameKey, "is missing");
            }
        }
        if (!seg.fields.is_object())
            fail(where + ".fields", "must be an object");
        if (next.segments_.count(seg.id))
            fail(where + ".id", "'" + seg.id + "' is used twice");
        if (const SegmentProblem p = SegmentRules::check(seg, next.track(seg.track), next.frames_))
            fail(where, p.why);
        noteId(seg.id);
        next.segments_[seg.id] = seg;
    }
    std::vector<std::tuple<const Segment*, size_t>> exclusive;   // segments of tracks without overlap, with their index
    for (size_t i = 0; i < segments.size(); ++i) {
        const Segment& seg = next.segments_.at(segments[i]["id"].get_ref<const std::string&>());
        if (SegmentRules::forbidsOverlap(next.track(seg.track)))
            exclusive.emplace_back(&seg, i);
    }
    std::sort(exclusive.begin(), exclusive.end(), [](const auto& a, const auto& b) {
        const Segment& x = *std::get<0>(a);
        const Segment& y = *std::get<0>(b);
        return std::tie(x.track, x.start, std::get<1>(a)) < std::tie(y.track, y.start, std::get<1>(b));
    });
    for (size_t k = 1, furthest = 0; k < exclusive.size(); ++k) {
        const auto& [s, i] = exclusive[k];
        const auto& [f, j] = exclusive[furthest];
        if (f->track != s->track) {
            furthest = k;
            continue;
        }
        if (s->start < f->end) {   // the later of the two in the document is the one refused
            const auto& [later, at, other] = i > j ? std::tuple(s, i, f) : std::tuple(f, j, s);
            fail("segments[" + std::to_string(at) + "]", SegmentRules::check(*later, next.track(later->track), next.frames_, other->id).why);
        }
        if (s->end > f->end)
            furthest = k;
    }
    const auto classifications = doc.value("classifications", nlohmann::json::object());
    if (!classifications.is_object())
        fail("classifications", "must be an object");
    next.classifications_ = classifications;
    next.nextId_ = maxId + 1;
    next.issued_ = issued_ + 1;
    next.revision_ = next.issued_;
    *this = std::move(next);
}

} // namespace avseg
