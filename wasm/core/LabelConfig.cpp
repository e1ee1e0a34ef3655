// SPDX-License-Identifier: MIT
#include "LabelConfig.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace avseg {

using ojson = nlohmann::ordered_json;

namespace {

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxShortTextLength = 200;   // tags, options, labels
constexpr int kMinRatingMin = -100;
constexpr int kMinRatingMax = 2;
constexpr int kMaxRatingMax = 100;
constexpr int kMaxTextMaxLength = 1000000;
constexpr size_t kQuotedLength = 60;          // longer strings are cut in messages

const std::vector<std::string> kTopKeys = {"version", "categories", "segmentFields", "classifications", "minSegments",
    "comparison", "analysis"};
const std::vector<std::string> kCategoryKeys = {"name", "label", "description", "tags", "allowOverlap", "minLength"};
const std::vector<std::string> kFieldKeys = {"name", "type", "label", "description", "required", "categories",
    "options", "multiline", "maxLength", "min", "max"};
const std::vector<std::string> kAnalysisKeys = {"show", "pauses", "pitch", "loudness", "snap"};
const std::vector<std::string> kAnalysisKinds = {"pauses", "pitch", "loudness", "motion"};
const std::vector<std::string> kPauseKeys = {"thresholdDb", "minDuration", "track"};
const std::vector<std::string> kTrackKeys = {"category", "tag"};
const std::vector<std::string> kPitchKeys = {"floorHz", "ceilingHz", "range"};
const std::vector<std::string> kLoudnessKeys = {"jumpLu"};
const std::vector<std::string> kSnapKeys = {"kinds", "radiusMs"};
const std::vector<std::string> kSnapKinds = {"pause", "energy", "zero"};
const std::vector<std::string> kComparisonKeys = {"criteria", "judgement", "reason", "blind"};
const std::vector<std::string> kCriterionKeys = {"name", "label", "description", "scale", "required"};
constexpr int kMinScale = -100;
constexpr int kMaxScale = 100;

// ---- text -------------------------------------------------------------------------------

size_t invalidUtf8At(const std::string& s, size_t from = 0)
{
    return StrictJson::invalidUtf8At(s, from);
}

size_t codePoints(const std::string& s)
{
    return size_t(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool isBlank(const std::string& s)
{
    return s.find_first_not_of(" \t\n\r\f\v") == std::string::npos;
}

bool startsWith(const std::string& s, const char* prefix)
{
    return s.rfind(prefix, 0) == 0;
}

bool isExtensionKey(const std::string& key)
{
    return startsWith(key, "x-");
}

std::string hexByte(unsigned char c)
{
    return StrictJson::hexByte(c);
}

std::string jsonString(const std::string& s)
{
    return ojson(s).dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// A string as it appears in a message: JSON-quoted, cut after kQuotedLength code points.
std::string quote(const std::string& s)
{
    if (codePoints(s) <= kQuotedLength)
        return jsonString(s);
    size_t end = 0;
    for (size_t seen = 0; end < s.size(); ++end)
        if ((static_cast<unsigned char>(s[end]) & 0xC0) != 0x80 && seen++ == kQuotedLength)
            break;
    return jsonString(s.substr(0, end) + "\xE2\x80\xA6");
}

template <typename Json>
std::string describe(const Json& v)
{
    if (v.is_discarded()) return "nothing";
    if (v.is_string()) return quote(v.template get_ref<const typename Json::string_t&>());
    if (v.is_array()) return v.empty() ? "an empty array" : "an array";
    if (v.is_object()) return "an object";
    return v.dump();
}

std::string joined(const std::vector<std::string>& items)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + items[i];
    return out;
}

// Optimal string alignment distance, case-insensitive: "minlength" and "tpye" are typos.
size_t editDistance(const std::string& a, const std::string& b)
{
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// The candidate `word` is most likely a typo of, or empty.
std::string closest(const std::string& word, const std::vector<std::string>& candidates, size_t maxDistance = 2)
{
    if (word.size() > 100)
        return {};
    std::string best;
    size_t bestDistance = std::min(maxDistance, size_t(word.size() >= 5 ? 2 : 1)) + 1;
    for (const auto& c : candidates) {
        const size_t d = editDistance(word, c);
        if (d < bestDistance)
            best = c, bestDistance = d;
    }
    return best;
}

// ---- locations ----------------------------------------------------------------------------

// ASCII only, whatever the C locale says.
bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isLetterOrDigit(char c)
{
    return isLetter(c) || (c >= '0' && c <= '9');
}

std::string member(const std::string& path, const std::string& key)
{
    return StrictJson::member(path, key);
}

std::string element(const std::string& path, size_t index)
{
    return StrictJson::element(path, index);
}

[[noreturn]] void fail(const std::string& path, const std::string& reason)
{
    throw ConfigError(path, reason);
}

// Broken UTF-8 anywhere (even in "x-" values) would make toJson() throw, and deep nesting
// would exhaust the wasm stack in the recursive parts of nlohmann; both are stopped here.
template <typename Json>
void checkStringsAndDepth(const Json& v, const std::string& path, int depth)
{
    if (v.is_string()) {
        const auto& s = v.template get_ref<const typename Json::string_t&>();
        const size_t bad = invalidUtf8At(s);
        if (bad != std::string::npos)
            fail(path, "is not valid UTF-8 (byte " + hexByte(static_cast<unsigned char>(s[bad])) + " at offset " +
                           std::to_string(bad) + ")");
        return;
    }
    if (!v.is_structured())
        return;
    if (depth > LabelConfig::kMaxDepth)
        fail(path, "nested too deeply (more than " + std::to_string(LabelConfig::kMaxDepth) + " levels)");
    if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i)
            checkStringsAndDepth(v[i], element(path, i), depth + 1);
        return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
        const size_t bad = invalidUtf8At(it.key());
        if (bad != std::string::npos)
            fail(member(path, it.key()), "this key is not valid UTF-8 (byte " +
                                             hexByte(static_cast<unsigned char>(it.key()[bad])) + " at offset " +
                                             std::to_string(bad) + ")");
        checkStringsAndDepth(it.value(), member(path, it.key()), depth + 1);
    }
}

// ---- reading values -------------------------------------------------------------------------

const ojson* find(const ojson& object, const char* key)
{
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

void checkKeys(const ojson& object, const std::string& path, const std::vector<std::string>& known)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const std::string& key = it.key();
        if (isExtensionKey(key) || std::find(known.begin(), known.end(), key) != known.end())
            continue;
        const std::string guess = closest(key, known);
        fail(member(path, key), guess.empty()
                ? "unknown key (expected " + joined(known) + ", or an \"x-\" key for the host)"
                : "unknown key (did you mean \"" + guess + "\"?)");
    }
}

ojson extensionsOf(const ojson& object)
{
    ojson out = ojson::object();
    for (auto it = object.begin(); it != object.end(); ++it)
        if (isExtensionKey(it.key()))
            out[it.key()] = it.value();
    return out;
}

bool readBool(const ojson& object, const std::string& path, const char* key, bool fallback)
{
    const ojson* v = find(object, key);
    if (!v)
        return fallback;
    if (!v->is_boolean())
        fail(member(path, key), "must be true or false, got " + describe(*v));
    return v->get<bool>();
}

template <typename Json>
bool integral(const Json& v, int64_t& out)
{
    if (v.is_number_integer() && !v.is_number_unsigned()) {
        out = v.template get<int64_t>();
        return true;
    }
    if (v.is_number_unsigned()) {
        const uint64_t u = v.template get<uint64_t>();
        out = u > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(u);
        return true;
    }
    if (v.is_number_float()) {
        const double d = v.template get<double>();
        if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740992.0) {
            out = int64_t(d);
            return true;
        }
    }
    return false;
}

