// SPDX-License-Identifier: MIT
#include "VideoLumaReader.h"

#include "FileReader.h"
#include "FrameIndexReader.h"
#include "MediaError.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

namespace avseg {

namespace {

FrameIndex indexFrames(const char* path)
{
    FileReader bytes(path);
    FrameIndexReader reader(bytes);
    while (reader.step(1024)) {
    }
    return reader.finish();
}

struct Demuxer {
    AVFormatContext* format = nullptr;
    AVCodecContext* codec = nullptr;
    AVPacket* packet = nullptr;
    AVFrame* frame = nullptr;
    SwsContext* scaler = nullptr;
    ~Demuxer()
    {
        sws_freeContext(scaler);
        av_frame_free(&frame);
        av_packet_free(&packet);
        avcodec_free_context(&codec);
        if (format)
            avformat_close_input(&format);
    }
};

// FrameIndexReader's choice: the largest picture that is not cover art.
int videoStream(const AVFormatContext* format)
{
    int best = -1;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        const AVStream* st = format->streams[i];
        if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO || (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            continue;
        const AVCodecParameters* par = st->codecpar;
        if (best < 0 || par->width * par->height > format->streams[best]->codecpar->width * format->streams[best]->codecpar->height)
            best = static_cast<int>(i);
    }
    return best;
}

} // namespace

int64_t scanVideoLuma(const char* path, int width, int height,
    const std::function<void(const uint8_t* luma, int64_t index)>& onFrame)
{
    if (width <= 0 || height <= 0)
        throw MediaError(ErrorCode::InvalidValue, "the grey pictures must be at least 1x1 pixels");
    const FrameIndex index = indexFrames(path);
    const int64_t count = static_cast<int64_t>(index.count());
    if (count == 0)
        throw MediaError(ErrorCode::EmptyMedia, "the video stream has no frames");

    Demuxer d;
    av_log_set_level(AV_LOG_QUIET);
    if (avformat_open_input(&d.format, path, nullptr, nullptr) < 0) {
        d.format = nullptr;
        throw MediaError(ErrorCode::UnsupportedFormat, std::string("not a recognised video file: ") + path);
    }
    if (avformat_find_stream_info(d.format, nullptr) < 0)
        throw MediaError(ErrorCode::CorruptMedia, "could not read the streams");
    const int stream = videoStream(d.format);
    if (stream < 0)
        throw MediaError(ErrorCode::NoVideo, "the file has no video stream");
    for (unsigned i = 0; i < d.format->nb_streams; ++i)
        d.format->streams[i]->discard = static_cast<int>(i) == stream ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    const AVCodecParameters* par = d.format->streams[stream]->codecpar;
    const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
    if (!decoder)
        throw MediaError(ErrorCode::UnsupportedFormat, std::string("no decoder for ") + avcodec_get_name(par->codec_id));
    d.codec = avcodec_alloc_context3(decoder);
    d.packet = av_packet_alloc();
    d.frame = av_frame_alloc();
    if (!d.codec || !d.packet || !d.frame)
        throw MediaError(ErrorCode::Internal, "out of memory");
    avcodec_parameters_to_context(d.codec, par);
    d.codec->pkt_timebase = d.format->streams[stream]->time_base;
    d.codec->thread_count = 0;
    if (avcodec_open2(d.codec, decoder, nullptr) < 0)
        throw MediaError(ErrorCode::UnsupportedFormat, std::string("cannot decode ") + avcodec_get_name(par->codec_id));

    std::vector<uint8_t> picture(size_t(width) * size_t(height));
    std::vector<uint8_t> scaled(picture.size());
    bool havePicture = false;
    int64_t next = 0;
    // Frames the decoder skipped (none in a sound file) repeat the picture before them.
    auto emitUpTo = [&](int64_t end) {
        for (; next < end && next < count; ++next)
            onFrame(picture.data(), next);
    };
    auto take = [&](const AVFrame* f) {
        const int64_t t = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
        int64_t at = t == AV_NOPTS_VALUE ? next : index.frameAt(t);
        if (at < next)
            return; // a second picture for a frame already given, or one before the first frame
        d.scaler = sws_getCachedContext(d.scaler, f->width, f->height, static_cast<AVPixelFormat>(f->format), width, height,
            AV_PIX_FMT_GRAY8, SWS_AREA, nullptr, nullptr, nullptr);
        if (!d.scaler)
            throw MediaError(ErrorCode::UnsupportedFormat, "cannot scale the video's pictures");
        // Limited-range luma (most video) is stretched to 0-255, as a browser's RGB of it is.
        int* inverse = nullptr;
        int* table = nullptr;
        int srcRange = 0, dstRange = 0, brightness = 0, contrast = 0, saturation = 0;
        sws_getColorspaceDetails(d.scaler, &inverse, &srcRange, &table, &dstRange, &brightness, &contrast, &saturation);
        sws_setColorspaceDetails(d.scaler, inverse, f->color_range == AVCOL_RANGE_JPEG ? 1 : srcRange, table, 1, brightness, contrast, saturation);
        uint8_t* dst[4] = {scaled.data(), nullptr, nullptr, nullptr};
        int dstStride[4] = {width, 0, 0, 0};
        sws_scale(d.scaler, f->data, f->linesize, 0, f->height, dst, dstStride);
        // Before the first picture there is nothing to repeat: the frames before it show it.
        if (havePicture)
            emitUpTo(at);
        havePicture = true;
        picture.swap(scaled);
        emitUpTo(at + 1);
    };
    auto drain = [&]() {
        for (;;) {
            const int r = avcodec_receive_frame(d.codec, d.frame);
            if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
                return;
            if (r < 0)
                return; // a damaged picture: the frames around it still count
            take(d.frame);
            av_frame_unref(d.frame);
        }
    };
    while (av_read_frame(d.format, d.packet) >= 0) {
        if (d.packet->stream_index == stream) {
            if (avcodec_send_packet(d.codec, d.packet) == AVERROR(EAGAIN)) {
                drain();
                avcodec_send_packet(d.codec, d.packet);
            }
            drain();
        }
        av_packet_unref(d.packet);
    }
    avcodec_send_packet(d.codec, nullptr);
    drain();
    if (!havePicture)
        throw MediaError(ErrorCode::CorruptMedia, "no picture of the video could be decoded");
    emitUpTo(count);
    return count;
}

} // namespace avseg
