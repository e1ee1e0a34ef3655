// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

struct MotionOptions {
    double cutFactor = 0;   // the owner sets defaults and documents them (doc/analysis.md)
    double jerkFactor = 0;
};

// Motion energy and scene cuts from small grey pictures of a video's frames, pushed in
// presentation order (natively from FFmpeg, in the browser from the frames the element shows).
class MotionAnalyzer {
public:
    explicit MotionAnalyzer(MotionOptions options = {});
    // Frame frames() gets these width x height 8-bit luma values (row by row, no padding).
    void push(const uint8_t* luma, int width, int height);
    // Decides cuts and jerks; push() after finish() starts nothing new.
    void finish();

    size_t frames() const { return motion_.size(); }
    // Per frame: the mean absolute luma difference to the frame before, in [0, 1]; 0 for frame 0.
    const std::vector<float>& motion() const { return motion_; }
    // Frames that begin a new shot, and frames whose motion jumps against their neighbours.
    const std::vector<int64_t>& cuts() const { return cuts_; }
    const std::vector<int64_t>& jerks() const { return jerks_; }

private:
    MotionOptions options_;
    std::vector<uint8_t> previous_;
    std::vector<float> motion_;
    std::vector<int64_t> cuts_;
    std::vector<int64_t> jerks_;
};

} // namespace avseg