int readInteger(const ojson& v, const std::string& path, int64_t lo, int64_t hi)
{
    int64_t n = 0;
    if (!integral(v, n) || n < lo || n > hi)
        fail(path, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " + describe(v));
    return int(n);
}

// Empty when `name` may name a category or field.
std::string nameProblem(const std::string& name)
{
    if (name.empty())
        return "must not be empty";
    const bool identifier = isLetter(name[0]) &&
        std::all_of(name.begin(), name.end(), [](char c) { return isLetterOrDigit(c) || c == '.' || c == '-'; });
    if (!identifier)
        return "must be an identifier (a letter or \"_\", then letters, digits, \"_\", \".\" or \"-\"), got " + quote(name);
    if (name.size() > kMaxNameLength)
        return "must be at most " + std::to_string(kMaxNameLength) + " characters, got " + std::to_string(name.size());
    if (isExtensionKey(name))
        return "must not start with \"x-\" (reserved for hosts), got " + quote(name);
    return {};
}

std::string readName(const ojson& object, const std::string& path)
{
    const std::string at = member(path, "name");
    const ojson* v = find(object, "name");
    if (!v)
        fail(at, "is required");
    if (!v->is_string())
        fail(at, "must be a string, got " + describe(*v));
    const std::string problem = nameProblem(v->get<std::string>());
    if (!problem.empty())
        fail(at, problem);
    return v->get<std::string>();
}

// Tags, options and labels: shown to annotators as they are, so they must show something.
std::string shortTextProblem(const std::string& s)
{
    if (s.empty())
        return "must not be empty";
    if (isBlank(s))
        return "must not be blank";
    if (codePoints(s) > kMaxShortTextLength)
        return "must be at most " + std::to_string(kMaxShortTextLength) + " characters, got " + std::to_string(codePoints(s));
    return {};
}

std::string readLabel(const ojson& object, const std::string& path, const std::string& fallback)
{
    const ojson* v = find(object, "label");
    if (!v)
        return fallback;
    const std::string at = member(path, "label");
    if (!v->is_string())
        fail(at, "must be a string, got " + describe(*v));
    const std::string problem = shortTextProblem(v->get<std::string>());
    if (!problem.empty())
        fail(at, problem + " (leave \"label\" out to show the name)");
    return v->get<std::string>();
}

std::string readDescription(const ojson& object, const std::string& path)
{
    const ojson* v = find(object, "description");
    if (!v)
        return {};
    if (!v->is_string())
        fail(member(path, "description"), "must be a string, got " + describe(*v));
    return v->get<std::string>();
}

// Tags or options: a non-empty array of unique, non-blank strings.
std::vector<std::string> readStringSet(const ojson& v, const std::string& path, const char* noun)
{
    if (!v.is_array() || v.empty())
        fail(path, v.is_array() ? "must be a non-empty array of strings"
                                : "must be a non-empty array of strings, got " + describe(v));
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
            fail(element(path, i), "must be a string, got " + describe(v[i]));
        const std::string& s = v[i].get_ref<const std::string&>();
        const std::string problem = shortTextProblem(s);
        if (!problem.empty())
            fail(element(path, i), problem);
        if (!seen.insert(s).second)
            fail(path, std::string(noun) + " must be unique (" + quote(s) + " appears twice)");
        out.push_back(s);
    }
    return out;
}

