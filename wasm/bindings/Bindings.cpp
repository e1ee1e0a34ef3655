// SPDX-License-Identifier: MIT
// The JS boundary: adapts types, turns exceptions into error values, nothing else.
#include "AudiowaveformReader.h"
#include "FrameIndexReader.h"
#include "MediaError.h"
#include "MediaSession.h"
#include "MotionAnalyzer.h"
#include "Mp4Layout.h"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

using namespace emscripten;
using namespace avseg;

namespace {

struct Status {
    int state = 0;            // 0 need bytes, 1 decoding, 2 done, -1 failed
    std::string code = errorCodeName(ErrorCode::None);
    std::string message;
    bool ok = true;           // state >= 0: the one result shape {ok, code, message}
};

struct Info {
    std::string format;
    std::string codec;
    int sampleRate = 0;
    int channels = 0;
    double frames = 0;
    double declaredDuration = -1;
    double startTime = 0;
    double bytesReceived = 0;
    bool hasVideo = false;
};

struct View {
    double startFrame = 0;
    double framesPerPixel = 1;
    int width = 0;
    int height = 0;
    uint32_t background = 0;
    uint32_t wave = 0;
    uint32_t axis = 0;
    uint32_t sampleDot = 0;
    float amplitude = 1;
};

struct SpectrogramView {
    double startFrame = 0;
    double framesPerPixel = 1;
    int width = 0;
    int height = 0;
    int windowSize = 2048;
    std::string scale = "linear";
    std::string colorMap = "magma";
    float minDb = -100;
    float maxDb = 0;
    double minHz = 0;
    double maxHz = 0;
};

struct Rendered {
    bool ok = false;
    bool fromSamples = false;
    bool decoded = false;
    int level = 0;
    std::string code = errorCodeName(ErrorCode::None);
    std::string message;
};

// A peaks file read and seeded (Session.seedPeaksFile): what it holds, or why it was refused.
struct PeaksRead {
    bool ok = false;
    std::string code = errorCodeName(ErrorCode::None);
    std::string message;
    int version = 0;
    int bits = 0;
    int channels = 0;
    int sampleRate = 0;
    int samplesPerPixel = 0;
    double length = 0;   // pixels
};

struct SpectrogramRendered {
    bool ok = false;
    bool fromSamples = false;   // false: no seekable copy yet, only the floor colour was drawn
    int tilesComputed = 0;
    int tilesReused = 0;
    std::string code = errorCodeName(ErrorCode::None);
    std::string message;
};

Status failure(ErrorCode code, const std::string& message)
{
    return {-1, errorCodeName(code), message, false};
}

// A copy of the values as a Float32Array (the module's memory may move).
val floats(const std::vector<float>& values)
{
    return val::global("Float32Array").new_(val(typed_memory_view(values.size(), values.data())));
}

// {ok: true, code: 'none', message: ''}, to which a result's fields are added.
val okResult()
{
    val out = val::object();
    out.set("ok", true);
    out.set("code", std::string(errorCodeName(ErrorCode::None)));
    out.set("message", std::string());
    return out;
}

val failedResult(ErrorCode code, const std::string& message)
{
    val out = val::object();
    out.set("ok", false);
    out.set("code", std::string(errorCodeName(code)));
    out.set("message", message);
    return out;
}

// Runs fn(result) on an ok result; an exception becomes the failure shape.
template <typename Fn>
val attempt(Fn fn)
{
    try {
        val out = okResult();
        fn(out);
        return out;
    } catch (const MediaError& e) {
        return failedResult(e.code(), e.what());
    } catch (const std::exception& e) {
        return failedResult(ErrorCode::Internal, e.what());
    }
}

// Loudness in LUFS, or null for silence (nothing passed the gates).
val lufsOrNull(double lufs)
{
    return lufs <= LoudnessMeter::kSilenceLufs ? val::null() : val(lufs);
}

struct PitchRangeOut {
    double floorHz = 0;
    double ceilingHz = 0;
};

// The speaker's range from a wide first pass (hz, clarity on one grid), or the fallback.
PitchRangeOut speakerPitchRange(const val& hz, const val& clarity, double floorHz, double ceilingHz)
{
    PitchTrack wide;
    wide.hz = convertJSArrayToNumberVector<float>(hz);
    wide.clarity = convertJSArrayToNumberVector<float>(clarity);
    wide.clarity.resize(wide.hz.size());
    const PitchRange range = speakerRange(wide, {floorHz, ceilingHz});
    return {range.floorHz, range.ceilingHz};
}

// Motion energy and cuts of a video from small grey pictures (MotionAnalyzer), for the worker.
class Motion {
public:
    // `count` pictures of width x height luma bytes, one after another; false (none taken) for too
    // few bytes or a size other than the first pictures'.
    bool push(const val& luma, int width, int height, int count)
    {
        const size_t size = size_t(std::max(width, 0)) * size_t(std::max(height, 0));
        if (size == 0 || count <= 0 || luma["length"].as<size_t>() < size * size_t(count))
            return false;
        buffer_.resize(size * size_t(count));
        val(typed_memory_view(buffer_.size(), buffer_.data())).call<void>("set", luma.call<val>("subarray", 0, double(buffer_.size())));
        try {
            for (int i = 0; i < count; ++i)
                analyzer_.push(buffer_.data() + size * size_t(i), width, height);
        } catch (const std::exception&) {
            return false;
        }
        return true;
    }
    void finish() { analyzer_.finish(); }
    double frames() const { return double(analyzer_.frames()); }
    // {frames, motion: Float32Array, cuts: number[], jerks: number[]}
    val result() const
    {
        val out = val::object();
        out.set("frames", double(analyzer_.frames()));
        out.set("motion", floats(analyzer_.motion()));
        out.set("cuts", indices(analyzer_.cuts()));
        out.set("jerks", indices(analyzer_.jerks()));
        return out;
    }

private:
    static val indices(const std::vector<int64_t>& list)
    {
        val out = val::array();
        for (int64_t i : list)
            out.call<void>("push", double(i));
        return out;
    }
    MotionAnalyzer analyzer_;
    std::vector<uint8_t> buffer_;
};

// Reads the complete file from JS (a Blob through FileReaderSync in the worker).
class JsByteReader : public ByteReader {
public:
    JsByteReader(val readFn, double size) : readFn_(std::move(readFn)), size_(static_cast<int64_t>(size)) {}

