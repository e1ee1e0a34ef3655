// SPDX-License-Identifier: MIT
// libFuzzer harness: LabelConfig::parse on arbitrary text. Input: the config, optionally
// followed by a NUL byte and a JSON value that is checked against every field of the config.
// A bad config must fail with ConfigError and a message in valid UTF-8 (it is shown to
// people); a good one must survive its own normalisation: fromJson(toJson()) and
// parse(toJson().dump()) give the same toJson(). validateValue and isEmpty never throw.
#include "FuzzInput.h"
#include "LabelConfig.h"

#include <exception>
#include <string>

using namespace avseg;
using avseg::fuzz::bug;

namespace {

constexpr const char* kName = "fuzz_label_config";

bool validUtf8(const std::string& s)
{
    try {
        (void)nlohmann::json(s).dump();   // throws type_error 316 on invalid UTF-8
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

void checkValue(const LabelConfig& config, const nlohmann::json& value)
{
    for (const auto* fields : {&config.segmentFields(), &config.classifications()})
        for (const FieldSpec& field : *fields) {
            const std::string problem = LabelConfig::validateValue(field, value);
            if (!validUtf8(problem))
                bug(kName, "validateValue's message is not valid UTF-8");
            (void)LabelConfig::isEmpty(field, value);
        }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t nul = input.find('\0');
    const std::string text = input.substr(0, nul);
    try {
        const LabelConfig config = LabelConfig::parse(text);
        const nlohmann::ordered_json normal = config.toJson();
        const LabelConfig again = LabelConfig::fromJson(normal);
        if (again.toJson() != normal)
            bug(kName, "fromJson(toJson()) changes the config:\n" + normal.dump() + "\n" + again.toJson().dump());
        const LabelConfig reparsed = LabelConfig::parse(normal.dump());
        if (reparsed.toJson() != normal)
            bug(kName, "parse(toJson().dump()) changes the config:\n" + normal.dump() + "\n" + reparsed.toJson().dump());
        if (nul != std::string::npos) {
            const nlohmann::json value = nlohmann::json::parse(input.substr(nul + 1), nullptr, false);
            if (!value.is_discarded())
                checkValue(config, value);
        }
    } catch (const ConfigError& e) {
        if (!validUtf8(e.what()))
            bug(kName, "a ConfigError's message is not valid UTF-8");
    } catch (const std::exception& e) {
        bug(kName, std::string("unexpected exception: ") + e.what());
    }
    return 0;
}
