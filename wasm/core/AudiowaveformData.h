// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"

#include <cstdint>
#include <string>
#include <vector>

namespace avseg {

// Peaks in BBC audiowaveform's data format (version 2; doc/peak-formats.md): for each pixel of
// samplesPerPixel frames, for each channel, the minimum then the maximum, as 16-bit samples.
struct AudiowaveformData {
    int sampleRate = 0;
    int samplesPerPixel = 256;
    int channels = 1;
    std::vector<int16_t> data;   // pixel-major: [pixel][channel][min, max]

    size_t length() const { return channels > 0 ? data.size() / size_t(2 * channels) : 0; }
};

// Fills AudiowaveformData from decoded PCM: exact min/max per pixel of any width. Mixes the
// channels down to one (audiowaveform's default) unless splitChannels.
class AudiowaveformGenerator : public AudioSink {
public:
    AudiowaveformGenerator(AudiowaveformData& out, int samplesPerPixel, bool splitChannels)
        : out_(out), samplesPerPixel_(samplesPerPixel), split_(splitChannels) {}

    void start(const AudioFormat& format) override;
    void process(const float* const* channels, size_t frames) override;
    void done() override;

private:
    void flush();

    AudiowaveformData& out_;
    int samplesPerPixel_;
    bool split_;
    int sourceChannels_ = 0;
    int inPixel_ = 0;
    std::vector<int16_t> min_, max_;
};

// The binary .dat file (little-endian; bits 8 or 16) and the JSON file.
std::vector<uint8_t> audiowaveformDat(const AudiowaveformData& peaks, int bits);
std::string audiowaveformJson(const AudiowaveformData& peaks, int bits);

} // namespace avseg
