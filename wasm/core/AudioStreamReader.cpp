// SPDX-License-Identifier: MIT
#include "AudioStreamReader.h"

#include "MediaError.h"

#include <algorithm>
#include <cstring>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace avseg {

namespace {

constexpr int kIoBufferSize = 32 * 1024;

std::string avErrorText(int err)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, text, sizeof text);
    return text;
}

bool formatHasExactTimestamps(const char* name)
{
    // mov and matroska index every packet; byte seeking is not supported by mov.
    return std::strstr(name, "mov") || std::strstr(name, "matroska");
}

} // namespace

int AudioStreamReader::readPacket(void* opaque, uint8_t* buf, int size)
{
    auto* self = static_cast<AudioStreamReader*>(opaque);
    const int n = self->read(buf, size);
    if (n == 0 && self->source_.failed()) {
        // Not the end: the demuxer must not take what it has of a packet for a whole one.
        self->ioFailed_ = true;
        return AVERROR(EIO);
    }
    return n == 0 ? AVERROR_EOF : n;
}

int AudioStreamReader::read(uint8_t* buf, int size)
{
    if (!skipped_.empty()) {
        holes_.learn(format_, skipped_);
        const auto [inHole, length] = holes_.span(source_.position(), size);
        if (inHole) {
            const int64_t end = source_.size() >= 0 ? std::min(source_.position() + length, source_.size()) : source_.position() + length;
            const int n = static_cast<int>(end - source_.position());
            if (n <= 0 || !source_.seek(end))
                return 0;
            std::memset(buf, 0, static_cast<size_t>(n));
            return n;
        }
        size = static_cast<int>(length);
    }
    return static_cast<int>(source_.read(buf, static_cast<size_t>(size)));
}

int64_t AudioStreamReader::seekPacket(void* opaque, int64_t offset, int whence)
{
    ByteReader& source = static_cast<AudioStreamReader*>(opaque)->source_;
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE)
        return source.size() >= 0 ? source.size() : AVERROR(ENOSYS);
    int64_t target = offset;
    if (whence == SEEK_CUR)
        target += source.position();
    else if (whence == SEEK_END) {
        if (source.size() < 0)
            return AVERROR(ENOSYS);
        target += source.size();
    }
    return source.seek(target) ? target : AVERROR(EIO);
}

AudioStreamReader::AudioStreamReader(ByteReader& source, bool seekable, int64_t probeBytes)
    : source_(source), seekable_(seekable)
{
    try {
        open(probeBytes);
    } catch (...) {
        release();
        throw;
    }
}

AudioStreamReader::~AudioStreamReader()
{
    release();
}

void AudioStreamReader::release()
{
    av_frame_free(&frame_);
    av_packet_free(&packet_);
    swr_free(&resampler_);
    avcodec_free_context(&codec_);
    if (format_)
        avformat_close_input(&format_);
    if (io_) {
        av_freep(&io_->buffer);
        avio_context_free(&io_);
    }
}

