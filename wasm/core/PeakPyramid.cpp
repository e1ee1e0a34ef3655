// SPDX-License-Identifier: MIT
#include "PeakPyramid.h"

#include <algorithm>
#include <cmath>

namespace avseg {

int16_t quantiseSample(float x)
{
    const float scaled = x * 32767.0f;
    if (!(scaled > -32768.0f)) // also catches NaN
        return scaled != scaled ? 0 : INT16_MIN;
    if (scaled >= 32767.0f)
        return INT16_MAX;
    // nearbyint rounds as lrintf does (to nearest, ties to even) but is one wasm instruction.
    return static_cast<int16_t>(std::nearbyint(scaled));
}

void PeakPyramid::reset(int channels, int sampleRate, int baseShift)
{
    channels_ = channels;
    sampleRate_ = sampleRate;
    baseShift_ = baseShift;
    frames_ = 0;
    levels_.clear();
}

void PeakPyramid::assign(int channels, int sampleRate, int baseShift, std::vector<Peak> base, int64_t frames)
{
    reset(channels, sampleRate, baseShift);
    frames_ = frames;
    if (channels <= 0 || base.empty())
        return;
    levels_.push_back({baseShift, std::move(base), false});
    while (binCount(levelCount() - 1) > 1) {
        const Level& below = levels_.back();
        const int64_t n = binCount(levelCount() - 1);
        Level up{below.shift + 1, std::vector<Peak>(size_t((n + 1) / 2 * channels)), false};
        for (int64_t b = 0; b < n; ++b)
            for (int c = 0; c < channels; ++c)
                up.bins[size_t((b / 2) * channels + c)].merge(below.bins[size_t(b * channels + c)]);
        levels_.push_back(std::move(up));
    }
}

int64_t PeakPyramid::binCount(int level) const
{
    return channels_ ? static_cast<int64_t>(levels_[level].bins.size()) / channels_ : 0;
}

Peak PeakPyramid::at(int level, int64_t bin, int channel) const
{
    return levels_[level].bins[static_cast<size_t>(bin * channels_ + channel)];
}

int64_t PeakPyramid::completeBinCount(int level) const
{
    return binCount(level) - (levels_[level].open ? 1 : 0);
}

Peak PeakPyramid::extent(int channel, int64_t first, int64_t last) const
{
    Peak result;
    if (levels_.empty() || last <= first)
        return result;
    const int base = levels_[0].shift;
    int64_t lo = std::max<int64_t>(first, 0) >> base;
    const int64_t hi = std::min(binCount(0), ((last - 1) >> base) + 1);
    // Greedy dyadic cover: the largest complete aligned bin that starts at lo and fits.
    while (lo < hi) {
        int level = 0;
        while (level + 1 < levelCount()) {
            const int next = level + 1;
            const int64_t span = int64_t(1) << next;
            if ((lo & (span - 1)) != 0 || lo + span > hi || (lo >> next) >= completeBinCount(next))
                break;
            level = next;
        }
        result.merge(at(level, lo >> level, channel));
        lo += int64_t(1) << level;
    }
    return result;
}

size_t PeakPyramid::memoryBytes() const
{
    size_t bytes = 0;
    for (const Level& l : levels_)
        bytes += l.bins.capacity() * sizeof(Peak);
    return bytes;
}

} // namespace avseg
