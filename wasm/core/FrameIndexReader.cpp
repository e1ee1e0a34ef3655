// SPDX-License-Identifier: MIT
#include "FrameIndexReader.h"

#include "MediaError.h"

#include <algorithm>
#include <cstring>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace avseg {

namespace {

constexpr int kIoBufferSize = 64 * 1024;

} // namespace

int FrameIndexReader::readPacket(void* opaque, uint8_t* buf, int size)
{
    const int n = static_cast<FrameIndexReader*>(opaque)->read(buf, size);
    return n == 0 ? AVERROR_EOF : n;
}

int64_t FrameIndexReader::seekPacket(void* opaque, int64_t offset, int whence)
{
    auto* self = static_cast<FrameIndexReader*>(opaque);
    whence &= ~AVSEEK_FORCE;
    const int64_t size = self->source_.size();
    if (whence == AVSEEK_SIZE)
        return size >= 0 ? size : AVERROR(ENOSYS);
    int64_t target = offset;
    if (whence == SEEK_CUR)
        target += self->position_;
    else if (whence == SEEK_END)
        target += size;
    if (target < 0 || (size >= 0 && target > size))
        return AVERROR(EIO);
    self->position_ = target;
    return target;
}

int FrameIndexReader::read(uint8_t* buf, int size)
{
    // Every stream's samples are holes: the index needs the tables only, and the demuxer would
    // otherwise read the sound between pictures (a faststart MP4 interleaves it picture by picture).
    if (sparse_) {
        std::vector<int> streams(format_->nb_streams);
        for (unsigned i = 0; i < format_->nb_streams; ++i)
            streams[i] = static_cast<int>(i);
        holes_.learn(format_, streams);
    }
    const int64_t end = source_.size() >= 0 ? std::min<int64_t>(position_ + size, source_.size()) : position_ + size;
    if (end <= position_)
        return 0;
    const auto [inHole, length] = holes_.span(position_, end - position_);
    if (inHole) {
        std::memset(buf, 0, static_cast<size_t>(length));
        position_ += length;
        return static_cast<int>(length);
    }
    if (!source_.seek(position_))
        return 0;
    const size_t got = source_.read(buf, static_cast<size_t>(length));
    position_ += static_cast<int64_t>(got);
    bytesRead_ += static_cast<int64_t>(got);
    return static_cast<int>(got);
}

FrameIndexReader::FrameIndexReader(ByteReader& source)
    : source_(source)
{
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
    io_ = avio_alloc_context(buffer, kIoBufferSize, 0, this, readPacket, nullptr, seekPacket);
    if (!io_) {
        av_free(buffer);
        throw MediaError(ErrorCode::Internal, "out of memory");
    }
    io_->seekable = AVIO_SEEKABLE_NORMAL;
    format_ = avformat_alloc_context();
    format_->pb = io_;
    // The container's own timestamps and key-frame flags, as stored: no parser looks into the
    // pictures (in an MP4 their bytes are not even read) and nothing is inferred.
    format_->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_NOPARSE | AVFMT_FLAG_NOFILLIN;
    av_log_set_level(AV_LOG_QUIET);
    try {
        if (avformat_open_input(&format_, nullptr, nullptr, nullptr) < 0) {
            format_ = nullptr;
            throw MediaError(ErrorCode::UnsupportedFormat, "not a recognised video file");
        }
        // MP4 and Matroska headers say what the streams are; probing further would read pictures.
        bool described = format_->nb_streams > 0;
        for (unsigned i = 0; i < format_->nb_streams; ++i) {
            const AVCodecParameters* par = format_->streams[i]->codecpar;
            if (par->codec_type == AVMEDIA_TYPE_VIDEO && (par->width <= 0 || par->codec_id == AV_CODEC_ID_NONE))
                described = false;
        }
        if (!described && avformat_find_stream_info(format_, nullptr) < 0)
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
        // mov keeps every sample's place in its tables (fragments add theirs as they are read).
        sparse_ = std::strstr(format_->iformat->name, "mov") != nullptr;
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
