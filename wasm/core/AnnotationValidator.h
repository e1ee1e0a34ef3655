// SPDX-License-Identifier: MIT
#pragma once

#include "AnnotationModel.h"
#include "LabelConfig.h"

#include <string>
#include <vector>

namespace avseg {

// One thing that blocks submitting: which segment or track, which field, what is wrong.
struct AnnotationProblem {
    std::string segment;   // segment id, or empty
    std::string track;     // track id, or empty
    std::string field;     // segment field or classification name, or empty
    std::string message;
};

// Checks the annotations against the label config: tracks of declared categories and tags,
// segments inside the media and within their track's policy, required fields answered and
// every answer acceptable for its field, and the whole-file classifications likewise.
// In the order an annotator would fix them: tracks, segments by time, classifications.
std::vector<AnnotationProblem> validateAnnotations(const AnnotationModel& model, const LabelConfig& config);

// A track's edit rules from its category (minimum length converted to frames at `rate`).
TrackPolicy policyFor(const LabelConfig& config, const std::string& category, int64_t rate);

// Gives every track of a category the config declares that category's rules; tracks of other
// categories keep theirs (validation reports them).
void applyPolicies(const LabelConfig& config, AnnotationModel& model);

} // namespace avseg
