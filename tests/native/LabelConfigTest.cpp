// SPDX-License-Identifier: MIT
#include "LabelConfig.h"

#include <catch2/catch.hpp>

using namespace avseg;
using json = nlohmann::json;

namespace {

const char* const kFullExample = R"({
  "version": 1,
  "categories": [
    {"name": "speaker", "tags": ["Customer", "Representative"], "allowOverlap": false, "minLength": 0.1, "label": "Speaker"},
    {"name": "language", "tags": ["English", "Spanish"]}
  ],
  "segmentFields": [
    {"name": "transcription", "type": "text", "label": "Transcription", "required": true, "categories": ["speaker"], "multiline": true, "maxLength": 10000},
    {"name": "emotion", "type": "choice", "options": ["Happy", "Angry", "Neutral", "Sad", "Worried"]},
    {"name": "issues", "type": "multi", "options": ["mispronounced", "skipped word", "wrong stress"]},
    {"name": "naturalness", "type": "rating", "max": 5, "min": 1},
    {"name": "clipped", "type": "boolean"}
  ],
  "classifications": [
    {"name": "speech", "type": "choice", "options": ["speech", "non-speech"], "required": true},
    {"name": "transcription", "type": "text", "multiline": true},
    {"name": "quality", "type": "rating", "max": 5}
  ]
})";

struct Failure {
    bool thrown = false;
    std::string path;
    std::string reason;
    std::string message;
};

Failure failureOf(const std::string& text)
{
    Failure f;
    try {
        LabelConfig::parse(text);
    } catch (const ConfigError& e) {
        f = {true, e.path(), e.reason(), e.what()};
    }
    return f;
}

FieldSpec field(const std::string& config)
{
    return LabelConfig::parse(R"({"classifications": [)" + config + "]}").classifications().at(0);
}

std::vector<std::string> names(const std::vector<const FieldSpec*>& fields)
{
    std::vector<std::string> out;
    for (const auto* f : fields)
        out.push_back(f->name);
    return out;
}

std::string deepArray(int levels)
{
    return std::string(size_t(levels), '[') + std::string(size_t(levels), ']');
}

} // namespace

TEST_CASE("the full example parses with the given values and defaults filled in", "[LabelConfig]")
{
    const auto config = LabelConfig::parse(kFullExample);

    REQUIRE(config.categories().size() == 2);
    const CategorySpec* speaker = config.findCategory("speaker");
    REQUIRE(speaker);
    CHECK(speaker->label == "Speaker");
    CHECK(speaker->tags == std::vector<std::string>{"Customer", "Representative"});
    CHECK_FALSE(speaker->allowOverlap);
    CHECK(speaker->minLength == 0.1);
    CHECK(speaker->hasTag("Customer"));
    CHECK_FALSE(speaker->hasTag("customer"));
    const CategorySpec* language = config.findCategory("language");
    REQUIRE(language);
    CHECK(language->label == "language");
    CHECK(language->allowOverlap);
    CHECK(language->minLength == 0);
    CHECK(config.findCategory("Speaker") == nullptr);

    REQUIRE(config.segmentFields().size() == 5);
    const FieldSpec* transcription = config.findSegmentField("transcription");
    REQUIRE(transcription);
    CHECK(transcription->type == FieldType::Text);
    CHECK(transcription->required);
    CHECK(transcription->multiline);
    CHECK(transcription->maxLength == 10000);
    CHECK(transcription->categories == std::vector<std::string>{"speaker"});
    const FieldSpec* emotion = config.findSegmentField("emotion");
    REQUIRE(emotion);
    CHECK(emotion->type == FieldType::Choice);
    CHECK(emotion->label == "emotion");
    CHECK_FALSE(emotion->required);
    CHECK(emotion->options.size() == 5);
    CHECK(config.findSegmentField("issues")->type == FieldType::Multi);
    const FieldSpec* naturalness = config.findSegmentField("naturalness");
    CHECK(naturalness->min == 1);
    CHECK(naturalness->max == 5);
    CHECK(config.findSegmentField("clipped")->type == FieldType::Boolean);

    REQUIRE(config.classifications().size() == 3);
    CHECK(config.findClassification("speech")->required);
    CHECK(config.findClassification("transcription")->maxLength == LabelConfig::kDefaultTextMaxLength);
    CHECK(config.findClassification("quality")->min == 1);
    CHECK(config.findClassification("emotion") == nullptr);
}

TEST_CASE("segment fields limited to categories apply only to tracks of those categories", "[LabelConfig]")
{
    const auto config = LabelConfig::parse(kFullExample);
    CHECK(names(config.segmentFieldsFor("speaker")) ==
          std::vector<std::string>{"transcription", "emotion", "issues", "naturalness", "clipped"});
    CHECK(names(config.segmentFieldsFor("language")) ==
          std::vector<std::string>{"emotion", "issues", "naturalness", "clipped"});
    CHECK(config.segmentFieldsFor("nobody").empty());
}

TEST_CASE("the Ground Truth sample's bare categories object is a config of categories only", "[LabelConfig]")
{
    const auto config = LabelConfig::parse(R"({"speaker":["Customer","Representative"],"language":["English","Spanish"]})");
    REQUIRE(config.categories().size() == 2);
    CHECK(config.categories()[0].name == "speaker");
    CHECK(config.categories()[0].label == "speaker");
    CHECK(config.categories()[0].tags == std::vector<std::string>{"Customer", "Representative"});
    CHECK(config.categories()[0].allowOverlap);
    CHECK(config.categories()[1].name == "language");
    CHECK(config.segmentFields().empty());
    CHECK(config.classifications().empty());
    CHECK(config.segmentFieldsFor("speaker").empty());
    CHECK(LabelConfig::parse(R"({"session": ["A"], "x-host": 1})").categories().at(0).name == "session");
}

TEST_CASE("categories may be given as an object of name to tags inside a full config", "[LabelConfig]")
{
    const auto config = LabelConfig::parse(R"({"categories": {"speaker": ["Customer"], "language": ["English"]},
        "segmentFields": [{"name": "t", "type": "text", "categories": ["language"]}]})");
    REQUIRE(config.categories().size() == 2);
    CHECK(config.categories()[0].name == "speaker");
    CHECK(config.categories()[1].name == "language");
    CHECK(names(config.segmentFieldsFor("language")) == std::vector<std::string>{"t"});
    CHECK(config.segmentFieldsFor("speaker").empty());
}

