// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

// A sudden change of momentary loudness: at `frame` the loudness went from `fromLufs` to `toLufs`.
struct LoudnessJump {
    int64_t frame = 0;
    float fromLufs = 0;
    float toLufs = 0;
};

// y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]
struct Biquad {
    double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
};

// Loudness per ITU-R BS.1770-4 and EBU R128 (K-weighting, gating) as PCM streams through.
// Momentary (400 ms) and short-term (3 s) loudness every step of 100 ms: value i is the window
// that ends at frame (i + 1) * stepFrames() (a window reaching before the start counts the
// missing part as silence); a last step shorter than 100 ms gives no value. stepFrames is ten
// times sampleRate / 100 rounded: exactly 100 ms at the rates divisible by 100 (8, 16, 32, 44.1,
// 48, 96 kHz...), within 0.5 % at others (1100 frames at 11.025 kHz). Channels are weighted 1.0, except in 5.0 (L R C Ls Rs) and 5.1
// (L R C LFE Ls Rs, the LFE left out) where the surround pair weighs 1.41.
class LoudnessMeter : public AudioSink {
public:
    void start(const AudioFormat& format) override;
    void process(const float* const* channels, size_t frames) override;
    void done() override;

    int sampleRate() const { return sampleRate_; }
    int64_t stepFrames() const { return step_; }
    const std::vector<float>& momentary() const { return momentary_; }   // LUFS; kSilenceLufs for silence
    const std::vector<float>& shortTerm() const { return shortTerm_; }
    // The loudest momentary and short-term windows (LUFS), followed every 10 ms as EBU Mode's
    // maxima are (EBU Tech 3341), so that a burst between two 100 ms steps is read whole.
    double maxMomentary() const { return maxMomentary_; }
    double maxShortTerm() const { return maxShortTerm_; }
    // Gated integrated loudness (LUFS) and loudness range (LU, EBU Tech 3342); kSilenceLufs / 0
    // when nothing passes the gates.
    double integrated() const;
    double range() const;
    // Where momentary loudness rises or falls by at least `lu` within `window` seconds, between
    // two windows that both sound (above the integrated loudness - 20 LU): one jump per run of
    // such steps, where the change is largest (doc/analysis.md).
    std::vector<LoudnessJump> jumps(double lu = 10.0, double window = 0.4) const;
    // 8 bytes per 100 ms: 288 kB per hour.
    size_t memoryBytes() const;

    // The K-weighting pre-filter (high shelf) and RLB high-pass for a sample rate, from their
    // analog prototypes; at 48 kHz they are BS.1770-4's Tables 1 and 2.
    static std::array<Biquad, 2> kWeighting(int sampleRate);

    static constexpr float kSilenceLufs = -150.0f;
    static constexpr int kShortTermSteps = 30;
    static constexpr int kShortTermTicks = 300;

private:
    void closeTick();

    int sampleRate_ = 0;
    int channels_ = 0;
    int64_t step_ = 0;
    std::vector<float> momentary_;
    std::vector<float> shortTerm_;
    std::array<Biquad, 2> filters_;
    std::vector<double> weights_;
    std::vector<int> counted_;                     // the channels that weigh more than 0
    std::vector<std::array<double, 4>> state_;     // per channel: the two stages' DF2T states
    int64_t tick_ = 0;                             // 10 ms of frames
    double tickSum_ = 0;                           // weighted sum of squares of the open tick
    int64_t tickFill_ = 0;
    std::array<double, kShortTermTicks> ring_{};   // mean squares of the last 3 s of ticks
    int64_t ticks_ = 0;
    double maxMomentary_ = kSilenceLufs;
    double maxShortTerm_ = kSilenceLufs;
};

} // namespace avseg