    size_t read(uint8_t* dst, size_t n) override
    {
        const size_t take = static_cast<size_t>(std::min<int64_t>(int64_t(n), size_ - position_));
        failed_ = false;
        if (take == 0)
            return 0;
        const val bytes = readFn_(double(position_), double(take));
        const size_t got = std::min(take, bytes["length"].as<size_t>());
        // Nothing before the end: the page could not fetch them (an expired link), not the end.
        failed_ = got == 0;
        val(typed_memory_view(got, dst)).call<void>("set", bytes.call<val>("subarray", 0, got));
        position_ += static_cast<int64_t>(got);
        return got;
    }
    bool seek(int64_t position) override
    {
        if (position < 0 || position > size_)
            return false;
        position_ = position;
        return true;
    }
    int64_t position() const override { return position_; }
    int64_t size() const override { return size_; }
    bool failed() const override { return failed_; }

private:
    val readFn_;
    int64_t size_;
    int64_t position_ = 0;
    bool failed_ = false;
};

struct VideoFacts {
    bool ok = true;
    std::string code = errorCodeName(ErrorCode::None);
    std::string message;
    int width = 0;
    int height = 0;
    std::string codec;
    double timeBaseNum = 1;
    double timeBaseDen = 1;
};

// The frame index of a complete file, read through the page's Blob.
class VideoIndex {
public:
    VideoFacts open(val readFn, double size)
    {
        try {
            source_ = std::make_unique<JsByteReader>(std::move(readFn), size);
            reader_ = std::make_unique<FrameIndexReader>(*source_);
            const VideoInfo& v = reader_->info();
            return {true, errorCodeName(ErrorCode::None), "", v.width, v.height, v.codecName, double(v.timeBaseNum), double(v.timeBaseDen)};
        } catch (const MediaError& e) {
            return {false, errorCodeName(e.code()), e.what()};
        } catch (const std::exception& e) {
            return {false, errorCodeName(ErrorCode::Internal), e.what()};
        }
    }
    // False once every packet is read; then frames() holds the index.
    bool step(int maxPackets)
    {
        try {
            if (reader_ && reader_->step(maxPackets))
                return true;
        } catch (const std::exception&) {
            // a read failure ends the index where it got to
        }
        if (reader_)
            index_ = reader_->finish();
        reader_.reset();
        source_.reset();
        return false;
    }
    // Presentation times of every frame (ticks), then the end of the last one.
    val frames() const
    {
        std::vector<double> out(index_.pts.begin(), index_.pts.end());
        out.push_back(double(index_.endPts));
        return val::global("Float64Array").new_(val(typed_memory_view(out.size(), out.data())));
    }
    val keyFrames() const { return val::global("Uint8Array").new_(val(typed_memory_view(index_.keyFrame.size(), index_.keyFrame.data()))); }

private:
    std::unique_ptr<JsByteReader> source_;
    std::unique_ptr<FrameIndexReader> reader_;
    FrameIndex index_;
};

// The rows (0 = top edge) where the given frequencies fall in a spectrogram of `rows` rows,
// for drawing its frequency axis; NaN for a frequency outside the view or a bad style.
val spectrogramRows(const SpectrogramView& v, int sampleRate, const val& hz)
{
    SpectrogramStyle style;
    style.windowSize = v.windowSize;
    style.minHz = v.minHz;
    style.maxHz = v.maxHz;
    const bool known = frequencyScaleFromName(v.scale, style.scale);
    const FrequencyAxis axis = frequencyAxis(style, sampleRate, v.height);
    const size_t n = hz["length"].as<size_t>();
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) {
        const double f = hz[i].as<double>();
        out[i] = known && f >= axis.minHz && f <= axis.maxHz ? hzToRow(axis, f) : std::nan("");
    }
    return val::global("Float64Array").new_(val(typed_memory_view(out.size(), out.data())));
}

