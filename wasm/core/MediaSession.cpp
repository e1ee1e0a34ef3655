// SPDX-License-Identifier: MIT
#include "MediaSession.h"

#include "MediaError.h"

#include <algorithm>
#include <cmath>

namespace avseg {

MediaSession::MediaSession(SessionOptions options)
    : options_(options), builder_(peaks_, options.peaks), decoder_(builder_, &index_, options.stream)
{
}

void MediaSession::attachSeekable(std::unique_ptr<ByteReader> source)
{
    rangeDecoder_.reset();
    seekable_ = std::move(source);
    decoder_.setWholeFile(seekable_.get());
    if (opened())
        rangeDecoder_ = std::make_unique<RangeDecoder>(*seekable_, index_, AudioFormat{info().sampleRate, info().channels});
    cacheFrames_ = 0;
}

PcmSpan MediaSession::samples(int64_t first, int64_t count)
{
    const int channels = info().channels;
    const int64_t total = framesDecoded();
    first = std::clamp<int64_t>(first, 0, total);
    count = std::clamp<int64_t>(count, 0, total - first);
    if (!ranges() || count == 0)
        return {first, 0, channels, nullptr};

    if (first < cacheFirst_ || first + count > cacheFirst_ + cacheFrames_) {
        // Decode with a margin either side so small scrolls reuse the window.
        const int64_t budget = std::max<int64_t>(options_.maxCachedSamples / std::max(channels, 1), count);
        const int64_t margin = std::min(count / 2, (budget - count) / 2);
        const int64_t from = std::max<int64_t>(first - margin, 0);
        const int64_t to = std::min(first + count + margin, total);
        cache_.assign(channels, std::vector<float>(static_cast<size_t>(to - from), 0.0f));
        int64_t filled = from;
        rangeDecoder_->decode(from, to - from, [&](int64_t at, const float* const* ch, int n) {
            for (int c = 0; c < channels; ++c)
                std::copy(ch[c], ch[c] + n, cache_[c].begin() + (at - from));
            filled = at + n;
        });
        cacheFirst_ = from;
        cacheFrames_ = filled - from;
        cachePlanes_.resize(channels);
    }
    for (int c = 0; c < channels; ++c)
        cachePlanes_[c] = cache_[c].data() + (first - cacheFirst_);
    const int64_t available = std::min(count, cacheFirst_ + cacheFrames_ - first);
    return {first, std::max<int64_t>(available, 0), channels, cachePlanes_.data()};
}

RangeDecoder* MediaSession::ranges()
{
    if (!rangeDecoder_ && seekable_ && opened())
        rangeDecoder_ = std::make_unique<RangeDecoder>(*seekable_, index_, AudioFormat{info().sampleRate, info().channels});
    return rangeDecoder_.get();
}

RenderInfo MediaSession::render(RgbaImage& image, const WaveformView& view, const WaveformStyle& style)
{
    RenderInfo info;
    if (!validView(view) || image.width <= 0 || image.height <= 0)
        throw MediaError(ErrorCode::Internal, "invalid view: start and frames per pixel must be finite, frames per pixel positive");
    const bool finerThanPeaks = peaks_.levelCount() > 0
        && view.framesPerPixel < double(int64_t(1) << peaks_.baseShift());
    if (finerThanPeaks && ranges()) {
        const int64_t first = static_cast<int64_t>(std::floor(view.startFrame)) - 1;
        const int64_t last = static_cast<int64_t>(std::ceil(view.startFrame + image.width * view.framesPerPixel)) + 2;
        const PcmSpan pcm = samples(std::max<int64_t>(first, 0), last - std::max<int64_t>(first, 0));
        renderSamples(pcm, view, style, image);
        info.fromSamples = true;
        return info;
    }
    renderPeaks(peaks_, view, style, image);
    if (peaks_.levelCount() > 0) {
        const double fpp = view.framesPerPixel;
        while (info.pyramidLevel + 1 < peaks_.levelCount()
               && double(int64_t(1) << peaks_.level(info.pyramidLevel + 1).shift) <= fpp)
            ++info.pyramidLevel;
    }
    return info;
}

size_t MediaSession::memoryBytes() const
{
    size_t bytes = peaks_.memoryBytes() + decoder_.bytesHeld() + index_.points().capacity() * sizeof(SeekPoint);
    for (const auto& c : cache_)
        bytes += c.capacity() * sizeof(float);
    return bytes;
}

} // namespace avseg
