// SPDX-License-Identifier: MIT
#pragma once

#include "FrameIndex.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avseg {

// Collects a video stream's packets in decode order and orders them into a FrameIndex.
class FrameIndexBuilder {
public:
    FrameIndexBuilder(int64_t timeBaseNum, int64_t timeBaseDen) : num_(timeBaseNum), den_(timeBaseDen) {}

    // pts may be INT64_MIN when the container gives none (then dts is used); duration <= 0 if unknown.
    void add(int64_t pts, int64_t dts, int64_t duration, bool key);
    size_t packets() const { return packets_.size(); }
    FrameIndex finish() const;

private:
    struct Packet {
        int64_t pts, duration;
        bool key;
    };
    int64_t num_, den_;
    std::vector<Packet> packets_;
};

} // namespace avseg
