// SPDX-License-Identifier: MIT
#pragma once

#include "MediaError.h"
#include "StrictJson.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace avseg {

// A label config that breaks a rule. path() locates the offending key like
// `segmentFields[1].options` (empty for the config as a whole); what() is
// "<path>: <reason>", or "config: <reason>" when the path is empty.
class ConfigError : public MediaError {
public:
    ConfigError(const std::string& path, const std::string& reason);
    const std::string& path() const { return path_; }
    const std::string& reason() const { return reason_; }

private:
    std::string path_;
    std::string reason_;
};

enum class FieldType { Text, Choice, Multi, Rating, Boolean };

const char* fieldTypeName(FieldType type);

// A kind of track: segments on a track of this category carry one of its tags.
struct CategorySpec {
    std::string name;
    std::string label;
    std::string description;               // empty when not given
    std::vector<std::string> tags;
    bool allowOverlap = true;              // segments of one track may overlap
    double minLength = 0;                  // seconds
    nlohmann::ordered_json extensions = nlohmann::ordered_json::object();  // the "x-" keys, kept for the host

    bool hasTag(const std::string& tag) const;
};

// One question asked per segment (segment field) or once per file (classification).
struct FieldSpec {
    std::string name;
    FieldType type = FieldType::Text;
    std::string label;
    std::string description;               // empty when not given
    bool required = false;
    std::vector<std::string> categories;   // segment fields only; empty = every category
    std::vector<std::string> options;      // choice, multi
    bool multiline = false;                // text
    int maxLength = 0;                     // text, in Unicode code points
    int min = 0;                           // rating
    int max = 0;                           // rating
    nlohmann::ordered_json extensions = nlohmann::ordered_json::object();

    bool appliesTo(const std::string& category) const;
};

// A criterion each clip of a comparison is rated on, an integer on [lo, hi] (MOS: [1, 5]).
struct CriterionSpec {
    std::string name;
    std::string label;
    std::string description;               // empty when not given
    int lo = 1;
    int hi = 5;
    bool required = false;
    nlohmann::ordered_json extensions = nlohmann::ordered_json::object();
};

// auto: a preference for two clips, a ranking for three or four.
enum class JudgementKind { Auto, Preference, Ranking };
enum class ReasonPolicy { Required, Optional, None };

const char* judgementKindName(JudgementKind kind);
const char* reasonPolicyName(ReasonPolicy policy);

// How comparison tasks (2 to 4 clips of one prompt) are judged (doc/comparison-format.md).
struct ComparisonSpec {
    std::vector<CriterionSpec> criteria;
    JudgementKind judgement = JudgementKind::Auto;
    ReasonPolicy reason = ReasonPolicy::Optional;
    bool blind = true;
    nlohmann::ordered_json extensions = nlohmann::ordered_json::object();
};

enum class PitchRangeMode { Config, Speaker };

const char* pitchRangeModeName(PitchRangeMode mode);

// The analysis tracks under the waveform (doc/label-config.md#analysis): which are shown, the
// options their computation takes, and where accepted pauses and snapped boundaries go.
struct AnalysisSpec {
    std::vector<std::string> show = {"pauses", "pitch", "loudness", "motion"};
    double pauseThresholdDb = -30.0;     // relative to the file's speech level
    double pauseMinDuration = 0.2;       // seconds
    std::string pauseCategory;           // the track accepted pauses go on; empty: the selected track
    std::string pauseTag;
    double pitchFloorHz = 50.0;
    double pitchCeilingHz = 800.0;
    PitchRangeMode pitchRange = PitchRangeMode::Config;
    double loudnessJumpLu = 10.0;
    std::vector<std::string> snapKinds = {"pause", "energy", "zero"};
    double snapRadiusMs = 20.0;
    nlohmann::ordered_json extensions = nlohmann::ordered_json::object();
    // The "x-" keys of pauses, pauses.track, pitch, loudness and snap, by those names.
    nlohmann::ordered_json partExtensions = nlohmann::ordered_json::object();
};

// The labels an annotator works with, from one JSON document (doc/label-config.md).
// Loading either yields a complete, valid config or throws ConfigError naming the
// first problem; a LabelConfig never holds a half-checked config.
class LabelConfig {
public:
    static constexpr int kMaxDepth = StrictJson::kMaxDepth;  // nesting, counting the top-level object
    static constexpr int kDefaultTextMaxLength = 100000;
    static constexpr int kMaxMinSegments = 1000000;

    LabelConfig() = default;                          // declares nothing

    // Keeps the document's key order, which is the order of categories in the object forms.
    static LabelConfig parse(const std::string& text);
    static LabelConfig fromJson(const nlohmann::ordered_json& config);
    // nlohmann::json sorts object keys: categories given in an object form come out sorted by name.
    static LabelConfig fromJson(const nlohmann::json& config);

    const std::vector<CategorySpec>& categories() const { return categories_; }
    const CategorySpec* findCategory(const std::string& name) const;

    const std::vector<FieldSpec>& segmentFields() const { return segmentFields_; }
    // In config order; empty for a category the config does not declare.
    std::vector<const FieldSpec*> segmentFieldsFor(const std::string& category) const;
    const FieldSpec* findSegmentField(const std::string& name) const;

    const std::vector<FieldSpec>& classifications() const { return classifications_; }
    const FieldSpec* findClassification(const std::string& name) const;

    // The fewest segments an answer may have (0: no rule); the AWS sample refuses a submit with none.
    int minSegments() const { return minSegments_; }

    // The "comparison" block, or null when the config has none.
    const ComparisonSpec* comparison() const { return hasComparison_ ? &comparison_ : nullptr; }

    // The "analysis" block, or null when the config has none.
    const AnalysisSpec* analysis() const { return hasAnalysis_ ? &analysis_ : nullptr; }

    // Empty when `value` is an acceptable answer for the field, else a message for the
    // annotator. No answer (null, a discarded value) is acceptable here; whether an answer
    // is needed is isEmpty's question.
    static std::string validateValue(const FieldSpec& field, const nlohmann::json& value);
    // True when a required field would still be unanswered: null, discarded (missing),
    // "" and [] are empty; false and 0 are answers.
    static bool isEmpty(const FieldSpec& field, const nlohmann::json& value);

    // The normalized config: array forms, every default written out. fromJson(toJson())
    // gives an equal config and the same toJson().
    nlohmann::ordered_json toJson() const;

private:
    std::vector<CategorySpec> categories_;
    std::vector<FieldSpec> segmentFields_;
    std::vector<FieldSpec> classifications_;
    int minSegments_ = 0;
    bool hasComparison_ = false;
    ComparisonSpec comparison_;
    bool hasAnalysis_ = false;
    AnalysisSpec analysis_;
    nlohmann::ordered_json extensions_ = nlohmann::ordered_json::object();
};

} // namespace avseg
