// SPDX-License-Identifier: MIT
// Times one phase of the analysis of a file and prints it as one JSON line (bench/analysis.mjs runs it,
// natively and compiled to wasm for Node, a fresh process per phase so peak memory is the phase's own):
//   decode  the streaming decode alone (with its seek index, as MediaSession's), into a sink that drops
//           the samples: the baseline;
//   speech  the same decode feeding an EnergyEnvelope and a LoudnessMeter (as MediaSession's tee does),
//           then the speech level, pauses (block edges), loudness jumps;
//   pitch   a decode that builds the seek index, then PitchTracker over the whole file read back
//           through RangeDecoder + DecodedPcmSource (as the CLI and the worker do); the time spent
//           in the reads (decoding) is measured apart from the tracker's own.
// Usage: analysis-bench PHASE FILE [PIECE_SECONDS]   (pitch in pieces of PIECE_SECONDS, as the worker's idle slices)

#include "AudioSink.h"
#include "ByteReader.h"
#include "DecodedPcmSource.h"
#include "EnergyEnvelope.h"
#include "FileReader.h"
#include "LoudnessMeter.h"
#include "MediaError.h"
#include "PauseDetector.h"
#include "PitchTracker.h"
#include "RangeDecoder.h"
#include "SeekIndex.h"
#include "StreamingDecoder.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <algorithm>
#include <ctime>
#include <malloc.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#else
#include <sys/resource.h>
#endif

using namespace avseg;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU milliseconds of the process: on a machine shared with other work they stay close to what the
// code costs while wall time also counts the waits for a core. In wasm, Node's process.cpuUsage().
double cpuMs()
{
#ifdef __EMSCRIPTEN__
    return EM_ASM_DOUBLE({
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
    });
#else
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
#endif
}

// Wall and CPU time of what runs between start() and stop(), summed over the calls.
struct Stopwatch {
    void start()
    {
        wall0 = Clock::now();
        cpu0 = cpuMs();
    }
    void stop()
    {
        cpu += cpuMs() - cpu0;
        wall += msSince(wall0);
    }
    Clock::time_point wall0;
    double cpu0 = 0;
    double wall = 0;
    double cpu = 0;
};

// Peak memory of the process so far: the wasm memory (it never shrinks) or the resident set.
double processPeakBytes()
{
#ifdef __EMSCRIPTEN__
    return double(__builtin_wasm_memory_size(0)) * 65536.0;
#else
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) * 1024.0;
#endif
}

// Bytes the allocator has handed out now (malloc's own view: what the code holds, not what the
// process has reserved), and the most seen at the points where it is sampled.
double heapNow()
{
#ifdef __EMSCRIPTEN__
    return double(mallinfo().uordblks);
#else
    const struct mallinfo2 m = mallinfo2();
    return double(m.uordblks + m.hblkhd);
#endif
}

double heapPeak = 0;
int heapCalls = 0;

void sampleHeap(bool always = false)
{
    if (always || (++heapCalls & 63) == 0)
        heapPeak = std::max(heapPeak, heapNow());
}

struct NullSink : AudioSink {
    void start(const AudioFormat& f) override { format = f; }
    void process(const float* const*, size_t n) override
    {
        frames += int64_t(n);
        sampleHeap();
    }
    void done() override {}
    AudioFormat format;
    int64_t frames = 0;
};

// The analysers behind a clock: what they cost apart from the decode that feeds them.
struct TimedTee : AudioSink {
    TimedTee(AudioSink& a, AudioSink& b) : a_(a), b_(b) {}
    void start(const AudioFormat& f) override
    {
        format = f;
        a_.start(f);
        b_.start(f);
    }
    void process(const float* const* ch, size_t n) override
    {
        clock.start();
        a_.process(ch, n);
        b_.process(ch, n);
        clock.stop();
        frames += int64_t(n);
        sampleHeap();
    }
    void done() override
    {
        clock.start();
        a_.done();
        b_.done();
        clock.stop();
    }
    AudioFormat format;
    int64_t frames = 0;
    Stopwatch clock;

private:
    AudioSink& a_;
    AudioSink& b_;
};

// The decoding under the tracker's reads, timed apart.
struct TimedPcm : PcmSource {
    explicit TimedPcm(PcmSource& inner) : inner_(inner) {}
    int sampleRate() const override { return inner_.sampleRate(); }
    int channels() const override { return inner_.channels(); }
    int64_t frames() const override { return inner_.frames(); }
    PcmSpan read(int64_t first, int64_t count) override
    {
        clock.start();
        const PcmSpan span = inner_.read(first, count);
        clock.stop();
        sampleHeap(true);
        return span;
    }
    Stopwatch clock;

private:
    PcmSource& inner_;
};

void decodeAll(StreamingDecoder& decoder, ByteReader& source)
{
    decoder.openSeekable(source);
    while (decoder.pump(256) != StreamingDecoder::State::Done) {
    }
}

