// SPDX-License-Identifier: MIT
// avseg-cli: the core on the command line. Reads a file in network-sized chunks
// through the same streaming path the browser uses.
#include "AudiowaveformData.h"
#include "FrameIndexReader.h"
#include "StreamingDecoder.h"
#include "MediaError.h"
#include "MediaSession.h"
#include "MotionAnalyzer.h"
#include "VideoLumaReader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace avseg;

namespace {

std::string jsonString(const std::string& s)
{
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (static_cast<unsigned char>(ch) < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", ch);
            out += esc;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

class FileReader : public ByteReader {
public:
    explicit FileReader(const char* path) : in_(path, std::ios::binary)
    {
        in_.seekg(0, std::ios::end);
        size_ = static_cast<int64_t>(in_.tellg());
        in_.seekg(0);
    }
    size_t read(uint8_t* dst, size_t n) override
    {
        in_.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
        const auto got = static_cast<size_t>(in_.gcount());
        position_ += static_cast<int64_t>(got);
        in_.clear();
        return got;
    }
    bool seek(int64_t position) override
    {
        if (position < 0 || position > size_)
            return false;
        in_.seekg(position);
        position_ = position;
        return true;
    }
    int64_t position() const override { return position_; }
    int64_t size() const override { return size_; }

private:
    std::ifstream in_;
    int64_t size_ = 0;
    int64_t position_ = 0;
};

void load(MediaSession& session, const char* path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw MediaError(ErrorCode::FetchFailed, std::string("cannot open ") + path);
    std::vector<char> chunk(64 * 1024);
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto n = static_cast<size_t>(in.gcount());
        session.push(reinterpret_cast<const uint8_t*>(chunk.data()), n);
        while (session.pump(64) == StreamingDecoder::State::Decoding) {
        }
    }
    session.finish();
    session.attachSeekable(std::make_unique<FileReader>(path));
    while (session.pump(1 << 30) != StreamingDecoder::State::Done) {
    }
}

int usage()
{
    std::fprintf(stderr,
        "usage: avseg-cli info FILE           decode FILE, print its facts and timing as JSON\n"
        "       avseg-cli peaks FILE COLUMNS  min/max per column over the whole file, per channel, as JSON\n"
        "       avseg-cli frames FILE         the video's frame index (count, first and last times, timing) as JSON\n"
        "       avseg-cli motion FILE         the video's motion per frame, scene cuts and jerks (frame indices) as JSON\n"
        "       avseg-cli audiowaveform FILE OUT.dat|OUT.json [--samples-per-pixel N] [--bits 8|16] [--split-channels]\n"
        "                                     peaks in BBC audiowaveform's format (version 2), for peaks.js and the element\n");
    return 2;
}

void printPeaks(const MediaSession& session, long columns)
{
    const PeakPyramid& p = session.peaks();
    const int64_t frames = session.framesDecoded();
    std::printf("{\"sampleRate\":%d,\"frames\":%lld,\"columns\":%ld,\"channels\":[", p.sampleRate(),
        static_cast<long long>(frames), columns);
    for (int c = 0; c < p.channels(); ++c) {
        std::printf("%s[", c ? "," : "");
        for (long x = 0; x < columns; ++x) {
            const Peak peak = p.extent(c, frames * x / columns, std::max(frames * (x + 1) / columns, frames * x / columns + 1));
            std::printf("%s[%d,%d]", x ? "," : "", peak.empty() ? 0 : peak.min, peak.empty() ? 0 : peak.max);
        }
        std::printf("]");
    }
    std::printf("]}\n");
}

} // namespace

int printFrames(const char* path)
{
    const auto t0 = std::chrono::steady_clock::now();
    FileReader source(path);
    FrameIndexReader reader(source);
    while (reader.step(256)) {
    }
    const FrameIndex index = reader.finish();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const VideoInfo& v = reader.info();
    const size_t keys = static_cast<size_t>(std::count(index.keyFrame.begin(), index.keyFrame.end(), 1));
    std::printf("{\"codec\":%s,\"width\":%d,\"height\":%d,\"timeBase\":\"%lld/%lld\",\"frames\":%zu,\"keyFrames\":%zu,"
                "\"first\":%.6f,\"end\":%.6f,\"bytes\":%lld,\"bytesRead\":%lld,\"indexMs\":%.3f}\n",
        jsonString(v.codecName).c_str(), v.width, v.height, static_cast<long long>(index.timeBaseNum),
        static_cast<long long>(index.timeBaseDen), index.count(), keys,
        index.count() ? index.seconds(index.pts.front()) : 0.0, index.seconds(index.endPts),
        static_cast<long long>(source.size()), static_cast<long long>(reader.bytesRead()), ms);
    return 0;
}

int printMotion(const char* path)
{
    MotionAnalyzer analyzer;
    const int64_t frames = scanVideoLuma(path, 64, 36, [&](const uint8_t* luma, int64_t) { analyzer.push(luma, 64, 36); });
    analyzer.finish();
    auto list = [](const std::vector<int64_t>& v) {
        std::string out;
        for (const int64_t i : v)
            out += (out.empty() ? "" : ",") + std::to_string(i);
        return "[" + out + "]";
    };
    std::printf("{\"frames\":%lld,\"cuts\":%s,\"jerks\":%s,\"motion\":[", static_cast<long long>(frames),
        list(analyzer.cuts()).c_str(), list(analyzer.jerks()).c_str());
    for (size_t i = 0; i < analyzer.motion().size(); ++i)
        std::printf("%s%.5f", i ? "," : "", analyzer.motion()[i]);
    std::printf("]}\n");
    return 0;
}

int writeAudiowaveform(int argc, char** argv)
{
    const std::string out = argv[3];
    int samplesPerPixel = 256, bits = 16;
    bool split = false;
    for (int i = 4; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--samples-per-pixel" && i + 1 < argc)
            samplesPerPixel = std::atoi(argv[++i]);
        else if (a == "--bits" && i + 1 < argc)
            bits = std::atoi(argv[++i]);
        else if (a == "--split-channels")
            split = true;
        else
            return usage();
    }
    const bool json = out.size() > 5 && out.compare(out.size() - 5, 5, ".json") == 0;
    const bool dat = out.size() > 4 && out.compare(out.size() - 4, 4, ".dat") == 0;
    if ((!json && !dat) || samplesPerPixel < 2 || (bits != 8 && bits != 16)) {
        std::fprintf(stderr, "avseg-cli: OUT must end in .dat or .json, --samples-per-pixel be 2 or more, --bits 8 or 16\n");
        return 2;
    }
    AudiowaveformData peaks;
    AudiowaveformGenerator generator(peaks, samplesPerPixel, split);
    StreamingDecoder decoder(generator, nullptr);
    FileReader source(argv[2]);
    if (source.size() <= 0)
        throw MediaError(ErrorCode::FetchFailed, std::string("cannot read ") + argv[2]);
    decoder.openSeekable(source);
    while (decoder.pump(256) != StreamingDecoder::State::Done) {
    }
    std::ofstream file(out, std::ios::binary);
    if (json) {
        const std::string text = audiowaveformJson(peaks, bits);
        file.write(text.data(), static_cast<std::streamsize>(text.size()));
    } else {
        const std::vector<uint8_t> bytes = audiowaveformDat(peaks, bits);
        file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    if (!file)
        throw MediaError(ErrorCode::Internal, "cannot write " + out);
    std::printf("{\"output\":%s,\"sampleRate\":%d,\"samplesPerPixel\":%d,\"channels\":%d,\"bits\":%d,\"length\":%zu}\n",
        jsonString(out).c_str(), peaks.sampleRate, peaks.samplesPerPixel, peaks.channels, bits, peaks.length());
    return 0;
}

int main(int argc, char** argv)
{
    if (argc >= 4 && std::strcmp(argv[1], "audiowaveform") == 0) {
        try {
            return writeAudiowaveform(argc, argv);
        } catch (const std::exception& e) {
            const auto* media = dynamic_cast<const MediaError*>(&e);
            std::printf("{\"error\":{\"code\":\"%s\",\"message\":%s}}\n", errorCodeName(media ? media->code() : ErrorCode::Internal), jsonString(e.what()).c_str());
            return 1;
        }
    }
    if (argc == 3 && (std::strcmp(argv[1], "frames") == 0 || std::strcmp(argv[1], "motion") == 0)) {
        try {
            return argv[1][0] == 'f' ? printFrames(argv[2]) : printMotion(argv[2]);
        } catch (const MediaError& e) {
            std::printf("{\"error\":{\"code\":\"%s\",\"message\":%s}}\n", errorCodeName(e.code()), jsonString(e.what()).c_str());
            return 1;
        }
    }
    const bool wantInfo = argc == 3 && std::strcmp(argv[1], "info") == 0;
    const bool peaks = argc == 4 && std::strcmp(argv[1], "peaks") == 0 && std::atol(argv[3]) > 0;
    if (!wantInfo && !peaks)
        return usage();
    MediaSession session;
    try {
        if (peaks) {
            load(session, argv[2]);
            printPeaks(session, std::atol(argv[3]));
            return 0;
        }
        const auto t0 = std::chrono::steady_clock::now();
        load(session, argv[2]);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        const MediaInfo& info = session.info();
        std::printf("{\"format\":%s,\"codec\":%s,\"sampleRate\":%d,\"channels\":%d,\"frames\":%lld,"
                    "\"duration\":%.6f,\"declaredDuration\":%.6f,\"levels\":%d,\"baseShift\":%d,"
                    "\"peakBytes\":%zu,\"decodeMs\":%.3f,\"problems\":[",
            jsonString(info.formatName).c_str(), jsonString(info.codecName).c_str(), info.sampleRate, info.channels,
            static_cast<long long>(session.framesDecoded()), double(session.framesDecoded()) / info.sampleRate,
            info.declaredDuration, session.peaks().levelCount(), session.peaks().baseShift(),
            session.peaks().memoryBytes(), ms);
        const auto& problems = session.problems();
        for (size_t i = 0; i < problems.size(); ++i)
            std::printf("%s{\"code\":\"%s\",\"message\":%s}", i ? "," : "", errorCodeName(problems[i].code),
                jsonString(problems[i].message).c_str());
        std::printf("]}\n");
        return 0;
    } catch (const MediaError& e) {
        std::printf("{\"error\":{\"code\":\"%s\",\"message\":%s}}\n", errorCodeName(e.code()), jsonString(e.what()).c_str());
        return 1;
    }
}
