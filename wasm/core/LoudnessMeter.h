// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"

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

// Loudness per ITU-R BS.1770-4 and EBU R128 (K-weighting, gating) as PCM streams through.
// Momentary (400 ms) and short-term (3 s) loudness every step of 100 ms: value i is the window
// that ends at frame (i + 1) * stepFrames() (a window reaching before the start counts the
// missing part as silence). Channels are weighted 1.0, except the surround pair of a 5.x layout (1.41).
class LoudnessMeter : public AudioSink {
public:
    void start(const AudioFormat& format) override;
    void process(const float* const* channels, size_t frames) override;
    void done() override;

    int sampleRate() const { return sampleRate_; }
    int64_t stepFrames() const { return step_; }
    const std::vector<float>& momentary() const { return momentary_; }   // LUFS; kSilenceLufs for silence
    const std::vector<float>& shortTerm() const { return shortTerm_; }
    // Gated integrated loudness (LUFS) and loudness range (LU, EBU Tech 3342); kSilenceLufs / 0
    // when nothing passes the gates.
    double integrated() const;
    double range() const;
    // Where momentary loudness rises or falls by at least `lu` within `window` seconds.
    std::vector<LoudnessJump> jumps(double lu = 10.0, double window = 0.4) const;
    size_t memoryBytes() const;

    static constexpr float kSilenceLufs = -150.0f;

private:
    int sampleRate_ = 0;
    int channels_ = 0;
    int64_t step_ = 0;
    std::vector<float> momentary_;
    std::vector<float> shortTerm_;
    // Filter states and the ring of 100 ms block powers live in the .cpp's members (the owner adds them).
};

} // namespace avseg
