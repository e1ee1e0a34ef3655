// SPDX-License-Identifier: MIT
#include "DecodedWindowCache.h"

#include <algorithm>
#include <set>

namespace avseg {

DecodedWindowCache::DecodedWindowCache(size_t maxBytes, int blockShift)
    : maxBytes_(maxBytes), shift_(std::clamp(blockShift, 6, 24))
{
}

void DecodedWindowCache::reset(int channels)
{
    blocks_.clear();
    bytes_ = 0;
    channels_ = std::max(channels, 0);
    next_ = -1;
    pieces_.clear();
    pointers_.clear();
}

int64_t DecodedWindowCache::blockLength(int64_t index) const
{
    return std::clamp<int64_t>(frames_ - (index << shift_), 0, blockFrames());
}

bool DecodedWindowCache::complete(int64_t index, const Block& b, int64_t upTo) const
{
    return b.filled >= std::min(blockLength(index), upTo - (index << shift_));
}

int64_t DecodedWindowCache::missing(int64_t first, int64_t count) const
{
    first = std::clamp<int64_t>(first, 0, frames_);
    const int64_t last = std::min(first + std::max<int64_t>(count, 0), frames_);
    int64_t frames = 0;
    for (int64_t i = first >> shift_; first < last && i <= (last - 1) >> shift_; ++i) {
        const int64_t need = std::min(blockLength(i), last - (i << shift_));
        const auto it = blocks_.find(i);
        frames += std::max<int64_t>(need - (it == blocks_.end() ? 0 : it->second.filled), 0);
    }
    return frames;
}

void DecodedWindowCache::touch(int64_t first, int64_t last)
{
    if (last <= first)
        return;
    for (auto it = blocks_.lower_bound(first >> shift_); it != blocks_.end() && it->first <= (last - 1) >> shift_; ++it)
        it->second.lastUse = tick_;
}

size_t DecodedWindowCache::blockBytes(int channels, int blockShift)
{
    const size_t frames = size_t(1) << blockShift;
    return size_t(std::max(channels, 0)) * (frames + 2 * (frames >> kRunShift)) * sizeof(float);
}

void DecodedWindowCache::makeRoom(size_t bytes)
{
    while (bytes_ + bytes > maxBytes_) {
        auto victim = blocks_.end();
        for (auto it = blocks_.begin(); it != blocks_.end(); ++it)
            if (it->second.lastUse < tick_ && (victim == blocks_.end() || it->second.lastUse < victim->second.lastUse))
                victim = it;
        if (victim == blocks_.end())
            return;   // everything left is in use by this call
        bytes_ -= blockBytes();
        blocks_.erase(victim);
    }
}

DecodedWindowCache::Block& DecodedWindowCache::block(int64_t index)
{
    auto it = blocks_.find(index);
    if (it == blocks_.end()) {
        makeRoom(blockBytes());
        Block b;
        b.planes.resize(channels_);
        b.runMin.resize(channels_);
        b.runMax.resize(channels_);
        for (int c = 0; c < channels_; ++c) {
            b.planes[c].reserve(size_t(blockFrames()));
            b.runMin[c].reserve(size_t(blockFrames() >> kRunShift));
            b.runMax[c].reserve(size_t(blockFrames() >> kRunShift));
        }
        bytes_ += blockBytes();
        it = blocks_.emplace(index, std::move(b)).first;
    }
    it->second.lastUse = tick_;
    return it->second;
}

void DecodedWindowCache::store(int64_t at, const float* const* channels, int n)
{
    const int64_t stop = at + n;
    for (int64_t pos = std::max<int64_t>(at, 0); pos < stop;) {
        const int64_t index = pos >> shift_;
        const int64_t start = index << shift_;
        const int64_t upTo = std::min(stop, start + blockFrames());
        Block& b = block(index);
        int64_t have = start + b.filled;
        if (have < pos) {
            // A gap in what the decoder delivers (never expected) reads as silence.
            for (auto& plane : b.planes)
                plane.insert(plane.end(), size_t(pos - have), 0.0f);
            b.filled = pos - start;
            have = pos;
        }
        if (upTo > have) {
            for (int c = 0; c < channels_; ++c)
                b.planes[c].insert(b.planes[c].end(), channels[c] + (have - at), channels[c] + (upTo - at));
            b.filled = upTo - start;
        }
        for (int c = 0; c < channels_; ++c) {
            // Summaries of the runs just completed.
            const float* plane = b.planes[c].data();
            for (int64_t r = int64_t(b.runMin[c].size()); (r + 1) << kRunShift <= b.filled; ++r) {
                float lo = plane[r << kRunShift], hi = lo;
                for (int64_t i = (r << kRunShift) + 1; i < (r + 1) << kRunShift; ++i) {
                    lo = std::min(lo, plane[i]);
                    hi = std::max(hi, plane[i]);
                }
                b.runMin[c].push_back(lo);
                b.runMax[c].push_back(hi);
            }
        }
        pos = upTo;
    }
}

bool DecodedWindowCache::decode(RangeDecoder& decoder, int64_t from, int64_t to, const Limits& limits)
{
    from = std::max<int64_t>(from, 0);
    to = std::min(to, frames_);
    const int64_t budgetStart = decoded_;
    auto limited = [&] { return decoded_ - budgetStart >= limits.maxFrames || Clock::now() >= limits.deadline; };
    try {
        while (from < to) {
            // The first frame missing, and where the run of blocks to decode through ends: at the
            // next block that is complete already (seeking past it beats decoding it again).
            int64_t need = -1, runEnd = to;
            for (int64_t i = from >> shift_; i <= (to - 1) >> shift_; ++i) {
                const auto it = blocks_.find(i);
                const bool done = it != blocks_.end() && complete(i, it->second, to);
                if (need < 0 && !done) {
                    need = (i << shift_) + (it == blocks_.end() ? 0 : it->second.filled);
                } else if (need >= 0 && done) {
                    runEnd = i << shift_;
                    break;
                }
            }
            if (need < 0)
                return true;
            if (next_ != need) {
                next_ = -1;
                decoder.begin(need);
                next_ = need;
                ++seeks_;
            }
            bool more = true;
            while (more && next_ < runEnd) {
                const int64_t preroll = decoder.prerollFrames();
                more = decoder.step([&](int64_t at, const float* const* ch, int n) {
                    store(at, ch, n);
                    decoded_ += n;
                    next_ = at + n;
                });
                decoded_ += decoder.prerollFrames() - preroll;
                if (more && next_ < runEnd && limited())
                    return false;
            }
            if (!more) {
                // The media ended before the sequential decode's count: what is here is all there is.
                next_ = -1;
                return true;
            }
            from = runEnd;
            if (from < to && limited())
                return false;
        }
    } catch (...) {
        next_ = -1;   // where the decoder stands is unknown now
        throw;
    }
    return true;
}

const std::vector<PcmSpan>& DecodedWindowCache::get(RangeDecoder& decoder, int64_t first, int64_t count)
{
    pieces_.clear();
    pointers_.clear();
    first = std::clamp<int64_t>(first, 0, frames_);
    const int64_t last = std::min(first + std::max<int64_t>(count, 0), frames_);
    if (last <= first || channels_ <= 0)
        return pieces_;
    ++tick_;
    touch(first, last);
    decode(decoder, first, last, Limits{});
    pointers_.reserve(size_t(((last - 1) >> shift_) - (first >> shift_) + 1));
    for (int64_t i = first >> shift_; i <= (last - 1) >> shift_; ++i) {
        const auto it = blocks_.find(i);
        if (it == blocks_.end())
            break;
        const int64_t start = i << shift_;
        const int64_t from = std::max(first, start);
        const int64_t to = std::min(last, start + it->second.filled);
        if (to <= from)
            break;
        // Per piece: the channels' samples, then their run minima, then maxima.
        auto& p = pointers_.emplace_back(size_t(3 * channels_));
        for (int c = 0; c < channels_; ++c) {
            p[c] = it->second.planes[c].data() + (from - start);
            p[channels_ + c] = it->second.runMin[c].data();
            p[2 * channels_ + c] = it->second.runMax[c].data();
        }
        pieces_.push_back({from, to - from, channels_, p.data(), p.data() + channels_, p.data() + 2 * channels_, kRunShift, start});
        if (to < std::min(last, start + blockFrames()))
            break;   // the media ended early: nothing after a hole
    }
    return pieces_;
}

std::vector<int64_t> DecodedWindowCache::blocksOf(const std::vector<Range>& ranges) const
{
    const size_t cap = std::max<size_t>(maxBytes_ / std::max<size_t>(blockBytes(), 1), 1);
    std::vector<int64_t> order;
    std::set<int64_t> seen;
    for (auto [first, end] : ranges) {
        first = std::clamp<int64_t>(first, 0, frames_);
        end = std::min(end, frames_);
        for (int64_t i = first >> shift_; first < end && i <= (end - 1) >> shift_ && order.size() < cap; ++i)
            if (seen.insert(i).second)
                order.push_back(i);
    }
    return order;
}

DecodedWindowCache::Range DecodedWindowCache::missingSpan(const std::vector<Range>& ranges, bool wholeBlocks) const
{
    Range span{0, 0};
    if (channels_ <= 0)
        return span;
    // What decode() would decode: in each block, from where its frames stop, up to the range's
    // end (get) or the block's (fill).
    auto add = [&](int64_t i, int64_t end) {
        const int64_t start = i << shift_;
        const auto it = blocks_.find(i);
        const int64_t from = start + (it == blocks_.end() ? 0 : it->second.filled);
        const int64_t upTo = std::min(end, start + blockLength(i));
        if (from >= upTo)
            return;
        span = span.second <= span.first ? Range{from, upTo} : Range{std::min(span.first, from), std::max(span.second, upTo)};
    };
    if (wholeBlocks) {
        for (int64_t i : blocksOf(ranges))
            add(i, (i + 1) << shift_);
        return span;
    }
    for (auto [first, end] : ranges) {
        first = std::clamp<int64_t>(first, 0, frames_);
        end = std::min(end, frames_);
        for (int64_t i = first >> shift_; first < end && i <= (end - 1) >> shift_; ++i)
            add(i, end);
    }
    return span;
}

bool DecodedWindowCache::fill(RangeDecoder& decoder, const std::vector<Range>& ranges, const Limits& limits)
{
    if (channels_ <= 0)
        return false;
    ++tick_;
    const std::vector<int64_t> order = blocksOf(ranges);
    for (int64_t i : order)
        if (auto it = blocks_.find(i); it != blocks_.end())
            it->second.lastUse = tick_;
    const int64_t budgetStart = decoded_;
    for (int64_t i : order) {
        Limits left = limits;
        left.maxFrames = limits.maxFrames - (decoded_ - budgetStart);
        if (left.maxFrames <= 0 || Clock::now() >= limits.deadline) {
            // Out of budget: more remains if this block or a later one is incomplete.
            return std::any_of(order.begin(), order.end(), [&](int64_t j) {
                const auto it = blocks_.find(j);
                return it == blocks_.end() || !complete(j, it->second, frames_);
            });
        }
        if (!decode(decoder, i << shift_, (i + 1) << shift_, left))
            return true;
    }
    return false;
}

} // namespace avseg
