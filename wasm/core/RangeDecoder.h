// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"
#include "AudioStreamReader.h"
#include "ByteReader.h"
#include "CursorReader.h"
#include "SeekIndex.h"

#include <functional>
#include <memory>

namespace avseg {

// Decodes frames again, on demand, from a seekable copy of the media, starting anywhere.
// Positions come from the SeekIndex recorded during the sequential decode, so the frames
// returned are exactly the frames the sequential decode produced there.
class RangeDecoder {

public:
    using BlockFn = std::function<void(int64_t firstFrame, const float* const* channels, int frames)>;

    // `expected` is the sequential decode's format; reading the file again must agree with it.
    RangeDecoder(ByteReader& source, const SeekIndex& index, AudioFormat expected);

    // Positions the decoder so that the next blocks start at frame `first`.
    void begin(int64_t first);
    // Decodes one packet, passing on the frames at or after `first`. False at the end of the media.
    bool step(const BlockFn& fn);

    // Calls fn with consecutive blocks covering [first, first + count), clipped to the media's end.
    void decode(int64_t first, int64_t count, const BlockFn& fn);

    // The seek point begin(first) starts from, or <= 0 when it decodes from the file's start.
    static long startPoint(const SeekIndex& index, int64_t first);

    // How far opening the file (from its start) read: a decode from the start reads that first.
    int64_t openBytes() const { return openBytes_; }

    // Frames decoded but not delivered: the cost of seeking (for benchmarks).
    int64_t prerollFrames() const { return preroll_; }
    // Times a seek found no recorded point and decoding started over from the beginning.
    int restarts() const { return restarts_; }

private:
    void reopen();
    void onFrame(const DecodedFrame& f, const BlockFn& fn);

    CursorReader source_;   // several decoders may read one copy of the file
    const SeekIndex& index_;
    AudioFormat expected_;
    std::unique_ptr<AudioStreamReader> reader_;
    int64_t preroll_ = 0;
    int restarts_ = 0;
    int64_t openBytes_ = 0;

    int64_t first_ = 0;
    long seekPoint_ = 0;
    long trustFrom_ = 0;
    bool known_ = false;
    int64_t cursor_ = 0;
    int64_t lastPos_ = -2;
    int64_t unknownFrames_ = 0;
    int64_t unplacedLimit_ = 0;
};

} // namespace avseg