class Session {
public:
    void push(const val& bytes)
    {
        std::vector<uint8_t> copy(bytes["length"].as<size_t>());
        val(typed_memory_view(copy.size(), copy.data())).call<void>("set", bytes);
        session_.push(std::move(copy));
    }

    void finish() { session_.finish(); }

    Status pump(int maxPackets)
    {
        try {
            return {static_cast<int>(session_.pump(maxPackets)), errorCodeName(ErrorCode::None), ""};
        } catch (const MediaError& e) {
            return failure(e.code(), e.what());
        } catch (const std::exception& e) {
            return failure(ErrorCode::Internal, e.what());
        }
    }

    Info info() const
    {
        const MediaInfo& m = session_.info();
        return {m.formatName, m.codecName, m.sampleRate, m.channels, double(session_.framesDecoded()),
            m.declaredDuration, m.startTime, double(session_.bytesReceived()), m.hasVideo};
    }

    bool opened() const { return session_.opened(); }
    double bytesAhead() const { return double(session_.bytesAhead()); }
    double memoryBytes() const { return double(session_.memoryBytes()); }
    // Frames per pixel of the peaks' finest level: a finer view needs the file's samples.
    double peaksBaseFrames() const { return double(int64_t(1) << session_.peaks().baseShift()); }

    val problems() const
    {
        val list = val::array();
        for (const MediaProblem& p : session_.problems()) {
            val item = val::object();
            item.set("code", std::string(errorCodeName(p.code)));
            item.set("message", p.message);
            list.call<void>("push", item);
        }
        return list;
    }

