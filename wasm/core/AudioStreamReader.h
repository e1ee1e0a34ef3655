// SPDX-License-Identifier: MIT
#pragma once

#include "ByteReader.h"
#include "MediaInfo.h"
#include "SampleHoles.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

struct AVFormatContext;
struct AVIOContext;
struct AVCodecContext;
struct AVPacket;
struct AVFrame;
struct SwrContext;

namespace avseg {

struct DecodedFrame {
    const float* const* channels;
    int frames;
    int64_t bytePos;   // of the packet that produced it, -1 if unknown
    int64_t pts;       // stream time base, INT64_MIN if unknown
};

// Demuxes and decodes the best audio stream of a container read through a ByteReader,
// producing planar float frames. Shared by the streaming pass and the range decoder.
class AudioStreamReader {
public:
    using FrameFn = std::function<void(const DecodedFrame&)>;

    // Throws MediaError when the bytes are not a supported medium with audio.
    AudioStreamReader(ByteReader& source, bool seekable, int64_t probeBytes);
    ~AudioStreamReader();
    AudioStreamReader(const AudioStreamReader&) = delete;
    AudioStreamReader& operator=(const AudioStreamReader&) = delete;

    const MediaInfo& info() const { return info_; }

    // Reads one packet and decodes it. Returns false once the stream has ended and the decoder is drained,
    // or when a read failed (interrupted() then tells): nothing of the packet it was reading is decoded.
    bool step(const FrameFn& onFrame);

    // A read of the source failed (source.failed()): the stream has not ended, it stopped mid-way.
    bool interrupted() const { return interrupted_; }
    // Continues an interrupted stream where it stopped: the demuxer seeks back and skips the packets
    // already decoded; the decoder keeps its state, so the frames are exactly those of an uninterrupted
    // read. False (still interrupted) when a read fails again meanwhile.
    bool resume();

    // Containers whose packet timestamps are exact seek by timestamp; the others by byte position.
    bool seeksByTimestamp() const { return seekByTimestamp_; }
    bool seekTo(int64_t bytePos, int64_t pts);

    int damagedPackets() const { return damagedPackets_; }
    int64_t firstDamagedPts() const { return firstDamagedPts_; }
    int64_t lastDamagedPts() const { return lastDamagedPts_; }
    double timeBase() const { return timeBase_; }

private:
    static int readPacket(void* opaque, uint8_t* buf, int size);
    static int64_t seekPacket(void* opaque, int64_t offset, int whence);
    int read(uint8_t* buf, int size);
    void open(int64_t probeBytes);
    void release();
    void receiveFrames(const FrameFn& onFrame);
    void emit(AVFrame* frame, const FrameFn& onFrame);
    void noteDamage(int64_t pts);
    bool skipDecoded();
    void throwIfReadFailed() const;
    static constexpr int kByTime = 0, kByByte = 1, kFromStart = 2;
    bool seekBack(int way);

    ByteReader& source_;
    bool seekable_;
    AVIOContext* io_ = nullptr;
    AVFormatContext* format_ = nullptr;
    AVCodecContext* codec_ = nullptr;
    SwrContext* resampler_ = nullptr;
    AVPacket* packet_ = nullptr;
    AVFrame* frame_ = nullptr;
    int streamIndex_ = -1;
    bool draining_ = false;
    bool ended_ = false;
    // A read failed (ioFailed_ during the call that saw it); the packets to skip when resuming.
    bool ioFailed_ = false;
    bool interrupted_ = false;
    bool skipping_ = false;
    int seekWay_ = 0;
    struct PacketMark {
        int64_t pos = -1, pts = INT64_MIN, dts = INT64_MIN;
        int size = -1;
        int atPos = 0;   // packets at this position so far, this one included (an Ogg page holds several)
    };
    PacketMark last_;    // the last packet of the audio stream given to the decoder
    int seenAtPos_ = 0;  // while skipping: packets seen at last_.pos
    bool seekByTimestamp_ = false;
    double timeBase_ = 0;
    MediaInfo info_;
    std::vector<std::vector<float>> converted_;
    std::vector<const float*> planes_;
    // With a seekable MP4 the other streams' samples (its pictures) read as zeros, unfetched.
    SampleHoles holes_;
    std::vector<int> skipped_;
    int damagedPackets_ = 0;
    int64_t firstDamagedPts_ = INT64_MIN;
    int64_t lastDamagedPts_ = INT64_MIN;
};

} // namespace avseg