// ---- categories -----------------------------------------------------------------------------

bool isArrayOfStrings(const ojson& v)
{
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const ojson& e) { return e.is_string(); });
}

CategorySpec readCategoryEntry(const ojson& v, const std::string& path)
{
    if (!v.is_object())
        fail(path, "must be an object with \"name\" and \"tags\", got " + describe(v));
    checkKeys(v, path, kCategoryKeys);
    CategorySpec c;
    c.name = readName(v, path);
    const ojson* tags = find(v, "tags");
    if (!tags)
        fail(member(path, "tags"), "is required");
    c.tags = readStringSet(*tags, member(path, "tags"), "tags");
    c.label = readLabel(v, path, c.name);
    c.description = readDescription(v, path);
    c.allowOverlap = readBool(v, path, "allowOverlap", true);
    if (const ojson* min = find(v, "minLength")) {
        if (!min->is_number() || !std::isfinite(min->get<double>()) || min->get<double>() < 0)
            fail(member(path, "minLength"), "must be a number of seconds, 0 or more, got " + describe(*min));
        c.minLength = min->get<double>();
    }
    c.extensions = extensionsOf(v);
    return c;
}

// {"speaker": ["Customer", "Representative"], ...}: the name is the key, the value the tags.
std::vector<CategorySpec> readCategoryObject(const ojson& v, const std::string& path)
{
    std::vector<CategorySpec> out;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (isExtensionKey(it.key()))
            continue;
        const std::string at = member(path, it.key());
        const std::string problem = nameProblem(it.key());
        if (!problem.empty())
            fail(at, "is not a valid category name: it " + problem);
        if (it.value().is_object())
            fail(at, "must be an array of tag strings; to set allowOverlap, minLength or label, give \"categories\" "
                     "as an array of objects");
        CategorySpec c;
        c.name = it.key();
        c.label = it.key();
        c.tags = readStringSet(it.value(), at, "tags");
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<CategorySpec> readCategories(const ojson& v, const std::string& path)
{
    std::vector<CategorySpec> out;
    if (v.is_object())
        return readCategoryObject(v, path);
    if (!v.is_array())
        fail(path, "must be an array of categories or an object mapping category names to tags, got " + describe(v));
    std::map<std::string, size_t> byName;
    for (size_t i = 0; i < v.size(); ++i) {
        out.push_back(readCategoryEntry(v[i], element(path, i)));
        const auto [it, fresh] = byName.emplace(out.back().name, i);
        if (!fresh)
            fail(member(element(path, i), "name"),
                 quote(out.back().name) + " is already the name of " + element(path, it->second));
    }
    return out;
}

// ---- fields ---------------------------------------------------------------------------------

const std::vector<std::pair<std::string, FieldType>> kFieldTypes = {{"text", FieldType::Text},
    {"choice", FieldType::Choice}, {"multi", FieldType::Multi}, {"rating", FieldType::Rating},
    {"boolean", FieldType::Boolean}};

bool keyBelongsTo(const std::string& key, FieldType type)
{
    if (key == "multiline" || key == "maxLength")
        return type == FieldType::Text;
    if (key == "options")
        return type == FieldType::Choice || type == FieldType::Multi;
    if (key == "min" || key == "max")
        return type == FieldType::Rating;
    return true;
}

FieldType readType(const ojson& object, const std::string& path)
{
    const std::string at = member(path, "type");
    const ojson* v = find(object, "type");
    if (!v)
        fail(at, "is required (text, choice, multi, rating or boolean)");
    if (v->is_string())
        for (const auto& [name, type] : kFieldTypes)
            if (*v == name)
                return type;
    fail(at, "must be one of text, choice, multi, rating, boolean; got " + describe(*v));
}

std::vector<std::string> readFieldCategories(const ojson& v, const std::string& path,
                                             const std::vector<CategorySpec>& categories)
{
    if (!v.is_array() || v.empty())
        fail(path, "must be a non-empty array of category names (leave it out to apply to every category), got " +
                       describe(v));
    std::vector<std::string> declared;
    for (const auto& c : categories)
        declared.push_back(c.name);
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
            fail(element(path, i), "must be a category name, got " + describe(v[i]));
        const std::string& name = v[i].get_ref<const std::string&>();
        if (std::find(declared.begin(), declared.end(), name) == declared.end()) {
            const std::string guess = closest(name, declared);
            fail(element(path, i), quote(name) + " is not a declared category" +
                    (guess.empty() ? (declared.empty() ? " (none are declared)" : " (declared: " + joined(declared) + ")")
                                   : " (did you mean \"" + guess + "\"?)"));
        }
        if (std::find(out.begin(), out.end(), name) != out.end())
            fail(path, "categories must be unique (" + quote(name) + " appears twice)");
        out.push_back(name);
    }
    return out;
}