TEST_CASE("an already parsed nlohmann::json loads, with object-form categories in key order", "[LabelConfig]")
{
    const auto config = LabelConfig::fromJson(json::parse(R"({"speaker":["Customer"],"language":["English"]})"));
    REQUIRE(config.categories().size() == 2);
    CHECK(config.categories()[0].name == "language");
    CHECK(config.categories()[1].name == "speaker");
    CHECK(LabelConfig::fromJson(json::parse(kFullExample)).toJson() == LabelConfig::parse(kFullExample).toJson());
}

TEST_CASE("empty configs declare nothing", "[LabelConfig]")
{
    for (const char* text : {"{}", R"({"version": 1})", R"({"x-host": {"anything": [1, 2]}})"}) {
        INFO(text);
        const auto config = LabelConfig::parse(text);
        CHECK(config.categories().empty());
        CHECK(config.segmentFields().empty());
        CHECK(config.classifications().empty());
    }
    CHECK(LabelConfig().toJson().dump() ==
          R"({"version":1,"categories":[],"segmentFields":[],"classifications":[]})");
}

TEST_CASE("keys starting with x- are accepted anywhere an object has keys and kept for the host", "[LabelConfig]")
{
    const auto config = LabelConfig::parse(R"({"x-host": {"job": 7}, "version": 1.0,
        "categories": [{"name": "speaker", "tags": ["A"], "x-color": "#f00"}],
        "segmentFields": [{"name": "t", "type": "text", "x-widget": "big"}],
        "classifications": [{"name": "ok", "type": "boolean", "x-": null}]})");
    CHECK(config.categories()[0].extensions == nlohmann::ordered_json{{"x-color", "#f00"}});
    CHECK(config.segmentFields()[0].extensions == nlohmann::ordered_json{{"x-widget", "big"}});
    const auto out = config.toJson();
    CHECK(out["x-host"]["job"] == 7);
    CHECK(out["categories"][0]["x-color"] == "#f00");
    CHECK(out["segmentFields"][0]["x-widget"] == "big");
    CHECK(out["classifications"][0].contains("x-"));
}

