// SPDX-License-Identifier: MIT
#include "StreamingDecoder.h"

#include <cmath>
#include <cstdio>

namespace avseg {

namespace {

std::string seconds(double s)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", s);
    return text;
}

} // namespace

StreamingDecoder::StreamingDecoder(AudioSink& sink, SeekIndex* index, Options options)
    : sink_(sink), index_(index), options_(options), nextOpenAt_(options.probeBytes)
{
}

StreamingDecoder::State StreamingDecoder::pump(int maxPackets)
{
    if (done_)
        return State::Done;
    if (!reader_ && !tryOpen())
        return State::NeedBytes;

    const auto frameFn = [this](const DecodedFrame& f) { onFrame(f); };
    for (int i = 0; i < maxPackets; ++i) {
        if (!buffer_.finished() && buffer_.ahead() < options_.readAhead)
            return State::NeedBytes;
        const bool more = reader_->step(frameFn);
        if (buffer_.starved()) {
            // A packet larger than the read-ahead: the demuxer saw a false end. Resume when bytes come.
            buffer_.clearStarved();
            reader_->clearEndOfInput();
            if (!more)
                return State::NeedBytes;
        }
        if (!more) {
            complete();
            return State::Done;
        }
    }
    return State::Decoding;
}

bool StreamingDecoder::tryOpen()
{
    if (!buffer_.finished() && buffer_.received() < nextOpenAt_)
        return false;
    if (buffer_.finished() && buffer_.received() == 0)
        throw MediaError(ErrorCode::EmptyMedia, "the file is empty (0 bytes)");
    buffer_.seek(0);
    buffer_.clearStarved();
    try {
        // Once every byte is here the demuxer may seek (mp4 with its index at the end needs to).
        reader_ = std::make_unique<AudioStreamReader>(buffer_, buffer_.finished(), options_.probeBytes);
    } catch (const MediaError&) {
        if (buffer_.starved() && !buffer_.finished()) {
            nextOpenAt_ = buffer_.received() * 2;
            return false;
        }
        throw;
    }
    if (buffer_.starved() && !buffer_.finished()) {
        reader_.reset();
        nextOpenAt_ = buffer_.received() * 2;
        return false;
    }
    info_ = reader_->info();
    buffer_.dropConsumed(true);
    sink_.start({info_.sampleRate, info_.channels});
    return true;
}

void StreamingDecoder::onFrame(const DecodedFrame& frame)
{
    if (index_)
        index_->consider(frame.bytePos, frame.pts, frames_);
    sink_.process(frame.channels, static_cast<size_t>(frame.frames));
    frames_ += frame.frames;
}

void StreamingDecoder::complete()
{
    done_ = true;
    sink_.done();
    if (frames_ == 0)
        throw MediaError(ErrorCode::EmptyMedia, "the file holds an audio stream with no samples");

    const double decoded = double(frames_) / info_.sampleRate;
    if (info_.declaredDuration > 0 && decoded < info_.declaredDuration * 0.98 - 0.2)
        problems_.push_back({ErrorCode::TruncatedMedia,
            "the file is truncated: its header declares " + seconds(info_.declaredDuration) + " but only "
                + seconds(decoded) + " could be decoded"});
    if (reader_->damagedPackets() > 0) {
        std::string where;
        if (reader_->firstDamagedPts() != INT64_MIN)
            where = " between " + seconds(reader_->firstDamagedPts() * reader_->timeBase()) + " and "
                + seconds(reader_->lastDamagedPts() * reader_->timeBase());
        problems_.push_back({ErrorCode::CorruptMedia,
            std::to_string(reader_->damagedPackets()) + " damaged audio packet(s) were skipped" + where});
    }
}

} // namespace avseg