FieldSpec readField(const ojson& v, const std::string& path, bool segment, const std::vector<CategorySpec>& categories)
{
    if (!v.is_object())
        fail(path, "must be an object with \"name\" and \"type\", got " + describe(v));
    checkKeys(v, path, kFieldKeys);
    FieldSpec f;
    f.name = readName(v, path);
    f.type = readType(v, path);
    for (auto it = v.begin(); it != v.end(); ++it)
        if (!keyBelongsTo(it.key(), f.type))
            fail(member(path, it.key()), std::string("is not used by a \"") + fieldTypeName(f.type) + "\" field");
    f.label = readLabel(v, path, f.name);
    f.description = readDescription(v, path);
    f.required = readBool(v, path, "required", false);
    if (const ojson* c = find(v, "categories")) {
        if (!segment)
            fail(member(path, "categories"), "is not allowed in classifications: they describe the whole file, not "
                                             "segments of a track");
        f.categories = readFieldCategories(*c, member(path, "categories"), categories);
    }
    switch (f.type) {
    case FieldType::Text: {
        f.multiline = readBool(v, path, "multiline", false);
        const ojson* max = find(v, "maxLength");
        f.maxLength = max ? readInteger(*max, member(path, "maxLength"), 1, kMaxTextMaxLength)
                          : LabelConfig::kDefaultTextMaxLength;
        break;
    }
    case FieldType::Choice:
    case FieldType::Multi: {
        const ojson* options = find(v, "options");
        if (!options)
            fail(member(path, "options"), std::string("is required for a \"") + fieldTypeName(f.type) + "\" field");
        f.options = readStringSet(*options, member(path, "options"), "options");
        break;
    }
    case FieldType::Rating: {
        const ojson* max = find(v, "max");
        if (!max)
            fail(member(path, "max"), "is required for a \"rating\" field (the highest score, 2 to 100)");
        f.max = readInteger(*max, member(path, "max"), kMinRatingMax, kMaxRatingMax);
        const ojson* min = find(v, "min");
        f.min = min ? readInteger(*min, member(path, "min"), kMinRatingMin, f.max - 1) : 1;
        break;
    }
    case FieldType::Boolean:
        break;
    }
    f.extensions = extensionsOf(v);
    return f;
}

std::vector<FieldSpec> readFields(const ojson& v, const std::string& path, bool segment,
                                  const std::vector<CategorySpec>& categories)
{
    if (!v.is_array())
        fail(path, "must be an array of fields, got " + describe(v));
    std::vector<FieldSpec> out;
    std::map<std::string, size_t> byName;
    for (size_t i = 0; i < v.size(); ++i) {
        out.push_back(readField(v[i], element(path, i), segment, categories));
        const auto [it, fresh] = byName.emplace(out.back().name, i);
        if (!fresh)
            fail(member(element(path, i), "name"),
                 quote(out.back().name) + " is already the name of " + element(path, it->second));
    }
    return out;
}

// ---- comparison ---------------------------------------------------------------------------

CriterionSpec readCriterion(const ojson& v, const std::string& path)
{
    if (!v.is_object())
        fail(path, "must be an object with \"name\" and \"scale\", got " + describe(v));
    checkKeys(v, path, kCriterionKeys);
    CriterionSpec c;
    c.name = readName(v, path);
    const std::string at = member(path, "scale");
    const ojson* scale = find(v, "scale");
    if (!scale)
        fail(at, "is required (the lowest and highest score, e.g. [1, 5])");
    if (!scale->is_array() || scale->size() != 2)
        fail(at, "must be [lowest, highest], two integers, got " + describe(*scale));
    c.lo = readInteger((*scale)[0], element(at, 0), kMinScale, kMaxScale - 1);
    c.hi = readInteger((*scale)[1], element(at, 1), kMinScale + 1, kMaxScale);
    if (c.lo >= c.hi)
        fail(at, "the lowest score must be below the highest, got [" + std::to_string(c.lo) + ", " +
                     std::to_string(c.hi) + "]");
    c.label = readLabel(v, path, c.name);
    c.description = readDescription(v, path);
    c.required = readBool(v, path, "required", false);
    c.extensions = extensionsOf(v);
    return c;
}

