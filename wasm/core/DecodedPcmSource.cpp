// SPDX-License-Identifier: MIT
#include "DecodedPcmSource.h"

#include <algorithm>

namespace avseg {

void DecodedPcmSource::drop(int64_t frames)
{
    frames = std::clamp<int64_t>(frames, 0, bufferFrames_);
    for (auto& plane : buffer_)
        plane.erase(plane.begin(), plane.begin() + frames);
    bufferFirst_ += frames;
    bufferFrames_ -= frames;
}

void DecodedPcmSource::fill(int64_t end)
{
    const int channels = format_.channels;
    while (bufferEnd() < end) {
        const int64_t want = bufferEnd();
        const bool more = decoder_.step([&](int64_t at, const float* const* ch, int n) {
            next_ = at + n;
            const int64_t to = at + n;
            if (to <= want) {
                skipped_ += n;
                return;
            }
            // Appends [max(at, bufferEnd()), to); a gap (never expected) reads as silence.
            const int64_t from = std::max(at, bufferEnd());
            skipped_ += std::max<int64_t>(want - at, 0);
            const int64_t gap = std::max<int64_t>(at - bufferEnd(), 0);
            for (int c = 0; c < channels; ++c) {
                auto& plane = buffer_[c];
                plane.insert(plane.end(), static_cast<size_t>(gap), 0.0f);
                plane.insert(plane.end(), ch[c] + (from - at), ch[c] + n);
            }
            bufferFrames_ += gap + (to - from);
        });
        if (!more) {
            next_ = -1;
            return;
        }
    }
}

PcmSpan DecodedPcmSource::read(int64_t first, int64_t count)
{
    const int channels = format_.channels;
    const int64_t end = std::min(first + std::max<int64_t>(count, 0), frames_);
    first = std::clamp<int64_t>(first, 0, frames_);
    if (end <= first || channels <= 0)
        return {first, 0, channels, nullptr};
    buffer_.resize(channels);

    const bool buffered = first >= bufferFirst_ && first <= bufferEnd();
    if (buffered && end <= bufferEnd()) {
        // Already here.
    } else if (buffered && next_ == bufferEnd()) {
        drop(first - bufferFirst_);
    } else if (next_ >= 0 && first >= next_ && first - next_ <= seekCost_) {
        drop(bufferFrames_);
        bufferFirst_ = first;
    } else {
        drop(bufferFrames_);
        bufferFirst_ = first;
        next_ = -1;
        decoder_.begin(first);
        next_ = first;
        ++seeks_;
    }
    try {
        fill(end);
    } catch (...) {
        // Where the decoder stands is unknown now: the next read seeks.
        next_ = -1;
        drop(bufferFrames_);
        throw;
    }

    planes_.resize(channels);
    for (int c = 0; c < channels; ++c)
        planes_[c] = buffer_[c].data() + (first - bufferFirst_);
    const int64_t available = std::clamp<int64_t>(std::min(end, bufferEnd()) - first, 0, end - first);
    return {first, available, channels, planes_.data()};
}

size_t DecodedPcmSource::memoryBytes() const
{
    size_t bytes = 0;
    for (const auto& plane : buffer_)
        bytes += plane.capacity() * sizeof(float);
    return bytes;
}

} // namespace avseg
