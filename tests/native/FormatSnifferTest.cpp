// SPDX-License-Identifier: MIT
#include "FormatSniffer.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

using namespace avseg;

TEST_CASE("known but unsupported formats are named from their first bytes", "[FormatSniffer]")
{
    const auto ac3 = test::readBytes(test::fixture("unsupported.ac3"));
    CHECK(recogniseUnsupported(ac3.data(), ac3.size()) == "AC-3 / E-AC-3 audio");
    const uint8_t aiff[] = {'F', 'O', 'R', 'M', 0, 0, 0, 0, 'A', 'I', 'F', 'F'};
    CHECK(recogniseUnsupported(aiff, sizeof aiff) == "AIFF audio");
}

TEST_CASE("supported media and noise are not named", "[FormatSniffer]")
{
    for (const char* name : {"speech-gaps.mp3", "speech-gaps.flac", "speech-gaps.ogg", "speech-gaps.aac.m4a", "garbage.bin", "notmedia.txt"}) {
        const auto bytes = test::readBytes(test::fixture(name));
        INFO(name);
        CHECK(recogniseUnsupported(bytes.data(), std::min<size_t>(bytes.size(), 4096)).empty());
    }
    CHECK(recogniseUnsupported(nullptr, 0).empty());
}