template <typename Enum>
Enum readChoice(const ojson& object, const std::string& path, const char* key,
                const std::vector<std::pair<std::string, Enum>>& choices, Enum fallback)
{
    const ojson* v = find(object, key);
    if (!v)
        return fallback;
    std::vector<std::string> names;
    for (const auto& [name, value] : choices) {
        if (v->is_string() && *v == name)
            return value;
        names.push_back(name);
    }
    const std::string guess = v->is_string() ? closest(v->get<std::string>(), names) : std::string();
    fail(member(path, key), "must be one of " + joined(names) + "; got " + describe(*v) +
                                (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)"));
}

const std::vector<std::pair<std::string, JudgementKind>> kJudgementKinds = {
    {"auto", JudgementKind::Auto}, {"preference", JudgementKind::Preference}, {"ranking", JudgementKind::Ranking}};
const std::vector<std::pair<std::string, ReasonPolicy>> kReasonPolicies = {
    {"required", ReasonPolicy::Required}, {"optional", ReasonPolicy::Optional}, {"none", ReasonPolicy::None}};

ComparisonSpec readComparison(const ojson& v, const std::string& path)
{
    if (!v.is_object())
        fail(path, "must be an object (criteria, judgement, reason, blind), got " + describe(v));
    checkKeys(v, path, kComparisonKeys);
    ComparisonSpec out;
    if (const ojson* criteria = find(v, "criteria")) {
        const std::string at = member(path, "criteria");
        if (!criteria->is_array())
            fail(at, "must be an array of criteria, got " + describe(*criteria));
        std::map<std::string, size_t> byName;
        for (size_t i = 0; i < criteria->size(); ++i) {
            out.criteria.push_back(readCriterion((*criteria)[i], element(at, i)));
            const auto [it, fresh] = byName.emplace(out.criteria.back().name, i);
            if (!fresh)
                fail(member(element(at, i), "name"),
                     quote(out.criteria.back().name) + " is already the name of " + element(at, it->second));
        }
    }
    out.judgement = readChoice(v, path, "judgement", kJudgementKinds, JudgementKind::Auto);
    out.reason = readChoice(v, path, "reason", kReasonPolicies, ReasonPolicy::Optional);
    out.blind = readBool(v, path, "blind", true);
    out.extensions = extensionsOf(v);
    return out;
}

ojson comparisonToJson(const ComparisonSpec& c)
{
    ojson out = ojson::object();
    out["criteria"] = ojson::array();
    for (const auto& k : c.criteria) {
        ojson entry = ojson::object();
        entry["name"] = k.name;
        entry["label"] = k.label;
        if (!k.description.empty())
            entry["description"] = k.description;
        entry["scale"] = ojson::array({k.lo, k.hi});
        entry["required"] = k.required;
        entry.update(k.extensions);
        out["criteria"].push_back(std::move(entry));
    }
    out["judgement"] = judgementKindName(c.judgement);
    out["reason"] = reasonPolicyName(c.reason);
    out["blind"] = c.blind;
    out.update(c.extensions);
    return out;
}

// ---- analysis --------------------------------------------------------------------------------

// 5 as 5, 0.25 as 0.25: as the author would write it.
std::string numberText(double v)
{
    if (std::floor(v) == v && std::fabs(v) < 1e15)
        return std::to_string(int64_t(v));
    return ojson(v).dump();
}

// A number within [lo, hi] (integers may be written either way), or the fallback when absent.
double readNumber(const ojson& object, const std::string& path, const char* key, double lo, double hi, double fallback,
                  const char* unit)
{
    const ojson* v = find(object, key);
    if (!v)
        return fallback;
    if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < lo || v->get<double>() > hi)
        fail(member(path, key), std::string("must be a number of ") + unit + " from " + numberText(lo) + " to " +
                                    numberText(hi) + ", got " + describe(*v));
    return v->get<double>();
}