    // A peaks file (BBC audiowaveform's .dat or JSON, as bytes), read by the core and drawn until
    // the decode is done; refused with what is wrong.
    PeaksRead seedPeaksFile(const val& bytes)
    {
        std::vector<uint8_t> copy(bytes["length"].as<size_t>());
        val(typed_memory_view(copy.size(), copy.data())).call<void>("set", bytes);
        const AudiowaveformRead read = readAudiowaveform(copy.data(), copy.size());
        PeaksRead out;
        if (!read.ok) {
            out.code = errorCodeName(ErrorCode::InvalidPeaks);
            out.message = read.error;
            return out;
        }
        const AudiowaveformHeader& h = read.header;
        if (!session_.seedPeaks(read.data.data(), read.data.size(), h.channels, h.sampleRate, h.samplesPerPixel)) {
            out.code = errorCodeName(ErrorCode::InvalidPeaks);
            out.message = "the peaks do not add up to whole pixels";
            return out;
        }
        out = {true, errorCodeName(ErrorCode::None), "", h.version, h.bits, h.channels, h.sampleRate, h.samplesPerPixel, double(h.length)};
        return out;
    }

    // How the seeded peaks fail to fit the media (empty when they fit or nothing is known yet).
    std::string peaksMismatch() const { return session_.peaksMismatch(); }

    // Decodes from the start through readFn (HTTP Range requests), pushing nothing.
    Status openSeekable(val readFn, double size)
    {
        try {
            session_.openSeekable(std::make_unique<JsByteReader>(std::move(readFn), size));
            return {2, errorCodeName(ErrorCode::None), ""};
        } catch (const MediaError& e) {
            return failure(e.code(), e.what());
        } catch (const std::exception& e) {
            return failure(ErrorCode::Internal, e.what());
        }
    }

    Status attachSeekable(val readFn, double size)
    {
        try {
            session_.attachSeekable(std::make_unique<JsByteReader>(std::move(readFn), size));
            return {2, errorCodeName(ErrorCode::None), ""};
        } catch (const MediaError& e) {
            return failure(e.code(), e.what());
        } catch (const std::exception& e) {
            return failure(ErrorCode::Internal, e.what());
        }
    }

    bool needsDecode(const View& v)
    {
        try {
            return session_.needsDecode({v.startFrame, v.framesPerPixel}, v.width);
        } catch (const std::exception&) {
            return false;
        }
    }

    double framesToDecode(const View& v)
    {
        try {
            return double(session_.framesToDecode({v.startFrame, v.framesPerPixel}, v.width));
        } catch (const std::exception&) {
            return 0;
        }
    }

    // decode false: finer than the peaks, draw them coarsely now rather than decode samples.
    Rendered render(const View& v, bool decode)
    {
        Rendered out;
        try {
            pixels_.resize(size_t(std::max(v.width, 0)) * size_t(std::max(v.height, 0)) * 4);
            RgbaImage image{pixels_.data(), v.width, v.height, v.width * 4};
            const WaveformStyle style{v.background, v.wave, v.axis, v.sampleDot, v.amplitude};
            const RenderInfo info = session_.render(image, {v.startFrame, v.framesPerPixel}, style, decode);
            out.ok = true;
            out.fromSamples = info.fromSamples;
            out.decoded = info.decoded;
            out.level = info.pyramidLevel;
        } catch (const MediaError& e) {
            out.code = errorCodeName(e.code());
            out.message = e.what();
        } catch (const std::exception& e) {
            out.code = errorCodeName(ErrorCode::Internal);
            out.message = e.what();
        }
        return out;
    }

    // Decodes for at most budgetMs (at least one packet) what the views after this one likely
    // need; true while more remains. A failure is left for the render that needs those samples.
    bool prefetch(const View& v, double budgetMs)
    {
        try {
            DecodedWindowCache::Limits limits;
            limits.deadline = DecodedWindowCache::Clock::now()
                + std::chrono::microseconds(int64_t(std::clamp(budgetMs, 0.0, 1e6) * 1000));
            return session_.prefetch({v.startFrame, v.framesPerPixel}, v.width, limits);
        } catch (const std::exception&) {
            return false;
        }
    }

