// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

// doc/analysis.md "Motion and cuts" says how these are used and why these defaults.
struct MotionOptions {
    // A cut: the frame's motion is at least cutMin and cutFactor times the median motion of the
    // window frames on either side, its luma histogram differs from the frame before by at least
    // histogramMin (a fast pan moves the picture, not its histogram), and it is no flash: neither
    // does a frame within flashFrames after it look like the one before it again (histograms closer
    // than histogramMin), nor does it look like one within flashFrames before the frame before it.
    double cutFactor = 3;
    double cutMin = 0.04;
    double histogramMin = 0.2;
    int window = 8;
    int flashFrames = 2;
    // A jerk: within motion (the median motion of jerkWindow frames on each side of the frame, within
    // its shot, at least jerkMin on both sides), the frame's motion is at most freezeRatio of the
    // lower side's and of the frame before's (a frozen or repeated frame, which moves by its noise
    // alone; a run of them counts once, at its first), or at least jerkFactor times the higher side's
    // and both neighbours' and jerkMin above the higher side's (a skipped frame moves twice as far). The catching-up
    // frame after a frozen one is not reported, nor a frame whose histogram, or the one before's,
    // changes by histogramMin or more (a flash: light, not motion).
    double jerkFactor = 1.6;
    double freezeRatio = 0.25;
    double jerkMin = 0.004;
    int jerkWindow = 4;
};

// Motion energy and scene cuts from small grey pictures of a video's frames, pushed in
// presentation order (natively from FFmpeg, in the browser from the frames the element shows).
class MotionAnalyzer {
public:
    static constexpr int kBins = 32;

    explicit MotionAnalyzer(MotionOptions options = {});
    // Frame frames() gets these width x height 8-bit luma values (row by row, no padding); every
    // frame must have the first one's size (MediaError InvalidValue otherwise).
    void push(const uint8_t* luma, int width, int height);
    // Decides cuts and jerks; push() after finish() is ignored.
    void finish();
    bool finished() const { return finished_; }

    size_t frames() const { return motion_.size(); }
    // Per frame: the mean absolute luma difference to the frame before, in [0, 1]; 0 for frame 0.
    const std::vector<float>& motion() const { return motion_; }
    // Frames that begin a new shot, and frames whose motion jumps against their neighbours.
    const std::vector<int64_t>& cuts() const { return cuts_; }
    const std::vector<int64_t>& jerks() const { return jerks_; }
    // Per frame: half the L1 distance of its luma histogram to the frame before's, in [0, 1].
    const std::vector<float>& histogramChange() const { return histogram_; }

private:
    using Histogram = std::array<float, kBins>;
    static float distance(const Histogram& a, const Histogram& b);
    bool isCut(size_t i) const;
    void findJerks();

    MotionOptions options_;
    int width_ = 0;
    int height_ = 0;
    bool finished_ = false;
    std::vector<uint8_t> previous_;
    // The last flashFrames + 1 frames' histograms, newest last.
    std::vector<Histogram> recent_;
    std::vector<float> motion_;
    std::vector<float> histogram_;
    // back_[i * flashFrames + f]: histogram distance of frame i to frame i - f - 2.
    std::vector<float> back_;
    std::vector<int64_t> cuts_;
    std::vector<int64_t> jerks_;
};

} // namespace avseg