TEST_CASE("a bad config is rejected naming the key at fault and why", "[LabelConfig]")
{
    struct Case {
        const char* config;
        const char* path;
        const char* reason;   // a part of the reason
    };
    const std::string longName(65, 'a');
    const std::string longTag(201, 't');
    const std::string withLongName = R"({"categories": [{"name": ")" + longName + R"(", "tags": ["A"]}]})";
    const std::string withLongTag = R"({"categories": [{"name": "a", "tags": [")" + longTag + R"("]}]})";
    const std::string tooDeep = R"({"x-deep": )" + deepArray(64) + "}";
    std::string tooDeepAt = "x-deep";
    for (int i = 0; i < 63; ++i)
        tooDeepAt += "[0]";
    const std::vector<Case> cases = {
        // the document
        {"", "", "is not valid JSON"},
        {R"({"categories": [})", "", "is not valid JSON (line 1, column 17"},
        {R"({"categories": [],})", "", "is not valid JSON"},
        {R"({"x-host": 1e400})", "", "is not valid JSON (number overflow parsing '1e400')"},
        {"[]", "", "must be a JSON object, got an empty array"},
        {R"("speaker")", "", "must be a JSON object, got \"speaker\""},
        {"null", "", "must be a JSON object, got null"},
        {R"({"version": 2})", "version", "must be 1 (the only version so far), got 2"},
        {R"({"version": "1"})", "version", "must be 1 (the only version so far), got \"1\""},
        {R"({"categories": [], "fields": []})", "fields", "unknown key (expected version, categories, segmentFields, classifications, minSegments, comparison, analysis, or an \"x-\" key for the host)"},
        {R"({"categories": [], "segmentfields": []})", "segmentfields", "unknown key (did you mean \"segmentFields\"?)"},
        {R"({"categoris": [{"name": "speaker", "tags": ["A"]}]})", "categoris", "unknown key (did you mean \"categories\"?)"},
        {R"({"speaker": ["A"], "segmentfields": []})", "segmentfields", "unknown key (did you mean \"segmentFields\"?)"},
        {R"({"Categories": ["A"]})", "Categories", "unknown key (did you mean \"categories\"?)"},
        {R"({"speaker": ["A"], "segmentFields": []})", "speaker", "unknown key (expected version, categories"},
        {R"({"speaker": "Customer"})", "speaker", "must be an array of tag strings, got \"Customer\""},
        {R"({"speaker": ["A"], "language": [1]})", "language", "must be an array of tag strings, got an array"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "tags": ["B"]}]})", "categories[0].tags", "appears twice in the same object"},
        {R"({"speaker": ["A"], "speaker": ["B"]})", "speaker", "appears twice in the same object"},
        {tooDeep.c_str(), tooDeepAt.c_str(), "nested too deeply (more than 64 levels)"},
        // categories
        {R"({"categories": "speaker"})", "categories", "must be an array of categories or an object mapping category names to tags, got \"speaker\""},
        {R"({"categories": [["A"]]})", "categories[0]", "must be an object with \"name\" and \"tags\", got an array"},
        {R"({"categories": [{"tags": ["A"]}]})", "categories[0].name", "is required"},
        {R"({"categories": [{"name": 3, "tags": ["A"]}]})", "categories[0].name", "must be a string, got 3"},
        {R"({"categories": [{"name": "", "tags": ["A"]}]})", "categories[0].name", "must not be empty"},
        {R"({"categories": [{"name": "my speaker", "tags": ["A"]}]})", "categories[0].name", "must be an identifier (a letter or \"_\", then letters, digits, \"_\", \".\" or \"-\"), got \"my speaker\""},
        {R"({"categories": [{"name": "1st", "tags": ["A"]}]})", "categories[0].name", "must be an identifier"},
        {R"({"categories": [{"name": "sprecher\u00e4", "tags": ["A"]}]})", "categories[0].name", "must be an identifier"},
        {withLongName.c_str(), "categories[0].name", "must be at most 64 characters, got 65"},
        {R"({"categories": [{"name": "x-speaker", "tags": ["A"]}]})", "categories[0].name", "must not start with \"x-\" (reserved for hosts)"},
        {R"({"categories": [{"name": "speaker"}]})", "categories[0].tags", "is required"},
        {R"({"categories": [{"name": "speaker", "tags": []}]})", "categories[0].tags", "must be a non-empty array of strings"},
        {R"({"categories": [{"name": "speaker", "tags": "Customer"}]})", "categories[0].tags", "must be a non-empty array of strings, got \"Customer\""},
        {R"({"categories": [{"name": "speaker", "tags": ["A", 3]}]})", "categories[0].tags[1]", "must be a string, got 3"},
        {R"({"categories": [{"name": "speaker", "tags": ["A", ""]}]})", "categories[0].tags[1]", "must not be empty"},
        {R"({"categories": [{"name": "speaker", "tags": [" \t"]}]})", "categories[0].tags[0]", "must not be blank"},
        {withLongTag.c_str(), "categories[0].tags[0]", "must be at most 200 characters, got 201"},
        {R"({"categories": [{"name": "speaker", "tags": ["Customer", "Customer"]}]})", "categories[0].tags", "tags must be unique (\"Customer\" appears twice)"},
        {R"({"categories": {"speaker": ["Customer", "Customer"]}})", "categories.speaker", "tags must be unique (\"Customer\" appears twice)"},
        {R"({"speaker": ["Customer", "Customer"]})", "speaker", "tags must be unique (\"Customer\" appears twice)"},
        {R"({"speaker": []})", "speaker", "must be a non-empty array of strings"},
        {R"({"categories": {"my speaker": ["A"]}})", "categories[\"my speaker\"]", "is not a valid category name: it must be an identifier"},
        {R"({"categories": {"speaker": {"tags": ["A"]}}})", "categories.speaker", "must be an array of tag strings; to set allowOverlap, minLength or label, give \"categories\" as an array of objects"},
        {R"({"categories": [{"name": "a", "tags": ["A"]}, {"name": "a", "tags": ["B"]}]})", "categories[1].name", "\"a\" is already the name of categories[0]"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "allowOverlapp": false}]})", "categories[0].allowOverlapp", "unknown key (did you mean \"allowOverlap\"?)"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "minlength": 1}]})", "categories[0].minlength", "unknown key (did you mean \"minLength\"?)"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "colour": "red"}]})", "categories[0].colour", "unknown key (expected name, label, description, tags, allowOverlap, minLength, or an \"x-\" key for the host)"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "allowOverlap": "no"}]})", "categories[0].allowOverlap", "must be true or false, got \"no\""},
        {R"({"categories": [{"name": "a", "tags": ["A"], "minLength": -0.5}]})", "categories[0].minLength", "must be a number of seconds, 0 or more, got -0.5"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "minLength": "0.1"}]})", "categories[0].minLength", "must be a number of seconds, 0 or more, got \"0.1\""},
        {R"({"categories": [{"name": "a", "tags": ["A"], "label": ""}]})", "categories[0].label", "must not be empty (leave \"label\" out to show the name)"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "label": 5}]})", "categories[0].label", "must be a string, got 5"},
        {R"({"categories": [{"name": "a", "tags": ["A"], "description": ["help"]}]})", "categories[0].description", "must be a string, got an array"},
        // fields
        {R"({"segmentFields": {}})", "segmentFields", "must be an array of fields, got an object"},
        {R"({"segmentFields": [3]})", "segmentFields[0]", "must be an object with \"name\" and \"type\", got 3"},
        {R"({"segmentFields": [{"type": "text"}]})", "segmentFields[0].name", "is required"},
        {R"({"segmentFields": [{"name": "a b", "type": "text"}]})", "segmentFields[0].name", "must be an identifier"},
        {R"({"segmentFields": [{"name": "x-t", "type": "text"}]})", "segmentFields[0].name", "must not start with \"x-\""},
        {R"({"segmentFields": [{"name": "t"}]})", "segmentFields[0].type", "is required (text, choice, multi, rating or boolean)"},
        {R"({"segmentFields": [{"name": "t", "type": "select"}]})", "segmentFields[0].type", "must be one of text, choice, multi, rating, boolean; got \"select\""},
        {R"({"segmentFields": [{"name": "t", "type": "text", "optoins": []}]})", "segmentFields[0].optoins", "unknown key (did you mean \"options\"?)"},
        {R"({"segmentFields": [{"name": "t", "type": "text", "Label": "T"}]})", "segmentFields[0].Label", "unknown key (did you mean \"label\"?)"},
        {R"({"segmentFields": [{"name": "t", "type": "text", "placeholder": "..."}]})", "segmentFields[0].placeholder", "unknown key (expected name, type, label, description, required, categories, options, multiline, maxLength, min, max, or an \"x-\" key for the host)"},
        {R"({"segmentFields": [{"name": "e", "type": "choice"}]})", "segmentFields[0].options", "is required for a \"choice\" field"},
        {R"({"segmentFields": [{"name": "e", "type": "multi"}]})", "segmentFields[0].options", "is required for a \"multi\" field"},
        {R"({"segmentFields": [{"name": "t", "type": "text"}, {"name": "e", "type": "choice", "options": []}]})", "segmentFields[1].options", "must be a non-empty array of strings"},
        {R"({"segmentFields": [{"name": "e", "type": "choice", "options": "Happy"}]})", "segmentFields[0].options", "must be a non-empty array of strings, got \"Happy\""},
        {R"({"segmentFields": [{"name": "e", "type": "choice", "options": ["Happy", null]}]})", "segmentFields[0].options[1]", "must be a string, got null"},
        {R"({"segmentFields": [{"name": "e", "type": "choice", "options": ["Happy", ""]}]})", "segmentFields[0].options[1]", "must not be empty"},
        {R"({"segmentFields": [{"name": "e", "type": "multi", "options": ["Happy", "Sad", "Happy"]}]})", "segmentFields[0].options", "options must be unique (\"Happy\" appears twice)"},
        {R"({"segmentFields": [{"name": "r", "type": "rating", "max": 5, "options": ["a"]}]})", "segmentFields[0].options", "is not used by a \"rating\" field"},
        {R"({"segmentFields": [{"name": "e", "type": "choice", "options": ["a"], "maxLength": 3}]})", "segmentFields[0].maxLength", "is not used by a \"choice\" field"},
        {R"({"segmentFields": [{"name": "b", "type": "boolean", "max": 1}]})", "segmentFields[0].max", "is not used by a \"boolean\" field"},
        {R"({"segmentFields": [{"name": "t", "type": "text", "min": 1}]})", "segmentFields[0].min", "is not used by a \"text\" field"},
        {R"({"segmentFields": [{"name": "r", "type": "rating"}]})", "segmentFields[0].max", "is required for a \"rating\" field (the highest score, 2 to 100)"},
        {R"({"segmentFields": [{"name": "r", "type": "rating", "max": 1}]})", "segmentFields[0].max", "must be an integer from 2 to 100, got 1"},
        {R"({"segmentFields": [{"name": "r", "type": "rating", "max": 101}]})", "segmentFields[0].max", "must be an integer from 2 to 100, got 101"},
        {R"({"segmentFields": [{"name": "r", "type": "rating", "max": 4.5}]})", "segmentFields[0].max", "must be an integer from 2 to 100, got 4.5"},
        {R"({"segmentFields": [{"name": "r", "type": "rating", "max": "5"}]})", "segmentFields[0].max", "must be an integer from 2 to 100, got \"5\""},
        {R"({"segmentFields": [{"name": "r", "type": "rating", "max": 5, "min": 5}]})", "segmentFields[0].min", "must be an integer from -100 to 4, got 5"},
        {R"({"segmentFields": [{"name": "r", "type": "rating", "max": 5, "min": -101}]})", "segmentFields[0].min", "must be an integer from -100 to 4, got -101"},
        {R"({"segmentFields": [{"name": "t", "type": "text", "maxLength": 0}]})", "segmentFields[0].maxLength", "must be an integer from 1 to 1000000, got 0"},
        {R"({"segmentFields": [{"name": "t", "type": "text", "multiline": "yes"}]})", "segmentFields[0].multiline", "must be true or false, got \"yes\""},
        {R"({"segmentFields": [{"name": "t", "type": "text", "required": "true"}]})", "segmentFields[0].required", "must be true or false, got \"true\""},
        {R"({"segmentFields": [{"name": "t", "type": "text", "required": 1}]})", "segmentFields[0].required", "must be true or false, got 1"},
        {R"({"segmentFields": [{"name": "t", "type": "text", "label": "   "}]})", "segmentFields[0].label", "must not be blank"},
        {R"({"segmentFields": [{"name": "e", "type": "boolean"}, {"name": "e", "type": "text"}]})", "segmentFields[1].name", "\"e\" is already the name of segmentFields[0]"},
        {R"({"classifications": [{"name": "q", "type": "boolean"}, {"name": "q", "type": "boolean"}]})", "classifications[1].name", "\"q\" is already the name of classifications[0]"},
        {R"({"categories": {"speaker": ["A"]}, "segmentFields": [{"name": "t", "type": "text", "categories": ["speeker"]}]})", "segmentFields[0].categories[0]", "\"speeker\" is not a declared category (did you mean \"speaker\"?)"},
        {R"({"categories": {"speaker": ["A"], "language": ["B"]}, "segmentFields": [{"name": "t", "type": "text", "categories": ["speaker", "music"]}]})", "segmentFields[0].categories[1]", "\"music\" is not a declared category (declared: speaker, language)"},
        {R"({"segmentFields": [{"name": "t", "type": "text", "categories": ["speaker"]}]})", "segmentFields[0].categories[0]", "\"speaker\" is not a declared category (none are declared)"},
        {R"({"categories": {"speaker": ["A"]}, "segmentFields": [{"name": "t", "type": "text", "categories": []}]})", "segmentFields[0].categories", "must be a non-empty array of category names (leave it out to apply to every category)"},
        {R"({"categories": {"speaker": ["A"]}, "segmentFields": [{"name": "t", "type": "text", "categories": "speaker"}]})", "segmentFields[0].categories", "must be a non-empty array of category names"},
        {R"({"categories": {"speaker": ["A"]}, "segmentFields": [{"name": "t", "type": "text", "categories": ["speaker", "speaker"]}]})", "segmentFields[0].categories", "categories must be unique (\"speaker\" appears twice)"},
        {R"({"categories": {"speaker": ["A"]}, "classifications": [{"name": "t", "type": "text", "categories": ["speaker"]}]})", "classifications[0].categories", "is not allowed in classifications: they describe the whole file"},
        {R"({"classifications": [{"name": "q", "type": "rating", "max": 5, "description": 1}]})", "classifications[0].description", "must be a string, got 1"},
    };
    for (const auto& c : cases) {
        INFO("config: " << c.config);
        const Failure f = failureOf(c.config);
        REQUIRE(f.thrown);
        CHECK(f.path == c.path);
        CHECK_THAT(f.reason, Catch::Contains(c.reason));
        CHECK(f.message == (f.path.empty() ? "config" : f.path) + ": " + f.reason);
    }
}

