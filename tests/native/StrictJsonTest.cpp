// SPDX-License-Identifier: MIT
#include "StrictJson.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace avseg;

namespace {

// Writes down each event with the place StrictJson::sax gives it.
class Recorder {
public:
    using Json = nlohmann::json;

    explicit Recorder(const StrictJsonPlace& place) : place_(place) {}

    bool null() { return note("null"); }
    bool boolean(bool v) { return note(v ? "true" : "false"); }
    bool number_integer(Json::number_integer_t v) { return note(std::to_string(v)); }
    bool number_unsigned(Json::number_unsigned_t v) { return note(std::to_string(v)); }
    bool number_float(Json::number_float_t, const Json::string_t& s) { return note(s); }
    bool string(Json::string_t& v) { return note('"' + v + '"'); }
    bool binary(Json::binary_t&) { return note("binary"); }
    bool start_object(std::size_t) { return note("{"); }
    bool start_array(std::size_t) { return note("["); }
    bool end_object() { return note("}"); }
    bool end_array() { return note("]"); }
    bool key(Json::string_t& k) { return note("key " + k); }
    template <class Exception>
    bool parse_error(std::size_t, const std::string&, const Exception& e)
    {
        throw e;
    }

    std::vector<std::string> events;

private:
    bool note(const std::string& what)
    {
        std::string at = what + " @" + place_.path() + " d" + std::to_string(place_.depth());
        if (place_.depth() > 0)
            at += place_.inArray() ? " #" + std::to_string(place_.index()) : " ." + place_.key();
        events.push_back(at);
        return true;
    }
    const StrictJsonPlace& place_;
};

std::vector<std::string> events(const std::string& text)
{
    StrictJsonPlace place;
    Recorder r(place);
    StrictJson::sax(text, r, place);
    return r.events;
}

// What the SAX read refuses, and checks that the tree read refuses the same.
std::string saxRefusal(const std::string& text, int maxDepth = StrictJson::kMaxDepth)
{
    std::string sax, tree;
    try {
        StrictJsonPlace place;
        Recorder r(place);
        StrictJson::sax(text, r, place, maxDepth);
    } catch (const StrictJsonError& e) {
        sax = e.what();
    }
    try {
        StrictJson::parse(text, maxDepth);
    } catch (const StrictJsonError& e) {
        tree = e.what();
    }
    CHECK(sax == tree);
    return sax;
}

} // namespace

TEST_CASE("a SAX read tells each event where it is: depth, key or index, and the path", "[StrictJson]")
{
    CHECK(events(R"({"a": [1, {"b": null}], "c d": 2.5})") == std::vector<std::string>{
        "{ @ d0",
        "key a @a d1 .a",
        "[ @a d1 .a",                 // a container starts where its parent holds it
        "1 @a[0] d2 #0",
        "{ @a[1] d2 #1",
        "key b @a[1].b d3 .b",
        "null @a[1].b d3 .b",
        "} @a[1].b d3 .b",            // an end: the container ending, at its last key
        "] @a[2] d2 #2",              // an array's end: the index is how many values it holds
        "key c d @[\"c d\"] d1 .c d",
        "2.5 @[\"c d\"] d1 .c d",
        "} @[\"c d\"] d1 .c d",
    });
    CHECK(events("[]") == std::vector<std::string>{"[ @ d0", "] @[0] d1 #0"});
    CHECK(events("7") == std::vector<std::string>{"7 @ d0"});
}

TEST_CASE("a SAX read refuses what parse refuses, in the same words", "[StrictJson]")
{
    CHECK(saxRefusal(R"({"a": {"b": 1, "b": 2}})") == "a.b: appears twice in the same object");
    CHECK(saxRefusal(R"([{"x": 1}, {"x": 1, "y": [0, {"x": 1, "x": 1}]}])") == "[1].y[1].x: appears twice in the same object");
    CHECK(saxRefusal(R"({"a": 1} x)").find("is not valid JSON (line 1, column 10: syntax error while parsing value - invalid literal") == 0);
    CHECK(saxRefusal(R"({"a": 1}{})").find("is not valid JSON (line 1, column 9: syntax error") == 0);
    CHECK(saxRefusal("{\"a\": \"\xC3\x28\"}") == "is not valid UTF-8 (byte 0xC3 at line 1, column 8)");
    CHECK(saxRefusal("[[[1]]]", 2) == "[0][0]: nested too deeply (more than 2 levels)");
    CHECK(saxRefusal("[1e400]").find("is not valid JSON (") == 0);
    CHECK(saxRefusal("").find("is not valid JSON (") == 0);
    CHECK(saxRefusal(R"({"a": 1, "b": [true, false]})").empty());
}

TEST_CASE("a SAX read stops at a handler's own refusal, which the caller receives as thrown", "[StrictJson]")
{
    struct Picky : Recorder {
        using Recorder::Recorder;
        bool number_unsigned(Json::number_unsigned_t v)
        {
            if (v > 9)
                throw StrictJsonError("", "a number too large");
            return Recorder::number_unsigned(v);
        }
    };
    StrictJsonPlace place;
    Picky handler(place);
    CHECK_THROWS_WITH(StrictJson::sax("[1, 20, 3]", handler, place), "a number too large");
    CHECK(handler.events.size() == 2);   // "[" and 1: nothing after the refusal
}
