// SPDX-License-Identifier: MIT
#pragma once

#include "ByteReader.h"
#include "FrameIndex.h"
#include "FrameIndexBuilder.h"
#include "SampleHoles.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

struct AVFormatContext;
struct AVIOContext;
struct AVPacket;

namespace avseg {

struct VideoInfo {
    int width = 0;
    int height = 0;
    std::string codecName;
    int64_t timeBaseNum = 1;
    int64_t timeBaseDen = 1;
    int64_t startPts = INT64_MIN;   // the stream's declared start, ticks
};

// Demuxes (never decodes) the best video stream of a complete, seekable file and builds its
// FrameIndex, a few packets per step so the caller stays responsive.
class FrameIndexReader {
public:
    // Throws MediaError(NoVideo) when the file has no video stream (cover art does not count).
    explicit FrameIndexReader(ByteReader& source);
    ~FrameIndexReader();
    FrameIndexReader(const FrameIndexReader&) = delete;
    FrameIndexReader& operator=(const FrameIndexReader&) = delete;

    const VideoInfo& info() const { return info_; }
    // Reads up to maxPackets packets; false once the file has been read to its end.
    bool step(int maxPackets);
    size_t packets() const { return builder_ ? builder_->packets() : 0; }
    FrameIndex finish() const { return builder_->finish(); }

    // Bytes read from the source so far (the index of an MP4 needs its boxes, not its pictures).
    int64_t bytesRead() const { return bytesRead_; }

private:
    static int readPacket(void* opaque, uint8_t* buf, int size);
    static int64_t seekPacket(void* opaque, int64_t offset, int whence);
    int read(uint8_t* buf, int size);
    void release();

    ByteReader& source_;
    AVIOContext* io_ = nullptr;
    AVFormatContext* format_ = nullptr;
    AVPacket* packet_ = nullptr;
    int streamIndex_ = -1;
    bool ended_ = false;
    VideoInfo info_;
    std::unique_ptr<FrameIndexBuilder> builder_;
    // Where the video's samples lie in an MP4, from its sample tables: the demuxer needs their
    // timestamps, not their bytes, so those bytes read as zeros without being fetched.
    bool sparse_ = false;
    SampleHoles holes_;
    int64_t position_ = 0;
    int64_t bytesRead_ = 0;
};

} // namespace avseg
