// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace avseg {

// A JSON text the strict reader refuses. path() locates the offending value like
// `segments[3].fields` (empty for the text as a whole); what() is "<path>: <reason>", or the
// reason alone when the path is empty.
class StrictJsonError : public std::runtime_error {
public:
    StrictJsonError(const std::string& path, const std::string& reason);
    const std::string& path() const { return path_; }
    const std::string& reason() const { return reason_; }

private:
    std::string path_;
    std::string reason_;
};

// JSON read strictly, for whatever a host or an annotator hands the core (label configs,
// annotation documents): the whole text valid UTF-8, no key twice in one object (nlohmann
// would keep the last one silently), and at most maxDepth levels of nesting (deeper would
// exhaust the wasm stack in nlohmann's recursive parts). Each refusal names its place.
class StrictJson {
public:
    static constexpr int kMaxDepth = 64;   // counting the top-level value

    // Both throw StrictJsonError. parseOrdered keeps the text's key order.
    static nlohmann::json parse(const std::string& text, int maxDepth = kMaxDepth);
    static nlohmann::ordered_json parseOrdered(const std::string& text, int maxDepth = kMaxDepth);

    // Offset of the first byte at or after `from` that does not start a well-formed UTF-8
    // sequence (no overlongs, surrogates or code points past U+10FFFF), or npos.
    static size_t invalidUtf8At(const std::string& s, size_t from = 0);
    // Each byte that is not well-formed UTF-8 replaced by U+FFFD.
    static std::string replaceInvalidUtf8(const std::string& s);
    static std::string hexByte(unsigned char c);

    // Locations: member("a", "b") is "a.b", member("a", "b c") is `a["b c"]`, element("a", 2) "a[2]".
    static std::string member(const std::string& path, const std::string& key);
    static std::string element(const std::string& path, size_t index);
};

} // namespace avseg