    // The bytes [start, end) render(v, true) will read to decode what is not cached (bytesFor), or
    // the next prefetch calls (bytesForPrefetch); [0, 0] when none: fetched ahead in one request.
    val bytesFor(const View& v) { return byteSpan([&] { return session_.bytesFor({v.startFrame, v.framesPerPixel}, v.width); }); }
    val bytesForPrefetch(const View& v) { return byteSpan([&] { return session_.bytesForPrefetch({v.startFrame, v.framesPerPixel}, v.width); }); }

    SpectrogramRendered renderSpectrogram(const SpectrogramView& v)
    {
        SpectrogramRendered out;
        try {
            SpectrogramStyle style;
            style.windowSize = v.windowSize;
            style.minDb = v.minDb;
            style.maxDb = v.maxDb;
            style.minHz = v.minHz;
            style.maxHz = v.maxHz;
            if (!frequencyScaleFromName(v.scale, style.scale))
                throw MediaError(ErrorCode::Internal, "unknown frequency scale '" + v.scale + "' (linear, mel, log)");
            if (!colorMapFromName(v.colorMap, style.colorMap))
                throw MediaError(ErrorCode::Internal, "unknown colour map '" + v.colorMap + "' (magma, viridis, grayscale)");
            pixels_.resize(size_t(std::max(v.width, 0)) * size_t(std::max(v.height, 0)) * 4);
            RgbaImage image{pixels_.data(), v.width, v.height, v.width * 4};
            const RenderInfo info = session_.renderSpectrogram(image, {v.startFrame, v.framesPerPixel}, style);
            out.ok = true;
            out.fromSamples = info.fromSamples;
            out.tilesComputed = info.tilesComputed;
            out.tilesReused = info.tilesReused;
        } catch (const MediaError& e) {
            out.code = errorCodeName(e.code());
            out.message = e.what();
        } catch (const std::exception& e) {
            out.code = errorCodeName(ErrorCode::Internal);
            out.message = e.what();
        }
        return out;
    }

    // The last rendered frame; valid until the next call into the module.
    val pixels() const { return val(typed_memory_view(pixels_.size(), pixels_.data())); }

    // A copy of the decoded samples [first, first + count), planar (channel after channel);
    // shorter where the media ends, empty without a seekable copy. For bit-exactness tests.
    val samples(double first, double count)
    {
        PcmSpan span;
        try {
            span = session_.samples(int64_t(first), int64_t(count));
        } catch (const std::exception&) {
        }
        if (span.firstFrame != int64_t(first) || !span.data)
            span.frames = 0;
        val out = val::global("Float32Array").new_(double(span.frames) * span.channels);
        for (int c = 0; c < span.channels && span.frames > 0; ++c)
            out.call<void>("set", val(typed_memory_view(size_t(span.frames), span.data[c])), double(span.frames) * c);
        return out;
    }

private:
    template <typename Fn>
    static val byteSpan(Fn fn)
    {
        MediaSession::ByteSpan span{0, 0};
        try {
            span = fn();
        } catch (const std::exception&) {
        }
        const double out[2] = {double(span.first), double(span.second)};
        return val::global("Float64Array").new_(val(typed_memory_view(2, out)));
    }

public:
    // The energy envelope of what is decoded so far: {sampleRate, hop, levels: Float32Array (dBFS per block)}.
    val energy() const
    {
        const EnergyEnvelope& e = session_.envelope();
        val out = val::object();
        out.set("sampleRate", e.sampleRate());
        out.set("hop", e.hop());
        out.set("levels", floats(e.levels()));
        return out;
    }

