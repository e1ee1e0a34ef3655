// SPDX-License-Identifier: MIT
#include "StrictJson.h"

#include <algorithm>
#include <vector>

namespace avseg {

namespace {

// ASCII only, whatever the C locale says.
bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Whether `key` needs no brackets in a location: `a.b-c` would be ambiguous, so "." does.
bool isPlainKey(const std::string& key)
{
    return !key.empty() && isLetter(key[0]) &&
        std::all_of(key.begin(), key.end(), [](char c) { return isLetter(c) || (c >= '0' && c <= '9') || c == '-'; });
}

template <typename Json>
Json parseStrict(const std::string& text, int maxDepth)
{
    // nlohmann's own tree builder behind the strict checks. (nlohmann's parser callbacks would
    // find repeated keys too, but they rescan the parent after every object: quadratic on a
    // document's long list of segments.)
    Json root;
    nlohmann::detail::json_sax_dom_parser<Json> dom(root, true);
    StrictJsonPlace place;
    StrictJson::sax(text, dom, place, maxDepth);
    return root;
}

} // namespace

StrictJsonError::StrictJsonError(const std::string& path, const std::string& reason)
    : std::runtime_error(path.empty() ? reason : path + ": " + reason), path_(path), reason_(reason)
{
}

std::string StrictJsonPlace::path() const
{
    std::string path;
    for (const Frame& f : frames_)
        path = f.array ? StrictJson::element(path, f.index) : StrictJson::member(path, f.key);
    return path;
}

void StrictJson::requireUtf8(const std::string& text)
{
    const size_t bad = invalidUtf8At(text);
    if (bad == std::string::npos)
        return;
    const size_t lineStart = text.rfind('\n', bad);
    const size_t line = size_t(std::count(text.begin(), text.begin() + ptrdiff_t(bad), '\n')) + 1;
    const size_t column = bad - (lineStart == std::string::npos ? 0 : lineStart + 1) + 1;
    throw StrictJsonError("", "is not valid UTF-8 (byte " + hexByte(static_cast<unsigned char>(text[bad])) +
                                  " at line " + std::to_string(line) + ", column " + std::to_string(column) + ")");
}

void StrictJson::refuseSyntax(const nlohmann::json::exception& e)
{
    std::string what = e.what();
    const size_t at = what.find("parse error at ");
    if (at != std::string::npos)
        what = what.substr(at + 15);
    else if (what.find("] ") != std::string::npos)
        what = what.substr(what.find("] ") + 2);
    // nlohmann's messages quote the bytes they read, which may be broken UTF-8.
    throw StrictJsonError("", "is not valid JSON (" + replaceInvalidUtf8(what) + ")");
}

nlohmann::json StrictJson::parse(const std::string& text, int maxDepth)
{
    return parseStrict<nlohmann::json>(text, maxDepth);
}

nlohmann::ordered_json StrictJson::parseOrdered(const std::string& text, int maxDepth)
{
    return parseStrict<nlohmann::ordered_json>(text, maxDepth);
}

size_t StrictJson::invalidUtf8At(const std::string& s, size_t from)
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = from;
    while (i < n) {
        const unsigned c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) len = 3, lo = 0xA0;
        else if (c >= 0xE1 && c <= 0xEC) len = 3;
        else if (c == 0xED) len = 3, hi = 0x9F;
        else if (c >= 0xEE && c <= 0xEF) len = 3;
        else if (c == 0xF0) len = 4, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) len = 4, hi = 0x8F;
        else return i;
        if (i + len > n || p[i + 1] < lo || p[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; ++k)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF)
                return i;
        i += len;
    }
    return std::string::npos;
}

std::string StrictJson::replaceInvalidUtf8(const std::string& s)
{
    std::string out;
    size_t i = 0;
    for (size_t bad; (bad = invalidUtf8At(s, i)) != std::string::npos; i = bad + 1)
        out.append(s, i, bad - i).append("\xEF\xBF\xBD");
    return out.append(s, i, std::string::npos);
}

std::string StrictJson::hexByte(unsigned char c)
{
    static const char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[c >> 4] + digits[c & 15];
}

std::string StrictJson::member(const std::string& path, const std::string& key)
{
    if (!isPlainKey(key))
        return path + "[" + nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "]";
    return path.empty() ? key : path + "." + key;
}

std::string StrictJson::element(const std::string& path, size_t index)
{
    return path + "[" + std::to_string(index) + "]";
}

} // namespace avseg
