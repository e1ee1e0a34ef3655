// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

// The level of the sound in consecutive blocks of about a millisecond, as PCM streams through: the
// mean over channels of each channel's power (so that a polarity-inverted channel does not cancel
// the other), what pauses are found in and boundaries snap to. Block i covers frames
// [i * hop(), (i + 1) * hop()).
class EnergyEnvelope : public AudioSink {
public:
    void start(const AudioFormat& format) override;
    void process(const float* const* channels, size_t frames) override;
    void done() override;

    int sampleRate() const { return sampleRate_; }
    // Frames per block: sampleRate / 1000 rounded, at least 1.
    int hop() const { return hop_; }
    size_t blocks() const { return levels_.size(); }
    // Frames received; the last block may be shorter than hop().
    int64_t frames() const { return frames_; }
    // Mean square of block i over its frames and channels in dBFS (a full-scale sine reads -3.01); kSilenceDb for digital silence.
    float levelDb(size_t i) const { return levels_[i]; }
    const std::vector<float>& levels() const { return levels_; }
    // 4 bytes per block: 14.4 MB per hour at any sample rate.
    size_t memoryBytes() const;
    // Room for this many blocks (the media's declared length; after start()), so that a long
    // file's levels are not copied as they grow.
    void reserve(size_t blocks) { levels_.reserve(blocks); }

    static constexpr float kSilenceDb = -150.0f;

private:
    void close();

    int sampleRate_ = 0;
    int channels_ = 0;
    int hop_ = 1;
    double acc_ = 0;        // sum of squares of the open block
    int64_t accFrames_ = 0;
    int64_t frames_ = 0;
    std::vector<float> levels_;
};

} // namespace avseg
