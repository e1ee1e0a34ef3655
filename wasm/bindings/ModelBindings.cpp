// SPDX-License-Identifier: MIT
// The annotation model's JS boundary (its own small module, no FFmpeg): adapts types, turns
// exceptions into error values, nothing else. Documents and field values cross as JSON text.
#include "AnnotationDocument.h"
#include "AnnotationModel.h"
#include "AnnotationValidator.h"
#include "LabelConfig.h"
#include "MediaError.h"
#include "StrictJson.h"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace emscripten;
using namespace avseg;
using nlohmann::json;

namespace {

// The one result shape of the bindings: {ok, code, message, ...}; `reason` is the same text,
// kept for callers written before `message`.
struct Result {
    bool ok = true;
    std::string code = errorCodeName(ErrorCode::None);
    std::string message;
    std::string id;
};

Result from(const EditResult& r)
{
    return {r.ok, errorCodeName(r.ok ? ErrorCode::None : ErrorCode::Refused), r.reason, r.id};
}

Result failure(ErrorCode code, const std::string& message)
{
    return {false, errorCodeName(code), message, {}};
}

// JSON text from the host read as strictly as a document (no key twice, nothing after the value,
// ...); `what` names it in the refusal: "in the value, a appears twice in the same object".
bool readJson(const std::string& text, json& out, std::string& refusal, const std::string& what)
{
    try {
        out = StrictJson::parse(text);
        return true;
    } catch (const StrictJsonError& e) {
        refusal = e.path().empty() ? what + " " + e.reason() : "in " + what + ", " + e.path() + " " + e.reason();
        return false;
    }
}

int64_t frames(double v)
{
    return std::isfinite(v) ? static_cast<int64_t>(std::llround(v)) : -1;
}

class Annotations {
public:
    Result setConfig(const std::string& text)
    {
        try {
            config_ = LabelConfig::parse(text);
            applyPolicies(config_, model_);
            return {};
        } catch (const ConfigError& e) {
            return failure(ErrorCode::InvalidConfig, e.what());
        }
    }
    std::string config() const { return config_.toJson().dump(); }

    void setTimebase(double rate, double length)
    {
        model_.setTimebase(frames(rate), frames(length));
        applyPolicies(config_, model_);
    }
    void setMedia(const std::string& mediaJson, const std::string& taskId)
    {
        document_.media = json::parse(mediaJson, nullptr, false);
        if (!document_.media.is_object())
            document_.media = json::object();
        document_.taskId = taskId;
    }

    Result load(const std::string& text)
    {
        try {
            const int64_t rate = model_.rate(), length = model_.mediaFrames();
            document_.readText(text, model_);
            if (length > 0 && model_.mediaFrames() == 0)
                model_.setTimebase(rate, length);
            applyPolicies(config_, model_);
            return {};
        } catch (const ConfigError& e) {
            return failure(ErrorCode::InvalidDocument, e.what());
        }
    }
    std::string save() const { return document_.write(model_).dump(); }
    // One segment as the document writes it, or "" (cheaper than save() for a single lookup).
    std::string segment(const std::string& id) const
    {
        const Segment* s = model_.segment(id);
        if (!s)
            return {};
        return json{{"id", s->id}, {"track", s->track}, {"start", s->start}, {"end", s->end}, {"fields", s->fields}}.dump();
    }

    std::string tracks() const
    {
        json out = json::array();
        for (const Track& t : model_.tracks())
            out.push_back({{"id", t.id}, {"category", t.category}, {"tag", t.tag},
                {"allowOverlap", t.policy.allowOverlap}, {"minLength", t.policy.minLength}});
        return out.dump();
    }
    std::string classifications() const { return model_.classifications().dump(); }
    double rate() const { return double(model_.rate()); }
    double segmentCount() const { return double(model_.segments().size()); }
    std::string nextOnTrack(const std::string& id) const
    {
        const Segment* s = model_.nextOnTrack(id);
        return s ? s->id : std::string();
    }
    void beginGroup() { model_.beginGroup(); }
    void endGroup() { model_.endGroup(); }
    // All or nothing, one undo step: see AnnotationModel::beginTransaction().
    void beginTransaction() { model_.beginTransaction(); }
    bool commitTransaction() { return model_.commitTransaction(); }
    bool rollbackTransaction() { return model_.rollbackTransaction(); }
    double transactionDepth() const { return double(model_.transactionDepth()); }

    Result addTrack(const std::string& category, const std::string& tag)
    {
        return from(model_.addTrack(category, tag, policyFor(config_, category, model_.rate())));
    }
    Result renameTrack(const std::string& id, const std::string& tag) { return from(model_.renameTrack(id, tag)); }
    Result removeTrack(const std::string& id) { return from(model_.removeTrack(id)); }

    Result addSegment(const std::string& track, double start, double end, const std::string& fieldsJson)
    {
        json fields = json::object();
        std::string refusal;
        if (!fieldsJson.empty() && !readJson(fieldsJson, fields, refusal, "the segment fields"))
            return failure(ErrorCode::InvalidValue, refusal);
        if (!fields.is_object())
            return failure(ErrorCode::InvalidValue, "segment fields must be a JSON object");
        return from(model_.addSegment(track, frames(start), frames(end), std::move(fields)));
    }
    Result setBounds(const std::string& id, double start, double end) { return from(model_.setBounds(id, frames(start), frames(end))); }
    Result moveSegment(const std::string& id, double start, const std::string& track) { return from(model_.moveSegment(id, frames(start), track)); }
    // New bounds on another track, checked in that final place only.
    Result placeSegment(const std::string& id, const std::string& track, double start, double end) { return from(model_.setBounds(id, frames(start), frames(end), track)); }
    Result splitSegment(const std::string& id, double at) { return from(model_.splitSegment(id, frames(at))); }
    Result mergeSegments(const std::string& a, const std::string& b) { return from(model_.mergeSegments(a, b)); }
    Result removeSegment(const std::string& id) { return from(model_.removeSegment(id)); }

