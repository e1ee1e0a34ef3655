// SPDX-License-Identifier: MIT
// libFuzzer harness: arbitrary bytes through the demuxer and decoder alone (no peaks, no
// rendering, no range decoding: fuzz_render and fuzz_range drive those). Input: one control
// byte, then the medium.
//   bits 0-3  chunk size: up to 2^n bytes per push; 14: read through a seekable source
//             (openSeekable), 15: everything in one push
//   bits 4-5  probeBytes   2 KiB, 16 KiB, 64 KiB, 512 KiB
//   bits 6-7  readAhead    512 B, 8 KiB, 64 KiB, 1 MiB
// MediaError is the expected failure; anything else escaping the core is a bug.
#include "FuzzInput.h"
#include "MediaError.h"
#include "MemoryReader.h"
#include "SeekIndex.h"
#include "StreamingDecoder.h"

#include <algorithm>
#include <exception>
#include <vector>

using namespace avseg;
using avseg::fuzz::bug;

namespace {

constexpr const char* kName = "fuzz_decoder";
// pump(64) calls per input: bounds the work on inputs that decode to a lot of audio.
constexpr int kMaxPumps = 1024;
// Pushes per input at most (about): tiny chunks of a large input would only test the deque.
constexpr size_t kMaxChunks = 512;

uint32_t nextRandom(uint32_t& s)
{
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

// Checks the order of the sink's calls and counts frames; keeps no samples.
class CheckingSink : public AudioSink {
public:
    void start(const AudioFormat& format) override
    {
        if (started || finished)
            bug(kName, "start() called twice or after done()");
        if (format.channels <= 0 || format.sampleRate <= 0)
            bug(kName, "start() with " + std::to_string(format.channels) + " channels at " + std::to_string(format.sampleRate) + " Hz");
        started = true;
        this->format = format;
    }
    void process(const float* const* channels, size_t n) override
    {
        if (!started || finished)
            bug(kName, "process() before start() or after done()");
        // Touch the first and last sample of every plane: ASan sees a short plane.
        volatile float sum = 0;
        for (int c = 0; c < format.channels && n > 0; ++c)
            sum = sum + channels[c][0] + channels[c][n - 1];
        frames += int64_t(n);
    }
    void done() override
    {
        if (finished)
            bug(kName, "done() called twice");
        finished = true;
    }

    AudioFormat format;
    bool started = false, finished = false;
    int64_t frames = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t control = data[0];
    const uint8_t* media = data + 1;
    const size_t mediaSize = size - 1;

    static const int64_t kProbe[] = {2 << 10, 16 << 10, 64 << 10, 512 << 10};
    static const int64_t kReadAhead[] = {512, 8 << 10, 64 << 10, 1 << 20};
    StreamingDecoder::Options options;
    options.probeBytes = kProbe[(control >> 4) & 3];
    options.readAhead = kReadAhead[(control >> 6) & 3];

    const int chunkBits = control & 15;
    const size_t minChunk = mediaSize / kMaxChunks + 1;
    uint32_t rng = 0x9e3779b9u * (control + 1u);

    CheckingSink sink;
    SeekIndex index;
    // The complete file, as the element attaches it once downloaded: lets the streaming pass
    // continue past a packet larger than its read-ahead.
    MemoryReader whole(std::vector<uint8_t>(media, media + mediaSize));
    try {
        StreamingDecoder decoder(sink, &index, options);
        int pumps = 0;
        StreamingDecoder::State state = StreamingDecoder::State::NeedBytes;
        if (chunkBits == 14) {
            decoder.openSeekable(whole);
        } else {
            for (size_t at = 0; at < mediaSize && pumps < kMaxPumps;) {
                size_t n = chunkBits == 15 ? mediaSize : 1 + nextRandom(rng) % (size_t(1) << chunkBits);
                n = std::min(std::max(n, minChunk), mediaSize - at);
                decoder.push(media + at, n);
                at += n;
                do {
                    state = decoder.pump(64);
                } while (state == StreamingDecoder::State::Decoding && ++pumps < kMaxPumps);
                if (state == StreamingDecoder::State::Done)
                    break;
            }
            decoder.finish();
            decoder.setWholeFile(&whole);
        }
        while (state != StreamingDecoder::State::Done && pumps++ < kMaxPumps) {
            state = decoder.pump(64);
            // Every byte is here: asking for more would stall the caller forever.
            if (state == StreamingDecoder::State::NeedBytes)
                bug(kName, "pump() wants bytes after finish()");
        }
        if (decoder.framesDecoded() != sink.frames)
            bug(kName, "framesDecoded() " + std::to_string(decoder.framesDecoded()) + " differs from the frames delivered, " + std::to_string(sink.frames));
        if (state != StreamingDecoder::State::Done)
            return 0;
        if (!sink.finished && sink.started)
            bug(kName, "Done without done()");
        if (sink.started && (decoder.info().channels != sink.format.channels || decoder.info().sampleRate != sink.format.sampleRate))
            bug(kName, "info() differs from the format given to the sink");
        const auto& points = index.points();
        for (size_t i = 1; i < points.size(); ++i)
            if (points[i].frame < points[i - 1].frame || points[i].frame > sink.frames)
                bug(kName, "seek index frames out of order or past the end");
    } catch (const MediaError&) {
    } catch (const std::exception& e) {
        bug(kName, std::string("unexpected exception: ") + e.what());
    } catch (...) {
        bug(kName, "unexpected exception of unknown type");
    }
    return 0;
}
