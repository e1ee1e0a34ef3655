// SPDX-License-Identifier: MIT
#include "RangeDecoder.h"

#include <algorithm>

namespace avseg {

namespace {

// Decoders need this much before the target to settle (mp3 bit reservoir, aac/vorbis overlap, opus pre-roll).
constexpr int64_t kPrerollFrames = 8192;
constexpr long kMatchWindow = 16;

} // namespace

RangeDecoder::RangeDecoder(ByteReader& source, const SeekIndex& index) : source_(source), index_(index)
{
    reopen();
}

void RangeDecoder::reopen()
{
    reader_.reset();
    source_.seek(0);
    reader_ = std::make_unique<AudioStreamReader>(source_, true, 1 << 20);
}

void RangeDecoder::decode(int64_t first, int64_t count, const BlockFn& fn)
{
    const int64_t end = first + count;
    const auto& points = index_.points();
    // One point further back than needed: a decoder may emit nothing for the first packet after a seek.
    long k = index_.pointBefore(first - kPrerollFrames) - 1;
    bool known = false;
    int64_t cursor = 0;
    // Right after a seek the decoder is unsettled (it may emit nothing for the first packet),
    // so the point seeked to is not trusted; the next one is.
    long trustFrom = k + 1;
    if (k <= 0 || !reader_->seekTo(points[k].bytePos, points[k].pts)) {
        reopen();
        k = 0;
        trustFrom = 0;
        known = true;
    }
    const bool byTimestamp = reader_->seeksByTimestamp();
    int unknownFrames = 0;
    bool restart = false;
    int64_t lastPos = -2;

    const auto onFrame = [&](const DecodedFrame& f) {
        const bool groupStart = f.bytePos != lastPos;
        lastPos = f.bytePos;
        const SeekPoint* p = byTimestamp ? index_.findByPts(f.pts, trustFrom, k + kMatchWindow)
                                         : (groupStart ? index_.findByPos(f.bytePos, trustFrom, k + kMatchWindow) : nullptr);
        if (p) {
            cursor = p->frame;
            known = true;
        }
        if (!known) {
            restart = ++unknownFrames > 64;
            return;
        }
        const int64_t from = std::max(cursor, first);
        const int64_t to = std::min(cursor + f.frames, end);
        if (from < to) {
            std::vector<const float*> planes(f.channels, f.channels + reader_->info().channels);
            for (auto& plane : planes)
                plane += from - cursor;
            fn(from, planes.data(), static_cast<int>(to - from));
        } else {
            preroll_ += f.frames;
        }
        cursor += f.frames;
    };

    while (cursor < end || !known) {
        if (!reader_->step(onFrame))
            break;
        if (restart) {
            // The seek landed where no recorded packet follows: decode from the start instead.
            reopen();
            k = 0;
            trustFrom = 0;
            known = true;
            cursor = 0;
            lastPos = -2;
            restart = false;
        }
    }
}

} // namespace avseg
