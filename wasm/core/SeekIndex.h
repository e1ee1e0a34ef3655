// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

// Maps packets seen during the sequential decode to the exact frame (sample) index
// their output started at, so a later range decode can seek anywhere and still
// count samples exactly, whatever the demuxer's own seeking precision.
struct SeekPoint {
    int64_t bytePos = -1;
    int64_t pts = INT64_MIN;
    int64_t frame = 0;
};

class SeekIndex {
public:
    // At most maxPoints are kept: past that every other point goes and the spacing doubles,
    // so the index stays bounded whatever the length. 131,072 points (3 MiB) keep the spacing
    // at 12,000 frames for 9 hours at 48 kHz, so a seek (and a spectrogram column) costs the
    // same on any file up to that.
    explicit SeekIndex(int64_t spacingFrames = 12000, size_t maxPoints = 131072)
        : spacing_(spacingFrames), maxPoints_(maxPoints) {}

    void clear() { points_.clear(); lastPos_ = -2; end_ = -1; }
    // Called for every decoded frame in order. Only a frame that starts a new packet
    // position is recorded: in Ogg many packets share their page's position.
    void consider(int64_t bytePos, int64_t pts, int64_t frame);
    const std::vector<SeekPoint>& points() const { return points_; }
    // The sequential decode's length once it has finished, else -1: a range decode stops there.
    void setEnd(int64_t frames) { end_ = frames; }
    int64_t end() const { return end_; }

    // The last point at or before frame, or -1.
    long pointBefore(int64_t frame) const;
    // Looks among points [first, last) only: a range decode knows where it seeked.
    const SeekPoint* findByPos(int64_t bytePos, long first, long last) const;
    const SeekPoint* findByPts(int64_t pts, long first, long last) const;

private:
    int64_t spacing_;
    size_t maxPoints_;
    int64_t lastPos_ = -2;
    int64_t end_ = -1;
    std::vector<SeekPoint> points_;
};

} // namespace avseg
