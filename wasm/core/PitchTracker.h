// SPDX-License-Identifier: MIT
#pragma once

#include "PcmSource.h"

#include <cstdint>
#include <vector>

namespace avseg {

struct PitchOptions {
    double floorHz = 50.0;
    double ceilingHz = 800.0;
    double hopSeconds = 0.001;   // rounded to whole frames
    double threshold = 0.15;     // YIN's absolute threshold (doc/analysis.md)
};

// F0 on a grid of frames: value i is centred on frame (firstIndex + i) * hop, whatever window was
// asked for, so that pieces computed separately join. hz is 0 where unvoiced.
struct PitchTrack {
    int hop = 0;
    int64_t firstIndex = 0;
    std::vector<float> hz;
    std::vector<float> clarity;   // 1 - YIN's aperiodicity at the chosen lag, in [0, 1]
};

struct PitchRange {
    double floorHz = 0;
    double ceilingHz = 0;
};

// YIN (de Cheveigné and Kawahara 2002) over the channels' mean.
class PitchTracker {
public:
    PitchTracker(int sampleRate, PitchOptions options);
    int hop() const { return hop_; }
    // The grid points whose centres fall in [first, first + count).
    PitchTrack track(PcmSource& pcm, int64_t first, int64_t count);

private:
    int sampleRate_;
    PitchOptions options_;
    int hop_;
};

// The speaker's range from a first, wide pass (doc/analysis.md cites the rule); the given
// fallback when too little is voiced.
PitchRange speakerRange(const PitchTrack& wide, PitchRange fallback);

} // namespace avseg
