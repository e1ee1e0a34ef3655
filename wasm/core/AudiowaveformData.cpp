// SPDX-License-Identifier: MIT
#include "AudiowaveformData.h"

#include "PeakPyramid.h"

#include <algorithm>
#include <stdexcept>

namespace avseg {

void AudiowaveformGenerator::start(const AudioFormat& format)
{
    if (samplesPerPixel_ < 2)
        throw std::invalid_argument("samples per pixel must be 2 or more");
    sourceChannels_ = format.channels;
    out_.sampleRate = format.sampleRate;
    out_.samplesPerPixel = samplesPerPixel_;
    out_.channels = split_ ? format.channels : 1;
    out_.data.clear();
    min_.assign(size_t(out_.channels), INT16_MAX);
    max_.assign(size_t(out_.channels), INT16_MIN);
    inPixel_ = 0;
}

void AudiowaveformGenerator::process(const float* const* channels, size_t frames)
{
    for (size_t i = 0; i < frames; ++i) {
        for (int c = 0; c < out_.channels; ++c) {
            float x;
            if (split_) {
                x = channels[c][i];
            } else {
                x = 0;
                for (int k = 0; k < sourceChannels_; ++k)
                    x += channels[k][i];
                x /= float(sourceChannels_);
            }
            const int16_t v = quantiseSample(x);
            min_[size_t(c)] = std::min(min_[size_t(c)], v);
            max_[size_t(c)] = std::max(max_[size_t(c)], v);
        }
        if (++inPixel_ == samplesPerPixel_)
            flush();
    }
}

void AudiowaveformGenerator::done()
{
    if (inPixel_ > 0)
        flush();
}

void AudiowaveformGenerator::flush()
{
    for (int c = 0; c < out_.channels; ++c) {
        out_.data.push_back(min_[size_t(c)]);
        out_.data.push_back(max_[size_t(c)]);
        min_[size_t(c)] = INT16_MAX;
        max_[size_t(c)] = INT16_MIN;
    }
    inPixel_ = 0;
}

namespace {

// audiowaveform makes 8-bit values by dividing the 16-bit ones by 256.
int scaled(int16_t v, int bits)
{
    return bits == 8 ? v / 256 : v;
}

void put32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(uint8_t(v >> (8 * i)));
}

} // namespace

std::vector<uint8_t> audiowaveformDat(const AudiowaveformData& peaks, int bits)
{
    if (bits != 8 && bits != 16)
        throw std::invalid_argument("bits must be 8 or 16");
    std::vector<uint8_t> out;
    out.reserve(24 + peaks.data.size() * size_t(bits / 8));
    put32(out, 2);                                   // version
    put32(out, bits == 8 ? 1u : 0u);                 // flags: bit 0 set = 8-bit
    put32(out, uint32_t(peaks.sampleRate));
    put32(out, uint32_t(peaks.samplesPerPixel));
    put32(out, uint32_t(peaks.length()));
    put32(out, uint32_t(peaks.channels));
    for (int16_t v : peaks.data) {
        const int s = scaled(v, bits);
        out.push_back(uint8_t(s & 0xff));
        if (bits == 16)
            out.push_back(uint8_t((s >> 8) & 0xff));
    }
    return out;
}

std::string audiowaveformJson(const AudiowaveformData& peaks, int bits)
{
    if (bits != 8 && bits != 16)
        throw std::invalid_argument("bits must be 8 or 16");
    std::string out = "{\"version\":2,\"channels\":" + std::to_string(peaks.channels) + ",\"sample_rate\":" + std::to_string(peaks.sampleRate)
        + ",\"samples_per_pixel\":" + std::to_string(peaks.samplesPerPixel) + ",\"bits\":" + std::to_string(bits)
        + ",\"length\":" + std::to_string(peaks.length()) + ",\"data\":[";
    for (size_t i = 0; i < peaks.data.size(); ++i) {
        if (i)
            out += ',';
        out += std::to_string(scaled(peaks.data[i], bits));
    }
    return out + "]}";
}

} // namespace avseg
