// SPDX-License-Identifier: MIT
#pragma once

// How the analyses see several channels: the level is the mean over channels of each channel's
// power, never the power of the channels' mean, which a polarity-inverted channel cancels.

#include "PcmSource.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace avseg {

// Per frame of [first, first + count), the mean over channels of the squared samples; zeros where
// pcm has none.
inline std::vector<double> readPower(PcmSource& pcm, int64_t first, int64_t count)
{
    std::vector<double> power(static_cast<size_t>(std::max<int64_t>(count, 0)), 0.0);
    if (count <= 0)
        return power;
    const PcmSpan span = pcm.read(std::max<int64_t>(first, 0), first + count - std::max<int64_t>(first, 0));
    if (span.frames <= 0 || span.channels <= 0 || !span.data)
        return power;
    const int64_t offset = span.firstFrame - first;
    const int64_t n = std::min(span.frames, count - offset);
    if (n <= 0)
        return power;
    for (int c = 0; c < span.channels; ++c)
        for (int64_t i = 0; i < n; ++i)
            power[size_t(offset + i)] += double(span.data[c][i]) * double(span.data[c][i]);
    if (span.channels > 1)
        for (double& p : power)
            p /= span.channels;
    return power;
}

// The samples of [first, first + count) of the channel with the most energy there (the first of
// equals); zeros where pcm has none.
inline std::vector<float> readLoudestChannel(PcmSource& pcm, int64_t first, int64_t count)
{
    std::vector<float> out(static_cast<size_t>(std::max<int64_t>(count, 0)), 0.0f);
    if (count <= 0)
        return out;
    const PcmSpan span = pcm.read(std::max<int64_t>(first, 0), first + count - std::max<int64_t>(first, 0));
    if (span.frames <= 0 || span.channels <= 0 || !span.data)
        return out;
    const int64_t offset = span.firstFrame - first;
    const int64_t n = std::min(span.frames, count - offset);
    if (n <= 0)
        return out;
    int loudest = 0;
    double most = -1;
    for (int c = 0; c < span.channels; ++c) {
        double e = 0;
        for (int64_t i = 0; i < n; ++i)
            e += double(span.data[c][i]) * double(span.data[c][i]);
        if (e > most) {
            most = e;
            loudest = c;
        }
    }
    std::copy(span.data[loudest], span.data[loudest] + n, out.begin() + offset);
    return out;
}

} // namespace avseg
