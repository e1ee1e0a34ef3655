// SPDX-License-Identifier: MIT
#pragma once

#include "WaveformRenderer.h"

#include <cstdint>

namespace avseg {

// Random access to a medium's PCM, for analyses that read windows here and there:
// synthetic samples in tests, samples decoded on demand in a MediaSession.
class PcmSource {
public:
    virtual ~PcmSource() = default;
    virtual int sampleRate() const = 0;
    virtual int channels() const = 0;
    // Frames available now; reads beyond them return less.
    virtual int64_t frames() const = 0;
    // Frames [first, first + count) clipped to [0, frames()), planar; valid until the next read.
    // Callers reading windows in increasing order let a decoding source stream instead of seek.
    virtual PcmSpan read(int64_t first, int64_t count) = 0;
};

} // namespace avseg