    // EBU R128 loudness of what is decoded so far, and the jumps of at least jumpLu LU.
    val loudness(double jumpLu) const
    {
        const LoudnessMeter& m = session_.loudness();
        return attempt([&](val& out) {
            out.set("sampleRate", m.sampleRate());
            out.set("stepFrames", double(m.stepFrames()));
            out.set("momentary", floats(m.momentary()));
            out.set("shortTerm", floats(m.shortTerm()));
            const val integrated = lufsOrNull(m.integrated());
            out.set("integrated", integrated);
            out.set("range", integrated.isNull() ? val::null() : val(m.range()));
            val jumps = val::array();
            for (const LoudnessJump& j : m.jumps(jumpLu)) {
                val item = val::object();
                item.set("frame", double(j.frame));
                item.set("from", j.fromLufs);
                item.set("to", j.toLufs);
                jumps.call<void>("push", item);
            }
            out.set("jumps", jumps);
        });
    }

    // Pauses in what is decoded so far (kept for snap()); exact: edges refined from the file's samples.
    val pauses(double thresholdDb, double minDuration, bool exact)
    {
        return attempt([&](val& out) {
            PauseOptions options;
            options.thresholdDb = thresholdDb;
            options.minDuration = minDuration;
            const std::vector<Pause>& found = session_.findPauses(options, exact);
            out.set("sampleRate", session_.envelope().sampleRate());
            out.set("speechLevelDb", speechLevelDb(session_.envelope()));
            out.set("thresholdDb", thresholdDb);
            out.set("minDuration", minDuration);
            val list = val::array();
            for (const Pause& p : found) {
                val item = val::object();
                item.set("start", double(p.start));
                item.set("end", double(p.end));
                list.call<void>("push", item);
            }
            out.set("pauses", list);
        });
    }

    // The pitch grid's hop (frames) for this hop in seconds; 0 before the media is open.
    int pitchHop(double floorHz, double ceilingHz, double hopSeconds)
    {
        try {
            return session_.pitchHop(pitchOptions(floorHz, ceilingHz, hopSeconds));
        } catch (const std::exception&) {
            return 0;
        }
    }

    // F0 at the grid points centred in [first, first + count): {hop, firstIndex, hz, clarity} (Float32Arrays).
    val pitch(double first, double count, double floorHz, double ceilingHz, double hopSeconds)
    {
        return attempt([&](val& out) {
            const PitchTrack track = session_.pitch(int64_t(first), int64_t(count), pitchOptions(floorHz, ceilingHz, hopSeconds));
            out.set("hop", track.hop);
            out.set("firstIndex", double(track.firstIndex));
            out.set("hz", floats(track.hz));
            out.set("clarity", floats(track.clarity));
        });
    }

    // The boundary `frame` snapped within `radius` frames to the kinds asked (1 pause edge, 2 energy
    // minimum, 4 zero crossing): {frame, kind: 'pause'|'energy'|'zero'|null}.
    val snap(double frame, double radius, int kinds)
    {
        SnapResult r{int64_t(frame), SnapNone};
        try {
            r = session_.snap(int64_t(frame), int64_t(std::max(radius, 0.0)), unsigned(std::max(kinds, 0)));
        } catch (const std::exception&) {
            // a refused read: nothing to snap to
        }
        val out = val::object();
        out.set("frame", double(r.frame));
        switch (r.kind) {
        case SnapPauseEdge: out.set("kind", std::string("pause")); break;
        case SnapEnergyMinimum: out.set("kind", std::string("energy")); break;
        case SnapZeroCrossing: out.set("kind", std::string("zero")); break;
        default: out.set("kind", val::null()); break;
        }
        return out;
    }

    // The bytes [start, end) that decoding frames [first, end) reads: fetched ahead by the worker.
    val bytesForFrames(double first, double end) { return byteSpan([&] { return session_.bytesForFrames(int64_t(first), int64_t(end)); }); }

private:
    static PitchOptions pitchOptions(double floorHz, double ceilingHz, double hopSeconds)
    {
        PitchOptions options;
        options.floorHz = floorHz;
        options.ceilingHz = ceilingHz;
        options.hopSeconds = hopSeconds;
        return options;
    }

    MediaSession session_;
    std::vector<uint8_t> pixels_;
};

struct ReadPlanState {
    std::string container;
    bool done = false;
    bool fragmented = false;
    bool hopByHop = false;
    std::string problem;
};

