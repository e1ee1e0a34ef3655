// SPDX-License-Identifier: MIT
#include "FrameIndexReader.h"

#include "MediaError.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace avseg {

namespace {

constexpr int kIoBufferSize = 64 * 1024;

int readPacket(void* opaque, uint8_t* buf, int size)
{
    auto* source = static_cast<ByteReader*>(opaque);
    const size_t n = source->read(buf, static_cast<size_t>(size));
    return n == 0 ? AVERROR_EOF : static_cast<int>(n);
}

int64_t seekPacket(void* opaque, int64_t offset, int whence)
{
    auto* source = static_cast<ByteReader*>(opaque);
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE)
        return source->size() >= 0 ? source->size() : AVERROR(ENOSYS);
    int64_t target = offset;
    if (whence == SEEK_CUR)
        target += source->position();
    else if (whence == SEEK_END)
        target += source->size();
    return source->seek(target) ? target : AVERROR(EIO);
}

} // namespace

FrameIndexReader::FrameIndexReader(ByteReader& source)
    : source_(source)
{
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
    io_ = avio_alloc_context(buffer, kIoBufferSize, 0, &source_, readPacket, nullptr, seekPacket);
    if (!io_) {
        av_free(buffer);
        throw MediaError(ErrorCode::Internal, "out of memory");
    }
    io_->seekable = AVIO_SEEKABLE_NORMAL;
    format_ = avformat_alloc_context();
    format_->pb = io_;
    format_->flags |= AVFMT_FLAG_CUSTOM_IO;
    try {
        if (avformat_open_input(&format_, nullptr, nullptr, nullptr) < 0) {
            format_ = nullptr;
            throw MediaError(ErrorCode::UnsupportedFormat, "not a recognised video file");
        }
        if (avformat_find_stream_info(format_, nullptr) < 0)
            throw MediaError(ErrorCode::CorruptMedia, "could not read the streams");
        for (unsigned i = 0; i < format_->nb_streams; ++i) {
            const AVStream* st = format_->streams[i];
            // Cover art in an audio file is a "video stream" of one picture: not a video.
            if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)
                && (streamIndex_ < 0 || st->codecpar->width * st->codecpar->height
                        > format_->streams[streamIndex_]->codecpar->width * format_->streams[streamIndex_]->codecpar->height))
                streamIndex_ = static_cast<int>(i);
        }
        if (streamIndex_ < 0)
            throw MediaError(ErrorCode::NoVideo, "the file has no video stream");
        for (unsigned i = 0; i < format_->nb_streams; ++i)
            format_->streams[i]->discard = static_cast<int>(i) == streamIndex_ ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
        const AVStream* st = format_->streams[streamIndex_];
        info_.width = st->codecpar->width;
        info_.height = st->codecpar->height;
        info_.codecName = avcodec_get_name(st->codecpar->codec_id);
        info_.timeBaseNum = st->time_base.num;
        info_.timeBaseDen = st->time_base.den;
        info_.startPts = st->start_time == AV_NOPTS_VALUE ? INT64_MIN : st->start_time;
        builder_ = std::make_unique<FrameIndexBuilder>(info_.timeBaseNum, info_.timeBaseDen);
        packet_ = av_packet_alloc();
    } catch (...) {
        release();
        throw;
    }
}

FrameIndexReader::~FrameIndexReader()
{
    release();
}

void FrameIndexReader::release()
{
    av_packet_free(&packet_);
    if (format_)
        avformat_close_input(&format_);
    if (io_) {
        av_freep(&io_->buffer);
        avio_context_free(&io_);
    }
}

bool FrameIndexReader::step(int maxPackets)
{
    for (int i = 0; i < maxPackets && !ended_; ++i) {
        if (av_read_frame(format_, packet_) < 0) {
            ended_ = true;
            break;
        }
        if (packet_->stream_index == streamIndex_) {
            builder_->add(packet_->pts == AV_NOPTS_VALUE ? INT64_MIN : packet_->pts,
                packet_->dts == AV_NOPTS_VALUE ? INT64_MIN : packet_->dts, packet_->duration, (packet_->flags & AV_PKT_FLAG_KEY) != 0);
        }
        av_packet_unref(packet_);
    }
    return !ended_;
}

} // namespace avseg
