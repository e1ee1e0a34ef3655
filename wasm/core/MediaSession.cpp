// SPDX-License-Identifier: MIT
#include "MediaSession.h"

#include "MediaError.h"

#include <algorithm>
#include <cmath>

namespace avseg {

MediaSession::MediaSession(SessionOptions options)
    : options_(options), builder_(peaks_, options.peaks), decoder_(builder_, &index_, options.stream),
      spectrumTiles_(options.maxSpectrogramBytes)
{
}

void MediaSession::attachSeekable(std::unique_ptr<ByteReader> source)
{
    spectrumSource_.reset();
    spectrumDecoder_.reset();
    spectrumTiles_.clear();
    rangeDecoder_.reset();
    seekable_ = std::move(source);
    wholeCursor_ = std::make_unique<CursorReader>(*seekable_);
    rangeCursor_ = std::make_unique<CursorReader>(*seekable_);
    spectrumCursor_ = std::make_unique<CursorReader>(*seekable_);
    decoder_.setWholeFile(wholeCursor_.get());
    if (opened())
        rangeDecoder_ = std::make_unique<RangeDecoder>(*rangeCursor_, index_, AudioFormat{info().sampleRate, info().channels});
    cacheFrames_ = 0;
}

void MediaSession::openSeekable(std::unique_ptr<ByteReader> source)
{
    attachSeekable(std::move(source));
    streamCursor_ = std::make_unique<CursorReader>(*seekable_);
    decoder_.openSeekable(*streamCursor_);
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
        // Decode with a margin either side, within the budget, so small scrolls reuse the window.
        const int64_t budget = options_.maxCachedSamples / std::max(channels, 1);
        const int64_t margin = std::clamp<int64_t>((budget - count) / 2, 0, count / 2);
        const int64_t from = std::max<int64_t>(first - margin, 0);
        const int64_t to = std::min(first + count + margin, total);
        cache_.clear(); // before allocating the next window: never two windows at once
        cache_.shrink_to_fit();
        cacheFrames_ = 0;
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
        rangeDecoder_ = std::make_unique<RangeDecoder>(*rangeCursor_, index_, AudioFormat{info().sampleRate, info().channels});
    return rangeDecoder_.get();
}

DecodedPcmSource* MediaSession::spectrumSource()
{
    if (!spectrumSource_ && seekable_ && opened()) {
        const AudioFormat format{info().sampleRate, info().channels};
        spectrumDecoder_ = std::make_unique<RangeDecoder>(*spectrumCursor_, index_, format);
        spectrumSource_ = std::make_unique<DecodedPcmSource>(*spectrumDecoder_, format);
    }
    return spectrumSource_.get();
}

RenderInfo MediaSession::renderSpectrogram(RgbaImage& image, const WaveformView& view, const SpectrogramStyle& style)
{
    RenderInfo info;
    if (!validView(view) || image.width <= 0 || image.height <= 0)
        throw MediaError(ErrorCode::Internal, "invalid view: start and frames per pixel must be finite, frames per pixel positive");
    if (!validSpectrogramStyle(style))
        throw MediaError(ErrorCode::Internal, "invalid spectrogram style: the window size must be a power of two from 256 "
            "to 8192, minDb below maxDb, and frequencies non-negative with minHz below maxHz");
    DecodedPcmSource* source = spectrumSource();
    if (!source) {
        clearSpectrogram(spectrogramPalette(style), image);
        return info;
    }
    source->setFrames(framesDecoded());
    // What a seek costs, as RangeDecoder does it: its pre-roll (8192 frames) and up to two
    // index spacings before that. Gaps shorter than this are decoded through.
    const auto& points = index_.points();
    const int64_t spacing = points.size() > 1 ? (points.back().frame - points.front().frame) / int64_t(points.size() - 1) : 0;
    source->setSeekCost(8192 + 2 * spacing);
    const SpectrogramTiles::Stats stats = spectrumTiles_.render(*source, view, style, image);
    info.fromSamples = true;
    info.tilesComputed = stats.computed;
    info.tilesReused = stats.reused;
    return info;
}

bool MediaSession::seedPeaks(const int16_t* minmax, size_t count, int channels, int sampleRate, int samplesPerPixel)
{
    if (channels <= 0 || sampleRate <= 0 || samplesPerPixel < 1 || count == 0 || count % size_t(2 * channels) != 0)
        return false;
    const int64_t pixels = int64_t(count / size_t(2 * channels));
    // Base bins of the power of two at or above a pixel: each covers the pixels it overlaps.
    int shift = 0;
    while ((int64_t(1) << shift) < samplesPerPixel)
        ++shift;
    const int64_t frames = pixels * samplesPerPixel;
    const int64_t bins = ((frames - 1) >> shift) + 1;
    std::vector<Peak> base(size_t(bins * channels));
    for (int64_t x = 0; x < pixels; ++x) {
        const int64_t first = (x * samplesPerPixel) >> shift;
        const int64_t last = ((x + 1) * samplesPerPixel - 1) >> shift;
        for (int c = 0; c < channels; ++c) {
            const Peak p{minmax[size_t((x * channels + c) * 2)], minmax[size_t((x * channels + c) * 2 + 1)]};
            for (int64_t b = first; b <= last; ++b)
                base[size_t(b * channels + c)].merge(p);
        }
    }
    preview_.assign(channels, sampleRate, shift, std::move(base), frames);
    return true;
}

bool MediaSession::finerThanPeaks(const WaveformView& view) const
{
    return peaks_.levelCount() > 0 && view.framesPerPixel < double(int64_t(1) << peaks_.baseShift());
}

void MediaSession::sampleWindow(const WaveformView& view, int width, int64_t& first, int64_t& count) const
{
    first = std::max<int64_t>(static_cast<int64_t>(std::floor(view.startFrame)) - 1, 0);
    const int64_t last = static_cast<int64_t>(std::ceil(view.startFrame + width * view.framesPerPixel)) + 2;
    count = std::max<int64_t>(last - first, 0);
}

bool MediaSession::needsDecode(const WaveformView& view, int width)
{
    if (!validView(view) || !finerThanPeaks(view) || !ranges())
        return false;
    int64_t first, count;
    sampleWindow(view, width, first, count);
    const int64_t end = std::min(first + count, framesDecoded());
    return first < cacheFirst_ || end > cacheFirst_ + cacheFrames_;
}

RenderInfo MediaSession::render(RgbaImage& image, const WaveformView& view, const WaveformStyle& style, bool decode)
{
    RenderInfo info;
    if (!validView(view) || image.width <= 0 || image.height <= 0)
        throw MediaError(ErrorCode::Internal, "invalid view: start and frames per pixel must be finite, frames per pixel positive");
    if (finerThanPeaks(view) && ranges() && (decode || !needsDecode(view, image.width))) {
        int64_t first, count;
        sampleWindow(view, image.width, first, count);
        renderSamples(samples(first, count), view, style, image);
        info.fromSamples = true;
        return info;
    }
    // Precomputed peaks stand in until the decode has covered as much of the file.
    const bool preview = preview_.levelCount() > 0 && peaks_.frames() < preview_.frames();
    renderPeaks(preview ? preview_ : peaks_, view, style, image);
    if (!preview && peaks_.levelCount() > 0) {
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
    bytes += spectrumTiles_.memoryBytes();
    if (spectrumSource_)
        bytes += spectrumSource_->memoryBytes();
    return bytes;
}

} // namespace avseg
