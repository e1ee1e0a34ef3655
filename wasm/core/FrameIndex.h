// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

// Every frame of a video stream in presentation order, from the container's own timestamps
// (no decoding, no frame rate assumed): frame i is shown from pts[i] until pts[i + 1]
// (the last one until endPts). Ticks are of the stream's time base, num/den seconds each.
struct FrameIndex {
    int64_t timeBaseNum = 1;
    int64_t timeBaseDen = 1;
    std::vector<int64_t> pts;
    std::vector<uint8_t> keyFrame;   // 1 where a frame can be decoded on its own
    int64_t endPts = 0;

    size_t count() const { return pts.size(); }
    int64_t frameStart(size_t i) const { return pts[i]; }
    int64_t frameEnd(size_t i) const { return i + 1 < pts.size() ? pts[i + 1] : endPts; }
    // The frame shown at tick t: the last one starting at or before t; -1 before the first.
    int64_t frameAt(int64_t t) const;
    double seconds(int64_t ticks) const { return double(ticks) * double(timeBaseNum) / double(timeBaseDen); }
};

} // namespace avseg
