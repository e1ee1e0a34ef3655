// SPDX-License-Identifier: MIT
#include "EnergyEnvelope.h"

#include <algorithm>
#include <cmath>

namespace avseg {

void EnergyEnvelope::start(const AudioFormat& format)
{
    sampleRate_ = format.sampleRate;
    channels_ = std::max(format.channels, 1);
    hop_ = std::max(1, static_cast<int>(std::lround(format.sampleRate / 1000.0)));
    acc_ = 0;
    accFrames_ = 0;
    frames_ = 0;
    levels_.clear();
}

void EnergyEnvelope::close()
{
    const double meanSquare = acc_ / static_cast<double>(accFrames_);
    levels_.push_back(meanSquare > 0 ? std::max(kSilenceDb, static_cast<float>(10 * std::log10(meanSquare))) : kSilenceDb);
    acc_ = 0;
    accFrames_ = 0;
}

void EnergyEnvelope::process(const float* const* channels, size_t frames)
{
    size_t at = 0;
    frames_ += static_cast<int64_t>(frames);
    while (at < frames) {
        const size_t n = std::min(frames - at, static_cast<size_t>(hop_ - accFrames_));
        // Per block and channel the sum of squares (float lanes), averaged over channels in double:
        // the mean of the channels' powers, which opposite channels do not cancel.
        double blockSum = 0;
        for (int c = 0; c < channels_; ++c) {
            const float* x = channels[c] + at;
            float sum[4] = {0, 0, 0, 0};
            size_t i = 0;
            for (; i + 4 <= n; i += 4)
                for (int k = 0; k < 4; ++k)
                    sum[k] += x[i + k] * x[i + k];
            for (; i < n; ++i)
                sum[0] += x[i] * x[i];
            blockSum += static_cast<double>(sum[0] + sum[1] + sum[2] + sum[3]);
        }
        acc_ += channels_ == 1 ? blockSum : blockSum / channels_;
        accFrames_ += static_cast<int64_t>(n);
        at += n;
        if (accFrames_ == hop_)
            close();
    }
}

void EnergyEnvelope::done()
{
    if (accFrames_ > 0)
        close();
    levels_.shrink_to_fit();
}

size_t EnergyEnvelope::memoryBytes() const
{
    return levels_.capacity() * sizeof(float);
}

} // namespace avseg
