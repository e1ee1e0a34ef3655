// SPDX-License-Identifier: MIT
// The annotation model's JS boundary (its own small module, no FFmpeg): adapts types, turns
// exceptions into error values, nothing else. Documents and field values cross as JSON text.
#include "AnnotationDocument.h"
#include "AnnotationModel.h"
#include "AnnotationValidator.h"
#include "LabelConfig.h"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <string>
#include <vector>

using namespace emscripten;
using namespace avseg;
using nlohmann::json;

namespace {

struct Result {
    bool ok = true;
    std::string code = "none";
    std::string reason;
    std::string id;
};

Result from(const EditResult& r)
{
    return {r.ok, r.ok ? "none" : "refused", r.reason, r.id};
}

Result failure(const std::string& code, const std::string& reason)
{
    return {false, code, reason, {}};
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
            return {};
        } catch (const ConfigError& e) {
            return failure("invalid-config", e.what());
        }
    }
    std::string config() const { return config_.toJson().dump(); }

    void setTimebase(double rate, double length) { model_.setTimebase(frames(rate), frames(length)); }
    void setMedia(const std::string& mediaJson, const std::string& taskId)
    {
        document_.media = json::parse(mediaJson, nullptr, false);
        if (!document_.media.is_object())
            document_.media = json::object();
        document_.taskId = taskId;
    }

    Result load(const std::string& text)
    {
        const json doc = json::parse(text, nullptr, false);
        if (doc.is_discarded())
            return failure("invalid-document", "the annotation document is not valid JSON");
        try {
            const int64_t rate = model_.rate(), length = model_.mediaFrames();
            document_.read(doc, model_);
            if (length > 0 && model_.mediaFrames() == 0)
                model_.setTimebase(rate, length);
            return {};
        } catch (const ConfigError& e) {
            return failure("invalid-document", e.what());
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

    Result addTrack(const std::string& category, const std::string& tag)
    {
        return from(model_.addTrack(category, tag, policyFor(config_, category, model_.rate())));
    }
    Result renameTrack(const std::string& id, const std::string& tag) { return from(model_.renameTrack(id, tag)); }
    Result removeTrack(const std::string& id) { return from(model_.removeTrack(id)); }

    Result addSegment(const std::string& track, double start, double end, const std::string& fieldsJson)
    {
        json fields = fieldsJson.empty() ? json::object() : json::parse(fieldsJson, nullptr, false);
        if (fields.is_discarded() || !fields.is_object())
            return failure("invalid-value", "segment fields must be a JSON object");
        return from(model_.addSegment(track, frames(start), frames(end), std::move(fields)));
    }
    Result setBounds(const std::string& id, double start, double end) { return from(model_.setBounds(id, frames(start), frames(end))); }
    Result moveSegment(const std::string& id, double start, const std::string& track) { return from(model_.moveSegment(id, frames(start), track)); }
    Result splitSegment(const std::string& id, double at) { return from(model_.splitSegment(id, frames(at))); }
    Result mergeSegments(const std::string& a, const std::string& b) { return from(model_.mergeSegments(a, b)); }
    Result removeSegment(const std::string& id) { return from(model_.removeSegment(id)); }

    // typing: keystrokes in one field are one undo step until endTyping().
    Result setField(const std::string& id, const std::string& name, const std::string& valueJson, bool typing)
    {
        const json value = json::parse(valueJson, nullptr, false);
        if (value.is_discarded())
            return failure("invalid-value", "the value is not valid JSON");
        return from(model_.setField(id, name, value, typing));
    }
    Result setClassification(const std::string& name, const std::string& valueJson, bool typing)
    {
        const json value = json::parse(valueJson, nullptr, false);
        if (value.is_discarded())
            return failure("invalid-value", "the value is not valid JSON");
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
    val spans(double from, double to) const
    {
        std::vector<double> out;
        ids_.clear();
        const auto& tracks = model_.tracks();
        for (const Segment* s : model_.segments()) {
            if (double(s->end) <= from || double(s->start) >= to)
                continue;
            double index = -1;
            for (size_t i = 0; i < tracks.size(); ++i)
                if (tracks[i].id == s->track)
                    index = double(i);
            out.insert(out.end(), {double(s->start), double(s->end), index});
            ids_.push_back(s->id);
        }
        return val::global("Float64Array").new_(val(typed_memory_view(out.size(), out.data())));
    }
    // The id of the i-th span of the last spans() call.
    std::string spanId(int i) const { return i >= 0 && size_t(i) < ids_.size() ? ids_[size_t(i)] : std::string(); }

private:
    LabelConfig config_;
    AnnotationModel model_;
    AnnotationDocument document_;
    mutable std::vector<std::string> ids_;
};

} // namespace

EMSCRIPTEN_BINDINGS(avseg_model)
{
    value_object<Result>("Result")
        .field("ok", &Result::ok)
        .field("code", &Result::code)
        .field("reason", &Result::reason)
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
        .function("spans", &Annotations::spans)
        .function("spanId", &Annotations::spanId);
}
