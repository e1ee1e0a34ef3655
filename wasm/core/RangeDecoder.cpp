// SPDX-License-Identifier: MIT
#include "RangeDecoder.h"

#include "MediaError.h"

#include <algorithm>
#include <vector>

namespace avseg {

namespace {

// Decoders need this much before the target to settle (mp3 bit reservoir, aac/vorbis overlap, opus pre-roll).
constexpr int64_t kPrerollFrames = 8192;
constexpr long kMatchWindow = 16;

} // namespace

RangeDecoder::RangeDecoder(ByteReader& source, const SeekIndex& index, AudioFormat expected)
    : source_(source), index_(index), expected_(expected)
{
    reopen();
}

void RangeDecoder::reopen()
{
    reader_.reset();
    source_.seek(0);
    reader_ = std::make_unique<AudioStreamReader>(source_, true, 1 << 20);
    openBytes_ = std::max(openBytes_, source_.position());
    const MediaInfo& info = reader_->info();
    if (expected_.sampleRate && (info.sampleRate != expected_.sampleRate || info.channels != expected_.channels))
        throw MediaError(ErrorCode::CorruptMedia, "the file read again does not match its first reading");
    seekPoint_ = 0;
    trustFrom_ = 0;
    known_ = true;
    cursor_ = 0;
    lastPos_ = -2;
    unknownFrames_ = 0;
}

long RangeDecoder::startPoint(const SeekIndex& index, int64_t first)
{
    // One point further back than needed: a decoder may emit nothing for the first packet after a seek.
    return index.pointBefore(first - kPrerollFrames) - 1;
}

void RangeDecoder::begin(int64_t first)
{
    // A reopen that threw (the source read nothing: an expired link) left no reader.
    if (!reader_)
        reopen();
    first_ = first;
    const auto& points = index_.points();
    const long k = startPoint(index_, first);
    if (k <= 0 || !reader_->seekTo(points[k].bytePos, points[k].pts)) {
        reopen();
        return;
    }
    seekPoint_ = k;
    // Right after a seek the decoder is unsettled, so the point seeked to is not trusted; the next one is.
    trustFrom_ = k + 1;
    known_ = false;
    cursor_ = 0;
    lastPos_ = -2;
    unknownFrames_ = 0;
    // If no recorded point shows up within a few points' distance, the seek went astray.
    const size_t far = std::min(points.size() - 1, static_cast<size_t>(k) + 3);
    unplacedLimit_ = points[far].frame - points[k].frame + 65536;
}

bool RangeDecoder::step(const BlockFn& fn)
{
    if (!reader_)
        reopen();
    // A read that failed last time: on from where it stopped, if reads work now.
    if (reader_->interrupted() && !reader_->resume())
        return false;
    const bool more = reader_->step([&](const DecodedFrame& f) { onFrame(f, fn); });
    if (reader_->interrupted())
        return false;
    if (!known_ && (unknownFrames_ > unplacedLimit_ || !more)) {
        // The seek landed where no recorded packet follows, or none did before the end (near
        // the end of an Ogg Opus file): decode from the start instead.
        const int64_t first = first_;
        ++restarts_;
        reopen();
        first_ = first;
        return true;
    }
    return more;
}

void RangeDecoder::onFrame(const DecodedFrame& f, const BlockFn& fn)
{
    const bool groupStart = f.bytePos != lastPos_;
    lastPos_ = f.bytePos;
    const long last = seekPoint_ + kMatchWindow;
    const SeekPoint* p = reader_->seeksByTimestamp() ? index_.findByPts(f.pts, trustFrom_, last)
                                                     : (groupStart ? index_.findByPos(f.bytePos, trustFrom_, last) : nullptr);
    if (p) {
        cursor_ = p->frame;
        known_ = true;
    }
    if (!known_) {
        unknownFrames_ += f.frames;
        return;
    }
    const int64_t from = std::max(cursor_, first_);
    // Not past the sequential decode's end: an MP3's end padding is trimmed by timestamp,
    // which a seek by byte position loses.
    const int64_t to = index_.end() >= 0 ? std::min(cursor_ + f.frames, index_.end()) : cursor_ + f.frames;
    if (from < to) {
        std::vector<const float*> planes(f.channels, f.channels + reader_->info().channels);
        for (auto& plane : planes)
            plane += from - cursor_;
        fn(from, planes.data(), static_cast<int>(to - from));
    } else {
        preroll_ += f.frames;
    }
    cursor_ += f.frames;
}

void RangeDecoder::decode(int64_t first, int64_t count, const BlockFn& fn)
{
    const int64_t end = first + count;
    begin(first);
    int64_t reached = first;
    const BlockFn clipped = [&](int64_t at, const float* const* channels, int frames) {
        const int n = static_cast<int>(std::min<int64_t>(frames, end - at));
        if (n > 0)
            fn(at, channels, n);
        reached = at + frames;
    };
    while (reached < end && step(clipped)) {
    }
}

} // namespace avseg
