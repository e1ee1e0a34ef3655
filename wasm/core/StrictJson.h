// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

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

// Where a strict SAX read is: the containers open around the value being read, outermost first.
// StrictJson::sax() keeps it up to date; a handler reads it to know what an event is about.
class StrictJsonPlace {
public:
    // Containers open (0 at the top-level value).
    size_t depth() const { return frames_.size(); }
    // Whether the innermost open container is an array.
    bool inArray() const { return !frames_.empty() && frames_.back().array; }
    // The innermost object's current key (after its key event).
    const std::string& key() const { return frames_.back().key; }
    // The index of the innermost array's current value; at its end event, how many it holds.
    size_t index() const { return frames_.back().index; }
    // The location, as a refusal names it: `segments[3].fields` (empty at the top level).
    std::string path() const;

private:
    template <class Handler>
    friend class StrictSax;
    struct Frame {
        bool array;
        size_t index = 0;
        std::string key;
        std::set<std::string> keys;
    };
    std::vector<Frame> frames_;
};

// JSON read strictly, for whatever a host or an annotator hands the core (label configs,
// annotation documents, peaks files): the whole text valid UTF-8, no key twice in one object
// (nlohmann would keep the last one silently), and at most maxDepth levels of nesting (deeper
// would exhaust the wasm stack in nlohmann's recursive parts). Each refusal names its place.
class StrictJson {
public:
    static constexpr int kMaxDepth = 64;   // counting the top-level value

    // Both throw StrictJsonError. parseOrdered keeps the text's key order.
    static nlohmann::json parse(const std::string& text, int maxDepth = kMaxDepth);
    static nlohmann::ordered_json parseOrdered(const std::string& text, int maxDepth = kMaxDepth);
    // The same reading without a tree, for texts too large to hold as one: `handler` (an
    // nlohmann SAX handler) hears each event after the checks and before `place` moves past it,
    // so place names the value the event is about (for an end event: the container ending).
    // Throws StrictJsonError as parse() does, and whatever the handler throws.
    template <class Handler>
    static void sax(const std::string& text, Handler& handler, StrictJsonPlace& place, int maxDepth = kMaxDepth);

    // Throws StrictJsonError unless the whole text is valid UTF-8 (naming the line and column).
    static void requireUtf8(const std::string& text);
    // nlohmann's parse_error (or out_of_range, for numbers like 1e400) as StrictJsonError.
    [[noreturn]] static void refuseSyntax(const nlohmann::json::exception& e);

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

// The checks in front of a SAX handler (StrictJson::sax): duplicate keys, depth, places.
template <class Handler>
class StrictSax {
public:
    using Json = nlohmann::json;

    StrictSax(Handler& handler, StrictJsonPlace& place, int maxDepth) : h_(handler), place_(place), maxDepth_(maxDepth) {}

    bool null() { return value(h_.null()); }
    bool boolean(bool v) { return value(h_.boolean(v)); }
    bool number_integer(Json::number_integer_t v) { return value(h_.number_integer(v)); }
    bool number_unsigned(Json::number_unsigned_t v) { return value(h_.number_unsigned(v)); }
    bool number_float(Json::number_float_t v, const Json::string_t& s) { return value(h_.number_float(v, s)); }
    bool string(Json::string_t& v) { return value(h_.string(v)); }
    bool binary(Json::binary_t& v) { return value(h_.binary(v)); }
    bool start_object(std::size_t n) { return open(false), h_.start_object(n) && push(false); }
    bool start_array(std::size_t n) { return open(true), h_.start_array(n) && push(true); }
    bool end_object() { return close(h_.end_object()); }
    bool end_array() { return close(h_.end_array()); }
    bool key(Json::string_t& k)
    {
        StrictJsonPlace::Frame& f = place_.frames_.back();
        f.key = k;
        if (!f.keys.insert(k).second)
            throw StrictJsonError(place_.path(), "appears twice in the same object");
        return h_.key(k);
    }
    template <class Exception>
    bool parse_error(std::size_t at, const std::string& token, const Exception& e) { return h_.parse_error(at, token, e); }

private:
    bool value(bool ok)
    {
        if (place_.inArray())
            ++place_.frames_.back().index;
        return ok;
    }
    void open(bool)
    {
        if (place_.depth() >= size_t(maxDepth_))
            throw StrictJsonError(place_.path(), "nested too deeply (more than " + std::to_string(maxDepth_) + " levels)");
    }
    bool push(bool array)
    {
        place_.frames_.push_back({array, 0, {}, {}});
        return true;
    }
    bool close(bool ok)
    {
        place_.frames_.pop_back();
        return value(ok);
    }

    Handler& h_;
    StrictJsonPlace& place_;
    int maxDepth_;
};

template <class Handler>
void StrictJson::sax(const std::string& text, Handler& handler, StrictJsonPlace& place, int maxDepth)
{
    requireUtf8(text);
    place = {};
    StrictSax<Handler> strict(handler, place, maxDepth);
    try {
        nlohmann::json::sax_parse(text, &strict);
    } catch (const nlohmann::json::exception& e) {
        refuseSyntax(e);
    }
}

} // namespace avseg
