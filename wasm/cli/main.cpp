// SPDX-License-Identifier: MIT
// avseg-cli: the core on the command line. Reads a file in network-sized chunks
// through the same streaming path the browser uses.
#include "AnalysisSidecar.h"
#include "AudioSinkTee.h"
#include "AudiowaveformData.h"
#include "DecodedPcmSource.h"
#include "EnergyEnvelope.h"
#include "FileReader.h"
#include "LoudnessMeter.h"
#include "PauseDetector.h"
#include "PitchTracker.h"
#include "RangeDecoder.h"
#include "SeekIndex.h"
#include "FrameIndexReader.h"
#include "StreamingDecoder.h"
#include "MediaError.h"
#include "MediaSession.h"
#include "MotionAnalyzer.h"
#include "VideoLumaReader.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
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
        "                                     peaks in BBC audiowaveform's format (version 2), for peaks.js and the element\n"
        "       avseg-cli analyze FILE OUT.avsa [--pause-threshold-db N] [--min-pause S] [--pitch-floor HZ]\n"
        "                 [--pitch-ceiling HZ] [--pitch-range config|speaker] [--jump-lu LU] [--no-pitch] [--no-video]\n"
        "                 [--peaks OUT.dat [--samples-per-pixel N]]\n"
        "                                     pauses, loudness, pitch and (for a video) motion and cuts into an analysis\n"
        "                                     sidecar (doc/analysis-format.md); a JSON summary on stdout\n"
        "       avseg-cli read-analysis FILE.avsa  the sidecar as the core reads it, summarised as JSON\n");
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

namespace {

bool parseNumber(const char* text, double& out)
{
    char* end = nullptr;
    out = std::strtod(text, &end);
    return end != text && *end == '\0' && std::isfinite(out);
}

void writeFile(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file)
        throw MediaError(ErrorCode::Internal, "cannot write " + path);
}

double msSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

