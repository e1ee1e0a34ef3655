// SPDX-License-Identifier: MIT
#pragma once

#include "PcmSource.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

struct PitchOptions {
    double floorHz = 50.0;
    double ceilingHz = 800.0;
    double hopSeconds = 0.001;   // rounded to whole frames
    double threshold = 0.15;     // YIN's absolute threshold (doc/analysis.md)
    // A point is voiced when its aperiodicity (YIN's d' at the chosen lag) is below this.
    double voicingThreshold = 0.45;
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

// YIN (de Cheveigné and Kawahara 2002) over the channels' mean (the loudest channel where the
// channels cancel), on a copy decimated to about 8 kHz (doc/analysis.md "Pitch"). Throws MediaError (InvalidValue) for options it cannot use.
class PitchTracker {
public:
    PitchTracker(int sampleRate, PitchOptions options);
    int hop() const { return hop_; }
    // Frames of the input per sample of the decimated copy (a divisor of hop()).
    int decimation() const { return decimation_; }
    // The grid points whose centres fall in [first, first + count) and in [0, pcm.frames()).
    PitchTrack track(PcmSource& pcm, int64_t first, int64_t count);

private:
    struct Raw;
    // Per 64-point block from firstBlock: the channel to track, or -1 for the channels' mean.
    // The PCM is read from readFrom (at most the first block's start) on.
    void chooseChannels(PcmSource& pcm, int64_t firstBlock, int64_t blocks, int64_t readFrom, std::vector<int>& out);
    // The decimated copy of the channels' mean, or of `channel` when it is not -1.
    void decimate(PcmSource& pcm, int64_t from, int64_t count, int channel, std::vector<double>& out);

    int sampleRate_;
    PitchOptions options_;
    int hop_;
    int decimation_ = 1;
    int hopDecimated_ = 1;
    double rate_ = 0;          // sampleRate_ / decimation_
    int tauMin_ = 2;           // lags searched, in decimated samples
    int tauMax_ = 2;
    int halfWindow_ = 1;       // the integration window is 2 * halfWindow_ decimated samples
    int neighbours_ = 0;       // step 6 looks this many grid points either side
    std::vector<double> filter_;   // the decimation low-pass, 2 * filterHalf_ + 1 taps
    int filterHalf_ = 0;
    std::vector<float> mono_;
};

// The speaker's range from a first, wide pass (doc/analysis.md cites the rule); the given
// fallback when fewer than kMinVoicedForRange values are voiced.
inline constexpr size_t kMinVoicedForRange = 100;   // 1 s at a 10 ms hop
PitchRange speakerRange(const PitchTrack& wide, PitchRange fallback);

} // namespace avseg