// A unique list of the given words (may be empty unless nonEmpty), or the fallback when absent.
std::vector<std::string> readWords(const ojson& object, const std::string& path, const char* key,
                                   const std::vector<std::string>& words, bool nonEmpty, std::vector<std::string> fallback)
{
    const ojson* v = find(object, key);
    if (!v)
        return fallback;
    const std::string at = member(path, key);
    if (!v->is_array() || (nonEmpty && v->empty()))
        fail(at, std::string("must be ") + (nonEmpty ? "a non-empty" : "an") + " array of " + joined(words) + ", got " +
                     describe(*v));
    std::vector<std::string> out;
    for (size_t i = 0; i < v->size(); ++i) {
        const ojson& w = (*v)[i];
        if (!w.is_string() || std::find(words.begin(), words.end(), w.get<std::string>()) == words.end()) {
            const std::string guess = w.is_string() ? closest(w.get<std::string>(), words) : std::string();
            fail(element(at, i), "must be one of " + joined(words) + "; got " + describe(w) +
                                     (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)"));
        }
        if (std::find(out.begin(), out.end(), w.get<std::string>()) != out.end())
            fail(at, quote(w.get<std::string>()) + " appears twice");
        out.push_back(w.get<std::string>());
    }
    return out;
}

const ojson& readPart(const ojson& block, const std::string& path, const char* key, const std::vector<std::string>& keys,
                      AnalysisSpec& out)
{
    static const ojson kEmpty = ojson::object();
    const ojson* v = find(block, key);
    if (!v)
        return kEmpty;
    const std::string at = member(path, key);
    if (!v->is_object())
        fail(at, "must be an object (" + joined(keys) + "), got " + describe(*v));
    checkKeys(*v, at, keys);
    const ojson extensions = extensionsOf(*v);
    if (!extensions.empty())
        out.partExtensions[key] = extensions;
    return *v;
}

const std::vector<std::pair<std::string, PitchRangeMode>> kPitchRangeModes = {
    {"config", PitchRangeMode::Config}, {"speaker", PitchRangeMode::Speaker}};

void readPauseTrack(const ojson& pauses, const std::string& path, const std::vector<CategorySpec>& categories,
                    AnalysisSpec& out)
{
    const ojson* v = find(pauses, "track");
    if (!v)
        return;
    const std::string at = member(path, "track");
    if (!v->is_object())
        fail(at, "must be an object naming a declared category and one of its tags ({\"category\": ..., \"tag\": ...}), "
                 "got " + describe(*v));
    checkKeys(*v, at, kTrackKeys);
    const ojson extensions = extensionsOf(*v);
    if (!extensions.empty())
        out.partExtensions["track"] = extensions;
    const ojson* category = find(*v, "category");
    const ojson* tag = find(*v, "tag");
    if (!category)
        fail(member(at, "category"), "is required");
    if (!tag)
        fail(member(at, "tag"), "is required");
    if (!category->is_string())
        fail(member(at, "category"), "must be a category name, got " + describe(*category));
    if (!tag->is_string())
        fail(member(at, "tag"), "must be one of the category's tags, got " + describe(*tag));
    const std::string& name = category->get_ref<const std::string&>();
    const auto spec = std::find_if(categories.begin(), categories.end(), [&](const CategorySpec& c) { return c.name == name; });
    if (spec == categories.end()) {
        std::vector<std::string> declared;
        for (const auto& c : categories)
            declared.push_back(c.name);
        const std::string guess = closest(name, declared);
        fail(member(at, "category"), quote(name) + " is not a declared category" +
                (guess.empty() ? (declared.empty() ? " (none are declared)" : " (declared: " + joined(declared) + ")")
                               : " (did you mean \"" + guess + "\"?)"));
    }
    const std::string& t = tag->get_ref<const std::string&>();
    if (!spec->hasTag(t)) {
        const std::string guess = closest(t, spec->tags);
        fail(member(at, "tag"), quote(t) + " is not a tag of " + quote(name) +
                                    (guess.empty() ? " (its tags: " + joined(spec->tags) + ")" : " (did you mean \"" + guess + "\"?)"));
    }
    out.pauseCategory = name;
    out.pauseTag = t;
}

AnalysisSpec readAnalysis(const ojson& v, const std::string& path, const std::vector<CategorySpec>& categories)
{
    if (!v.is_object())
        fail(path, "must be an object (" + joined(kAnalysisKeys) + "), got " + describe(v));
    checkKeys(v, path, kAnalysisKeys);
    AnalysisSpec out;
    out.show = readWords(v, path, "show", kAnalysisKinds, false, out.show);

    const std::string pausesAt = member(path, "pauses");
    const ojson& pauses = readPart(v, path, "pauses", kPauseKeys, out);
    out.pauseThresholdDb = readNumber(pauses, pausesAt, "thresholdDb", -100, 0, out.pauseThresholdDb, "dB");
    out.pauseMinDuration = readNumber(pauses, pausesAt, "minDuration", 0.01, 60, out.pauseMinDuration, "seconds");
    readPauseTrack(pauses, pausesAt, categories, out);

    const std::string pitchAt = member(path, "pitch");
    const ojson& pitch = readPart(v, path, "pitch", kPitchKeys, out);
    out.pitchFloorHz = readNumber(pitch, pitchAt, "floorHz", 20, 2000, out.pitchFloorHz, "Hz");
    out.pitchCeilingHz = readNumber(pitch, pitchAt, "ceilingHz", 40, 4000, out.pitchCeilingHz, "Hz");
    if (out.pitchCeilingHz < out.pitchFloorHz * 1.5)
        fail(find(pitch, "ceilingHz") ? member(pitchAt, "ceilingHz") : member(pitchAt, "floorHz"),
             "the ceiling must be at least 1.5 times the floor, got floorHz " + numberText(out.pitchFloorHz) +
                 " and ceilingHz " + numberText(out.pitchCeilingHz));
    out.pitchRange = readChoice(pitch, pitchAt, "range", kPitchRangeModes, PitchRangeMode::Config);

    const std::string loudnessAt = member(path, "loudness");
    const ojson& loudness = readPart(v, path, "loudness", kLoudnessKeys, out);
    out.loudnessJumpLu = readNumber(loudness, loudnessAt, "jumpLu", 1, 60, out.loudnessJumpLu, "LU");

    const std::string snapAt = member(path, "snap");
    const ojson& snap = readPart(v, path, "snap", kSnapKeys, out);
    out.snapKinds = readWords(snap, snapAt, "kinds", kSnapKinds, true, out.snapKinds);
    out.snapRadiusMs = readNumber(snap, snapAt, "radiusMs", 0.1, 1000, out.snapRadiusMs, "milliseconds");
    out.extensions = extensionsOf(v);
    return out;
}

ojson analysisToJson(const AnalysisSpec& a)
{
    auto part = [&](const char* name, ojson body) {
        if (a.partExtensions.contains(name))
            body.update(a.partExtensions.at(name));
        return body;
    };
    ojson out = ojson::object();
    out["show"] = a.show;
    ojson pauses = ojson::object();
    pauses["thresholdDb"] = a.pauseThresholdDb;
    pauses["minDuration"] = a.pauseMinDuration;
    if (!a.pauseCategory.empty()) {
        ojson track = ojson::object();
        track["category"] = a.pauseCategory;
        track["tag"] = a.pauseTag;
        pauses["track"] = part("track", std::move(track));
    }
    out["pauses"] = part("pauses", std::move(pauses));
    ojson pitch = ojson::object();
    pitch["floorHz"] = a.pitchFloorHz;
    pitch["ceilingHz"] = a.pitchCeilingHz;
    pitch["range"] = pitchRangeModeName(a.pitchRange);
    out["pitch"] = part("pitch", std::move(pitch));
    ojson loudness = ojson::object();
    loudness["jumpLu"] = a.loudnessJumpLu;
    out["loudness"] = part("loudness", std::move(loudness));
    ojson snap = ojson::object();
    snap["kinds"] = a.snapKinds;
    snap["radiusMs"] = a.snapRadiusMs;
    out["snap"] = part("snap", std::move(snap));
    out.update(a.extensions);
    return out;
}

// ---- the whole config -----------------------------------------------------------------------

bool hasTopKey(const ojson& root)
{
    return std::any_of(kTopKeys.begin(), kTopKeys.end(), [&](const std::string& k) { return root.contains(k); });
}

// The Ground Truth sample's form: {"speaker": ["Customer", ...], ...} and nothing else.
bool isBareCategories(const ojson& root)
{
    if (hasTopKey(root))
        return false;
    for (auto it = root.begin(); it != root.end(); ++it)
        if (!isExtensionKey(it.key()) && !isArrayOfStrings(it.value()))
            return false;
    return true;
}

// A config without any known key that is not a bare categories object either: say which
// key is wrong, in the terms of the form the author more likely meant.
[[noreturn]] void failNeitherForm(const ojson& root)
{
    for (auto it = root.begin(); it != root.end(); ++it) {
        const std::string guess = isExtensionKey(it.key()) ? std::string() : closest(it.key(), kTopKeys);
        if (!guess.empty())
            fail(member("", it.key()), "unknown key (did you mean \"" + guess + "\"?)");
    }
    for (auto it = root.begin(); it != root.end(); ++it)
        if (!isExtensionKey(it.key()) && !isArrayOfStrings(it.value()))
            fail(member("", it.key()), "must be an array of tag strings, got " + describe(it.value()) +
                                           " (a config with none of \"categories\", \"segmentFields\", "
                                           "\"classifications\" maps each category name to its tags)");
    fail("", "is not a label config");
}

ojson fieldToJson(const FieldSpec& f, bool segment)
{
    ojson out = ojson::object();
    out["name"] = f.name;
    out["type"] = fieldTypeName(f.type);
    out["label"] = f.label;
    if (!f.description.empty())
        out["description"] = f.description;
    out["required"] = f.required;
    if (segment && !f.categories.empty())
        out["categories"] = f.categories;
    switch (f.type) {
    case FieldType::Text:
        out["multiline"] = f.multiline;
        out["maxLength"] = f.maxLength;
        break;
    case FieldType::Choice:
    case FieldType::Multi:
        out["options"] = f.options;
        break;
    case FieldType::Rating:
        out["min"] = f.min;
        out["max"] = f.max;
        break;
    case FieldType::Boolean:
        break;
    }
    out.update(f.extensions);
    return out;
}

const FieldSpec* findField(const std::vector<FieldSpec>& fields, const std::string& name)
{
    const auto it = std::find_if(fields.begin(), fields.end(), [&](const FieldSpec& f) { return f.name == name; });
    return it == fields.end() ? nullptr : &*it;
}

} // namespace