TEST_CASE("a config error is a MediaError with the invalid-config code", "[LabelConfig]")
{
    try {
        LabelConfig::parse(R"({"version": 3})");
        FAIL("no error");
    } catch (const MediaError& e) {
        CHECK(e.code() == ErrorCode::InvalidConfig);
        CHECK(std::string(errorCodeName(e.code())) == "invalid-config");
        CHECK(std::string(e.what()) == "version: must be 1 (the only version so far), got 3");
    }
}

TEST_CASE("nesting up to the limit is accepted", "[LabelConfig]")
{
    CHECK_NOTHROW(LabelConfig::parse(R"({"x-deep": )" + deepArray(LabelConfig::kMaxDepth - 1) + "}"));
    json deep = json::array();
    for (int i = 0; i < 100; ++i)
        deep = json::array({deep});
    try {
        LabelConfig::fromJson(json{{"x-deep", deep}});
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK_THAT(e.reason(), Catch::Contains("nested too deeply"));
    }
}

TEST_CASE("invalid UTF-8 is rejected with its place, and the message itself is valid UTF-8", "[LabelConfig]")
{
    const Failure text = failureOf("{\"speaker\": [\"Cust\xFFomer\"]}");
    REQUIRE(text.thrown);
    CHECK(text.message == "config: is not valid UTF-8 (byte 0xFF at line 1, column 19)");
    const Failure secondLine = failureOf("{\n  \"speaker\": [\"\xC3\x28\"]}");
    CHECK(secondLine.message == "config: is not valid UTF-8 (byte 0xC3 at line 2, column 16)");
    for (const char* bad : {"\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "\xE2\x82", "\x80"}) {
        INFO("first byte " << int(static_cast<unsigned char>(bad[0])));
        CHECK(failureOf(std::string("{\"a\": [\"") + bad + "\"]}").reason.rfind("is not valid UTF-8", 0) == 0);
    }

    json built = {{"categories", {{{"name", "speaker"}, {"tags", {"ok", std::string("bad\xC3")}}}}}};
    try {
        LabelConfig::fromJson(built);
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(e.path() == "categories[0].tags[1]");
        CHECK(e.reason() == "is not valid UTF-8 (byte 0xC3 at offset 3)");
        CHECK_NOTHROW(json(std::string(e.what())).dump());
    }
    json badKey = {{"categories", {{std::string("sp\xFF"), {"A"}}}}};
    try {
        LabelConfig::fromJson(badKey);
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(e.path() == "categories[\"sp\xEF\xBF\xBD\"]");
        CHECK_THAT(e.reason(), Catch::StartsWith("this key is not valid UTF-8"));
        CHECK_NOTHROW(json(std::string(e.what())).dump());
    }
    json badExtension = {{"x-host", std::string("\xFE")}};
    CHECK_THROWS_AS(LabelConfig::fromJson(badExtension), ConfigError);
}

TEST_CASE("hostile and international strings are kept byte for byte", "[LabelConfig]")
{
    const std::vector<std::string> strings = {
        "<img src=x onerror=alert(1)>",
        "<script>alert(\"x\")</script>",
        "\"quoted\" 'single' `back` \\ backslash",
        "&amp; &lt;b&gt; {{template}} ${js}",
        "\xF0\x9F\x8E\x99\xEF\xB8\x8F mic \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB",   // emoji, ZWJ sequence
        "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 \xE2\x80\x8F\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D",  // Arabic, RLM, Hebrew
        "\xE2\x80\xAE" "reversed\xE2\x80\xAC",                                                  // RLO ... PDF
        "e\xCC\x81 vs \xC3\xA9",                                                                // combining vs precomposed
        "line\nbreak\ttab",
        " padded ",
    };
    nlohmann::ordered_json config = {{"categories", nlohmann::ordered_json::array()}, {"segmentFields", nlohmann::ordered_json::array()}};
    config["categories"].push_back({{"name", "c"}, {"label", strings[0]}, {"description", strings[1]}, {"tags", strings}});
    config["segmentFields"].push_back({{"name", "f"}, {"type", "multi"}, {"label", strings[4]}, {"options", strings}});
    const std::string text = config.dump();

    const auto loaded = LabelConfig::parse(text);
    CHECK(loaded.categories()[0].tags == strings);
    CHECK(loaded.categories()[0].label == strings[0]);
    CHECK(loaded.categories()[0].description == strings[1]);
    CHECK(loaded.segmentFields()[0].options == strings);
    CHECK(loaded.segmentFields()[0].label == strings[4]);
    const auto again = LabelConfig::parse(loaded.toJson().dump());
    CHECK(again.categories()[0].tags == strings);
    CHECK(again.segmentFields()[0].options == strings);
    for (const auto& s : strings) {
        INFO(s);
        CHECK(LabelConfig::validateValue(loaded.segmentFields()[0], json::array({s})).empty());
    }
}

TEST_CASE("toJson writes array forms with every default, and loading it again gives the same", "[LabelConfig]")
{
    for (const char* text : {kFullExample, R"({"speaker":["Customer","Representative"],"language":["English","Spanish"]})",
                             R"({"categories": {"speaker": ["A"]}, "x-host": 1})", "{}"}) {
        INFO(text);
        const auto first = LabelConfig::parse(text).toJson();
        const auto second = LabelConfig::parse(first.dump()).toJson();
        CHECK(first == second);
        CHECK(first.dump() == second.dump());
        CHECK(LabelConfig::fromJson(first).toJson() == first);
    }

    const auto out = LabelConfig::parse(kFullExample).toJson();
    CHECK(out["version"] == 1);
    CHECK(out["categories"][1].dump() ==
          R"({"name":"language","label":"language","tags":["English","Spanish"],"allowOverlap":true,"minLength":0.0})");
    CHECK(out["segmentFields"][0].dump() ==
          R"({"name":"transcription","type":"text","label":"Transcription","required":true,"categories":["speaker"],"multiline":true,"maxLength":10000})");
    CHECK(out["segmentFields"][1].dump() ==
          R"({"name":"emotion","type":"choice","label":"emotion","required":false,"options":["Happy","Angry","Neutral","Sad","Worried"]})");
    CHECK(out["segmentFields"][3].dump() ==
          R"({"name":"naturalness","type":"rating","label":"naturalness","required":false,"min":1,"max":5})");
    CHECK(out["segmentFields"][4].dump() == R"({"name":"clipped","type":"boolean","label":"clipped","required":false})");
    CHECK(out["classifications"][1].dump() ==
          R"({"name":"transcription","type":"text","label":"transcription","required":false,"multiline":true,"maxLength":100000})");

    const auto bare = LabelConfig::parse(R"({"speaker":["Customer"]})").toJson();
    CHECK(bare.dump() == R"({"version":1,"categories":[{"name":"speaker","label":"speaker","tags":["Customer"],)"
                         R"("allowOverlap":true,"minLength":0.0}],"segmentFields":[],"classifications":[]})");
}

TEST_CASE("text values are checked for type, lines and length in characters", "[LabelConfig]")
{
    const auto line = field(R"({"name": "t", "type": "text", "maxLength": 5})");
    CHECK(LabelConfig::validateValue(line, "hello").empty());
    CHECK(LabelConfig::validateValue(line, "").empty());
    CHECK(LabelConfig::validateValue(line, nullptr).empty());
    CHECK(LabelConfig::validateValue(line, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9").empty());   // 5 characters, 10 bytes
    CHECK(LabelConfig::validateValue(line, "hello!") == "is too long: 6 characters, at most 5");
    CHECK(LabelConfig::validateValue(line, "a\nb") == "must be a single line");
    CHECK(LabelConfig::validateValue(line, 5) == "must be text, got 5");
    CHECK(LabelConfig::validateValue(line, json::array({"a"})) == "must be text, got an array");
    CHECK(LabelConfig::validateValue(line, std::string("\xFF")) == "is not valid UTF-8 text");
    const auto multiline = field(R"({"name": "t", "type": "text", "multiline": true})");
    CHECK(LabelConfig::validateValue(multiline, "a\nb\r\nc").empty());
}

TEST_CASE("choice values must be one of the options, exactly", "[LabelConfig]")
{
    const auto choice = field(R"({"name": "e", "type": "choice", "options": ["Happy", "Sad"]})");
    CHECK(LabelConfig::validateValue(choice, "Happy").empty());
    CHECK(LabelConfig::validateValue(choice, nullptr).empty());
    CHECK(LabelConfig::validateValue(choice, "happy") == "\"happy\" is not one of the options");
    CHECK(LabelConfig::validateValue(choice, "Happy ") == "\"Happy \" is not one of the options");
    CHECK(LabelConfig::validateValue(choice, json::array({"Happy"})) == "must be one of the options, got an array");
    CHECK(LabelConfig::validateValue(choice, 0) == "must be one of the options, got 0");
    const std::string longValue(100, 'x');
    CHECK(LabelConfig::validateValue(choice, longValue) == "\"" + std::string(60, 'x') + "\xE2\x80\xA6\" is not one of the options");
}

TEST_CASE("multi values are lists of distinct options", "[LabelConfig]")
{
    const auto multi = field(R"({"name": "i", "type": "multi", "options": ["skipped word", "wrong stress"]})");
    CHECK(LabelConfig::validateValue(multi, json::array()).empty());
    CHECK(LabelConfig::validateValue(multi, json::array({"wrong stress", "skipped word"})).empty());
    CHECK(LabelConfig::validateValue(multi, json::array({"skipped word", "skipped word"})) == "\"skipped word\" is chosen twice");
    CHECK(LabelConfig::validateValue(multi, json::array({"mumbled"})) == "\"mumbled\" is not one of the options");
    CHECK(LabelConfig::validateValue(multi, json::array({1})) == "must list options, got 1 in the list");
    CHECK(LabelConfig::validateValue(multi, "skipped word") == "must be a list of options, got \"skipped word\"");
}

TEST_CASE("rating values are whole numbers within the scale", "[LabelConfig]")
{
    const auto rating = field(R"({"name": "q", "type": "rating", "max": 5})");
    for (int n = 1; n <= 5; ++n)
        CHECK(LabelConfig::validateValue(rating, n).empty());
    CHECK(LabelConfig::validateValue(rating, 3.0).empty());
    CHECK(LabelConfig::validateValue(rating, 0) == "must be a whole number from 1 to 5, got 0");
    CHECK(LabelConfig::validateValue(rating, 6) == "must be a whole number from 1 to 5, got 6");
    CHECK(LabelConfig::validateValue(rating, 2.5) == "must be a whole number from 1 to 5, got 2.5");
    CHECK(LabelConfig::validateValue(rating, "3") == "must be a whole number from 1 to 5, got \"3\"");
    CHECK(LabelConfig::validateValue(rating, true) == "must be a whole number from 1 to 5, got true");
    CHECK(LabelConfig::validateValue(rating, "") == "must be a whole number from 1 to 5, got \"\"");
    const auto likert = field(R"({"name": "p", "type": "rating", "min": -3, "max": 3})");
    CHECK(LabelConfig::validateValue(likert, -3).empty());
    CHECK(LabelConfig::validateValue(likert, 0).empty());
    CHECK(LabelConfig::validateValue(likert, -4) == "must be a whole number from -3 to 3, got -4");
    CHECK(LabelConfig::validateValue(likert, json(uint64_t(1) << 63)) ==
          "must be a whole number from -3 to 3, got 9223372036854775808");
}

TEST_CASE("boolean values are true or false", "[LabelConfig]")
{
    const auto flag = field(R"({"name": "b", "type": "boolean"})");
    CHECK(LabelConfig::validateValue(flag, true).empty());
    CHECK(LabelConfig::validateValue(flag, false).empty());
    CHECK(LabelConfig::validateValue(flag, 1) == "must be true or false, got 1");
    CHECK(LabelConfig::validateValue(flag, "yes") == "must be true or false, got \"yes\"");
}

TEST_CASE("empty answers are null, missing, blank strings and empty lists, but false and 0 are answers", "[LabelConfig]")
{
    const auto any = field(R"({"name": "t", "type": "text", "required": true})");
    CHECK(LabelConfig::isEmpty(any, nullptr));
    CHECK(LabelConfig::isEmpty(any, json(json::value_t::discarded)));
    CHECK(LabelConfig::isEmpty(any, ""));
    CHECK(LabelConfig::isEmpty(any, " \n"));
    CHECK(LabelConfig::isEmpty(any, json::array()));
    CHECK_FALSE(LabelConfig::isEmpty(any, "a"));
    CHECK_FALSE(LabelConfig::isEmpty(any, false));
    CHECK_FALSE(LabelConfig::isEmpty(any, 0));
    CHECK_FALSE(LabelConfig::isEmpty(any, json::array({"x"})));
    const auto flag = field(R"({"name": "b", "type": "boolean", "required": true})");
    CHECK_FALSE(LabelConfig::isEmpty(flag, false));
    CHECK(LabelConfig::isEmpty(flag, nullptr));
}

TEST_CASE("minSegments is an integer from 0, written back only when set", "[LabelConfig]")
{
    CHECK(LabelConfig::parse(R"({"categories": {"speaker": ["A"]}})").minSegments() == 0);
    const LabelConfig c = LabelConfig::parse(R"({"categories": {"speaker": ["A"]}, "minSegments": 1.0})");
    CHECK(c.minSegments() == 1);
    CHECK(c.toJson()["minSegments"] == 1);
    CHECK(LabelConfig::fromJson(c.toJson()).minSegments() == 1);
    CHECK_FALSE(LabelConfig::parse(R"({"categories": {"speaker": ["A"]}})").toJson().contains("minSegments"));
    for (const char* bad : {R"({"minSegments": -1})", R"({"minSegments": 1.5})", R"({"minSegments": "1"})", R"({"minSegments": 1000001})"}) {
        try {
            LabelConfig::parse(bad);
            FAIL(bad);
        } catch (const ConfigError& e) {
            CHECK(e.path() == "minSegments");
            CHECK_THAT(e.reason(), Catch::Matchers::StartsWith("must be an integer from 0 to 1000000, got"));
        }
    }
    try {
        LabelConfig::parse(R"({"minSegment": 1, "categories": {"speaker": ["A"]}})");
        FAIL("a typo");
    } catch (const ConfigError& e) {
        CHECK_THAT(e.reason(), Catch::Matchers::Contains("did you mean \"minSegments\"?"));
    }
}

TEST_CASE("a comparison block is read with its defaults and written back normalized", "[LabelConfig]")
{
    CHECK(LabelConfig::parse(kFullExample).comparison() == nullptr);
    CHECK_FALSE(LabelConfig::parse(kFullExample).toJson().contains("comparison"));

    const LabelConfig c = LabelConfig::parse(R"({"categories": {"issue": ["mispronunciation"]}, "comparison": {
        "criteria": [{"name": "naturalness", "label": "Naturalness", "scale": [1, 5], "required": true},
                     {"name": "prosody", "scale": [-3.0, 3], "description": "rhythm", "x-ui": "slider"}],
        "judgement": "preference", "reason": "required", "blind": false, "x-host": 1}})");
    const ComparisonSpec* spec = c.comparison();
    REQUIRE(spec);
    REQUIRE(spec->criteria.size() == 2);
    CHECK(spec->criteria[0].name == "naturalness");
    CHECK(spec->criteria[0].label == "Naturalness");
    CHECK(spec->criteria[0].lo == 1);
    CHECK(spec->criteria[0].hi == 5);
    CHECK(spec->criteria[0].required);
    CHECK(spec->criteria[1].label == "prosody");
    CHECK(spec->criteria[1].lo == -3);
    CHECK(spec->criteria[1].hi == 3);
    CHECK_FALSE(spec->criteria[1].required);
    CHECK(spec->judgement == JudgementKind::Preference);
    CHECK(spec->reason == ReasonPolicy::Required);
    CHECK_FALSE(spec->blind);
    CHECK(c.toJson()["comparison"].dump() ==
          R"({"criteria":[{"name":"naturalness","label":"Naturalness","scale":[1,5],"required":true},)"
          R"({"name":"prosody","label":"prosody","description":"rhythm","scale":[-3,3],"required":false,"x-ui":"slider"}],)"
          R"("judgement":"preference","reason":"required","blind":false,"x-host":1})");

    const LabelConfig empty = LabelConfig::parse(R"({"comparison": {}})");
    REQUIRE(empty.comparison());
    CHECK(empty.comparison()->criteria.empty());
    CHECK(empty.comparison()->judgement == JudgementKind::Auto);
    CHECK(empty.comparison()->reason == ReasonPolicy::Optional);
    CHECK(empty.comparison()->blind);
    CHECK(empty.toJson()["comparison"].dump() == R"({"criteria":[],"judgement":"auto","reason":"optional","blind":true})");

    for (const auto& config : {c, empty}) {
        const auto first = config.toJson();
        CHECK(LabelConfig::parse(first.dump()).toJson().dump() == first.dump());
    }
}

TEST_CASE("a bad comparison block is rejected naming the key at fault and why", "[LabelConfig]")
{
    struct Case {
        const char* config;
        const char* path;
        const char* reason;   // a part of the reason
    };
    const std::vector<Case> cases = {
        {R"({"comparison": true})", "comparison", "must be an object (criteria, judgement, reason, blind), got true"},
        {R"({"comparison": {"blinded": true}})", "comparison.blinded", "unknown key (did you mean \"blind\"?)"},
        {R"({"comparison": {"order": "random"}})", "comparison.order",
         "unknown key (expected criteria, judgement, reason, blind, or an \"x-\" key for the host)"},
        {R"({"comparison": {"criteria": {}}})", "comparison.criteria", "must be an array of criteria, got an object"},
        {R"({"comparison": {"criteria": ["naturalness"]}})", "comparison.criteria[0]",
         "must be an object with \"name\" and \"scale\", got \"naturalness\""},
        {R"({"comparison": {"criteria": [{"scale": [1, 5]}]}})", "comparison.criteria[0].name", "is required"},
        {R"({"comparison": {"criteria": [{"name": "two words", "scale": [1, 5]}]}})", "comparison.criteria[0].name",
         "must be an identifier"},
        {R"({"comparison": {"criteria": [{"name": "x-mos", "scale": [1, 5]}]}})", "comparison.criteria[0].name",
         "must not start with \"x-\""},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [1, 5]}, {"name": "mos", "scale": [1, 5]}]}})",
         "comparison.criteria[1].name", "\"mos\" is already the name of comparison.criteria[0]"},
        {R"({"comparison": {"criteria": [{"name": "mos"}]}})", "comparison.criteria[0].scale", "is required"},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": 5}]}})", "comparison.criteria[0].scale",
         "must be [lowest, highest], two integers, got 5"},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [1, 3, 5]}]}})", "comparison.criteria[0].scale",
         "must be [lowest, highest], two integers, got an array"},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [1.5, 5]}]}})", "comparison.criteria[0].scale[0]",
         "must be an integer from -100 to 99, got 1.5"},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [1, "5"]}]}})", "comparison.criteria[0].scale[1]",
         "must be an integer from -99 to 100, got \"5\""},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [5, 1]}]}})", "comparison.criteria[0].scale",
         "the lowest score must be below the highest, got [5, 1]"},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [3, 3]}]}})", "comparison.criteria[0].scale",
         "the lowest score must be below the highest, got [3, 3]"},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [1, 5], "max": 5}]}})", "comparison.criteria[0].max",
         "unknown key (expected name, label, description, scale, required"},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [1, 5], "required": "yes"}]}})",
         "comparison.criteria[0].required", "must be true or false, got \"yes\""},
        {R"({"comparison": {"criteria": [{"name": "mos", "scale": [1, 5], "label": " "}]}})",
         "comparison.criteria[0].label", "must not be blank"},
        {R"({"comparison": {"judgement": "rank"}})", "comparison.judgement",
         "must be one of auto, preference, ranking; got \"rank\""},
        {R"({"comparison": {"judgement": "rankin"}})", "comparison.judgement", "(did you mean \"ranking\"?)"},
        {R"({"comparison": {"judgement": 2}})", "comparison.judgement", "must be one of auto, preference, ranking; got 2"},
        {R"({"comparison": {"reason": "always"}})", "comparison.reason",
         "must be one of required, optional, none; got \"always\""},
        {R"({"comparison": {"reason": true}})", "comparison.reason", "must be one of required, optional, none; got true"},
        {R"({"comparison": {"blind": "false"}})", "comparison.blind", "must be true or false, got \"false\""},
        {R"({"comparison": {"blind": true, "blind": false}})", "comparison.blind", "appears twice in the same object"},
        {R"({"comparision": {}, "categories": []})", "comparision", "unknown key (did you mean \"comparison\"?)"},
    };
    for (const auto& c : cases) {
        INFO(c.config);
        const Failure f = failureOf(c.config);
        REQUIRE(f.thrown);
        CHECK(f.path == c.path);
        CHECK_THAT(f.reason, Catch::Matchers::Contains(c.reason));
    }
}

