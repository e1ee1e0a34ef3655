// SPDX-License-Identifier: MIT
#include "MediaSession.h"

#include "MediaError.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace avseg {

MediaSession::MediaSession(SessionOptions options)
    : options_(options), builder_(peaks_, options.peaks), tee_{&builder_, &envelope_, &loudness_},
      decoder_(tee_, &index_, options.stream),
      spectrumTiles_(options.maxSpectrogramBytes), windows_(options.maxCachedBytes, options.cacheBlockShift)
{
}

void MediaSession::attachSeekable(std::unique_ptr<ByteReader> source)
{
    spectrumSource_.reset();
    spectrumDecoder_.reset();
    analysisSource_.reset();
    analysisDecoder_.reset();
    pitchSource_.reset();
    pitchDecoder_.reset();
    spectrumTiles_.clear();
    rangeDecoder_.reset();
    seekable_ = std::move(source);
    wholeCursor_ = std::make_unique<CursorReader>(*seekable_);
    rangeCursor_ = std::make_unique<CursorReader>(*seekable_);
    spectrumCursor_ = std::make_unique<CursorReader>(*seekable_);
    analysisCursor_ = std::make_unique<CursorReader>(*seekable_);
    pitchCursor_ = std::make_unique<CursorReader>(*seekable_);
    decoder_.setWholeFile(wholeCursor_.get());
    windows_.reset(0);
    ranges();
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
    if (!ranges())
        return {first, 0, channels, nullptr};
    windows_.setFrames(framesDecoded());
    const std::vector<PcmSpan>& pieces = windows_.get(*rangeDecoder_, first, count);
    if (pieces.empty())
        return {std::clamp<int64_t>(first, 0, framesDecoded()), 0, channels, nullptr};
    if (pieces.size() == 1)
        return pieces.front();
    // Joined into one span: for callers that want one (tests); views draw from the pieces.
    const int64_t from = pieces.front().firstFrame;
    const int64_t frames = pieces.back().firstFrame + pieces.back().frames - from;
    joined_.assign(channels, {});
    joinedPlanes_.resize(channels);
    for (int c = 0; c < channels; ++c) {
        joined_[c].reserve(size_t(frames));
        for (const PcmSpan& p : pieces)
            joined_[c].insert(joined_[c].end(), p.data[c], p.data[c] + p.frames);
        joinedPlanes_[c] = joined_[c].data();
    }
    return {from, frames, channels, joinedPlanes_.data()};
}

