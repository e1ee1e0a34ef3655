// SPDX-License-Identifier: MIT
#include "FormatSniffer.h"

#include <cstring>

namespace avseg {

namespace {

bool startsWith(const uint8_t* head, size_t size, const char* magic, size_t at = 0)
{
    const size_t n = std::strlen(magic);
    return size >= at + n && std::memcmp(head + at, magic, n) == 0;
}

} // namespace

std::string recogniseUnsupported(const uint8_t* head, size_t size)
{
    static const uint8_t asf[] = {0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11};
    if (size >= 2 && head[0] == 0x0b && head[1] == 0x77)
        return "AC-3 / E-AC-3 audio";
    if (size >= sizeof asf && std::memcmp(head, asf, sizeof asf) == 0)
        return "Windows Media (ASF/WMA/WMV)";
    if (startsWith(head, size, "FORM") && (startsWith(head, size, "AIFF", 8) || startsWith(head, size, "AIFC", 8)))
        return "AIFF audio";
    if (startsWith(head, size, "RIFF") && startsWith(head, size, "AVI ", 8))
        return "AVI video";
    if (startsWith(head, size, "#!AMR"))
        return "AMR speech audio";
    if (startsWith(head, size, "fLaC") || startsWith(head, size, "OggS"))
        return "";
    if (size >= 189 && head[0] == 0x47 && head[188] == 0x47)
        return "MPEG transport stream";
    if (startsWith(head, size, "MThd"))
        return "MIDI (notes, not audio)";
    return "";
}

} // namespace avseg
