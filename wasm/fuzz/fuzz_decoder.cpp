// SPDX-License-Identifier: MIT
// libFuzzer harness: arbitrary bytes through the streaming decode, the peak pyramid,
// the range decoder and both renderers. Input: one control byte, then the medium.
//   bits 0-3  chunk size: up to 2^n bytes per push (15: everything in one push)
//   bits 4-5  probeBytes   2 KiB, 16 KiB, 64 KiB, 512 KiB
//   bits 6-7  readAhead    512 B, 8 KiB, 64 KiB, 1 MiB
// MediaError is the expected failure; anything else escaping the core is a bug.
#include "MediaError.h"
#include "MediaSession.h"
#include "MemoryReader.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

using namespace avseg;

namespace {

// pump(64) calls per input: bounds the work on inputs that decode to a lot of audio.
constexpr int kMaxPumps = 4096;
// Pushes per input at most (about): tiny chunks of a large input would only test the deque.
constexpr size_t kMaxChunks = 2048;

[[noreturn]] void bug(const char* what)
{
    std::fprintf(stderr, "fuzz_decoder: %s\n", what);
    std::abort();
}

uint32_t nextRandom(uint32_t& s)
{
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

void renderViews(MediaSession& session, const uint8_t* media, size_t size, uint8_t control)
{
    const int64_t frames = session.framesDecoded();
    try {
        session.attachSeekable(std::make_unique<MemoryReader>(std::vector<uint8_t>(media, media + size)));
    } catch (const MediaError&) {
        return;
    }
    constexpr int kWidth = 64, kHeight = 16;
    std::vector<uint8_t> pixels(kWidth * kHeight * 4);
    RgbaImage image{pixels.data(), kWidth, kHeight, kWidth * 4};
    const WaveformStyle style;
    static const double kFine[] = {0.125, 0.5, 1.0, 3.0};
    const double fine = kFine[control & 3];
    const WaveformView views[] = {
        {0.0, double(frames) / kWidth},                     // whole file
        {double(frames / 2) - kWidth / 2 * fine, fine},     // sample level, middle
        {double(frames) - kWidth / 4 * fine, fine},         // sample level, across the end
    };
    for (const WaveformView& view : views) {
        try {
            session.render(image, view, style);
        } catch (const MediaError&) {
        }
    }
}

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
    SessionOptions options;
    options.stream.probeBytes = kProbe[(control >> 4) & 3];
    options.stream.readAhead = kReadAhead[(control >> 6) & 3];
    // Small budgets: coarsening happens on small inputs, and memory stays far below the RSS limit.
    options.peaks.maxBasePeaks = 1 << 14;
    options.maxCachedSamples = 1 << 16;

    const int chunkBits = control & 15;
    const size_t minChunk = mediaSize / kMaxChunks + 1;
    uint32_t rng = 0x9e3779b9u * (control + 1u);

    try {
        MediaSession session(options);
        int pumps = 0;
        StreamingDecoder::State state = StreamingDecoder::State::NeedBytes;
        for (size_t at = 0; at < mediaSize && pumps < kMaxPumps;) {
            size_t n = chunkBits == 15 ? mediaSize : 1 + nextRandom(rng) % (size_t(1) << chunkBits);
            n = std::min(std::max(n, minChunk), mediaSize - at);
            session.push(media + at, n);
            at += n;
            do {
                state = session.pump(64);
            } while (state == StreamingDecoder::State::Decoding && ++pumps < kMaxPumps);
            if (state == StreamingDecoder::State::Done)
                break;
        }
        session.finish();
        while (state != StreamingDecoder::State::Done && pumps++ < kMaxPumps) {
            state = session.pump(64);
            // Every byte is here: asking for more would stall the caller forever.
            if (state == StreamingDecoder::State::NeedBytes)
                bug("pump() wants bytes after finish()");
        }
        if (state != StreamingDecoder::State::Done)
            return 0;
        if (session.peaks().frames() != session.framesDecoded())
            bug("the pyramid's frame count differs from the decoder's");
        if (session.peaks().channels() != session.info().channels)
            bug("the pyramid's channel count differs from the stream's");
        if (session.framesDecoded() > 0)
            renderViews(session, media, mediaSize, control);
    } catch (const MediaError&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_decoder: unexpected exception: %s\n", e.what());
        std::abort();
    } catch (...) {
        bug("unexpected exception of unknown type");
    }
    return 0;
}
