// SPDX-License-Identifier: MIT
#include "AnnotationDocument.h"

#include "LabelConfig.h"
#include "StrictJson.h"

#include <stdexcept>

namespace avseg {

nlohmann::json AnnotationDocument::write(const AnnotationModel& model) const
{
    nlohmann::json doc = model.toJson();
    doc["format"] = kFormat;
    doc["version"] = kVersion;
    doc["taskId"] = taskId;
    doc["media"] = media;
    return doc;
}

void AnnotationDocument::read(const nlohmann::json& doc, AnnotationModel& model)
{
    if (!doc.is_object())
        throw ConfigError("document", "must be a JSON object");   // with no path ConfigError says "config"
    // Not doc.value("format", ...): it throws json's own type_error for a format that is not a string.
    const auto format = doc.find("format");
    if (format == doc.end() || !format->is_string() || *format != kFormat)
        throw ConfigError("format", std::string("must be \"") + kFormat + "\"");
    if (!doc.contains("version") || !doc["version"].is_number_integer())
        throw ConfigError("version", "must be a whole number");
    // Read as unsigned first: a version past 2^63 would otherwise wrap to a negative one and pass.
    if (doc["version"].is_number_unsigned() ? doc["version"].get<uint64_t>() > uint64_t(kVersion) : doc["version"].get<int64_t>() > kVersion)
        throw ConfigError("version", "this document was written by a newer avseg (version "
            + doc["version"].dump() + "); this one reads up to " + std::to_string(kVersion));
    if (doc["version"].get<int64_t>() < 1)
        throw ConfigError("version", "must be 1 or more (got " + doc["version"].dump() + ")");
    if (doc.contains("media") && !doc["media"].is_object())
        throw ConfigError("media", "must be an object");
    if (doc.contains("taskId") && !doc["taskId"].is_string())
        throw ConfigError("taskId", "must be a string");
    AnnotationModel next;
    try {
        next.fromJson(doc);
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        const size_t colon = what.find(": ");
        throw ConfigError(what.substr(0, colon), colon == std::string::npos ? what : what.substr(colon + 2));
    }
    media = doc.value("media", nlohmann::json::object());
    taskId = doc.value("taskId", std::string());
    model = std::move(next);
}

void AnnotationDocument::readText(const std::string& text, AnnotationModel& model)
{
    nlohmann::json doc;
    try {
        doc = StrictJson::parse(text);
    } catch (const StrictJsonError& e) {
        throw ConfigError(e.path().empty() ? "document" : e.path(), e.reason());
    }
    read(doc, model);
}

} // namespace avseg
