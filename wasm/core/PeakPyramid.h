// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

// One bin's extent, samples quantised to int16 (round(x * 32767), clamped).
struct Peak {
    int16_t min = INT16_MAX;
    int16_t max = INT16_MIN;

    bool empty() const { return min > max; }
    void merge(const Peak& o)
    {
        if (o.min < min) min = o.min;
        if (o.max > max) max = o.max;
    }
};

int16_t quantiseSample(float x);

// Min/max per bin at a base resolution of 2^baseShift frames, and coarser levels each
// twice the previous, up to a single bin. Channels are interleaved within a level.
// Filled by PeakBuilder; doc/peak-pyramid.md describes the layout.
class PeakPyramid {
public:
    struct Level {
        int shift = 0;              // log2 of frames per bin
        std::vector<Peak> bins;     // binCount * channels
        bool open = false;          // the last bin is still filling
    };

    void reset(int channels, int sampleRate, int baseShift);
    // A complete pyramid from given base bins (channels interleaved), e.g. peaks precomputed
    // elsewhere: the coarser levels are made by merging pairs.
    void assign(int channels, int sampleRate, int baseShift, std::vector<Peak> base, int64_t frames);

    int channels() const { return channels_; }
    int sampleRate() const { return sampleRate_; }
    int64_t frames() const { return frames_; }
    int levelCount() const { return static_cast<int>(levels_.size()); }
    const Level& level(int i) const { return levels_[i]; }
    int baseShift() const { return levels_.empty() ? baseShift_ : levels_[0].shift; }
    int64_t binCount(int level) const;
    int64_t completeBinCount(int level) const;
    Peak at(int level, int64_t bin, int channel) const;

    // Extent of frames [first, last) on a channel, from the coarsest bins that fit.
    // Exact when first and last are multiples of the base bin size; otherwise it
    // also covers the rest of the base bins the ends fall in.
    Peak extent(int channel, int64_t first, int64_t last) const;

    size_t memoryBytes() const;

private:
    friend class PeakBuilder;

    int channels_ = 0;
    int sampleRate_ = 0;
    int baseShift_ = 0;
    int64_t frames_ = 0;
    std::vector<Level> levels_;
};

} // namespace avseg
