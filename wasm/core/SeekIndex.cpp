// SPDX-License-Identifier: MIT
#include "SeekIndex.h"

#include <algorithm>

namespace avseg {

void SeekIndex::consider(int64_t bytePos, int64_t pts, int64_t frame)
{
    const bool groupStart = bytePos != lastPos_;
    lastPos_ = bytePos;
    if (!groupStart && bytePos >= 0)
        bytePos = -1;
    if (bytePos < 0 && pts == INT64_MIN)
        return;
    if (!points_.empty()) {
        const SeekPoint& last = points_.back();
        if (frame - last.frame < spacing_)
            return;
        // Positions and timestamps must grow, or lookups would be ambiguous.
        if (bytePos >= 0 && bytePos <= last.bytePos)
            bytePos = -1;
        if (pts != INT64_MIN && last.pts != INT64_MIN && pts <= last.pts)
            pts = INT64_MIN;
        if (bytePos < 0 && pts == INT64_MIN)
            return;
    }
    points_.push_back({bytePos, pts, frame});
    if (points_.size() > maxPoints_) {
        size_t kept = 0;
        for (size_t i = 0; i < points_.size(); i += 2)
            points_[kept++] = points_[i];
        points_.resize(kept);
        spacing_ *= 2;
    }
}

long SeekIndex::pointBefore(int64_t frame) const
{
    auto it = std::upper_bound(points_.begin(), points_.end(), frame,
        [](int64_t f, const SeekPoint& p) { return f < p.frame; });
    return static_cast<long>(it - points_.begin()) - 1;
}

template <typename Match>
static const SeekPoint* findIn(const std::vector<SeekPoint>& points, long first, long last, Match match)
{
    first = std::max(first, 0L);
    last = std::min(last, static_cast<long>(points.size()));
    for (long i = first; i < last; ++i)
        if (match(points[i]))
            return &points[i];
    return nullptr;
}

const SeekPoint* SeekIndex::findByPos(int64_t bytePos, long first, long last) const
{
    if (bytePos < 0)
        return nullptr;
    return findIn(points_, first, last, [&](const SeekPoint& p) { return p.bytePos == bytePos; });
}

const SeekPoint* SeekIndex::findByPts(int64_t pts, long first, long last) const
{
    if (pts == INT64_MIN)
        return nullptr;
    return findIn(points_, first, last, [&](const SeekPoint& p) { return p.pts == pts; });
}

} // namespace avseg