TEST_CASE("an analysis block is read with its defaults and written back normalized", "[LabelConfig]")
{
    CHECK(LabelConfig::parse(kFullExample).analysis() == nullptr);
    CHECK_FALSE(LabelConfig::parse(kFullExample).toJson().contains("analysis"));

    const LabelConfig empty = LabelConfig::parse(R"({"analysis": {}})");
    REQUIRE(empty.analysis());
    CHECK(empty.toJson()["analysis"].dump() ==
          R"({"show":["pauses","pitch","loudness","motion"],"pauses":{"thresholdDb":-30.0,"minDuration":0.2},)"
          R"("pitch":{"floorHz":50.0,"ceilingHz":800.0,"range":"config"},"loudness":{"jumpLu":10.0},)"
          R"("snap":{"kinds":["pause","energy","zero"],"radiusMs":20.0}})");

    const LabelConfig c = LabelConfig::parse(R"({"categories": [{"name": "silence", "tags": ["pause", "breath"]}],
      "analysis": {"show": ["pitch", "pauses"], "x-note": 1,
        "pauses": {"thresholdDb": -25, "minDuration": 0.15, "track": {"category": "silence", "tag": "pause", "x-k": true}},
        "pitch": {"floorHz": 75, "ceilingHz": 500, "range": "speaker", "x-p": "q"},
        "loudness": {"jumpLu": 6}, "snap": {"kinds": ["zero"], "radiusMs": 5}}})");
    const AnalysisSpec* a = c.analysis();
    REQUIRE(a);
    CHECK(a->show == std::vector<std::string>{"pitch", "pauses"});
    CHECK(a->pauseThresholdDb == -25);
    CHECK(a->pauseMinDuration == 0.15);
    CHECK(a->pauseCategory == "silence");
    CHECK(a->pauseTag == "pause");
    CHECK(a->pitchFloorHz == 75);
    CHECK(a->pitchCeilingHz == 500);
    CHECK(a->pitchRange == PitchRangeMode::Speaker);
    CHECK(a->loudnessJumpLu == 6);
    CHECK(a->snapKinds == std::vector<std::string>{"zero"});
    CHECK(a->snapRadiusMs == 5);
    const auto written = c.toJson();
    CHECK(written["analysis"]["x-note"] == 1);
    CHECK(written["analysis"]["pauses"]["track"].dump() == R"({"category":"silence","tag":"pause","x-k":true})");
    CHECK(written["analysis"]["pitch"]["x-p"] == "q");
    CHECK(LabelConfig::parse(written.dump()).toJson().dump() == written.dump());
    CHECK(LabelConfig::parse(R"({"analysis": {"show": []}})").analysis()->show.empty());
}

