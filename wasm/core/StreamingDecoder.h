// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"
#include "AudioStreamReader.h"
#include "MediaError.h"
#include "RangeDecoder.h"
#include "SeekIndex.h"
#include "StreamBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace avseg {

// Something wrong that did not stop decoding: the waveform shows what could be read.
struct MediaProblem {
    ErrorCode code;
    std::string message;
};

// Decodes media whose bytes arrive piecewise (a download in progress): push bytes,
// pump to decode what is safely buffered, PCM goes out through an AudioSink.
class StreamingDecoder {
public:
    struct Options {
        int64_t probeBytes = 512 * 1024;   // bytes to gather before reading the header
        int64_t readAhead = 1024 * 1024;   // never decode closer than this to the download's edge
    };
    // Interrupted: a read of the seekable source failed (an expired link); the next pump goes on
    // from where it stopped once reads work again.
    enum class State { NeedBytes, Decoding, Done, Interrupted };

    StreamingDecoder(AudioSink& sink, SeekIndex* index, Options options);
    StreamingDecoder(AudioSink& sink, SeekIndex* index) : StreamingDecoder(sink, index, Options{}) {}

    // A complete, seekable copy of the file. Needed only if a packet turns out larger than the
    // read-ahead: the streaming pass then stops and continues from this copy once it is complete.
    void setWholeFile(ByteReader* whole) { whole_ = whole; }
    // Reads from a complete, seekable source instead of pushed bytes (push nothing then): the
    // demuxer may seek, so it skips what it does not need.
    void openSeekable(ByteReader& source) { external_ = &source; }

    void push(const uint8_t* data, size_t n) { buffer_.push(data, n); }
    void push(std::vector<uint8_t>&& bytes) { buffer_.push(std::move(bytes)); }
    int64_t bytesAhead() const { return buffer_.ahead(); }
    void finish() { buffer_.finish(); }

    // Decodes at most maxPackets packets. Throws MediaError when the media can't be decoded at all.
    State pump(int maxPackets);

    bool opened() const { return reader_ != nullptr || stalled_; }
    // True when a packet larger than the read-ahead made decoding continue from the whole file.
    bool stalled() const { return stalled_; }
    const MediaInfo& info() const { return info_; }
    int64_t framesDecoded() const { return frames_; }
    int64_t bytesReceived() const { return buffer_.received(); }
    size_t bytesHeld() const { return buffer_.heldBytes(); }
    const std::vector<MediaProblem>& problems() const { return problems_; }

private:
    bool tryOpen();
    void onFrame(const DecodedFrame& frame);
    void onResumedBlock(int64_t frame, const float* const* channels, int n);
    State pumpResumed(int maxPackets);
    void complete();

    std::vector<uint8_t> head_;  // the first bytes, for checks the demuxer doesn't make
    AudioSink& sink_;
    SeekIndex* index_;
    Options options_;
    StreamBuffer buffer_;
    std::unique_ptr<AudioStreamReader> reader_;
    ByteReader* whole_ = nullptr;
    ByteReader* external_ = nullptr;
    SeekIndex ownIndex_;
    std::unique_ptr<RangeDecoder> resumed_;
    bool stalled_ = false;
    MediaInfo info_;
    int64_t frames_ = 0;
    int64_t nextOpenAt_ = 0;
    bool done_ = false;
    std::vector<MediaProblem> problems_;
};

} // namespace avseg
