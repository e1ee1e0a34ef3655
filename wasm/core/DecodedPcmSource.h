// SPDX-License-Identifier: MIT
#pragma once

#include "PcmSource.h"
#include "RangeDecoder.h"

#include <vector>

namespace avseg {

// PCM read through a RangeDecoder. Reads that move forward by less than a seek costs keep
// decoding from where the last one stopped; others seek. So reading one window per column
// costs at most about a seek per column, whatever the distance between the columns.
class DecodedPcmSource : public PcmSource {
public:
    DecodedPcmSource(RangeDecoder& decoder, AudioFormat format) : decoder_(decoder), format_(format) {}

    // The frames decoded so far by the sequential pass: reads stop there.
    void setFrames(int64_t frames) { frames_ = frames; }
    // Gaps shorter than this are decoded through rather than seeked over.
    void setSeekCost(int64_t frames) { seekCost_ = frames; }

    int sampleRate() const override { return format_.sampleRate; }
    int channels() const override { return format_.channels; }
    int64_t frames() const override { return frames_; }
    PcmSpan read(int64_t first, int64_t count) override;

    // Frames decoded and dropped before what was read: the price of the reads (for benchmarks).
    int64_t skippedFrames() const { return skipped_; }
    int seeks() const { return seeks_; }
    size_t memoryBytes() const;

private:
    void drop(int64_t frames);
    void fill(int64_t end);
    int64_t bufferEnd() const { return bufferFirst_ + bufferFrames_; }

    RangeDecoder& decoder_;
    AudioFormat format_;
    int64_t frames_ = 0;
    int64_t seekCost_ = 0;
    std::vector<std::vector<float>> buffer_;
    std::vector<const float*> planes_;
    int64_t bufferFirst_ = 0;
    int64_t bufferFrames_ = 0;
    int64_t next_ = -1;   // the frame the decoder delivers next; -1: not positioned
    int64_t skipped_ = 0;
    int seeks_ = 0;
};

} // namespace avseg