val rangesArray(const std::vector<ByteRange>& ranges)
{
    std::vector<double> out;
    out.reserve(ranges.size() * 2);
    for (const ByteRange& r : ranges) {
        out.push_back(double(r.start));
        out.push_back(double(r.end));
    }
    return val::global("Float64Array").new_(val(typed_memory_view(out.size(), out.data())));
}

// Mp4Layout for the worker: which bytes of an MP4 to fetch, in few large batches.
class ReadPlan {
public:
    explicit ReadPlan(double size)
        : layout_(int64_t(size))
    {
    }
    void feed(double start, const val& bytes)
    {
        std::vector<uint8_t> copy(bytes["length"].as<size_t>());
        val(typed_memory_view(copy.size(), copy.data())).call<void>("set", bytes);
        layout_.feed(int64_t(start), copy.data(), copy.size());
    }
    val wants() const { return rangesArray(layout_.wants()); }
    ReadPlanState state() const
    {
        ReadPlanState s;
        // Undecided (no bytes yet) reads as unknown, with wants() naming the head.
        s.container = layout_.container() == Mp4Layout::Container::Mp4 ? "mp4" : "unknown";
        s.done = layout_.done();
        s.fragmented = layout_.fragmented();
        s.hopByHop = layout_.hopByHop();
        s.problem = layout_.problem();
        return s;
    }
    val mediaRanges() const { return rangesArray(layout_.mediaRanges()); }
    val indexRanges() const { return rangesArray(layout_.indexRanges()); }

private:
    Mp4Layout layout_;
};

} // namespace

