// SPDX-License-Identifier: MIT
#pragma once

#include "RangeDecoder.h"
#include "WaveformRenderer.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

namespace avseg {

// Samples decoded again for sample-level views, kept in blocks of 2^blockShift frames aligned
// to the media's start, so that neighbouring and nested views share them. Each block holds its
// frames from its start on (possibly only the first part of them). Once the blocks exceed the
// byte budget, the least recently used go first; never those the current call uses, so a view
// larger than the budget still draws (and the next call brings the cache back within it).
// Each block also keeps the min and max of every 64 frames, so wide views read few samples.
class DecodedWindowCache {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        int64_t maxFrames = std::numeric_limits<int64_t>::max();   // frames decoded, pre-roll included
        Clock::time_point deadline = Clock::time_point::max();
    };
    using Range = std::pair<int64_t, int64_t>;   // [first, end) in frames

    explicit DecodedWindowCache(size_t maxBytes = 48 << 20, int blockShift = 16);

    // Forgets every block: a new decoder (a new seekable copy) with this many channels.
    void reset(int channels);
    // Frames of the media known so far (the sequential decode's count): nothing is read beyond.
    void setFrames(int64_t frames) { frames_ = frames; }

    // Frames that would have to be decoded before [first, first + count) is all here.
    int64_t missing(int64_t first, int64_t count) const;
    // The frames decode() would produce for these ranges, from the first to the end of the last:
    // as get() decodes them, or as fill() does (whole blocks, as many as it considers). {0, 0}
    // when nothing is missing.
    Range missingSpan(const std::vector<Range>& ranges, bool wholeBlocks) const;
    // [first, first + count), decoding what is missing, as consecutive pieces without gaps
    // (valid until the next call). Shorter than asked only where the media ended earlier.
    const std::vector<PcmSpan>& get(RangeDecoder& decoder, int64_t first, int64_t count);
    // Decodes what is missing of the ranges, in their order, until done or a limit is reached
    // (stopping after the packet that reaches it). Only as many blocks as the budget holds are
    // considered, the first ones first. Returns true while some of those remain missing.
    bool fill(RangeDecoder& decoder, const std::vector<Range>& ranges, const Limits& limits);

    // What a block of 2^blockShift frames costs: its samples and their run summaries.
    static size_t blockBytes(int channels, int blockShift);
    int64_t blockFrames() const { return int64_t(1) << shift_; }
    size_t maxBytes() const { return maxBytes_; }
    size_t blockCount() const { return blocks_.size(); }
    size_t memoryBytes() const { return bytes_; }
    // Frames the decoder produced for this cache, pre-roll included; seeks it made (for tests and benchmarks).
    int64_t framesDecoded() const { return decoded_; }
    int seeks() const { return seeks_; }

private:
    struct Block {
        std::vector<std::vector<float>> planes;
        std::vector<std::vector<float>> runMin, runMax;   // per complete run of 2^kRunShift frames
        int64_t filled = 0;
        uint64_t lastUse = 0;
    };
    static constexpr int kRunShift = 6;

    size_t blockBytes() const { return blockBytes(channels_, shift_); }
    // The blocks fill() decodes for these ranges, in order.
    std::vector<int64_t> blocksOf(const std::vector<Range>& ranges) const;

    int64_t end() const { return std::min(frames_, mediaEnd_); }
    int64_t blockLength(int64_t index) const;
    bool complete(int64_t index, const Block& b, int64_t upTo) const;
    Block& block(int64_t index);
    void touch(int64_t first, int64_t last);
    // Decodes until [from, to) is filled or a limit is reached; false if a limit stopped it.
    bool decode(RangeDecoder& decoder, int64_t from, int64_t to, const Limits& limits);
    void store(int64_t at, const float* const* channels, int n);
    void makeRoom(size_t bytes);

    size_t maxBytes_;
    int shift_;
    int channels_ = 0;
    int64_t frames_ = 0;
    int64_t mediaEnd_ = std::numeric_limits<int64_t>::max();   // where the decoder ran out, once seen
    std::map<int64_t, Block> blocks_;
    size_t bytes_ = 0;
    uint64_t tick_ = 0;        // each call's use mark; blocks marked by the current call are not evicted
    int64_t next_ = -1;        // the frame the decoder delivers next; -1: not positioned
    int64_t decoded_ = 0;
    int seeks_ = 0;
    std::vector<PcmSpan> pieces_;
    std::vector<std::vector<const float*>> pointers_;
};

} // namespace avseg