RangeDecoder* MediaSession::ranges()
{
    if (!rangeDecoder_ && seekable_ && opened()) {
        rangeDecoder_ = std::make_unique<RangeDecoder>(*rangeCursor_, index_, AudioFormat{info().sampleRate, info().channels});
        windows_.reset(info().channels);
    }
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

void MediaSession::reserveAnalyses()
{
    reserved_ = true;
    // The declared length, when the container gives one: the envelope of a two-hour file is tens
    // of MiB, and grown by doubling it would hold up to three times that while it is copied.
    const double seconds = info().declaredDuration;
    if (seconds > 0 && seconds < 1e6 && envelope_.hop() > 0) {
        const int64_t frames = std::llround(seconds * info().sampleRate);
        envelope_.reserve(size_t((frames + envelope_.hop() - 1) / envelope_.hop()));
    }
}

int64_t MediaSession::seekCost() const
{
    // What a seek costs, as RangeDecoder does it: its pre-roll (8192 frames) and up to two
    // index spacings before that. Gaps shorter than this are decoded through.
    const auto& points = index_.points();
    const int64_t spacing = points.size() > 1 ? (points.back().frame - points.front().frame) / int64_t(points.size() - 1) : 0;
    return 8192 + 2 * spacing;
}

DecodedPcmSource* MediaSession::analysisSource()
{
    if (!analysisSource_ && seekable_ && opened()) {
        const AudioFormat format{info().sampleRate, info().channels};
        analysisDecoder_ = std::make_unique<RangeDecoder>(*analysisCursor_, index_, format);
        analysisSource_ = std::make_unique<DecodedPcmSource>(*analysisDecoder_, format);
    }
    if (analysisSource_) {
        analysisSource_->setFrames(framesDecoded());
        analysisSource_->setSeekCost(seekCost());
    }
    return analysisSource_.get();
}

DecodedPcmSource* MediaSession::pitchSource()
{
    if (!pitchSource_ && seekable_ && opened()) {
        const AudioFormat format{info().sampleRate, info().channels};
        pitchDecoder_ = std::make_unique<RangeDecoder>(*pitchCursor_, index_, format);
        pitchSource_ = std::make_unique<DecodedPcmSource>(*pitchDecoder_, format);
    }
    if (pitchSource_) {
        pitchSource_->setFrames(framesDecoded());
        pitchSource_->setSeekCost(seekCost());
    }
    return pitchSource_.get();
}

const std::vector<Pause>& MediaSession::findPauses(const PauseOptions& options, bool exact)
{
    pauses_ = detectPauses(envelope_, options, exact ? analysisSource() : nullptr);
    return pauses_;
}

int MediaSession::pitchHop(const PitchOptions& options)
{
    if (!opened() || info().sampleRate <= 0)
        return 0;
    if (!pitchTracker_ || pitchOptions_.floorHz != options.floorHz || pitchOptions_.ceilingHz != options.ceilingHz
        || pitchOptions_.hopSeconds != options.hopSeconds || pitchOptions_.threshold != options.threshold) {
        pitchTracker_ = std::make_unique<PitchTracker>(info().sampleRate, options);
        pitchOptions_ = options;
    }
    return pitchTracker_->hop();
}

PitchTrack MediaSession::pitch(int64_t first, int64_t count, const PitchOptions& options)
{
    PitchTrack track;
    track.hop = pitchHop(options);
    DecodedPcmSource* source = pitchSource();
    if (!source || track.hop <= 0 || count <= 0)
        return track;
    return pitchTracker_->track(*source, first, count);
}

SnapResult MediaSession::snap(int64_t frame, int64_t radius, unsigned kinds)
{
    const bool sound = opened() && envelope_.blocks() > 0;
    return snapBoundary(frame, radius, kinds, pauses_, sound ? &envelope_ : nullptr,
        (kinds & SnapZeroCrossing) ? analysisSource() : nullptr);
}

MediaSession::ByteSpan MediaSession::bytesForFrames(int64_t first, int64_t end)
{
    if (!ranges())
        return {0, 0};
    return byteSpan({std::max<int64_t>(first, 0), std::min(end, framesDecoded())});
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
    source->setSeekCost(seekCost());
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
    previewHeader_.channels = channels;
    previewHeader_.sampleRate = sampleRate;
    previewHeader_.samplesPerPixel = samplesPerPixel;
    previewHeader_.length = pixels;
    return true;
}

bool MediaSession::previewShown() const
{
    if (preview_.levelCount() == 0 || decoded_ || peaks_.frames() >= preview_.frames())
        return false;
    // At another rate the peaks' time axis is not the media's.
    return !opened() || info().sampleRate <= 0 || info().sampleRate == previewHeader_.sampleRate;
}

std::string MediaSession::peaksMismatch() const
{
    if (!seeded() || !opened())
        return {};
    return audiowaveformMismatch(previewHeader_, info().channels, info().sampleRate, decoded_ ? framesDecoded() : -1);
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
    return framesToDecode(view, width) > 0;
}

int64_t MediaSession::framesToDecode(const WaveformView& view, int width)
{
    if (!validView(view) || !finerThanPeaks(view) || !ranges())
        return 0;
    int64_t first, count;
    sampleWindow(view, width, first, count);
    windows_.setFrames(framesDecoded());
    return windows_.missing(first, count);
}

std::vector<DecodedWindowCache::Range> MediaSession::prefetchRanges(const WaveformView& view, int width) const
{
    std::vector<DecodedWindowCache::Range> wanted;
    if (!validView(view) || width <= 0 || peaks_.levelCount() == 0)
        return wanted;
    const double base = double(int64_t(1) << peaks_.baseShift());
    const double fpp = view.framesPerPixel;
    const double span = width * fpp;
    const double start = view.startFrame;
    auto range = [](double from, double to) {
        return DecodedWindowCache::Range{int64_t(std::floor(from)) - 1, int64_t(std::ceil(to)) + 2};
    };
    if (fpp < base) {
        // The view, then half a screen either side (the next zoom step out, around the centre),
        // then the rest of the screens either side (panning), nearest first; while panning, the
        // side it moves towards first.
        const bool panning = lastPrefetch_.framesPerPixel == fpp && lastPrefetch_.startFrame != start;
        const double ahead = panning && start < lastPrefetch_.startFrame ? -1 : 1;
        auto side = [&](double dir, double from, double to) {
            return dir > 0 ? range(start + span + from * span, start + span + to * span) : range(start - to * span, start - from * span);
        };
        wanted.push_back(range(start, start + span));
        if (panning) {
            wanted.push_back(side(ahead, 0, 1));
            wanted.push_back(side(-ahead, 0, 1));
        } else {
            wanted.push_back(side(1, 0, 0.5));
            wanted.push_back(side(-1, 0, 0.5));
            wanted.push_back(side(1, 0.5, 1));
            wanted.push_back(side(-1, 0.5, 1));
        }
    } else {
        // Drawn from peaks, but one or two zoom steps in (x2 each) are not: that window around
        // the centre first, then ever larger ones up to the whole view (wherever the zoom's
        // anchor, the cursor, is), as far as the budget holds.
        int steps = 0;
        double finer = fpp;
        while (finer >= base && steps < 2) {
            finer /= 2;
            ++steps;
        }
        if (finer >= base)
            return wanted;
        const double centre = start + span / 2;
        for (int k = steps; k >= 0; --k) {
            const double half = span / double(int64_t(1) << k) / 2;
            wanted.push_back(range(centre - half, centre + half));
        }
    }
    return wanted;
}

bool MediaSession::prefetch(const WaveformView& view, int width, const DecodedWindowCache::Limits& limits)
{
    if (!ranges())
        return false;
    const std::vector<DecodedWindowCache::Range> wanted = prefetchRanges(view, width);
    if (wanted.empty())
        return false;
    lastPrefetch_ = view;
    windows_.setFrames(framesDecoded());
    return windows_.fill(*rangeDecoder_, wanted, limits);
}

MediaSession::ByteSpan MediaSession::bytesFor(const WaveformView& view, int width)
{
    if (!validView(view) || !finerThanPeaks(view) || !ranges())
        return {0, 0};
    int64_t first, count;
    sampleWindow(view, width, first, count);
    windows_.setFrames(framesDecoded());
    return byteSpan(windows_.missingSpan({{first, first + count}}, false));
}

MediaSession::ByteSpan MediaSession::bytesForPrefetch(const WaveformView& view, int width)
{
    if (!ranges())
        return {0, 0};
    windows_.setFrames(framesDecoded());
    return byteSpan(windows_.missingSpan(prefetchRanges(view, width), true));
}

MediaSession::ByteSpan MediaSession::byteSpan(DecodedWindowCache::Range frames) const
{
    if (frames.second <= frames.first || !seekable_)
        return {0, 0};
    const int64_t size = seekable_->size() >= 0 ? seekable_->size() : std::numeric_limits<int64_t>::max();
    const auto& points = index_.points();
    // From the point before the one the range decoder seeks to (the file's start when it decodes
    // from there): a seek by timestamp may land a little before the point's packet (a WAV's PCM
    // seek rounds down to its own packet size).
    int64_t start = 0;
    const long seekPoint = RangeDecoder::startPoint(index_, frames.first);
    for (long k = seekPoint - 1; seekPoint > 0 && k >= 0; --k) {
        if (points[size_t(k)].bytePos >= 0) {
            start = points[size_t(k)].bytePos;
            break;
        }
    }
    // To two points past the last frame (its packet, and what a decoder reads before it delivers
    // it), plus the demuxer's buffer filled from there.
    int64_t end = size;
    for (size_t j = size_t(std::max<long>(index_.pointBefore(frames.second), -1) + 2); j < points.size(); ++j) {
        if (points[j].bytePos >= 0) {
            end = std::min(size, points[j].bytePos + kReadMargin);
            break;
        }
    }
    // Decoding from the start opens the file again first.
    if (start == 0 && rangeDecoder_)
        end = std::max(end, std::min(size, rangeDecoder_->openBytes() + kReadMargin));
    return {std::min(start, end), end};
}

RenderInfo MediaSession::render(RgbaImage& image, const WaveformView& view, const WaveformStyle& style, bool decode)
{
    RenderInfo info;
    if (!validView(view) || image.width <= 0 || image.height <= 0)
        throw MediaError(ErrorCode::Internal, "invalid view: start and frames per pixel must be finite, frames per pixel positive");
    if (finerThanPeaks(view) && ranges()) {
        int64_t first, count;
        sampleWindow(view, image.width, first, count);
        windows_.setFrames(framesDecoded());
        info.decoded = windows_.missing(first, count) > 0;
        if (decode || !info.decoded) {
            const std::vector<PcmSpan>& pieces = windows_.get(*rangeDecoder_, first, count);
            if (pieces.empty())
                renderSamples(PcmSpan{first, 0, this->info().channels, nullptr}, view, style, image);
            else
                renderSamples(pieces, view, style, image);
            info.fromSamples = true;
            return info;
        }
        info.decoded = false;
    }
    // Precomputed peaks stand in until the decode has covered as much of the file.
    const bool preview = previewShown();
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
    bytes += windows_.memoryBytes();
    for (const auto& c : joined_)
        bytes += c.capacity() * sizeof(float);
    bytes += spectrumTiles_.memoryBytes();
    if (spectrumSource_)
        bytes += spectrumSource_->memoryBytes();
    for (const auto* source : {analysisSource_.get(), pitchSource_.get()})
        if (source)
            bytes += source->memoryBytes();
    bytes += envelope_.memoryBytes() + loudness_.memoryBytes() + pauses_.capacity() * sizeof(Pause);
    return bytes;
}

} // namespace avseg
