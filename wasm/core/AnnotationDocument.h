// SPDX-License-Identifier: MIT
#pragma once

#include "AnnotationModel.h"

#include <nlohmann/json.hpp>

#include <string>

namespace avseg {

// The versioned annotation document (doc/annotation-format.md): what is submitted, autosaved
// and loaded as pre-annotations. The model holds tracks, segments and classifications; the
// document adds what they belong to.
struct AnnotationDocument {
    static constexpr const char* kFormat = "avseg.annotation";
    static constexpr int kVersion = 1;

    nlohmann::json media = nlohmann::json::object();  // {url, duration, sampleRate, channels, ...}: the host's
    std::string taskId;

    nlohmann::json write(const AnnotationModel& model) const;
    // Reads a document into `model` (replacing it). Throws ConfigError naming the bad part;
    // the model is unchanged then.
    void read(const nlohmann::json& doc, AnnotationModel& model);
    // The same from the document's JSON text, read as strictly as a label config (StrictJson:
    // valid UTF-8, no repeated key, bounded nesting). Every document from outside comes this way.
    void readText(const std::string& text, AnnotationModel& model);
};

} // namespace avseg