TEST_CASE("a bad analysis block is rejected naming the key at fault and why", "[LabelConfig]")
{
    struct Case {
        const char* config;
        const char* path;
        const char* reason;   // a part of the reason
    };
    const std::vector<Case> cases = {
        {R"({"analysis": []})", "analysis", "must be an object (show, pauses, pitch, loudness, snap), got an empty array"},
        {R"({"analysis": {"pause": {}}})", "analysis.pause", "unknown key (did you mean \"pauses\"?)"},
        {R"({"analysis": {"show": "pitch"}})", "analysis.show",
         "must be an array of pauses, pitch, loudness, motion, got \"pitch\""},
        {R"({"analysis": {"show": ["pich"]}})", "analysis.show[0]",
         "must be one of pauses, pitch, loudness, motion; got \"pich\" (did you mean \"pitch\"?)"},
        {R"({"analysis": {"show": ["pitch", "pitch"]}})", "analysis.show", "\"pitch\" appears twice"},
        {R"({"analysis": {"pauses": -30}})", "analysis.pauses",
         "must be an object (thresholdDb, minDuration, track), got -30"},
        {R"({"analysis": {"pauses": {"threshold": -30}}})", "analysis.pauses.threshold",
         "unknown key (did you mean \"thresholdDb\"?)"},
        {R"({"analysis": {"pauses": {"thresholdDb": 6}}})", "analysis.pauses.thresholdDb",
         "must be a number of dB from -100 to 0, got 6"},
        {R"({"analysis": {"pauses": {"thresholdDb": "-30"}}})", "analysis.pauses.thresholdDb",
         "must be a number of dB from -100 to 0, got \"-30\""},
        {R"({"analysis": {"pauses": {"minDuration": 0}}})", "analysis.pauses.minDuration",
         "must be a number of seconds from 0.01 to 60, got 0"},
        {R"({"analysis": {"pauses": {"track": "silence"}}})", "analysis.pauses.track",
         "must be an object naming a declared category and one of its tags"},
        {R"({"analysis": {"pauses": {"track": {"tag": "pause"}}}})", "analysis.pauses.track.category", "is required"},
        {R"({"categories": {"silence": ["pause"]}, "analysis": {"pauses": {"track": {"category": "silense", "tag": "pause"}}}})",
         "analysis.pauses.track.category", "\"silense\" is not a declared category (did you mean \"silence\"?)"},
        {R"({"analysis": {"pauses": {"track": {"category": "silence", "tag": "pause"}}}})",
         "analysis.pauses.track.category", "\"silence\" is not a declared category (none are declared)"},
        {R"({"categories": {"silence": ["pause"]}, "analysis": {"pauses": {"track": {"category": "silence", "tag": "Pause"}}}})",
         "analysis.pauses.track.tag", "\"Pause\" is not a tag of \"silence\" (did you mean \"pause\"?)"},
        {R"({"categories": {"silence": ["pause"]}, "analysis": {"pauses": {"track": {"category": "silence", "tag": 1}}}})",
         "analysis.pauses.track.tag", "must be one of the category's tags, got 1"},
        {R"({"analysis": {"pitch": {"floorHz": 10}}})", "analysis.pitch.floorHz",
         "must be a number of Hz from 20 to 2000, got 10"},
        {R"({"analysis": {"pitch": {"floorHz": 300, "ceilingHz": 400}}})", "analysis.pitch.ceilingHz",
         "the ceiling must be at least 1.5 times the floor, got floorHz 300 and ceilingHz 400"},
        {R"({"analysis": {"pitch": {"floorHz": 600}}})", "analysis.pitch.floorHz",
         "the ceiling must be at least 1.5 times the floor"},
        {R"({"analysis": {"pitch": {"range": "speakr"}}})", "analysis.pitch.range",
         "must be one of config, speaker; got \"speakr\" (did you mean \"speaker\"?)"},
        {R"({"analysis": {"loudness": {"jumpLu": 0}}})", "analysis.loudness.jumpLu",
         "must be a number of LU from 1 to 60, got 0"},
        {R"({"analysis": {"snap": {"kinds": []}}})", "analysis.snap.kinds",
         "must be a non-empty array of pause, energy, zero, got an empty array"},
        {R"({"analysis": {"snap": {"kinds": ["zero-crossing"]}}})", "analysis.snap.kinds[0]",
         "must be one of pause, energy, zero; got \"zero-crossing\""},
        {R"({"analysis": {"snap": {"radius": 20}}})", "analysis.snap.radius", "unknown key (did you mean \"radiusMs\"?)"},
        {R"({"analysis": {"snap": {"radiusMs": 5000}}})", "analysis.snap.radiusMs",
         "must be a number of milliseconds from 0.1 to 1000, got 5000"},
        {R"({"analysis": {"snap": {"radiusMs": 5, "radiusMs": 6}}})", "analysis.snap.radiusMs", "appears twice in the same object"},
        {R"({"analyis": {}, "categories": []})", "analyis", "unknown key (did you mean \"analysis\"?)"},
    };
    for (const auto& c : cases) {
        INFO(c.config);
        const Failure f = failureOf(c.config);
        REQUIRE(f.thrown);
        CHECK(f.path == c.path);
        CHECK_THAT(f.reason, Catch::Matchers::Contains(c.reason));
    }
}