ConfigError::ConfigError(const std::string& path, const std::string& reason)
    : MediaError(ErrorCode::InvalidConfig, (path.empty() ? std::string("config") : path) + ": " + reason),
      path_(path), reason_(reason)
{
}

const char* fieldTypeName(FieldType type)
{
    switch (type) {
    case FieldType::Text: return "text";
    case FieldType::Choice: return "choice";
    case FieldType::Multi: return "multi";
    case FieldType::Rating: return "rating";
    case FieldType::Boolean: return "boolean";
    }
    return "text";
}

const char* judgementKindName(JudgementKind kind)
{
    switch (kind) {
    case JudgementKind::Auto: return "auto";
    case JudgementKind::Preference: return "preference";
    case JudgementKind::Ranking: return "ranking";
    }
    return "auto";
}

const char* reasonPolicyName(ReasonPolicy policy)
{
    switch (policy) {
    case ReasonPolicy::Required: return "required";
    case ReasonPolicy::Optional: return "optional";
    case ReasonPolicy::None: return "none";
    }
    return "optional";
}

const char* pitchRangeModeName(PitchRangeMode mode)
{
    return mode == PitchRangeMode::Speaker ? "speaker" : "config";
}

bool CategorySpec::hasTag(const std::string& tag) const
{
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

bool FieldSpec::appliesTo(const std::string& category) const
{
    return categories.empty() || std::find(categories.begin(), categories.end(), category) != categories.end();
}

LabelConfig LabelConfig::parse(const std::string& text)
{
    ojson root;
    try {
        root = StrictJson::parseOrdered(text, kMaxDepth);
    } catch (const StrictJsonError& e) {
        fail(e.path(), e.reason());
    }
    return fromJson(root);
}

LabelConfig LabelConfig::fromJson(const nlohmann::json& config)
{
    checkStringsAndDepth(config, "", 1);
    return fromJson(ojson(config));
}

LabelConfig LabelConfig::fromJson(const ojson& root)
{
    checkStringsAndDepth(root, "", 1);
    if (!root.is_object())
        fail("", "must be a JSON object, got " + describe(root));

    LabelConfig config;
    config.extensions_ = extensionsOf(root);
    if (isBareCategories(root)) {
        // Only near-certain typos: "session" is a fair category name, "segmentfields" is not.
        for (auto it = root.begin(); it != root.end(); ++it) {
            const std::string guess = isExtensionKey(it.key()) ? std::string() : closest(it.key(), kTopKeys, 1);
            if (!guess.empty())
                fail(member("", it.key()), "unknown key (did you mean \"" + guess + "\"?)");
        }
        config.categories_ = readCategoryObject(root, "");
        return config;
    }
    if (!hasTopKey(root))
        failNeitherForm(root);
    checkKeys(root, "", kTopKeys);
    if (const ojson* version = find(root, "version")) {
        int64_t n = 0;
        if (!integral(*version, n) || n != 1)
            fail("version", "must be 1 (the only version so far), got " + describe(*version));
    }
    if (const ojson* categories = find(root, "categories"))
        config.categories_ = readCategories(*categories, "categories");
    if (const ojson* fields = find(root, "segmentFields"))
        config.segmentFields_ = readFields(*fields, "segmentFields", true, config.categories_);
    if (const ojson* fields = find(root, "classifications"))
        config.classifications_ = readFields(*fields, "classifications", false, config.categories_);
    if (const ojson* min = find(root, "minSegments"))
        config.minSegments_ = readInteger(*min, "minSegments", 0, kMaxMinSegments);
    if (const ojson* comparison = find(root, "comparison")) {
        config.comparison_ = readComparison(*comparison, "comparison");
        config.hasComparison_ = true;
    }
    if (const ojson* analysis = find(root, "analysis")) {
        config.analysis_ = readAnalysis(*analysis, "analysis", config.categories_);
        config.hasAnalysis_ = true;
    }
    return config;
}

const CategorySpec* LabelConfig::findCategory(const std::string& name) const
{
    const auto it = std::find_if(categories_.begin(), categories_.end(), [&](const CategorySpec& c) { return c.name == name; });
    return it == categories_.end() ? nullptr : &*it;
}

std::vector<const FieldSpec*> LabelConfig::segmentFieldsFor(const std::string& category) const
{
    std::vector<const FieldSpec*> out;
    if (!findCategory(category))
        return out;
    for (const auto& f : segmentFields_)
        if (f.appliesTo(category))
            out.push_back(&f);
    return out;
}

const FieldSpec* LabelConfig::findSegmentField(const std::string& name) const
{
    return findField(segmentFields_, name);
}

const FieldSpec* LabelConfig::findClassification(const std::string& name) const
{
    return findField(classifications_, name);
}

std::string LabelConfig::validateValue(const FieldSpec& field, const nlohmann::json& value)
{
    if (value.is_null() || value.is_discarded())
        return {};
    auto isOption = [&](const std::string& s) {
        return std::find(field.options.begin(), field.options.end(), s) != field.options.end();
    };
    auto validText = [](const std::string& s) { return invalidUtf8At(s) == std::string::npos; };
    switch (field.type) {
    case FieldType::Text: {
        if (!value.is_string())
            return "must be text, got " + describe(value);
        const std::string& s = value.get_ref<const std::string&>();
        if (!validText(s))
            return "is not valid UTF-8 text";
        if (!field.multiline && s.find_first_of("\r\n") != std::string::npos)
            return "must be a single line";
        const size_t n = codePoints(s);
        if (n > size_t(field.maxLength))
            return "is too long: " + std::to_string(n) + " characters, at most " + std::to_string(field.maxLength);
        return {};
    }
    case FieldType::Choice: {
        if (!value.is_string())
            return "must be one of the options, got " + describe(value);
        const std::string& s = value.get_ref<const std::string&>();
        if (s.empty() || isOption(s))
            return {};
        return quote(s) + " is not one of the options";
    }
    case FieldType::Multi: {
        if (!value.is_array())
            return "must be a list of options, got " + describe(value);
        std::set<std::string> seen;
        for (const auto& item : value) {
            if (!item.is_string())
                return "must list options, got " + describe(item) + " in the list";
            const std::string& s = item.get_ref<const std::string&>();
            if (!isOption(s))
                return quote(s) + " is not one of the options";
            if (!seen.insert(s).second)
                return quote(s) + " is chosen twice";
        }
        return {};
    }
    case FieldType::Rating: {
        int64_t n = 0;
        if (!integral(value, n) || n < field.min || n > field.max)
            return "must be a whole number from " + std::to_string(field.min) + " to " + std::to_string(field.max) +
                ", got " + describe(value);
        return {};
    }
    case FieldType::Boolean:
        if (!value.is_boolean())
            return "must be true or false, got " + describe(value);
        return {};
    }
    return {};
}

bool LabelConfig::isEmpty(const FieldSpec&, const nlohmann::json& value)
{
    if (value.is_null() || value.is_discarded())
        return true;
    if (value.is_string())
        return isBlank(value.get_ref<const std::string&>());
    if (value.is_array())
        return value.empty();
    return false;
}

nlohmann::ordered_json LabelConfig::toJson() const
{
    ojson out = ojson::object();
    out["version"] = 1;
    out["categories"] = ojson::array();
    for (const auto& c : categories_) {
        ojson entry = ojson::object();
        entry["name"] = c.name;
        entry["label"] = c.label;
        if (!c.description.empty())
            entry["description"] = c.description;
        entry["tags"] = c.tags;
        entry["allowOverlap"] = c.allowOverlap;
        entry["minLength"] = c.minLength;
        entry.update(c.extensions);
        out["categories"].push_back(std::move(entry));
    }
    out["segmentFields"] = ojson::array();
    for (const auto& f : segmentFields_)
        out["segmentFields"].push_back(fieldToJson(f, true));
    out["classifications"] = ojson::array();
    for (const auto& f : classifications_)
        out["classifications"].push_back(fieldToJson(f, false));
    // Written only when set, so configs that predate it keep their normalized form.
    if (minSegments_ > 0)
        out["minSegments"] = minSegments_;
    if (hasComparison_)
        out["comparison"] = comparisonToJson(comparison_);
    if (hasAnalysis_)
        out["analysis"] = analysisToJson(analysis_);
    out.update(extensions_);
    return out;
}

} // namespace avseg
