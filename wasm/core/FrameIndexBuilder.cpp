// SPDX-License-Identifier: MIT
#include "FrameIndexBuilder.h"

#include <algorithm>

namespace avseg {

int64_t FrameIndex::frameAt(int64_t t) const
{
    const auto it = std::upper_bound(pts.begin(), pts.end(), t);
    return static_cast<int64_t>(it - pts.begin()) - 1;
}

void FrameIndexBuilder::add(int64_t pts, int64_t dts, int64_t duration, bool key)
{
    const int64_t t = pts != INT64_MIN ? pts : dts;
    if (t == INT64_MIN)
        return; // a packet with no time at all can't be placed
    packets_.push_back({t, duration, key});
}

FrameIndex FrameIndexBuilder::finish() const
{
    std::vector<Packet> sorted = packets_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Packet& a, const Packet& b) { return a.pts < b.pts; });
    FrameIndex index;
    index.timeBaseNum = num_;
    index.timeBaseDen = den_;
    for (const Packet& p : sorted) {
        // Two packets at one time are one shown frame (a damaged or duplicated packet).
        if (!index.pts.empty() && index.pts.back() == p.pts)
            continue;
        index.pts.push_back(p.pts);
        index.keyFrame.push_back(p.key ? 1 : 0);
    }
    if (index.pts.empty())
        return index;
    // The last frame lasts its own duration if the container says, else as long as the one before.
    const Packet& last = sorted.back();
    int64_t duration = last.duration;
    if (duration <= 0)
        duration = index.pts.size() > 1 ? index.pts.back() - index.pts[index.pts.size() - 2] : 1;
    index.endPts = index.pts.back() + duration;
    return index;
}

} // namespace avseg
