// SPDX-License-Identifier: MIT
#include "AnnotationValidator.h"

#include <cmath>
#include <map>

namespace avseg {

TrackPolicy policyFor(const LabelConfig& config, const std::string& category, int64_t rate)
{
    TrackPolicy policy;
    if (const CategorySpec* spec = config.findCategory(category)) {
        policy.allowOverlap = spec->allowOverlap;
        policy.minLength = static_cast<int64_t>(std::ceil(spec->minLength * double(rate) - 1e-9));
    }
    return policy;
}

void applyPolicies(const LabelConfig& config, AnnotationModel& model)
{
    for (const CategorySpec& spec : config.categories())
        model.setPolicy(spec.name, policyFor(config, spec.name, model.rate()));
}

std::vector<AnnotationProblem> validateAnnotations(const AnnotationModel& model, const LabelConfig& config)
{
    std::vector<AnnotationProblem> problems;
    const bool categoriesDeclared = !config.categories().empty();
    for (const Track& t : model.tracks()) {
        if (!categoriesDeclared)
            break;
        const CategorySpec* spec = config.findCategory(t.category);
        if (!spec)
            problems.push_back({{}, t.id, {}, "the category '" + t.category + "' is not in the label config"});
        else if (!spec->hasTag(t.tag))
            problems.push_back({{}, t.id, {}, "'" + t.tag + "' is not a tag of the category '" + t.category + "'"});
    }
    std::map<std::string, std::string> broken;
    for (auto& [id, why] : model.allProblems())
        broken.emplace(id, why);
    for (const Segment* s : model.segments()) {
        if (const auto it = broken.find(s->id); it != broken.end())
            problems.push_back({s->id, s->track, {}, it->second});
        const Track* t = model.track(s->track);
        if (!t)
            continue;
        for (const FieldSpec* field : config.segmentFieldsFor(t->category)) {
            const auto it = s->fields.find(field->name);
            const nlohmann::json value = it == s->fields.end() ? nlohmann::json() : *it;
            if (field->required && LabelConfig::isEmpty(*field, value))
                problems.push_back({s->id, s->track, field->name, field->label + " is required"});
            else if (const std::string why = LabelConfig::validateValue(*field, value); !why.empty())
                problems.push_back({s->id, s->track, field->name, field->label + ": " + why});
        }
        for (const auto& [name, value] : s->fields.items()) {
            const FieldSpec* field = config.findSegmentField(name);
            if (field && !field->appliesTo(t->category) && !value.is_null())
                problems.push_back({s->id, s->track, name, field->label + " does not apply to '" + t->category + "' tracks"});
        }
    }
    if (const size_t n = model.segments().size(); n < size_t(config.minSegments())) {
        const int min = config.minSegments();
        problems.push_back({{}, {}, {}, "at least " + std::to_string(min) + (min == 1 ? " segment is" : " segments are") +
            " needed, there " + (n == 1 ? "is 1" : "are " + std::to_string(n))});
    }
    for (const FieldSpec& field : config.classifications()) {
        const auto& answers = model.classifications();
        const auto it = answers.find(field.name);
        const nlohmann::json value = it == answers.end() ? nlohmann::json() : *it;
        if (field.required && LabelConfig::isEmpty(field, value))
            problems.push_back({{}, {}, field.name, field.label + " is required"});
        else if (const std::string why = LabelConfig::validateValue(field, value); !why.empty())
            problems.push_back({{}, {}, field.name, field.label + ": " + why});
    }
    return problems;
}

} // namespace avseg
