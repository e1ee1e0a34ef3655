// SPDX-License-Identifier: MIT
#pragma once

#include "AudioStreamReader.h"
#include "ByteReader.h"
#include "SeekIndex.h"

#include <functional>
#include <memory>

namespace avseg {

// Decodes a short range of frames again, on demand, from a seekable copy of the media.
// Positions come from the SeekIndex recorded during the sequential decode, so the
// frames returned are exactly the frames the sequential decode produced there.
class RangeDecoder {
public:
    using BlockFn = std::function<void(int64_t firstFrame, const float* const* channels, int frames)>;

    RangeDecoder(ByteReader& source, const SeekIndex& index);

    // Calls fn with consecutive blocks covering [first, first + count), clipped to the media's end.
    void decode(int64_t first, int64_t count, const BlockFn& fn);

    // Frames decoded but not delivered: the cost of seeking (for benchmarks).
    int64_t prerollFrames() const { return preroll_; }

private:
    void reopen();

    ByteReader& source_;
    const SeekIndex& index_;
    std::unique_ptr<AudioStreamReader> reader_;
    int64_t preroll_ = 0;
};

} // namespace avseg