EMSCRIPTEN_BINDINGS(avseg)
{
    value_object<Status>("Status")
        .field("state", &Status::state)
        .field("code", &Status::code)
        .field("message", &Status::message)
        .field("ok", &Status::ok);
    value_object<Info>("Info")
        .field("format", &Info::format)
        .field("codec", &Info::codec)
        .field("sampleRate", &Info::sampleRate)
        .field("channels", &Info::channels)
        .field("frames", &Info::frames)
        .field("declaredDuration", &Info::declaredDuration)
        .field("startTime", &Info::startTime)
        .field("bytesReceived", &Info::bytesReceived)
        .field("hasVideo", &Info::hasVideo);
    value_object<View>("View")
        .field("startFrame", &View::startFrame)
        .field("framesPerPixel", &View::framesPerPixel)
        .field("width", &View::width)
        .field("height", &View::height)
        .field("background", &View::background)
        .field("wave", &View::wave)
        .field("axis", &View::axis)
        .field("sampleDot", &View::sampleDot)
        .field("amplitude", &View::amplitude);
    value_object<Rendered>("Rendered")
        .field("ok", &Rendered::ok)
        .field("fromSamples", &Rendered::fromSamples)
        .field("decoded", &Rendered::decoded)
        .field("level", &Rendered::level)
        .field("code", &Rendered::code)
        .field("message", &Rendered::message);
    value_object<SpectrogramView>("SpectrogramView")
        .field("startFrame", &SpectrogramView::startFrame)
        .field("framesPerPixel", &SpectrogramView::framesPerPixel)
        .field("width", &SpectrogramView::width)
        .field("height", &SpectrogramView::height)
        .field("windowSize", &SpectrogramView::windowSize)
        .field("scale", &SpectrogramView::scale)
        .field("colorMap", &SpectrogramView::colorMap)
        .field("minDb", &SpectrogramView::minDb)
        .field("maxDb", &SpectrogramView::maxDb)
        .field("minHz", &SpectrogramView::minHz)
        .field("maxHz", &SpectrogramView::maxHz);
    value_object<PeaksRead>("PeaksRead")
        .field("ok", &PeaksRead::ok)
        .field("code", &PeaksRead::code)
        .field("message", &PeaksRead::message)
        .field("version", &PeaksRead::version)
        .field("bits", &PeaksRead::bits)
        .field("channels", &PeaksRead::channels)
        .field("sampleRate", &PeaksRead::sampleRate)
        .field("samplesPerPixel", &PeaksRead::samplesPerPixel)
        .field("length", &PeaksRead::length);
    value_object<SpectrogramRendered>("SpectrogramRendered")
        .field("ok", &SpectrogramRendered::ok)
        .field("fromSamples", &SpectrogramRendered::fromSamples)
        .field("tilesComputed", &SpectrogramRendered::tilesComputed)
        .field("tilesReused", &SpectrogramRendered::tilesReused)
        .field("code", &SpectrogramRendered::code)
        .field("message", &SpectrogramRendered::message);
    class_<Session>("Session")
        .constructor<>()
        .function("push", &Session::push)
        .function("finish", &Session::finish)
        .function("pump", &Session::pump)
        .function("info", &Session::info)
        .function("opened", &Session::opened)
        .function("bytesAhead", &Session::bytesAhead)
        .function("memoryBytes", &Session::memoryBytes)
        .function("peaksBaseFrames", &Session::peaksBaseFrames)
        .function("problems", &Session::problems)
        .function("attachSeekable", &Session::attachSeekable)
        .function("openSeekable", &Session::openSeekable)
        .function("seedPeaksFile", &Session::seedPeaksFile)
        .function("peaksMismatch", &Session::peaksMismatch)
        .function("needsDecode", &Session::needsDecode)
        .function("framesToDecode", &Session::framesToDecode)
        .function("prefetch", &Session::prefetch)
        .function("bytesFor", &Session::bytesFor)
        .function("bytesForPrefetch", &Session::bytesForPrefetch)
        .function("render", &Session::render)
        .function("renderSpectrogram", &Session::renderSpectrogram)
        .function("pixels", &Session::pixels)
        .function("samples", &Session::samples)
        .function("energy", &Session::energy)
        .function("loudness", &Session::loudness)
        .function("pauses", &Session::pauses)
        .function("pitchHop", &Session::pitchHop)
        .function("pitch", &Session::pitch)
        .function("snap", &Session::snap)
        .function("bytesForFrames", &Session::bytesForFrames);
    value_object<PitchRangeOut>("PitchRange")
        .field("floorHz", &PitchRangeOut::floorHz)
        .field("ceilingHz", &PitchRangeOut::ceilingHz);
    function("speakerPitchRange", &speakerPitchRange);
    class_<Motion>("Motion")
        .constructor<>()
        .function("push", &Motion::push)
        .function("finish", &Motion::finish)
        .function("frames", &Motion::frames)
        .function("result", &Motion::result);
    function("spectrogramRows", &spectrogramRows);
    value_object<VideoFacts>("VideoFacts")
        .field("ok", &VideoFacts::ok)
        .field("code", &VideoFacts::code)
        .field("message", &VideoFacts::message)
        .field("width", &VideoFacts::width)
        .field("height", &VideoFacts::height)
        .field("codec", &VideoFacts::codec)
        .field("timeBaseNum", &VideoFacts::timeBaseNum)
        .field("timeBaseDen", &VideoFacts::timeBaseDen);
    class_<VideoIndex>("VideoIndex")
        .constructor<>()
        .function("open", &VideoIndex::open)
        .function("step", &VideoIndex::step)
        .function("frames", &VideoIndex::frames)
        .function("keyFrames", &VideoIndex::keyFrames);
    value_object<ReadPlanState>("ReadPlanState")
        .field("container", &ReadPlanState::container)
        .field("done", &ReadPlanState::done)
        .field("fragmented", &ReadPlanState::fragmented)
        .field("hopByHop", &ReadPlanState::hopByHop)
        .field("problem", &ReadPlanState::problem);
    class_<ReadPlan>("ReadPlan")
        .constructor<double>()
        .function("feed", &ReadPlan::feed)
        .function("wants", &ReadPlan::wants)
        .function("state", &ReadPlan::state)
        .function("mediaRanges", &ReadPlan::mediaRanges)
        .function("indexRanges", &ReadPlan::indexRanges);
}
