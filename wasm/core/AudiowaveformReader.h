// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace avseg {

// What a peaks file says about itself (doc/peak-formats.md).
struct AudiowaveformHeader {
    int version = 2;
    int bits = 16;
    int sampleRate = 0;
    int samplesPerPixel = 0;
    int channels = 1;
    int64_t length = 0;   // pixels
    bool json = false;
};

// A peaks file read: ok with the header and the values (pixel-major [pixel][channel][min, max],
// 8-bit ones times 256, as audiowaveform reads them), or error saying what is wrong (a clause
// such as "the JSON's data[7] is 200, outside -128..127 for 8-bit peaks").
struct AudiowaveformRead {
    bool ok = false;
    std::string error;
    AudiowaveformHeader header;
    std::vector<int16_t> data;
};

// Reads BBC audiowaveform's .dat (version 1 or 2, 8 or 16 bits) or its JSON (after optional
// whitespace or a UTF-8 byte order mark), as audiowaveform and avseg-cli write them. Refuses a
// file of no pixels, data that does not fill the header's length exactly, and values outside
// the range of the file's bits. Never throws for bad input.
AudiowaveformRead readAudiowaveform(const uint8_t* bytes, size_t size);

// How peaks fail to fit a medium of `channels` at `sampleRate` and `frames` long (frames < 0:
// not known yet, the length is not checked); empty when they fit. audiowaveform rounds the last
// pixel up, so the length fits when it is ceil(frames / samplesPerPixel).
std::string audiowaveformMismatch(const AudiowaveformHeader& peaks, int channels, int sampleRate, int64_t frames);

} // namespace avseg