// Everything the element's analysis strips show, computed once for the whole file with the
// core's own classes (the wasm worker runs the same ones), written as a sidecar.
int analyze(int argc, char** argv)
{
    const char* path = argv[2];
    const std::string out = argv[3];
    PauseOptions pauseOptions;
    PitchOptions pitchOptions;
    pitchOptions.floorHz = 50;
    pitchOptions.ceilingHz = 800;
    bool speakerRange = false, withPitch = true, withVideo = true;
    double jumpLu = 10;
    std::string peaksOut;
    int samplesPerPixel = 256;
    for (int i = 4; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        double v = 0;
        auto number = [&](double& target, double min, double max) {
            if (!hasValue || !parseNumber(argv[i + 1], v) || v < min || v > max) {
                std::fprintf(stderr, "avseg-cli analyze: %s takes a number from %g to %g\n", a.c_str(), min, max);
                return false;
            }
            target = v;
            ++i;
            return true;
        };
        bool ok = true;
        if (a == "--pause-threshold-db")
            ok = number(pauseOptions.thresholdDb, -120, 0);
        else if (a == "--min-pause")
            ok = number(pauseOptions.minDuration, 0.001, 3600);
        else if (a == "--pitch-floor")
            ok = number(pitchOptions.floorHz, 1, 10000);
        else if (a == "--pitch-ceiling")
            ok = number(pitchOptions.ceilingHz, 1, 20000);
        else if (a == "--jump-lu")
            ok = number(jumpLu, 0.1, 100);
        else if (a == "--pitch-range" && hasValue && (std::strcmp(argv[i + 1], "config") == 0 || std::strcmp(argv[i + 1], "speaker") == 0))
            speakerRange = std::strcmp(argv[++i], "speaker") == 0;
        else if (a == "--no-pitch")
            withPitch = false;
        else if (a == "--no-video")
            withVideo = false;
        else if (a == "--peaks" && hasValue)
            peaksOut = argv[++i];
        else if (a == "--samples-per-pixel" && hasValue)
            samplesPerPixel = std::atoi(argv[++i]);
        else
            return usage();
        if (!ok)
            return 2;
    }
    if (pitchOptions.floorHz >= pitchOptions.ceilingHz) {
        std::fprintf(stderr, "avseg-cli analyze: --pitch-floor must be below --pitch-ceiling\n");
        return 2;
    }
    if (!peaksOut.empty() && (samplesPerPixel < 2 || peaksOut.size() < 5 || peaksOut.compare(peaksOut.size() - 4, 4, ".dat") != 0)) {
        std::fprintf(stderr, "avseg-cli analyze: --peaks OUT must end in .dat, --samples-per-pixel be 2 or more\n");
        return 2;
    }

    const auto t0 = std::chrono::steady_clock::now();
    FileReader source(path);
    if (source.size() <= 0)
        throw MediaError(ErrorCode::FetchFailed, std::string("cannot read ") + path);
    EnergyEnvelope envelope;
    LoudnessMeter meter;
    AudiowaveformData peaks;
    AudiowaveformGenerator generator(peaks, samplesPerPixel, false);
    std::vector<AudioSink*> sinks{&envelope, &meter};
    if (!peaksOut.empty())
        sinks.push_back(&generator);
    AudioSinkTee tee(sinks);
    SeekIndex index;
    StreamingDecoder decoder(tee, &index);
    // A video without sound still has motion and cuts: its sidecar holds only those
    // (doc/analysis-format.md, "A medium without audio"), and it gets no peaks.
    bool soundless = false;
    std::vector<MediaProblem> problems;
    try {
        decoder.openSeekable(source);
        while (decoder.pump(256) != StreamingDecoder::State::Done) {
        }
    } catch (const MediaError& e) {
        if (e.code() != ErrorCode::NoAudio || !withVideo)
            throw;
        soundless = true;
    }
    const double decodeMs = msSince(t0);

    AnalysisData a;
    a.generator = "avseg-cli analyze";
    int channels = 0;
    double speechMs = 0, pitchMs = 0;
    if (soundless) {
        a.sampleRate = 1;
        a.frames = 0;
        if (!peaksOut.empty())
            problems.push_back({ErrorCode::NoAudio, "peaks: the file has video but no audio track, so no peaks were written"});
        peaksOut.clear();
    } else {
        const MediaInfo& info = decoder.info();
        const AudioFormat format{info.sampleRate, info.channels};
        channels = info.channels;
        problems = decoder.problems();
        a.sampleRate = info.sampleRate;
        a.frames = decoder.framesDecoded();
        a.energy = AnalysisData::Energy{envelope.hop(), envelope.levels()};
        // Exact pause edges and pitch read the samples again, forward, through the seek index.
        FileReader again(path);
        RangeDecoder ranges(again, index, format);
        DecodedPcmSource pcm(ranges, format);
        pcm.setFrames(a.frames);
        pcm.setSeekCost(int64_t(info.sampleRate) * 30);
        a.pauses = AnalysisData::Pauses{speechLevelDb(envelope), pauseOptions, detectPauses(envelope, pauseOptions, &pcm)};
        AnalysisData::Loudness loudness;
        loudness.stepFrames = meter.stepFrames();
        loudness.momentary = meter.momentary();
        loudness.shortTerm = meter.shortTerm();
        if (meter.integrated() > LoudnessMeter::kSilenceLufs) {
            loudness.integrated = meter.integrated();
            loudness.range = meter.range();
        }
        loudness.jumpLu = jumpLu;
        loudness.jumps = meter.jumps(jumpLu);
        a.loudness = std::move(loudness);
        speechMs = msSince(t0) - decodeMs;

        const auto tPitch = std::chrono::steady_clock::now();
        if (withPitch) {
            // YIN needs four samples a period at least: a ceiling above a quarter of the rate is
            // lowered to it (said in problems); pitch that still cannot run leaves the rest standing.
            const double most = info.sampleRate / 4.0;
            if (pitchOptions.ceilingHz > most) {
                char message[200];
                std::snprintf(message, sizeof message, "pitch: the ceiling %g Hz is above a quarter of the %d Hz sample rate; pitch was tracked up to %g Hz",
                    pitchOptions.ceilingHz, info.sampleRate, most);
                problems.push_back({ErrorCode::InvalidValue, message});
                pitchOptions.ceilingHz = most;
            }
            try {
                if (pitchOptions.floorHz >= pitchOptions.ceilingHz)
                    throw MediaError(ErrorCode::InvalidValue, "the floor " + std::to_string(pitchOptions.floorHz) + " Hz is not below the ceiling " +
                        std::to_string(pitchOptions.ceilingHz) + " Hz this sample rate allows; no pitch");
                PitchTrack track = PitchTracker(info.sampleRate, pitchOptions).track(pcm, 0, a.frames);
                if (speakerRange) {
                    const PitchRange range = avseg::speakerRange(track, {pitchOptions.floorHz, pitchOptions.ceilingHz});
                    pitchOptions.floorHz = range.floorHz;
                    pitchOptions.ceilingHz = range.ceilingHz;
                    track = PitchTracker(info.sampleRate, pitchOptions).track(pcm, 0, a.frames);
                }
                a.pitch = AnalysisData::Pitch{track.hop, track.firstIndex, pitchOptions.floorHz, pitchOptions.ceilingHz, std::move(track.hz),
                    std::move(track.clarity)};
            } catch (const MediaError& e) {
                problems.push_back({e.code(), std::string("pitch: ") + e.what()});
            }
        }
        pitchMs = msSince(tPitch);
    }

    const auto tVideo = std::chrono::steady_clock::now();
    if (withVideo) {
        try {
            MotionAnalyzer motion;
            const int64_t frames = scanVideoLuma(path, 64, 36, [&](const uint8_t* luma, int64_t) { motion.push(luma, 64, 36); });
            motion.finish();
            a.video = AnalysisData::Video{frames, motion.motion(), motion.cuts(), motion.jerks()};
        } catch (const MediaError& e) {
            // Without sound the motion is all there is: its failure is the file's.
            if (soundless)
                throw;
            // An audio file has no video; a video that cannot be scanned leaves the audio's analyses standing.
            if (e.code() != ErrorCode::NoVideo)
                problems.push_back({e.code(), std::string("motion: ") + e.what()});
        }
    }
    const double videoMs = msSince(tVideo);

    const std::vector<uint8_t> bytes = writeAnalysisSidecar(a);
    writeFile(out, bytes);
    if (!peaksOut.empty())
        writeFile(peaksOut, audiowaveformDat(peaks, 16));
    size_t voiced = 0;
    if (a.pitch)
        voiced = static_cast<size_t>(std::count_if(a.pitch->hz.begin(), a.pitch->hz.end(), [](float hz) { return hz > 0; }));
    auto optional = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("null"); };
    std::printf("{\"output\":%s,\"bytes\":%zu,\"audio\":%s,\"sampleRate\":%d,\"channels\":%d,\"frames\":%lld,\"duration\":%.6f,",
        jsonString(out).c_str(), bytes.size(), soundless ? "false" : "true", a.sampleRate, channels, static_cast<long long>(a.frames),
        double(a.frames) / a.sampleRate);
    if (a.pauses && a.loudness)
        std::printf("\"speechLevelDb\":%.2f,\"pauses\":%zu,\"integratedLufs\":%s,\"loudnessRangeLu\":%s,\"loudnessJumps\":%zu,",
            a.pauses->speechLevelDb, a.pauses->pauses.size(), optional(a.loudness->integrated).c_str(), optional(a.loudness->range).c_str(),
            a.loudness->jumps.size());
    else
        std::printf("\"speechLevelDb\":null,\"pauses\":null,\"integratedLufs\":null,\"loudnessRangeLu\":null,\"loudnessJumps\":null,");
    if (a.pitch)
        std::printf("\"pitch\":{\"hop\":%d,\"points\":%zu,\"voiced\":%zu,\"floorHz\":%.2f,\"ceilingHz\":%.2f},", a.pitch->hop,
            a.pitch->hz.size(), voiced, a.pitch->floorHz, a.pitch->ceilingHz);
    else
        std::printf("\"pitch\":null,");
    if (a.video) {
        std::printf("\"video\":{\"frames\":%lld,\"cuts\":[", static_cast<long long>(a.video->frames));
        for (size_t i = 0; i < a.video->cuts.size(); ++i)
            std::printf("%s%lld", i ? "," : "", static_cast<long long>(a.video->cuts[i]));
        std::printf("],\"jerks\":%zu},", a.video->jerks.size());
    } else {
        std::printf("\"video\":null,");
    }
    if (!peaksOut.empty())
        std::printf("\"peaks\":%s,", jsonString(peaksOut).c_str());
    else
        std::printf("\"peaks\":null,");
    std::printf("\"problems\":[");
    for (size_t i = 0; i < problems.size(); ++i)
        std::printf("%s{\"code\":\"%s\",\"message\":%s}", i ? "," : "", errorCodeName(problems[i].code), jsonString(problems[i].message).c_str());
    std::printf("],\"ms\":{\"decode\":%.1f,\"pauses\":%.1f,\"pitch\":%.1f,\"video\":%.1f,\"total\":%.1f}}\n", decodeMs, speechMs, pitchMs,
        videoMs, msSince(t0));
    return 0;
}

