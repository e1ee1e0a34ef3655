// SPDX-License-Identifier: MIT
#include "StreamingDecoder.h"

#include "FormatSniffer.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace avseg {

namespace {

std::string seconds(double s)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", s);
    return text;
}

// The data size a RIFF/WAVE header declares, or -1. FFmpeg quietly clamps it to the file.
int64_t declaredWavData(const std::vector<uint8_t>& head, int64_t& dataOffset)
{
    auto u32 = [&](size_t at) {
        return uint32_t(head[at]) | uint32_t(head[at + 1]) << 8 | uint32_t(head[at + 2]) << 16 | uint32_t(head[at + 3]) << 24;
    };
    if (head.size() < 12 || std::memcmp(head.data(), "RIFF", 4) != 0 || std::memcmp(head.data() + 8, "WAVE", 4) != 0)
        return -1;
    for (size_t at = 12; at + 8 <= head.size();) {
        const uint32_t size = u32(at + 4);
        if (std::memcmp(head.data() + at, "data", 4) == 0) {
            dataOffset = int64_t(at + 8);
            return size == 0xffffffffu ? -1 : int64_t(size);
        }
        at += 8 + size + (size & 1);
    }
    return -1;
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
    if (stalled_)
        return pumpResumed(maxPackets);
    if (!reader_ && !tryOpen())
        return external_ ? State::Interrupted : State::NeedBytes;
    if (reader_->interrupted() && !reader_->resume())
        return State::Interrupted;

    const auto frameFn = [this](const DecodedFrame& f) { onFrame(f); };
    for (int i = 0; i < maxPackets; ++i) {
        if (!external_ && !buffer_.finished() && buffer_.ahead() < options_.readAhead)
            return State::NeedBytes;
        const bool more = reader_->step(frameFn);
        if (buffer_.starved()) {
            // A packet larger than the read-ahead: this demuxer can't be resumed mid-packet.
            // Keep what decoded and continue from the complete file once it has arrived.
            stalled_ = true;
            reader_.reset();
            buffer_.stopKeeping();
            return State::NeedBytes;
        }
        if (reader_->interrupted())
            return State::Interrupted;
        if (!more) {
            complete();
            return State::Done;
        }
    }
    return State::Decoding;
}

StreamingDecoder::State StreamingDecoder::pumpResumed(int maxPackets)
{
    if (!buffer_.finished())
        return State::NeedBytes;
    if (!whole_)
        throw MediaError(ErrorCode::Internal, "a packet is larger than the read-ahead and no complete copy of the file was given");
    if (!resumed_) {
        resumed_ = std::make_unique<RangeDecoder>(*whole_, index_ ? *index_ : ownIndex_, AudioFormat{info_.sampleRate, info_.channels});
        resumed_->begin(frames_);
    }
    const auto blockFn = [this](int64_t frame, const float* const* channels, int n) { onResumedBlock(frame, channels, n); };
    for (int i = 0; i < maxPackets; ++i) {
        if (!resumed_->step(blockFn)) {
            complete();
            return State::Done;
        }
    }
    return State::Decoding;
}

void StreamingDecoder::onResumedBlock(int64_t frame, const float* const* channels, int n)
{
    if (frame != frames_)
        throw MediaError(ErrorCode::Internal, "resumed decoding did not continue where it stopped");
    sink_.process(channels, static_cast<size_t>(n));
    frames_ += n;
}

bool StreamingDecoder::tryOpen()
{
    if (external_) {
        external_->seek(0);
        head_.resize(static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(external_->size(), 4096))));
        head_.resize(external_->read(head_.data(), head_.size()));
        external_->seek(0);
        try {
            reader_ = std::make_unique<AudioStreamReader>(*external_, true, options_.probeBytes);
        } catch (const MediaError& e) {
            // A read refused while opening: opened again on the next pump.
            if (e.code() == ErrorCode::FetchFailed)
                return false;
            const std::string known = recogniseUnsupported(head_.data(), head_.size());
            if (e.code() == ErrorCode::UnsupportedFormat && !known.empty())
                throw MediaError(ErrorCode::UnsupportedFormat,
                    "this is " + known + ", which is not supported (supported: WAV, MP3, MP4/M4A, Matroska/WebM, Ogg, FLAC, AAC)");
            throw;
        }
        info_ = reader_->info();
        sink_.start({info_.sampleRate, info_.channels});
        return true;
    }
    if (!buffer_.finished() && buffer_.received() < nextOpenAt_)
        return false;
    if (buffer_.finished() && buffer_.received() == 0)
        throw MediaError(ErrorCode::EmptyMedia, "the file is empty (0 bytes)");
    buffer_.seek(0);
    head_.resize(static_cast<size_t>(std::min<int64_t>(buffer_.received(), 4096)));
    buffer_.read(head_.data(), head_.size());
    buffer_.seek(0);
    buffer_.clearStarved();
    try {
        // Once every byte is here the demuxer may seek (mp4 with its index at the end needs to).
        reader_ = std::make_unique<AudioStreamReader>(buffer_, buffer_.finished(), options_.probeBytes);
    } catch (const MediaError& e) {
        if (buffer_.starved() && !buffer_.finished()) {
            nextOpenAt_ = buffer_.received() * 2;
            return false;
        }
        const std::string known = recogniseUnsupported(head_.data(), head_.size());
        if (e.code() == ErrorCode::UnsupportedFormat && !known.empty())
            throw MediaError(ErrorCode::UnsupportedFormat,
                "this is " + known + ", which is not supported (supported: WAV, MP3, MP4/M4A, Matroska/WebM, Ogg, FLAC, AAC)");
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
    if (index_)
        index_->setEnd(frames_);
    sink_.done();
    if (frames_ == 0)
        throw MediaError(ErrorCode::EmptyMedia, "the file holds an audio stream with no samples");

    const double decoded = double(frames_) / info_.sampleRate;
    int64_t dataOffset = 0;
    const int64_t wavData = declaredWavData(head_, dataOffset);
    const int64_t received = external_ ? external_->size() : buffer_.received();
    const bool shortOfWav = wavData > 0 && received < dataOffset + wavData;
    const bool shortOfHeader = info_.declaredDuration > 0 && decoded < info_.declaredDuration * 0.98 - 0.2;
    if (reader_ && reader_->damagedPackets() > 0) {
        std::string message = std::to_string(reader_->damagedPackets()) + " damaged audio packet(s) were skipped";
        if (reader_->firstDamagedPts() != INT64_MIN)
            message += " between " + seconds(reader_->firstDamagedPts() * reader_->timeBase()) + " and "
                + seconds(reader_->lastDamagedPts() * reader_->timeBase());
        if (shortOfHeader)
            message += "; " + seconds(decoded) + " of the declared " + seconds(info_.declaredDuration) + " decoded";
        problems_.push_back({ErrorCode::CorruptMedia, message});
    } else if (shortOfWav) {
        problems_.push_back({ErrorCode::TruncatedMedia,
            "the file is truncated: its WAV header declares " + std::to_string(wavData) + " bytes of audio but only "
                + std::to_string(received - dataOffset) + " arrived"});
    } else if (shortOfHeader) {
        problems_.push_back({ErrorCode::TruncatedMedia,
            "the file is truncated: its header declares " + seconds(info_.declaredDuration) + " but only "
                + seconds(decoded) + " could be decoded"});
    }
}

} // namespace avseg