    // typing: keystrokes in one field are one undo step until endTyping().
    Result setField(const std::string& id, const std::string& name, const std::string& valueJson, bool typing)
    {
        json value;
        std::string refusal;
        if (!readJson(valueJson, value, refusal, "the value"))
            return failure(ErrorCode::InvalidValue, refusal);
        return from(model_.setField(id, name, value, typing));
    }
    Result setClassification(const std::string& name, const std::string& valueJson, bool typing)
    {
        json value;
        std::string refusal;
        if (!readJson(valueJson, value, refusal, "the value"))
            return failure(ErrorCode::InvalidValue, refusal);
        return from(model_.setClassification(name, value, typing));
    }
    void endTyping() { model_.endTyping(); }

    bool undo() { return model_.undo(); }
    bool redo() { return model_.redo(); }
    bool canUndo() const { return model_.canUndo(); }
    bool canRedo() const { return model_.canRedo(); }
    double revision() const { return double(model_.revision()); }

    std::string validate() const
    {
        json out = json::array();
        for (const AnnotationProblem& p : validateAnnotations(model_, config_))
            out.push_back({{"segment", p.segment}, {"track", p.track}, {"field", p.field}, {"message", p.message}});
        return out.dump();
    }

    // For drawing: [start, end, track index] of every segment overlapping [from, to), in time order.
    val spans(double from, double to) const { return pack(model_.segmentsIn(frames(from), frames(to)), spanIds_); }
    // The id of the i-th span of the last spans() call.
    std::string spanId(int i) const { return at(spanIds_, i); }
    // For the segment list: [start, end, track index] of every segment, by time or by track.
    val listing(bool byTrack) const { return pack(byTrack ? model_.segmentsByTrack() : model_.segments(), listingIds_[byTrack]); }
    // The id of the i-th segment of the last listing() call of that order.
    std::string listingId(bool byTrack, int i) const { return at(listingIds_[byTrack], i); }

private:
    LabelConfig config_;
    AnnotationModel model_;
    AnnotationDocument document_;
    mutable std::vector<std::string> spanIds_, listingIds_[2];

    val pack(const std::vector<const Segment*>& segments, std::vector<std::string>& ids) const
    {
        std::vector<double> out;
        out.reserve(segments.size() * 3);
        ids.clear();
        std::map<std::string, double> index;
        for (const Track& t : model_.tracks())
            index.emplace(t.id, double(index.size()));
        for (const Segment* s : segments) {
            const auto it = index.find(s->track);
            out.insert(out.end(), {double(s->start), double(s->end), it == index.end() ? -1.0 : it->second});
            ids.push_back(s->id);
        }
        return val::global("Float64Array").new_(val(typed_memory_view(out.size(), out.data())));
    }
    static std::string at(const std::vector<std::string>& ids, int i) { return i >= 0 && size_t(i) < ids.size() ? ids[size_t(i)] : std::string(); }
};

} // namespace

EMSCRIPTEN_BINDINGS(avseg_model)
{
    value_object<Result>("Result")
        .field("ok", &Result::ok)
        .field("code", &Result::code)
        .field("message", &Result::message)
        .field("reason", &Result::message)
        .field("id", &Result::id);
    class_<Annotations>("Annotations")
        .constructor<>()
        .function("setConfig", &Annotations::setConfig)
        .function("config", &Annotations::config)
        .function("setTimebase", &Annotations::setTimebase)
        .function("setMedia", &Annotations::setMedia)
        .function("load", &Annotations::load)
        .function("save", &Annotations::save)
        .function("segment", &Annotations::segment)
        .function("addTrack", &Annotations::addTrack)
        .function("renameTrack", &Annotations::renameTrack)
        .function("removeTrack", &Annotations::removeTrack)
        .function("addSegment", &Annotations::addSegment)
        .function("setBounds", &Annotations::setBounds)
        .function("moveSegment", &Annotations::moveSegment)
        .function("placeSegment", &Annotations::placeSegment)
        .function("splitSegment", &Annotations::splitSegment)
        .function("mergeSegments", &Annotations::mergeSegments)
        .function("removeSegment", &Annotations::removeSegment)
        .function("setField", &Annotations::setField)
        .function("setClassification", &Annotations::setClassification)
        .function("endTyping", &Annotations::endTyping)
        .function("undo", &Annotations::undo)
        .function("redo", &Annotations::redo)
        .function("canUndo", &Annotations::canUndo)
        .function("canRedo", &Annotations::canRedo)
        .function("revision", &Annotations::revision)
        .function("validate", &Annotations::validate)
        .function("tracks", &Annotations::tracks)
        .function("classifications", &Annotations::classifications)
        .function("rate", &Annotations::rate)
        .function("segmentCount", &Annotations::segmentCount)
        .function("nextOnTrack", &Annotations::nextOnTrack)
        .function("beginGroup", &Annotations::beginGroup)
        .function("endGroup", &Annotations::endGroup)
        .function("beginTransaction", &Annotations::beginTransaction)
        .function("commitTransaction", &Annotations::commitTransaction)
        .function("rollbackTransaction", &Annotations::rollbackTransaction)
        .function("transactionDepth", &Annotations::transactionDepth)
        .function("listing", &Annotations::listing)
        .function("listingId", &Annotations::listingId)
        .function("spans", &Annotations::spans)
        .function("spanId", &Annotations::spanId);
}