// The core's reading of a sidecar, for checking it against another reader (tests/formats).
int readAnalysis(const char* path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw MediaError(ErrorCode::FetchFailed, std::string("cannot open ") + path);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const AnalysisData a = readAnalysisSidecar(bytes.data(), bytes.size());
    auto frames = [](const std::vector<int64_t>& v) {
        std::string out;
        for (const int64_t i : v)
            out += (out.empty() ? "" : ",") + std::to_string(i);
        return "[" + out + "]";
    };
    std::printf("{\"sampleRate\":%d,\"frames\":%lld", a.sampleRate, static_cast<long long>(a.frames));
    if (a.energy)
        std::printf(",\"energy\":{\"hop\":%d,\"levels\":%zu}", a.energy->hop, a.energy->levels.size());
    if (a.pauses) {
        std::printf(",\"pauses\":{\"speechLevelDb\":%.17g,\"thresholdDb\":%.17g,\"minDuration\":%.17g,\"pauses\":[", a.pauses->speechLevelDb,
            a.pauses->options.thresholdDb, a.pauses->options.minDuration);
        for (size_t i = 0; i < a.pauses->pauses.size(); ++i)
            std::printf("%s{\"start\":%lld,\"end\":%lld}", i ? "," : "", static_cast<long long>(a.pauses->pauses[i].start),
                static_cast<long long>(a.pauses->pauses[i].end));
        std::printf("]}");
    }
    if (a.loudness) {
        const auto& l = *a.loudness;
        std::printf(",\"loudness\":{\"stepFrames\":%lld,\"momentary\":%zu,\"integrated\":%s,\"range\":%s,\"jumps\":[",
            static_cast<long long>(l.stepFrames), l.momentary.size(), l.integrated ? std::to_string(*l.integrated).c_str() : "null",
            l.range ? std::to_string(*l.range).c_str() : "null");
        for (size_t i = 0; i < l.jumps.size(); ++i)
            std::printf("%s{\"frame\":%lld,\"from\":%.9g,\"to\":%.9g}", i ? "," : "", static_cast<long long>(l.jumps[i].frame),
                l.jumps[i].fromLufs, l.jumps[i].toLufs);
        std::printf("]}");
    }
    if (a.pitch)
        std::printf(",\"pitch\":{\"hop\":%d,\"firstIndex\":%lld,\"points\":%zu,\"floorHz\":%.17g,\"ceilingHz\":%.17g}", a.pitch->hop,
            static_cast<long long>(a.pitch->firstIndex), a.pitch->hz.size(), a.pitch->floorHz, a.pitch->ceilingHz);
    if (a.video)
        std::printf(",\"motion\":{\"frames\":%lld,\"cuts\":%s,\"jerks\":%s}", static_cast<long long>(a.video->frames),
            frames(a.video->cuts).c_str(), frames(a.video->jerks).c_str());
    std::printf("}\n");
    return 0;
}

int main(int argc, char** argv)
{
    if (argc == 3 && std::strcmp(argv[1], "read-analysis") == 0) {
        try {
            return readAnalysis(argv[2]);
        } catch (const MediaError& e) {
            std::printf("{\"error\":{\"code\":\"%s\",\"message\":%s}}\n", errorCodeName(e.code()), jsonString(e.what()).c_str());
            return 1;
        }
    }
    if (argc >= 4 && std::strcmp(argv[1], "analyze") == 0) {
        try {
            return analyze(argc, argv);
        } catch (const std::exception& e) {
            const auto* media = dynamic_cast<const MediaError*>(&e);
            std::printf("{\"error\":{\"code\":\"%s\",\"message\":%s}}\n", errorCodeName(media ? media->code() : ErrorCode::Internal), jsonString(e.what()).c_str());
            return 1;
        }
    }
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