int run(const std::string& phase, const char* path, double pieceSeconds)
{
    FileReader source(path);
    if (source.size() <= 0)
        throw MediaError(ErrorCode::FetchFailed, std::string("cannot read ") + path);
    const double heapBefore = heapNow();
    Stopwatch whole;
    whole.start();
    int rate = 0, channels = 0;
    int64_t frames = 0;
    Stopwatch analysis, reads;
    double outputBytes = 0;
    std::string extra;

    if (phase == "decode") {
        NullSink sink;
        SeekIndex index;
        StreamingDecoder decoder(sink, &index);
        decodeAll(decoder, source);
        sampleHeap(true);
        rate = sink.format.sampleRate;
        channels = sink.format.channels;
        frames = sink.frames;
    } else if (phase == "speech") {
        EnergyEnvelope envelope;
        LoudnessMeter meter;
        TimedTee tee(envelope, meter);
        SeekIndex index;
        StreamingDecoder decoder(tee, &index);
        decodeAll(decoder, source);
        analysis.start();
        const double level = speechLevelDb(envelope);
        const std::vector<Pause> pauses = detectPauses(envelope, PauseOptions{}, nullptr);
        const auto jumps = meter.jumps(10.0);
        const double integrated = meter.integrated();
        analysis.stop();
        analysis.wall += tee.clock.wall;
        analysis.cpu += tee.clock.cpu;
        sampleHeap(true);
        rate = tee.format.sampleRate;
        channels = tee.format.channels;
        frames = tee.frames;
        outputBytes = double(envelope.memoryBytes() + meter.memoryBytes() + pauses.capacity() * sizeof(Pause)
            + jumps.capacity() * sizeof(jumps[0]));
        char buffer[160];
        std::snprintf(buffer, sizeof buffer, ",\"speechLevelDb\":%.2f,\"pauses\":%zu,\"jumps\":%zu,\"integratedLufs\":%.2f", level,
            pauses.size(), jumps.size(), integrated);
        extra = buffer;
    } else if (phase == "pitch") {
        NullSink sink;
        SeekIndex index;
        StreamingDecoder decoder(sink, &index);
        decodeAll(decoder, source);
        whole.stop();
        const Stopwatch indexClock = whole;
        whole.start();
        rate = sink.format.sampleRate;
        channels = sink.format.channels;
        frames = sink.frames;
        FileReader again(path);
        RangeDecoder ranges(again, index, sink.format);
        DecodedPcmSource decoded(ranges, sink.format);
        decoded.setFrames(frames);
        decoded.setSeekCost(int64_t(rate) * 30);
        TimedPcm pcm(decoded);
        PitchTracker tracker(rate, PitchOptions{});
        Stopwatch pitch;
        pitch.start();
        size_t points = 0, voiced = 0;
        const int64_t piece = pieceSeconds > 0 ? std::max<int64_t>(1, int64_t(pieceSeconds * rate)) : frames;
        // The whole file's values, as the element keeps them.
        std::vector<float> hz, clarity;
        hz.reserve(size_t((frames + tracker.hop() - 1) / tracker.hop()));
        clarity.reserve(hz.capacity());
        for (int64_t first = 0; first < frames; first += piece) {
            const PitchTrack track = tracker.track(pcm, first, std::min(piece, frames - first));
            hz.insert(hz.end(), track.hz.begin(), track.hz.end());
            clarity.insert(clarity.end(), track.clarity.begin(), track.clarity.end());
            points += track.hz.size();
        }
        for (float v : hz)
            voiced += v > 0;
        pitch.stop();
        sampleHeap(true);
        reads = pcm.clock;
        analysis.wall = pitch.wall - reads.wall;
        analysis.cpu = pitch.cpu - reads.cpu;
        outputBytes = double(points) * 8.0;   // hz and clarity, 4 bytes each
        char buffer[200];
        std::snprintf(buffer, sizeof buffer,
            ",\"points\":%zu,\"voiced\":%zu,\"hop\":%d,\"decimation\":%d,\"indexMs\":%.1f,\"indexCpuMs\":%.1f,\"pitchTotalMs\":%.1f,"
            "\"pitchTotalCpuMs\":%.1f",
            points, voiced, tracker.hop(), tracker.decimation(), indexClock.wall, indexClock.cpu, pitch.wall, pitch.cpu);
        extra = buffer;
    } else {
        std::fprintf(stderr, "analysis-bench: unknown phase %s (decode, speech or pitch)\n", phase.c_str());
        return 2;
    }
    whole.stop();
    std::printf("{\"phase\":\"%s\",\"sampleRate\":%d,\"channels\":%d,\"frames\":%lld,\"audioSeconds\":%.3f,\"wallMs\":%.1f,"
                "\"cpuMs\":%.1f,\"analysisMs\":%.1f,\"analysisCpuMs\":%.1f,\"readMs\":%.1f,\"readCpuMs\":%.1f,\"outputBytes\":%.0f,"
                "\"heapBefore\":%.0f,\"heapPeak\":%.0f,\"processPeak\":%.0f%s}\n",
        phase.c_str(), rate, channels, static_cast<long long>(frames), double(frames) / (rate > 0 ? rate : 1), whole.wall, whole.cpu,
        analysis.wall, analysis.cpu, reads.wall, reads.cpu, outputBytes, heapBefore, heapPeak, processPeakBytes(), extra.c_str());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: analysis-bench decode|speech|pitch FILE [PIECE_SECONDS]\n");
        return 2;
    }
    try {
        return run(argv[1], argv[2], argc > 3 ? std::atof(argv[3]) : 0);
    } catch (const MediaError& e) {
        std::fprintf(stderr, "analysis-bench: %s: %s\n", errorCodeName(e.code()), e.what());
        return 1;
    }
}