void AudioStreamReader::open(int64_t probeBytes)
{
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
    io_ = avio_alloc_context(buffer, kIoBufferSize, 0, this, readPacket, nullptr, seekPacket);
    if (!io_) {
        av_free(buffer);
        throw MediaError(ErrorCode::Internal, "out of memory");
    }
    // A stream still arriving must not be seeked: mp3 would look for tags at the end.
    io_->seekable = seekable_ ? AVIO_SEEKABLE_NORMAL : 0;

    format_ = avformat_alloc_context();
    format_->pb = io_;
    format_->flags |= AVFMT_FLAG_CUSTOM_IO;
    format_->probesize = probeBytes;
    format_->format_probesize = static_cast<int>(std::min<int64_t>(probeBytes, 1 << 20));
    av_log_set_level(AV_LOG_QUIET);

    int err = avformat_open_input(&format_, nullptr, nullptr, nullptr);
    if (err < 0) {
        format_ = nullptr; // freed by avformat_open_input on failure
        throwIfReadFailed();
        if (source_.size() == 0)
            throw MediaError(ErrorCode::EmptyMedia, "the file is empty (0 bytes)");
        if (err == AVERROR_INVALIDDATA)
            throw MediaError(ErrorCode::UnsupportedFormat,
                "not a recognised audio or video file (supported: WAV, MP3, MP4/M4A, Matroska/WebM, Ogg, FLAC, AAC)");
        throw MediaError(ErrorCode::CorruptMedia, "could not read the container: " + avErrorText(err));
    }
    err = avformat_find_stream_info(format_, nullptr);
    // What the streams are is judged only from bytes that could be read.
    throwIfReadFailed();
    if (err < 0)
        throw MediaError(ErrorCode::CorruptMedia, "could not read the streams: " + avErrorText(err));

    const AVCodec* decoder = nullptr;
    streamIndex_ = av_find_best_stream(format_, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
    if (streamIndex_ == AVERROR_STREAM_NOT_FOUND) {
        bool hasVideo = false;
        for (unsigned i = 0; i < format_->nb_streams; ++i)
            hasVideo |= format_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO;
        if (hasVideo)
            throw MediaError(ErrorCode::NoAudio, "the file has video but no audio track");
        throw MediaError(ErrorCode::UnsupportedFormat, "the file contains no audio stream");
    }
    if (streamIndex_ == AVERROR_DECODER_NOT_FOUND || !decoder) {
        const AVCodecParameters* par = nullptr;
        for (unsigned i = 0; i < format_->nb_streams && !par; ++i)
            if (format_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
                par = format_->streams[i]->codecpar;
        std::string codec = par ? avcodec_get_name(par->codec_id) : "unknown";
        throw MediaError(ErrorCode::UnsupportedFormat, "the audio codec '" + codec + "' is not supported");
    }
    if (streamIndex_ < 0)
        throw MediaError(ErrorCode::CorruptMedia, "could not select an audio stream: " + avErrorText(streamIndex_));
    for (unsigned i = 0; i < format_->nb_streams; ++i)
        if (static_cast<int>(i) != streamIndex_) {
            format_->streams[i]->discard = AVDISCARD_ALL;
            if (seekable_ && std::strstr(format_->iformat->name, "mov"))
                skipped_.push_back(static_cast<int>(i));
        }

    AVStream* stream = format_->streams[streamIndex_];
    codec_ = avcodec_alloc_context3(decoder);
    avcodec_parameters_to_context(codec_, stream->codecpar);
    codec_->thread_count = 1;
    err = avcodec_open2(codec_, decoder, nullptr);
    if (err < 0)
        throw MediaError(ErrorCode::CorruptMedia, "could not start the audio decoder: " + avErrorText(err));
    if (codec_->sample_rate <= 0 || codec_->ch_layout.nb_channels <= 0)
        throw MediaError(ErrorCode::CorruptMedia, "the audio stream declares no sample rate or channels");

    packet_ = av_packet_alloc();
    frame_ = av_frame_alloc();
    timeBase_ = av_q2d(stream->time_base);
    seekByTimestamp_ = formatHasExactTimestamps(format_->iformat->name);

    info_.formatName = format_->iformat->name;
    info_.codecName = decoder->name;
    info_.sampleRate = codec_->sample_rate;
    info_.channels = codec_->ch_layout.nb_channels;
    info_.bitRate = format_->bit_rate;
    // The container's own duration is the audio's only when nothing else (a longer video) sets it.
    bool otherStreams = false;
    for (unsigned i = 0; i < format_->nb_streams; ++i) {
        const AVStream* st = format_->streams[i];
        otherStreams |= st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
    }
    info_.hasVideo = otherStreams;
    if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
        info_.declaredDuration = stream->duration * timeBase_;
    else if (!otherStreams && format_->duration != AV_NOPTS_VALUE && format_->duration > 0)
        info_.declaredDuration = format_->duration / double(AV_TIME_BASE);
    if (stream->start_time != AV_NOPTS_VALUE)
        info_.startTime = stream->start_time * timeBase_;
}

void AudioStreamReader::throwIfReadFailed() const
{
    if (ioFailed_)
        throw MediaError(ErrorCode::FetchFailed, "the media could not be read (a read failed while opening it)");
}

bool AudioStreamReader::step(const FrameFn& onFrame)
{
    if (ended_ || interrupted_)
        return false;
    if (!draining_) {
        ioFailed_ = false;
        int err = av_read_frame(format_, packet_);
        if (source_.starved()) {
            // The packet is incomplete: decode nothing of it. The caller continues from elsewhere.
            av_packet_unref(packet_);
            return false;
        }
        if (ioFailed_) {
            // Whatever the demuxer made of the bytes it got is not a packet of the file: decode
            // nothing of it; resume() reads it again.
            av_packet_unref(packet_);
            interrupted_ = true;
            return false;
        }
        if (err < 0 && skipping_ && seekWay_ < kFromStart) {
            // The end, and the last packet decoded never met: look for it another way.
            if (seekBack(seekWay_ + 1))
                return true;
            if (interrupted_)
                return false;
        }
        if (err < 0) {
            // A read error past the last good packet ends the stream; what decoded stays.
            skipping_ = false;
            draining_ = true;
            avcodec_send_packet(codec_, nullptr);
        } else {
            if (packet_->stream_index == streamIndex_ && skipping_ && skipDecoded()) {
                av_packet_unref(packet_);
                return !interrupted_;
            }
            if (packet_->stream_index == streamIndex_) {
                const int atPos = packet_->pos >= 0 && packet_->pos == last_.pos ? last_.atPos + 1 : 1;
                last_ = {packet_->pos, packet_->pts, packet_->dts, packet_->size, atPos};
                int64_t pts = packet_->pts;
                err = avcodec_send_packet(codec_, packet_);
                if (err < 0 && err != AVERROR(EAGAIN))
                    noteDamage(pts);
            }
            av_packet_unref(packet_);
        }
    }
    receiveFrames(onFrame);
    return !ended_;
}

void AudioStreamReader::receiveFrames(const FrameFn& onFrame)
{
    for (;;) {
        int err = avcodec_receive_frame(codec_, frame_);
        if (err == AVERROR(EAGAIN))
            return;
        if (err == AVERROR_EOF) {
            ended_ = true;
            return;
        }
        if (err < 0) {
            noteDamage(AV_NOPTS_VALUE);
            if (draining_) {
                ended_ = true;
                return;
            }
            continue;
        }
        emit(frame_, onFrame);
        av_frame_unref(frame_);
    }
}

void AudioStreamReader::emit(AVFrame* frame, const FrameFn& onFrame)
{
    // A damaged packet can decode as a frame of another shape; it is not part of the stream.
    if (frame->sample_rate != info_.sampleRate || frame->ch_layout.nb_channels != info_.channels) {
        noteDamage(frame->pts);
        return;
    }
    if (frame->nb_samples <= 0)
        return;
    const int channels = info_.channels;
    planes_.resize(channels);
    if (frame->format == AV_SAMPLE_FMT_FLTP) {
        for (int c = 0; c < channels; ++c)
            planes_[c] = reinterpret_cast<const float*>(frame->extended_data[c]);
    } else {
        if (!resampler_) {
            int err = swr_alloc_set_opts2(&resampler_, &frame->ch_layout, AV_SAMPLE_FMT_FLTP, frame->sample_rate,
                &frame->ch_layout, static_cast<AVSampleFormat>(frame->format), frame->sample_rate, 0, nullptr);
            if (err < 0 || swr_init(resampler_) < 0)
                throw MediaError(ErrorCode::Internal, "could not convert the sample format");
        }
        converted_.resize(channels);
        std::vector<uint8_t*> out(channels);
        for (int c = 0; c < channels; ++c) {
            converted_[c].resize(frame->nb_samples);
            out[c] = reinterpret_cast<uint8_t*>(converted_[c].data());
        }
        int n = swr_convert(resampler_, out.data(), frame->nb_samples,
            const_cast<const uint8_t**>(frame->extended_data), frame->nb_samples);
        if (n != frame->nb_samples)
            throw MediaError(ErrorCode::Internal, "sample conversion lost samples");
        for (int c = 0; c < channels; ++c)
            planes_[c] = converted_[c].data();
    }
    int64_t pts = frame->best_effort_timestamp;
    onFrame({planes_.data(), frame->nb_samples, frame->pkt_pos, pts == AV_NOPTS_VALUE ? INT64_MIN : pts});
}

void AudioStreamReader::noteDamage(int64_t pts)
{
    ++damagedPackets_;
    if (pts != AV_NOPTS_VALUE) {
        if (firstDamagedPts_ == INT64_MIN)
            firstDamagedPts_ = pts;
        lastDamagedPts_ = pts;
    }
}

bool AudioStreamReader::skipDecoded()
{
    const AVPacket* p = packet_;
    if (last_.size < 0) {
        skipping_ = false;   // nothing was decoded before the interruption
        return false;
    }
    if (last_.pos >= 0 && p->pos >= 0) {
        if (p->pos < last_.pos)
            return true;
        if (p->pos == last_.pos && ++seenAtPos_ <= last_.atPos) {
            if (seenAtPos_ < last_.atPos)
                return true;
            if (p->size == last_.size) {
                skipping_ = false;   // the last one decoded: what follows is new
                return true;
            }
        }
    } else if (last_.dts != INT64_MIN && p->dts != AV_NOPTS_VALUE) {
        if (p->dts < last_.dts)
            return true;
        if (p->dts == last_.dts && p->size == last_.size) {
            skipping_ = false;
            return true;
        }
    }
    // Past where it stopped without meeting the last packet decoded (the seek went astray):
    // again another way, else on from here.
    if (seekWay_ < kFromStart && (seekBack(seekWay_ + 1) || interrupted_))
        return true;
    skipping_ = false;
    if (!interrupted_)
        noteDamage(p->pts);
    return false;
}

bool AudioStreamReader::seekBack(int way)
{
    const AVStream* stream = format_->streams[streamIndex_];
    const int64_t startTs = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
    const int64_t lastTs = last_.dts != INT64_MIN ? last_.dts : last_.pts;
    // By the last packet's timestamp (the demuxer's index of what it read places it exactly and
    // keeps timestamps, which an MP3's end trimming needs), else by its byte position, else from
    // the start; a way that fails or goes astray gives way to the next.
    for (; way <= kFromStart; ++way) {
        io_->eof_reached = 0;
        io_->error = 0;
        ioFailed_ = false;
        int err = -1;
        if (last_.size < 0 || way == kFromStart)
            err = av_seek_frame(format_, streamIndex_, startTs, AVSEEK_FLAG_BACKWARD);
        else if (way == kByTime && lastTs != INT64_MIN)
            err = av_seek_frame(format_, streamIndex_, lastTs, AVSEEK_FLAG_BACKWARD);
        else if (way == kByByte && last_.pos >= 0)
            err = av_seek_frame(format_, streamIndex_, last_.pos, AVSEEK_FLAG_BYTE);
        if (ioFailed_) {
            interrupted_ = true;
            return false;
        }
        if (err >= 0) {
            // The decoder is not flushed: fed the packets that follow, it goes on as if never stopped.
            skipping_ = true;
            seekWay_ = last_.size < 0 ? kFromStart : way;
            seenAtPos_ = 0;
            return true;
        }
    }
    return false;
}

bool AudioStreamReader::resume()
{
    if (!interrupted_)
        return true;
    interrupted_ = false;
    if (seekBack(kByTime))
        return true;
    if (interrupted_)
        return false;
    throw MediaError(ErrorCode::CorruptMedia, "the file could not be read on after an interrupted read: its container did not seek back");
}

bool AudioStreamReader::seekTo(int64_t bytePos, int64_t pts)
{
    io_->eof_reached = 0;
    io_->error = 0;
    ioFailed_ = false;
    interrupted_ = false;
    skipping_ = false;
    int err;
    if (seekByTimestamp_ && pts != INT64_MIN)
        err = av_seek_frame(format_, streamIndex_, pts, AVSEEK_FLAG_BACKWARD);
    else if (bytePos >= 0)
        err = av_seek_frame(format_, streamIndex_, bytePos, AVSEEK_FLAG_BYTE);
    else
        return false;
    if (err < 0)
        return false;
    avcodec_flush_buffers(codec_);
    draining_ = false;
    ended_ = false;
    return true;
}

} // namespace avseg
