// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"
#include "PeakPyramid.h"

#include <vector>

namespace avseg {

// Builds a PeakPyramid in one pass as PCM streams through. When the base level reaches
// its budget, the base is dropped and the next level takes its place, so memory is
// bounded whatever the length, and the length need not be known in advance.
class PeakBuilder : public AudioSink {
public:
    struct Options {
        int baseShift = 4;                  // 16 frames per base bin to start with
        int64_t maxBasePeaks = 1 << 22;     // base bins x channels before coarsening (16 MiB)
    };

    PeakBuilder(PeakPyramid& out, Options options) : out_(out), options_(options) {}
    explicit PeakBuilder(PeakPyramid& out) : PeakBuilder(out, Options{}) {}

    void start(const AudioFormat& format) override;
    void process(const float* const* channels, size_t frames) override;
    void done() override;

private:
    void accumulate(const float* const* channels, size_t offset, size_t frames);
    void appendFullBins(const float* const* channels, size_t offset, int64_t bins);
    void closeAccumulator();
    void buildUpper(bool final);
    void coarsenIfNeeded();
    void publishOpen();
    void unpublishOpen();
    void reserveFor(PeakPyramid::Level& level, size_t peaks, int64_t budget);

    PeakPyramid& out_;
    Options options_;
    std::vector<float> accMin_;
    std::vector<float> accMax_;
    int64_t accFrames_ = 0;
    int64_t budget_ = 0;
};

} // namespace avseg
